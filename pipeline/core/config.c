/*
 * config.c - INI configuration, parsed with inih.
 *
 * inih calls handler() once per key; we dispatch on the section's type
 * (report, output, input.NAME, kpi.NAME) to a table of known keys. Anything
 * unknown stops the load with the file, line and nearest valid name, so a
 * typo never silently falls back to a default. inih does not pass line
 * numbers to the handler in Debian's build, so we feed it through
 * ini_parse_stream with a reader that counts lines.
 */
#include "opsreport/config.h"
#include "opsreport/deliver.h"

#include "opsreport/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <glib.h>
#include <iconv.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    config_t *cfg;
    ops_error_t *err;
    bool failed;
    long line;
    FILE *fp;
    char current_section[256];
    bool indented; /* the line being parsed starts with a blank: maybe a continuation */
} load_state_t;

static const char *const report_keys[] = { "organisation", "currency", "minor_units",
                                           "fiscal_year_start", "reject_threshold",
                                           "templates_dir", NULL };
static const char *const output_keys[] = { "dir", "xlsx", "pdf", "paper", "detail", "detail_max_rows", NULL };
static const char *const input_keys[] = { "kind", "file", "optional", "delimiter", "quote",
                                          "decimal", "thousands", "encoding", "header",
                                          "max_field_lines", "date_formats", "timestamp_formats",
                                          "missing", "keep_latest_by", "true_values", "false_values",
                                          "currency_symbols", "account_types", "revenue_sign",
                                          "cost_sign", "phasing", "col.<field>", "const.<field>",
                                          "default.<field>", "map.<field>", "alias.<field>",
                                          "where.<header>", "skip.<header>", "expect_through",
                                          "max_staleness_days", "max_row_drop_pct", NULL };
static const char *const kpi_keys[] = { "target", "amber", "direction", "tile", NULL };
static const char *const analysis_keys[] = { "service_level", "top_n", "slow_days", "dead_days",
                                             "spc_baseline_months", "weight_lsl", "weight_usl",
                                             "sla_hours_p1", "sla_hours_p2", "sla_hours_p3",
                                             "sla_hours_p4", "response_hours_p1", "response_hours_p2",
                                             "response_hours_p3", "response_hours_p4", "hours_per_day", NULL };
static const char *const email_keys[] = { "enabled", "smtp_url", "tls", "username", "password_env",
                                          "password_file", "from", "from_name", "reply_to", "owner",
                                          "to", "attach_xlsx", "max_attachment_mb",
                                          "max_attempts", "initial_backoff_s", "retry_budget_s",
                                          "timeout_s", "send_when_incomplete", NULL };
static const char *const recipient_keys[] = { "email", "scope", NULL };
static const char *const forecast_keys[] = { "series", "per_group", "horizon", "method", "chart", NULL };
static const char *const forecast_review_keys[] = { "history_dir", "overrides", NULL };
static const char *const section_names[] = { "report", "output", "analysis", "email", "forecast", "input.<name>",
                                             "kpi.<id>", "recipient.<name>", "forecast.<name>", NULL };

const char *const *config_section_keys(const char *section)
{
    static const struct {
        const char *section;
        const char *const *keys;
    } tables[] = { { "report", report_keys },
                   { "output", output_keys },
                   { "analysis", analysis_keys },
                   { "email", email_keys },
                   { "forecast", forecast_review_keys },
                   { "input.<name>", input_keys },
                   { "kpi.<id>", kpi_keys },
                   { "recipient.<name>", recipient_keys },
                   { "forecast.<name>", forecast_keys } };
    _Static_assert(sizeof tables / sizeof tables[0] == sizeof section_names / sizeof section_names[0] - 1,
                   "a key table per section");
    for (size_t i = 0; section && i < sizeof tables / sizeof tables[0]; i++)
        if (!strcmp(section, tables[i].section))
            return tables[i].keys;
    return NULL;
}

/* Hand-written: no Debian library in our set offers edit distance. */
size_t config_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t *row = malloc((lb + 1) * sizeof *row);
    if (!row)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[lb];
    free(row);
    return d;
}

static const char *nearest(const char *word, const char *const *candidates)
{
    const char *best = candidates[0];
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; candidates[i]; i++) {
        size_t d = config_edit_distance(word, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}

static int fail(load_state_t *st, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(load_state_t *st, const char *key, const char *fmt, ...)
{
    if (st->failed)
        return 0;
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ops_error_set(st->err, OPS_ERR_CONFIG, st->cfg->path, st->line, key, "%s", msg);
    st->failed = true;
    return 0;
}

static bool parse_bool(const char *v, bool *out)
{
    if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcmp(v, "1") || !strcasecmp(v, "on")) {
        *out = true;
        return true;
    }
    if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcmp(v, "0") || !strcasecmp(v, "off")) {
        *out = false;
        return true;
    }
    return false;
}

static bool parse_double(const char *v, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || *end != '\0' || errno || !isfinite(d))
        return false;
    *out = d;
    return true;
}

static bool parse_long(const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (end == v || *end != '\0' || errno || n < lo || n > hi)
        return false;
    *out = n;
    return true;
}

static int set_string(load_state_t *st, char **slot, const char *value)
{
    char *copy = strdup(value);
    if (!copy)
        return fail(st, NULL, "out of memory");
    free(*slot);
    *slot = copy;
    return 1;
}

/* "a, b ,c" -> items; empty items kept (the empty missing-value token). */
static int set_list(load_state_t *st, const char *key, config_list_t *list, const char *value)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i]);
    list->count = 0;
    const char *p = value;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len && isspace((unsigned char)*p)) {
            p++;
            len--;
        }
        while (len && isspace((unsigned char)p[len - 1]))
            len--;
        if (list->count == CONFIG_MAX_TOKENS)
            return fail(st, key, "more than %d items in the list", CONFIG_MAX_TOKENS);
        list->items[list->count] = strndup(p, len);
        if (!list->items[list->count])
            return fail(st, key, "out of memory");
        list->count++;
        if (!comma)
            break;
        p = comma + 1;
    }
    return 1;
}

/* "A | B | C": fallback columns, first non-empty wins. */
static int set_columns(load_state_t *st, const char *key, config_list_t *list, const char *value)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i]);
    list->count = 0;
    gchar **parts = g_strsplit(value, "|", -1);
    int ok = 1;
    for (size_t i = 0; parts[i] && ok; i++) {
        g_strstrip(parts[i]);
        if (!parts[i][0])
            ok = fail(st, key, "empty column name in '%s' (use | between fallback columns)", value);
        else if (list->count == CONFIG_MAX_TOKENS)
            ok = fail(st, key, "more than %d fallback columns", CONFIG_MAX_TOKENS);
        else if (!(list->items[list->count++] = strdup(parts[i])))
            ok = fail(st, key, "out of memory");
    }
    g_strfreev(parts);
    return ok;
}

