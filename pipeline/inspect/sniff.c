/*
 * sniff.c - encoding, dialect and column types of an unknown CSV export.
 *
 * The whole file is read into memory and decoded to UTF-8 (inspect is run
 * by a person on one export, not on the month-end stream). Then:
 *   1. every candidate dialect (5 delimiters x 3 quote settings) parses the
 *      first INSPECT_SAMPLE_RECORDS records with libcsv; the one whose field
 *      counts agree on the most records wins (more columns on ties), as in
 *      DuckDB's CSV sniffer;
 *   2. one libcsv pass over the whole file with that dialect keeps the first
 *      records' values per column and, for every record, the distinct values,
 *      empties and duplicates per column;
 *   3. the decimal and thousands separators are voted on by every numeric-
 *      looking value; each column is typed by the share of its sampled values
 *      the pipeline's own parsers accept, and date columns get the few
 *      formats (from a candidate list) that parse most of their values;
 *   4. the first record is a header unless its cells fit the types of the
 *      columns below them.
 */
#include "inspect/inspect_internal.h"

#include "opsreport/parse.h"

#include <csv.h>
#include <ctype.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SNIFF_SAMPLE_BYTES (1024 * 1024)
#define DATE_DISTINCT_MAX 500     /* distinct values tried against the date formats */
#define TYPE_SHARE 0.95           /* share of values a numeric type must parse */
#define DATE_SHARE 0.9            /* dates tolerate a sentinel such as "Not Stated" */

const char *const inspect_default_missing[] = { "", "NA", "N/A", "?", "-", NULL };

/* Date candidates, day-first before month-first so ties pick day-first
 * (swapped later when other columns of the file are month-first). */
static const char *const date_candidates[] = {
    "iso", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y%m%d", "%Y/%m/%d", "%d/%m/%y",
    "%m/%d/%y", "%d.%m.%y", "%d-%b-%Y", "%d %b %Y", "%d-%b-%y", "%b %d, %Y", "%y-%b", "%b-%y",
    "%Y-%m", "%Y",
    /* dates written with a time of day */
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.000", "%Y-%m-%d %H:%M:%S.000",
    "%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M", "%d/%m/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M:%S %p", "%d/%m/%Y %I:%M %p",
    "%m/%d/%Y %I:%M %p", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", NULL,
};
static const char *const ts_candidates[] = {
    "iso", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M:%S.%f",
    /* exports that always write zero milliseconds (Socrata) */
    "%Y-%m-%dT%H:%M:%S.000", "%Y-%m-%d %H:%M:%S.000", "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M", "%d/%m/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M:%S %p", "%d/%m/%Y %I:%M %p", "%m/%d/%Y %I:%M %p", "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M", "rfc2822", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d", NULL,
};

static const char delimiters[] = { ',', ';', '\t', '|', ' ' };
static const char quotes[] = { '"', '\'', 0 };

const char *inspect_type_name(inspect_type_t type)
{
    switch (type) {
    case INSPECT_EMPTY: return "empty";
    case INSPECT_TEXT: return "text";
    case INSPECT_BOOL: return "yes/no";
    case INSPECT_INT: return "integer";
    case INSPECT_DECIMAL: return "number";
    case INSPECT_DATE: return "date";
    case INSPECT_TIMESTAMP: return "timestamp";
    }
    return "?";
}

const char *inspect_encoding_name(inspect_encoding_t enc)
{
    switch (enc) {
    case INSPECT_UTF8: return "UTF-8";
    case INSPECT_UTF8_BOM: return "UTF-8 with BOM";
    case INSPECT_CP1252: return "windows-1252";
    case INSPECT_UTF16LE: return "UTF-16LE";
    case INSPECT_UTF16BE: return "UTF-16BE";
    }
    return "?";
}

bool inspect_list_add(config_list_t *list, const char *item)
{
    for (size_t i = 0; i < list->count; i++)
        if (!strcmp(list->items[i], item))
            return true;
    if (list->count == CONFIG_MAX_TOKENS)
        return false;
    list->items[list->count] = g_strdup(item);
    list->count++;
    return true;
}

static void list_clear(config_list_t *list)
{
    for (size_t i = 0; i < list->count; i++)
        g_free(list->items[i]);
    list->count = 0;
}

static bool is_default_missing(const char *s, size_t len)
{
    for (size_t i = 0; inspect_default_missing[i]; i++)
        if (strlen(inspect_default_missing[i]) == len && !strncasecmp(inspect_default_missing[i], s, len))
            return true;
    return false;
}

bool inspect_is_blank(const inspect_result_t *r, const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (is_default_missing(s, len))
        return true;
    for (size_t c = 0; r && c < r->n_columns; c++)
        for (size_t k = 0; k < r->columns[c].n_sentinels; k++)
            if (strlen(r->columns[c].sentinels[k]) == len && !strncasecmp(r->columns[c].sentinels[k], s, len))
                return true;
    return false;
}

