/*
 * test_analyse_risk.c - the risk and compliance area module
 * (pipeline/analyse/risk.c) on hand-made risk register and control rows.
 * The period is February 2024 (a leap year: the period ends on the 29th),
 * the fiscal year starts in January. The register is a snapshot: closed
 * risks are left out of everything, and open risks count from the month
 * they were raised. Every expected value is worked out by hand in the
 * comments; money is in cents in the rows and in euros in the model.
 */
#include "analyse/analyse_internal.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "analyse_fixture.h"

static report_model_t *finish(void *st) { return fixture_finish(&area_risk, st); }

#define EPS 1e-6
#define NEAR(a, b) cr_assert(fabs((a) - (b)) < EPS, "%s = %.9g, expected %.9g", #a, (double)(a), (double)(b))

static analysis_settings_t settings;
static input_config_t inputs[2];
static config_t cfg;
static analyse_ctx_t ctx;

static void setup_ctx(int year, int month, bool risks, bool controls, int top_n)
{
    memset(&cfg, 0, sizeof cfg);
    memset(inputs, 0, sizeof inputs);
    settings = (analysis_settings_t){ .service_level = 0.95, .top_n = top_n, .slow_days = 90, .dead_days = 180,
                                      .hours_per_day = 8 };
    size_t n = 0;
    if (risks)
        inputs[n++].schema = schema_for_kind(KIND_RISKS);
    if (controls)
        inputs[n++].schema = schema_for_kind(KIND_CONTROLS);
    cfg.inputs = inputs;
    cfg.n_inputs = n;
    cfg.fiscal_year_start = 1;
    cfg.analysis = settings;
    analyse_ctx_init(&ctx, &cfg, (period_t){ year, month }, NULL);
    ctx.settings = &settings; /* tests change settings after setup */
}


static void feed(void *st, input_kind_t kind, const field_value_t *v)
{
    input_config_t in = { .schema = schema_for_kind(kind) };
    ingest_record_t rec = { .input = &in, .values = v, .line = 2 };
    ops_error_t err = { 0 };
    cr_assert_eq(area_risk.record(st, &rec, &err), OPS_OK);
}

#define NO_EXPOSURE (-1)
/* exposure NO_EXPOSURE: empty; due 0: no mitigation date; site NULL: absent. */
static void risk(void *st, const char *id, const char *title, const char *owner, const char *site, int32_t raised,
                 int likelihood, int impact, int64_t exposure, int32_t due, int status)
{
    field_value_t v[RISK_NFIELDS];
    memset(v, 0, sizeof v);
    v[RISK_ID] = f_text(id);
    v[RISK_TITLE] = f_text(title);
    v[RISK_OWNER] = f_text(owner);
    v[RISK_CATEGORY] = f_text("Ops");
    v[RISK_SITE] = f_text(site);
    v[RISK_RAISED_DATE] = f_date(raised);
    v[RISK_LIKELIHOOD] = f_int(likelihood);
    v[RISK_IMPACT] = f_int(impact);
    if (exposure != NO_EXPOSURE)
        v[RISK_EXPOSURE] = (field_value_t){ .present = true, .text = "m", .len = 1, .v.money = exposure };
    if (due)
        v[RISK_MITIGATION_DUE] = f_date(due);
    v[RISK_STATUS] = (field_value_t){ .present = true, .text = "s", .len = 1, .v.enum_index = status };
    feed(st, KIND_RISKS, v);
}

/* findings < 0: empty; oldest 0: empty. */
static void control(void *st, const char *id, const char *area, const char *owner, int status, int32_t audit_due,
                    int findings, int32_t oldest)
{
    field_value_t v[CTL_NFIELDS];
    memset(v, 0, sizeof v);
    v[CTL_ID] = f_text(id);
    v[CTL_AREA] = f_text(area);
    v[CTL_OWNER] = f_text(owner);
    v[CTL_STATUS] = (field_value_t){ .present = true, .text = "s", .len = 1, .v.enum_index = status };
    v[CTL_LAST_TESTED] = f_date(day(2023, 6, 1));
    v[CTL_NEXT_AUDIT_DUE] = f_date(audit_due);
    if (findings >= 0)
        v[CTL_OPEN_FINDINGS] = f_int(findings);
    if (oldest)
        v[CTL_OLDEST_FINDING_DATE] = f_date(oldest);
    feed(st, KIND_CONTROLS, v);
}





