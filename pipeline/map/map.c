/*
 * map.c - value maps, built-in vocabularies, row filters and GL conventions.
 *
 * Hand-written comparisons: values must match case-insensitively with
 * separators folded, per row and without allocating, which neither GLib's
 * g_utf8_casefold (allocates) nor strcasecmp (ASCII, separators differ) do.
 */
#include "opsreport/map.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_sep(unsigned char c) { return c == ' ' || c == '-' || c == '_' || c == '\t'; }

/* Next folded unit of s at *i: '_' for a run of separators, a lower-case
 * ASCII byte, or a Latin-1 supplement letter folded to lower case (U+00C0..
 * U+00DE -> U+00E0..U+00FE, as the two-byte UTF-8 code 0xC3 0x80..0x9E). */
static int next_unit(const unsigned char *s, size_t len, size_t *i)
{
    if (*i >= len)
        return -1;
    unsigned char c = s[*i];
    if (is_sep(c)) {
        while (*i < len && is_sep(s[*i]))
            (*i)++;
        return '_';
    }
    (*i)++;
    if (c == 0xC3 && *i < len) {
        unsigned char d = s[(*i)++];
        if (d >= 0x80 && d <= 0x9E && d != 0x97)
            d += 0x20;
        return 0xC300 | d;
    }
    return tolower(c);
}

bool map_text_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    size_t i = 0, j = 0;
    /* white space at either end does not count; a leading '-' does ("-1" is not "1") */
    while (i < alen && isspace(x[i]))
        i++;
    while (j < blen && isspace(y[j]))
        j++;
    while (alen > i && isspace(x[alen - 1]))
        alen--;
    while (blen > j && isspace(y[blen - 1]))
        blen--;
    for (;;) {
        int u = next_unit(x, alen, &i), v = next_unit(y, blen, &j);
        if (u != v)
            return false;
        if (u < 0)
            return true;
    }
}

const char *map_value(const value_map_t *m, const char *s, size_t len)
{
    for (size_t k = 0; k < m->count; k++)
        if (map_text_equal(m->from[k], strlen(m->from[k]), s, len))
            return m->to[k];
    return m->fallback;
}

/* true if s equals one of the '|'-separated spellings in list */
static bool in_vocab(const char *list, const char *s, size_t len)
{
    const char *p = list;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (map_text_equal(p, n, s, len))
            return true;
        if (!bar)
            break;
        p = bar + 1;
    }
    return false;
}

int map_vocab(const field_def_t *def, const char *s, size_t len)
{
    if (!def->enum_values)
        return -1;
    /* the common case, a value spelt as allowed: no folding, no strlen */
    for (int i = 0; def->enum_values[i]; i++) {
        const char *v = def->enum_values[i];
        size_t k = 0;
        while (k < len && v[k] && tolower((unsigned char)v[k]) == tolower((unsigned char)s[k]))
            k++;
        if (k == len && !v[k])
            return i;
    }
    for (int i = 0; def->enum_values[i]; i++)
        if (map_text_equal(def->enum_values[i], strlen(def->enum_values[i]), s, len))
            return i;
    if (!def->vocab)
        return -1;
    for (int i = 0; def->enum_values[i]; i++)
        if (def->vocab[i] && in_vocab(def->vocab[i], s, len))
            return i;
    return -1;
}

bool map_filter_pass(const row_filter_t *f, const char *s, size_t len)
{
    bool listed = false;
    for (size_t k = 0; k < f->count && !listed; k++)
        listed = map_text_equal(f->values[k], strlen(f->values[k]), s, len);
    return f->keep ? listed : !listed;
}

static bool whole_number(const char *s, size_t len, long long *out)
{
    if (!len || len > 18)
        return false;
    long long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* text order: shorter codes first would misplace "10" after "9"; compare
 * as written, padded on the right as ledgers pad codes */
static int text_cmp(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    size_t n = alen < blen ? alen : blen;
    int c = strncmp(a, b, n);
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

int map_account_type(const input_config_t *in, const char *account, size_t len)
{
    long long num = 0;
    bool numeric = whole_number(account, len, &num);
    for (size_t k = 0; k < in->n_account_rules; k++) {
        const account_rule_t *r = &in->account_rules[k];
        if (r->prefix) {
            size_t pl = strlen(r->lo);
            if (pl <= len && !strncmp(account, r->lo, pl))
                return r->account_type;
            continue;
        }
        long long lo, hi;
        if (numeric && whole_number(r->lo, strlen(r->lo), &lo) && whole_number(r->hi, strlen(r->hi), &hi)) {
            if (num >= lo && num <= hi)
                return r->account_type;
        } else if (text_cmp(account, len, r->lo) >= 0 && text_cmp(account, len, r->hi) <= 0)
            return r->account_type;
    }
    return -1;
}

void map_phase(int64_t amount, const double *weights, int64_t out[12])
{
    double w[12], sum = 0, top = 0;
    for (int m = 0; m < 12; m++) {
        w[m] = weights ? weights[m] : 1.0;
        if (w[m] > top)
            top = w[m];
    }
    /* weights near DBL_MAX (the config takes any finite one) add up to
     * infinity, which made every share 0 and handed out the amount one unit
     * at a time: scale by the largest first, so the sum is at most 12 */
    for (int m = 0; m < 12; m++) {
        w[m] = top > 0 ? w[m] / top : 1.0;
        sum += w[m];
    }
    bool neg = amount < 0;
    /* |INT64_MIN| does not fit; such an amount is rejected long before */
    int64_t total = neg ? -amount : amount, given = 0;
    double rem[12];
    for (int m = 0; m < 12; m++) {
        double exact = (double)total * (w[m] / sum);
        /* near INT64_MAX the doubles round up (to 2^63, which does not even
         * convert back) and the parts could add up past int64: never hand
         * out more than is left */
        int64_t left = total - given;
        int64_t part = exact >= 0x1p63 ? left : (int64_t)floor(exact);
        out[m] = part < left ? part : left;
        rem[m] = part < left ? exact - (double)part : 0;
        given += out[m];
    }
    /* hand out the units left, largest remainder first (earliest on ties) */
    while (given < total) {
        int best = 0;
        for (int m = 1; m < 12; m++)
            if (rem[m] > rem[best])
                best = m;
        out[best]++;
        rem[best] = -1;
        given++;
    }
    while (given > total) { /* floating point overshoot: take back from the last months */
        for (int m = 11; m >= 0 && given > total; m--)
            if (out[m] > 0) {
                out[m]--;
                given--;
            }
    }
    if (neg)
        for (int m = 0; m < 12; m++)
            out[m] = -out[m];
}

void map_describe(const value_map_t *m, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < m->count && n < size; k++) {
        int w = snprintf(buf + n, size - n, "%s%s => %s", k ? ", " : "", m->from[k], m->to[k]);
        if (w < 0 || (size_t)w >= size - n) {
            if (size > 4)
                snprintf(buf + (n < size - 4 ? n : size - 4), 4, "...");
            return;
        }
        n += (size_t)w;
    }
    if (m->fallback && n < size)
        snprintf(buf + n, size - n, "%s* => %s", n ? ", " : "", m->fallback);
}
