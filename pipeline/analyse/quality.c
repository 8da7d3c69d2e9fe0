/*
 * quality.c - quality KPIs from the production reports and statistical
 * process control (SPC) of box weight from the MES measurements.
 *
 * Production rows are summed per month slot (units produced, defective,
 * good first time), so the yield KPIs are ratios of monthly sums.
 *
 * Measurements are grouped into rational subgroups by (line, subgroup
 * number); the line is keyed "site / line". Each subgroup keeps only a GSL
 * running-statistics workspace (n, mean, sd) and the time of its first
 * measurement, so memory grows with the number of subgroups in the baseline
 * + period window, never with the measurements. Rows outside that window
 * (with one day of margin before it, for subgroups that straddle midnight)
 * are ignored; a subgroup belongs to the month of its first measurement.
 *
 * finish() sorts each line's subgroups by time, takes the control limits of
 * the X-bar and S charts from the baseline months (the spc_baseline_months
 * before the period), computes Cpk of the period against the weight spec,
 * and applies the four Western Electric rules to the period's subgroup
 * means. The constants A3, B3, B4 come from c4(n), computed with
 * gsl_sf_gamma for the typical (median) subgroup size.
 */
#include "analyse/analyse_internal.h"

#include <glib.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t number;            /* the hash key points here */
    int64_t first_ts;          /* earliest measurement seen */
    moments_t stat;            /* weights of the subgroup */
} subgroup_t;

typedef struct {
    char *key;                 /* "site / line" */
    GHashTable *subgroups;     /* int64 number -> subgroup_t */
} spc_line_t;

typedef struct {
    const analyse_ctx_t *ctx;
    double produced[MODEL_WINDOW], defective[MODEL_WINDOW], first_pass[MODEL_WINDOW];
    unsigned long prod_rows[MODEL_WINDOW];
    /* line-days with both an efficiency target and the achieved value */
    double eff_target[MODEL_WINDOW], eff_actual[MODEL_WINDOW], eff_met[MODEL_WINDOW], eff_rows[MODEL_WINDOW];
    xsum_t eff_target_sum[MODEL_WINDOW], eff_actual_sum[MODEL_WINDOW]; /* eff_target, eff_actual at finish */
    int baseline;              /* baseline months, clamped to the window */
    int32_t spc_first_day;     /* first day of the first baseline month */
    GHashTable *lines;         /* key -> spc_line_t */
} quality_t;

/* ---- state ------------------------------------------------------------------ */

static void subgroup_free(gpointer p)
{
    subgroup_t *g = p;
    if (!g)
        return;
    free(g);
}

static void spc_line_free(gpointer p)
{
    spc_line_t *l = p;
    if (!l)
        return;
    if (l->subgroups)
        g_hash_table_destroy(l->subgroups);
    free(l->key);
    free(l);
}

static void *quality_create(const analyse_ctx_t *ctx)
{
    quality_t *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->ctx = ctx;
    int b = ctx->settings ? ctx->settings->spc_baseline_months : 0;
    q->baseline = b < 0 ? 0 : b > SLOT_PERIOD ? SLOT_PERIOD : b;
    q->spc_first_day = ctx_slot_first_day(ctx, SLOT_PERIOD - q->baseline);
    q->lines = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, spc_line_free);
    return q;
}

static void quality_destroy(void *state)
{
    quality_t *q = state;
    if (!q)
        return;
    if (q->lines)
        g_hash_table_destroy(q->lines);
    free(q);
}

