/*
 * outlook.c - the forecast stage: [forecast.NAME] -> forecast_series() for
 * each chosen series (GSL-fitted models, pipeline/forecast/), 80% and 95%
 * intervals and a rolling-origin backtest, then the full-year outlook.
 * Seeds come from the series id, so reruns are byte-identical. Money
 * forecasts are rounded to minor units, so the outlook, the snapshot and the
 * bridge all add up exactly.
 */
#include "opsreport/outlook.h"

#include "opsreport/forecast.h"
#include "opsreport/overrides.h"
#include "opsreport/review.h"
#include "opsreport/template.h"

#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static ops_status_t add_forecast(report_model_t *m, const model_series_t *s, const forecast_config_t *fc,
                                 size_t horizon, ops_error_t *err)
{
    forecast_options_t opt;
    forecast_options_default(&opt);
    opt.horizon = horizon;
    opt.season = 12;
    opt.n_levels = 2;
    opt.levels[0] = 80;
    opt.levels[1] = 95;
    opt.backtest = true;
    opt.seed = g_str_hash(s->id);
    if (fc->method && !forecast_method_parse(fc->method, &opt.method))
        return ops_error_set(err, OPS_ERR_CONFIG, NULL, fc->line, "method", "unknown forecast method '%s'", fc->method);
    forecast_result_t r;
    memset(&r, 0, sizeof r);
    ops_status_t rc = forecast_series(s->values, s->n, &opt, &r, err);
    if (rc != OPS_OK) {
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg, "%s", err->message);
        return ops_error_set(err, rc, NULL, fc->line, fc->name, "forecast of %s: %s", s->id, msg);
    }
    model_forecast_t *grown = realloc(m->forecasts, (m->n_forecasts + 1) * sizeof *grown);
    if (!grown) {
        forecast_result_free(&r);
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    m->forecasts = grown;
    model_forecast_t *f = &m->forecasts[m->n_forecasts];
    memset(f, 0, sizeof *f);
    snprintf(f->series_id, sizeof f->series_id, "%s", s->id);
    snprintf(f->label, sizeof f->label, "%s", s->label);
    f->unit = s->unit;
    f->first_index = s->first_index;
    f->n_history = s->n;
    f->horizon = horizon;
    size_t hb = horizon * sizeof(double);
    f->history = malloc(s->n * sizeof(double));
    f->point = malloc(hb);
    f->lo80 = malloc(hb);
    f->hi80 = malloc(hb);
    f->lo95 = malloc(hb);
    f->hi95 = malloc(hb);
    f->stat = malloc(hb);
    f->override = malloc(hb);
    m->n_forecasts++; /* owned by the model from here, freed by report_model_free */
    if (!f->history || !f->point || !f->lo80 || !f->hi80 || !f->lo95 || !f->hi95 || !f->stat || !f->override) {
        forecast_result_free(&r);
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    memcpy(f->history, s->values, s->n * sizeof(double));
    memcpy(f->point, r.point, hb);
    memcpy(f->lo80, r.lo[0], hb);
    memcpy(f->hi80, r.hi[0], hb);
    memcpy(f->lo95, r.lo[1], hb);
    memcpy(f->hi95, r.hi[1], hb);
    if (f->unit == UNIT_MONEY) {
        double scale = pow(10, m->minor_units);
        double *arrays[] = { f->point, f->lo80, f->hi80, f->lo95, f->hi95 };
        for (size_t a = 0; a < 5; a++)
            for (size_t h = 0; h < horizon; h++)
                arrays[a][h] = round(arrays[a][h] * scale) / scale;
    }
    memcpy(f->stat, f->point, hb);
    for (size_t h = 0; h < horizon; h++)
        f->override[h] = NAN;
    _Static_assert(sizeof f->model >= sizeof r.model, "a model name must not be cut");
    snprintf(f->model, sizeof f->model, "%s", r.model);
    snprintf(f->params, sizeof f->params, "%s", r.params);
    snprintf(f->reason, sizeof f->reason, "%s", r.reason);
    f->aicc = r.aicc;
    f->mase = r.backtest.mase;
    f->smape = r.backtest.smape;
    f->mape = r.backtest.mape;
    f->bias = r.backtest.bias;
    f->coverage80 = r.backtest.coverage[0] * 100; /* library gives fractions */
    f->coverage95 = r.backtest.coverage[1] * 100;
    f->backtest_origins = r.backtest.origins;
    f->key = fc->chart;
    forecast_result_free(&r);
    return OPS_OK;
}

static const model_forecast_t *find_forecast(const report_model_t *m, const char *id)
{
    for (size_t i = 0; i < m->n_forecasts; i++)
        if (!strcmp(m->forecasts[i].series_id, id))
            return &m->forecasts[i];
    return NULL;
}

/* YTD actual + forecast to the fiscal year end, against the full-year budget. */
static ops_status_t add_outlook(report_model_t *m, int months_left, ops_error_t *err)
{
    static const struct { const char *series, *id, *label; int type; kpi_direction_t dir; } rows[] = {
        { SERIES_GL_REVENUE, KPI_REVENUE_OUTLOOK_VS_BUDGET_PCT, "Revenue full-year outlook vs budget", GL_TYPE_REVENUE,
          KPI_HIGHER_IS_BETTER },
        { SERIES_GL_OPEX, KPI_OPEX_OUTLOOK_VS_BUDGET_PCT, "Opex full-year outlook vs budget", GL_TYPE_OPEX,
          KPI_LOWER_IS_BETTER },
    };
    double scale = pow(10, m->minor_units);
    model_table_t *t = NULL;
    for (size_t i = 0; i < 2; i++) {
        const model_forecast_t *f = find_forecast(m, rows[i].series);
        const bva_totals_t *b = &m->bva_by_type[rows[i].type];
        if (!f || (int)f->horizon < months_left || b->budget_full_year == 0)
            continue;
        if (!t) {
            static const char *const names[] = { "Measure", "Actual YTD", "Forecast rest of year", "80% low",
                                                 "80% high", "Full-year outlook", "Full-year budget", "Outlook vs budget %" };
            static const col_kind_t kinds[] = { COL_TEXT, COL_MONEY, COL_MONEY, COL_MONEY, COL_MONEY, COL_MONEY,
                                                COL_MONEY, COL_PERCENT };
            t = model_add_table(m, TABLE_FINANCE_OUTLOOK, "Full-year outlook", 8, names, kinds);
            if (!t)
                return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            snprintf(t->note, sizeof t->note, "Actual to date plus the forecast of the %d remaining month%s of the fiscal year; the 80%% range adds the monthly bounds (a conservative range).",
                     months_left, months_left == 1 ? "" : "s");
        }
        /* in minor units: the bridge (review.c) adds up to the same outlook */
        int64_t rest_minor = 0;
        double lo = 0, hi = 0;
        for (int h = 0; h < months_left; h++) {
            rest_minor += llround(f->point[h] * scale);
            lo += f->lo80[h];
            hi += f->hi80[h];
        }
        double rest = (double)rest_minor / scale;
        double ytd = (double)b->actual_ytd / scale, budget = (double)b->budget_full_year / scale;
        double outlook = (double)(b->actual_ytd + rest_minor) / scale;
        long r = model_table_add_row(t);
        if (r < 0)
            return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        model_table_set_text(t, (size_t)r, 0, f->label, strlen(f->label));
        model_table_set_num(t, (size_t)r, 1, ytd);
        model_table_set_num(t, (size_t)r, 2, rest);
        model_table_set_num(t, (size_t)r, 3, ytd + lo);
        model_table_set_num(t, (size_t)r, 4, ytd + hi);
        model_table_set_num(t, (size_t)r, 5, outlook);
        model_table_set_num(t, (size_t)r, 6, budget);
        model_table_set_num(t, (size_t)r, 7, outlook / budget * 100);
        kpi_t *k = model_add_kpi(m, rows[i].id, rows[i].label, AREA_FINANCE, UNIT_PERCENT);
        if (!k)
            return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        k->value = k->ytd = outlook / budget * 100;
        k->direction = rows[i].dir;
        snprintf(k->note, sizeof k->note, "(actual YTD + forecast %s of the rest of the year) / full-year budget x 100",
                 f->model);
    }
    return OPS_OK;
}

/* The overrides file, then the review of the archive. */
static ops_status_t review_stage(const config_t *cfg, report_model_t *m, const outlook_context_t *ctx,
                                 ops_error_t *err)
{
    if (cfg->forecast_overrides) {
        char path[2048];
        if (cfg->forecast_overrides[0] == '/')
            snprintf(path, sizeof path, "%s", cfg->forecast_overrides);
        else
            snprintf(path, sizeof path, "%s/%s", ctx->data_dir ? ctx->data_dir : ".", cfg->forecast_overrides);
        ops_status_t rc = overrides_apply_file(path, m, ctx->rejects, &m->review.n_override_rejects, err);
        if (rc != OPS_OK)
            return rc;
    }
    template_set_t *tpl = NULL;
    if (ctx->templates_dir) {
        char tpath[1200];
        snprintf(tpath, sizeof tpath, "%s/narrative.txt", ctx->templates_dir);
        ops_status_t rc = template_set_load(tpath, &tpl, err);
        if (rc != OPS_OK)
            return rc;
    }
    const char *dir = cfg->forecast_history_dir ? cfg->forecast_history_dir : ctx->out_dir ? ctx->out_dir : ".";
    ops_status_t rc = review_run(m, dir, tpl, err);
    template_set_free(tpl);
    return rc;
}

ops_status_t outlook_run(const config_t *cfg, report_model_t *m, ops_error_t *err)
{
    return outlook_run_ctx(cfg, m, NULL, err);
}

ops_status_t outlook_run_ctx(const config_t *cfg, report_model_t *m, const outlook_context_t *ctx, ops_error_t *err)
{
    int idx = period_index(m->period), fy_end = period_index(m->fy_start) + 11;
    int months_left = fy_end - idx;
    for (size_t i = 0; i < cfg->n_forecasts; i++) {
        const forecast_config_t *fc = &cfg->forecasts[i];
        size_t horizon = fc->horizon ? (size_t)fc->horizon : (size_t)(months_left > 12 ? months_left : 12);
        size_t plen = strlen(fc->series);
        for (size_t k = 0; k < m->n_series; k++) {
            const model_series_t *s = &m->series[k];
            bool exact = !strcmp(s->id, fc->series);
            bool group = fc->per_group && !strncmp(s->id, fc->series, plen) && s->id[plen] == ':';
            if (!exact && !group)
                continue;
            ops_status_t rc = add_forecast(m, s, fc, horizon, err);
            if (rc != OPS_OK)
                return rc;
            if (group)
                m->forecasts[m->n_forecasts - 1].key = false; /* charts for the totals only */
        }
    }
    if (ctx) {
        ops_status_t rc = review_stage(cfg, m, ctx, err);
        if (rc != OPS_OK)
            return rc;
    }
    return add_outlook(m, months_left, err);
}