void inspect_input_init(const inspect_result_t *r, const inspect_column_t *col, input_config_t *in)
{
    memset(in, 0, sizeof *in);
    in->delimiter = r->dialect.delimiter;
    in->quote = r->dialect.quote;
    in->decimal = r->dialect.decimal;
    in->thousands = r->dialect.thousands;
    in->header = r->dialect.header;
    in->keep_latest_by = -1;
    in->revenue_sign = in->cost_sign = 1;
    for (size_t i = 0; inspect_default_missing[i]; i++)
        inspect_list_add(&in->missing, inspect_default_missing[i]);
    for (size_t c = 0; c < r->n_columns; c++)
        for (size_t k = 0; k < r->columns[c].n_sentinels; k++)
            inspect_list_add(&in->missing, r->columns[c].sentinels[k]);
    static const char *const yes[] = { "yes", "y", "true", "1", "x", NULL };
    static const char *const no[] = { "no", "n", "false", "0", NULL };
    for (size_t i = 0; yes[i]; i++)
        inspect_list_add(&in->true_values, yes[i]);
    for (size_t i = 0; no[i]; i++)
        inspect_list_add(&in->false_values, no[i]);
    inspect_currency_list(&r->dialect, &in->currency_symbols);
    if (col) {
        for (size_t i = 0; i < col->date_formats.count; i++)
            inspect_list_add(&in->date_formats, col->date_formats.items[i]);
        for (size_t i = 0; i < col->ts_formats.count; i++)
            inspect_list_add(&in->timestamp_formats, col->ts_formats.items[i]);
    }
    if (!in->date_formats.count)
        inspect_list_add(&in->date_formats, "iso");
    if (!in->timestamp_formats.count)
        inspect_list_add(&in->timestamp_formats, "iso");
}

void inspect_currency_list(const inspect_dialect_t *d, config_list_t *list)
{
    gchar **items = g_strsplit(d->currency, ", ", -1);
    for (size_t i = 0; items[i]; i++)
        if (items[i][0])
            inspect_list_add(list, items[i]);
    g_strfreev(items);
}

void inspect_input_clear(input_config_t *in)
{
    list_clear(&in->missing);
    list_clear(&in->true_values);
    list_clear(&in->false_values);
    list_clear(&in->currency_symbols);
    list_clear(&in->date_formats);
    list_clear(&in->timestamp_formats);
}

/* ---- encoding ---------------------------------------------------------- */

/* Decodes data to UTF-8 (NUL-terminated, g_free) and names the encoding. */
static char *decode(const char *data, size_t len, inspect_encoding_t *enc, size_t *out_len)
{
    const unsigned char *u = (const unsigned char *)data;
    const char *from = NULL;
    size_t skip = 0;
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        *enc = INSPECT_UTF8_BOM;
        skip = 3;
    } else if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
        *enc = INSPECT_UTF16LE;
        from = "UTF-16LE";
        skip = 2;
    } else if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
        *enc = INSPECT_UTF16BE;
        from = "UTF-16BE";
        skip = 2;
    } else if (g_utf8_validate(data, (gssize)len, NULL)) {
        *enc = INSPECT_UTF8;
    } else {
        *enc = INSPECT_CP1252;
        from = "WINDOWS-1252";
    }
    if (!from) {
        *out_len = len - skip;
        return g_strndup(data + skip, len - skip);
    }
    /* the five bytes Windows-1252 leaves undefined would stop iconv */
    char *copy = g_memdup2(data + skip, len - skip);
    if (*enc == INSPECT_CP1252)
        for (size_t i = 0; i < len - skip; i++) {
            unsigned char c = (unsigned char)copy[i];
            if (c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D)
                copy[i] = '?';
        }
    gsize written = 0;
    char *utf8 = g_convert(copy, (gssize)(len - skip), "UTF-8", from, NULL, &written, NULL);
    g_free(copy);
    *out_len = written;
    return utf8;
}

/* ---- dialect ----------------------------------------------------------- */

typedef struct {
    size_t *counts;          /* fields per record */
    size_t n, cap;
    size_t fields;           /* fields of the record being parsed */
    size_t last_len;
} count_state_t;

static void count_field(void *data, size_t len, void *ctx)
{
    (void)data;
    count_state_t *st = ctx;
    st->fields++;
    st->last_len = len;
}

static void count_record(int c, void *ctx)
{
    (void)c;
    count_state_t *st = ctx;
    bool blank = st->fields == 1 && st->last_len == 0;
    if (!blank && st->n < st->cap)
        st->counts[st->n++] = st->fields;
    st->fields = 0;
}

static int space_only(unsigned char c) { return c == ' '; }

static void parser_setup(struct csv_parser *p, char delimiter, char quote)
{
    /* a wrong quote candidate opens one field over the whole sample; libcsv
     * grows a field 128 bytes at a time, which copies quadratically */
    csv_set_blk_size(p, 64 * 1024);
    csv_set_delim(p, (unsigned char)delimiter);
    csv_set_quote(p, (unsigned char)quote);
    if (delimiter == '\t')
        csv_set_space_func(p, space_only);
}

