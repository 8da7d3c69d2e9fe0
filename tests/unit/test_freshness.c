/* Unit tests for the freshness and completeness gate (pipeline/validate/freshness.c):
 * rows are handed to it as ingest would, then the checks and findings are read. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "opsreport/config.h"
#include "opsreport/freshness.h"

#include "opsreport/parse.h"

static config_t *cfg;
static char ini[64];

/* one shipments input, one item master (not checked), with the given extra keys */
static void load(const char *extra)
{
    snprintf(ini, sizeof ini, "/tmp/opsreport-fresh-XXXXXX");
    int fd = mkstemp(ini);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "[report]\norganisation = T\ncurrency = EUR\n\n[input.shipments]\nfile = s.csv\n%s\n"
               "[input.items]\nfile = i.csv\n", extra);
    fclose(f);
    ops_error_t err = { 0 };
    cr_assert_eq(config_load(ini, &cfg, &err), OPS_OK, "%s", err.message);
}

static void teardown(void)
{
    config_free(cfg);
    cfg = NULL;
    unlink(ini);
}

/* n shipments on day y-m-d */
static void ship(freshness_t *f, int y, int m, int d, int n)
{
    const input_config_t *in = &cfg->inputs[0];
    field_value_t v[CONFIG_MAX_FIELDS];
    memset(v, 0, sizeof v);
    int idx = schema_field_index(in->schema, "ship_date");
    v[idx].present = true;
    v[idx].v.date = date_from_ymd(y, m, d);
    ingest_record_t rec = { in, v, 2 };
    for (int i = 0; i < n; i++)
        freshness_record(f, cfg, &rec);
}

static const char *outcome(const freshness_t *f, size_t input, const char *check)
{
    for (int k = 0; k < FRESHNESS_CHECKS; k++)
        if (!strcmp(f->inputs[input].checks[k].name, check))
            return f->inputs[input].checks[k].outcome;
    return "missing";
}

static void finish(freshness_t *f)
{
    ingest_stats_t stats[2];
    memset(stats, 0, sizeof stats);
    stats[0].present = stats[1].present = true;
    freshness_finish(f, stats);
}

Test(freshness, complete_month_passes, .fini = teardown)
{
    load("");
    freshness_t f;
    cr_assert_eq(freshness_init(&f, cfg, (period_t){ 2026, 10 }, NULL), OPS_OK);
    ship(&f, 2026, 9, 15, 40);
    ship(&f, 2026, 10, 1, 20);
    ship(&f, 2026, 10, 29, 20); /* a Thursday: within max_staleness_days 3 of Sat 31 */
    finish(&f);
    cr_expect_str_eq(outcome(&f, 0, "latest_date"), "pass");
    cr_expect_str_eq(outcome(&f, 0, "rows_in_period"), "pass");
    cr_expect_str_eq(outcome(&f, 0, "row_count_drop"), "pass");
    cr_expect_str_eq(outcome(&f, 1, "latest_date"), "not_applicable");
    cr_expect_eq(f.n_failed, 0);
    freshness_free(&f);
}

Test(freshness, stale_empty_and_drop, .fini = teardown)
{
    static const struct { int last_day, rows_oct; const char *failed, *words; } cases[] = {
        { 21, 40, "latest_date", "shipments: the latest ship_date is 2026-10-21, 10 days before 2026-10-31" },
        { 0, 0, "rows_in_period", "shipments: no rows in October 2026 (by ship_date), though 40 rows" },
        { 31, 19, "row_count_drop", "shipments: 19 rows in October 2026, down 52% from 40" },
    };
    load("");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        freshness_t f;
        cr_assert_eq(freshness_init(&f, cfg, (period_t){ 2026, 10 }, NULL), OPS_OK);
        ship(&f, 2026, 9, 30, 40);
        if (cases[i].rows_oct)
            ship(&f, 2026, 10, cases[i].last_day, cases[i].rows_oct);
        finish(&f);
        cr_expect_str_eq(outcome(&f, 0, cases[i].failed), "fail", "case %zu", i);
        char out[4][FRESHNESS_TEXT];
        size_t n = freshness_findings(&f, out, 4);
        /* an empty month is stale too, but said once */
        cr_expect_eq(n, 1, "case %zu: %zu findings", i, n);
        cr_expect(strstr(out[0], cases[i].words), "case %zu: '%s'", i, out[0]);
        freshness_free(&f);
    }
}

Test(freshness, settings_and_later_rows, .fini = teardown)
{
    load("expect_through = period_end - 10\nmax_staleness_days = 0\nmax_row_drop_pct = 100\n");
    freshness_t f;
    cr_assert_eq(freshness_init(&f, cfg, (period_t){ 2026, 10 }, NULL), OPS_OK);
    ship(&f, 2026, 9, 30, 40);
    ship(&f, 2026, 10, 21, 1);
    finish(&f);
    cr_expect_str_eq(outcome(&f, 0, "latest_date"), "pass");
    cr_expect_str_eq(outcome(&f, 0, "row_count_drop"), "pass");
    freshness_free(&f);
    /* a row after the period end: the export reaches past it */
    cr_assert_eq(freshness_init(&f, cfg, (period_t){ 2026, 9 }, NULL), OPS_OK);
    ship(&f, 2026, 9, 1, 40);
    ship(&f, 2026, 10, 2, 1);
    finish(&f);
    cr_expect_str_eq(outcome(&f, 0, "latest_date"), "pass");
    freshness_free(&f);
}

Test(freshness, config_errors)
{
    static const char *const bad[] = { "expect_through = soon", "expect_through = period_end + 3",
                                       "max_staleness_days = -1", "max_row_drop_pct = 120" };
    for (size_t i = 0; i < 4; i++) {
        snprintf(ini, sizeof ini, "/tmp/opsreport-fresh-XXXXXX");
        int fd = mkstemp(ini);
        FILE *f = fdopen(fd, "w");
        fprintf(f, "[input.shipments]\nfile = s.csv\n%s\n", bad[i]);
        fclose(f);
        config_t *c = NULL;
        ops_error_t err = { 0 };
        cr_expect_eq(config_load(ini, &c, &err), OPS_ERR_CONFIG, "'%s' accepted", bad[i]);
        /* refused for this key, not for something else in the file */
        cr_expect(!strncmp(bad[i], err.column, strlen(err.column)) && err.column[0],
                  "'%s': refused for '%s': %s", bad[i], err.column, err.message);
        unlink(ini);
    }
}
