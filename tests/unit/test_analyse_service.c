/*
 * test_analyse_service.c - the customer service area module
 * (pipeline/analyse/service.c) on hand-made ticket rows (one row per ticket:
 * ingest has already kept each ticket's latest update). The period is
 * February 2024 (a leap year: it ends at 2024-03-01 00:00 UTC) and the fiscal
 * year starts in January, so YTD = Jan + Feb. SLAs are the config defaults:
 * resolution 8/24/72/120 h and first response 1/4/8/24 h for P1..P4. Every
 * expected value is worked out by hand in the comments.
 */
#include "analyse/analyse_internal.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "analyse_fixture.h"

static report_model_t *finish(void *st) { return fixture_finish(&area_service, st); }

#define EPS 1e-6
#define NEAR(a, b) cr_assert(fabs((a) - (b)) < EPS, "%s = %.9g, expected %.9g", #a, (double)(a), (double)(b))

static analysis_settings_t settings;
static input_config_t inputs[1];
static config_t cfg;
static analyse_ctx_t ctx;

static void setup_ctx(int year, int month, bool with_input, int top_n)
{
    memset(&cfg, 0, sizeof cfg);
    memset(inputs, 0, sizeof inputs);
    settings = (analysis_settings_t){ .service_level = 0.95, .top_n = top_n, .slow_days = 90, .dead_days = 180,
                                      .sla_hours = { 8, 24, 72, 120 }, .response_hours = { 1, 4, 8, 24 },
                                      .hours_per_day = 8 };
    inputs[0].schema = schema_for_kind(KIND_TICKETS);
    cfg.inputs = inputs;
    cfg.n_inputs = with_input ? 1 : 0;
    cfg.fiscal_year_start = 1;
    cfg.analysis = settings;
    analyse_ctx_init(&ctx, &cfg, (period_t){ year, month }, NULL);
    ctx.settings = &settings; /* tests change settings after setup */
}

static int64_t ts(int y, int m, int d, int hh, int mm) { return (int64_t)day(y, m, d) * 86400 + hh * 3600 + mm * 60; }

#define NONE INT64_MIN
static const char *const prio_names[] = { "P1", "P2", "P3", "P4" };

/* One ticket. response/resolved NONE: empty; csat 0: empty; site NULL: absent. */
static void ticket(void *st, const char *id, int prio, const char *channel, int64_t created, int64_t response,
                   int64_t resolved, int csat, bool reopened, const char *site)
{
    field_value_t v[TKT_NFIELDS];
    memset(v, 0, sizeof v);
    v[TKT_ID] = (field_value_t){ .present = true, .text = id, .len = strlen(id) };
    v[TKT_UPDATED_AT] = (field_value_t){ .present = true, .text = "t", .len = 1, .v.ts = created };
    v[TKT_CREATED_AT] = (field_value_t){ .present = true, .text = "t", .len = 1, .v.ts = created };
    if (response != NONE)
        v[TKT_FIRST_RESPONSE_AT] = (field_value_t){ .present = true, .text = "t", .len = 1, .v.ts = response };
    if (resolved != NONE)
        v[TKT_RESOLVED_AT] = (field_value_t){ .present = true, .text = "t", .len = 1, .v.ts = resolved };
    v[TKT_PRIORITY] = (field_value_t){ .present = true, .text = prio_names[prio], .len = 2, .v.enum_index = prio };
    v[TKT_CHANNEL] = (field_value_t){ .present = true, .text = channel, .len = strlen(channel) };
    int status = resolved != NONE ? TKT_STATUS_RESOLVED : TKT_STATUS_OPEN;
    v[TKT_STATUS] = (field_value_t){ .present = true, .text = "s", .len = 1, .v.enum_index = status };
    if (csat)
        v[TKT_CSAT] = (field_value_t){ .present = true, .text = "c", .len = 1, .v.i = csat };
    v[TKT_REOPENED] = (field_value_t){ .present = true, .text = "b", .len = 1, .v.b = reopened };
    if (site)
        v[TKT_SITE] = (field_value_t){ .present = true, .text = site, .len = strlen(site) };
    ingest_record_t rec = { .input = &inputs[0], .values = v, .line = 2 };
    ops_error_t err = { 0 };
    cr_assert_eq(area_service.record(st, &rec, &err), OPS_OK);
}





