/*
 * test_analyse_people.c - the people area module (pipeline/analyse/people.c)
 * on hand-made employee and training rows. The period is February 2024 (a
 * leap year: the 29th is the last day), the fiscal year starts in January,
 * so YTD = Jan + Feb, and the 25-month window starts in February 2022.
 * Employees are fed before training, as the default config orders them.
 * Every expected value is worked out by hand in the comments.
 */
#include "analyse/analyse_internal.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "analyse_fixture.h"

static report_model_t *finish(void *st) { return fixture_finish(&area_people, st); }

#define EPS 1e-6
#define NEAR(a, b) cr_assert(fabs((a) - (b)) < EPS, "%s = %.9g, expected %.9g", #a, (double)(a), (double)(b))

static analysis_settings_t settings;
static input_config_t inputs[2];
static config_t cfg;
static analyse_ctx_t ctx;

static void setup_ctx(int year, int month, bool employees, bool training, int top_n)
{
    memset(&cfg, 0, sizeof cfg);
    memset(inputs, 0, sizeof inputs);
    settings = (analysis_settings_t){ .service_level = 0.95, .top_n = top_n, .slow_days = 90, .dead_days = 180,
                                      .hours_per_day = 8 };
    size_t n = 0;
    if (employees)
        inputs[n++].schema = schema_for_kind(KIND_EMPLOYEES);
    if (training)
        inputs[n++].schema = schema_for_kind(KIND_TRAINING);
    cfg.inputs = inputs;
    cfg.n_inputs = n;
    cfg.fiscal_year_start = 1;
    cfg.analysis = settings;
    analyse_ctx_init(&ctx, &cfg, (period_t){ year, month }, NULL);
    ctx.settings = &settings; /* tests change settings after setup */
}


static input_config_t employees_in = { .schema = NULL }, training_in = { .schema = NULL };

#define STAYING 0
enum { VOL = EMP_LEAVE_VOLUNTARY, INVOL = EMP_LEAVE_INVOLUNTARY };

/* One employee; leave 0: still employed (reason ignored). */
static void emp(void *st, const char *id, const char *site, const char *dept, int32_t hire, int32_t leave,
                int reason, double fte)
{
    field_value_t v[EMP_NFIELDS];
    memset(v, 0, sizeof v);
    v[EMP_ID] = f_text(id);
    v[EMP_NAME] = f_text("Name");
    v[EMP_SITE] = f_text(site);
    v[EMP_DEPARTMENT] = f_text(dept);
    v[EMP_HIRE_DATE] = f_date(hire);
    if (leave) {
        v[EMP_LEAVE_DATE] = f_date(leave);
        v[EMP_LEAVE_REASON] = (field_value_t){ .present = true, .text = "r", .len = 1, .v.enum_index = reason };
    }
    v[EMP_FTE] = (field_value_t){ .present = true, .text = "f", .len = 1, .v.num = fte };
    employees_in.schema = schema_for_kind(KIND_EMPLOYEES);
    ingest_record_t rec = { .input = &employees_in, .values = v, .line = 2 };
    ops_error_t err = { 0 };
    cr_assert_eq(area_people.record(st, &rec, &err), OPS_OK);
}

/* One training record; completed 0: not completed; hours < 0: empty. */
static void trn(void *st, const char *id, const char *employee, const char *course, bool mandatory, int32_t due,
                int32_t completed, double hours)
{
    field_value_t v[TRN_NFIELDS];
    memset(v, 0, sizeof v);
    v[TRN_ID] = f_text(id);
    v[TRN_EMPLOYEE_ID] = f_text(employee);
    v[TRN_COURSE] = f_text(course);
    v[TRN_MANDATORY] = (field_value_t){ .present = true, .text = "b", .len = 1, .v.b = mandatory };
    v[TRN_DUE_DATE] = f_date(due);
    if (completed)
        v[TRN_COMPLETED_DATE] = f_date(completed);
    if (hours >= 0)
        v[TRN_HOURS] = (field_value_t){ .present = true, .text = "h", .len = 1, .v.num = hours };
    training_in.schema = schema_for_kind(KIND_TRAINING);
    ingest_record_t rec = { .input = &training_in, .values = v, .line = 2 };
    ops_error_t err = { 0 };
    cr_assert_eq(area_people.record(st, &rec, &err), OPS_OK);
}





