/*
 * section.c - what inspect prints: the column table and the drafted
 * [input.NAME] section.
 *
 * Every line of the section is a config key that pipeline/core/config.c reads;
 * explanations go on lines of their own starting with '#' (inih would take
 * " ;" inside a value for an inline comment, so values never contain one).
 * Lines that are guesses say so in the comment above them.
 */
#include "inspect/inspect_internal.h"

#include "opsreport/map.h"

#include <glib.h>
#include <string.h>

const char *inspect_char_name(char c, char *buf, size_t size)
{
    switch (c) {
    case ',': return "comma";
    case ';': return "semicolon";
    case '\t': return "tab";
    case '|': return "pipe";
    case ' ': return "space";
    case '\'': return "apostrophe";
    case 0: return "none";
    default: snprintf(buf, size, "%c", c); return buf;
    }
}

static void formats_text(const inspect_column_t *col, char *buf, size_t size)
{
    const config_list_t *l = col->type == INSPECT_TIMESTAMP ? &col->ts_formats : &col->date_formats;
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < l->count && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : " ", l->items[i]);
}

void inspect_print_columns(const inspect_result_t *r, FILE *out)
{
    const inspect_dialect_t *d = &r->dialect;
    char b1[8], b2[8], b3[8];
    fprintf(out, "%s: %zu records, %zu columns\n", r->path, r->n_records, r->n_columns);
    fprintf(out, "  encoding %s, delimiter %s, quote %s, decimal %c, thousands %s, header %s\n",
            inspect_encoding_name(d->encoding), inspect_char_name(d->delimiter, b1, sizeof b1),
            inspect_char_name(d->quote, b2, sizeof b2), d->decimal,
            inspect_char_name(d->thousands, b3, sizeof b3), d->header ? "yes" : "no");
    if (r->n_ragged)
        fprintf(out, "  %zu records have another number of fields than %zu\n", r->n_ragged, r->n_columns);
    if (d->currency[0])
        fprintf(out, "  currency symbols around amounts: %s\n", d->currency);
    fprintf(out, "\n  %3s  %-28s %-30s %s\n", "#", "column", "type", "samples");
    for (size_t c = 0; c < r->n_columns; c++) {
        const inspect_column_t *col = &r->columns[c];
        char type[200], formats[160];
        formats_text(col, formats, sizeof formats);
        snprintf(type, sizeof type, "%s%s", inspect_type_name(col->type),
                 col->type == INSPECT_DATE || col->type == INSPECT_TIMESTAMP ? formats : "");
        fprintf(out, "  %3zu  %-28s %-30s ", c + 1, col->name, type);
        for (size_t i = 0; i < col->n_samples; i++) {
            char shown[32];
            g_strlcpy(shown, col->samples[i], sizeof shown);
            for (char *p = shown; *p; p++)
                if (*p == '\n' || *p == '\r')
                    *p = ' ';
            fprintf(out, "%s%s", i ? " | " : "", shown);
        }
        if (col->n_empty)
            fprintf(out, "%s(%zu empty)", col->n_samples ? "  " : "", col->n_empty);
        for (size_t k = 0; k < col->n_sentinels; k++)
            fprintf(out, "  ('%s' = no value)", col->sentinels[k]);
        fputc('\n', out);
    }
}

/* A header can stand in a key (where.HEADER) or a value (col.X = HEADER). */
static bool usable_in_value(const char *h) { return h[0] && !strchr(h, '|') && !strstr(h, " ;"); }
static bool usable_in_key(const char *h)
{
    return usable_in_value(h) && !strpbrk(h, "=:[]") && h[0] != '#' && h[0] != ';';
}

/* ---- enum value maps ---------------------------------------------------- */

/* Index of the one enum value whose spelling (>= 4 letters) appears as
 * words in value: "Resignation - family" -> voluntary. -1: none or several. */
static int guess_enum(const field_def_t *def, const char *value)
{
    char v[256];
    inspect_normalise(value, v, sizeof v);
    int found = -1;
    for (int i = 0; def->enum_values[i]; i++) {
        bool hit = false;
        const char *p = def->vocab ? def->vocab[i] : NULL;
        char one[160], norm[160];
        inspect_normalise(def->enum_values[i], norm, sizeof norm);
        hit = strlen(norm) >= 4 && strstr(v, norm);
        while (p && *p && !hit) {
            const char *bar = strchr(p, '|');
            size_t n = bar ? (size_t)(bar - p) : strlen(p);
            snprintf(one, sizeof one, "%.*s", (int)(n < sizeof one ? n : sizeof one - 1), p);
            inspect_normalise(one, norm, sizeof norm);
            if (strlen(norm) >= 4) {
                const char *q = strstr(v, norm);
                size_t nl = strlen(norm);
                hit = q && (q == v || q[-1] == ' ') && (q[nl] == '\0' || q[nl] == ' ');
            }
            if (!bar)
                break;
            p = bar + 1;
        }
        if (hit) {
            if (found >= 0 && found != i)
                return -1;
            found = i;
        }
    }
    return found;
}

