/*
 * kinds.c - `opsreport kinds`: the input kinds and their fields, printed
 * from the schema tables (pipeline/core/schema.c) so the listing and README's
 * table (`kinds --markdown`) cannot drift from what ingest reads.
 */
#include "inspect/inspect_internal.h"

#include <glib.h>
#include <string.h>

#define WRAP 100

static const char *type_label(field_type_t t)
{
    switch (t) {
    case FT_TEXT: return "text";
    case FT_INT: return "integer";
    case FT_DECIMAL: return "number";
    case FT_MONEY: return "money";
    case FT_DATE: return "date";
    case FT_TIMESTAMP: return "timestamp";
    case FT_ENUM: return "enum";
    case FT_BOOL: return "yes/no";
    }
    return "?";
}

/* Writes text from column indent, wrapping at WRAP after a separator
 * (sep: " " for prose, ", " for lists whose items hold spaces). */
static void wrap(FILE *out, size_t indent, const char *text, const char *sep)
{
    size_t col = indent, sl = strlen(sep), pending = 0;
    fprintf(out, "%*s", (int)indent, "");
    const char *p = text;
    while (*p) {
        const char *end = strstr(p, sep);
        size_t n = end ? (size_t)(end - p) + sl : strlen(p);
        size_t shown = n;
        while (shown && p[shown - 1] == ' ') /* trailing blanks wait for the next item */
            shown--;
        if (col > indent && col + pending + shown > WRAP) {
            fprintf(out, "\n%*s", (int)indent, "");
            col = indent;
        } else
            fprintf(out, "%*s", (int)pending, "");
        fprintf(out, "%.*s", (int)shown, p);
        col += pending + shown;
        pending = n - shown;
        p += n;
    }
    fputc('\n', out);
}

/* Kinds listed before this one with the same field table ("gl_budget"). */
static const input_schema_t *same_fields_before(const input_schema_t *s)
{
    for (int k = 0; k < (int)s->kind; k++) {
        const input_schema_t *o = schema_for_kind((input_kind_t)k);
        if (o->fields == s->fields)
            return o;
    }
    return NULL;
}

static void print_kind(const input_schema_t *s, FILE *out)
{
    fprintf(out, "%s - %s", s->name, s->label);
    for (int k = 0; k < KIND_COUNT; k++) {
        const input_schema_t *o = schema_for_kind((input_kind_t)k);
        if (o != s && o->fields == s->fields)
            fprintf(out, " (same fields as %s)", o->name);
    }
    fputc('\n', out);
    for (size_t f = 0; f < s->n_fields; f++) {
        const field_def_t *def = &s->fields[f];
        char need[24], range[64] = "";
        snprintf(need, sizeof need, "%s%s", def->required ? "required" : "optional",
                 (int)f == s->key_field ? ", unique" : "");
        if (def->has_range && def->max < 1e9)
            snprintf(range, sizeof range, " (%g to %g)", def->min, def->max);
        else if (def->has_range)
            snprintf(range, sizeof range, " (%g or more)", def->min);
        fprintf(out, "  %-20s %-18s %s%s: %s\n", def->name, need, type_label(def->type), range, def->doc);
        if (def->enum_values)
            for (size_t i = 0; def->enum_values[i]; i++) {
                GString *line = g_string_new(NULL);
                g_string_append_printf(line, "%s", def->enum_values[i]);
                if (def->vocab && def->vocab[i]) {
                    gchar **spellings = g_strsplit(def->vocab[i], "|", -1);
                    gchar *joined = g_strjoinv(", ", spellings);
                    g_string_append_printf(line, ": %s", joined);
                    g_free(joined);
                    g_strfreev(spellings);
                }
                wrap(out, 25, line->str, ", ");
                g_string_free(line, TRUE);
            }
        if (def->used_by) {
            gchar *text = g_strdup_printf("used by: %s", def->used_by);
            wrap(out, 25, text, " ");
            g_free(text);
        }
    }
}

void kinds_print(const input_schema_t *schema, FILE *out)
{
    if (schema) {
        print_kind(schema, out);
        return;
    }
    for (int k = 0; k < KIND_COUNT; k++) {
        if (k)
            fputc('\n', out);
        print_kind(schema_for_kind((input_kind_t)k), out);
    }
}

static void field_list(const input_schema_t *s, bool required, FILE *out)
{
    bool any = false;
    for (size_t f = 0; f < s->n_fields; f++) {
        const field_def_t *def = &s->fields[f];
        if (def->required != required)
            continue;
        fprintf(out, "%s%s", any ? ", " : "", def->name);
        any = true;
        if ((int)f == s->key_field)
            fprintf(out, " (unique)");
        if (def->enum_values) {
            fputs(" (", out);
            for (size_t i = 0; def->enum_values[i]; i++)
                fprintf(out, "%s%s", i ? "/" : "", def->enum_values[i]);
            fputc(')', out);
        }
    }
    if (!any)
        fputs("-", out);
}

void kinds_print_markdown(FILE *out)
{
    fputs("| kind | required fields | optional fields |\n|---|---|---|\n", out);
    for (int k = 0; k < KIND_COUNT; k++) {
        const input_schema_t *s = schema_for_kind((input_kind_t)k);
        if (same_fields_before(s))
            continue;
        fputs("| ", out);
        bool first = true;
        for (int j = k; j < KIND_COUNT; j++) {
            const input_schema_t *o = schema_for_kind((input_kind_t)j);
            if (o->fields != s->fields)
                continue;
            fprintf(out, "%s`%s`", first ? "" : ", ", o->name);
            first = false;
        }
        fputs(" | ", out);
        field_list(s, true, out);
        fputs(" | ", out);
        field_list(s, false, out);
        fputs(" |\n", out);
    }
}