/*
 * Employees:
 *  E1 S1 Ops   hired 2020-01-01                                  fte 1.0
 *  E2 S1 Ops   hired 2024-02-29 (last day of the leap February)  fte 0.5
 *  E3 S1 Sales hired 2024-03-01 (after the period)               fte 1.0
 *  E4 S2 Ops   hired 2021-06-01, left 2024-02-29 voluntary       fte 1.0
 *  E5 S2 Sales hired 2022-01-10, left 2024-01-31 involuntary     fte 0.8
 *  E6 S1 Ops   hired 2023-03-01, left 2024-03-01 voluntary       fte 1.0  (leaves after the period)
 * leave_date is the last day worked, so someone leaving on the last day of a month is not in
 * that month's closing headcount.
 * Training (mandatory unless said):
 *  R1 E1 Safety   due 2024-02-29, done 2024-02-29, 2 h
 *  R2 E2 Safety   due 2024-02-29, not done                      overdue 0 days
 *  R3 E6 GDPR     due 2024-01-15, done 2024-03-01 (after), 3 h  overdue 45 days at Feb 29
 *  R4 E1 Forklift due 2024-03-01: not due yet
 *  R5 E4 Excel    optional, done 2024-02-10, 4 h
 *  R6 E1 Fire     due 2023-12-01, done 2024-01-31, 1.5 h
 */
static void *feed_fixture(void)
{
    void *st = area_people.create(&ctx);
    cr_assert_not_null(st);
    emp(st, "E1", "S1", "Ops", day(2020, 1, 1), 0, STAYING, 1.0);
    emp(st, "E2", "S1", "Ops", day(2024, 2, 29), 0, STAYING, 0.5);
    emp(st, "E3", "S1", "Sales", day(2024, 3, 1), 0, STAYING, 1.0);
    emp(st, "E4", "S2", "Ops", day(2021, 6, 1), day(2024, 2, 29), VOL, 1.0);
    emp(st, "E5", "S2", "Sales", day(2022, 1, 10), day(2024, 1, 31), INVOL, 0.8);
    emp(st, "E6", "S1", "Ops", day(2023, 3, 1), day(2024, 3, 1), VOL, 1.0);
    trn(st, "R1", "E1", "Safety", true, day(2024, 2, 29), day(2024, 2, 29), 2);
    trn(st, "R2", "E2", "Safety", true, day(2024, 2, 29), 0, -1);
    trn(st, "R3", "E6", "GDPR", true, day(2024, 1, 15), day(2024, 3, 1), 3);
    trn(st, "R4", "E1", "Forklift", true, day(2024, 3, 1), 0, -1);
    trn(st, "R5", "E4", "Excel", false, day(2024, 2, 1), day(2024, 2, 10), 4);
    trn(st, "R6", "E1", "Fire", true, day(2023, 12, 1), day(2024, 1, 31), 1.5);
    return st;
}

