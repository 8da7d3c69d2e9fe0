/*
 * test_analyse_projects.c - the projects area module
 * (pipeline/analyse/projects.c): earned value per project from hand-made
 * project and task rows, and billable utilisation from employee and
 * timesheet rows. The period is February 2024 (a leap year: the 29th, a
 * Thursday, is the last day, so February has 21 weekdays; January 2024 has
 * 23), the fiscal year starts in January, hours_per_day is 8. Every expected
 * value is worked out by hand in the comments; money is in cents in the rows
 * and in euros in the model.
 */
#include "analyse/analyse_internal.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "analyse_fixture.h"

static report_model_t *finish(void *st) { return fixture_finish(&area_projects, st); }

#define EPS 1e-6
#define NEAR(a, b) cr_assert(fabs((a) - (b)) < EPS, "%s = %.9g, expected %.9g", #a, (double)(a), (double)(b))

static analysis_settings_t settings;
static input_config_t inputs[4];
static config_t cfg;
static analyse_ctx_t ctx;

/* Inputs: projects, tasks, employees, timesheets (all four unless told otherwise). */
static void setup_ctx(int year, int month, bool ev, bool util, int top_n)
{
    memset(&cfg, 0, sizeof cfg);
    memset(inputs, 0, sizeof inputs);
    settings = (analysis_settings_t){ .service_level = 0.95, .top_n = top_n, .slow_days = 90, .dead_days = 180,
                                      .hours_per_day = 8 };
    size_t n = 0;
    if (ev) {
        inputs[n++].schema = schema_for_kind(KIND_PROJECTS);
        inputs[n++].schema = schema_for_kind(KIND_TASKS);
    }
    if (util) {
        inputs[n++].schema = schema_for_kind(KIND_EMPLOYEES);
        inputs[n++].schema = schema_for_kind(KIND_TIMESHEETS);
    }
    cfg.inputs = inputs;
    cfg.n_inputs = n;
    cfg.fiscal_year_start = 1;
    cfg.analysis = settings;
    analyse_ctx_init(&ctx, &cfg, (period_t){ year, month }, NULL);
    ctx.settings = &settings; /* tests change settings after setup */
}

static field_value_t f_bool(bool b) { return (field_value_t){ .present = true, .text = "b", .len = 1, .v.b = b }; }

static void feed(void *st, input_kind_t kind, const field_value_t *v)
{
    input_config_t in = { .schema = schema_for_kind(kind) };
    ingest_record_t rec = { .input = &in, .values = v, .line = 2 };
    ops_error_t err = { 0 };
    cr_assert_eq(area_projects.record(st, &rec, &err), OPS_OK);
}

static void project(void *st, const char *id, const char *name, const char *manager, const char *site,
                    int64_t budget, int status)
{
    field_value_t v[PRJ_NFIELDS];
    memset(v, 0, sizeof v);
    v[PRJ_ID] = f_text(id);
    v[PRJ_NAME] = f_text(name);
    v[PRJ_MANAGER] = f_text(manager);
    v[PRJ_SITE] = f_text(site);
    v[PRJ_BUDGET] = f_money(budget);
    v[PRJ_START_DATE] = f_date(day(2024, 1, 1));
    v[PRJ_END_DATE] = f_date(day(2024, 12, 31));
    v[PRJ_STATUS] = (field_value_t){ .present = true, .text = "s", .len = 1, .v.enum_index = status };
    feed(st, KIND_PROJECTS, v);
}

