/*
 * test_analyse_finance.c - the finance area module (pipeline/analyse/finance.c)
 * driven through the whole analyse API: a small INI is written to a temp dir
 * and loaded with config_load, hand-made GL rows go through analyse_record
 * (analyse.c sums them into the model's GL totals and budget-vs-actual
 * lines), and analyse_finish runs finance_finish. The period is February 2024
 * (a leap year: the 29th is the last day) and the fiscal year starts in
 * January unless a test says otherwise. Every expected value is worked out by
 * hand in the comments; money is in cents in the rows and in euros in the model.
 */
#include "analyse/analyse_internal.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EPS 1e-6
#define NEAR(a, b) cr_assert(fabs((a) - (b)) < EPS, "%s = %.9g, expected %.9g", #a, (double)(a), (double)(b))

static config_t *cfg;
static analyse_t *an;

/* Writes an INI with GL actuals and budget (unless gl is false), top_n and fiscal_year_start. */
static void load_config(bool gl, int top_n, int fy_start)
{
    char dir[] = "/tmp/test_finance_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/opsreport.ini", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "[report]\norganisation = Test Org\ncurrency = EUR\nminor_units = 2\nfiscal_year_start = %d\n"
               "[analysis]\ntop_n = %d\n",
            fy_start, top_n);
    if (gl)
        fprintf(f, "[input.gl_actuals]\nfile = gl_actuals.csv\n[input.gl_budget]\nfile = gl_budget.csv\n");
    else
        fprintf(f, "[input.tickets]\nfile = tickets.csv\n");
    fclose(f);
    ops_error_t err = { 0 };
    cfg = NULL;
    cr_assert_eq(config_load(path, &cfg, &err), OPS_OK, "%s", err.message);
    unlink(path);
    rmdir(dir);
}

static void start(int year, int month, const char *scope)
{
    ops_error_t err = { 0 };
    an = NULL;
    cr_assert_eq(analyse_new(cfg, (period_t){ year, month }, scope, &an, &err), OPS_OK, "%s", err.message);
}

static int32_t day(int y, int m, int d) { return period_first_day((period_t){ y, m }) + d - 1; }

static field_value_t f_text(const char *s) { return (field_value_t){ .present = true, .text = s, .len = strlen(s) }; }

/* One GL row; budget picks the gl_budget input. */
static void gl(bool budget, const char *entity, int32_t date, const char *cc, const char *account, int type,
               int64_t cents)
{
    field_value_t v[GL_NFIELDS];
    memset(v, 0, sizeof v);
    v[GL_DATE] = (field_value_t){ .present = true, .text = "d", .len = 1, .v.date = date };
    v[GL_ENTITY] = f_text(entity);
    v[GL_COST_CENTRE] = f_text(cc);
    v[GL_ACCOUNT] = f_text(account);
    v[GL_ACCOUNT_TYPE] = (field_value_t){ .present = true, .text = "t", .len = 1, .v.enum_index = type };
    v[GL_AMOUNT] = (field_value_t){ .present = true, .text = "m", .len = 1, .v.money = cents };
    const input_config_t *in = config_find_input(cfg, budget ? KIND_GL_BUDGET : KIND_GL_ACTUALS);
    cr_assert_not_null(in);
    ingest_record_t rec = { .input = in, .values = v, .line = 2 };
    ops_error_t err = { 0 };
    cr_assert_eq(analyse_record(an, &rec, &err), OPS_OK);
}

