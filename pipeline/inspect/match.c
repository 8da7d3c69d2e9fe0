/*
 * match.c - which column of an export fills which logical field.
 *
 * A column earns a field by its name (the field's name and the schema's
 * synonyms, compared normalised: case, Latin-1 accents, spaces, '_' and
 * punctuation, camelCase) and keeps it only if its values validate as the
 * field's type (pipeline/validate, with the sniffed dialect). Enum fields
 * can also be earned by values alone: a column most of whose values the
 * built-in vocabulary resolves (Einnahmen/Ausgaben for account_type). The
 * best pairs are taken greedily, one column per field. Then what a required
 * field still lacks is filled as a person would: a key from the most
 * distinct column, a date from a date column, an empty cell from a second
 * column, and otherwise a constant, so the drafted section runs.
 */
#include "inspect/inspect_internal.h"

#include "opsreport/map.h"
#include "opsreport/validate.h"

#include <ctype.h>
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NAME_EXACT 100
#define NAME_COMPACT 90
#define MIN_CONTAINED 4   /* a synonym this short must match whole, never inside a header */
#define COMPAT_SHARE 0.8
#define GUESS_SHARE 0.9

void inspect_normalise(const char *s, char *buf, size_t size)
{
    size_t n = 0;
    bool space = false;
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        p += 3;
    for (; *p && n + 3 < size; p++) {
        unsigned char c = *p;
        if (c == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) {
            unsigned char d = p[1];
            if (d <= 0x9E && d != 0x97)
                d += 0x20;
            if (space && n)
                buf[n++] = ' ';
            space = false;
            buf[n++] = (char)c;
            buf[n++] = (char)d;
            p++;
            continue;
        }
        if (c >= 0x80 || isalnum(c)) {
            /* camelCase: "createdDate" is "created date" */
            bool camel = isupper(c) && p != (const unsigned char *)s && islower(p[-1]);
            if ((space || camel) && n)
                buf[n++] = ' ';
            space = false;
            buf[n++] = (char)(c < 0x80 ? tolower(c) : c);
        } else
            space = true;
    }
    buf[n] = '\0';
}

static void compact(const char *s, char *buf, size_t size)
{
    size_t n = 0;
    for (; *s && n + 1 < size; s++)
        if (*s != ' ')
            buf[n++] = *s;
    buf[n] = '\0';
}

/* Whole-word occurrence of needle in hay (both normalised). */
static bool contains_words(const char *hay, const char *needle)
{
    size_t nl = strlen(needle);
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) {
        bool start = p == hay || p[-1] == ' ';
        bool end = p[nl] == '\0' || p[nl] == ' ';
        if (start && end)
            return true;
    }
    return false;
}

/* 0..100: how well a normalised header names one spelling of a field. */
static int spelling_score(const char *h, const char *spelling)
{
    char s[160], hc[256], sc[160];
    inspect_normalise(spelling, s, sizeof s);
    if (!s[0] || !h[0])
        return 0;
    if (!strcmp(h, s))
        return NAME_EXACT;
    compact(h, hc, sizeof hc);
    compact(s, sc, sizeof sc);
    if (!strcmp(hc, sc))
        return NAME_COMPACT;
    size_t hl = strlen(hc), sl = strlen(sc);
    if (sl >= MIN_CONTAINED && contains_words(h, s))
        return 50 + (int)(39 * sl / (hl ? hl : 1));
    if (hl >= MIN_CONTAINED && contains_words(s, h))
        return 40 + (int)(29 * hl / (sl ? sl : 1));
    return 0;
}

static int name_score(const char *header, const field_def_t *def)
{
    char h[256];
    inspect_normalise(header, h, sizeof h);
    int best = spelling_score(h, def->name);
    const char *p = def->synonyms;
    while (p && *p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        char one[160];
        snprintf(one, sizeof one, "%.*s", (int)(n < sizeof one ? n : sizeof one - 1), p);
        int s = spelling_score(h, one);
        if (s > best)
            best = s;
        if (!bar)
            break;
        p = bar + 1;
    }
    return best;
}

/* Share of the column's (whole-file) values the enum vocabulary resolves. */
static double vocab_share(const inspect_column_t *col, const field_def_t *def)
{
    size_t total = 0, hit = 0;
    for (size_t k = 0; k < col->n_distinct; k++) {
        const inspect_value_t *v = &col->distinct[k];
        total += v->count;
        if (map_vocab(def, v->value, strlen(v->value)) >= 0)
            hit += v->count;
    }
    return total ? (double)hit / (double)total : 0;
}