typedef struct {
    size_t columns;          /* most common field count */
    size_t agreeing;         /* records with that count */
    size_t records;
    bool first_agrees;       /* the first record (the header) has that count too */
} dialect_score_t;

static bool score_dialect(const char *text, size_t len, char delimiter, char quote,
                          dialect_score_t *out)
{
    struct csv_parser p;
    count_state_t st = { 0 };
    st.cap = INSPECT_SAMPLE_RECORDS + 1;
    st.counts = calloc(st.cap, sizeof *st.counts);
    if (!st.counts || csv_init(&p, 0) != 0) {
        free(st.counts);
        return false;
    }
    parser_setup(&p, delimiter, quote);
    for (size_t off = 0; off < len && st.n < st.cap; off += 4096) {
        size_t n = len - off < 4096 ? len - off : 4096;
        csv_parse(&p, text + off, n, count_field, count_record, &st);
    }
    if (st.n < st.cap)
        csv_fini(&p, count_field, count_record, &st);
    csv_free(&p);
    memset(out, 0, sizeof *out);
    out->records = st.n;
    GHashTable *freq = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (size_t i = 0; i < st.n; i++) {
        gpointer key = GSIZE_TO_POINTER(st.counts[i]);
        size_t f = GPOINTER_TO_SIZE(g_hash_table_lookup(freq, key)) + 1;
        g_hash_table_insert(freq, key, GSIZE_TO_POINTER(f));
        if (f > out->agreeing || (f == out->agreeing && st.counts[i] > out->columns)) {
            out->agreeing = f;
            out->columns = st.counts[i];
        }
    }
    g_hash_table_destroy(freq);
    out->first_agrees = st.n > 0 && st.counts[0] == out->columns;
    free(st.counts);
    return true;
}

/* Within one delimiter the quote character is '"' unless another setting
 * is clearly more consistent (a wrong quote splits quoted fields into more
 * columns, so more columns is no virtue there). Across delimiters: some
 * structure (2+ columns) first, then consistency, then more columns. */
static bool more_consistent(const dialect_score_t *a, const dialect_score_t *b)
{
    double ca = a->records ? (double)a->agreeing / (double)a->records : 0;
    double cb = b->records ? (double)b->agreeing / (double)b->records : 0;
    return ca > cb + 0.02;
}

static void sniff_dialect(const char *text, size_t len, inspect_dialect_t *d)
{
    dialect_score_t best = { 0 };
    d->delimiter = ',';
    d->quote = '"';
    size_t sample = len < SNIFF_SAMPLE_BYTES ? len : SNIFF_SAMPLE_BYTES;
    for (size_t i = 0; i < sizeof delimiters; i++) {
        dialect_score_t mine = { 0 };
        char my_quote = quotes[0];
        for (size_t q = 0; q < sizeof quotes; q++) {
            dialect_score_t s;
            if (!score_dialect(text, sample, delimiters[i], quotes[q], &s))
                continue;
            if (q == 0 || more_consistent(&s, &mine)) {
                mine = s;
                my_quote = quotes[q];
            }
        }
        /* one column says nothing about the delimiter, and a header split
         * otherwise than the records ("hired" over "02/11/2019 12:00:00 AM"
         * split at spaces) means the records are split wrongly */
        bool structured = mine.columns >= 2 && mine.first_agrees;
        bool best_structured = best.columns >= 2 && best.first_agrees;
        bool better = structured != best_structured ? structured
                      : more_consistent(&mine, &best) ? true
                      : more_consistent(&best, &mine) ? false
                                                      : mine.columns > best.columns;
        if (better) {
            best = mine;
            d->delimiter = delimiters[i];
            d->quote = my_quote;
        }
    }
    d->n_columns = best.columns ? best.columns : 1;
    d->consistency = best.records ? (double)best.agreeing / (double)best.records : 1.0;
}

/* ---- records ------------------------------------------------------------ */

typedef struct {
    inspect_result_t *r;
    GString *field_buf;
    GPtrArray *fields;       /* char* of the current record */
    size_t last_len;
    char **first;            /* the first record's cells */
    size_t n_first;
    GHashTable **seen;       /* per column: value -> count */
    bool failed;
} record_state_t;

static void rec_field(void *data, size_t len, void *ctx)
{
    record_state_t *st = ctx;
    char *s = g_strndup(data ? data : "", len);
    g_strstrip(s);
    g_ptr_array_add(st->fields, s);
    st->last_len = len;
}

/* Adds one cell of the whole file to the column's counts. */
static void column_count(record_state_t *st, size_t c, const char *s)
{
    inspect_column_t *col = &st->r->columns[c];
    if (is_default_missing(s, strlen(s))) {
        col->n_empty++;
        return;
    }
    size_t prev = GPOINTER_TO_SIZE(g_hash_table_lookup(st->seen[c], s));
    if (prev)
        col->n_duplicates++;
    g_hash_table_replace(st->seen[c], g_strdup(s), GSIZE_TO_POINTER(prev + 1));
    for (size_t k = 0; k < col->n_distinct; k++)
        if (!strcmp(col->distinct[k].value, s)) {
            col->distinct[k].count++;
            return;
        }
    if (col->n_distinct < INSPECT_MAX_DISTINCT) {
        col->distinct[col->n_distinct].value = g_strdup(s);
        col->distinct[col->n_distinct++].count = 1;
    } else
        col->many_values = true;
}

