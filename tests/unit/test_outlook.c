/*
 * test_outlook.c - the forecast review with numbers small enough to check
 * by hand: review_metrics (MAPE, MASE, bias, tracking signal, FVA),
 * review_bridge (the parts add up to the change in the outlook), the
 * forecasts.csv round trip, the overrides file (applied rows and rejects),
 * and review_run over a hand-written archive.
 */
#include "opsreport/outlook.h"
#include "opsreport/overrides.h"
#include "opsreport/review.h"
#include "opsreport/snapshot.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- review_metrics ---------------------------------------------------------- */

Test(review_metrics, mape_bias_mase_and_fva_by_hand)
{
    /* errors 10, -10, -10, 10: bias 0, MAD 10, TS 0
     * APE .10 .05 .10 .20 -> MAPE 11.25; naive APE .20 .25 0 .20 -> 16.25;
     * final APE .05 .05 .10 .20 -> 10.00 (one month overridden) */
    const double actual[] = { 100, 200, 100, 50 }, stat[] = { 90, 210, 110, 40 };
    const double naive[] = { 80, 150, 100, 60 }, final[] = { 95, 210, 110, 40 };
    review_metrics_t m;
    review_metrics(actual, stat, final, naive, 4, 5.0, &m);
    cr_expect_eq(m.n, 4);
    cr_expect_float_eq(m.bias, 0.0, 1e-12);
    cr_expect_float_eq(m.mad, 10.0, 1e-12);
    cr_expect_float_eq(m.tracking_signal, 0.0, 1e-12);
    cr_expect_not(m.bias_flag);
    cr_expect_float_eq(m.mape, 11.25, 1e-9);
    cr_expect_float_eq(m.mase, 2.0, 1e-12);
    cr_expect_float_eq(m.mape_snaive, 16.25, 1e-9);
    cr_expect_float_eq(m.fva_stat, 5.0, 1e-9);
    cr_expect_eq(m.n_overridden, 1);
    cr_expect_float_eq(m.mape_final, 10.0, 1e-9);
    cr_expect_float_eq(m.fva_final, 1.25, 1e-9);
}