/*
 * Fixture (site S1):
 *  id prio ch      created          response (h)       resolved (h)             csat reopened
 *  T1 P2  email    Feb 01 00:00     Feb 01 02:00 (2)   Feb 01 20:00 (20, met)   5
 *  T2 P1  phone    Feb 10 00:00     Feb 10 03:00 (3)   Feb 10 12:00 (12, > 8)   2    yes
 *  T3 P3  email    Jan 31 23:00     Feb 01 01:00 (2)   Feb 29 23:00 (696, > 72) 4        created Jan, resolved Feb
 *  T4 P4  chat     Feb 20 10:00     -                  -  (open)
 *  T5 P2  email    Jan 05 00:00     Jan 05 01:00 (1)   Jan 06 00:00 (24, met: <= 24) 3
 *  T6 P3  portal   Feb 25 00:00     Feb 25 04:00 (4)   Mar 01 00:00: after the period, so open at Feb end
 *  T7 P1  phone    Dec 20 2023      -                  -  (open)
 */
static void *feed_fixture(void)
{
    void *st = area_service.create(&ctx);
    cr_assert_not_null(st);
    ticket(st, "T1", TKT_P2, "email", ts(2024, 2, 1, 0, 0), ts(2024, 2, 1, 2, 0), ts(2024, 2, 1, 20, 0), 5, false, "S1");
    ticket(st, "T2", TKT_P1, "phone", ts(2024, 2, 10, 0, 0), ts(2024, 2, 10, 3, 0), ts(2024, 2, 10, 12, 0), 2, true, "S1");
    ticket(st, "T3", TKT_P3, "email", ts(2024, 1, 31, 23, 0), ts(2024, 2, 1, 1, 0), ts(2024, 2, 29, 23, 0), 4, false, "S1");
    ticket(st, "T4", TKT_P4, "chat", ts(2024, 2, 20, 10, 0), NONE, NONE, 0, false, "S1");
    ticket(st, "T5", TKT_P2, "email", ts(2024, 1, 5, 0, 0), ts(2024, 1, 5, 1, 0), ts(2024, 1, 6, 0, 0), 3, false, "S1");
    ticket(st, "T6", TKT_P3, "portal", ts(2024, 2, 25, 0, 0), ts(2024, 2, 25, 4, 0), ts(2024, 3, 1, 0, 0), 0, false, "S1");
    ticket(st, "T7", TKT_P1, "phone", ts(2023, 12, 20, 0, 0), NONE, NONE, 0, false, "S1");
    return st;
}

Test(analyse_service, volume_kpis)
{
    setup_ctx(2024, 2, true, 10);
    void *st = feed_fixture();
    report_model_t *m = finish(st);

    /* created: Feb T1 T2 T4 T6 = 4 (T3 at 23:00 on Jan 31 is January); Jan T3 T5 = 2; Dec T7 = 1 */
    const kpi_t *k = kpi(m, "tickets_created");
    NEAR(k->value, 4);
    NEAR(k->prior, 2);
    NEAR(k->ytd, 6);
    NEAR(k->trend[MODEL_TREND_MONTHS - 3], 1);
    NEAR(k->last_year, 0);
    cr_assert_str_eq(k->area, "Customer service");

    /* resolved: Feb T1 T2 T3 = 3 (T6 at Mar 1 00:00 is after the period); Jan T5 = 1 */
    k = kpi(m, "tickets_resolved");
    NEAR(k->value, 3);
    NEAR(k->prior, 1);
    NEAR(k->ytd, 4);

    /* backlog at Feb end (Mar 1 00:00): T4, T6 (resolved exactly at the end), T7 = 3;
     * at Jan end (Feb 1 00:00): T3 (created 23:00 Jan 31), T7 = 2 (T1 created exactly at the
     * end is not before it); Dec end: T7 = 1; Nov end: 0. YTD of a level = the value. */
    k = kpi(m, "ticket_backlog");
    NEAR(k->value, 3);
    NEAR(k->prior, 2);
    NEAR(k->trend[MODEL_TREND_MONTHS - 3], 1);
    NEAR(k->trend[MODEL_TREND_MONTHS - 4], 0);
    NEAR(k->ytd, 3);

    area_service.destroy(st);
    report_model_free(m);
}