/* A value as a map item: quoted when it holds a comma. */
static void map_item(GString *s, const char *value)
{
    if (strchr(value, ',') || strchr(value, '=') || value[0] == ' ')
        g_string_append_printf(s, "\"%s\"", value);
    else
        g_string_append(s, value);
}

/* map.FIELD lines of at most MAP_LINE characters: every map. key adds
 * its pairs to the map, and inih reads lines of 200 characters at most. */
#define MAP_LINE 150
static void print_map_lines(FILE *out, const char *prefix, const char *field, const GString *pairs)
{
    const char *p = pairs->str;
    while (*p) {
        size_t n = 0, cut = 0;
        bool quoted = false;
        for (; p[n] && (n < MAP_LINE || !cut); n++) {
            if (p[n] == '"')
                quoted = !quoted;
            if (p[n] == ',' && !quoted)
                cut = n;
        }
        if (!p[n])
            cut = n;
        fprintf(out, "%smap.%s = %.*s\n", prefix, field, (int)cut, p);
        p += cut;
        while (*p == ',' || *p == ' ')
            p++;
    }
}

static void print_enum_maps(const inspect_result_t *r, const field_def_t *def,
                            const inspect_column_t *col, FILE *out)
{
    if (col->many_values) {
        fprintf(out, "# %s: %s has more than %d distinct values; map the ones the built-in "
                     "vocabulary does not know with map.%s = From => To, ...\n",
                def->name, col->name, INSPECT_MAX_DISTINCT, def->name);
        return;
    }
    GString *sure = g_string_new(NULL), *unsure = g_string_new(NULL), *listed = g_string_new(NULL);
    size_t unsure_rows = 0;
    for (size_t k = 0; k < col->n_distinct; k++) {
        const inspect_value_t *v = &col->distinct[k];
        if (inspect_is_blank(r, v->value) || map_vocab(def, v->value, strlen(v->value)) >= 0)
            continue;
        if (strstr(v->value, " ;") || strchr(v->value, '"')) {
            fprintf(out, "# %s: the value '%s' cannot be written in a map line\n", def->name, v->value);
            continue;
        }
        int g = guess_enum(def, v->value);
        GString *s = g >= 0 ? sure : unsure;
        if (s->len)
            g_string_append(s, ", ");
        map_item(s, v->value);
        g_string_append_printf(s, " => %s", g >= 0 ? def->enum_values[g] : "?");
        if (g < 0) {
            unsure_rows += v->count;
            g_string_append_printf(listed, "%s%s (%zu)", listed->len ? ", " : "", v->value, v->count);
        }
    }
    print_map_lines(out, "", def->name, sure);
    if (unsure->len) {
        GString *allowed = g_string_new(NULL);
        for (size_t i = 0; def->enum_values[i]; i++)
            g_string_append_printf(allowed, "%s%s", i ? ", " : "", def->enum_values[i]);
        if (listed->len > 90) {
            g_string_truncate(listed, 90);
            g_string_append(listed, "...");
        }
        fprintf(out, "# %s: not sure what these mean: %s\n", def->name, listed->str);
        if (def->required)
            fprintf(out, "# (%zu records, rejected until mapped): replace ? with one of %s and remove the #\n",
                    unsure_rows, allowed->str);
        else
            fprintf(out, "# (%zu records): left empty below; or replace them with one of %s\n",
                    unsure_rows, allowed->str);
        /* an optional field can do without: those values become empty */
        if (!def->required)
            g_string_replace(unsure, " => ?", " =>", 0);
        print_map_lines(out, def->required ? "# " : "", def->name, unsure);
        g_string_free(allowed, TRUE);
    }
    g_string_free(sure, TRUE);
    g_string_free(unsure, TRUE);
    g_string_free(listed, TRUE);
}

/* ---- plan/actual filter ------------------------------------------------- */

static const char *const plan_words[] = { "budget", "budgets", "plan", "planned", "ansatz", "soll",
                                          "forecast", "prevision", "prévision", "presupuesto",
                                          "voranschlag", "estimate", "estimates", NULL };
static const char *const actual_words[] = { "actual", "actuals", "ist", "rechnung", "ergebnis",
                                            "reel", "réel", "real", "ejecutado", "outturn", NULL };

