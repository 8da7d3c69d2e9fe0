/*
 * test_analyse_quality.c - unit tests of the quality area module
 * (pipeline/analyse/quality.c) on small hand-made fixtures: production
 * yield KPIs over month boundaries and a leap-year February, and SPC charts
 * whose limits, Cpk and Western Electric rule breaks are worked out by hand
 * in the comments (c4 and the chart constants from the standard tables).
 */
#include "analyse/analyse_internal.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Standard SPC table values (e.g. Montgomery, Appendix VI). */
#define C4_2 0.7979
#define A3_2 2.659
#define B4_2 3.267
#define A3_10 0.975
#define B3_10 0.284
#define B4_10 1.716

typedef struct {
    config_t cfg;
    input_config_t inputs[2];
    analysis_settings_t set;
    analyse_ctx_t ctx;
    void *state;
    report_model_t *m;
} fixture_t;

static int32_t ymd(int y, int m, int d)
{
    return period_first_day((period_t){ y, m }) + d - 1;
}

static int64_t ts_of(int y, int m, int d, int hh, int mm, int ss)
{
    return (int64_t)ymd(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

/* Period y-m, fiscal year from January, spec limits lsl/usl, both inputs
 * configured unless told otherwise. */
static void fx_init(fixture_t *f, int y, int m, int baseline, double lsl, double usl,
                    bool production, bool quality)
{
    gsl_set_error_handler_off();
    memset(f, 0, sizeof *f);
    size_t n = 0;
    if (production)
        f->inputs[n++].schema = schema_for_kind(KIND_PRODUCTION);
    if (quality)
        f->inputs[n++].schema = schema_for_kind(KIND_QUALITY);
    f->cfg.inputs = f->inputs;
    f->cfg.n_inputs = n;
    f->cfg.minor_units = 2;
    f->cfg.fiscal_year_start = 1;
    f->set = (analysis_settings_t){ .service_level = 0.95, .top_n = 10, .slow_days = 90,
                                    .dead_days = 180, .spc_baseline_months = baseline,
                                    .weight_lsl = lsl, .weight_usl = usl, .hours_per_day = 8 };
    f->cfg.analysis = f->set;
    analyse_ctx_t *c = &f->ctx;
    analyse_ctx_init(c, &f->cfg, (period_t){ y, m }, NULL);
    c->settings = &f->set;
    f->state = area_quality.create(c);
    cr_assert_not_null(f->state);
}

static void fx_finish(fixture_t *f)
{
    f->m = calloc(1, sizeof *f->m);
    cr_assert_not_null(f->m);
    f->m->minor_units = 2;
    ops_error_t err = { 0 };
    cr_assert_eq(area_quality.finish(f->state, f->m, &err), OPS_OK, "%s", err.message);
}

static void fx_free(fixture_t *f)
{
    area_quality.destroy(f->state);
    report_model_free(f->m);
}

static const input_config_t *input_of(const fixture_t *f, input_kind_t kind)
{
    const input_config_t *in = config_find_input(&f->cfg, kind);
    cr_assert_not_null(in);
    return in;
}

static void text_value(field_value_t *v, const char *s)
{
    v->present = true;
    v->text = s;
    v->len = strlen(s);
}

/* One production row; first_pass < 0 leaves the FPY count empty. */
static void prod(fixture_t *f, int32_t day, const char *site, const char *line, long produced,
                 long defective, long first_pass)
{
    field_value_t v[PROD_NFIELDS];
    memset(v, 0, sizeof v);
    v[PROD_DATE].present = true;
    v[PROD_DATE].v.date = day;
    text_value(&v[PROD_SITE], site);
    text_value(&v[PROD_LINE], line);
    v[PROD_UNITS_PRODUCED].present = true;
    v[PROD_UNITS_PRODUCED].v.i = produced;
    v[PROD_UNITS_DEFECTIVE].present = true;
    v[PROD_UNITS_DEFECTIVE].v.i = defective;
    if (first_pass >= 0) {
        v[PROD_UNITS_FIRST_PASS].present = true;
        v[PROD_UNITS_FIRST_PASS].v.i = first_pass;
    }
    ingest_record_t rec = { input_of(f, KIND_PRODUCTION), v, 2 };
    ops_error_t err = { 0 };
    cr_assert_eq(area_quality.record(f->state, &rec, &err), OPS_OK);
}

static void meas(fixture_t *f, const char *site, const char *line, long subgroup, int64_t ts,
                 double weight)
{
    field_value_t v[QUAL_NFIELDS];
    memset(v, 0, sizeof v);
    v[QUAL_MEASURED_AT].present = true;
    v[QUAL_MEASURED_AT].v.ts = ts;
    text_value(&v[QUAL_SITE], site);
    text_value(&v[QUAL_LINE], line);
    v[QUAL_SUBGROUP].present = true;
    v[QUAL_SUBGROUP].v.i = subgroup;
    v[QUAL_WEIGHT_G].present = true;
    v[QUAL_WEIGHT_G].v.num = weight;
    ingest_record_t rec = { input_of(f, KIND_QUALITY), v, 2 };
    ops_error_t err = { 0 };
    cr_assert_eq(area_quality.record(f->state, &rec, &err), OPS_OK);
}

/* A subgroup of two: mean-1 at ts, mean+1 at ts+30 s: x-bar = mean, s = sqrt(2). */
static void pair(fixture_t *f, const char *line, long subgroup, int64_t ts, double mean)
{
    meas(f, "S", line, subgroup, ts, mean - 1);
    meas(f, "S", line, subgroup, ts + 30, mean + 1);
}

static const kpi_t *kpi(const fixture_t *f, const char *id)
{
    const kpi_t *k = model_find_kpi(f->m, id);
    cr_assert_not_null(k, "KPI %s missing", id);
    return k;
}

static const model_table_t *table(const fixture_t *f, model_table_id_t id)
{
    const model_table_t *t = model_find_table(f->m, id);
    cr_assert_not_null(t, "table %s missing", model_table_id_name(id));
    return t;
}

static double num(const model_table_t *t, size_t row, size_t col)
{
    return t->num[row * t->n_cols + col];
}

static const char *text(const model_table_t *t, size_t row, size_t col)
{
    return t->text[row * t->n_cols + col];
}

#define EPS 1e-9

/* ---- production KPIs ---------------------------------------------------- */

Test(quality, production_month_boundaries_leap_february)
{
    /* Period February 2024 (29 days), fiscal year from January.
     *   2023-02-28  400 produced, 4 defective, FPY 392      (same month last year)
     *   2024-01-31  500,  5, FPY empty -> 500 - 5 = 495     (prior month, last day)
     *   2024-02-01 1000, 20, FPY empty -> 980               (period, first day)
     *   2024-02-29 1000, 10, FPY 980                        (period, leap day)
     *   2024-03-01 7777,  7, FPY 7000                       (after the period: ignored)
     * units: value 2000, prior 500, last year 400, YTD (Jan+Feb) 2500.
     * ppm: value 30/2000 x 1e6 = 15000, prior 5/500 x 1e6 = 10000,
     *      last year 4/400 x 1e6 = 10000, YTD 35/2500 x 1e6 = 14000.
     * FPY %: value 1960/2000 = 98, prior 495/500 = 99, YTD 2455/2500 = 98.2. */
    fixture_t f;
    fx_init(&f, 2024, 2, 6, NAN, NAN, true, false);
    prod(&f, ymd(2023, 2, 28), "S", "L1", 400, 4, 392);
    prod(&f, ymd(2024, 1, 31), "S", "L1", 500, 5, -1);
    prod(&f, ymd(2024, 2, 1), "S", "L1", 1000, 20, -1);
    prod(&f, ymd(2024, 2, 29), "S", "L2", 1000, 10, 980);
    prod(&f, ymd(2024, 3, 1), "S", "L1", 7777, 7, 7000);
    fx_finish(&f);

    const kpi_t *k = kpi(&f, "units_produced");
    cr_assert_float_eq(k->value, 2000, EPS);
    cr_assert_float_eq(k->prior, 500, EPS);
    cr_assert_float_eq(k->last_year, 400, EPS);
    cr_assert_float_eq(k->ytd, 2500, EPS);
    cr_assert_float_eq(k->trend[MODEL_TREND_MONTHS - 1], 2000, EPS);
    cr_assert_float_eq(k->trend[0], 400, EPS);
    cr_assert(isnan(k->trend[1]), "March 2023 had no production");
    cr_assert_str_not_empty(k->note);

    k = kpi(&f, "defect_ppm");
    cr_assert_eq(k->unit, UNIT_PPM);
    cr_assert_float_eq(k->value, 15000, 1e-6);
    cr_assert_float_eq(k->prior, 10000, 1e-6);
    cr_assert_float_eq(k->last_year, 10000, 1e-6);
    cr_assert_float_eq(k->ytd, 14000, 1e-6);

    k = kpi(&f, "first_pass_yield_pct");
    cr_assert_float_eq(k->value, 98, EPS);
    cr_assert_float_eq(k->prior, 99, EPS);
    cr_assert_float_eq(k->last_year, 98, EPS);
    cr_assert_float_eq(k->ytd, 98.2, EPS);

    /* no quality input configured: no SPC KPIs, tables or charts */
    cr_assert_null(model_find_kpi(f.m, "spc_rule_breaks"));
    cr_assert_null(model_find_kpi(f.m, "cpk_min"));
    cr_assert_eq(f.m->n_spc, 0);
    cr_assert_eq(f.m->n_tables, 0);
    fx_free(&f);
}

Test(quality, production_scope_filters_sites)
{
    /* scope "Leeds": the Lyon row is not counted. ppm = 10 / 1000 x 1e6 = 10000. */
    fixture_t f;
    fx_init(&f, 2024, 2, 6, NAN, NAN, true, false);
    f.ctx.scope = "Leeds";
    prod(&f, ymd(2024, 2, 10), "Leeds", "L1", 1000, 10, 990);
    prod(&f, ymd(2024, 2, 10), "Lyon", "L1", 9000, 900, 8000);
    fx_finish(&f);
    cr_assert_float_eq(kpi(&f, "units_produced")->value, 1000, EPS);
    cr_assert_float_eq(kpi(&f, "defect_ppm")->value, 10000, 1e-6);
    fx_free(&f);
}

Test(quality, production_empty_period_and_zero_units)
{
    /* Period March 2024 has no rows: every value is NAN, the prior month is kept.
     * February has one row with 0 produced: units 0, ppm and FPY divide by 0 -> NAN. */
    fixture_t f;
    fx_init(&f, 2024, 3, 6, NAN, NAN, true, true);
    prod(&f, ymd(2024, 2, 29), "S", "L1", 0, 0, 0);
    prod(&f, ymd(2024, 1, 15), "S", "L1", 200, 2, 190);
    fx_finish(&f);
    const kpi_t *k = kpi(&f, "units_produced");
    cr_assert(isnan(k->value));
    cr_assert_float_eq(k->prior, 0, EPS);
    cr_assert_float_eq(k->ytd, 200, EPS);
    k = kpi(&f, "defect_ppm");
    cr_assert(isnan(k->value));
    cr_assert(isnan(k->prior));
    cr_assert_float_eq(k->ytd, 10000, 1e-6); /* 2 / 200 */
    k = kpi(&f, "first_pass_yield_pct");
    cr_assert(isnan(k->value));
    cr_assert_float_eq(k->ytd, 95, EPS);     /* 190 / 200 */

    /* quality configured but no measurements: NAN KPIs, empty tables, no charts */
    cr_assert(isnan(kpi(&f, "spc_rule_breaks")->value));
    cr_assert(isnan(kpi(&f, "cpk_min")->value));
    cr_assert_eq(f.m->n_spc, 0);
    cr_assert_eq(table(&f, TABLE_QUALITY_SPC_BREAKS)->n_rows, 0);
    cr_assert_eq(table(&f, TABLE_QUALITY_CAPABILITY)->n_rows, 0);
    fx_free(&f);
}

Test(quality, no_inputs_configured_adds_nothing)
{
    fixture_t f;
    fx_init(&f, 2024, 3, 6, 4, 16, false, false);
    fx_finish(&f);
    cr_assert_eq(f.m->n_kpis, 0);
    cr_assert_eq(f.m->n_tables, 0);
    cr_assert_eq(f.m->n_spc, 0);
    fx_free(&f);
}

/* Every production and measurement row rejected: the same empty values as a
 * month without rows, but each KPI now says why, and the SPC tables too. */
Test(quality, inputs_rejected_entirely_say_why)
{
    fixture_t f;
    fx_init(&f, 2024, 3, 6, 4, 16, true, true);
    f.ctx.input_rejected[KIND_PRODUCTION] = true;
    f.ctx.input_rejected[KIND_QUALITY] = true;
    fx_finish(&f);
    for (size_t i = 0; i < f.m->n_kpis; i++) {
        cr_expect(isnan(f.m->kpis[i].value) && isnan(f.m->kpis[i].ytd), "%s", f.m->kpis[i].id);
        cr_expect_eq(f.m->kpis[i].na, KPI_NA_REJECTED, "%s", f.m->kpis[i].id);
    }
    cr_expect_str_eq(kpi(&f, "units_produced")->na_reason, "every row of production was rejected");
    cr_expect_str_eq(kpi(&f, "cpk_min")->na_reason, "every row of quality was rejected");
    cr_expect_str_eq(table(&f, TABLE_QUALITY_CAPABILITY)->na_reason, "every row of quality was rejected");
    fx_free(&f);
}

/* ---- SPC ------------------------------------------------------------------ */

/* Baseline of every line in the SPC tests (period March 2024, 2 baseline months):
 *   subgroup 0: 2023-12-31 23:00, mean 100   -> month before the baseline: dropped
 *   subgroup 1: 2024-01-15 10:00, mean 10
 *   subgroup 2: 2024-02-10 10:00, mean 11
 *   subgroup 3: 8 at 2024-02-29 23:59:50, 10 at 2024-03-01 00:00:20 -> mean 9,
 *               s sqrt(2), day of its first measurement: leap day, so baseline
 *   subgroup 99: 2024-04-01 00:00, mean 100  -> after the period: dropped
 * Each subgroup has n = 2 and s = sqrt(2).
 * centre = (10 + 11 + 9) / 3 = 10, s-bar = sqrt(2).
 * A3(2) = 2.659: half width = 2.659 x 1.41421 = 3.7604 (exactly 3 / c4(2) = 3.75994),
 * UCL = 13.75994, LCL = 6.24006, sigma of x-bar = 1.25331.
 * S chart: centre 1.41421, UCL = B4(2) x s-bar = 3.267 x 1.41421 = 4.620, LCL = 0. */
static void baseline(fixture_t *f, const char *line)
{
    pair(f, line, 0, ts_of(2023, 12, 31, 23, 0, 0), 100);
    pair(f, line, 1, ts_of(2024, 1, 15, 10, 0, 0), 10);
    pair(f, line, 2, ts_of(2024, 2, 10, 10, 0, 0), 11);
    meas(f, "S", line, 3, ts_of(2024, 2, 29, 23, 59, 50), 8);
    meas(f, "S", line, 3, ts_of(2024, 3, 1, 0, 0, 20), 10);
    pair(f, line, 99, ts_of(2024, 4, 1, 0, 0, 0), 100);
}

#define HALF (3 / C4_EXACT)
#define C4_EXACT 0.7978845608028654 /* sqrt(2/pi) */
#define SIGMA_WITHIN 1.7724538509055159 /* s-bar / c4 = sqrt(2) / sqrt(2/pi) = sqrt(pi) */

Test(quality, spc_limits_rules_and_cpk)
{
    /* Spec 4..16 g. Period subgroups (n = 2, s = sqrt(2) each, so sigma
     * within = sqrt(pi) = 1.772454 and 3 sigma = 5.317362):
     *   A: 20 at 03-01 00:00:00 (rule 1: > UCL 13.760), 10 at 03-31 23:59:00
     *      mean 15, Cpk = (16 - 15) / 5.317362 = 0.188063
     *   B: 12.6, 12.6, 10: the second completes 2 of 3 beyond 2 sigma
     *      (10 + 2 x 1.253314 = 12.506628), rule 2.
     *      mean 35.2/3 = 11.733333, Cpk = 4.266667 / 5.317362 = 0.802403
     *   C: 11.3 x 4: the fourth completes 4 of 5 beyond 1 sigma (11.253314),
     *      rule 3 (not beyond 2 sigma). mean 11.3, Cpk = 4.7 / 5.317362 = 0.883897
     *   D: 10.5 x 8: the eighth completes 8 on one side of 10, rule 4.
     *      mean 10.5, Cpk = 5.5 / 5.317362 = 1.034348
     * rule breaks = 4, lowest Cpk 0.188063 (A). */
    fixture_t f;
    fx_init(&f, 2024, 3, 2, 4, 16, false, true);
    const char *lines[] = { "D", "C", "B", "A" }; /* out of order: output sorted by line */
    for (int i = 0; i < 4; i++)
        baseline(&f, lines[i]);
    pair(&f, "A", 10, ts_of(2024, 3, 1, 0, 0, 0), 20);
    pair(&f, "A", 11, ts_of(2024, 3, 31, 23, 59, 0), 10);
    double b[] = { 12.6, 12.6, 10 };
    for (int i = 0; i < 3; i++)
        pair(&f, "B", 10 + i, ts_of(2024, 3, 5 + i, 8, 0, 0), b[i]);
    for (int i = 0; i < 4; i++)
        pair(&f, "C", 10 + i, ts_of(2024, 3, 5 + i, 8, 0, 0), 11.3);
    for (int i = 0; i < 8; i++)
        pair(&f, "D", 10 + i, ts_of(2024, 3, 5 + i, 8, 0, 0), 10.5);
    fx_finish(&f);

    cr_assert_float_eq(kpi(&f, "spc_rule_breaks")->value, 4, EPS);
    const kpi_t *k = kpi(&f, "cpk_min");
    cr_assert_float_eq(k->value, 0.188063194, 1e-8);
    /* February's Cpk (prior month, in the baseline): subgroups 2 and 3 of each
     * line, mean 10, s-bar sqrt(2): Cpk = 6 / 5.317362 = 1.128379 */
    cr_assert_float_eq(k->prior, 6 / (3 * SIGMA_WITHIN), 1e-9);
    cr_assert_float_eq(k->prior, 1.128379, 1e-6);

    /* charts, sorted by line */
    cr_assert_eq(f.m->n_spc, 4);
    const char *want[] = { "S / A", "S / B", "S / C", "S / D" };
    size_t n_period[] = { 2, 3, 4, 8 };
    for (size_t i = 0; i < 4; i++) {
        const spc_chart_t *c = &f.m->spc[i];
        cr_assert_str_eq(c->line, want[i]);
        cr_assert_eq(c->baseline_points, 3, "%s", c->line);
        cr_assert_eq(c->n_points, 3 + n_period[i]);
        cr_assert_float_eq(c->xbar[0], 10, EPS);
        cr_assert_float_eq(c->xbar[1], 11, EPS);
        cr_assert_float_eq(c->xbar[2], 9, EPS);
        cr_assert_eq(c->day[2], ymd(2024, 2, 29));
        cr_assert_float_eq(c->s[2], sqrt(2), EPS);
        cr_assert_float_eq(c->centre, 10, EPS);
        cr_assert_float_eq(c->ucl, 10 + A3_2 * sqrt(2), 1e-3);
        cr_assert_float_eq(c->ucl, 13.759942, 1e-6);
        cr_assert_float_eq(c->lcl, 6.240058, 1e-6);
        cr_assert_float_eq(c->s_centre, sqrt(2), EPS);
        cr_assert_float_eq(c->s_ucl, B4_2 * sqrt(2), 1e-3);
        cr_assert_float_eq(c->s_lcl, 0, EPS);
        size_t flagged = 0;
        for (size_t j = 0; j < c->n_points; j++)
            flagged += c->flagged[j];
        cr_assert_eq(flagged, 1, "%s", c->line);
        cr_assert(c->flagged[c->n_points - (i == 0 ? 2 : i == 1 ? 2 : 1)], "%s", c->line);
    }
    cr_assert_float_eq(f.m->spc[0].xbar[3], 20, EPS);
    cr_assert_eq(f.m->spc[0].day[3], ymd(2024, 3, 1));
    cr_assert_eq(f.m->spc[0].day[4], ymd(2024, 3, 31));
    cr_assert_float_eq(f.m->spc[0].cpk, 0.188063194, 1e-8);
    cr_assert_float_eq(f.m->spc[1].cpk, 0.802402963, 1e-8);
    cr_assert_float_eq(f.m->spc[2].cpk, 0.883897014, 1e-8);
    cr_assert_float_eq(f.m->spc[3].cpk, 1.034347570, 1e-8);

    /* rule breaks: rule 1 first, one row per flagged subgroup */
    const model_table_t *t = table(&f, TABLE_QUALITY_SPC_BREAKS);
    cr_assert_eq(t->n_rows, 4);
    cr_assert_eq(t->col_kinds[2], COL_DATE);
    const char *sub[] = { "10", "11", "13", "17" };
    double limit[] = { 10 + HALF, 10 + 2 * HALF / 3, 10 + HALF / 3, 10 };
    double xbar[] = { 20, 12.6, 11.3, 10.5 };
    int32_t day[] = { ymd(2024, 3, 1), ymd(2024, 3, 6), ymd(2024, 3, 8), ymd(2024, 3, 12) };
    for (size_t r = 0; r < 4; r++) {
        cr_assert_str_eq(text(t, r, 0), want[r]);
        cr_assert_str_eq(text(t, r, 1), sub[r]);
        cr_assert_float_eq(num(t, r, 2), day[r], EPS);
        cr_assert_float_eq(num(t, r, 3), xbar[r], 1e-9);
        cr_assert_eq(text(t, r, 4)[0], '1' + (int)r);
        cr_assert_float_eq(num(t, r, 5), limit[r], 1e-9);
    }
    cr_assert_float_eq(num(t, 1, 5), 12.506628, 1e-6);
    cr_assert_float_eq(num(t, 2, 5), 11.253314, 1e-6);

    /* capability table */
    t = table(&f, TABLE_QUALITY_CAPABILITY);
    cr_assert_eq(t->n_rows, 4);
    cr_assert_str_eq(text(t, 0, 0), "S / A");
    cr_assert_float_eq(num(t, 0, 1), 2, EPS);
    cr_assert_float_eq(num(t, 0, 2), 15, EPS);
    cr_assert_float_eq(num(t, 0, 3), SIGMA_WITHIN, 1e-9);
    cr_assert_float_eq(num(t, 0, 4), 0.188063194, 1e-8);
    cr_assert_float_eq(num(t, 0, 5), 10, EPS);
    cr_assert_float_eq(num(t, 0, 6), 13.759942, 1e-6);
    cr_assert_float_eq(num(t, 0, 7), 6.240058, 1e-6);
    cr_assert_float_eq(num(t, 3, 1), 8, EPS);
    cr_assert_float_eq(num(t, 3, 2), 10.5, EPS);
    fx_free(&f);
}

Test(quality, spc_constants_for_subgroups_of_ten)
{
    /* Two baseline subgroups of 10: five 9 g and five 11 g each, mean 10,
     * s = sqrt(10 x 1 / 9) = 1.0540926. With A3(10) = 0.975, B3 = 0.284,
     * B4 = 1.716: UCL = 10 + 1.0277, S chart 0.2994 .. 1.8088. */
    fixture_t f;
    fx_init(&f, 2024, 3, 1, NAN, NAN, false, true);
    for (int g = 1; g <= 2; g++)
        for (int j = 0; j < 10; j++)
            meas(&f, "S", "L", g, ts_of(2024, 2, 10 + g, 8, j, 0), j % 2 ? 11 : 9);
    fx_finish(&f);
    cr_assert_eq(f.m->n_spc, 1);
    const spc_chart_t *c = &f.m->spc[0];
    double sbar = sqrt(10.0 / 9.0);
    cr_assert_float_eq(c->s_centre, sbar, 1e-12);
    cr_assert_float_eq(c->ucl - c->centre, A3_10 * sbar, 1e-3);
    cr_assert_float_eq(c->centre - c->lcl, A3_10 * sbar, 1e-3);
    cr_assert_float_eq(c->s_lcl, B3_10 * sbar, 1e-3);
    cr_assert_float_eq(c->s_ucl, B4_10 * sbar, 1e-3);
    cr_assert_eq(c->baseline_points, 2);
    cr_assert_eq(c->n_points, 2);
    /* only baseline data: nothing to judge in the period, no spec */
    cr_assert(isnan(kpi(&f, "spc_rule_breaks")->value));
    cr_assert(isnan(kpi(&f, "cpk_min")->value));
    cr_assert(isnan(c->cpk));
    const model_table_t *t = table(&f, TABLE_QUALITY_CAPABILITY);
    cr_assert_eq(t->n_rows, 1);
    cr_assert_float_eq(num(t, 0, 1), 0, EPS);
    cr_assert(isnan(num(t, 0, 2)));
    fx_free(&f);
}

Test(quality, spc_rule_table_is_capped_with_note)
{
    /* top_n 1 -> at most 5 rows; 7 period subgroups at 20 g all beyond UCL 13.76. */
    fixture_t f;
    fx_init(&f, 2024, 3, 2, NAN, NAN, false, true);
    f.set.top_n = 1;
    baseline(&f, "A");
    for (int i = 0; i < 7; i++)
        pair(&f, "A", 10 + i, ts_of(2024, 3, 2 + i, 8, 0, 0), 20);
    fx_finish(&f);
    cr_assert_float_eq(kpi(&f, "spc_rule_breaks")->value, 7, EPS);
    const model_table_t *t = table(&f, TABLE_QUALITY_SPC_BREAKS);
    cr_assert_eq(t->n_rows, 5);
    cr_assert(strstr(t->note, "5 of 7"), "note: %s", t->note);
    cr_assert_str_eq(text(t, 0, 1), "10"); /* oldest first within a rule */
    fx_free(&f);
}

Test(quality, spc_one_sided_spec_and_no_spec)
{
    /* Only USL 16: Cpk = (16 - 15) / 5.317362 = 0.188063 for line A.
     * No spec at all: Cpk NAN. */
    for (int run = 0; run < 2; run++) {
        fixture_t f;
        fx_init(&f, 2024, 3, 2, NAN, run == 0 ? 16 : NAN, false, true);
        baseline(&f, "A");
        pair(&f, "A", 10, ts_of(2024, 3, 1, 0, 0, 0), 20);
        pair(&f, "A", 11, ts_of(2024, 3, 31, 23, 59, 0), 10);
        fx_finish(&f);
        double cpk = kpi(&f, "cpk_min")->value;
        if (run == 0)
            cr_assert_float_eq(cpk, 0.188063194, 1e-8);
        else
            cr_assert(isnan(cpk) && isnan(f.m->spc[0].cpk));
        cr_assert_float_eq(kpi(&f, "spc_rule_breaks")->value, 1, EPS);
        fx_free(&f);
    }
}

Test(quality, spc_zero_spread_has_no_limits)
{
    /* Every weight 10 g: s-bar = 0, so no control limits (no rules judged) and
     * sigma within 0 gives no Cpk, instead of dividing by zero. A subgroup of
     * one measurement has no s. */
    fixture_t f;
    fx_init(&f, 2024, 3, 2, 4, 16, false, true);
    for (int g = 1; g <= 3; g++) {
        meas(&f, "S", "L", g, ts_of(2024, 2, g, 8, 0, 0), 10);
        meas(&f, "S", "L", g, ts_of(2024, 2, g, 8, 1, 0), 10);
        meas(&f, "S", "L", g + 10, ts_of(2024, 3, g, 8, 0, 0), 10);
        meas(&f, "S", "L", g + 10, ts_of(2024, 3, g, 8, 1, 0), 10);
    }
    meas(&f, "S", "L", 20, ts_of(2024, 3, 20, 8, 0, 0), 30);
    fx_finish(&f);
    const spc_chart_t *c = &f.m->spc[0];
    cr_assert_eq(c->n_points, 7);
    cr_assert(isnan(c->ucl) && isnan(c->lcl) && isnan(c->centre));
    cr_assert(isnan(c->s[6]), "subgroup of one has no s");
    cr_assert(isnan(c->cpk));
    cr_assert(!c->flagged[6]);
    cr_assert(isnan(kpi(&f, "spc_rule_breaks")->value));
    cr_assert(isnan(kpi(&f, "cpk_min")->value));
    fx_free(&f);
}

Test(quality, spc_scope_and_long_line_names)
{
    /* scope "Łódź": the Leeds line is not charted; a long name is cut at a
     * UTF-8 character boundary (63 bytes at most). "Łódź / " is 10 bytes,
     * then 52 x's (bytes 10..61), then "ż" at bytes 62..63 would straddle the
     * cut: the name keeps 62 bytes. */
    fixture_t f;
    fx_init(&f, 2024, 3, 2, NAN, NAN, false, true);
    f.ctx.scope = "Łódź";
    char line[80];
    memset(line, 'x', 52);
    strcpy(line + 52, "żż");
    meas(&f, "Łódź", line, 1, ts_of(2024, 3, 2, 8, 0, 0), 10);
    meas(&f, "Leeds", "L", 1, ts_of(2024, 3, 2, 8, 0, 0), 10);
    fx_finish(&f);
    cr_assert_eq(f.m->n_spc, 1);
    const char *name = f.m->spc[0].line;
    cr_assert_eq(strlen(name), 62);
    cr_assert(!strncmp(name, "Łódź / xxx", 13));
    cr_assert_eq(name[61], 'x');
    fx_free(&f);
}