#define NO_COST (-1)
/* actual_finish 0: empty; actual_cost NO_COST: empty; milestone false: empty field. */
static void task(void *st, const char *id, const char *project_id, int32_t start, int32_t finish,
                 int32_t actual_finish, int64_t planned, int64_t actual, double pct, bool milestone)
{
    field_value_t v[TASK_NFIELDS];
    memset(v, 0, sizeof v);
    v[TASK_ID] = f_text(id);
    v[TASK_PROJECT_ID] = f_text(project_id);
    v[TASK_NAME] = f_text("task");
    v[TASK_PLANNED_START] = f_date(start);
    v[TASK_PLANNED_FINISH] = f_date(finish);
    if (actual_finish)
        v[TASK_ACTUAL_FINISH] = f_date(actual_finish);
    v[TASK_PLANNED_COST] = f_money(planned);
    if (actual != NO_COST)
        v[TASK_ACTUAL_COST] = f_money(actual);
    v[TASK_PERCENT_COMPLETE] = f_num(pct);
    if (milestone)
        v[TASK_MILESTONE] = f_bool(true);
    feed(st, KIND_TASKS, v);
}

static void emp(void *st, const char *id, const char *site, double fte, int32_t hire, int32_t leave)
{
    field_value_t v[EMP_NFIELDS];
    memset(v, 0, sizeof v);
    v[EMP_ID] = f_text(id);
    v[EMP_NAME] = f_text("Name");
    v[EMP_SITE] = f_text(site);
    v[EMP_DEPARTMENT] = f_text("Dept");
    v[EMP_HIRE_DATE] = f_date(hire);
    if (leave)
        v[EMP_LEAVE_DATE] = f_date(leave);
    v[EMP_FTE] = f_num(fte);
    feed(st, KIND_EMPLOYEES, v);
}

/* n consecutive days from first, `hours` a day. */
static void log_days(void *st, const char *employee, int32_t first, int n, double hours, bool billable)
{
    for (int i = 0; i < n; i++) {
        field_value_t v[TS_NFIELDS];
        memset(v, 0, sizeof v);
        v[TS_EMPLOYEE_ID] = f_text(employee);
        v[TS_PROJECT_ID] = f_text("A");
        v[TS_DATE] = f_date(first + i);
        v[TS_HOURS] = f_num(hours);
        v[TS_BILLABLE] = f_bool(billable);
        feed(st, KIND_TIMESHEETS, v);
    }
}





/*
 * Earned value fixture (period end Feb 29 2024), euros:
 *  A Alpha  Ann S1 budget 1000 active
 *    A1 Feb 01-Feb 29   planned 290 actual 150  50%              PV 290 (done by plan), EV 145
 *    A2 Feb 20-Mar 20   planned 300 actual  40  10% milestone     PV 300 x 10/30 = 100, EV 30;
 *                                                                 plan not yet passed: slip 0
 *    A3 Jan 01-Jan 31   planned 100 actual 120 100% milestone, finished Feb 05: slip 5
 *    -> PV 490, EV 275, AC 310; CPI 275/310, SPI 275/490, EAC 1000 / CPI = 1127.27 > 1000
 *  B Beta   Bob S1 budget 0 (BAC = task baselines 300) on hold
 *    B1 Mar 01-Mar 31   planned 200 no actual 0%                 PV 0 (not started), EV 0
 *    B2 Jan 10-Feb 10   planned 100 actual 80 100% milestone, no finish date but complete: slip 0
 *    -> PV 100, EV 100, AC 80; CPI 1.25, SPI 1, EAC 300 / 1.25 = 240
 *  C Gamma  Cat S2 budget 50 closed
 *    C1 Jan 01-Jan 31   planned 50 actual 70 100%  -> CPI 5/7, SPI 1, EAC 70; no milestones
 *  E Epsilon Eve S1 budget 500 planned
 *    E1 Feb 01-Feb 29   planned 100 actual 10 0%   -> EV 0, PV 100, CPI 0, SPI 0, EAC empty
 * Tasks are fed before their project for A, after it for the others (either order works).
 */