static ops_status_t nomem(ops_error_t *err)
{
    return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

/* ---- record ----------------------------------------------------------------- */

static void production_add(quality_t *q, const field_value_t *v)
{
    if (!ctx_in_scope(q->ctx, &v[PROD_SITE]) || !v[PROD_DATE].present)
        return;
    int slot = ctx_slot_of_day(q->ctx, v[PROD_DATE].v.date);
    if (slot < 0)
        return;
    double produced = v[PROD_UNITS_PRODUCED].present ? (double)v[PROD_UNITS_PRODUCED].v.i : 0;
    double defective = v[PROD_UNITS_DEFECTIVE].present ? (double)v[PROD_UNITS_DEFECTIVE].v.i : 0;
    /* FPY counter offline: count everything not scrapped or reworked as good first time */
    double first_pass = v[PROD_UNITS_FIRST_PASS].present ? (double)v[PROD_UNITS_FIRST_PASS].v.i
                                                        : fmax(produced - defective, 0);
    q->produced[slot] += produced;
    q->defective[slot] += defective;
    q->first_pass[slot] += first_pass;
    q->prod_rows[slot]++;
    if (v[PROD_TARGET_EFFICIENCY].present && v[PROD_ACTUAL_EFFICIENCY].present) {
        xsum_add(&q->eff_target_sum[slot], v[PROD_TARGET_EFFICIENCY].v.num);
        xsum_add(&q->eff_actual_sum[slot], v[PROD_ACTUAL_EFFICIENCY].v.num);
        q->eff_met[slot] += v[PROD_ACTUAL_EFFICIENCY].v.num >= v[PROD_TARGET_EFFICIENCY].v.num;
        q->eff_rows[slot] += 1;
    }
}

static spc_line_t *spc_line_get(quality_t *q, const char *key)
{
    spc_line_t *line = g_hash_table_lookup(q->lines, key);
    if (line)
        return line;
    line = calloc(1, sizeof *line);
    if (!line || !(line->key = strdup(key))) {
        spc_line_free(line);
        return NULL;
    }
    line->subgroups = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, subgroup_free);
    g_hash_table_insert(q->lines, line->key, line);
    return line;
}

/* The subgroup, made with first_ts = ts when new; NULL on no memory. */
static subgroup_t *subgroup_get(spc_line_t *line, int64_t number, int64_t ts)
{
    subgroup_t *g = g_hash_table_lookup(line->subgroups, &number);
    if (g)
        return g;
    g = calloc(1, sizeof *g);
    if (!g) {
        subgroup_free(g);
        return NULL;
    }
    g->number = number;
    g->first_ts = ts;
    g_hash_table_insert(line->subgroups, &g->number, g);
    return g;
}

static ops_status_t measurement_add(quality_t *q, const field_value_t *v, ops_error_t *err)
{
    if (!ctx_in_scope(q->ctx, &v[QUAL_SITE]) || !v[QUAL_MEASURED_AT].present ||
        !v[QUAL_SUBGROUP].present || !v[QUAL_WEIGHT_G].present || !v[QUAL_LINE].present)
        return OPS_OK;
    int64_t ts = v[QUAL_MEASURED_AT].v.ts;
    int64_t day = ts >= 0 ? ts / 86400 : -((-ts + 86399) / 86400);
    if (day < (int64_t)q->spc_first_day - 1 || day > q->ctx->period_last_day)
        return OPS_OK;
    char key[512];
    if (v[QUAL_SITE].present && v[QUAL_SITE].len)
        snprintf(key, sizeof key, "%.*s / %.*s", (int)v[QUAL_SITE].len, v[QUAL_SITE].text,
                 (int)v[QUAL_LINE].len, v[QUAL_LINE].text);
    else
        snprintf(key, sizeof key, "%.*s", (int)v[QUAL_LINE].len, v[QUAL_LINE].text);
    spc_line_t *line = spc_line_get(q, key);
    if (!line)
        return nomem(err);
    subgroup_t *g = subgroup_get(line, v[QUAL_SUBGROUP].v.i, ts);
    if (!g)
        return nomem(err);
    if (ts < g->first_ts)
        g->first_ts = ts;
    moments_add(&g->stat, v[QUAL_WEIGHT_G].v.num);
    return OPS_OK;
}

static ops_status_t quality_record(void *state, const ingest_record_t *rec, ops_error_t *err)
{
    quality_t *q = state;
    switch (rec->input->schema->kind) {
    case KIND_PRODUCTION: production_add(q, rec->values); return OPS_OK;
    case KIND_QUALITY: return measurement_add(q, rec->values, err);
    default: return OPS_OK;
    }
}

/* ---- SPC statistics ---------------------------------------------------------- */

typedef struct {
    int64_t number, ts;
    int32_t day;
    int slot;
    double xbar, s, n;
    int rule;                  /* first Western Electric rule broken, 0: none */
    double limit;              /* the limit that rule crossed */
} point_t;

/* A set of subgroups summarised: grand mean, mean s, typical n and c4(n). */
typedef struct {
    size_t count;
    double mean, sbar, n, c4;
} summary_t;

static int point_cmp(const void *pa, const void *pb)
{
    const point_t *a = pa, *b = pb;
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    return a->number < b->number ? -1 : a->number > b->number;
}