static void column_keep(inspect_column_t *col, const char *s)
{
    if (col->n_values >= INSPECT_SAMPLE_RECORDS)
        return;
    col->values[col->n_values++] = g_strdup(s);
    if (is_default_missing(s, strlen(s)))
        col->n_values_empty++;
}

static void rec_record(int c, void *ctx)
{
    (void)c;
    record_state_t *st = ctx;
    inspect_result_t *r = st->r;
    GPtrArray *f = st->fields;
    if (f->len == 0 || (f->len == 1 && st->last_len == 0)) {
        g_ptr_array_set_size(f, 0);
        return;
    }
    if (!st->first) {
        st->n_first = f->len;
        st->first = (char **)g_ptr_array_steal(f, NULL);
        st->fields = g_ptr_array_new_with_free_func(g_free);
        return;
    }
    r->n_records++;
    /* trailing empty columns (spreadsheet exports) are harmless, as in ingest */
    size_t n = f->len;
    while (n > r->n_columns && !((char *)f->pdata[n - 1])[0])
        n--;
    if (n != r->n_columns)
        r->n_ragged++;
    for (size_t i = 0; i < r->n_columns; i++) {
        const char *s = i < f->len ? f->pdata[i] : "";
        column_keep(&r->columns[i], s);
        column_count(st, i, s);
    }
    g_ptr_array_set_size(f, 0);
}

/* ---- numbers ------------------------------------------------------------ */

typedef struct {
    size_t dot_decimal, comma_decimal;        /* unambiguous */
    size_t comma_group, dot_group, apos_group; /* thousands separators seen */
    size_t comma_ambiguous, dot_ambiguous;    /* "1,234" / "1.234" */
    char currency[16];
} number_votes_t;

static bool all_digits(const char *s, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* "1,234,567" with sep ',': groups of three after a 1-3 digit lead. */
static bool grouped(const char *s, size_t n, char sep)
{
    size_t i = 0, lead = 0, groups = 0;
    while (i < n && isdigit((unsigned char)s[i])) {
        i++;
        lead++;
    }
    if (lead < 1 || lead > 3)
        return false;
    while (i < n) {
        if (s[i] != sep || i + 4 > n || !all_digits(s + i + 1, 3))
            return false;
        i += 4;
        groups++;
    }
    return groups > 0;
}

static void vote_number(const char *s, number_votes_t *v)
{
    const char *p = s, *end = s + strlen(s);
    /* sign, parentheses and a currency symbol around the digits */
    static const char *const symbols[] = { "$", "\xE2\x82\xAC", "\xC2\xA3", NULL };
    for (int pass = 0; pass < 2; pass++) {
        while (p < end && (*p == '-' || *p == '+' || *p == '(' || *p == ' '))
            p++;
        while (end > p && (end[-1] == '-' || end[-1] == ')' || end[-1] == ' '))
            end--;
        for (size_t k = 0; symbols[k]; k++) {
            size_t sl = strlen(symbols[k]);
            bool front = (size_t)(end - p) > sl && !strncmp(p, symbols[k], sl);
            bool back = (size_t)(end - p) > sl && !strncmp(end - sl, symbols[k], sl);
            if (front)
                p += sl;
            else if (back)
                end -= sl;
            if ((front || back) && !strstr(v->currency, symbols[k]) &&
                strlen(v->currency) + sl + 2 < sizeof v->currency) {
                if (v->currency[0])
                    strcat(v->currency, ", ");
                strcat(v->currency, symbols[k]);
            }
        }
    }
    size_t n = (size_t)(end - p);
    if (!n || !isdigit((unsigned char)p[0]) || !isdigit((unsigned char)end[-1]))
        return;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)p[i]) && p[i] != '.' && p[i] != ',' && p[i] != '\'')
            return;
    const char *dot = memchr(p, '.', n), *comma = memchr(p, ',', n);
    const char *last_dot = g_strrstr_len(p, (gssize)n, "."), *last_comma = g_strrstr_len(p, (gssize)n, ",");
    if (memchr(p, '\'', n)) {
        size_t head = (size_t)((dot ? dot : end) - p);
        if (grouped(p, head, '\''))
            v->apos_group++;
        return;
    }
    if (dot && comma) {
        if (last_dot > last_comma && grouped(p, (size_t)(last_dot - p), ',')) {
            v->dot_decimal++;
            v->comma_group++;
        } else if (last_comma > last_dot && grouped(p, (size_t)(last_comma - p), '.')) {
            v->comma_decimal++;
            v->dot_group++;
        }
        return;
    }
    const char *sep = dot ? dot : comma;
    if (!sep)
        return;
    char c = *sep;
    bool several = (c == '.' ? last_dot : last_comma) != sep;
    size_t after = (size_t)(end - sep - 1);
    if (several) {
        if (grouped(p, n, c)) {
            if (c == ',')
                v->comma_group++;
            else
                v->dot_group++;
        }
    } else if (after == 3 && sep - p <= 3) {
        if (c == ',')
            v->comma_ambiguous++;
        else
            v->dot_ambiguous++;
    } else if (c == ',')
        v->comma_decimal++;
    else
        v->dot_decimal++;
}