static void *feed_ev(void)
{
    void *st = area_projects.create(&ctx);
    cr_assert_not_null(st);
    task(st, "A1", "A", day(2024, 2, 1), day(2024, 2, 29), 0, 29000, 15000, 50, false);
    task(st, "A2", "A", day(2024, 2, 20), day(2024, 3, 20), 0, 30000, 4000, 10, true);
    task(st, "A3", "A", day(2024, 1, 1), day(2024, 1, 31), day(2024, 2, 5), 10000, 12000, 100, true);
    project(st, "A", "Alpha", "Ann", "S1", 100000, PRJ_STATUS_ACTIVE);
    project(st, "B", "Beta", "Bob", "S1", 0, PRJ_STATUS_ON_HOLD);
    project(st, "C", "Gamma", "Cat", "S2", 5000, PRJ_STATUS_CLOSED);
    project(st, "E", "Epsilon", "Eve", "S1", 50000, PRJ_STATUS_PLANNED);
    task(st, "B1", "B", day(2024, 3, 1), day(2024, 3, 31), 0, 20000, NO_COST, 0, false);
    task(st, "B2", "B", day(2024, 1, 10), day(2024, 2, 10), 0, 10000, 8000, 100, true);
    task(st, "C1", "C", day(2024, 1, 1), day(2024, 1, 31), 0, 5000, 7000, 100, false);
    task(st, "E1", "E", day(2024, 2, 1), day(2024, 2, 29), 0, 10000, 1000, 0, false);
    return st;
}

Test(analyse_projects, portfolio_kpis)
{
    setup_ctx(2024, 2, true, false, 10);
    void *st = feed_ev();
    report_model_t *m = finish(st);
    /* active and on hold only (A, B): EV 275 + 100 = 375, PV 490 + 100 = 590, AC 310 + 80 = 390 */
    const kpi_t *k = kpi(m, "portfolio_cpi");
    NEAR(k->value, 375.0 / 390);
    NEAR(k->ytd, 375.0 / 390);
    cr_assert(isnan(k->prior)); /* a snapshot: no history */
    cr_assert_eq(k->unit, UNIT_RATIO);
    cr_assert_str_eq(k->area, "Projects");
    NEAR(kpi(m, "portfolio_spi")->value, 375.0 / 590);
    /* EAC over budget: A only (C is closed and E has no CPI) */
    NEAR(kpi(m, "projects_over_budget")->value, 1);
    /* worst milestone late: A (5 days); B's complete milestone is not slipping */
    NEAR(kpi(m, "milestones_slipping")->value, 1);
    /* no timesheet inputs: no utilisation KPIs */
    cr_assert_null(model_find_kpi(m, "utilisation_pct"));
    cr_assert_null(model_find_table(m, TABLE_PROJECTS_OVER_ALLOCATED));
    area_projects.destroy(st);
    report_model_free(m);
}

Test(analyse_projects, earned_value_table)
{
    setup_ctx(2024, 2, true, false, 10);
    void *st = feed_ev();
    report_model_t *m = finish(st);
    const model_table_t *t = table(m, TABLE_PROJECTS_EARNED_VALUE);
    cr_assert_eq(t->n_rows, 4); /* every project, by id: A B C E */
    cr_assert_str_eq(text(t, 0, 0), "A");
    cr_assert_str_eq(text(t, 0, 1), "Alpha");
    cr_assert_str_eq(text(t, 0, 2), "Ann");
    cr_assert_str_eq(text(t, 0, 3), "active");
    NEAR(cell(t, 0, 4), 1000.0);
    NEAR(cell(t, 0, 5), 310.0);
    NEAR(cell(t, 0, 6), 275.0);
    NEAR(cell(t, 0, 7), 490.0);
    NEAR(cell(t, 0, 8), 275.0 / 310);
    NEAR(cell(t, 0, 9), 275.0 / 490);
    NEAR(cell(t, 0, 10), 1000.0 * 310 / 275);
    NEAR(cell(t, 0, 11), 5);
    cr_assert_str_eq(text(t, 1, 0), "B");
    cr_assert_str_eq(text(t, 1, 3), "on hold");
    NEAR(cell(t, 1, 4), 300.0);
    NEAR(cell(t, 1, 5), 80.0);
    NEAR(cell(t, 1, 6), 100.0);
    NEAR(cell(t, 1, 7), 100.0);
    NEAR(cell(t, 1, 8), 1.25);
    NEAR(cell(t, 1, 9), 1.0);
    NEAR(cell(t, 1, 10), 240.0);
    NEAR(cell(t, 1, 11), 0);
    cr_assert_str_eq(text(t, 2, 0), "C");
    cr_assert_str_eq(text(t, 2, 3), "closed");
    NEAR(cell(t, 2, 8), 5.0 / 7);
    NEAR(cell(t, 2, 10), 70.0);
    cr_assert(isnan(cell(t, 2, 11))); /* no milestones */
    cr_assert_str_eq(text(t, 3, 0), "E");
    cr_assert_str_eq(text(t, 3, 3), "planned");
    NEAR(cell(t, 3, 8), 0.0);
    NEAR(cell(t, 3, 9), 0.0);
    cr_assert(isnan(cell(t, 3, 10))); /* CPI 0: BAC / 0 is left empty */
    area_projects.destroy(st);
    report_model_free(m);
}