/* c4(n) = sqrt(2/(n-1)) Γ(n/2) / Γ((n-1)/2): the bias of s as an estimate of
 * σ for samples of n. Γ overflows a double past 171, so large n go through
 * the log-gamma function. NAN for n < 2. */
static double spc_c4(double n)
{
    if (!(n >= 2))
        return NAN;
    double ratio = n <= 170 ? gsl_sf_gamma(n / 2) / gsl_sf_gamma((n - 1) / 2)
                            : exp(gsl_sf_lngamma(n / 2) - gsl_sf_lngamma((n - 1) / 2));
    return sqrt(2 / (n - 1)) * ratio;
}

/* Summarises points[0..count): unweighted grand mean of x-bar, mean of the
 * defined s (subgroups of 2 or more), median n. scratch holds count doubles. */
static summary_t spc_summarise(const point_t *p, size_t count, double *scratch)
{
    summary_t out = { count, NAN, NAN, NAN, NAN };
    if (!count)
        return out;
    for (size_t i = 0; i < count; i++)
        scratch[i] = p[i].xbar;
    out.mean = gsl_stats_mean(scratch, 1, count);
    size_t ns = 0;
    for (size_t i = 0; i < count; i++)
        if (!isnan(p[i].s))
            scratch[ns++] = p[i].s;
    out.sbar = ns ? gsl_stats_mean(scratch, 1, ns) : NAN;
    for (size_t i = 0; i < count; i++)
        scratch[i] = p[i].n;
    gsl_sort(scratch, 1, count);
    out.n = round(gsl_stats_median_from_sorted_data(scratch, 1, count));
    out.c4 = spc_c4(out.n);
    return out;
}

/* Cpk = min(USL - mu, mu - LSL) / (3 sigma), sigma = s-bar / c4. With one
 * spec limit it is the one-sided index; NAN with none or sigma 0. */
static double spc_cpk(const summary_t *s, double lsl, double usl)
{
    double sigma = s->sbar / s->c4;
    if (!s->count || isnan(sigma) || sigma <= 0 || (isnan(lsl) && isnan(usl)))
        return NAN;
    double gap = fmin(usl - s->mean, s->mean - lsl); /* fmin ignores a NAN side */
    return gap / (3 * sigma);
}

/* Western Electric rules on the period's means p[0..count) (time order),
 * against centre and sigma of x-bar. Sets p[i].rule and p[i].limit at the
 * point that completes a pattern; the point itself must lie in the zone.
 * Returns the number of flagged points. Hand-written: no library has it. */
static size_t spc_apply_rules(point_t *p, size_t count, double centre, double sigma)
{
    static const struct {
        size_t window, needed;
        double k;              /* zone: beyond k sigma */
    } zone[] = { { 1, 1, 3 }, { 3, 2, 2 }, { 5, 4, 1 }, { 8, 8, 0 } };
    size_t flagged = 0;
    for (size_t i = 0; i < count; i++) {
        double side = p[i].xbar >= centre ? 1 : -1;
        p[i].rule = 0;
        for (int r = 0; r < 4 && !p[i].rule; r++) {
            if (i + 1 < zone[r].needed || !(side * (p[i].xbar - centre) > zone[r].k * sigma))
                continue;
            size_t from = i + 1 >= zone[r].window ? i + 1 - zone[r].window : 0, hits = 0;
            for (size_t j = from; j <= i; j++)
                hits += side * (p[j].xbar - centre) > zone[r].k * sigma;
            if (hits >= zone[r].needed) {
                p[i].rule = r + 1;
                p[i].limit = centre + side * zone[r].k * sigma;
            }
        }
        flagged += p[i].rule != 0;
    }
    return flagged;
}

/* Copies at most size-1 bytes of text, cutting at a UTF-8 character boundary. */
static void utf8_copy(char *buf, size_t size, const char *text)
{
    size_t n = strlen(text);
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(buf, text, n);
    buf[n] = '\0';
}

/* ---- finish ------------------------------------------------------------------ */

typedef struct {
    const char *line;
    const point_t *point;
} rule_break_t;

static int rule_break_cmp(const void *pa, const void *pb)
{
    const rule_break_t *a = pa, *b = pb;
    if (a->point->rule != b->point->rule)
        return a->point->rule - b->point->rule;
    int c = strcmp(a->line, b->line);
    return c ? c : point_cmp(a->point, b->point);
}