Test(analyse_service, time_kpis)
{
    setup_ctx(2024, 2, true, 10);
    void *st = feed_fixture();
    report_model_t *m = finish(st);

    /* first response of tickets created in Feb: T1 2, T2 3, T6 4 (T4 none) -> median 3;
     * p90 (GSL linear): position 0.9 x 2 = 1.8 -> 3 + 0.8 x 1 = 3.8.
     * Jan: T3 2, T5 1 -> median 1.5, p90 1 + 0.9 x 1 = 1.9.
     * YTD pooled 1 2 2 3 4 -> median 2, p90 at 3.6 -> 3 + 0.6 x 1 = 3.6. Dec: T7 none -> NAN. */
    const kpi_t *k = kpi(m, "first_response_median_hours");
    NEAR(k->value, 3.0);
    NEAR(k->prior, 1.5);
    NEAR(k->ytd, 2.0);
    cr_assert(isnan(k->trend[MODEL_TREND_MONTHS - 3]));
    k = kpi(m, "first_response_p90_hours");
    NEAR(k->value, 3.8);
    NEAR(k->prior, 1.9);
    NEAR(k->ytd, 3.6);

    /* resolution of tickets resolved in Feb: T1 20, T2 12, T3 696 (Jan 31 23:00 -> Feb 29 23:00 =
     * 29 days) -> median 20; p90 at 1.8 of 12 20 696 -> 20 + 0.8 x 676 = 560.8.
     * Jan: T5 24. YTD 12 20 24 696: median at 1.5 -> 22; p90 at 2.7 -> 24 + 0.7 x 672 = 494.4 */
    k = kpi(m, "resolution_median_hours");
    NEAR(k->value, 20.0);
    NEAR(k->prior, 24.0);
    NEAR(k->ytd, 22.0);
    k = kpi(m, "resolution_p90_hours");
    NEAR(k->value, 560.8);
    NEAR(k->prior, 24.0);
    NEAR(k->ytd, 494.4);
    cr_assert_eq(k->unit, UNIT_HOURS);

    area_service.destroy(st);
    report_model_free(m);
}