/* Division by zero: no actual cost -> CPI and EAC empty; no planned value yet -> SPI empty. An
 * open milestone past its plan slips to the period end; tasks of a project missing from the
 * projects input are listed as "(not in projects)" and count as active. */
Test(analyse_projects, zero_cost_and_unknown_project)
{
    setup_ctx(2024, 2, true, false, 10);
    void *st = area_projects.create(&ctx);
    /* D: planned Feb 1-28, 0% and open at Feb 29: slip 1 day; no cost yet */
    task(st, "D1", "D", day(2024, 2, 1), day(2024, 2, 28), 0, 100000, NO_COST, 0, true);
    /* F: starts in March: PV 0, EV 0, AC 0 */
    project(st, "F", "Future", "Fay", "S1", 0, PRJ_STATUS_ACTIVE);
    task(st, "F1", "F", day(2024, 3, 1), day(2024, 3, 31), 0, 50000, NO_COST, 0, false);
    report_model_t *m = finish(st);
    const model_table_t *t = table(m, TABLE_PROJECTS_EARNED_VALUE);
    cr_assert_eq(t->n_rows, 2);
    cr_assert_str_eq(text(t, 0, 0), "D");
    cr_assert_str_eq(text(t, 0, 3), "(not in projects)");
    NEAR(cell(t, 0, 4), 1000.0); /* BAC = the task baseline */
    NEAR(cell(t, 0, 7), 1000.0);
    cr_assert(isnan(cell(t, 0, 8)));
    NEAR(cell(t, 0, 9), 0.0);
    cr_assert(isnan(cell(t, 0, 10)));
    NEAR(cell(t, 0, 11), 1);
    cr_assert_str_eq(text(t, 1, 0), "F");
    cr_assert(isnan(cell(t, 1, 8)));
    cr_assert(isnan(cell(t, 1, 9)));
    /* portfolio: AC 0 -> CPI empty; PV 1000, EV 0 -> SPI 0; D slips */
    cr_assert(isnan(kpi(m, "portfolio_cpi")->value));
    NEAR(kpi(m, "portfolio_spi")->value, 0.0);
    NEAR(kpi(m, "projects_over_budget")->value, 0);
    NEAR(kpi(m, "milestones_slipping")->value, 1);
    area_projects.destroy(st);
    report_model_free(m);
}

/* Scope S1: C (site S2) drops out, and so do tasks of a project with no projects row (no site). */
Test(analyse_projects, scope)
{
    setup_ctx(2024, 2, true, false, 10);
    ctx.scope = "S1";
    void *st = feed_ev();
    task(st, "D1", "D", day(2024, 2, 1), day(2024, 2, 28), 0, 100000, 100000, 0, true);
    report_model_t *m = finish(st);
    const model_table_t *t = table(m, TABLE_PROJECTS_EARNED_VALUE);
    cr_assert_eq(t->n_rows, 3);
    cr_assert_str_eq(text(t, 0, 0), "A");
    cr_assert_str_eq(text(t, 1, 0), "B");
    cr_assert_str_eq(text(t, 2, 0), "E");
    NEAR(kpi(m, "portfolio_cpi")->value, 375.0 / 390);
    NEAR(kpi(m, "milestones_slipping")->value, 1);
    area_projects.destroy(st);
    report_model_free(m);
}