static bool has_word(const char *value, const char *const *words)
{
    char v[256];
    inspect_normalise(value, v, sizeof v);
    for (size_t i = 0; words[i]; i++)
        if (strstr(v, words[i])) {
            size_t n = strlen(words[i]);
            for (const char *p = strstr(v, words[i]); p; p = strstr(p + 1, words[i]))
                if ((p == v || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
                    return true;
        }
    return false;
}

static void print_plan_filter(const inspect_result_t *r, const input_schema_t *schema, FILE *out)
{
    bool budget = schema->kind == KIND_GL_BUDGET;
    for (size_t c = 0; c < r->n_columns; c++) {
        const inspect_column_t *col = &r->columns[c];
        if (col->many_values || !col->n_distinct || col->n_distinct > 12)
            continue;
        bool all = true;
        GString *keep = g_string_new(NULL), *desc = g_string_new(NULL);
        for (size_t k = 0; k < col->n_distinct && all; k++) {
            const inspect_value_t *v = &col->distinct[k];
            bool p = has_word(v->value, plan_words), a = has_word(v->value, actual_words);
            all = p != a;
            if (!all)
                break;
            g_string_append_printf(desc, "%s%s %s: %zu", desc->len ? ", " : "", p ? "plan" : "actual",
                                   v->value, v->count);
            if (p == budget) {
                if (keep->len)
                    g_string_append(keep, ", ");
                map_item(keep, v->value);
            }
        }
        if (all && usable_in_key(col->name)) {
            if (keep->len) {
                fprintf(out, "# %s labels plan and actual lines (%s): keep the %s ones\n", col->name,
                        desc->str, budget ? "plan" : "actual");
                fprintf(out, "where.%s = %s\n", col->name, keep->str);
            } else
                fprintf(out, "# %s holds %s lines only (%s): this file looks like %s\n", col->name,
                        budget ? "actual" : "plan", desc->str, budget ? "gl_actuals" : "gl_budget");
        }
        g_string_free(keep, TRUE);
        g_string_free(desc, TRUE);
        if (all)
            return;
    }
}

/* ---- the section -------------------------------------------------------- */

static void add_formats(config_list_t *to, const config_list_t *from)
{
    for (size_t i = 0; i < from->count; i++)
        inspect_list_add(to, from->items[i]);
}

static void print_list(FILE *out, const char *key, const config_list_t *l)
{
    fprintf(out, "%s = ", key);
    for (size_t i = 0; i < l->count; i++)
        fprintf(out, "%s%s", i ? ", " : "", l->items[i]);
    fputc('\n', out);
}

static const char *type_word(field_type_t t)
{
    switch (t) {
    case FT_TEXT: return "text";
    case FT_INT: return "whole number";
    case FT_DECIMAL: return "number";
    case FT_MONEY: return "amount";
    case FT_DATE: return "date";
    case FT_TIMESTAMP: return "timestamp";
    case FT_ENUM: return "enum";
    case FT_BOOL: return "yes/no";
    }
    return "?";
}

void inspect_print_section(const inspect_result_t *r, const input_schema_t *schema,
                           const char *name, FILE *out)
{
    const inspect_dialect_t *d = &r->dialect;
    inspect_match_t m;
    inspect_match(r, schema, &m);
    char b[8];
    size_t nf = schema->n_fields;

    fprintf(out, "# drafted by opsreport inspect: %zu records, %zu columns, %s\n", r->n_records,
            r->n_columns, inspect_encoding_name(d->encoding));
    fprintf(out, "[input.%s]\n", name);
    fprintf(out, "kind = %s\n", schema->name);
    fprintf(out, "file = %s\n", r->path);
    if (d->encoding == INSPECT_CP1252)
        fprintf(out, "encoding = windows-1252\n");
    else if (d->encoding == INSPECT_UTF16LE || d->encoding == INSPECT_UTF16BE)
        fprintf(out, "encoding = UTF-16\n");
    fprintf(out, "delimiter = %s\n", inspect_char_name(d->delimiter, b, sizeof b));
    fprintf(out, "quote = %s\n", inspect_char_name(d->quote, b, sizeof b));
    fprintf(out, "decimal = %c\n", d->decimal);
    if (d->thousands)
        fprintf(out, "thousands = %s\n", inspect_char_name(d->thousands, b, sizeof b));
    if (!d->header)
        fprintf(out, "# no header row: columns are numbered from 1\nheader = false\n");
    bool sentinels = false;
    for (size_t c = 0; c < r->n_columns; c++)
        sentinels |= r->columns[c].n_sentinels > 0;
    if (sentinels) {
        input_config_t in;
        inspect_input_init(r, NULL, &in);
        print_list(out, "missing", &in.missing);
        inspect_input_clear(&in);
    }
    config_list_t dates = { 0 }, stamps = { 0 };
    bool money_column = false, year_only = false;
    for (size_t f = 0; f < nf; f++) {
        const field_def_t *def = &schema->fields[f];
        if (m.fill[f] != FILL_COLUMN)
            continue;
        money_column |= def->type == FT_MONEY;
        for (int k = 0; k < 2; k++) {
            int c = k ? m.fallback[f] : m.column[f];
            if (c < 0)
                continue;
            const inspect_column_t *col = &r->columns[c];
            if (def->type == FT_DATE) {
                add_formats(&dates, &col->date_formats);
                year_only |= col->date_formats.count == 1 && !strcmp(col->date_formats.items[0], "%Y");
            } else if (def->type == FT_TIMESTAMP)
                add_formats(&stamps, &col->ts_formats);
        }
    }
    if (money_column && d->currency[0])
        fprintf(out, "currency_symbols = %s\n", d->currency);
    if (dates.count)
        print_list(out, "date_formats", &dates);
    if (stamps.count)
        print_list(out, "timestamp_formats", &stamps);
    for (size_t i = 0; i < dates.count; i++)
        g_free(dates.items[i]);
    for (size_t i = 0; i < stamps.count; i++)
        g_free(stamps.items[i]);
    if (year_only && (schema->kind == KIND_GL_BUDGET || schema->kind == KIND_GL_ACTUALS))
        fprintf(out, "# dates are years only: each line is spread over the 12 months (phasing = even)\n");

    GString *optional_missing = g_string_new(NULL);
    for (size_t f = 0; f < nf; f++) {
        const field_def_t *def = &schema->fields[f];
        if (m.fill[f] == FILL_NONE) {
            if (def->required)
                fprintf(out, "# required field %s: not found — use const.%s = … or col.%s = …\n",
                        def->name, def->name, def->name);
            else
                g_string_append_printf(optional_missing, "%s%s", optional_missing->len ? ", " : "",
                                       def->name);
            continue;
        }
        if (m.fill[f] == FILL_CONST) {
            fprintf(out, "# required field %s: not found — use const.%s = … or col.%s = …\n",
                    def->name, def->name, def->name);
            fprintf(out, "# const.%s = %s%s\n", def->name, m.const_value[f],
                    def->type == FT_TEXT ? " (the file's name) until you know better" : " (a neutral value)");
            fprintf(out, "const.%s = %s\n", def->name, m.const_value[f]);
            continue;
        }
        const inspect_column_t *col = &r->columns[m.column[f]];
        if (!usable_in_value(col->name)) {
            fprintf(out, "# %s: column %zu ('%s') cannot be named in a col. line; rename it in the export\n",
                    def->name, (size_t)m.column[f] + 1, col->name);
            continue;
        }
        if (!strcmp(m.how[f], "type"))
            fprintf(out, "# guess: %s (%s) taken by its values' type; check it\n", def->name, type_word(def->type));
        else if (!strcmp(m.how[f], "most distinct"))
            fprintf(out, "# guess: %s must be unique; %s is the most distinct column (%zu repeats)\n",
                    def->name, col->name, col->n_duplicates);
        else if (strcmp(m.how[f], "name") && strcmp(m.how[f], "values"))
            fprintf(out, "# %s: no column found; the %s column stands in (one unit per line)\n",
                    def->name, m.how[f]);
        if (m.fallback[f] >= 0 && usable_in_value(r->columns[m.fallback[f]].name)) {
            fprintf(out, "# %s: %s is empty in %zu records; %s fills them\n", def->name, col->name,
                    col->n_empty, r->columns[m.fallback[f]].name);
            fprintf(out, "col.%s = %s | %s\n", def->name, col->name, r->columns[m.fallback[f]].name);
        } else
            fprintf(out, "col.%s = %s\n", def->name, col->name);
        if (m.default_stem[f]) {
            fprintf(out, "# %s: %s is empty in %zu records\n", def->name, col->name, col->n_empty);
            fprintf(out, "default.%s = %s\n", def->name, r->stem);
        }
        if (def->type == FT_ENUM)
            print_enum_maps(r, def, col, out);
        if ((int)f == schema->key_field && col->n_duplicates && !strcmp(def->name, "ticket_id") &&
            schema_field_index(schema, "updated_at") >= 0 &&
            m.fill[schema_field_index(schema, "updated_at")] == FILL_COLUMN)
            fprintf(out, "# %s repeats in %zu records: one row per update, keep the latest\n"
                         "keep_latest_by = updated_at\n", col->name, col->n_duplicates);
        else if ((int)f == schema->key_field && col->n_duplicates)
            fprintf(out, "# %s repeats in %zu records: those rows are rejected as duplicates\n",
                    col->name, col->n_duplicates);
    }
    if (schema->kind == KIND_GL_BUDGET || schema->kind == KIND_GL_ACTUALS)
        print_plan_filter(r, schema, out);
    if (optional_missing->len)
        fprintf(out, "# optional fields not found: %s\n", optional_missing->str);
    g_string_free(optional_missing, TRUE);
}