double inspect_compatibility(const inspect_result_t *r, const inspect_column_t *col,
                             const field_def_t *def)
{
    if (def->type == FT_ENUM)
        return vocab_share(col, def);
    if (def->type == FT_TEXT)
        return 1.0;
    if ((def->type == FT_DATE && !col->date_formats.count) ||
        (def->type == FT_TIMESTAMP && !col->ts_formats.count))
        return 0;
    input_config_t in;
    inspect_input_init(r, col, &in);
    field_def_t optional = *def;
    optional.required = false;
    /* amounts with float artefacts (2066075.5899999999) are still amounts */
    if (def->type == FT_MONEY) {
        optional.type = FT_DECIMAL;
        optional.has_range = false;
    }
    size_t total = 0, ok = 0;
    for (size_t i = 0; i < col->n_values; i++) {
        const char *s = col->values[i];
        if (inspect_is_blank(r, s))
            continue;
        field_value_t v;
        char why_buf[200];
        const char *why;
        total++;
        bool numeric = def->type == FT_INT || def->type == FT_DECIMAL || def->type == FT_MONEY;
        if (numeric && !inspect_numeric_shape(s))
            continue;
        ok += validate_field(&optional, &in, 2, s, strlen(s), &v, why_buf, sizeof why_buf, &why);
    }
    inspect_input_clear(&in);
    return total ? (double)ok / (double)total : 0;
}

static bool id_like(const field_def_t *def)
{
    size_t n = strlen(def->name);
    return n > 3 && (!strcmp(def->name + n - 3, "_id") || !strcmp(def->name, "po_line"));
}

/* Score of column c for field f of schema: the key field loses points for
 * each repeated value (a repeated key is a rejected row). */
static int score_in_schema(const inspect_result_t *r, const input_schema_t *schema, size_t f,
                           const inspect_column_t *col)
{
    int s = inspect_score(r, col, &schema->fields[f]);
    if (s > 0 && (int)f == schema->key_field && r->n_records) {
        size_t penalty = col->n_duplicates * 400 / r->n_records;
        s -= (int)(penalty > 40 ? 40 : penalty);
        if (s < 1)
            s = 1;
    }
    return s;
}

int inspect_score(const inspect_result_t *r, const inspect_column_t *col, const field_def_t *def)
{
    if (col->type == INSPECT_EMPTY)
        return 0;
    int name = r->dialect.header ? name_score(col->name, def) : 0;
    if (def->type == FT_ENUM) {
        double share = col->many_values ? 0 : vocab_share(col, def);
        /* values alone must be mostly vocabulary, by rows and by distinct
         * values, and words: a count or id column holding 1..4 is no priority */
        size_t known = 0;
        for (size_t k = 0; k < col->n_distinct; k++)
            known += map_vocab(def, col->distinct[k].value, strlen(col->distinct[k].value)) >= 0;
        bool mostly = share >= 0.6 && known * 2 >= col->n_distinct && col->type == INSPECT_TEXT;
        int content = mostly ? 40 + (int)lround(40 * share) : 0;
        if (name >= 50)
            return name + (int)lround(20 * share);
        return content;
    }
    if (name < 50)
        return 0;
    if (inspect_compatibility(r, col, def) < COMPAT_SHARE)
        return 0;
    if (def->type == FT_TEXT) {
        /* a date is rarely a name; a number is an id at most */
        if (col->type == INSPECT_DATE || col->type == INSPECT_TIMESTAMP)
            name -= 20;
        else if ((col->type == INSPECT_INT || col->type == INSPECT_DECIMAL) && !id_like(def))
            name -= 5;
    }
    return name;
}

/* Types a column must have to fill a field on type alone (no name). */
static bool natural_type(const inspect_column_t *col, const field_def_t *def)
{
    switch (def->type) {
    case FT_DATE: /* year-only and yyyymmdd columns type as integers */
        return col->type == INSPECT_DATE || col->type == INSPECT_TIMESTAMP ||
               (col->type == INSPECT_INT && col->date_cover >= GUESS_SHARE);
    case FT_TIMESTAMP: return col->type == INSPECT_TIMESTAMP || col->type == INSPECT_DATE;
    case FT_INT: return col->type == INSPECT_INT;
    case FT_DECIMAL:
    case FT_MONEY: return col->type == INSPECT_INT || col->type == INSPECT_DECIMAL;
    case FT_BOOL: return col->type == INSPECT_BOOL;
    case FT_TEXT: return col->type == INSPECT_TEXT;
    case FT_ENUM: return false;
    }
    return false;
}