/*
 * Utilisation fixture, 8 h a day:
 *  W1 S1 fte 1.0: Feb 1-20 8 h billable (160) + Feb 29 8 h internal = 168 logged; Jan 31 8 h billable;
 *                 Mar 1 8 h billable (after the period, ignored)
 *  W2 S1 fte 0.5: Feb 1-12 8 h billable = 96
 *  W3 S2 fte 1.0: Feb 1-10 8 h billable = 80
 *  W4 S1 fte 1.0: Feb 1-22 8 h billable = 176
 *  W5 S1 fte 1.0, left 2024-01-31 (the last day of January): Jan 1-23 8 h billable = 184
 * Capacity = fte x 8 x weekdays of the people who logged time in the month:
 *  Feb: W1 168 + W2 84 + W3 168 + W4 168 = 588; billable 160 + 96 + 80 + 176 = 512 -> 87.0748%
 *  Jan: W1 184 + W5 184 (employed in January) = 368; billable 8 + 184 = 192 -> 52.1739%
 *  YTD: 704 / 956
 * Over-allocated in Feb: W2 96 > 84 (114.2857%), W4 176 > 168 (104.7619%); W1's 168 = 168 is not.
 */
static void *feed_util(void)
{
    void *st = area_projects.create(&ctx);
    emp(st, "W1", "S1", 1.0, day(2020, 1, 1), 0);
    emp(st, "W2", "S1", 0.5, day(2020, 1, 1), 0);
    emp(st, "W3", "S2", 1.0, day(2020, 1, 1), 0);
    emp(st, "W4", "S1", 1.0, day(2020, 1, 1), 0);
    emp(st, "W5", "S1", 1.0, day(2020, 1, 1), day(2024, 1, 31));
    log_days(st, "W1", day(2024, 2, 1), 20, 8, true);
    log_days(st, "W1", day(2024, 2, 29), 1, 8, false);
    log_days(st, "W1", day(2024, 1, 31), 1, 8, true);
    log_days(st, "W1", day(2024, 3, 1), 1, 8, true);
    log_days(st, "W2", day(2024, 2, 1), 12, 8, true);
    log_days(st, "W3", day(2024, 2, 1), 10, 8, true);
    log_days(st, "W4", day(2024, 2, 1), 22, 8, true);
    log_days(st, "W5", day(2024, 1, 1), 23, 8, true);
    return st;
}

Test(analyse_projects, utilisation)
{
    setup_ctx(2024, 2, false, true, 10);
    void *st = feed_util();
    report_model_t *m = finish(st);
    const kpi_t *k = kpi(m, "utilisation_pct");
    NEAR(k->value, 51200.0 / 588);
    NEAR(k->prior, 19200.0 / 368);
    NEAR(k->ytd, 70400.0 / 956);
    cr_assert(isnan(k->trend[MODEL_TREND_MONTHS - 3])); /* Dec: nobody logged: 0/0 */
    NEAR(kpi(m, "over_allocated_people")->value, 2);
    const model_table_t *t = table(m, TABLE_PROJECTS_OVER_ALLOCATED);
    cr_assert_eq(t->n_rows, 2);
    cr_assert_str_eq(text(t, 0, 0), "W2");
    NEAR(cell(t, 0, 1), 96);
    NEAR(cell(t, 0, 2), 84);
    NEAR(cell(t, 0, 3), 9600.0 / 84);
    cr_assert_str_eq(text(t, 1, 0), "W4");
    NEAR(cell(t, 1, 1), 176);
    NEAR(cell(t, 1, 2), 168);
    NEAR(cell(t, 1, 3), 17600.0 / 168);
    /* no task inputs: no EV KPIs */
    cr_assert_null(model_find_kpi(m, "portfolio_cpi"));
    area_projects.destroy(st);
    report_model_free(m);
}