static report_model_t *finish(void)
{
    report_model_t *m = NULL;
    ops_error_t err = { 0 };
    cr_assert_eq(analyse_finish(an, NULL, 0, &m, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(m->minor_units, 2);
    return m;
}

static void cleanup(report_model_t *m)
{
    report_model_free(m);
    analyse_free(an);
    config_free(cfg);
}

static const kpi_t *kpi(const report_model_t *m, const char *id)
{
    const kpi_t *k = model_find_kpi(m, id);
    cr_assert_not_null(k, "KPI %s missing", id);
    return k;
}

static double cell(const model_table_t *t, size_t r, size_t c) { return t->num[r * t->n_cols + c]; }
static const char *text(const model_table_t *t, size_t r, size_t c) { return t->text[r * t->n_cols + c]; }

#define A false
#define B true

/*
 * Fixture (entity E1), amounts in euros:
 *  actuals  Feb 01 2024  CC1 4000 revenue  1000     Feb revenue
 *           Feb 29 2024  CC1 4000 revenue   500     last day of a leap February: Feb
 *           Mar 01 2024  CC1 4000 revenue   700     after the period: nowhere
 *           Jan 31 2024  CC1 4000 revenue   800     last day of January: prior month
 *           Feb 28 2023  CC1 4000 revenue   900     same month last year
 *           Feb 15 2024  CC1 5000 cogs      600
 *           Feb 10 2024  CC2 6000 opex      300
 *           Jan 15 2024  CC2 6000 opex      200
 *  budget   Feb 01 2024  CC1 4000 revenue  1200
 *           Jan 01 2024  CC1 4000 revenue  1000
 *           Mar 01 2024  CC1 4000 revenue  1000     full year only
 *           Feb 01 2024  CC2 6000 opex      250
 *           Jan 01 2024  CC2 6000 opex      250
 */
static void feed_fixture(void)
{
    gl(A, "E1", day(2024, 2, 1), "CC1", "4000", GL_TYPE_REVENUE, 100000);
    gl(A, "E1", day(2024, 2, 29), "CC1", "4000", GL_TYPE_REVENUE, 50000);
    gl(A, "E1", day(2024, 3, 1), "CC1", "4000", GL_TYPE_REVENUE, 70000);
    gl(A, "E1", day(2024, 1, 31), "CC1", "4000", GL_TYPE_REVENUE, 80000);
    gl(A, "E1", day(2023, 2, 28), "CC1", "4000", GL_TYPE_REVENUE, 90000);
    gl(A, "E1", day(2024, 2, 15), "CC1", "5000", GL_TYPE_COGS, 60000);
    gl(A, "E1", day(2024, 2, 10), "CC2", "6000", GL_TYPE_OPEX, 30000);
    gl(A, "E1", day(2024, 1, 15), "CC2", "6000", GL_TYPE_OPEX, 20000);
    gl(B, "E1", day(2024, 2, 1), "CC1", "4000", GL_TYPE_REVENUE, 120000);
    gl(B, "E1", day(2024, 1, 1), "CC1", "4000", GL_TYPE_REVENUE, 100000);
    gl(B, "E1", day(2024, 3, 1), "CC1", "4000", GL_TYPE_REVENUE, 100000);
    gl(B, "E1", day(2024, 2, 1), "CC2", "6000", GL_TYPE_OPEX, 25000);
    gl(B, "E1", day(2024, 1, 1), "CC2", "6000", GL_TYPE_OPEX, 25000);
}

Test(analyse_finance, kpis)
{
    load_config(true, 10, 1);
    start(2024, 2, NULL);
    feed_fixture();
    report_model_t *m = finish();

    /* revenue: Feb 1000 + 500 = 1500 (Mar 1 left out), Jan 800, Feb 2023 900, YTD 2300 */
    const kpi_t *k = kpi(m, "revenue");
    NEAR(k->value, 1500.0);
    NEAR(k->prior, 800.0);
    NEAR(k->last_year, 900.0);
    NEAR(k->ytd, 2300.0);
    NEAR(k->trend[MODEL_TREND_MONTHS - 1], 1500.0);
    NEAR(k->trend[MODEL_TREND_MONTHS - 2], 800.0);
    NEAR(k->trend[0], 900.0); /* the trend starts at the same month last year */
    NEAR(k->trend[1], 0.0);   /* Mar 2023: no rows, a flow of 0 */
    cr_assert_str_eq(k->area, "Finance");
    cr_assert_eq(k->unit, UNIT_MONEY);
    cr_assert(strlen(k->note) > 0);

    /* opex: Feb 300, Jan 200, YTD 500 */
    k = kpi(m, "opex");
    NEAR(k->value, 300.0);
    NEAR(k->prior, 200.0);
    NEAR(k->ytd, 500.0);

    /* gross margin: Feb (1500 - 600) / 1500 = 60%; Jan (800 - 0) / 800 = 100%;
     * Feb 2023 100%; YTD (2300 - 600) / 2300 = 73.913043%; Mar 2023 0/0 -> NAN */
    k = kpi(m, "gross_margin_pct");
    NEAR(k->value, 60.0);
    NEAR(k->prior, 100.0);
    NEAR(k->last_year, 100.0);
    NEAR(k->ytd, 170000.0 / 2300);
    cr_assert(isnan(k->trend[1]));

    /* revenue vs budget: Feb 1500 / 1200 = 125%; Jan 800 / 1000 = 80%; YTD 2300 / 2200 =
     * 104.545%; no budget in Feb 2023: 900 / 0 -> NAN (the March budget is outside YTD) */
    k = kpi(m, "revenue_vs_budget_pct");
    NEAR(k->value, 125.0);
    NEAR(k->prior, 80.0);
    NEAR(k->ytd, 230000.0 / 2200);
    cr_assert(isnan(k->last_year));

    /* opex vs budget: Feb 300 / 250 = 120%; Jan 200 / 250 = 80%; YTD 500 / 500 = 100% */
    k = kpi(m, "opex_vs_budget_pct");
    NEAR(k->value, 120.0);
    NEAR(k->prior, 80.0);
    NEAR(k->ytd, 100.0);
    cleanup(m);
}

Test(analyse_finance, variance_table)
{
    load_config(true, 10, 1);
    start(2024, 2, NULL);
    feed_fixture();
    report_model_t *m = finish();
    /* YTD by cost centre x account:
     *   CC1 5000 cogs     actual 600   budget    0  variance +600 unfavourable, % 600/0 -> empty
     *   CC1 4000 revenue  actual 2300  budget 2200  variance +100 favourable, % 100/2200 = 4.545%
     *   CC2 6000 opex     actual 500   budget  500  variance    0 favourable (not over), % 0
     * ordered by |variance| descending. */
    const model_table_t *t = model_find_table(m, TABLE_FINANCE_TOP_VARIANCES);
    cr_assert_not_null(t);
    cr_assert_eq(t->n_cols, 8);
    cr_assert_eq(t->n_rows, 3);
    cr_assert_str_eq(text(t, 0, 0), "CC1");
    cr_assert_str_eq(text(t, 0, 1), "5000");
    cr_assert_str_eq(text(t, 0, 2), "COGS");
    NEAR(cell(t, 0, 3), 600.0);
    NEAR(cell(t, 0, 4), 0.0);
    NEAR(cell(t, 0, 5), 600.0);
    cr_assert(isnan(cell(t, 0, 6)));
    cr_assert_str_eq(text(t, 0, 7), "Unfavourable");
    cr_assert_str_eq(text(t, 1, 1), "4000");
    cr_assert_str_eq(text(t, 1, 2), "Revenue");
    NEAR(cell(t, 1, 3), 2300.0);
    NEAR(cell(t, 1, 4), 2200.0);
    NEAR(cell(t, 1, 5), 100.0);
    NEAR(cell(t, 1, 6), 10000.0 / 2200);
    cr_assert_str_eq(text(t, 1, 7), "Favourable");
    cr_assert_str_eq(text(t, 2, 0), "CC2");
    cr_assert_str_eq(text(t, 2, 2), "Opex");
    NEAR(cell(t, 2, 5), 0.0);
    NEAR(cell(t, 2, 6), 0.0);
    cr_assert_str_eq(text(t, 2, 7), "Favourable");
    cleanup(m);
}

/* Revenue below budget is unfavourable, opex below budget favourable; top_n 2 keeps the two
 * largest of three lines; equal |variance| falls back to cost centre then account. */
Test(analyse_finance, variance_signs_and_top_n)
{
    load_config(true, 2, 1);
    start(2024, 2, NULL);
    gl(A, "E1", day(2024, 2, 5), "CC9", "4100", GL_TYPE_REVENUE, 10000);  /* 100 vs 300: -200 */
    gl(B, "E1", day(2024, 2, 5), "CC9", "4100", GL_TYPE_REVENUE, 30000);
    gl(A, "E1", day(2024, 2, 5), "CC1", "6100", GL_TYPE_OPEX, 5000);      /* 50 vs 250: -200 */
    gl(B, "E1", day(2024, 2, 5), "CC1", "6100", GL_TYPE_OPEX, 25000);
    gl(A, "E1", day(2024, 2, 5), "CC1", "6200", GL_TYPE_OPEX, 1000);      /* 10 vs 0: +10 */
    report_model_t *m = finish();
    const model_table_t *t = model_find_table(m, TABLE_FINANCE_TOP_VARIANCES);
    cr_assert_eq(t->n_rows, 2);
    /* tie at 200: CC1 before CC9 */
    cr_assert_str_eq(text(t, 0, 0), "CC1");
    cr_assert_str_eq(text(t, 0, 1), "6100");
    NEAR(cell(t, 0, 5), -200.0);
    NEAR(cell(t, 0, 6), -80.0); /* -200 / 250 */
    cr_assert_str_eq(text(t, 0, 7), "Favourable");
    cr_assert_str_eq(text(t, 1, 0), "CC9");
    NEAR(cell(t, 1, 5), -200.0);
    NEAR(cell(t, 1, 6), -200.0 / 3);
    cr_assert_str_eq(text(t, 1, 7), "Unfavourable");
    cleanup(m);
}

/* On budget exactly: variance 0 is favourable for revenue and for costs alike; ties on
 * |variance| are ordered by cost centre, then account. */
Test(analyse_finance, zero_variance_is_favourable)
{
    load_config(true, 10, 1);
    start(2024, 2, NULL);
    gl(A, "E1", day(2024, 1, 31), "CC1", "5000", GL_TYPE_COGS, 5000);
    gl(B, "E1", day(2024, 1, 1), "CC1", "5000", GL_TYPE_COGS, 5000);
    gl(A, "E1", day(2024, 2, 29), "CC1", "4000", GL_TYPE_REVENUE, 10000);
    gl(B, "E1", day(2024, 2, 1), "CC1", "4000", GL_TYPE_REVENUE, 10000);
    report_model_t *m = finish();
    const model_table_t *t = model_find_table(m, TABLE_FINANCE_TOP_VARIANCES);
    cr_assert_eq(t->n_rows, 2);
    cr_assert_str_eq(text(t, 0, 1), "4000");
    NEAR(cell(t, 0, 5), 0.0);
    NEAR(cell(t, 0, 6), 0.0);
    cr_assert_str_eq(text(t, 0, 7), "Favourable");
    cr_assert_str_eq(text(t, 1, 1), "5000");
    cr_assert_str_eq(text(t, 1, 7), "Favourable");
    /* revenue 100 / budget 100 in Feb; Jan: 0 / 0 -> empty; YTD 100 / 100 */
    NEAR(kpi(m, "revenue_vs_budget_pct")->value, 100.0);
    cr_assert(isnan(kpi(m, "revenue_vs_budget_pct")->prior));
    NEAR(kpi(m, "revenue_vs_budget_pct")->ytd, 100.0);
    /* Jan margin: revenue 0, COGS 50 -> 0/0 empty; Feb (100 - 0) / 100 = 100%; YTD 50% */
    cr_assert(isnan(kpi(m, "gross_margin_pct")->prior));
    NEAR(kpi(m, "gross_margin_pct")->ytd, 50.0);
    cleanup(m);
}

/* A fiscal year from April: YTD of Feb 2024 is Apr 2023 .. Feb 2024, so the Feb 2023 row is
 * outside it and YTD revenue is Jan 800 + Feb 1500 = 2300; the revenue budget YTD is 2200
 * (the March 2024 budget is in this fiscal year but after the period). */
Test(analyse_finance, fiscal_year_from_april)
{
    load_config(true, 10, 4);
    start(2024, 2, NULL);
    feed_fixture();
    gl(A, "E1", day(2023, 3, 31), "CC1", "4000", GL_TYPE_REVENUE, 40000); /* last day of FY 2022/23 */
    gl(A, "E1", day(2023, 4, 1), "CC1", "4000", GL_TYPE_REVENUE, 10000);  /* first day of FY 2023/24 */
    report_model_t *m = finish();
    NEAR(kpi(m, "revenue")->ytd, 2400.0); /* 100 + 800 + 1500 */
    NEAR(kpi(m, "revenue_vs_budget_pct")->ytd, 240000.0 / 2200);
    cr_assert_eq(m->fy_start.year, 2023);
    cr_assert_eq(m->fy_start.month, 4);
    cleanup(m);
}

/* Scope E1: rows of entity E2 are left out of the KPIs and the table. */
Test(analyse_finance, scope)
{
    load_config(true, 10, 1);
    start(2024, 2, "E1");
    gl(A, "E1", day(2024, 2, 3), "CC1", "4000", GL_TYPE_REVENUE, 20000);
    gl(A, "E2", day(2024, 2, 3), "CC1", "4000", GL_TYPE_REVENUE, 99900);
    gl(A, "E2", day(2024, 2, 3), "CC7", "5000", GL_TYPE_COGS, 5000);
    gl(B, "E2", day(2024, 2, 3), "CC1", "4000", GL_TYPE_REVENUE, 10000);
    report_model_t *m = finish();
    NEAR(kpi(m, "revenue")->value, 200.0);
    NEAR(kpi(m, "gross_margin_pct")->value, 100.0); /* no E1 COGS */
    cr_assert(isnan(kpi(m, "revenue_vs_budget_pct")->value)); /* E1 has no budget: 200 / 0 */
    const model_table_t *t = model_find_table(m, TABLE_FINANCE_TOP_VARIANCES);
    cr_assert_eq(t->n_rows, 1);
    NEAR(cell(t, 0, 3), 200.0);
    cr_assert_str_eq(m->scope, "E1");
    cleanup(m);
}

/* Empty period: flows are 0, every ratio is 0/0 -> NAN, the table is empty; no crash. */
Test(analyse_finance, empty)
{
    load_config(true, 10, 1);
    start(2024, 2, NULL);
    gl(A, "E1", day(2024, 3, 1), "CC1", "4000", GL_TYPE_REVENUE, 70000); /* after the period */
    report_model_t *m = finish();
    NEAR(kpi(m, "revenue")->value, 0.0);
    NEAR(kpi(m, "revenue")->ytd, 0.0);
    NEAR(kpi(m, "opex")->value, 0.0);
    cr_assert(isnan(kpi(m, "gross_margin_pct")->value));
    cr_assert(isnan(kpi(m, "gross_margin_pct")->ytd));
    cr_assert(isnan(kpi(m, "revenue_vs_budget_pct")->value));
    cr_assert(isnan(kpi(m, "opex_vs_budget_pct")->ytd));
    /* the March row opened a (CC1, 4000) line with zero YTD: variance 0, % 0/0 */
    const model_table_t *t = model_find_table(m, TABLE_FINANCE_TOP_VARIANCES);
    cr_assert_not_null(t);
    cr_assert_eq(t->n_rows, 1);
    NEAR(cell(t, 0, 5), 0.0);
    cr_assert(isnan(cell(t, 0, 6)));
    cleanup(m);
}

/* Without GL inputs configured the finance area adds nothing. */
Test(analyse_finance, not_configured)
{
    load_config(false, 10, 1);
    start(2024, 2, NULL);
    report_model_t *m = finish();
    cr_assert_null(model_find_kpi(m, "revenue"));
    cr_assert_null(model_find_table(m, TABLE_FINANCE_TOP_VARIANCES));
    cr_assert(!m->areas_present[AREA_FINANCE]);
    cleanup(m);
}

/* A gl_actuals input that was optional and not found hides the area (ingest stats present = false). */
Test(analyse_finance, optional_input_absent)
{
    load_config(true, 10, 1);
    start(2024, 2, NULL);
    ingest_stats_t st[1];
    memset(st, 0, sizeof st);
    snprintf(st[0].name, sizeof st[0].name, "gl_actuals");
    snprintf(st[0].kind, sizeof st[0].kind, "gl_actuals");
    st[0].present = false;
    report_model_t *m = NULL;
    ops_error_t err = { 0 };
    cr_assert_eq(analyse_finish(an, st, 1, &m, &err), OPS_OK);
    cr_assert_null(model_find_kpi(m, "revenue"));
    cleanup(m);
}

/* ---- without GL actuals to count: revenue from shipments; n/a, never 0 ------- */

static void load_ini(const char *body)
{
    char dir[] = "/tmp/test_finance_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/opsreport.ini", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "[report]\norganisation = Test Org\ncurrency = EUR\nminor_units = 2\nfiscal_year_start = 1\n%s", body);
    fclose(f);
    ops_error_t err = { 0 };
    cfg = NULL;
    cr_assert_eq(config_load(path, &cfg, &err), OPS_OK, "%s", err.message);
    unlink(path);
    rmdir(dir);
}

static void shipment(const char *site, int32_t date, int64_t cents)
{
    field_value_t v[SHIP_NFIELDS];
    memset(v, 0, sizeof v);
    v[SHIP_ID] = f_text("S");
    v[SHIP_CUSTOMER] = f_text("C");
    v[SHIP_SITE] = f_text(site);
    v[SHIP_SKU] = f_text("K");
    v[SHIP_DATE] = (field_value_t){ .present = true, .text = "d", .len = 1, .v.date = date };
    v[SHIP_PROMISED_DATE] = v[SHIP_DATE];
    v[SHIP_QTY_ORDERED] = (field_value_t){ .present = true, .text = "q", .len = 1, .v.num = 1 };
    v[SHIP_QTY_SHIPPED] = v[SHIP_QTY_ORDERED];
    v[SHIP_VALUE] = (field_value_t){ .present = true, .text = "m", .len = 1, .v.money = cents };
    const input_config_t *in = config_find_input(cfg, KIND_SHIPMENTS);
    cr_assert_not_null(in);
    ingest_record_t rec = { .input = in, .values = v, .line = 2 };
    ops_error_t err = { 0 };
    cr_assert_eq(analyse_record(an, &rec, &err), OPS_OK);
}

/* Ingest's counts for one input, every field mapped. */
static ingest_stats_t stats_of(const char *name, uint64_t accepted, uint64_t rejected)
{
    ingest_stats_t s;
    memset(&s, 0, sizeof s);
    snprintf(s.name, sizeof s.name, "%s", name);
    snprintf(s.kind, sizeof s.kind, "%s", name);
    s.present = true;
    s.rows_read = accepted + rejected;
    s.rows_accepted = accepted;
    s.rows_rejected = rejected;
    for (size_t f = 0; f < CONFIG_MAX_FIELDS; f++)
        s.field_mapped[f] = true;
    return s;
}

/* Shipments (S1): Feb 03 100.00, Feb 29 50.00, Jan 31 30.00, Mar 01 999.00
 * (after the period). No GL: revenue from shipments 150.00, prior 30.00, YTD
 * 180.00, in the finance area; no GL KPIs, no GL detail, no finance page. */
Test(analyse_finance, revenue_from_shipments_without_gl)
{
    load_ini("[input.shipments]\nfile = shipments.csv\n");
    start(2024, 2, NULL);
    shipment("S1", day(2024, 2, 3), 10000);
    shipment("S1", day(2024, 2, 29), 5000);
    shipment("S1", day(2024, 1, 31), 3000);
    shipment("S1", day(2024, 3, 1), 99900);
    report_model_t *m = finish();
    const kpi_t *k = kpi(m, "shipment_revenue");
    NEAR(k->value, 150);
    NEAR(k->prior, 30);
    NEAR(k->ytd, 180);
    cr_expect_str_eq(k->label, "Revenue from shipments");
    cr_expect_str_eq(k->area, "Finance");
    cr_expect(strstr(k->note, "not booked revenue") != NULL, "%s", k->note);
    cr_expect_null(model_find_kpi(m, "revenue"));
    cr_expect(m->areas_present[AREA_FINANCE]);
    cr_expect(!m->gl_present);
    cr_expect_null(m->gl_detail.spool);
    cleanup(m);
}

/* With GL actuals the GL revenue stands alone: no shipment stand-in. */
Test(analyse_finance, gl_revenue_wins_over_shipments)
{
    load_ini("[input.gl_actuals]\nfile = gl.csv\n[input.gl_budget]\nfile = b.csv\n[input.shipments]\nfile = s.csv\n");
    start(2024, 2, NULL);
    gl(A, "E1", day(2024, 2, 1), "CC1", "4000", GL_TYPE_REVENUE, 100000);
    shipment("S1", day(2024, 2, 3), 10000);
    report_model_t *m = finish();
    NEAR(kpi(m, "revenue")->value, 1000);
    cr_expect_null(model_find_kpi(m, "shipment_revenue"));
    cr_expect(m->gl_present);
    cr_expect_not_null(m->gl_detail.spool);
    cleanup(m);
}

/* Every GL actuals row rejected (5 of 5): the GL KPIs are n/a, not 0, the
 * variance table too, and sales from shipments (100.00) stand in. The
 * budget alone gives no finance page. */
Test(analyse_finance, gl_rejected_entirely)
{
    load_ini("[input.gl_actuals]\nfile = gl.csv\n[input.gl_budget]\nfile = b.csv\n[input.shipments]\nfile = s.csv\n");
    start(2024, 2, NULL);
    gl(B, "E1", day(2024, 2, 1), "CC2", "6000", GL_TYPE_OPEX, 25000);
    shipment("S1", day(2024, 2, 3), 10000);
    ingest_stats_t st[3] = { stats_of("gl_actuals", 0, 5), stats_of("gl_budget", 1, 0), stats_of("shipments", 1, 0) };
    report_model_t *m = NULL;
    ops_error_t err = { 0 };
    cr_assert_eq(analyse_finish(an, st, 3, &m, &err), OPS_OK, "%s", err.message);
    static const char *const ids[] = { "revenue", "opex", "gross_margin_pct", "revenue_vs_budget_pct",
                                       "opex_vs_budget_pct" };
    for (size_t i = 0; i < 5; i++) {
        const kpi_t *k = kpi(m, ids[i]);
        cr_expect(isnan(k->value) && isnan(k->ytd), "%s", ids[i]);
        cr_expect_eq(k->na, KPI_NA_REJECTED, "%s", ids[i]);
        cr_expect_str_eq(k->na_reason, "every row of gl_actuals was rejected");
    }
    const model_table_t *t = model_find_table(m, TABLE_FINANCE_TOP_VARIANCES);
    cr_assert_not_null(t);
    cr_expect_eq(t->n_rows, 0);
    NEAR(kpi(m, "shipment_revenue")->value, 100);
    cr_expect(!m->gl_present);
    cleanup(m);
}

/* Without a budget input the vs-budget KPIs say so instead of a bare empty. */
Test(analyse_finance, no_budget_input)
{
    load_ini("[input.gl_actuals]\nfile = gl.csv\n");
    start(2024, 2, NULL);
    gl(A, "E1", day(2024, 2, 1), "CC1", "4000", GL_TYPE_REVENUE, 100000);
    report_model_t *m = finish();
    NEAR(kpi(m, "revenue")->value, 1000);
    const kpi_t *k = kpi(m, "revenue_vs_budget_pct");
    cr_expect(isnan(k->value));
    cr_expect_eq(k->na, KPI_NA_NO_INPUT);
    cr_expect_str_eq(k->na_reason, "no gl_budget input");
    cleanup(m);
}

/* ingest's stats become the analysis context: absent, rejected entirely
 * (accepted 0, rejected > 0; rows only filtered out are not), unmapped fields. */
Test(analyse_finance, stats_into_context)
{
    load_config(true, 10, 1);
    analyse_ctx_t c;
    analyse_ctx_init(&c, cfg, (period_t){ 2024, 2 }, NULL);
    ingest_stats_t st[4] = { stats_of("tickets", 3, 0), stats_of("risks", 0, 2), stats_of("controls", 0, 0),
                             stats_of("production", 0, 0) };
    st[0].field_mapped[TKT_FIRST_RESPONSE_AT] = false;
    st[2].rows_read = st[2].rows_filtered = 4;
    st[3].present = false;
    ctx_set_stats(&c, st, 4);
    cr_expect(c.field_unmapped[KIND_TICKETS][TKT_FIRST_RESPONSE_AT]);
    cr_expect(!c.field_unmapped[KIND_TICKETS][TKT_CREATED_AT]);
    cr_expect(!c.input_rejected[KIND_TICKETS]);
    cr_expect(c.input_rejected[KIND_RISKS]);
    cr_expect(!c.input_rejected[KIND_CONTROLS], "filtered to nothing is not rejected");
    cr_expect(c.input_absent[KIND_PRODUCTION]);
    config_free(cfg);
}

/*
 * Many GL groups, the budget of half of them arriving after their actuals
 * and 300 budget-only groups after those (the groups' storage grows with and
 * without budgets). Group i is cost centre CC<i % 3>, account A<i>, opex:
 *   actuals  i < 600, Feb 10 2024, i + 1 cents: month and YTD
 *   budget   even i < 1200, Mar 01 2024, 1000 + i cents: full year only
 * so 600 + 300 lines, each checkable from its account number.
 */
static void feed_many_actuals(void)
{
    char cc[8], account[8];
    for (int i = 0; i < 600; i++) {
        snprintf(cc, sizeof cc, "CC%d", i % 3);
        snprintf(account, sizeof account, "A%04d", i);
        gl(A, "E1", day(2024, 2, 10), cc, account, GL_TYPE_OPEX, i + 1);
    }
}

static void feed_many_budgets(void)
{
    char cc[8], account[8];
    for (int i = 0; i < 1200; i += 2) {
        snprintf(cc, sizeof cc, "CC%d", i % 3);
        snprintf(account, sizeof account, "A%04d", i);
        gl(B, "E1", day(2024, 3, 1), cc, account, GL_TYPE_OPEX, 1000 + i);
    }
}

static void check_many_groups(const report_model_t *m, const char *what)
{
    cr_assert_eq(m->n_bva_lines, 900, "%s: %zu lines", what, m->n_bva_lines);
    int64_t actual = 0, budget = 0;
    for (size_t k = 0; k < m->n_bva_lines; k++) {
        const bva_row_t *r = &m->bva_lines[k];
        int i = atoi(r->account + 1);
        char cc[8];
        snprintf(cc, sizeof cc, "CC%d", i % 3);
        cr_assert_str_eq(r->cost_centre, cc, "%s: line %zu", what, k);
        cr_assert_eq(r->actual_month, i < 600 ? i + 1 : 0, "%s: %s", what, r->account);
        cr_assert_eq(r->actual_ytd, i < 600 ? i + 1 : 0, "%s: %s", what, r->account);
        cr_assert_eq(r->budget_full_year, i % 2 ? 0 : 1000 + i, "%s: %s", what, r->account);
        cr_assert_eq(r->budget_month, 0);
        cr_assert_eq(r->budget_ytd, 0);
        if (k)
            cr_assert(strcmp(r[-1].cost_centre, r->cost_centre) < 0 ||
                          (!strcmp(r[-1].cost_centre, r->cost_centre) && strcmp(r[-1].account, r->account) < 0),
                      "%s: line %zu out of order", what, k);
        actual += r->actual_month;
        budget += r->budget_full_year;
    }
    /* 1 + ... + 600; 300 even i < 600 and 300 from 600: 1000 x 600 + 2 x (0 + ... + 599) */
    cr_assert_eq(actual, 180300);
    cr_assert_eq(budget, 600000 + 2 * 179700);
    cr_assert_eq(m->bva_by_type[GL_TYPE_OPEX].actual_month, 180300);
    cr_assert_eq(m->bva_by_type[GL_TYPE_OPEX].budget_full_year, 600000 + 2 * 179700);
    cr_assert_eq(m->n_bva_cc, 3, "%s: one subtotal a cost centre", what);
}

static analyse_t *fresh(void)
{
    analyse_t *a = NULL;
    ops_error_t err = { 0 };
    cr_assert_eq(analyse_new(cfg, (period_t){ 2024, 2 }, NULL, &a, &err), OPS_OK, "%s", err.message);
    return a;
}

/* Saved and loaded back through a temporary file. */
static analyse_t *reloaded(analyse_t *a)
{
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    ops_error_t err = { 0 };
    cr_assert_eq(analyse_save(a, f, &err), OPS_OK, "%s", err.message);
    rewind(f);
    analyse_t *back = NULL;
    cr_assert_eq(analyse_load(f, cfg, (period_t){ 2024, 2 }, &back, &err), OPS_OK, "%s", err.message);
    fclose(f);
    analyse_free(a);
    return back;
}

Test(analyse_finance, many_groups_budget_late)
{
    load_config(true, 10, 1);
    ops_error_t err = { 0 };
    report_model_t *m = NULL;
    /* one pass */
    an = fresh();
    feed_many_actuals();
    feed_many_budgets();
    cr_assert_eq(analyse_finish(an, NULL, 0, &m, &err), OPS_OK, "%s", err.message);
    check_many_groups(m, "one pass");
    report_model_free(m);
    analyse_free(an);
    /* actuals and budgets in two parts, merged either way, each part saved and loaded */
    for (int order = 0; order < 2; order++) {
        analyse_t *actuals = an = fresh();
        feed_many_actuals();
        analyse_t *budgets = an = fresh();
        feed_many_budgets();
        actuals = reloaded(actuals);
        budgets = reloaded(budgets);
        analyse_t *dst = order ? budgets : actuals, *src = order ? actuals : budgets;
        cr_assert_eq(analyse_merge(dst, src, &err), OPS_OK, "%s", err.message);
        cr_assert_eq(analyse_finish(dst, NULL, 0, &m, &err), OPS_OK, "%s", err.message);
        check_many_groups(m, order ? "budgets + actuals" : "actuals + budgets");
        report_model_free(m);
        analyse_free(actuals);
        analyse_free(budgets);
    }
    an = NULL;
    config_free(cfg);
}