static void decide_numbers(inspect_result_t *r)
{
    number_votes_t v = { 0 };
    for (size_t c = 0; c < r->n_columns; c++)
        for (size_t i = 0; i < r->columns[c].n_values; i++)
            vote_number(r->columns[c].values[i], &v);
    inspect_dialect_t *d = &r->dialect;
    d->decimal = v.comma_decimal > v.dot_decimal ? ',' : '.';
    d->thousands = 0;
    if (d->decimal == '.' && (v.comma_group || (v.comma_ambiguous && v.dot_decimal)))
        d->thousands = ',';
    else if (d->decimal == ',' && (v.dot_group || v.dot_ambiguous))
        d->thousands = '.';
    else if (v.apos_group)
        d->thousands = '\'';
    /* a comma cannot separate thousands in unquoted comma-delimited numbers;
     * when it does, the values are quoted and libcsv has already joined them */
    snprintf(d->currency, sizeof d->currency, "%s", v.currency);
}

/* ---- dates -------------------------------------------------------------- */

typedef struct {
    const char *value;
    size_t count;
} weighted_t;

static bool parses(const char *value, const char *format, bool timestamp)
{
    config_list_t one = { .items = { (char *)format }, .count = 1 };
    const char *why;
    if (timestamp) {
        int64_t ts;
        return parse_timestamp(value, strlen(value), &one, &ts, &why);
    }
    int32_t day;
    return parse_date(value, strlen(value), &one, &day, NULL, &why);
}

/* "%d/%m/%Y" <-> "%m/%d/%Y"; NULL when the pattern has no day and month. */
static char *swap_day_month(const char *format)
{
    const char *d = strstr(format, "%d"), *m = strstr(format, "%m");
    if (!d || !m)
        return NULL;
    char *s = g_strdup(format);
    s[d - format + 1] = 'm';
    s[m - format + 1] = 'd';
    return s;
}

static bool day_first(const char *format)
{
    const char *d = strstr(format, "%d"), *m = strstr(format, "%m");
    return d && m && d < m && !strstr(format, "%Y-%m-%d");
}

/* Greedy cover: the format that parses most (weighted) values, then the
 * one that parses most of the rest, up to INSPECT_MAX_FORMATS. */
static double cover_formats(const weighted_t *vals, size_t n, size_t total,
                            const char *const *candidates, bool timestamp, config_list_t *out,
                            bool *ambiguous)
{
    size_t n_cand = 0;
    while (candidates[n_cand])
        n_cand++;
    bool *ok = calloc(n_cand * (n ? n : 1), sizeof *ok);
    bool *covered = calloc(n ? n : 1, sizeof *covered);
    size_t done = 0;
    *ambiguous = false;
    if (!ok || !covered)
        goto cleanup;
    for (size_t k = 0; k < n_cand; k++) {
        size_t hits = 0;
        for (size_t i = 0; i < n; i++) {
            /* a format that fits none of the first values is not worth the rest */
            if (i == 30 && hits == 0)
                break;
            if ((ok[k * n + i] = parses(vals[i].value, candidates[k], timestamp)))
                hits++;
        }
    }
    for (int round = 0; round < INSPECT_MAX_FORMATS; round++) {
        size_t best = SIZE_MAX, best_w = 0;
        for (size_t k = 0; k < n_cand; k++) {
            size_t w = 0;
            for (size_t i = 0; i < n; i++)
                if (ok[k * n + i] && !covered[i])
                    w += vals[i].count;
            if (w > best_w) {
                best_w = w;
                best = k;
            }
        }
        /* a later format must earn its place: 2 values and 1% at least */
        if (best == SIZE_MAX || (round > 0 && (best_w < 2 || best_w * 100 < total)))
            break;
        if (round == 0 && day_first(candidates[best])) {
            char *other = swap_day_month(candidates[best]);
            for (size_t k = 0; other && k < n_cand; k++)
                if (!strcmp(candidates[k], other)) {
                    size_t w = 0;
                    for (size_t i = 0; i < n; i++)
                        if (ok[k * n + i])
                            w += vals[i].count;
                    *ambiguous = w == best_w;
                }
            g_free(other);
        }
        inspect_list_add(out, candidates[best]);
        for (size_t i = 0; i < n; i++)
            if (ok[best * n + i] && !covered[i]) {
                covered[i] = true;
                done += vals[i].count;
            }
    }
cleanup:
    free(ok);
    free(covered);
    return total ? (double)done / (double)total : 0;
}