/* top_n 1 keeps the most loaded person; the KPI still counts both. */
Test(analyse_projects, over_allocated_top_n)
{
    setup_ctx(2024, 2, false, true, 1);
    void *st = feed_util();
    report_model_t *m = finish(st);
    const model_table_t *t = table(m, TABLE_PROJECTS_OVER_ALLOCATED);
    cr_assert_eq(t->n_rows, 1);
    cr_assert_str_eq(text(t, 0, 0), "W2");
    NEAR(kpi(m, "over_allocated_people")->value, 2);
    area_projects.destroy(st);
    report_model_free(m);
}

/* Scope S1: W3 (S2) drops out: Feb 432 / 420 = 102.857%; timesheets of an id that is not in the
 * employees input (no site) drop out too. */
Test(analyse_projects, utilisation_scope)
{
    setup_ctx(2024, 2, false, true, 10);
    ctx.scope = "S1";
    void *st = feed_util();
    log_days(st, "X9", day(2024, 2, 1), 5, 8, true);
    report_model_t *m = finish(st);
    NEAR(kpi(m, "utilisation_pct")->value, 43200.0 / 420);
    NEAR(kpi(m, "over_allocated_people")->value, 2);
    area_projects.destroy(st);
    report_model_free(m);
}

/* A non-leap February has 20 weekdays: 21 days x 8 h logged by an fte of 1.0 in Feb 2023 is
 * over 160 h (105%); the same in the leap Feb 2024 (21 weekdays, 168 h) is exactly full. */
Test(analyse_projects, leap_february_weekdays)
{
    setup_ctx(2023, 2, false, true, 10);
    void *st = area_projects.create(&ctx);
    emp(st, "W", "S1", 1.0, day(2020, 1, 1), 0);
    log_days(st, "W", day(2023, 2, 1), 21, 8, true);
    report_model_t *m = finish(st);
    NEAR(kpi(m, "utilisation_pct")->value, 16800.0 / 160);
    NEAR(kpi(m, "over_allocated_people")->value, 1);
    area_projects.destroy(st);
    report_model_free(m);

    setup_ctx(2024, 2, false, true, 10);
    st = area_projects.create(&ctx);
    emp(st, "W", "S1", 1.0, day(2020, 1, 1), 0);
    log_days(st, "W", day(2024, 2, 1), 21, 8, true);
    m = finish(st);
    NEAR(kpi(m, "utilisation_pct")->value, 100.0);
    NEAR(kpi(m, "over_allocated_people")->value, 0);
    area_projects.destroy(st);
    report_model_free(m);
}

/* Empty period: no rows -> CPI/SPI/utilisation 0/0 NAN, counts 0, empty tables, no crash;
 * people with fte 0 add no capacity (and are never over-allocated). */
Test(analyse_projects, empty)
{
    setup_ctx(2024, 2, true, true, 10);
    void *st = area_projects.create(&ctx);
    emp(st, "Z", "S1", 0.0, day(2020, 1, 1), 0);
    log_days(st, "Z", day(2024, 2, 1), 1, 8, false);
    report_model_t *m = finish(st);
    cr_assert(isnan(kpi(m, "portfolio_cpi")->value));
    cr_assert(isnan(kpi(m, "portfolio_spi")->value));
    NEAR(kpi(m, "projects_over_budget")->value, 0);
    NEAR(kpi(m, "milestones_slipping")->value, 0);
    cr_assert(isnan(kpi(m, "utilisation_pct")->value));
    cr_assert(isnan(kpi(m, "utilisation_pct")->ytd));
    NEAR(kpi(m, "over_allocated_people")->value, 0);
    cr_assert_eq(table(m, TABLE_PROJECTS_EARNED_VALUE)->n_rows, 0);
    cr_assert_eq(table(m, TABLE_PROJECTS_OVER_ALLOCATED)->n_rows, 0);
    area_projects.destroy(st);
    report_model_free(m);

    setup_ctx(2024, 2, false, false, 10);
    st = area_projects.create(&ctx);
    m = finish(st);
    cr_assert_eq(m->n_kpis, 0);
    cr_assert_eq(m->n_tables, 0);
    area_projects.destroy(st);
    report_model_free(m);
    area_projects.destroy(NULL);
}