Test(analyse_people, headcount_kpis)
{
    setup_ctx(2024, 2, true, true, 10);
    void *st = feed_fixture();
    report_model_t *m = finish(st);

    /* Feb end: E1 E2 E6 = 3 (E4 left on the 29th, E3 starts Mar 1), FTE 2.5.
     * Jan end: E1 E4 E6 = 3 (E5 left Jan 31), FTE 3.0. Feb 2023 end: E1 E4 E5 = 3, FTE 2.8.
     * A level: YTD = the value. */
    const kpi_t *k = kpi(m, "headcount");
    NEAR(k->value, 3);
    NEAR(k->prior, 3);
    NEAR(k->last_year, 3);
    NEAR(k->ytd, 3);
    NEAR(k->trend[1], 4); /* Mar 2023: E1 E4 E5 E6 */
    cr_assert_str_eq(k->area, "People");
    k = kpi(m, "fte");
    NEAR(k->value, 2.5);
    NEAR(k->prior, 3.0);
    NEAR(k->last_year, 2.8);
    NEAR(k->ytd, 2.5);
    cr_assert_eq(k->unit, UNIT_FTE);

    /* hires: Feb E2 (the 29th) = 1, Jan 0, YTD 1; Mar 2023 E6 */
    k = kpi(m, "hires");
    NEAR(k->value, 1);
    NEAR(k->prior, 0);
    NEAR(k->ytd, 1);
    NEAR(k->trend[1], 1);
    /* leavers: Feb E4, Jan E5; YTD 2 (E6 leaves after the period) */
    k = kpi(m, "leavers");
    NEAR(k->value, 1);
    NEAR(k->prior, 1);
    NEAR(k->ytd, 2);

    /* turnover at Feb 2024 over Mar 2023 .. Feb 2024: leavers E5 + E4 = 2; month-end headcounts
     * Mar..Dec 2023 4 each (10 months), Jan 3, Feb 3 -> average 46/12; 2 / (46/12) x 100 =
     * 2400/46 = 52.173913%. Voluntary: E4 only -> 1200/46.
     * Jan 2024 over Feb 2023 .. Jan 2024: leavers E5 = 1; headcounts 3, 4 x 10, 3 -> 46/12;
     * 1200/46; voluntary 0 (E5 was involuntary). */
    k = kpi(m, "turnover_pct");
    NEAR(k->value, 2400.0 / 46);
    NEAR(k->prior, 1200.0 / 46);
    NEAR(k->ytd, 2400.0 / 46);
    k = kpi(m, "voluntary_turnover_pct");
    NEAR(k->value, 1200.0 / 46);
    NEAR(k->prior, 0.0);

    area_people.destroy(st);
    report_model_free(m);
}

Test(analyse_people, department_table)
{
    setup_ctx(2024, 2, true, true, 10);
    void *st = feed_fixture();
    report_model_t *m = finish(st);
    /* by site then department:
     *  S1 Ops:   E1 E2 E6 at Feb end 3, FTE 2.5; hires YTD E2 = 1; leavers YTD 0
     *  S1 Sales: E3 not started: 0, 0; hired after the period: 0; 0
     *  S2 Ops:   E4 left Feb 29: 0, 0; hires 0; leavers YTD 1
     *  S2 Sales: E5 left Jan 31: 0, 0; 0; leavers YTD 1 */
    const model_table_t *t = table(m, TABLE_PEOPLE_HEADCOUNT);
    cr_assert_eq(t->n_rows, 4);
    cr_assert_str_eq(text(t, 0, 0), "S1");
    cr_assert_str_eq(text(t, 0, 1), "Ops");
    NEAR(cell(t, 0, 2), 3);
    NEAR(cell(t, 0, 3), 2.5);
    NEAR(cell(t, 0, 4), 1);
    NEAR(cell(t, 0, 5), 0);
    cr_assert_str_eq(text(t, 1, 1), "Sales");
    NEAR(cell(t, 1, 2), 0);
    NEAR(cell(t, 1, 4), 0);
    cr_assert_str_eq(text(t, 2, 0), "S2");
    cr_assert_str_eq(text(t, 2, 1), "Ops");
    NEAR(cell(t, 2, 2), 0);
    NEAR(cell(t, 2, 5), 1);
    cr_assert_str_eq(text(t, 3, 1), "Sales");
    NEAR(cell(t, 3, 5), 1);
    area_people.destroy(st);
    report_model_free(m);
}