static bool parse_char(const char *v, char *out, bool allow_empty)
{
    static const struct { const char *name; char c; } names[] = {
        { "tab", '\t' }, { "semicolon", ';' }, { "comma", ',' }, { "pipe", '|' },
        { "space", ' ' }, { "dot", '.' }, { "apostrophe", '\'' }, { "none", 0 },
    };
    if (v[0] == '\0') {
        *out = 0;
        return allow_empty;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(v, names[i].name)) {
            *out = names[i].c;
            return names[i].c != 0 || allow_empty;
        }
    if (strlen(v) == 1) {
        *out = v[0];
        return true;
    }
    return false;
}

/* Splits a config list at commas outside double quotes; items trimmed and
 * unquoted. Returns a NULL-terminated g_strv (free with g_strfreev). */
static gchar **split_items(const char *value)
{
    GPtrArray *out = g_ptr_array_new();
    GString *cur = g_string_new(NULL);
    bool quoted = false, was_quoted = false;
    for (const char *p = value;; p++) {
        if (*p == '"') {
            quoted = !quoted;
            was_quoted = true;
            continue;
        }
        if (*p == '\0' || (*p == ',' && !quoted)) {
            gchar *item = g_string_free(cur, FALSE);
            if (!was_quoted)
                g_strstrip(item);
            g_ptr_array_add(out, item);
            if (!*p)
                break;
            cur = g_string_new(NULL);
            was_quoted = false;
            continue;
        }
        if (!quoted && was_quoted && !isspace((unsigned char)*p))
            was_quoted = false; /* text after a closing quote: plain item */
        g_string_append_c(cur, *p);
    }
    g_ptr_array_add(out, NULL);
    return (gchar **)g_ptr_array_free(out, FALSE);
}

/* Both sides of "From => To", trimmed; false without the arrow. */
static bool split_pair(const char *item, char **from, char **to)
{
    const char *arrow = strstr(item, "=>");
    if (!arrow)
        return false;
    *from = g_strstrip(g_strndup(item, (size_t)(arrow - item)));
    *to = g_strstrip(g_strdup(arrow + 2));
    /* quotes keep spaces or commas in a value: "Smith, J" => Smith */
    for (char **s = from; s; s = s == from ? to : NULL) {
        size_t n = strlen(*s);
        if (n >= 2 && (*s)[0] == '"' && (*s)[n - 1] == '"') {
            memmove(*s, *s + 1, n - 2);
            (*s)[n - 2] = '\0';
        }
    }
    return true;
}

/* map.FIELD / alias.FIELD = From => To, ..., * => To */
static int set_value_map(load_state_t *st, const char *key, value_map_t *m, const char *value)
{
    gchar **items = split_items(value);
    int ok = 1;
    m->line = st->line;
    for (size_t i = 0; items[i] && ok; i++) {
        char *from = NULL, *to = NULL;
        if (!items[i][0])
            continue;
        if (!split_pair(items[i], &from, &to) || !from[0]) {
            ok = fail(st, key, "expected 'From => To' pairs separated by commas (and '* => To' for "
                               "every other value), found '%s'", items[i]);
        } else if (!strcmp(from, "*")) {
            g_free(m->fallback);
            m->fallback = to;
            to = NULL;
        } else {
            char **f = realloc(m->from, (m->count + 1) * sizeof *f);
            if (f)
                m->from = f;
            char **t = realloc(m->to, (m->count + 1) * sizeof *t);
            if (t)
                m->to = t;
            if (!f || !t) {
                ok = fail(st, key, "out of memory");
            } else {
                for (size_t k = 0; k < m->count && ok; k++)
                    if (!g_ascii_strcasecmp(m->from[k], from) && strcmp(m->to[k], to))
                        ok = fail(st, key, "'%s' is mapped twice ('%s' and '%s')", from, m->to[k], to);
                if (ok) {
                    m->from[m->count] = from;
                    m->to[m->count] = to;
                    m->count++;
                    from = to = NULL;
                }
            }
        }
        g_free(from);
        g_free(to);
    }
    g_strfreev(items);
    return ok;
}