static int str_cmp(const void *pa, const void *pb)
{
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

static ops_status_t production_finish(quality_t *q, report_model_t *m, ops_error_t *err)
{
    const analyse_ctx_t *ctx = q->ctx;
    double units[MODEL_WINDOW];
    for (int s = 0; s < MODEL_WINDOW; s++)
        units[s] = q->prod_rows[s] ? q->produced[s] : NAN;
    kpi_t *k = model_add_kpi(m, "units_produced", "Units produced", AREA_QUALITY, UNIT_COUNT);
    if (!k)
        return nomem(err);
    kpi_fill_sum(k, ctx, units);
    snprintf(k->note, sizeof k->note, "Sum of units produced in the month over all lines; empty when no production was reported");
    kpi_needs(ctx, k, KIND_PRODUCTION, FIELDS(PROD_UNITS_PRODUCED));
    if (!(k = model_add_kpi(m, "defect_ppm", "Defects (ppm)", AREA_QUALITY, UNIT_PPM)))
        return nomem(err);
    kpi_fill_ratio(k, ctx, q->defective, q->produced, 1e6);
    snprintf(k->note, sizeof k->note, "units defective / units produced x 1,000,000; empty when nothing was produced");
    kpi_needs(ctx, k, KIND_PRODUCTION, FIELDS(PROD_UNITS_PRODUCED, PROD_UNITS_DEFECTIVE));
    if (!(k = model_add_kpi(m, "first_pass_yield_pct", "First-pass yield", AREA_QUALITY, UNIT_PERCENT)))
        return nomem(err);
    kpi_fill_ratio(k, ctx, q->first_pass, q->produced, 100.0);
    snprintf(k->note, sizeof k->note, "units good first time / units produced x 100; rows without the FPY count use produced - defective");
    /* units_first_pass has a documented fallback: produced - defective */
    kpi_needs(ctx, k, KIND_PRODUCTION, FIELDS(PROD_UNITS_PRODUCED, PROD_UNITS_DEFECTIVE));
    /* exports that report productivity against a target instead of counts;
     * left out where no export has either field, as most do not */
    if (!ctx_fields_mapped(ctx, KIND_PRODUCTION, FIELDS(PROD_TARGET_EFFICIENCY)) &&
        !ctx_fields_mapped(ctx, KIND_PRODUCTION, FIELDS(PROD_ACTUAL_EFFICIENCY)))
        return OPS_OK;
    if (!(k = model_add_kpi(m, "efficiency_vs_target_pct", "Efficiency vs target", AREA_QUALITY, UNIT_PERCENT)))
        return nomem(err);
    kpi_fill_ratio(k, ctx, q->eff_actual, q->eff_target, 100.0);
    k->direction = KPI_HIGHER_IS_BETTER;
    snprintf(k->note, sizeof k->note, "sum of achieved efficiency / sum of target efficiency over the month's line-days x 100");
    kpi_needs(ctx, k, KIND_PRODUCTION, FIELDS(PROD_TARGET_EFFICIENCY, PROD_ACTUAL_EFFICIENCY));
    if (!(k = model_add_kpi(m, "line_days_on_target_pct", "Line-days on target", AREA_QUALITY, UNIT_PERCENT)))
        return nomem(err);
    kpi_fill_ratio(k, ctx, q->eff_met, q->eff_rows, 100.0);
    k->direction = KPI_HIGHER_IS_BETTER;
    snprintf(k->note, sizeof k->note, "line-days whose achieved efficiency reached the target / line-days with both x 100");
    kpi_needs(ctx, k, KIND_PRODUCTION, FIELDS(PROD_TARGET_EFFICIENCY, PROD_ACTUAL_EFFICIENCY));
    return OPS_OK;
}

/* Builds the points of one line inside the window, sorted by time, in a
 * malloc'ed array (NULL with *count 0 when there are none). */
static ops_status_t line_points(const quality_t *q, const spc_line_t *line, point_t **out,
                                size_t *count, ops_error_t *err)
{
    *out = NULL;
    *count = 0;
    guint size = g_hash_table_size(line->subgroups);
    point_t *p = malloc((size ? size : 1) * sizeof *p);
    if (!p)
        return nomem(err);
    size_t n = 0;
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, line->subgroups);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        const subgroup_t *g = val;
        int64_t day = g->first_ts >= 0 ? g->first_ts / 86400 : -((-g->first_ts + 86399) / 86400);
        if (day < q->spc_first_day || day > q->ctx->period_last_day)
            continue;
        point_t *pt = &p[n++];
        memset(pt, 0, sizeof *pt);
        pt->number = g->number;
        pt->ts = g->first_ts;
        pt->day = (int32_t)day;
        pt->slot = ctx_slot_of_day(q->ctx, pt->day);
        pt->n = (double)g->stat.n;
        pt->xbar = moments_mean(&g->stat);
        pt->s = moments_sd(&g->stat);
        pt->limit = NAN;
    }
    qsort(p, n, sizeof *p, point_cmp);
    *out = p;
    *count = n;
    return OPS_OK;
}