/* ---- n/a, never 0 -------------------------------------------------------------- */

/* A task export without Actual Cost and Milestone columns. P1 (active, budget
 * 1,000.00): T1 600.00 in January, done (PV 600, EV 600); T2 400.00 over
 * February, 50% (PV 400, EV 200). SPI = 800 / 1,000 = 0.8 needs neither
 * field. Without actual costs there is no CPI, so "over budget" cannot be
 * counted (it would be 0); without the milestone flag nothing can slip (0). */
Test(analyse_projects, unmapped_actual_cost_and_milestone)
{
    setup_ctx(2024, 2, true, false, 10);
    ctx.field_unmapped[KIND_TASKS][TASK_ACTUAL_COST] = true;
    ctx.field_unmapped[KIND_TASKS][TASK_MILESTONE] = true;
    void *st = area_projects.create(&ctx);
    project(st, "P1", "One", "Ann", "S1", 100000, PRJ_STATUS_ACTIVE);
    task(st, "T1", "P1", day(2024, 1, 1), day(2024, 1, 31), 0, 60000, NO_COST, 100, false);
    task(st, "T2", "P1", day(2024, 2, 1), day(2024, 2, 29), 0, 40000, NO_COST, 50, false);
    report_model_t *m = finish(st);
    NEAR(kpi(m, "portfolio_spi")->value, 0.8);
    cr_expect_eq(kpi(m, "portfolio_spi")->na, KPI_NA_NONE);
    const kpi_t *k = kpi(m, "projects_over_budget");
    cr_expect(isnan(k->value) && isnan(k->ytd), "not 0");
    cr_expect_str_eq(k->na_reason, "no actual_cost in the tasks export");
    cr_expect_eq(kpi(m, "portfolio_cpi")->na, KPI_NA_UNMAPPED);
    k = kpi(m, "milestones_slipping");
    cr_expect(isnan(k->value));
    cr_expect_str_eq(k->na_reason, "no milestone in the tasks export");
    const model_table_t *t = table(m, TABLE_PROJECTS_EARNED_VALUE);
    cr_assert_eq(t->n_rows, 1);
    NEAR(cell(t, 0, 6), 800);
    cr_expect(isnan(cell(t, 0, 5)), "actual cost unknown, not 0");
    cr_expect(isnan(cell(t, 0, 11)));
    area_projects.destroy(st);
    report_model_free(m);
}

/* The optional projects input with every row rejected would turn its closed
 * projects into active ones: the portfolio KPIs are n/a. */
Test(analyse_projects, projects_rejected_entirely)
{
    setup_ctx(2024, 2, true, false, 10);
    ctx.input_rejected[KIND_PROJECTS] = true;
    void *st = area_projects.create(&ctx);
    task(st, "T1", "P1", day(2024, 1, 1), day(2024, 1, 31), 0, 60000, 50000, 100, false);
    report_model_t *m = finish(st);
    cr_expect(isnan(kpi(m, "portfolio_cpi")->value));
    cr_expect_str_eq(kpi(m, "portfolio_spi")->na_reason, "every row of projects was rejected");
    cr_expect_eq(kpi(m, "projects_over_budget")->na, KPI_NA_REJECTED);
    area_projects.destroy(st);
    report_model_free(m);
}