/*
 * Risks (L x I = score), exposure in euros:
 *  R1 Fire     Ann S1 raised 2023-06-01  4x5 = 20  5000  due 2024-02-28 (before Feb 29: overdue)  open
 *  R2 Flood    Bob S1 raised 2024-02-29  3x5 = 15  1000  due 2024-02-29 (the period end: not overdue) mitigating
 *  R3 Strike   Cat S2 raised 2024-01-31  2x2 = 4   -     no due date                               open
 *  R4 Cyber    Dan S1 raised 2023-01-10  5x5 = 25  9000  closed: left out
 *  R5 Supplier Eve S1 raised 2024-03-01  5x4 = 20  3000  raised after the period: left out
 *  R6 Recall   Fay S1 raised 2024-01-05  4x5 = 20  2000  due 2024-03-31                            open
 */
static void *feed_risks(void)
{
    void *st = area_risk.create(&ctx);
    cr_assert_not_null(st);
    risk(st, "R1", "Fire", "Ann", "S1", day(2023, 6, 1), 4, 5, 500000, day(2024, 2, 28), RISK_STATUS_OPEN);
    risk(st, "R2", "Flood", "Bob", "S1", day(2024, 2, 29), 3, 5, 100000, day(2024, 2, 29), RISK_STATUS_MITIGATING);
    risk(st, "R3", "Strike", "Cat", "S2", day(2024, 1, 31), 2, 2, NO_EXPOSURE, 0, RISK_STATUS_OPEN);
    risk(st, "R4", "Cyber", "Dan", "S1", day(2023, 1, 10), 5, 5, 900000, day(2023, 6, 1), RISK_STATUS_CLOSED);
    risk(st, "R5", "Supplier", "Eve", "S1", day(2024, 3, 1), 5, 4, 300000, day(2024, 1, 1), RISK_STATUS_OPEN);
    risk(st, "R6", "Recall", "Fay", "S1", day(2024, 1, 5), 4, 5, 200000, day(2024, 3, 31), RISK_STATUS_OPEN);
    return st;
}

Test(analyse_risk, risk_kpis)
{
    setup_ctx(2024, 2, true, false, 10);
    void *st = feed_risks();
    report_model_t *m = finish(st);

    /* open by month end: Feb R1 R2 (raised on the 29th) R3 R6 = 4; Jan R1 R3 (the 31st) R6 = 3;
     * Dec 2023 R1 = 1; Feb 2023 none (R4 is closed). YTD of a level = the value. */
    const kpi_t *k = kpi(m, "open_risks");
    NEAR(k->value, 4);
    NEAR(k->prior, 3);
    NEAR(k->trend[MODEL_TREND_MONTHS - 3], 1);
    NEAR(k->last_year, 0);
    NEAR(k->ytd, 4);
    cr_assert_str_eq(k->area, "Risk and compliance");

    /* score >= 15: R1 20, R2 15, R6 20 = 3 */
    NEAR(kpi(m, "high_risks")->value, 3);
    /* mitigation due before Feb 29: R1 only (R2 due on the 29th, R5 is not in the register yet) */
    NEAR(kpi(m, "overdue_mitigations")->value, 1);

    /* exposure: Feb 5000 + 1000 + 0 + 2000 = 8000; Jan 7000; Dec 5000 */
    k = kpi(m, "risk_exposure");
    NEAR(k->value, 8000.0);
    NEAR(k->prior, 7000.0);
    NEAR(k->trend[MODEL_TREND_MONTHS - 3], 5000.0);
    NEAR(k->ytd, 8000.0);
    cr_assert_eq(k->unit, UNIT_MONEY);

    /* heat map [likelihood-1][impact-1]: (4,5) R1 R6; (3,5) R2; (2,2) R3; nothing else */
    cr_assert_eq(m->heat_map[3][4], 2);
    cr_assert_eq(m->heat_map[2][4], 1);
    cr_assert_eq(m->heat_map[1][1], 1);
    int total = 0;
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++)
            total += m->heat_map[i][j];
    cr_assert_eq(total, 4);

    area_risk.destroy(st);
    report_model_free(m);
}