static int add_filter(load_state_t *st, input_config_t *in, const char *key, const char *header,
                      bool keep, const char *value)
{
    row_filter_t *grown = realloc(in->filters, (in->n_filters + 1) * sizeof *grown);
    if (!grown)
        return fail(st, key, "out of memory");
    in->filters = grown;
    row_filter_t *f = &in->filters[in->n_filters++];
    memset(f, 0, sizeof *f);
    f->header = strdup(header);
    f->keep = keep;
    f->line = st->line;
    gchar **items = split_items(value);
    size_t n = g_strv_length(items);
    f->values = calloc(n ? n : 1, sizeof *f->values);
    if (!f->header || !f->values) {
        g_strfreev(items);
        return fail(st, key, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        f->values[f->count++] = strdup(items[i]);
    g_strfreev(items);
    if (!f->count || (f->count == 1 && !f->values[0][0] && keep))
        return fail(st, key, "expected the values to %s, separated by commas",
                    keep ? "keep" : "skip");
    return 1;
}

/* account_types = 4000-4999 => revenue, 5* => cogs, * => opex */
static int set_account_rules(load_state_t *st, input_config_t *in, const char *key, const char *value)
{
    static const char *const types[] = { "revenue", "cogs", "opex", NULL };
    gchar **items = split_items(value);
    int ok = 1;
    for (size_t i = 0; items[i] && ok; i++) {
        char *from = NULL, *to = NULL;
        if (!items[i][0])
            continue;
        if (!split_pair(items[i], &from, &to) || !from[0]) {
            ok = fail(st, key, "expected 'FIRST-LAST => type' or 'PREFIX* => type' items, found '%s'", items[i]);
            g_free(from);
            g_free(to);
            break;
        }
        int type = -1;
        for (int t = 0; types[t]; t++)
            if (!g_ascii_strcasecmp(to, types[t]))
                type = t;
        account_rule_t r = { 0 };
        r.account_type = type;
        size_t fl = strlen(from);
        const char *dash = strchr(from, '-');
        if (type < 0) {
            ok = fail(st, key, "unknown account type '%s' in '%s': expected revenue, cogs or opex", to, items[i]);
        } else if (from[fl - 1] == '*') {
            r.prefix = true;
            r.lo = g_strndup(from, fl - 1);
        } else if (dash && dash != from && dash[1]) {
            r.lo = g_strstrip(g_strndup(from, (size_t)(dash - from)));
            r.hi = g_strstrip(g_strdup(dash + 1));
            if (strlen(r.lo) != strlen(r.hi) && !(isdigit((unsigned char)r.lo[0]) && isdigit((unsigned char)r.hi[0])))
                ok = fail(st, key, "range '%s' needs two ends of the same form", from);
        } else {
            r.prefix = false;
            r.lo = g_strdup(from);
            r.hi = g_strdup(from);
        }
        if (ok) {
            account_rule_t *grown = realloc(in->account_rules, (in->n_account_rules + 1) * sizeof *grown);
            if (!grown)
                ok = fail(st, key, "out of memory");
            else {
                in->account_rules = grown;
                in->account_rules[in->n_account_rules++] = r;
                r.lo = r.hi = NULL;
            }
        }
        g_free(r.lo);
        g_free(r.hi);
        g_free(from);
        g_free(to);
    }
    g_strfreev(items);
    return ok;
}

static int set_phasing(load_state_t *st, input_config_t *in, const char *key, const char *value)
{
    if (!g_ascii_strcasecmp(value, "even")) {
        in->phasing_set = false;
        return 1;
    }
    gchar **items = split_items(value);
    size_t n = g_strv_length(items);
    double sum = 0;
    int ok = 1;
    if (n != 12)
        ok = fail(st, key, "expected 'even' or 12 weights (one per month from January), found %zu", n);
    for (size_t i = 0; i < n && ok; i++) {
        double w;
        if (!parse_double(items[i], &w) || w < 0)
            ok = fail(st, key, "expected a weight >= 0, found '%s'", items[i]);
        else {
            in->phasing[i] = w;
            sum += w;
        }
    }
    if (ok && sum <= 0)
        ok = fail(st, key, "the 12 weights add up to 0");
    in->phasing_set = ok;
    g_strfreev(items);
    return ok;
}

static int schema_field_or_fail(load_state_t *st, input_config_t *in, const char *section,
                                const char *key, const char *prefix, const char *field)
{
    if (!in->schema)
        return fail(st, key, "[%s] has no known kind; set 'kind' first", section) - 1;
    int idx = schema_field_index(in->schema, field);
    if (idx >= 0)
        return idx;
    const char *fields[CONFIG_MAX_FIELDS + 1];
    size_t n = in->schema->n_fields;
    for (size_t i = 0; i < n; i++)
        fields[i] = in->schema->fields[i].name;
    fields[n] = NULL;
    fail(st, key, "%s has no field '%s'; did you mean '%s%s'? (fields: run 'opsreport kinds %s')",
         in->schema->name, field, prefix, nearest(field, fields), in->schema->name);
    return -1;
}

static input_config_t *input_get(load_state_t *st, const char *name)
{
    config_t *cfg = st->cfg;
    for (size_t i = 0; i < cfg->n_inputs; i++)
        if (!strcmp(cfg->inputs[i].name, name))
            return &cfg->inputs[i];
    input_config_t *grown = realloc(cfg->inputs, (cfg->n_inputs + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    cfg->inputs = grown;
    input_config_t *in = &cfg->inputs[cfg->n_inputs];
    memset(in, 0, sizeof *in);
    in->name = strdup(name);
    if (!in->name)
        return NULL;
    cfg->n_inputs++;
    in->schema = schema_find(name); /* kind defaults to the section name */
    in->delimiter = ',';
    in->quote = '"';
    in->decimal = '.';
    in->keep_latest_by = -1;
    in->header = true;
    in->max_field_lines = CONFIG_MAX_FIELD_LINES;
    in->revenue_sign = 1;
    in->cost_sign = 1;
    in->expect_through_days = 0;
    in->max_staleness_days = CONFIG_DEFAULT_STALENESS_DAYS;
    in->max_row_drop = CONFIG_DEFAULT_ROW_DROP;
    in->line = st->line;
    return in;
}

static kpi_config_t *kpi_get(load_state_t *st, const char *id)
{
    config_t *cfg = st->cfg;
    for (size_t i = 0; i < cfg->n_kpis; i++)
        if (!strcmp(cfg->kpis[i].id, id))
            return &cfg->kpis[i];
    kpi_config_t *grown = realloc(cfg->kpis, (cfg->n_kpis + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    cfg->kpis = grown;
    kpi_config_t *k = &cfg->kpis[cfg->n_kpis];
    memset(k, 0, sizeof *k);
    k->id = strdup(id);
    if (!k->id)
        return NULL;
    cfg->n_kpis++;
    k->amber = NAN;
    k->target = NAN;
    k->line = st->line;
    return k;
}

static int unknown_key(load_state_t *st, const char *section, const char *key,
                       const char *const *keys)
{
    return fail(st, key, "unknown key '%s' in [%s]; did you mean '%s'?", key, section,
                nearest(key, keys));
}

/* ---- freshness gate keys (pipeline/validate/freshness.c) ----
 * [input.NAME] expect_through = period_end | period_end - N | none,
 * max_staleness_days = N, max_row_drop_pct = P; [email] send_when_incomplete.
 * Returns -1 when key is none of them; in or e is NULL outside its section. */
static int freshness_key(load_state_t *st, input_config_t *in, email_config_t *e, const char *key,
                         const char *value)
{
    long n;
    double d;
    if (e && !strcmp(key, "send_when_incomplete"))
        return parse_bool(value, &e->send_when_incomplete)
                   ? 1 : fail(st, key, "expected true or false, found '%s'", value);
    if (!in)
        return -1;
    if (!strcmp(key, "expect_through")) {
        if (!g_ascii_strcasecmp(value, "none")) {
            in->expect_through_days = -1;
            return 1;
        }
        const char *p = value;
        if (g_ascii_strncasecmp(p, "period_end", 10))
            return fail(st, key, "expected period_end, period_end - N (days) or none, found '%s'", value);
        p += 10;
        while (*p == ' ')
            p++;
        if (!*p) {
            in->expect_through_days = 0;
            return 1;
        }
        if (*p != '-')
            return fail(st, key, "expected period_end, period_end - N (days) or none, found '%s'", value);
        p++;
        while (*p == ' ')
            p++;
        if (!parse_long(p, 0, 365, &n))
            return fail(st, key, "expected period_end - N with N days from 0 to 365, found '%s'", value);
        in->expect_through_days = (int)n;
        return 1;
    }
    if (!strcmp(key, "max_staleness_days")) {
        if (!parse_long(value, 0, 365, &n))
            return fail(st, key, "expected a number of days from 0 to 365, found '%s'", value);
        in->max_staleness_days = (int)n;
        return 1;
    }
    if (!strcmp(key, "max_row_drop_pct")) {
        if (!parse_double(value, &d) || d < 0 || d > 100)
            return fail(st, key, "expected a percentage from 0 to 100 (100: never flag a drop), found '%s'", value);
        in->max_row_drop = d / 100;
        return 1;
    }
    return -1;
}
/* ---- end of freshness gate keys ---- */

static int handle_input(load_state_t *st, const char *section, const char *name,
                        const char *key, const char *value)
{
    input_config_t *in = input_get(st, name);
    if (!in)
        return fail(st, key, "out of memory");
    int fresh = freshness_key(st, in, NULL, key, value);
    if (fresh >= 0)
        return fresh;
    char c;
    if (!strcmp(key, "kind")) {
        in->schema = schema_find(value);
        if (!in->schema) {
            const char *kinds[KIND_COUNT + 1];
            for (int k = 0; k < KIND_COUNT; k++)
                kinds[k] = schema_for_kind((input_kind_t)k)->name;
            kinds[KIND_COUNT] = NULL;
            return fail(st, key, "unknown input kind '%s'; did you mean '%s'?", value,
                        nearest(value, kinds));
        }
        return 1;
    }
    if (!strcmp(key, "file"))
        return set_string(st, &in->file, value);
    if (!strcmp(key, "optional"))
        return parse_bool(value, &in->optional) ? 1 : fail(st, key, "expected true or false, found '%s'", value);
    if (!strcmp(key, "delimiter") || !strcmp(key, "quote") || !strcmp(key, "decimal") ||
        !strcmp(key, "thousands")) {
        /* thousands may be empty (none); quote = none reads quotes as text */
        bool allow_empty = !strcmp(key, "thousands") || !strcmp(key, "quote");
        if (!parse_char(value, &c, allow_empty))
            return fail(st, key, "expected one character or a name (tab, semicolon, comma, pipe, space), found '%s'", value);
        if (!strcmp(key, "delimiter"))
            in->delimiter = c;
        else if (!strcmp(key, "quote"))
            in->quote = c;
        else if (!strcmp(key, "decimal")) {
            if (c != '.' && c != ',')
                return fail(st, key, "expected '.' or ',', found '%s'", value);
            in->decimal = c;
        } else
            in->thousands = c;
        return 1;
    }
    if (!strcmp(key, "encoding")) {
        free(in->encoding);
        in->encoding = NULL;
        if (!strcasecmp(value, "utf-8") || !strcasecmp(value, "utf8"))
            return 1;
        /* iconv says LATIN1 where people write latin-1 */
        char name[64];
        snprintf(name, sizeof name, "%s", value);
        iconv_t cd = iconv_open("UTF-8", name);
        if (cd == (iconv_t)-1 && !g_ascii_strncasecmp(name, "latin-", 6)) {
            memmove(name + 5, name + 6, strlen(name + 6) + 1);
            cd = iconv_open("UTF-8", name);
        }
        if (cd == (iconv_t)-1)
            return fail(st, key, "unknown encoding '%s': expected utf-8 or a name iconv knows "
                                 "(latin-1, iso-8859-15, windows-1252, cp1252, utf-16; see iconv -l)", value);
        iconv_close(cd);
        return set_string(st, &in->encoding, name);
    }
    if (!strcmp(key, "date_formats") || !strcmp(key, "timestamp_formats")) {
        bool ts = key[0] == 't';
        config_list_t *list = ts ? &in->timestamp_formats : &in->date_formats;
        if (!set_list(st, key, list, value))
            return 0;
        /* an unknown directive is a config error now, not 100% rejected rows later */
        for (size_t i = 0; i < list->count; i++) {
            char why[300];
            if (!parse_format_check(list->items[i], ts, why, sizeof why))
                return fail(st, key, "%s", why);
        }
        return 1;
    }
    if (!strcmp(key, "missing"))
        return set_list(st, key, &in->missing, value);
    if (!strcmp(key, "true_values"))
        return set_list(st, key, &in->true_values, value);
    if (!strcmp(key, "false_values"))
        return set_list(st, key, &in->false_values, value);
    if (!strcmp(key, "keep_latest_by")) {
        if (!in->schema)
            return fail(st, key, "set 'kind' before keep_latest_by");
        int idx = schema_field_index(in->schema, value);
        if (idx < 0 || in->schema->fields[idx].type != FT_TIMESTAMP)
            return fail(st, key, "keep_latest_by must name a timestamp field of %s, found '%s'",
                        in->schema->name, value);
        if (in->schema->key_field < 0)
            return fail(st, key, "%s has no key field to keep the latest row of", in->schema->name);
        in->keep_latest_by = idx;
        return 1;
    }
    if (!strcmp(key, "header"))
        return parse_bool(value, &in->header) ? 1 : fail(st, key, "expected true or false, found '%s'", value);
    if (!strcmp(key, "max_field_lines")) {
        long n;
        if (!parse_long(value, 1, 1000000, &n))
            return fail(st, key, "expected the most lines one quoted field may span (1 or more), found '%s'", value);
        in->max_field_lines = (int)n;
        return 1;
    }
    if (!strcmp(key, "currency_symbols"))
        return set_list(st, key, &in->currency_symbols, value);
    if (!strcmp(key, "revenue_sign") || !strcmp(key, "cost_sign")) {
        int sign;
        if (!g_ascii_strcasecmp(value, "positive") || !strcmp(value, "+"))
            sign = 1;
        else if (!g_ascii_strcasecmp(value, "negative") || !strcmp(value, "-"))
            sign = -1;
        else
            return fail(st, key, "expected positive or negative (how the export books them), found '%s'", value);
        if (key[0] == 'r')
            in->revenue_sign = sign;
        else
            in->cost_sign = sign;
        return 1;
    }
    if (!strcmp(key, "phasing"))
        return set_phasing(st, in, key, value);
    if (!strcmp(key, "account_types")) {
        if (!in->schema || (in->schema->kind != KIND_GL_ACTUALS && in->schema->kind != KIND_GL_BUDGET))
            return fail(st, key, "account_types applies to gl_actuals and gl_budget inputs only");
        return set_account_rules(st, in, key, value);
    }
    if (!strncmp(key, "where.", 6) || !strncmp(key, "skip.", 5)) {
        bool keep = key[0] == 'w';
        const char *header = key + (keep ? 6 : 5);
        if (!header[0])
            return fail(st, key, "expected %s<header as exported> = values", keep ? "where." : "skip.");
        return add_filter(st, in, key, header, keep, value);
    }
    if (!strncmp(key, "map.", 4) || !strncmp(key, "alias.", 6)) {
        bool alias = key[0] == 'a';
        int idx = schema_field_or_fail(st, in, section, key, alias ? "alias." : "map.", key + (alias ? 6 : 4));
        if (idx < 0)
            return 0;
        return set_value_map(st, key, &in->maps[idx], value);
    }
    if (!strncmp(key, "const.", 6) || !strncmp(key, "default.", 8)) {
        bool is_const = key[0] == 'c';
        int idx = schema_field_or_fail(st, in, section, key, is_const ? "const." : "default.",
                                       key + (is_const ? 6 : 8));
        if (idx < 0)
            return 0;
        return set_string(st, is_const ? &in->const_value[idx] : &in->default_value[idx], value);
    }
    if (!strncmp(key, "col.", 4)) {
        if (!in->schema)
            return fail(st, key, "[%s] has no known kind; set 'kind' first", section);
        int idx = schema_field_index(in->schema, key + 4);
        if (idx < 0) {
            const char *fields[CONFIG_MAX_FIELDS + 1];
            size_t n = in->schema->n_fields;
            for (size_t i = 0; i < n; i++)
                fields[i] = in->schema->fields[i].name;
            fields[n] = NULL;
            return fail(st, key, "%s has no field '%s'; did you mean 'col.%s'?", in->schema->name,
                        key + 4, nearest(key + 4, fields));
        }
        return set_columns(st, key, &in->columns[idx], value);
    }
    return unknown_key(st, section, key, input_keys);
}

static int handle_kpi(load_state_t *st, const char *section, const char *id, const char *key,
                      const char *value)
{
    kpi_config_t *k = kpi_get(st, id);
    if (!k)
        return fail(st, key, "out of memory");
    if (!strcmp(key, "target"))
        return (parse_double(value, &k->target) && (k->has_target = true)) ? 1 : fail(st, key, "expected a number, found '%s'", value);
    if (!strcmp(key, "amber"))
        return (parse_double(value, &k->amber) && (k->has_amber = true)) ? 1 : fail(st, key, "expected a number, found '%s'", value);
    if (!strcmp(key, "tile"))
        return (parse_bool(value, &k->tile) && (k->has_tile = true)) ? 1 : fail(st, key, "expected true or false, found '%s'", value);
    if (!strcmp(key, "direction")) {
        if (!strcasecmp(value, "higher") || !strcasecmp(value, "higher_is_better"))
            k->direction = KPI_HIGHER_IS_BETTER;
        else if (!strcasecmp(value, "lower") || !strcasecmp(value, "lower_is_better"))
            k->direction = KPI_LOWER_IS_BETTER;
        else
            return fail(st, key, "expected higher or lower, found '%s'", value);
        k->has_direction = true;
        return 1;
    }
    return unknown_key(st, section, key, kpi_keys);
}

static int handle_analysis(load_state_t *st, const char *section, const char *key, const char *value)
{
    analysis_settings_t *a = &st->cfg->analysis;
    double d;
    long n;
    if (!strcmp(key, "service_level")) {
        if (!parse_double(value, &d) || d < 0.5 || d > 0.9999)
            return fail(st, key, "expected a service level from 0.5 to 0.9999, found '%s'", value);
        a->service_level = d;
        return 1;
    }
    if (!strcmp(key, "top_n") || !strcmp(key, "slow_days") || !strcmp(key, "dead_days") ||
        !strcmp(key, "spc_baseline_months")) {
        if (!parse_long(value, 1, 3650, &n))
            return fail(st, key, "expected a whole number from 1 to 3650, found '%s'", value);
        if (!strcmp(key, "top_n"))
            a->top_n = (int)n;
        else if (!strcmp(key, "slow_days"))
            a->slow_days = (int)n;
        else if (!strcmp(key, "dead_days"))
            a->dead_days = (int)n;
        else {
            if (n > 23)
                return fail(st, key, "expected at most 23 months, found '%s'", value);
            a->spc_baseline_months = (int)n;
        }
        return 1;
    }
    if (!strcmp(key, "weight_lsl") || !strcmp(key, "weight_usl") || !strcmp(key, "hours_per_day") ||
        !strncmp(key, "sla_hours_p", 11) || !strncmp(key, "response_hours_p", 16)) {
        if (!parse_double(value, &d) || d < 0)
            return fail(st, key, "expected a number >= 0, found '%s'", value);
        if (!strcmp(key, "weight_lsl"))
            a->weight_lsl = d;
        else if (!strcmp(key, "weight_usl"))
            a->weight_usl = d;
        else if (!strcmp(key, "hours_per_day"))
            a->hours_per_day = d;
        else {
            bool response = key[0] == 'r';
            const char *digit = key + (response ? 16 : 11);
            int p = digit[0] - '1';
            if (p < 0 || p > 3 || digit[1])
                return unknown_key(st, section, key, analysis_keys);
            if (response)
                a->response_hours[p] = d;
            else
                a->sla_hours[p] = d;
        }
        return 1;
    }
    return unknown_key(st, section, key, analysis_keys);
}

/* ---- values that end up in email headers --------------------------------
 * A CR or LF in a header value ends the header and starts another one
 * ("\r\nBcc: someone"). Addresses and names reach the headers as they are,
 * so they are refused here, with the key, rather than sent: the same checks
 * the message builder applies (deliver_address_valid, deliver_header_text_valid).
 * inih passes a bare CR inside a line through, and an indented line after a
 * key as a second value for the same key (a continuation line), which would
 * silently replace the first: both are refused for these keys. */

/* value with control characters shown as \r, \n, \t or \xNN: never echo a raw
 * CR into a terminal or a log line */
static const char *shown_escaped(const char *value, char *buf, size_t size)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)value; *p && n + 5 < size; p++) {
        if (*p == '\r' || *p == '\n' || *p == '\t')
            n += (size_t)snprintf(buf + n, size - n, "\\%c", *p == '\r' ? 'r' : *p == '\n' ? 'n' : 't');
        else if (*p < 0x20 || *p == 0x7f)
            n += (size_t)snprintf(buf + n, size - n, "\\x%02x", *p);
        else
            buf[n++] = (char)*p;
    }
    buf[n] = '\0';
    return buf;
}

static int header_continued(load_state_t *st, const char *key, bool already_set)
{
    if (!st->indented || !already_set)
        return 1;
    return fail(st, key, "an indented line continues this value onto a second line; it goes "
                         "into an email header, where a line break could add headers: write it "
                         "on one line");
}

static int header_address(load_state_t *st, const char *key, const char *value)
{
    char shown[600];
    if (!value[0] || deliver_address_valid(value))
        return 1;
    return fail(st, key, "'%s' is not a usable email address: one user@domain, ASCII, no spaces, "
                         "line breaks or <>,;:\"()[]\\", shown_escaped(value, shown, sizeof shown));
}

static int header_text(load_state_t *st, const char *key, const char *value)
{
    char shown[600];
    if (deliver_header_text_valid(value))
        return 1;
    return fail(st, key, "'%s' goes into email headers: it must be one line of UTF-8 text with "
                         "no control characters (a line break could add headers such as Bcc)",
                shown_escaped(value, shown, sizeof shown));
}

static int handle_email(load_state_t *st, const char *section, const char *key, const char *value)
{
    email_config_t *e = &st->cfg->email;
    double d;
    long n;
    if (!e->line)
        e->line = st->line;
    int fresh = freshness_key(st, NULL, e, key, value);
    if (fresh >= 0)
        return fresh;
    if (!strcmp(key, "password") || !strcmp(key, "pass") || !strcmp(key, "smtp_password"))
        return fail(st, key, "passwords are never read from the config file: set password_env "
                             "(an environment variable) or password_file (a file only its owner can read)");
    if (!strcmp(key, "enabled") || !strcmp(key, "attach_xlsx")) {
        bool b;
        if (!parse_bool(value, &b))
            return fail(st, key, "expected true or false, found '%s'", value);
        if (key[0] == 'e')
            e->enabled = b;
        else
            e->attach_xlsx = b;
        return 1;
    }
    if (!strcmp(key, "tls")) {
        if (!strcasecmp(value, "none"))
            e->tls_none = true;
        else if (!strcasecmp(value, "required") || !strcasecmp(value, "starttls"))
            e->tls_none = false;
        else
            return fail(st, key, "expected required or none, found '%s'", value);
        return 1;
    }
    if (!strcmp(key, "to")) {
        if (!header_continued(st, key, e->to.count > 0) || !set_list(st, key, &e->to, value))
            return 0;
        for (size_t i = 0; i < e->to.count; i++)
            if (!header_address(st, key, e->to.items[i]))
                return 0;
        return 1;
    }
    if (!strcmp(key, "max_attempts")) {
        if (!parse_long(value, 1, 20, &n))
            return fail(st, key, "expected 1 to 20, found '%s'", value);
        e->max_attempts = (int)n;
        return 1;
    }
    if (!strcmp(key, "max_attachment_mb") || !strcmp(key, "initial_backoff_s") ||
        !strcmp(key, "retry_budget_s") || !strcmp(key, "timeout_s")) {
        if (!parse_double(value, &d) || d < 0)
            return fail(st, key, "expected a number >= 0, found '%s'", value);
        if (!strcmp(key, "max_attachment_mb"))
            e->max_attachment_mb = d;
        else if (!strcmp(key, "initial_backoff_s"))
            e->initial_backoff_s = d;
        else if (!strcmp(key, "retry_budget_s"))
            e->retry_budget_s = d;
        else
            e->timeout_s = d;
        return 1;
    }
    static const struct { const char *key; size_t off; } strings[] = {
        { "smtp_url", offsetof(email_config_t, smtp_url) },
        { "username", offsetof(email_config_t, username) },
        { "password_env", offsetof(email_config_t, password_env) },
        { "password_file", offsetof(email_config_t, password_file) },
        { "from", offsetof(email_config_t, from) },
        { "from_name", offsetof(email_config_t, from_name) },
        { "reply_to", offsetof(email_config_t, reply_to) },
        { "owner", offsetof(email_config_t, owner) },
    };
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        if (strcmp(key, strings[i].key))
            continue;
        char **slot = (char **)((char *)e + strings[i].off);
        if (!strcmp(key, "from_name")) {
            if (!header_continued(st, key, *slot != NULL) || !header_text(st, key, value))
                return 0;
        } else if (!strcmp(key, "from") || !strcmp(key, "reply_to") || !strcmp(key, "owner")) {
            if (!header_continued(st, key, *slot != NULL) || !header_address(st, key, value))
                return 0;
        }
        return set_string(st, slot, value);
    }
    return unknown_key(st, section, key, email_keys);
}

static int handle_recipient(load_state_t *st, const char *section, const char *name, const char *key,
                            const char *value)
{
    config_t *cfg = st->cfg;
    recipient_config_t *r = NULL;
    for (size_t i = 0; i < cfg->n_recipients; i++)
        if (!strcmp(cfg->recipients[i].name, name))
            r = &cfg->recipients[i];
    if (!r) {
        recipient_config_t *grown = realloc(cfg->recipients, (cfg->n_recipients + 1) * sizeof *grown);
        if (!grown)
            return fail(st, key, "out of memory");
        cfg->recipients = grown;
        r = &cfg->recipients[cfg->n_recipients++];
        memset(r, 0, sizeof *r);
        r->line = st->line;
        if (!(r->name = strdup(name)))
            return fail(st, key, "out of memory");
    }
    if (!strcmp(key, "email"))
        return header_continued(st, key, r->email != NULL) && header_address(st, key, value) &&
               set_string(st, &r->email, value);
    if (!strcmp(key, "scope")) /* names the site in the subject */
        return header_continued(st, key, r->scope != NULL) && header_text(st, key, value) &&
               (value[0] ? set_string(st, &r->scope, value) : 1);
    return unknown_key(st, section, key, recipient_keys);
}

static int handle_forecast(load_state_t *st, const char *section, const char *name, const char *key,
                           const char *value)
{
    config_t *cfg = st->cfg;
    forecast_config_t *f = NULL;
    for (size_t i = 0; i < cfg->n_forecasts; i++)
        if (!strcmp(cfg->forecasts[i].name, name))
            f = &cfg->forecasts[i];
    if (!f) {
        forecast_config_t *grown = realloc(cfg->forecasts, (cfg->n_forecasts + 1) * sizeof *grown);
        if (!grown)
            return fail(st, key, "out of memory");
        cfg->forecasts = grown;
        f = &cfg->forecasts[cfg->n_forecasts++];
        memset(f, 0, sizeof *f);
        f->line = st->line;
        if (!(f->name = strdup(name)))
            return fail(st, key, "out of memory");
    }
    long n;
    if (!strcmp(key, "series")) {
        /* the monthly series the analyse stage publishes; a misspelled one
         * would otherwise forecast nothing, silently */
        static const char *const series[] = { "gl_revenue", "gl_opex", "gl_cogs", "tickets_created",
                                              "headcount", NULL };
        for (size_t i = 0; series[i]; i++)
            if (!strcmp(value, series[i]))
                return set_string(st, &f->series, value);
        return fail(st, key, "unknown series '%s'; did you mean '%s'? (series: gl_revenue, gl_opex, "
                             "gl_cogs, tickets_created, headcount)", value, nearest(value, series));
    }
    if (!strcmp(key, "method")) {
        static const char *const methods[] = { "auto", "ea", "ets", "arima", "theta", "mean", "comb", "snaive", "naive", "drift", NULL };
        for (size_t i = 0; methods[i]; i++)
            if (!strcasecmp(value, methods[i]))
                return set_string(st, &f->method, methods[i]);
        return fail(st, key, "unknown method '%s'; did you mean '%s'?", value, nearest(value, methods));
    }
    if (!strcmp(key, "horizon")) {
        if (!parse_long(value, 0, 120, &n))
            return fail(st, key, "expected 0 (to the fiscal year end) to 120 months, found '%s'", value);
        f->horizon = (int)n;
        return 1;
    }
    if (!strcmp(key, "per_group") || !strcmp(key, "chart")) {
        bool b;
        if (!parse_bool(value, &b))
            return fail(st, key, "expected true or false, found '%s'", value);
        if (key[0] == 'p')
            f->per_group = b;
        else
            f->chart = b;
        return 1;
    }
    return unknown_key(st, section, key, forecast_keys);
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
    load_state_t *st = user;
    config_t *cfg = st->cfg;
    long n;
    if (st->failed)
        return 0;
    if (!strcmp(section, "report")) {
        if (!strcmp(key, "organisation")) /* in the subject of every email */
            return header_continued(st, key, cfg->organisation != NULL) &&
                   header_text(st, key, value) && set_string(st, &cfg->organisation, value);
        if (!strcmp(key, "currency")) {
            if (strlen(value) != 3)
                return fail(st, key, "expected a 3-letter ISO 4217 code such as EUR, found '%s'", value);
            return set_string(st, &cfg->currency, value);
        }
        if (!strcmp(key, "minor_units")) {
            if (!parse_long(value, 0, 4, &n))
                return fail(st, key, "expected 0 to 4, found '%s'", value);
            cfg->minor_units = (int)n;
            return 1;
        }
        if (!strcmp(key, "fiscal_year_start")) {
            if (!parse_long(value, 1, 12, &n))
                return fail(st, key, "expected a month number 1 to 12, found '%s'", value);
            cfg->fiscal_year_start = (int)n;
            return 1;
        }
        if (!strcmp(key, "templates_dir"))
            return set_string(st, &cfg->templates_dir, value);
        if (!strcmp(key, "reject_threshold")) {
            double d;
            if (!parse_double(value, &d) || d < 0 || d > 1)
                return fail(st, key, "expected a fraction from 0 to 1 (0.02 = 2%%), found '%s'", value);
            cfg->reject_threshold = d;
            return 1;
        }
        return unknown_key(st, section, key, report_keys);
    }
    if (!strcmp(section, "output")) {
        if (!strcmp(key, "dir")) {
            if (!value[0])
                return fail(st, key, "expected the folder run folders are written to, e.g. /var/lib/opsreport");
            return set_string(st, &cfg->out_dir, value);
        }
        if (!strcmp(key, "xlsx"))
            return set_string(st, &cfg->xlsx_name, value);
        if (!strcmp(key, "pdf"))
            return set_string(st, &cfg->pdf_name, value);
        if (!strcmp(key, "detail"))
            return set_string(st, &cfg->detail_name, value);
        if (!strcmp(key, "detail_max_rows")) {
            if (!parse_long(value, 1, 1048573, &n))
                return fail(st, key, "expected 1 to 1048573 (Excel's row limit less the title rows), found '%s'", value);
            cfg->detail_max_rows = n;
            return 1;
        }
        if (!strcmp(key, "paper")) {
            if (!strcasecmp(value, "a4"))
                cfg->paper_letter = false;
            else if (!strcasecmp(value, "letter"))
                cfg->paper_letter = true;
            else
                return fail(st, key, "expected a4 or letter, found '%s'", value);
            return 1;
        }
        return unknown_key(st, section, key, output_keys);
    }
    if (!strcmp(section, "analysis"))
        return handle_analysis(st, section, key, value);
    if (!strcmp(section, "email"))
        return handle_email(st, section, key, value);
    if (!strcmp(section, "forecast")) { /* the forecast review: archive and overrides */
        if (!strcmp(key, "history_dir") || !strcmp(key, "overrides")) {
            if (!value[0])
                return fail(st, key, "expected a path, found nothing");
            return set_string(st, key[0] == 'h' ? &cfg->forecast_history_dir : &cfg->forecast_overrides, value);
        }
        return unknown_key(st, section, key, forecast_review_keys);
    }
    if (!strncmp(section, "forecast.", 9) && section[9])
        return handle_forecast(st, section, section + 9, key, value);
    if (!strncmp(section, "recipient.", 10) && section[10])
        return handle_recipient(st, section, section + 10, key, value);
    if (!strncmp(section, "input.", 6) && section[6])
        return handle_input(st, section, section + 6, key, value);
    if (!strncmp(section, "kpi.", 4) && section[4])
        return handle_kpi(st, section, section + 4, key, value);
    char shown[300];
    snprintf(shown, sizeof shown, "[%s]", section);
    return fail(st, shown, "unknown section [%s]; did you mean [%s]?", section,
                nearest(section, section_names));
}

/* ini_reader that counts lines, so handler() knows where it is. */
static char *counting_reader(char *str, int num, void *stream)
{
    load_state_t *st = stream;
    char *r = fgets(str, num, st->fp);
    if (r) {
        st->line++;
        st->indented = str[0] == ' ' || str[0] == '\t';
    }
    return r;
}

static ops_status_t file_sha256(const char *path, char out[65])
{
    gchar *data = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &data, &len, NULL))
        return OPS_ERR_CONFIG;
    gchar *hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, len);
    snprintf(out, 65, "%s", hex);
    g_free(hex);
    g_free(data);
    return OPS_OK;
}