Test(analyse_service, rate_kpis)
{
    setup_ctx(2024, 2, true, 10);
    void *st = feed_fixture();
    report_model_t *m = finish(st);

    /* SLA: Feb resolved T1 met (20 <= 24), T2 no (12 > 8), T3 no (696 > 72) -> 1/3;
     * Jan T5 24 <= 24 met -> 100%; YTD 2/4 = 50% */
    const kpi_t *k = kpi(m, "sla_attainment_pct");
    NEAR(k->value, 100.0 / 3);
    NEAR(k->prior, 100.0);
    NEAR(k->ytd, 50.0);
    cr_assert(isnan(k->trend[MODEL_TREND_MONTHS - 3])); /* Dec: nothing resolved, 0/0 */

    /* first response within SLA / created: Feb T1 (2 <= 4), T6 (4 <= 8) met, T2 (3 > 1) not,
     * T4 no response -> 2/4 = 50%; Jan T3 (2 <= 8), T5 (1 <= 4) -> 100%; YTD 4/6; Dec T7 0/1 */
    k = kpi(m, "first_response_sla_pct");
    NEAR(k->value, 50.0);
    NEAR(k->prior, 100.0);
    NEAR(k->ytd, 400.0 / 6);
    NEAR(k->trend[MODEL_TREND_MONTHS - 3], 0.0);

    /* reopened / resolved: Feb T2 1/3; Jan 0/1; YTD 1/4 */
    k = kpi(m, "reopen_rate_pct");
    NEAR(k->value, 100.0 / 3);
    NEAR(k->prior, 0.0);
    NEAR(k->ytd, 25.0);

    /* CSAT of tickets resolved: Feb 5 2 4 -> 11/3; Jan 3; YTD 14/4 = 3.5 */
    k = kpi(m, "csat_mean");
    NEAR(k->value, 11.0 / 3);
    NEAR(k->prior, 3.0);
    NEAR(k->ytd, 3.5);
    cr_assert_eq(k->unit, UNIT_SCORE);

    /* satisfied (4 or 5): Feb T1 T3 -> 2/3; Jan 0/1; YTD 2/4 */
    k = kpi(m, "csat_satisfied_pct");
    NEAR(k->value, 200.0 / 3);
    NEAR(k->prior, 0.0);
    NEAR(k->ytd, 50.0);

    area_service.destroy(st);
    report_model_free(m);
}

Test(analyse_service, tables)
{
    setup_ctx(2024, 2, true, 2);
    void *st = feed_fixture();
    report_model_t *m = finish(st);

    /* by priority: P1 month T2 1 resolved, 0 met, 0%; YTD 1, 0%.
     * P2 month T1 1/1 100%; YTD T1 T5 2, 100%. P3 month T3 1, 0 met; YTD 1, 0%.
     * P4 nothing resolved: 0, 0, 0/0 -> empty. */
    const model_table_t *t = table(m, TABLE_SERVICE_SLA_BY_PRIORITY);
    cr_assert_eq(t->n_rows, 4);
    cr_assert_str_eq(text(t, 0, 0), "P1");
    NEAR(cell(t, 0, 1), 8);
    NEAR(cell(t, 0, 2), 1);
    NEAR(cell(t, 0, 3), 0);
    NEAR(cell(t, 0, 4), 0.0);
    NEAR(cell(t, 0, 5), 1);
    NEAR(cell(t, 0, 6), 0.0);
    cr_assert_str_eq(text(t, 1, 0), "P2");
    NEAR(cell(t, 1, 1), 24);
    NEAR(cell(t, 1, 2), 1);
    NEAR(cell(t, 1, 3), 1);
    NEAR(cell(t, 1, 4), 100.0);
    NEAR(cell(t, 1, 5), 2);
    NEAR(cell(t, 1, 6), 100.0);
    NEAR(cell(t, 2, 2), 1);
    NEAR(cell(t, 2, 4), 0.0);
    cr_assert_str_eq(text(t, 3, 0), "P4");
    NEAR(cell(t, 3, 1), 120);
    NEAR(cell(t, 3, 2), 0);
    cr_assert(isnan(cell(t, 3, 4)));
    cr_assert(isnan(cell(t, 3, 6)));

    /* by channel (month), by name: chat: T4 created; email: T1 created, T1 T3 resolved, 1/2 met,
     * CSAT (5 + 4) / 2; phone: T2 created and resolved, 0%, CSAT 2; portal: T6 created only. */
    t = table(m, TABLE_SERVICE_BY_CHANNEL);
    cr_assert_eq(t->n_rows, 4);
    cr_assert_str_eq(text(t, 0, 0), "chat");
    NEAR(cell(t, 0, 1), 1);
    NEAR(cell(t, 0, 2), 0);
    cr_assert(isnan(cell(t, 0, 3)));
    cr_assert(isnan(cell(t, 0, 4)));
    cr_assert_str_eq(text(t, 1, 0), "email");
    NEAR(cell(t, 1, 1), 1);
    NEAR(cell(t, 1, 2), 2);
    NEAR(cell(t, 1, 3), 50.0);
    NEAR(cell(t, 1, 4), 4.5);
    cr_assert_str_eq(text(t, 2, 0), "phone");
    NEAR(cell(t, 2, 3), 0.0);
    NEAR(cell(t, 2, 4), 2.0);
    cr_assert_str_eq(text(t, 3, 0), "portal");
    NEAR(cell(t, 3, 1), 1);
    NEAR(cell(t, 3, 2), 0);

    /* oldest open at Feb end: T7 (Dec 20), T4 (Feb 20 10:00), T6 (Feb 25); top_n 2 keeps two.
     * Age at Mar 1 00:00: T7 Dec 20 -> Mar 1 = 12 + 31 + 29 = 72 days; T4 9 days 14 h. */
    t = table(m, TABLE_SERVICE_OLDEST_OPEN);
    cr_assert_eq(t->n_rows, 2);
    cr_assert_eq(t->col_kinds[3], COL_DATE);
    cr_assert_str_eq(text(t, 0, 0), "T7");
    cr_assert_str_eq(text(t, 0, 1), "P1");
    cr_assert_str_eq(text(t, 0, 2), "phone");
    NEAR(cell(t, 0, 3), day(2023, 12, 20));
    NEAR(cell(t, 0, 4), 72.0);
    cr_assert_str_eq(text(t, 1, 0), "T4");
    NEAR(cell(t, 1, 3), day(2024, 2, 20));
    NEAR(cell(t, 1, 4), 9.0 + 14.0 / 24);

    area_service.destroy(st);
    report_model_free(m);
}