Test(analyse_people, training)
{
    setup_ctx(2024, 2, true, true, 10);
    void *st = feed_fixture();
    report_model_t *m = finish(st);

    /* Feb end: due R1 R2 R3 R6 = 4, done by then R1 R6 = 2 -> 50%, 2 overdue.
     * Jan end: due R3 R6, done R6 (Jan 31) -> 50%, 1 overdue. Dec end: due R6, done 0 -> 0%, 1.
     * Nov end: nothing due -> 0/0 NAN, 0 overdue. */
    const kpi_t *k = kpi(m, "training_completion_pct");
    NEAR(k->value, 50.0);
    NEAR(k->prior, 50.0);
    NEAR(k->trend[MODEL_TREND_MONTHS - 3], 0.0);
    cr_assert(isnan(k->trend[MODEL_TREND_MONTHS - 4]));
    NEAR(k->ytd, 50.0);
    k = kpi(m, "overdue_trainings");
    NEAR(k->value, 2);
    NEAR(k->prior, 1);
    NEAR(k->trend[MODEL_TREND_MONTHS - 4], 0);

    /* hours completed: Feb R1 2 + R5 4 (optional courses count) = 6 / FTE 2.5 = 2.4;
     * Jan R6 1.5 / 3.0 = 0.5; YTD (6 + 1.5) / 2.5 (FTE now) = 3.0. R3's hours fall in March. */
    k = kpi(m, "training_hours_per_fte");
    NEAR(k->value, 2.4);
    NEAR(k->prior, 0.5);
    NEAR(k->ytd, 3.0);

    /* overdue at Feb 29, longest first: R3 (E6 GDPR, Jan 15, 45 days), R2 (E2 Safety, Feb 29, 0) */
    const model_table_t *t = table(m, TABLE_PEOPLE_OVERDUE_TRAININGS);
    cr_assert_eq(t->n_rows, 2);
    cr_assert_str_eq(text(t, 0, 0), "E6");
    cr_assert_str_eq(text(t, 0, 1), "GDPR");
    NEAR(cell(t, 0, 2), day(2024, 1, 15));
    NEAR(cell(t, 0, 3), 45);
    cr_assert_str_eq(text(t, 1, 0), "E2");
    NEAR(cell(t, 1, 3), 0);
    cr_assert(strstr(t->note, "2 overdue") != NULL);
    area_people.destroy(st);
    report_model_free(m);
}

/* top_n 1: one row, but the note still counts both overdue trainings. */
Test(analyse_people, overdue_table_top_n)
{
    setup_ctx(2024, 2, true, true, 1);
    void *st = feed_fixture();
    report_model_t *m = finish(st);
    const model_table_t *t = table(m, TABLE_PEOPLE_OVERDUE_TRAININGS);
    cr_assert_eq(t->n_rows, 1);
    cr_assert_str_eq(text(t, 0, 0), "E6");
    cr_assert(strstr(t->note, "2 overdue") != NULL, "%s", t->note);
    area_people.destroy(st);
    report_model_free(m);
}

/* Scope S1: S2 employees drop out of headcount, leavers and the table; their training (R5)
 * and training of ids not in the employees input drop out too. */
Test(analyse_people, scope)
{
    setup_ctx(2024, 2, true, true, 10);
    ctx.scope = "S1";
    void *st = feed_fixture();
    trn(st, "R7", "X9", "Safety", true, day(2024, 2, 1), 0, -1); /* unknown employee */
    report_model_t *m = finish(st);
    /* Feb end E1 E2 E6 = 3; Jan end E1 E6 = 2; leavers Feb/Jan 0 */
    NEAR(kpi(m, "headcount")->value, 3);
    NEAR(kpi(m, "headcount")->prior, 2);
    NEAR(kpi(m, "leavers")->ytd, 0);
    /* turnover: no leavers in the 12 months -> 0% */
    NEAR(kpi(m, "turnover_pct")->value, 0.0);
    /* hours Feb R1 2 only / 2.5 = 0.8; completion unchanged (R1 R2 R3 R6 are S1 people): 50% */
    NEAR(kpi(m, "training_hours_per_fte")->value, 0.8);
    NEAR(kpi(m, "training_completion_pct")->value, 50.0);
    NEAR(kpi(m, "overdue_trainings")->value, 2);
    const model_table_t *t = table(m, TABLE_PEOPLE_HEADCOUNT);
    cr_assert_eq(t->n_rows, 2);
    cr_assert_str_eq(text(t, 0, 0), "S1");
    cr_assert_str_eq(text(t, 1, 0), "S1");
    area_people.destroy(st);
    report_model_free(m);
}