static ops_status_t check_inputs(config_t *cfg, ops_error_t *err)
{
    for (size_t i = 0; i < cfg->n_inputs; i++) {
        input_config_t *in = &cfg->inputs[i];
        if (!in->schema)
            return ops_error_set(err, OPS_ERR_CONFIG, cfg->path, in->line, "kind",
                                 "[input.%s] is not a known input kind; set kind = one of gl_actuals, gl_budget, purchase_orders, ...",
                                 in->name);
        if (!in->file)
            return ops_error_set(err, OPS_ERR_CONFIG, cfg->path, in->line, "file",
                                 "[input.%s] needs file = NAME.csv", in->name);
        /* a decimal comma with a comma delimiter works when values are quoted */
        if (in->delimiter == in->quote || (in->thousands && in->thousands == in->decimal))
            return ops_error_set(err, OPS_ERR_CONFIG, cfg->path, in->line, "delimiter",
                                 "[input.%s]: the delimiter and the quote, and the decimal and thousands separators, must differ",
                                 in->name);
        for (size_t f = 0; f < in->schema->n_fields; f++) {
            const char *name = in->schema->fields[f].name;
            if (in->const_value[f] && (in->columns[f].count || in->default_value[f]))
                return ops_error_set(err, OPS_ERR_CONFIG, cfg->path, in->line, name,
                                     "[input.%s]: const.%s gives every row one value; drop col.%s and default.%s",
                                     in->name, name, name, name);
            for (size_t k = 0; !in->header && k < in->columns[f].count; k++) {
                char *end;
                long n = strtol(in->columns[f].items[k], &end, 10);
                if (*end || n < 1)
                    return ops_error_set(err, OPS_ERR_CONFIG, cfg->path, in->line, name,
                                         "[input.%s] has header = false: col.%s must be a column number (1 = first), found '%s'",
                                         in->name, name, in->columns[f].items[k]);
            }
        }
        for (size_t j = 0; j < i; j++)
            if (cfg->inputs[j].schema == in->schema)
                return ops_error_set(err, OPS_ERR_CONFIG, cfg->path, in->line, "kind",
                                     "[input.%s] and [input.%s] are both of kind %s; each kind is read from one input",
                                     cfg->inputs[j].name, in->name, in->schema->name);
    }
    return OPS_OK;
}