static ops_status_t spc_finish(quality_t *q, report_model_t *m, ops_error_t *err)
{
    const analyse_ctx_t *ctx = q->ctx;
    const analysis_settings_t *set = ctx->settings;
    double lsl = set->weight_lsl, usl = set->weight_usl;
    ops_status_t rc = OPS_OK;
    guint n_lines = g_hash_table_size(q->lines);
    const char **keys = calloc(n_lines ? n_lines : 1, sizeof *keys);
    point_t **points = calloc(n_lines ? n_lines : 1, sizeof *points);
    size_t *n_points = calloc(n_lines ? n_lines : 1, sizeof *n_points);
    rule_break_t *breaks = NULL;
    double *scratch = NULL;
    if (!keys || !points || !n_points) {
        rc = nomem(err);
        goto cleanup;
    }
    GHashTableIter it;
    gpointer key, val;
    size_t nk = 0;
    g_hash_table_iter_init(&it, q->lines);
    while (g_hash_table_iter_next(&it, &key, &val))
        keys[nk++] = key;
    qsort(keys, nk, sizeof *keys, str_cmp);

    size_t max_points = 0, total_points = 0;
    for (size_t i = 0; i < nk; i++) {
        rc = line_points(q, g_hash_table_lookup(q->lines, keys[i]), &points[i], &n_points[i], err);
        if (rc != OPS_OK)
            goto cleanup;
        max_points = n_points[i] > max_points ? n_points[i] : max_points;
        total_points += n_points[i];
    }
    scratch = malloc((max_points ? max_points : 1) * sizeof *scratch);
    breaks = malloc((total_points ? total_points : 1) * sizeof *breaks);
    if (!scratch || !breaks) {
        rc = nomem(err);
        goto cleanup;
    }
    size_t n_charts = 0;
    for (size_t i = 0; i < nk; i++)
        n_charts += n_points[i] > 0;
    if (n_charts) {
        spc_chart_t *grown = realloc(m->spc, (m->n_spc + n_charts) * sizeof *grown);
        if (!grown) {
            rc = nomem(err);
            goto cleanup;
        }
        m->spc = grown;
    }

    static const char *const cap_names[] = { "Line", "Subgroups", "Mean", "Sigma within", "Cpk",
                                             "Centre", "UCL", "LCL" };
    static const col_kind_t cap_kinds[] = { COL_TEXT, COL_COUNT, COL_NUMBER, COL_NUMBER,
                                            COL_NUMBER, COL_NUMBER, COL_NUMBER, COL_NUMBER };
    model_table_t *cap = model_add_table(m, TABLE_QUALITY_CAPABILITY, "Process capability by line", 8,
                                         cap_names, cap_kinds);
    if (!cap) {
        rc = nomem(err);
        goto cleanup;
    }
    snprintf(cap->note, sizeof cap->note,
             "Box weight (g) in the month: mean of subgroup means, sigma within = mean s / c4, "
             "Cpk against the spec limits; centre and limits of the X-bar chart from the %d baseline months.",
             q->baseline);

    double cpk_monthly[MODEL_WINDOW];
    for (int s = 0; s < MODEL_WINDOW; s++)
        cpk_monthly[s] = NAN;
    size_t n_breaks = 0;
    bool any_rules = false;
    for (size_t i = 0; i < nk; i++) {
        point_t *p = points[i];
        size_t np = n_points[i];
        if (!np)
            continue;
        size_t nb = 0;
        while (nb < np && p[nb].slot < SLOT_PERIOD)
            nb++;
        summary_t base = spc_summarise(p, nb, scratch);
        summary_t period = spc_summarise(p + nb, np - nb, scratch);
        /* no limits without a positive spread in the baseline */
        bool limits = base.count && base.sbar > 0 && !isnan(base.c4);
        double a3 = limits ? 3 / (base.c4 * sqrt(base.n)) : NAN;
        double b = limits ? 3 * sqrt(1 - base.c4 * base.c4) / base.c4 : NAN;
        double centre = limits ? base.mean : NAN, half = a3 * base.sbar;
        if (limits && np > nb) {
            any_rules = true;
            spc_apply_rules(p + nb, np - nb, centre, half / 3);
            for (size_t j = nb; j < np; j++)
                if (p[j].rule)
                    breaks[n_breaks++] = (rule_break_t){ keys[i], &p[j] };
        }
        /* Cpk per month of the window we keep (for the KPI trend) */
        for (size_t from = 0; from < np;) {
            size_t to = from;
            while (to < np && p[to].slot == p[from].slot)
                to++;
            summary_t month = spc_summarise(p + from, to - from, scratch);
            double cpk = spc_cpk(&month, lsl, usl);
            int s = p[from].slot;
            if (s >= 0 && !isnan(cpk))
                cpk_monthly[s] = isnan(cpk_monthly[s]) ? cpk : fmin(cpk_monthly[s], cpk);
            from = to;
        }
        double cpk = spc_cpk(&period, lsl, usl);

        spc_chart_t *c = &m->spc[m->n_spc++];
        memset(c, 0, sizeof *c);
        utf8_copy(c->line, sizeof c->line, keys[i]);
        c->xbar = malloc(np * sizeof *c->xbar);
        c->s = malloc(np * sizeof *c->s);
        c->day = malloc(np * sizeof *c->day);
        c->flagged = malloc(np * sizeof *c->flagged);
        if (!c->xbar || !c->s || !c->day || !c->flagged) {
            rc = nomem(err);
            goto cleanup;
        }
        c->n_points = np;
        c->baseline_points = nb;
        for (size_t j = 0; j < np; j++) {
            c->xbar[j] = p[j].xbar;
            c->s[j] = p[j].s;
            c->day[j] = p[j].day;
            c->flagged[j] = p[j].rule != 0;
        }
        c->centre = centre;
        c->ucl = centre + half;
        c->lcl = centre - half;
        c->s_centre = limits ? base.sbar : NAN;
        c->s_ucl = limits ? (1 + b) * base.sbar : NAN;
        c->s_lcl = limits ? fmax(0, 1 - b) * base.sbar : NAN;
        c->cpk = cpk;

        long row = model_table_add_row(cap);
        if (row < 0) {
            rc = nomem(err);
            goto cleanup;
        }
        size_t r = (size_t)row;
        model_table_set_text(cap, r, 0, keys[i], strlen(keys[i]));
        model_table_set_num(cap, r, 1, (double)period.count);
        model_table_set_num(cap, r, 2, period.mean);
        model_table_set_num(cap, r, 3, period.sbar / period.c4);
        model_table_set_num(cap, r, 4, cpk);
        model_table_set_num(cap, r, 5, c->centre);
        model_table_set_num(cap, r, 6, c->ucl);
        model_table_set_num(cap, r, 7, c->lcl);
    }

    double breaks_monthly[MODEL_WINDOW];
    for (int s = 0; s < MODEL_WINDOW; s++)
        breaks_monthly[s] = NAN;
    breaks_monthly[SLOT_PERIOD] = any_rules ? (double)n_breaks : NAN;
    kpi_t *k = model_add_kpi(m, "spc_rule_breaks", "SPC rule breaks", AREA_QUALITY, UNIT_COUNT);
    if (!k) {
        rc = nomem(err);
        goto cleanup;
    }
    kpi_fill_monthly(k, breaks_monthly);
    snprintf(k->note, sizeof k->note, "Subgroups of the month breaking a Western Electric rule against the baseline X-bar limits, all lines");
    kpi_needs(ctx, k, KIND_QUALITY, NULL, 0);
    if (!(k = model_add_kpi(m, "cpk_min", "Lowest Cpk", AREA_QUALITY, UNIT_RATIO))) {
        rc = nomem(err);
        goto cleanup;
    }
    kpi_fill_monthly(k, cpk_monthly);
    snprintf(k->note, sizeof k->note, "Lowest Cpk of box weight over the lines: min(USL - mean, mean - LSL) / (3 x mean s / c4); empty without spec");
    kpi_needs(ctx, k, KIND_QUALITY, NULL, 0);

    static const char *const br_names[] = { "Line", "Subgroup", "Day", "X-bar", "Rule", "Limit" };
    static const col_kind_t br_kinds[] = { COL_TEXT, COL_TEXT, COL_DATE, COL_NUMBER, COL_TEXT,
                                           COL_NUMBER };
    model_table_t *t = model_add_table(m, TABLE_QUALITY_SPC_BREAKS, "SPC rule breaks", 6, br_names, br_kinds);
    if (!t) {
        rc = nomem(err);
        goto cleanup;
    }
    static const char *const rule_names[] = { "", "1: beyond 3 sigma", "2: 2 of 3 beyond 2 sigma",
                                              "3: 4 of 5 beyond 1 sigma", "4: 8 on one side" };
    qsort(breaks, n_breaks, sizeof *breaks, rule_break_cmp);
    size_t top = set->top_n > 0 ? (size_t)set->top_n * 5 : 0;
    size_t shown = n_breaks < top ? n_breaks : top;
    if (shown < n_breaks)
        snprintf(t->note, sizeof t->note,
                 "Showing %zu of %zu flagged subgroups, rule 1 first. Limit: the control line the subgroup mean crossed.",
                 shown, n_breaks);
    else
        snprintf(t->note, sizeof t->note,
                 "Subgroups of the month breaking a Western Electric rule, rule 1 first. Limit: the control line the subgroup mean crossed.");
    for (size_t i = 0; i < shown; i++) {
        const point_t *pt = breaks[i].point;
        long row = model_table_add_row(t);
        if (row < 0) {
            rc = nomem(err);
            goto cleanup;
        }
        char num[32];
        int len = snprintf(num, sizeof num, "%lld", (long long)pt->number);
        size_t r = (size_t)row;
        model_table_set_text(t, r, 0, breaks[i].line, strlen(breaks[i].line));
        model_table_set_text(t, r, 1, num, (size_t)len);
        model_table_set_num(t, r, 2, pt->day);
        model_table_set_num(t, r, 3, pt->xbar);
        model_table_set_text(t, r, 4, rule_names[pt->rule], strlen(rule_names[pt->rule]));
        model_table_set_num(t, r, 5, pt->limit);
    }
    table_needs(ctx, t, KIND_QUALITY, NULL, 0);
    table_needs(ctx, cap, KIND_QUALITY, NULL, 0);

cleanup:
    if (points)
        for (size_t i = 0; i < n_lines; i++)
            free(points[i]);
    free(points);
    free(n_points);
    free(keys);
    free(breaks);
    free(scratch);
    return rc;
}