Test(review_metrics, tracking_signal_flags_persistent_bias)
{
    static const struct {
        size_t n;
        double actual[6], stat[6];
        double ts;
        bool flag;
    } cases[] = {
        /* errors 10 20 30 40: sum 100, MAD 25, TS 4.0: at the limit, not over it */
        { 4, { 110, 120, 130, 140 }, { 100, 100, 100, 100 }, 4.0, false },
        /* + 50: sum 150, MAD 30, TS 5.0 */
        { 5, { 110, 120, 130, 140, 150 }, { 100, 100, 100, 100, 100 }, 5.0, true },
        /* all too high: errors -10 x 5, TS -5 */
        { 5, { 90, 90, 90, 90, 90 }, { 100, 100, 100, 100, 100 }, -5.0, true },
        /* alternating: sum 0 */
        { 6, { 110, 90, 110, 90, 110, 90 }, { 100, 100, 100, 100, 100, 100 }, 0.0, false },
        /* two months: TS 2, too few to judge */
        { 2, { 110, 120 }, { 100, 100 }, 2.0, false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        review_metrics_t m;
        review_metrics(cases[i].actual, cases[i].stat, NULL, NULL, cases[i].n, NAN, &m);
        cr_expect_float_eq(m.tracking_signal, cases[i].ts, 1e-12, "case %zu", i);
        cr_expect_eq(m.bias_flag, cases[i].flag, "case %zu", i);
        cr_expect(isnan(m.mase), "case %zu: no scale, no MASE", i);
        cr_expect(isnan(m.fva_stat) && isnan(m.fva_final), "case %zu: no naive, no final", i);
    }
}

Test(review_metrics, zero_actual_and_empty)
{
    const double actual[] = { 0, 100 }, stat[] = { 10, 90 }, naive[] = { NAN, 80 };
    review_metrics_t m;
    review_metrics(actual, stat, stat, naive, 2, 10.0, &m);
    cr_expect_float_eq(m.mape, 10.0, 1e-12); /* the month with actual 0 has no percent error */
    cr_expect_float_eq(m.bias, 0.0, 1e-12);
    cr_expect_float_eq(m.mase, 1.0, 1e-12);
    cr_expect(isnan(m.fva_stat), "a missing naive value: no FVA");
    cr_expect(isnan(m.fva_final), "final = statistical: nothing overridden");
    cr_expect_eq(m.n_overridden, 0);
    review_metrics(NULL, NULL, NULL, NULL, 0, 1.0, &m);
    cr_expect(m.n == 0 && isnan(m.mape) && isnan(m.bias) && isnan(m.tracking_signal));
}

/* ---- review_bridge ----------------------------------------------------------- */

Test(review_bridge, parts_add_up_exactly)
{
    /* last month: Oct 100 (stat 100), Nov 110 (stat 100, override +10), Dec 120
     * this month: Oct actual 120; Nov 130 (stat 105, override +25), Dec 115 */
    const int64_t pf[] = { 100, 110, 120 }, ps[] = { 100, 100, 120 };
    const int64_t cf[] = { 130, 115 }, cs[] = { 105, 115 };
    model_bridge_t b;
    memset(&b, 0, sizeof b);
    review_bridge(1000, 120, pf, ps, 3, cf, cs, &b);
    cr_expect(b.available);
    cr_expect_eq(b.prev_outlook, 1330);
    cr_expect_eq(b.actual_vs_forecast, 20);
    cr_expect_eq(b.reforecast, 0);   /* (105 - 100) + (115 - 120) */
    cr_expect_eq(b.overrides, 15);   /* (25 - 10) + (0 - 0) */
    cr_expect_eq(b.outlook, 1365);
    cr_expect_eq(b.prev_outlook + b.actual_vs_forecast + b.reforecast + b.overrides, b.outlook);
    /* the last month of the year: nothing left to re-forecast */
    review_bridge(1000, 90, pf, ps, 1, NULL, NULL, &b);
    cr_expect_eq(b.prev_outlook, 1100);
    cr_expect_eq(b.actual_vs_forecast, -10);
    cr_expect_eq(b.reforecast + b.overrides, 0);
    cr_expect_eq(b.outlook, 1090);
}

/* ---- a tiny model ------------------------------------------------------------ */

static report_model_t *tiny_model(void)
{
    report_model_t *m = calloc(1, sizeof *m);
    cr_assert_not_null(m);
    snprintf(m->currency, sizeof m->currency, "EUR");
    m->minor_units = 2;
    period_parse("2026-10", &m->period);
    period_parse("2026-01", &m->fy_start);
    m->forecasts = calloc(1, sizeof *m->forecasts);
    m->n_forecasts = 1;
    model_forecast_t *f = &m->forecasts[0];
    snprintf(f->series_id, sizeof f->series_id, "gl_revenue");
    snprintf(f->label, sizeof f->label, "Revenue");
    snprintf(f->model, sizeof f->model, "ETS(M,A,M)");
    f->unit = UNIT_MONEY;
    f->n_history = 14;
    f->first_index = period_index(m->period) - 13;
    f->history = malloc(14 * sizeof(double));
    for (size_t i = 0; i < 14; i++)
        f->history[i] = 100 + (double)i; /* Sep 2025 100 ... Oct 2026 113 */
    f->horizon = 3;
    double **arr[] = { &f->point, &f->lo80, &f->hi80, &f->lo95, &f->hi95, &f->stat, &f->override };
    for (size_t a = 0; a < 7; a++)
        *arr[a] = malloc(3 * sizeof(double));
    for (size_t h = 0; h < 3; h++) {
        f->point[h] = f->stat[h] = 200 + 10.0 * (double)h;
        f->lo80[h] = f->point[h] - 5;
        f->hi80[h] = f->point[h] + 5;
        f->lo95[h] = f->point[h] - 8;
        f->hi95[h] = f->point[h] + 8;
        f->override[h] = NAN;
    }
    return m;
}

static void tiny_free(report_model_t *m)
{
    model_forecast_t *f = &m->forecasts[0];
    double *arr[] = { f->history, f->point, f->lo80, f->hi80, f->lo95, f->hi95, f->stat, f->override };
    for (size_t a = 0; a < 8; a++)
        free(arr[a]);
    free(m->forecasts);
    free(m->review.series);
    free(m->review.overrides);
    free(m);
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "%s", path);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

/* ---- forecasts.csv ----------------------------------------------------------- */

Test(snapshot, writes_reads_back_and_finds)
{
    report_model_t *m = tiny_model();
    m->forecasts[0].override[1] = 250.5;
    m->forecasts[0].point[1] = 250.5;
    char dir[] = "/tmp/test_outlook_XXXXXX", path[256];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/forecasts.csv", dir);
    ops_error_t err = { 0 };
    cr_assert_eq(snapshot_write(m, "2026-10-abc", path, &err), OPS_OK, "%s", err.message);
    const char *text = slurp(path);
    cr_expect(strstr(text, "series,period,step,point,lo80,hi80,lo95,hi95,override,final,model,run_id\n") == text);
    cr_expect(strstr(text, "\"gl_revenue\",2026-11,1,200.00,195.00,205.00,192.00,208.00,,200.00,\"ETS(M,A,M)\",\"2026-10-abc\"\n"),
              "%s", text);
    cr_expect(strstr(text, ",2026-12,2,210.00,205.00,215.00,202.00,218.00,250.50,250.50,"), "%s", text);
    snapshot_t s;
    cr_assert_eq(snapshot_read(path, &s, &err), OPS_OK, "%s", err.message);
    cr_expect_eq(s.n, 3);
    cr_expect_eq(s.n_bad, 0);
    const snapshot_row_t *r = snapshot_find(&s, "gl_revenue", period_index(m->period) + 2, 2);
    cr_assert_not_null(r);
    cr_expect_float_eq(r->point, 210.0, 1e-9);
    cr_expect_float_eq(r->override, 250.5, 1e-9);
    cr_expect_float_eq(r->final, 250.5, 1e-9);
    cr_expect(isnan(snapshot_find(&s, "gl_revenue", period_index(m->period) + 1, 1)->override));
    cr_expect_null(snapshot_find(&s, "gl_revenue", period_index(m->period) + 2, 1), "step must match");
    snapshot_free(&s);
    /* not a snapshot: refused with the file named */
    FILE *fp = fopen(path, "w");
    fputs("a,b\n1,2\n", fp);
    fclose(fp);
    cr_expect_eq(snapshot_read(path, &s, &err), OPS_ERR_INPUT);
    cr_expect_null(s.rows);
    unlink(path);
    rmdir(dir);
    tiny_free(m);
}

Test(snapshot, value_format)
{
    char b[64];
    snapshot_format_value(-0.001, UNIT_MONEY, 2, b, sizeof b);
    cr_expect_str_eq(b, "0.00");
    snapshot_format_value(1234.5, UNIT_MONEY, 2, b, sizeof b);
    cr_expect_str_eq(b, "1234.50");
    snapshot_format_value(41.23456, UNIT_COUNT, 2, b, sizeof b);
    cr_expect_str_eq(b, "41.2346");
    snapshot_format_value(NAN, UNIT_MONEY, 2, b, sizeof b);
    cr_expect_str_eq(b, "");
}

/* ---- overrides ----------------------------------------------------------------- */

Test(overrides, applies_good_rows_and_rejects_bad_ones)
{
    report_model_t *m = tiny_model();
    char dir[] = "/tmp/test_outlook_XXXXXX", path[256], rpath[256];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/overrides.csv", dir);
    snprintf(rpath, sizeof rpath, "%s/rejects.csv", dir);
    FILE *fp = fopen(path, "w");
    fputs("series,period,value,pct_change,reason,author\n"
          "gl_revenue,2026-11,250,,Big order,Ann\n"   /* 2: applied */
          "gl_revenue,2026-12,,-10%,Price cut,Ann\n"  /* 3: 210 x 0.9 = 189 */
          "gl_revenue,2027-01,,5,,Bob\n"              /* 4: no reason */
          "gl_revnue,2027-01,1,,typo,Bob\n"           /* 5: unknown series */
          "gl_revenue,2027-02,1,,too far,Bob\n"       /* 6: outside the horizon */
          "gl_revenue,2026-11,260,,again,Bob\n"       /* 7: second for the month */
          "gl_revenue,2027-01,1,2,both,Bob\n"         /* 8: value and pct_change */
          "gl_revenue,2027-01,abc,,words,Bob\n",      /* 9: not a number */
          fp);
    fclose(fp);
    rejects_writer_t *rj = NULL;
    ops_error_t err = { 0 };
    cr_assert_eq(rejects_open(rpath, &rj, &err), OPS_OK);
    size_t n_rej = 0;
    cr_assert_eq(overrides_apply_file(path, m, rj, &n_rej, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(rejects_close(rj, &err), OPS_OK);
    const model_forecast_t *f = &m->forecasts[0];
    cr_expect_float_eq(f->point[0], 250.0, 1e-9);
    cr_expect_float_eq(f->override[0], 250.0, 1e-9);
    cr_expect_float_eq(f->stat[0], 200.0, 1e-9, "the statistical forecast is kept");
    cr_expect_float_eq(f->point[1], 189.0, 1e-9);
    cr_expect_float_eq(f->point[2], 220.0, 1e-9, "rejected rows change nothing");
    cr_expect(isnan(f->override[2]));
    cr_expect_eq(m->review.n_overrides, 2);
    cr_expect_str_eq(m->review.overrides[0].reason, "Big order");
    cr_expect_eq(n_rej, 6);
    const char *rej = slurp(rpath);
    static const char *const expect[] = {
        ",\"4\",\"reason\",\"\",\"an override needs a reason\"",
        ",\"5\",\"series\",\"gl_revnue\",\"unknown series 'gl_revnue'; forecast series: gl_revenue\"",
        ",\"6\",\"period\",\"2027-02\",\"expected a month of the forecast horizon of gl_revenue, 2026-11 to 2027-01 (YYYY-MM)\"",
        ",\"7\",\"period\",\"2026-11\",\"a second override of gl_revenue for 2026-11; the first one stands\"",
        ",\"8\",\"value\",\"1\",\"expected either value or pct_change, not both\"",
        ",\"9\",\"value\",\"abc\",\"expected a number such as 5500000.00\"",
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
        cr_expect(strstr(rej, expect[i]), "missing %s in\n%s", expect[i], rej);
    /* a file without the needed columns stops with its name */
    fp = fopen(path, "w");
    fputs("series,period,value\n", fp);
    fclose(fp);
    cr_expect_eq(overrides_apply_file(path, m, NULL, &n_rej, &err), OPS_ERR_INPUT);
    cr_expect(strstr(err.message, "reason"), "%s", err.message);
    unlink(path);
    unlink(rpath);
    rmdir(dir);
    tiny_free(m);
}

/* ---- review_run over a hand-written archive ------------------------------------ */

Test(review_run, scores_last_months_forecast_and_lists_the_archive)
{
    report_model_t *m = tiny_model();
    char dir[] = "/tmp/test_outlook_XXXXXX", sub[300], path[400];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(sub, sizeof sub, "%s/2026-09", dir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    snprintf(path, sizeof path, "%s/forecasts.csv", sub);
    FILE *fp = fopen(path, "w");
    /* September forecast October at 120 (actual 113: error -7, inside 80% 110..125) */
    fputs("series,period,step,point,lo80,hi80,lo95,hi95,override,final,model,run_id\n"
          "\"gl_revenue\",2026-10,1,118.00,110.00,125.00,105.00,130.00,120.00,120.00,\"x\",\"r\"\n"
          "\"gl_revenue\",2026-11,2,190.00,180.00,200.00,170.00,210.00,,190.00,\"x\",\"r\"\n"
          "\"gl_revenue\",2026-12,3,215.00,200.00,230.00,190.00,240.00,,215.00,\"x\",\"r\"\n",
          fp);
    fclose(fp);
    m->gl_present = true;
    m->bva_by_type[GL_TYPE_REVENUE].actual_month = 11300;     /* 113.00 */
    m->bva_by_type[GL_TYPE_REVENUE].actual_ytd = 100000;      /* 1000.00 */
    ops_error_t err = { 0 };
    cr_assert_eq(review_run(m, dir, NULL, &err), OPS_OK, "%s", err.message);
    const model_review_t *rv = &m->review;
    cr_expect_eq(rv->archive.n_found, 1);
    cr_expect_str_eq(rv->archive.found[0], "2026-09");
    cr_expect_eq(rv->archive.n_missing, 11);
    cr_expect_str_eq(rv->archive.missing[0], "2025-10");
    const model_review_series_t *s = &rv->series[0];
    cr_expect_float_eq(s->actual, 113.0, 1e-9);
    cr_expect(s->last_month.found);
    cr_expect_float_eq(s->last_month.error, -7.0, 1e-9);
    cr_expect_float_eq(s->last_month.pct_error, -7.0 / 113 * 100, 1e-9);
    cr_expect_eq(s->last_month.in80, 1);
    cr_expect_not(s->three_months.found);
    cr_expect_eq(s->n_scored, 1);
    cr_expect_not(s->enough);
    cr_expect_float_eq(s->mape, 5.0 / 113 * 100, 1e-9); /* statistical 118 */
    cr_expect_float_eq(s->mape_snaive, 12.0 / 113 * 100, 1e-9); /* Oct 2025 was 101 */
    cr_expect_float_eq(s->fva_final, 5.0 / 113 * 100 - 7.0 / 113 * 100, 1e-9);
    /* bridge: prev = 887.00 + 120 + 190 + 215 = 1412.00; now = 1000.00 + 200 + 210 = 1410.00
     * actual vs forecast 113 - 120 = -7 (against the final); re-forecast (200-190) + (210-215) = 5;
     * overrides: none in the remaining months, so 0 (October's +2 is in "actual vs forecast") */
    cr_assert_eq(rv->n_bridge, 2);
    const model_bridge_t *b = &rv->bridge[0];
    cr_assert(b->available, "%s", b->na_reason);
    cr_expect_eq(b->prev_outlook, 141200);
    cr_expect_eq(b->actual_vs_forecast, -700);
    cr_expect_eq(b->reforecast, 500);
    cr_expect_eq(b->overrides, 0);
    cr_expect_eq(b->outlook, 141000);
    cr_expect_eq(b->prev_outlook + b->actual_vs_forecast + b->reforecast + b->overrides, b->outlook);
    cr_expect_not(rv->bridge[1].available, "no opex forecast");
    char line[700], expect[700];
    cr_expect_eq(review_log_line(rv, line, sizeof line), 2);
    snprintf(expect, sizeof expect, "forecast archive %s: found 2026-09; missing 2025-10 2025-11 2025-12 2026-01 "
             "2026-02 2026-03 2026-04 2026-05 2026-06 2026-07 2026-08", dir);
    cr_expect_str_eq(line, expect);
    unlink(path);
    rmdir(sub);
    rmdir(dir);
    tiny_free(m);
}

/* ---- the [forecast] keys --------------------------------------------------------- */

Test(forecast_config, history_dir_and_overrides_keys)
{
    char dir[] = "/tmp/test_outlook_XXXXXX", path[256];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.ini", dir);
    static const struct {
        const char *ini;
        ops_status_t rc;
        const char *history, *overrides, *message;
    } cases[] = {
        { "[input.gl_actuals]\nfile = a.csv\n[forecast]\nhistory_dir = /srv/out\noverrides = ovr.csv\n", OPS_OK,
          "/srv/out", "ovr.csv", NULL },
        { "[input.gl_actuals]\nfile = a.csv\n", OPS_OK, NULL, NULL, NULL },
        { "[input.gl_actuals]\nfile = a.csv\n[forecast]\noverride = ovr.csv\n", OPS_ERR_CONFIG, NULL, NULL,
          "overrides" },
        { "[input.gl_actuals]\nfile = a.csv\n[forecast]\noverrides =\n", OPS_ERR_CONFIG, NULL, NULL,
          "expected a path" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *fp = fopen(path, "w");
        fputs(cases[i].ini, fp);
        fclose(fp);
        config_t *cfg = NULL;
        ops_error_t err = { 0 };
        cr_expect_eq(config_load(path, &cfg, &err), cases[i].rc, "case %zu: %s", i, err.message);
        if (cases[i].rc != OPS_OK) {
            cr_expect(strstr(err.message, cases[i].message), "case %zu: %s", i, err.message);
            continue;
        }
        cr_assert_not_null(cfg);
        if (cases[i].history)
            cr_expect_str_eq(cfg->forecast_history_dir, cases[i].history, "case %zu", i);
        else
            cr_expect_null(cfg->forecast_history_dir, "case %zu", i);
        if (cases[i].overrides)
            cr_expect_str_eq(cfg->forecast_overrides, cases[i].overrides, "case %zu", i);
        else
            cr_expect_null(cfg->forecast_overrides, "case %zu", i);
        config_free(cfg);
    }
    unlink(path);
    rmdir(dir);
}