/* Empty period: headcount 0, turnover 0/0 and training 0/0 NAN, hours per FTE with FTE 0 NAN,
 * tables empty; without inputs nothing is added. */
Test(analyse_people, empty)
{
    setup_ctx(2024, 2, true, true, 10);
    void *st = area_people.create(&ctx);
    report_model_t *m = finish(st);
    NEAR(kpi(m, "headcount")->value, 0);
    NEAR(kpi(m, "fte")->value, 0);
    NEAR(kpi(m, "hires")->ytd, 0);
    cr_assert(isnan(kpi(m, "turnover_pct")->value));
    cr_assert(isnan(kpi(m, "voluntary_turnover_pct")->value));
    cr_assert(isnan(kpi(m, "training_completion_pct")->value));
    NEAR(kpi(m, "overdue_trainings")->value, 0);
    cr_assert(isnan(kpi(m, "training_hours_per_fte")->value));
    cr_assert(isnan(kpi(m, "training_hours_per_fte")->ytd));
    cr_assert_eq(table(m, TABLE_PEOPLE_HEADCOUNT)->n_rows, 0);
    cr_assert_eq(table(m, TABLE_PEOPLE_OVERDUE_TRAININGS)->n_rows, 0);
    area_people.destroy(st);
    report_model_free(m);

    /* hours with no FTE: 5 h / 0 FTE -> NAN, not infinity */
    setup_ctx(2024, 2, true, true, 10);
    st = area_people.create(&ctx);
    trn(st, "R", "E1", "Excel", false, day(2024, 2, 1), day(2024, 2, 2), 5);
    m = finish(st);
    cr_assert(isnan(kpi(m, "training_hours_per_fte")->value));
    area_people.destroy(st);
    report_model_free(m);

    /* only training configured: no headcount KPIs; only employees: no training KPIs */
    setup_ctx(2024, 2, false, true, 10);
    st = area_people.create(&ctx);
    m = finish(st);
    cr_assert_null(model_find_kpi(m, "headcount"));
    cr_assert_not_null(model_find_kpi(m, "training_completion_pct"));
    area_people.destroy(st);
    report_model_free(m);
    setup_ctx(2024, 2, true, false, 10);
    st = area_people.create(&ctx);
    m = finish(st);
    cr_assert_not_null(model_find_kpi(m, "headcount"));
    cr_assert_null(model_find_kpi(m, "training_completion_pct"));
    cr_assert_null(model_find_table(m, TABLE_PEOPLE_OVERDUE_TRAININGS));
    area_people.destroy(st);
    report_model_free(m);
    area_people.destroy(NULL);
}

/* Turnover needs 12 months of window: a history shorter than the window still averages the
 * months that exist, and a month-end headcount of 0 gives NAN, not infinity. */
Test(analyse_people, turnover_division_by_zero)
{
    setup_ctx(2024, 2, true, false, 10);
    void *st = area_people.create(&ctx);
    /* hired and gone within February: in no month-end headcount, one leaver */
    emp(st, "Z", "S1", "Ops", day(2024, 2, 1), day(2024, 2, 20), VOL, 1.0);
    report_model_t *m = finish(st);
    NEAR(kpi(m, "leavers")->value, 1);
    NEAR(kpi(m, "headcount")->value, 0);
    cr_assert(isnan(kpi(m, "turnover_pct")->value));
    area_people.destroy(st);
    report_model_free(m);
}