/* Top risks by score, then exposure, then id; top_n 3 drops R3 (score 4). */
Test(analyse_risk, top_risks_table)
{
    setup_ctx(2024, 2, true, false, 3);
    void *st = feed_risks();
    report_model_t *m = finish(st);
    const model_table_t *t = table(m, TABLE_RISK_TOP_RISKS);
    cr_assert_eq(t->n_rows, 3);
    cr_assert_str_eq(text(t, 0, 0), "R1"); /* 20, exposure 5000 */
    cr_assert_str_eq(text(t, 0, 1), "Fire");
    cr_assert_str_eq(text(t, 0, 2), "Ann");
    NEAR(cell(t, 0, 3), 20);
    NEAR(cell(t, 0, 4), 4);
    NEAR(cell(t, 0, 5), 5);
    NEAR(cell(t, 0, 6), 5000.0);
    NEAR(cell(t, 0, 7), day(2024, 2, 28));
    cr_assert_str_eq(text(t, 0, 8), "yes");
    cr_assert_str_eq(text(t, 1, 0), "R6"); /* 20, exposure 2000 */
    cr_assert_str_eq(text(t, 1, 8), "no");
    cr_assert_str_eq(text(t, 2, 0), "R2"); /* 15 */
    NEAR(cell(t, 2, 7), day(2024, 2, 29));
    cr_assert_str_eq(text(t, 2, 8), "no");
    area_risk.destroy(st);
    report_model_free(m);
}

/* Scope S2: only R3; a risk without a site is out of any scope. No due date -> empty cell. */
Test(analyse_risk, scope)
{
    setup_ctx(2024, 2, true, true, 10);
    ctx.scope = "S2";
    void *st = feed_risks();
    risk(st, "R7", "Nowhere", NULL, NULL, day(2024, 1, 1), 5, 5, 100, 0, RISK_STATUS_OPEN);
    /* controls are organisation-wide: counted under any scope */
    control(st, "C1", "IT", "Bob", CTL_STATUS_COMPLIANT, day(2024, 6, 1), 0, 0);
    report_model_t *m = finish(st);
    NEAR(kpi(m, "open_risks")->value, 1);
    NEAR(kpi(m, "open_risks")->prior, 1);
    NEAR(kpi(m, "high_risks")->value, 0);
    NEAR(kpi(m, "risk_exposure")->value, 0.0);
    const model_table_t *t = table(m, TABLE_RISK_TOP_RISKS);
    cr_assert_eq(t->n_rows, 1);
    cr_assert_str_eq(text(t, 0, 0), "R3");
    cr_assert_str_eq(text(t, 0, 2), "Cat");
    NEAR(cell(t, 0, 6), 0.0);
    cr_assert(isnan(cell(t, 0, 7)));
    cr_assert_str_eq(text(t, 0, 8), "no");
    NEAR(kpi(m, "controls_compliant_pct")->value, 100.0);
    area_risk.destroy(st);
    report_model_free(m);
}

/*
 * Controls (period end Feb 29 2024):
 *  C1 IT  Bob compliant      audit 2024-03-15            findings 0
 *  C2 HR  Ann non_compliant  audit 2024-02-28 (1 day over) findings 3, oldest 2024-01-30: 30 days -> 0-30
 *  C3 Ops Cat not_tested     audit 2024-02-29 (not over)  findings 2, oldest 2024-01-29: 31 days -> 31-90
 *  C4 Fin Dan compliant      audit 2023-12-31 (60 days)   findings 1, oldest 2023-09-01: 181 days -> over 180
 *  C5 Fin Eve compliant      audit 2024-06-30             findings 4, no oldest date: in the total only
 *  C6 QA  Fay not_tested     audit 2024-12-31             findings 5, oldest 2023-12-01: 90 days -> 31-90
 *  C7 QA  Gus compliant      audit 2024-12-31             findings empty (0), oldest 2023-01-01: ignored
 */