static int set_default_list(config_list_t *list, const char *value)
{
    load_state_t dummy = { 0 };
    config_t c = { 0 };
    dummy.cfg = &c;
    return list->count ? 1 : set_list(&dummy, NULL, list, value);
}

ops_status_t config_load(const char *path, config_t **out, ops_error_t *err)
{
    ops_status_t rc = OPS_OK;
    config_t *cfg = calloc(1, sizeof *cfg);
    load_state_t st = { 0 };
    if (!cfg)
        return ops_error_set(err, OPS_ERR_NOMEM, path, 0, NULL, "out of memory");
    cfg->path = strdup(path);
    cfg->minor_units = 2;
    cfg->fiscal_year_start = 1;
    cfg->reject_threshold = 0.02;
    cfg->detail_max_rows = 1048573;
    cfg->analysis = (analysis_settings_t){ .service_level = 0.95, .top_n = 10, .slow_days = 90,
                                           .dead_days = 180, .spc_baseline_months = 6,
                                           .weight_lsl = NAN, .weight_usl = NAN,
                                           .sla_hours = { 8, 24, 72, 120 },
                                           .response_hours = { 1, 4, 8, 24 }, .hours_per_day = 8 };
    cfg->email.max_attempts = 4;
    cfg->email.initial_backoff_s = 2;
    cfg->email.retry_budget_s = 300;
    cfg->email.timeout_s = 60;
    cfg->email.max_attachment_mb = 10;
    st.cfg = cfg;
    st.err = err;
    st.fp = fopen(path, "r");
    if (!st.fp) {
        rc = ops_error_set(err, OPS_ERR_CONFIG, path, 0, NULL, "cannot open config file: %s", strerror(errno));
        goto cleanup;
    }
    int perr = ini_parse_stream(counting_reader, &st, handler, &st);
    if (st.failed) {
        rc = OPS_ERR_CONFIG;
        goto cleanup;
    }
    if (perr > 0) {
        rc = ops_error_set(err, OPS_ERR_CONFIG, path, perr, NULL,
                           "syntax error: expected [section] or key = value");
        goto cleanup;
    }
    if (perr < 0) {
        rc = ops_error_set(err, OPS_ERR_CONFIG, path, 0, NULL, "cannot read config file");
        goto cleanup;
    }
    if (file_sha256(path, cfg->sha256) != OPS_OK) {
        rc = ops_error_set(err, OPS_ERR_CONFIG, path, 0, NULL, "cannot read config file");
        goto cleanup;
    }
    if (!cfg->organisation && !(cfg->organisation = strdup("Organisation")))
        goto nomem;
    if (!cfg->currency && !(cfg->currency = strdup("EUR")))
        goto nomem;
    if (!cfg->xlsx_name && !(cfg->xlsx_name = strdup("report.xlsx")))
        goto nomem;
    if (!cfg->pdf_name && !(cfg->pdf_name = strdup("summary.pdf")))
        goto nomem;
    if (!cfg->detail_name && !(cfg->detail_name = strdup("detail.xlsx")))
        goto nomem;
    for (size_t i = 0; i < cfg->n_inputs; i++) {
        input_config_t *in = &cfg->inputs[i];
        if (!set_default_list(&in->date_formats, "iso") ||
            !set_default_list(&in->timestamp_formats, "iso") ||
            !set_default_list(&in->missing, ",NA,N/A,?,-") ||
            !set_default_list(&in->true_values, "yes,y,true,1,x,ja,oui,si") ||
            !set_default_list(&in->false_values, "no,n,false,0,nein,non"))
            goto nomem;
        /* a cheap first-byte test keeps the per-field missing check fast */
        for (size_t k = 0; k < in->missing.count; k++) {
            unsigned char c = (unsigned char)g_ascii_tolower(in->missing.items[k][0]);
            in->missing_first[c >> 3] |= (uint8_t)(1u << (c & 7));
        }
        in->missing_indexed = true;
    }
    rc = check_inputs(cfg, err);
    if (rc != OPS_OK)
        goto cleanup;
    for (size_t i = 0; i < cfg->n_forecasts; i++)
        if (!cfg->forecasts[i].series) {
            rc = ops_error_set(err, OPS_ERR_CONFIG, path, cfg->forecasts[i].line, "series",
                               "[forecast.%s] needs series = gl_revenue, gl_opex, gl_cogs, tickets_created or headcount",
                               cfg->forecasts[i].name);
            goto cleanup;
        }
    for (size_t i = 0; i < cfg->n_recipients; i++)
        if (!cfg->recipients[i].email) {
            rc = ops_error_set(err, OPS_ERR_CONFIG, path, cfg->recipients[i].line, "email",
                               "[recipient.%s] needs email = address", cfg->recipients[i].name);
            goto cleanup;
        }
    if (cfg->email.enabled && (!cfg->email.smtp_url || !cfg->email.from)) {
        rc = ops_error_set(err, OPS_ERR_CONFIG, path, cfg->email.line, "smtp_url",
                           "[email] enabled = true needs smtp_url and from");
        goto cleanup;
    }
    *out = cfg;
    cfg = NULL;
    goto cleanup;
nomem:
    rc = ops_error_set(err, OPS_ERR_NOMEM, path, 0, NULL, "out of memory");
cleanup:
    if (st.fp)
        fclose(st.fp);
    config_free(cfg);
    return rc;
}