static bool looks_datelike(const weighted_t *vals, size_t n)
{
    size_t digits = 0, checked = 0;
    for (size_t i = 0; i < n && checked < 20; i++, checked++) {
        size_t len = strlen(vals[i].value);
        if (len > 40)
            return false;
        for (const char *p = vals[i].value; *p; p++)
            if (isdigit((unsigned char)*p)) {
                digits++;
                break;
            }
    }
    return checked && digits * 2 >= checked;
}

/* ---- column typing ------------------------------------------------------ */

/* Digits, separators, signs and currency symbols only: the pipeline's
 * parsers skip letters around a number (currency codes), which would make
 * "Z110205" or "Quarter1" a number. */
bool inspect_numeric_shape(const char *s)
{
    bool digit = false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalpha(*p))
            return false;
        digit |= isdigit(*p) != 0;
    }
    return digit;
}

static bool is_bool_word(const char *s)
{
    static const char *const words[] = { "true", "false", "yes", "no", "y", "n", NULL };
    for (size_t i = 0; words[i]; i++)
        if (!strcasecmp(s, words[i]))
            return true;
    return false;
}

static void type_column(const inspect_result_t *r, inspect_column_t *col)
{
    config_list_t currency = { 0 };
    inspect_currency_list(&r->dialect, &currency);
    number_format_t nf = { r->dialect.decimal, r->dialect.thousands, &currency };
    GHashTable *counts = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *order = g_ptr_array_new();
    size_t total = 0, ints = 0, nums = 0, bools = 0;
    for (size_t i = 0; i < col->n_values; i++) {
        const char *s = col->values[i];
        if (is_default_missing(s, strlen(s)))
            continue;
        total++;
        bools += is_bool_word(s);
        size_t prev = GPOINTER_TO_SIZE(g_hash_table_lookup(counts, s));
        if (!prev) {
            g_ptr_array_add(order, (gpointer)s);
            if (col->n_samples < 3)
                col->samples[col->n_samples++] = g_strdup(s);
        }
        g_hash_table_insert(counts, (gpointer)s, GSIZE_TO_POINTER(prev + 1));
    }
    /* repeated words without digits ("Not Stated") may stand for "no value"
     * in a column of numbers or dates: type the column without them */
    GPtrArray *words = g_ptr_array_new();
    size_t word_rows = 0;
    for (size_t i = 0; i < order->len; i++) {
        const char *s = order->pdata[i];
        size_t cnt = GPOINTER_TO_SIZE(g_hash_table_lookup(counts, s));
        bool letters = false, digits = false;
        for (const char *p = s; *p; p++) {
            letters |= isalpha((unsigned char)*p) != 0;
            digits |= isdigit((unsigned char)*p) != 0;
        }
        if (cnt >= 2 && letters && !digits && !is_bool_word(s) && words->len < INSPECT_MAX_SENTINELS) {
            g_ptr_array_add(words, (gpointer)s);
            word_rows += cnt;
        }
    }
    if (word_rows * 10 > total * 3) { /* a third of the rows: a text column */
        g_ptr_array_set_size(words, 0);
        word_rows = 0;
    }
    for (size_t i = 0; i < order->len; i++) {
        const char *s = order->pdata[i];
        size_t cnt = GPOINTER_TO_SIZE(g_hash_table_lookup(counts, s));
        const char *why;
        int64_t iv;
        double dv;
        if (inspect_numeric_shape(s)) {
            ints += cnt * parse_integer(s, strlen(s), &nf, &iv, &why);
            nums += cnt * parse_decimal(s, strlen(s), &nf, &dv, &why);
        }
    }
    for (size_t i = 0; i < words->len; i++)
        g_ptr_array_remove(order, words->pdata[i]);
    total -= word_rows;
    size_t n = order->len < DATE_DISTINCT_MAX ? order->len : DATE_DISTINCT_MAX;
    weighted_t *vals = calloc(n ? n : 1, sizeof *vals);
    size_t weighted_total = 0;
    for (size_t i = 0; vals && i < n; i++) {
        vals[i].value = order->pdata[i];
        vals[i].count = GPOINTER_TO_SIZE(g_hash_table_lookup(counts, vals[i].value));
        weighted_total += vals[i].count;
    }
    bool amb_d = false, amb_t = false;
    if (vals && n && looks_datelike(vals, n)) {
        col->date_cover = cover_formats(vals, n, weighted_total, date_candidates, false,
                                        &col->date_formats, &amb_d);
        col->ts_cover = cover_formats(vals, n, weighted_total, ts_candidates, true,
                                      &col->ts_formats, &amb_t);
        col->dm_ambiguous = amb_d;
        for (size_t i = 0; i < col->ts_formats.count; i++) {
            const char *f = col->ts_formats.items[i];
            if (strstr(f, "%H") || strstr(f, "%I") || !strcmp(f, "rfc2822"))
                col->has_time = true;
        }
        if (col->ts_formats.count && !strcmp(col->ts_formats.items[0], "iso"))
            for (size_t i = 0; i < n && !col->has_time; i++)
                col->has_time = strchr(vals[i].value, ':') != NULL;
    }
    double t = total ? (double)total : 1;
    bool eight_digit_dates = col->date_formats.count && !strcmp(col->date_formats.items[0], "%Y%m%d");
    if (!total)
        col->type = INSPECT_EMPTY;
    else if (bools / t >= TYPE_SHARE)
        col->type = INSPECT_BOOL;
    else if (ints / t >= TYPE_SHARE && !(eight_digit_dates && col->date_cover >= TYPE_SHARE))
        col->type = INSPECT_INT;
    else if (ints / t < TYPE_SHARE && nums / t >= TYPE_SHARE)
        col->type = INSPECT_DECIMAL;
    else if (col->has_time && col->ts_cover >= DATE_SHARE)
        col->type = INSPECT_TIMESTAMP;
    else if (col->date_cover >= DATE_SHARE)
        col->type = INSPECT_DATE;
    else
        col->type = INSPECT_TEXT;
    if (col->type >= INSPECT_INT)
        for (size_t i = 0; i < words->len; i++)
            col->sentinels[col->n_sentinels++] = g_strdup(words->pdata[i]);
    g_ptr_array_free(words, TRUE);
    free(vals);
    g_ptr_array_free(order, TRUE);
    g_hash_table_destroy(counts);
    for (size_t i = 0; i < currency.count; i++)
        g_free(currency.items[i]);
}