/* ---- n/a, never 0 -------------------------------------------------------------- */

/* A training export without completion dates: 2 mandatory trainings due in
 * January, neither with a completion. Mapped but empty they are 0% done and 2
 * overdue; unmapped, completion, overdue and hours per FTE are n/a, and the
 * overdue table (which would list every training) is empty with its reason.
 * Headcount needs no training field: E1 and E2 = 2. */
Test(analyse_people, unmapped_completed_date)
{
    for (int unmapped = 0; unmapped < 2; unmapped++) {
        setup_ctx(2024, 2, true, true, 10);
        ctx.field_unmapped[KIND_TRAINING][TRN_COMPLETED_DATE] = unmapped;
        void *st = area_people.create(&ctx);
        emp(st, "E1", "S1", "Ops", day(2020, 1, 1), 0, 0, 1.0);
        emp(st, "E2", "S1", "Ops", day(2020, 1, 1), 0, 0, 1.0);
        trn(st, "R1", "E1", "Safety", true, day(2024, 1, 10), 0, 2);
        trn(st, "R2", "E2", "Safety", true, day(2024, 1, 10), 0, 2);
        report_model_t *m = finish(st);
        NEAR(kpi(m, "headcount")->value, 2);
        const kpi_t *done = kpi(m, "training_completion_pct"), *overdue = kpi(m, "overdue_trainings");
        const model_table_t *t = table(m, TABLE_PEOPLE_OVERDUE_TRAININGS);
        if (!unmapped) {
            NEAR(done->value, 0);
            NEAR(overdue->value, 2);
            cr_expect_eq(t->n_rows, 2);
        } else {
            cr_expect(isnan(done->value) && isnan(done->prior) && isnan(overdue->value));
            cr_expect_str_eq(done->na_reason, "no completed_date in the training export");
            cr_expect_eq(overdue->na, KPI_NA_UNMAPPED);
            cr_expect_eq(kpi(m, "training_hours_per_fte")->na, KPI_NA_UNMAPPED);
            cr_expect_eq(t->n_rows, 0);
            cr_expect_str_eq(t->note, "", "no \"2 overdue in all\"");
            cr_expect_str_eq(t->na_reason, "no completed_date in the training export");
        }
        area_people.destroy(st);
        report_model_free(m);
    }
}

/* Without leave dates nobody ever leaves: leavers and turnover are n/a (the
 * voluntary rate names both fields), hires and headcount stay. */
Test(analyse_people, unmapped_leave_date)
{
    setup_ctx(2024, 2, true, false, 10);
    ctx.field_unmapped[KIND_EMPLOYEES][EMP_LEAVE_DATE] = true;
    ctx.field_unmapped[KIND_EMPLOYEES][EMP_LEAVE_REASON] = true;
    void *st = area_people.create(&ctx);
    emp(st, "E1", "S1", "Ops", day(2024, 2, 5), 0, 0, 0.5);
    report_model_t *m = finish(st);
    NEAR(kpi(m, "headcount")->value, 1);
    NEAR(kpi(m, "hires")->value, 1);
    cr_expect(isnan(kpi(m, "leavers")->value));
    cr_expect_str_eq(kpi(m, "turnover_pct")->na_reason, "no leave_date in the employees export");
    cr_expect_str_eq(kpi(m, "voluntary_turnover_pct")->na_reason,
                     "no leave_date or leave_reason in the employees export");
    const model_table_t *t = table(m, TABLE_PEOPLE_HEADCOUNT);
    cr_assert_eq(t->n_rows, 1);
    NEAR(cell(t, 0, 4), 1);
    cr_expect(isnan(cell(t, 0, 5)), "leavers YTD unknown");
    area_people.destroy(st);
    report_model_free(m);
}