static void list_free(config_list_t *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i]);
    list->count = 0;
}

void config_free(config_t *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n_inputs; i++) {
        input_config_t *in = &cfg->inputs[i];
        free(in->name);
        free(in->file);
        list_free(&in->date_formats);
        list_free(&in->timestamp_formats);
        list_free(&in->missing);
        list_free(&in->true_values);
        list_free(&in->false_values);
        free(in->encoding);
        list_free(&in->currency_symbols);
        for (size_t f = 0; f < CONFIG_MAX_FIELDS; f++) {
            list_free(&in->columns[f]);
            free(in->const_value[f]);
            free(in->default_value[f]);
            value_map_t *m = &in->maps[f];
            for (size_t k = 0; k < m->count; k++) {
                free(m->from[k]);
                free(m->to[k]);
            }
            free(m->from);
            free(m->to);
            free(m->fallback);
        }
        for (size_t k = 0; k < in->n_filters; k++) {
            row_filter_t *rf = &in->filters[k];
            free(rf->header);
            for (size_t v = 0; v < rf->count; v++)
                free(rf->values[v]);
            free(rf->values);
        }
        free(in->filters);
        for (size_t k = 0; k < in->n_account_rules; k++) {
            free(in->account_rules[k].lo);
            free(in->account_rules[k].hi);
        }
        free(in->account_rules);
    }
    free(cfg->inputs);
    for (size_t i = 0; i < cfg->n_kpis; i++)
        free(cfg->kpis[i].id);
    free(cfg->kpis);
    for (size_t i = 0; i < cfg->n_recipients; i++) {
        free(cfg->recipients[i].name);
        free(cfg->recipients[i].email);
        free(cfg->recipients[i].scope);
    }
    free(cfg->recipients);
    for (size_t i = 0; i < cfg->n_forecasts; i++) {
        free(cfg->forecasts[i].name);
        free(cfg->forecasts[i].series);
        free(cfg->forecasts[i].method);
    }
    free(cfg->forecasts);
    free(cfg->forecast_history_dir);
    free(cfg->forecast_overrides);
    email_config_t *e = &cfg->email;
    free(e->smtp_url);
    free(e->username);
    free(e->password_env);
    free(e->password_file);
    free(e->from);
    free(e->from_name);
    free(e->reply_to);
    free(e->owner);
    list_free(&e->to);
    free(cfg->path);
    free(cfg->organisation);
    free(cfg->currency);
    free(cfg->xlsx_name);
    free(cfg->pdf_name);
    free(cfg->detail_name);
    free(cfg->templates_dir);
    free(cfg->out_dir);
    free(cfg);
}

const input_config_t *config_find_input(const config_t *cfg, input_kind_t kind)
{
    for (size_t i = 0; i < cfg->n_inputs; i++)
        if (cfg->inputs[i].schema && cfg->inputs[i].schema->kind == kind)
            return &cfg->inputs[i];
    return NULL;
}

const kpi_config_t *config_find_kpi(const config_t *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->n_kpis; i++)
        if (!strcmp(cfg->kpis[i].id, id))
            return &cfg->kpis[i];
    return NULL;
}