/* Month boundary in seconds: resolved at 23:59:59 on Feb 29 is February and closes the ticket
 * for the backlog; created at 00:00:00 on Mar 1 is after the period and counts nowhere. */
Test(analyse_service, leap_day_boundary)
{
    setup_ctx(2024, 2, true, 10);
    void *st = area_service.create(&ctx);
    ticket(st, "A", TKT_P4, "web", ts(2024, 2, 28, 0, 0), NONE, ts(2024, 2, 29, 23, 59) + 59, 0, false, NULL);
    ticket(st, "B", TKT_P4, "web", ts(2024, 3, 1, 0, 0), NONE, NONE, 0, false, NULL);
    report_model_t *m = finish(st);
    NEAR(kpi(m, "tickets_created")->value, 1);
    NEAR(kpi(m, "tickets_resolved")->value, 1);
    NEAR(kpi(m, "ticket_backlog")->value, 0);
    /* 47 h 59 min 59 s <= 120 h */
    NEAR(kpi(m, "resolution_median_hours")->value, 48.0 - 1.0 / 3600);
    NEAR(kpi(m, "sla_attainment_pct")->value, 100.0);
    cr_assert_eq(table(m, TABLE_SERVICE_OLDEST_OPEN)->n_rows, 0);
    area_service.destroy(st);
    report_model_free(m);
}