static ops_status_t quality_finish(void *state, report_model_t *m, ops_error_t *err)
{
    quality_t *q = state;
    const analyse_ctx_t *ctx = q->ctx;
    xsum_values(q->eff_target_sum, q->eff_target, MODEL_WINDOW);
    xsum_values(q->eff_actual_sum, q->eff_actual, MODEL_WINDOW);
    if (ctx_has_input(ctx, KIND_PRODUCTION)) {
        ops_status_t rc = production_finish(q, m, err);
        if (rc != OPS_OK)
            return rc;
    }
    if (ctx_has_input(ctx, KIND_QUALITY))
        return spc_finish(q, m, err);
    return OPS_OK;
}

/* The per-month sums of src into dst. */
static void quality_merge_sums(quality_t *d, const quality_t *s)
{
    sums_add(d->produced, s->produced, MODEL_WINDOW);
    sums_add(d->defective, s->defective, MODEL_WINDOW);
    sums_add(d->first_pass, s->first_pass, MODEL_WINDOW);
    for (int i = 0; i < MODEL_WINDOW; i++)
        d->prod_rows[i] += s->prod_rows[i];
    xsum_merge_n(d->eff_target_sum, s->eff_target_sum, MODEL_WINDOW);
    xsum_merge_n(d->eff_actual_sum, s->eff_actual_sum, MODEL_WINDOW);
    sums_add(d->eff_met, s->eff_met, MODEL_WINDOW);
    sums_add(d->eff_rows, s->eff_rows, MODEL_WINDOW);
}