/* Records where the column has no value: empty, a missing token or a
 * sentinel the sniffer found ("Not Stated"). */
static size_t blank_rows(const inspect_result_t *r, const inspect_column_t *col)
{
    size_t n = col->n_empty;
    for (size_t k = 0; k < col->n_distinct; k++)
        if (inspect_is_blank(r, col->distinct[k].value))
            n += col->distinct[k].count;
    return n;
}

typedef struct {
    int field, column, score;
} pair_t;

static int pair_cmp(const void *a, const void *b)
{
    const pair_t *x = a, *y = b;
    if (x->score != y->score)
        return y->score - x->score;
    if (x->field != y->field)
        return x->field - y->field;
    return x->column - y->column;
}

/* Neutral constants for required fields no column fills; the first entry
 * whose value the field accepts wins. */
static const struct {
    const char *field, *value;
} neutral[] = {
    { "priority", "P3" }, { "status", "active" }, { "status", "open" },
    { "status", "not_tested" }, { "account_type", "opex" }, { "qty_ordered", "1" },
    { "qty_shipped", "1" }, { "fte", "1" }, { "subgroup", "1" }, { "likelihood", "3" },
    { "impact", "3" }, { "mandatory", "no" }, { "billable", "no" },
};

static bool accepts(const field_def_t *def, const char *value)
{
    if (def->type == FT_ENUM) {
        for (size_t i = 0; def->enum_values[i]; i++)
            if (!strcmp(def->enum_values[i], value))
                return true;
        return false;
    }
    return true;
}

static void neutral_value(const inspect_result_t *r, const field_def_t *def, char *buf, size_t size)
{
    for (size_t i = 0; i < sizeof neutral / sizeof neutral[0]; i++)
        if (!strcmp(neutral[i].field, def->name) && accepts(def, neutral[i].value)) {
            snprintf(buf, size, "%s", neutral[i].value);
            return;
        }
    switch (def->type) {
    case FT_ENUM: snprintf(buf, size, "%s", def->enum_values[0]); break;
    case FT_BOOL: snprintf(buf, size, "no"); break;
    case FT_INT:
    case FT_DECIMAL:
        snprintf(buf, size, "%g", def->has_range && def->min > 0 ? def->min : 0.0);
        break;
    case FT_MONEY: snprintf(buf, size, "0"); break;
    case FT_TEXT: snprintf(buf, size, "%s", r->stem); break;
    default: buf[0] = '\0'; break;
    }
}

static bool column_used(const inspect_match_t *m, size_t n_fields, int c)
{
    for (size_t f = 0; f < n_fields; f++)
        if (m->fill[f] == FILL_COLUMN && m->column[f] == c)
            return true;
    return false;
}

/* The column with the fewest empty cells among those that validate as def
 * (GUESS_SHARE), other than skip; unused ones first. -1 if none. */
static int best_by_type(const inspect_result_t *r, const inspect_match_t *m, size_t n_fields,
                        const field_def_t *def, int skip, bool allow_used)
{
    int best = -1;
    bool best_used = true;
    for (size_t c = 0; c < r->n_columns; c++) {
        const inspect_column_t *col = &r->columns[c];
        if ((int)c == skip || !natural_type(col, def) ||
            inspect_compatibility(r, col, def) < GUESS_SHARE)
            continue;
        bool used = column_used(m, n_fields, (int)c);
        if (used && !allow_used)
            continue;
        if (best < 0 || (best_used && !used) ||
            (used == best_used && blank_rows(r, col) < blank_rows(r, &r->columns[best]))) {
            best = (int)c;
            best_used = used;
        }
    }
    return best;
}