/* Scope S1: tickets of S2 and tickets without a site are left out. */
Test(analyse_service, scope)
{
    setup_ctx(2024, 2, true, 10);
    ctx.scope = "S1";
    void *st = area_service.create(&ctx);
    ticket(st, "A", TKT_P2, "email", ts(2024, 2, 1, 0, 0), ts(2024, 2, 1, 1, 0), ts(2024, 2, 1, 10, 0), 5, false, "S1");
    ticket(st, "B", TKT_P2, "email", ts(2024, 2, 1, 0, 0), NONE, NONE, 1, false, "S2");
    ticket(st, "C", TKT_P2, "phone", ts(2024, 2, 1, 0, 0), NONE, ts(2024, 2, 9, 0, 0), 1, false, NULL);
    report_model_t *m = finish(st);
    NEAR(kpi(m, "tickets_created")->value, 1);
    NEAR(kpi(m, "tickets_resolved")->value, 1);
    NEAR(kpi(m, "ticket_backlog")->value, 0);
    NEAR(kpi(m, "csat_mean")->value, 5.0);
    NEAR(kpi(m, "first_response_sla_pct")->value, 100.0);
    const model_table_t *t = table(m, TABLE_SERVICE_BY_CHANNEL);
    cr_assert_eq(t->n_rows, 1);
    cr_assert_str_eq(text(t, 0, 0), "email");
    cr_assert_eq(table(m, TABLE_SERVICE_OLDEST_OPEN)->n_rows, 0);
    area_service.destroy(st);
    report_model_free(m);
}

/* Empty period: counts 0, percentiles and ratios NAN (0/0), no crash; unconfigured: nothing. */
Test(analyse_service, empty)
{
    setup_ctx(2024, 2, true, 10);
    void *st = area_service.create(&ctx);
    report_model_t *m = finish(st);
    NEAR(kpi(m, "tickets_created")->value, 0);
    NEAR(kpi(m, "tickets_created")->ytd, 0);
    NEAR(kpi(m, "ticket_backlog")->value, 0);
    cr_assert(isnan(kpi(m, "first_response_median_hours")->value));
    cr_assert(isnan(kpi(m, "first_response_median_hours")->ytd));
    cr_assert(isnan(kpi(m, "resolution_p90_hours")->ytd));
    cr_assert(isnan(kpi(m, "sla_attainment_pct")->value));
    cr_assert(isnan(kpi(m, "sla_attainment_pct")->ytd));
    cr_assert(isnan(kpi(m, "first_response_sla_pct")->value));
    cr_assert(isnan(kpi(m, "reopen_rate_pct")->value));
    cr_assert(isnan(kpi(m, "csat_mean")->ytd));
    cr_assert(isnan(kpi(m, "csat_satisfied_pct")->value));
    cr_assert_eq(table(m, TABLE_SERVICE_SLA_BY_PRIORITY)->n_rows, 4);
    cr_assert_eq(table(m, TABLE_SERVICE_BY_CHANNEL)->n_rows, 0);
    cr_assert_eq(table(m, TABLE_SERVICE_OLDEST_OPEN)->n_rows, 0);
    area_service.destroy(st);
    report_model_free(m);

    setup_ctx(2024, 2, false, 10);
    st = area_service.create(&ctx);
    ticket(st, "A", TKT_P2, "email", ts(2024, 2, 1, 0, 0), NONE, NONE, 0, false, NULL);
    m = finish(st);
    cr_assert_eq(m->n_kpis, 0);
    cr_assert_eq(m->n_tables, 0);
    area_service.destroy(st);
    report_model_free(m);
}

/* Rows of other input kinds are ignored; destroy accepts NULL. */
Test(analyse_service, other_kinds_and_null)
{
    setup_ctx(2024, 2, true, 10);
    void *st = area_service.create(&ctx);
    input_config_t other = { .schema = schema_for_kind(KIND_RISKS) };
    field_value_t v[RISK_NFIELDS];
    memset(v, 0, sizeof v);
    ingest_record_t rec = { .input = &other, .values = v, .line = 2 };
    ops_error_t err = { 0 };
    cr_assert_eq(area_service.record(st, &rec, &err), OPS_OK);
    report_model_t *m = finish(st);
    NEAR(kpi(m, "tickets_created")->value, 0);
    area_service.destroy(st);
    report_model_free(m);
    area_service.destroy(NULL);
}

/* ---- n/a, never 0 -------------------------------------------------------------- */