static void *feed_controls(void)
{
    void *st = area_risk.create(&ctx);
    control(st, "C1", "IT", "Bob", CTL_STATUS_COMPLIANT, day(2024, 3, 15), 0, 0);
    control(st, "C2", "HR", "Ann", CTL_STATUS_NON_COMPLIANT, day(2024, 2, 28), 3, day(2024, 1, 30));
    control(st, "C3", "Ops", "Cat", CTL_STATUS_NOT_TESTED, day(2024, 2, 29), 2, day(2024, 1, 29));
    control(st, "C4", "Fin", "Dan", CTL_STATUS_COMPLIANT, day(2023, 12, 31), 1, day(2023, 9, 1));
    control(st, "C5", "Fin", "Eve", CTL_STATUS_COMPLIANT, day(2024, 6, 30), 4, 0);
    control(st, "C6", "QA", "Fay", CTL_STATUS_NOT_TESTED, day(2024, 12, 31), 5, day(2023, 12, 1));
    control(st, "C7", "QA", "Gus", CTL_STATUS_COMPLIANT, day(2024, 12, 31), -1, day(2023, 1, 1));
    return st;
}

Test(analyse_risk, controls)
{
    setup_ctx(2024, 2, false, true, 10);
    void *st = feed_controls();
    report_model_t *m = finish(st);
    /* compliant C1 C4 C5 C7 = 4, non-compliant C2 = 1; not tested left out: 4/5 = 80% */
    const kpi_t *k = kpi(m, "controls_compliant_pct");
    NEAR(k->value, 80.0);
    NEAR(k->ytd, 80.0);
    cr_assert(isnan(k->prior));
    /* findings 0 + 3 + 2 + 1 + 4 + 5 + 0 = 15 */
    NEAR(kpi(m, "open_findings")->value, 15);
    /* audits due before Feb 29: C2, C4 */
    NEAR(kpi(m, "overdue_audits")->value, 2);
    /* no risks input: no risk KPIs */
    cr_assert_null(model_find_kpi(m, "open_risks"));

    /* by age of the oldest finding: 0-30: C2 3; 31-90: C3 2 + C6 5 = 7; 91-180: 0; over 180: C4 1 */
    const model_table_t *t = table(m, TABLE_RISK_FINDINGS_BY_AGE);
    cr_assert_eq(t->n_rows, 4);
    cr_assert_str_eq(text(t, 0, 0), "0-30 days");
    NEAR(cell(t, 0, 1), 3);
    NEAR(cell(t, 1, 1), 7);
    NEAR(cell(t, 2, 1), 0);
    cr_assert_str_eq(text(t, 3, 0), "over 180 days");
    NEAR(cell(t, 3, 1), 1);

    /* overdue audits, earliest first: C4 (Dec 31: 31 + 29 = 60 days), C2 (1 day) */
    t = table(m, TABLE_RISK_OVERDUE_AUDITS);
    cr_assert_eq(t->n_rows, 2);
    cr_assert_str_eq(text(t, 0, 0), "C4");
    cr_assert_str_eq(text(t, 0, 1), "Fin");
    cr_assert_str_eq(text(t, 0, 2), "Dan");
    NEAR(cell(t, 0, 3), day(2023, 12, 31));
    NEAR(cell(t, 0, 4), 60);
    cr_assert_str_eq(text(t, 1, 0), "C2");
    NEAR(cell(t, 1, 4), 1);
    area_risk.destroy(st);
    report_model_free(m);
}

/* top_n 1 keeps the longest overdue audit; the KPI counts both. */
Test(analyse_risk, overdue_audits_top_n)
{
    setup_ctx(2024, 2, false, true, 1);
    void *st = feed_controls();
    report_model_t *m = finish(st);
    const model_table_t *t = table(m, TABLE_RISK_OVERDUE_AUDITS);
    cr_assert_eq(t->n_rows, 1);
    cr_assert_str_eq(text(t, 0, 0), "C4");
    NEAR(kpi(m, "overdue_audits")->value, 2);
    area_risk.destroy(st);
    report_model_free(m);
}

/* Empty: no risks -> 0 counts, 0 exposure, empty table, empty heat map; no tested control ->
 * compliance 0/0 NAN (only not-tested controls: still NAN); unconfigured: nothing. */