void inspect_match(const inspect_result_t *r, const input_schema_t *schema, inspect_match_t *m)
{
    size_t nf = schema->n_fields;
    memset(m, 0, sizeof *m);
    for (size_t f = 0; f < CONFIG_MAX_FIELDS; f++) {
        m->column[f] = m->fallback[f] = -1;
    }
    /* 1. names and vocabulary, best pairs first */
    pair_t *pairs = calloc(nf * (r->n_columns ? r->n_columns : 1), sizeof *pairs);
    size_t np = 0;
    for (size_t f = 0; pairs && f < nf; f++)
        for (size_t c = 0; c < r->n_columns; c++) {
            int s = score_in_schema(r, schema, f, &r->columns[c]);
            if (s > 0)
                pairs[np++] = (pair_t){ (int)f, (int)c, s };
        }
    if (pairs)
        qsort(pairs, np, sizeof *pairs, pair_cmp);
    for (size_t i = 0; i < np; i++) {
        int f = pairs[i].field, c = pairs[i].column;
        if (m->fill[f] != FILL_NONE || column_used(m, nf, c))
            continue;
        m->fill[f] = FILL_COLUMN;
        m->column[f] = c;
        m->score[f] = pairs[i].score;
        m->how[f] = schema->fields[f].type == FT_ENUM && !r->dialect.header ? "values"
                    : pairs[i].score < 50                                   ? "values"
                                                                            : "name";
    }
    free(pairs);
    /* 2. without a header, columns go by type alone */
    for (int pass = 0; pass < 2 && !r->dialect.header; pass++)
        for (size_t f = 0; f < nf; f++) {
            const field_def_t *def = &schema->fields[f];
            if (m->fill[f] != FILL_NONE || def->required != (pass == 0))
                continue;
            int c = best_by_type(r, m, nf, def, -1, false);
            if (c >= 0) {
                m->fill[f] = FILL_COLUMN;
                m->column[f] = c;
                m->score[f] = 30;
                m->how[f] = "type";
            }
        }
    /* 3. a key nobody named: the most distinct column */
    int kf = schema->key_field;
    if (kf >= 0 && m->fill[kf] == FILL_NONE && r->n_records) {
        int best = -1;
        for (size_t c = 0; c < r->n_columns; c++) {
            const inspect_column_t *col = &r->columns[c];
            if (col->type != INSPECT_TEXT && col->type != INSPECT_INT)
                continue;
            if (col->n_empty * 100 > r->n_records || col->n_duplicates * 10 > r->n_records)
                continue;
            if (best < 0 || col->n_duplicates < r->columns[best].n_duplicates)
                best = (int)c;
        }
        if (best >= 0) {
            m->fill[kf] = FILL_COLUMN;
            m->column[kf] = best;
            m->score[kf] = 20;
            m->how[kf] = "most distinct";
        }
    }
    /* 4. required dates nobody named: a date column by type */
    for (size_t f = 0; f < nf; f++) {
        const field_def_t *def = &schema->fields[f];
        if (m->fill[f] != FILL_NONE || !def->required ||
            (def->type != FT_DATE && def->type != FT_TIMESTAMP))
            continue;
        int c = best_by_type(r, m, nf, def, -1, false);
        if (c >= 0) {
            m->fill[f] = FILL_COLUMN;
            m->column[f] = c;
            m->score[f] = 30;
            m->how[f] = "type";
        }
    }
    /* 5. empty cells in required fields: a second column, or the stem */
    for (size_t f = 0; f < nf; f++) {
        const field_def_t *def = &schema->fields[f];
        if (m->fill[f] != FILL_COLUMN || !def->required || !blank_rows(r, &r->columns[m->column[f]]))
            continue;
        if (def->type == FT_TEXT && (int)f != kf) {
            m->default_stem[f] = true;
            continue;
        }
        if (def->type == FT_DATE || def->type == FT_TIMESTAMP || def->type == FT_MONEY ||
            def->type == FT_DECIMAL || def->type == FT_INT)
            m->fallback[f] = best_by_type(r, m, nf, def, m->column[f], true);
    }
    /* 6. what is still missing: borrow an amount, else a neutral constant */
    for (size_t f = 0; f < nf; f++) {
        const field_def_t *def = &schema->fields[f];
        if (m->fill[f] != FILL_NONE || !def->required)
            continue;
        if (def->type == FT_MONEY)
            for (size_t g = 0; g < nf && m->fill[f] == FILL_NONE; g++)
                if (schema->fields[g].type == FT_MONEY && m->fill[g] == FILL_COLUMN) {
                    m->fill[f] = FILL_COLUMN;
                    m->column[f] = m->column[g];
                    m->score[f] = 10;
                    m->how[f] = schema->fields[g].name;
                }
        if (m->fill[f] != FILL_NONE || def->type == FT_DATE || def->type == FT_TIMESTAMP)
            continue;
        neutral_value(r, def, m->const_value[f], sizeof m->const_value[f]);
        m->fill[f] = FILL_CONST;
    }
}