static void all_nan(const kpi_t *k)
{
    cr_expect(isnan(k->value) && isnan(k->prior) && isnan(k->last_year) && isnan(k->ytd), "%s has values", k->id);
    for (int i = 0; i < MODEL_TREND_MONTHS; i++)
        cr_expect(isnan(k->trend[i]), "%s trend[%d]", k->id, i);
}

/* Two February tickets, neither with a first response (the export has no
 * such column), T1 resolved in 2 h (P2: met). */
static void *feed_unanswered(void)
{
    void *st = area_service.create(&ctx);
    cr_assert_not_null(st);
    ticket(st, "T1", TKT_P2, "email", ts(2024, 2, 1, 0, 0), NONE, ts(2024, 2, 1, 2, 0), 0, false, "S1");
    ticket(st, "T2", TKT_P3, "email", ts(2024, 2, 2, 0, 0), NONE, NONE, 0, false, "S1");
    return st;
}

/* The same rows, mapped or not: with a first_response_at column that is
 * empty, 0 of 2 were answered (0%, red against a 90% target); without the
 * column the KPI cannot be computed: n/a, no status, the other KPIs stand. */
Test(analyse_service, unmapped_first_response_is_na_not_zero)
{
    kpi_config_t target = { .id = "first_response_sla_pct", .has_target = true, .target = 90, .amber = NAN };
    setup_ctx(2024, 2, true, 10);
    cfg.kpis = &target;
    cfg.n_kpis = 1;
    void *st = feed_unanswered();
    report_model_t *m = finish(st);
    model_apply_targets(m, &cfg);
    const kpi_t *k = kpi(m, "first_response_sla_pct");
    NEAR(k->value, 0);
    cr_expect_eq(k->status, RAG_RED);
    cr_expect_eq(k->na, KPI_NA_NONE);
    area_service.destroy(st);
    report_model_free(m);

    setup_ctx(2024, 2, true, 10);
    cfg.kpis = &target;
    cfg.n_kpis = 1;
    ctx.field_unmapped[KIND_TICKETS][TKT_FIRST_RESPONSE_AT] = true;
    st = feed_unanswered();
    m = finish(st);
    model_apply_targets(m, &cfg);
    k = kpi(m, "first_response_sla_pct");
    all_nan(k);
    cr_expect_eq(k->na, KPI_NA_UNMAPPED);
    cr_expect_str_eq(k->na_reason, "no first_response_at in the tickets export");
    cr_expect_str_eq(k->na_short, "no first_response_at in export");
    cr_expect_eq(k->status, RAG_NONE, "never red");
    cr_expect(k->has_target && k->target == 90, "the target is still shown");
    all_nan(kpi(m, "first_response_median_hours"));
    cr_expect_eq(kpi(m, "first_response_p90_hours")->na, KPI_NA_UNMAPPED);
    /* created 2, resolved 1 within SLA: these need no first response */
    NEAR(kpi(m, "tickets_created")->value, 2);
    NEAR(kpi(m, "sla_attainment_pct")->value, 100);
    cr_expect_eq(kpi(m, "sla_attainment_pct")->na, KPI_NA_NONE);
    area_service.destroy(st);
    report_model_free(m);
}

/* Without resolved_at every ticket would look open: backlog, resolution,
 * SLA, reopen and CSAT KPIs are n/a, and so are the tables built on them;
 * the channel table keeps its created counts but not the resolved ones. */