Test(analyse_risk, empty_and_division_by_zero)
{
    setup_ctx(2024, 2, true, true, 10);
    void *st = area_risk.create(&ctx);
    report_model_t *m = finish(st);
    NEAR(kpi(m, "open_risks")->value, 0);
    NEAR(kpi(m, "high_risks")->value, 0);
    NEAR(kpi(m, "overdue_mitigations")->value, 0);
    NEAR(kpi(m, "risk_exposure")->value, 0.0);
    cr_assert_eq(table(m, TABLE_RISK_TOP_RISKS)->n_rows, 0);
    cr_assert(isnan(kpi(m, "controls_compliant_pct")->value));
    NEAR(kpi(m, "open_findings")->value, 0);
    NEAR(kpi(m, "overdue_audits")->value, 0);
    cr_assert_eq(table(m, TABLE_RISK_FINDINGS_BY_AGE)->n_rows, 4);
    cr_assert_eq(table(m, TABLE_RISK_OVERDUE_AUDITS)->n_rows, 0);
    area_risk.destroy(st);
    report_model_free(m);

    setup_ctx(2024, 2, false, true, 10);
    st = area_risk.create(&ctx);
    control(st, "C", "IT", "Bob", CTL_STATUS_NOT_TESTED, day(2024, 6, 1), 0, 0);
    m = finish(st);
    cr_assert(isnan(kpi(m, "controls_compliant_pct")->value));
    area_risk.destroy(st);
    report_model_free(m);

    setup_ctx(2024, 2, false, false, 10);
    st = area_risk.create(&ctx);
    risk(st, "R", "T", "O", "S1", day(2024, 2, 1), 5, 5, 100, 0, RISK_STATUS_OPEN);
    m = finish(st);
    cr_assert_eq(m->n_kpis, 0);
    cr_assert_eq(m->n_tables, 0);
    cr_assert_eq(m->heat_map[4][4], 0);
    area_risk.destroy(st);
    report_model_free(m);
    area_risk.destroy(NULL);
}

/* ---- n/a, never 0 -------------------------------------------------------------- */

/* A register without Exposure and Mitigation Due columns: R1 (4 x 4 = 16)
 * and R2 (2 x 2), both open, raised in January. Open 2 and high 1 need
 * neither field; exposure would be 0 and overdue mitigations 0: n/a. The top
 * risks table keeps the risks, without exposure and with "n/a" overdue.
 * Controls without Open Findings: the findings count and buckets are n/a,
 * compliance (1 of 1) stays. */
Test(analyse_risk, unmapped_exposure_due_and_findings)
{
    setup_ctx(2024, 2, true, true, 10);
    ctx.field_unmapped[KIND_RISKS][RISK_EXPOSURE] = true;
    ctx.field_unmapped[KIND_RISKS][RISK_MITIGATION_DUE] = true;
    ctx.field_unmapped[KIND_CONTROLS][CTL_OPEN_FINDINGS] = true;
    void *st = area_risk.create(&ctx);
    risk(st, "R1", "Fire", "Ann", "S1", day(2024, 1, 5), 4, 4, NO_EXPOSURE, 0, RISK_STATUS_OPEN);
    risk(st, "R2", "Flood", "Bob", "S1", day(2024, 1, 6), 2, 2, NO_EXPOSURE, 0, RISK_STATUS_OPEN);
    control(st, "C1", "Finance", "Cy", CTL_STATUS_COMPLIANT, day(2025, 1, 1), -1, 0);
    report_model_t *m = finish(st);
    NEAR(kpi(m, "open_risks")->value, 2);
    NEAR(kpi(m, "high_risks")->value, 1);
    const kpi_t *k = kpi(m, "risk_exposure");
    cr_expect(isnan(k->value) && isnan(k->prior) && isnan(k->trend[MODEL_TREND_MONTHS - 1]));
    cr_expect_str_eq(k->na_reason, "no exposure in the risks export");
    cr_expect_str_eq(kpi(m, "overdue_mitigations")->na_reason, "no mitigation_due in the risks export");
    const model_table_t *t = table(m, TABLE_RISK_TOP_RISKS);
    cr_assert_eq(t->n_rows, 2);
    cr_expect(isnan(cell(t, 0, 6)));
    cr_expect_str_eq(text(t, 0, 8), "n/a");
    NEAR(kpi(m, "controls_compliant_pct")->value, 100);
    cr_expect(isnan(kpi(m, "open_findings")->value));
    cr_expect_str_eq(table(m, TABLE_RISK_FINDINGS_BY_AGE)->na_reason, "no open_findings in the controls export");
    area_risk.destroy(st);
    report_model_free(m);
}