static ops_status_t quality_merge(void *dst, const void *src, ops_error_t *err)
{
    quality_t *d = dst;
    const quality_t *s = src;
    quality_merge_sums(d, s);
    GHashTableIter it, git;
    gpointer key, val;
    g_hash_table_iter_init(&it, s->lines);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        const spc_line_t *from = val;
        spc_line_t *to = spc_line_get(d, from->key);
        if (!to)
            return nomem(err);
        g_hash_table_iter_init(&git, from->subgroups);
        while (g_hash_table_iter_next(&git, &key, &val)) {
            const subgroup_t *gf = val;
            subgroup_t *gt = subgroup_get(to, gf->number, gf->first_ts);
            if (!gt)
                return nomem(err);
            if (gf->first_ts < gt->first_ts)
                gt->first_ts = gf->first_ts;
            moments_merge(&gt->stat, &gf->stat);
        }
    }
    return OPS_OK;
}

/* quality_merge for a src destroyed next: a line or subgroup dst lacks is
 * moved over (stolen from src's table) instead of copied, so merging the
 * parts of a quality export, whose subgroups rarely straddle two parts,
 * makes no new subgroup; the few shared ones merge as in quality_merge. */
static ops_status_t quality_absorb(void *dst, void *src, ops_error_t *err)
{
    (void)err;
    quality_t *d = dst, *s = src;
    quality_merge_sums(d, s);
    GHashTableIter it, git;
    gpointer key, val;
    g_hash_table_iter_init(&it, s->lines);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        spc_line_t *from = val;
        spc_line_t *to = g_hash_table_lookup(d->lines, from->key);
        if (!to) { /* the whole line, its subgroups with it */
            g_hash_table_iter_steal(&it);
            g_hash_table_insert(d->lines, from->key, from);
            continue;
        }
        g_hash_table_iter_init(&git, from->subgroups);
        while (g_hash_table_iter_next(&git, &key, &val)) {
            subgroup_t *gf = val, *gt = g_hash_table_lookup(to->subgroups, &gf->number);
            if (!gt) {
                g_hash_table_iter_steal(&git);
                g_hash_table_insert(to->subgroups, &gf->number, gf);
                continue;
            }
            if (gf->first_ts < gt->first_ts)
                gt->first_ts = gf->first_ts;
            moments_merge(&gt->stat, &gf->stat);
        }
    }
    return OPS_OK;
}