Test(analyse_service, unmapped_resolved_at)
{
    setup_ctx(2024, 2, true, 10);
    ctx.field_unmapped[KIND_TICKETS][TKT_RESOLVED_AT] = true;
    ctx.field_unmapped[KIND_TICKETS][TKT_REOPENED] = true;
    void *st = area_service.create(&ctx);
    ticket(st, "T1", TKT_P2, "email", ts(2024, 2, 1, 0, 0), ts(2024, 2, 1, 1, 0), NONE, 0, false, "S1");
    report_model_t *m = finish(st);
    static const char *const ids[] = { "tickets_resolved", "ticket_backlog", "resolution_median_hours",
                                       "resolution_p90_hours", "sla_attainment_pct", "reopen_rate_pct",
                                       "csat_mean", "csat_satisfied_pct" };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        const kpi_t *k = kpi(m, ids[i]);
        all_nan(k);
        cr_expect_eq(k->na, KPI_NA_UNMAPPED, "%s", ids[i]);
    }
    /* the first field the KPI needs that is missing, or both */
    cr_expect_str_eq(kpi(m, "reopen_rate_pct")->na_reason, "no resolved_at or reopened in the tickets export");
    NEAR(kpi(m, "first_response_sla_pct")->value, 100); /* answered in 1 h: P2 allows 4 */
    const model_table_t *t = table(m, TABLE_SERVICE_OLDEST_OPEN);
    cr_expect_eq(t->n_rows, 0);
    cr_expect_str_eq(t->na_reason, "no resolved_at in the tickets export");
    cr_expect_eq(table(m, TABLE_SERVICE_SLA_BY_PRIORITY)->n_rows, 0);
    t = table(m, TABLE_SERVICE_BY_CHANNEL);
    cr_assert_eq(t->n_rows, 1);
    NEAR(cell(t, 0, 1), 1);
    cr_expect(isnan(cell(t, 0, 2)) && isnan(cell(t, 0, 3)) && isnan(cell(t, 0, 4)));
    area_service.destroy(st);
    report_model_free(m);
}

/* Every ticket row rejected: nothing reached the module, and every KPI says
 * why instead of showing 0 tickets. */
Test(analyse_service, input_rejected_entirely)
{
    setup_ctx(2024, 2, true, 10);
    ctx.input_rejected[KIND_TICKETS] = true;
    void *st = area_service.create(&ctx);
    report_model_t *m = finish(st);
    for (size_t i = 0; i < m->n_kpis; i++) {
        all_nan(&m->kpis[i]);
        cr_expect_eq(m->kpis[i].na, KPI_NA_REJECTED, "%s", m->kpis[i].id);
    }
    cr_expect_str_eq(kpi(m, "tickets_created")->na_reason, "every row of tickets was rejected");
    cr_expect_str_eq(kpi(m, "tickets_created")->na_short, "tickets: all rows rejected");
    cr_expect_str_eq(table(m, TABLE_SERVICE_BY_CHANNEL)->na_reason, "every row of tickets was rejected");
    area_service.destroy(st);
    report_model_free(m);
}

/* A summary for site S1 from an export without a site column would count no
 * ticket at all (0 created): every KPI is n/a instead. The organisation-wide
 * summary of the same rows needs no site and counts the ticket. */
Test(analyse_service, scoped_summary_without_site_column)
{
    setup_ctx(2024, 2, true, 10);
    ctx.field_unmapped[KIND_TICKETS][TKT_SITE] = true;
    ctx.scope = "S1";
    void *st = area_service.create(&ctx);
    ticket(st, "T1", TKT_P2, "email", ts(2024, 2, 1, 0, 0), NONE, NONE, 0, false, NULL);
    report_model_t *m = finish(st);
    const kpi_t *k = kpi(m, "tickets_created");
    cr_expect(isnan(k->value), "not 0");
    cr_expect_str_eq(k->na_reason, "no site in the tickets export to pick S1's rows");
    cr_expect_str_eq(k->na_short, "no site in export");
    area_service.destroy(st);
    report_model_free(m);

    setup_ctx(2024, 2, true, 10);
    ctx.field_unmapped[KIND_TICKETS][TKT_SITE] = true;
    st = area_service.create(&ctx);
    ticket(st, "T1", TKT_P2, "email", ts(2024, 2, 1, 0, 0), NONE, NONE, 0, false, NULL);
    m = finish(st);
    NEAR(kpi(m, "tickets_created")->value, 1);
    area_service.destroy(st);
    report_model_free(m);
}