/* When some columns are clearly month-first and none day-first, the
 * ambiguous ones (every day <= 12) are month-first too. */
static void decide_day_month(inspect_result_t *r)
{
    size_t dm = 0, md = 0;
    for (size_t c = 0; c < r->n_columns; c++) {
        inspect_column_t *col = &r->columns[c];
        if (!col->date_formats.count || col->dm_ambiguous)
            continue;
        const char *f = col->date_formats.items[0];
        if (day_first(f))
            dm++;
        else if (strstr(f, "%m/%d") || strstr(f, "%m.%d") || strstr(f, "%m-%d"))
            md++;
    }
    if (md <= dm)
        return;
    for (size_t c = 0; c < r->n_columns; c++) {
        inspect_column_t *col = &r->columns[c];
        if (!col->dm_ambiguous)
            continue;
        for (config_list_t *l = &col->date_formats; l; l = l == &col->date_formats ? &col->ts_formats : NULL)
            for (size_t i = 0; i < l->count; i++) {
                char *s = swap_day_month(l->items[i]);
                if (s && day_first(l->items[i])) {
                    g_free(l->items[i]);
                    l->items[i] = s;
                } else
                    g_free(s);
            }
    }
}

/* A first-record cell that fits its column's (non-text) type is data. */
static bool first_is_header(const inspect_result_t *r, char **first, size_t n_first)
{
    config_list_t currency = { 0 };
    inspect_currency_list(&r->dialect, &currency);
    number_format_t nf = { r->dialect.decimal, r->dialect.thousands, &currency };
    size_t fits = 0, typed = 0;
    for (size_t c = 0; c < r->n_columns && c < n_first; c++) {
        const inspect_column_t *col = &r->columns[c];
        const char *s = first[c];
        const char *why;
        int64_t iv;
        double dv;
        bool fit = false;
        switch (col->type) {
        case INSPECT_INT: fit = inspect_numeric_shape(s) && parse_integer(s, strlen(s), &nf, &iv, &why); break;
        case INSPECT_DECIMAL: fit = inspect_numeric_shape(s) && parse_decimal(s, strlen(s), &nf, &dv, &why); break;
        case INSPECT_BOOL: fit = is_bool_word(s); break;
        case INSPECT_DATE:
            for (size_t k = 0; k < col->date_formats.count && !fit; k++)
                fit = parses(s, col->date_formats.items[k], false);
            break;
        case INSPECT_TIMESTAMP:
            for (size_t k = 0; k < col->ts_formats.count && !fit; k++)
                fit = parses(s, col->ts_formats.items[k], true);
            break;
        default: continue;
        }
        typed++;
        fits += fit;
    }
    for (size_t i = 0; i < currency.count; i++)
        g_free(currency.items[i]);
    return !(typed && fits * 2 > typed);
}

static void column_reset_types(inspect_column_t *col)
{
    list_clear(&col->date_formats);
    list_clear(&col->ts_formats);
    for (size_t i = 0; i < col->n_samples; i++)
        g_free(col->samples[i]);
    col->n_samples = 0;
    for (size_t i = 0; i < col->n_sentinels; i++)
        g_free(col->sentinels[i]);
    col->n_sentinels = 0;
    col->date_cover = col->ts_cover = 0;
    col->dm_ambiguous = col->has_time = false;
}

static void type_all(inspect_result_t *r)
{
    decide_numbers(r);
    for (size_t c = 0; c < r->n_columns; c++)
        type_column(r, &r->columns[c]);
    decide_day_month(r);
}

static char *file_stem(const char *name)
{
    char *base = g_path_get_basename(name);
    char *dot = strrchr(base, '.');
    if (dot && dot != base)
        *dot = '\0';
    return base;
}