static void quality_io(void *state, pio_t *io)
{
    quality_t *q = state;
    pio_f64s(io, q->produced, MODEL_WINDOW);
    pio_f64s(io, q->defective, MODEL_WINDOW);
    pio_f64s(io, q->first_pass, MODEL_WINDOW);
    for (int i = 0; i < MODEL_WINDOW; i++) {
        uint64_t rows = q->prod_rows[i];
        pio_u64(io, &rows);
        q->prod_rows[i] = (unsigned long)rows;
    }
    pio_xsums(io, q->eff_target_sum, MODEL_WINDOW);
    pio_xsums(io, q->eff_actual_sum, MODEL_WINDOW);
    pio_f64s(io, q->eff_met, MODEL_WINDOW);
    pio_f64s(io, q->eff_rows, MODEL_WINDOW);
    size_t n = g_hash_table_size(q->lines);
    pio_count(io, &n, PIO_MAX_ITEMS);
    GHashTableIter it, git;
    gpointer key, val;
    g_hash_table_iter_init(&it, q->lines);
    for (size_t i = 0; i < n && !io->bad; i++) {
        spc_line_t *line = NULL;
        if (io->loading) {
            char *k = NULL;
            pio_str(io, &k);
            line = k ? spc_line_get(q, k) : NULL;
            free(k);
            if (!line) {
                io->bad = true;
                break;
            }
        } else {
            g_hash_table_iter_next(&it, &key, &val);
            line = val;
            pio_str(io, &line->key);
        }
        size_t n_groups = g_hash_table_size(line->subgroups);
        pio_count(io, &n_groups, PIO_MAX_ITEMS);
        g_hash_table_iter_init(&git, line->subgroups);
        for (size_t j = 0; j < n_groups && !io->bad; j++) {
            subgroup_t *g = NULL;
            int64_t number = 0, first_ts = 0;
            if (!io->loading) {
                g_hash_table_iter_next(&git, &key, &val);
                g = val;
                number = g->number;
                first_ts = g->first_ts;
            }
            pio_i64(io, &number);
            pio_i64(io, &first_ts);
            if (io->loading && !(g = subgroup_get(line, number, first_ts))) {
                io->bad = true;
                break;
            }
            pio_moments(io, &g->stat);
        }
    }
}

const area_module_t area_quality = { "quality", quality_create, quality_record, quality_finish,
                                     quality_destroy, quality_merge, quality_io, quality_absorb };