ops_status_t inspect_buffer(const char *data, size_t len, const char *name,
                            inspect_result_t **out, ops_error_t *err)
{
    ops_status_t rc = OPS_OK;
    struct csv_parser p;
    bool parser_ready = false;
    record_state_t st = { 0 };
    size_t text_len = 0, n_seen = 0;
    inspect_result_t *r = calloc(1, sizeof *r);
    char *text = NULL;
    if (!r)
        return ops_error_set(err, OPS_ERR_NOMEM, name, 0, NULL, "out of memory");
    r->path = g_strdup(name);
    r->stem = file_stem(name);
    text = decode(data, len, &r->dialect.encoding, &text_len);
    if (!text) {
        rc = ops_error_set(err, OPS_ERR_INPUT, name, 0, NULL, "cannot decode the file as %s",
                           inspect_encoding_name(r->dialect.encoding));
        goto cleanup;
    }
    sniff_dialect(text, text_len, &r->dialect);
    r->n_columns = r->dialect.n_columns;
    if (r->n_columns > INSPECT_MAX_COLUMNS)
        r->n_columns = INSPECT_MAX_COLUMNS;
    r->columns = calloc(r->n_columns, sizeof *r->columns);
    st.seen = calloc(r->n_columns, sizeof *st.seen);
    if (!r->columns || !st.seen)
        goto nomem;
    n_seen = r->n_columns;
    for (size_t c = 0; c < r->n_columns; c++) {
        r->columns[c].values = calloc(INSPECT_SAMPLE_RECORDS + 1, sizeof(char *));
        st.seen[c] = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        if (!r->columns[c].values)
            goto nomem;
    }
    st.r = r;
    st.fields = g_ptr_array_new_with_free_func(g_free);
    if (csv_init(&p, 0) != 0)
        goto nomem;
    parser_ready = true;
    parser_setup(&p, r->dialect.delimiter, r->dialect.quote);
    csv_parse(&p, text, text_len, rec_field, rec_record, &st);
    csv_fini(&p, rec_field, rec_record, &st);
    if (!st.first) {
        rc = ops_error_set(err, OPS_ERR_INPUT, name, 1, NULL, "the file is empty");
        goto cleanup;
    }
    type_all(r);
    r->dialect.header = first_is_header(r, st.first, st.n_first);
    for (size_t c = 0; c < r->n_columns; c++) {
        inspect_column_t *col = &r->columns[c];
        if (r->dialect.header) {
            col->name = g_strdup(c < st.n_first ? st.first[c] : "");
            continue;
        }
        /* no header: the first record is data, and columns go by number */
        col->name = g_strdup_printf("%zu", c + 1);
        const char *s = c < st.n_first ? st.first[c] : "";
        if (col->n_values == INSPECT_SAMPLE_RECORDS)
            g_free(col->values[--col->n_values]);
        memmove(col->values + 1, col->values, col->n_values * sizeof *col->values);
        col->values[0] = g_strdup(s);
        col->n_values++;
        col->n_values_empty += is_default_missing(s, strlen(s));
        column_count(&st, c, s);
        column_reset_types(col);
    }
    if (!r->dialect.header) {
        r->n_records++;
        type_all(r);
    }
    *out = r;
    r = NULL;
    goto cleanup;
nomem:
    rc = ops_error_set(err, OPS_ERR_NOMEM, name, 0, NULL, "out of memory");
cleanup:
    if (parser_ready)
        csv_free(&p);
    if (st.fields)
        g_ptr_array_free(st.fields, TRUE);
    if (st.first) {
        for (size_t i = 0; i < st.n_first; i++)
            g_free(st.first[i]);
        g_free(st.first);
    }
    for (size_t c = 0; st.seen && c < n_seen; c++)
        if (st.seen[c])
            g_hash_table_destroy(st.seen[c]);
    free(st.seen);
    g_free(text);
    inspect_free(r);
    return rc;
}

ops_status_t inspect_file(const char *path, inspect_result_t **out, ops_error_t *err)
{
    gchar *data = NULL;
    gsize len = 0;
    GError *gerr = NULL;
    if (!g_file_get_contents(path, &data, &len, &gerr)) {
        ops_status_t rc = ops_error_set(err, OPS_ERR_INPUT, path, 0, NULL, "cannot read the file: %s",
                                        gerr->message);
        g_error_free(gerr);
        return rc;
    }
    ops_status_t rc = inspect_buffer(data, len, path, out, err);
    g_free(data);
    return rc;
}

void inspect_free(inspect_result_t *r)
{
    if (!r)
        return;
    for (size_t c = 0; c < r->n_columns && r->columns; c++) {
        inspect_column_t *col = &r->columns[c];
        g_free(col->name);
        column_reset_types(col);
        for (size_t i = 0; col->values && i < col->n_values; i++)
            g_free(col->values[i]);
        free(col->values);
        for (size_t k = 0; k < col->n_distinct; k++)
            g_free(col->distinct[k].value);
    }
    free(r->columns);
    g_free(r->path);
    g_free(r->stem);
    free(r);
}
