/*
 * review.c - the forecast review: archived forecasts against actuals (forecast
 * vs actual, MAPE, MASE, bias, tracking signal, FVA) and the outlook bridge.
 *
 * Nothing here recomputes an earlier forecast: the archive is what earlier
 * runs wrote (snapshot.c). The seasonal naive forecast of a month is data
 * (the actual twelve months before), so it is rebuilt from the history.
 * Money in the bridge is integer minor units, so its parts add up exactly.
 */
#include "opsreport/review.h"

#include "opsreport/forecast.h"
#include "opsreport/numfmt.h"
#include "opsreport/snapshot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void review_metrics(const double *actual, const double *stat, const double *final, const double *naive,
                    size_t n, double mase_scale, review_metrics_t *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    out->mape = out->mase = out->bias = out->mad = out->tracking_signal = NAN;
    out->mape_snaive = out->fva_stat = out->mape_final = out->fva_final = NAN;
    if (n == 0)
        return;
    double sum_e = 0, sum_abs = 0, ape = 0, ape_naive = 0, ape_final = 0;
    size_t n_ape = 0;
    bool naive_ok = naive != NULL;
    for (size_t i = 0; i < n; i++) {
        double e = actual[i] - stat[i];
        sum_e += e;
        sum_abs += fabs(e);
        if (final && final[i] != stat[i])
            out->n_overridden++;
        if (naive && !isfinite(naive[i]))
            naive_ok = false;
        if (actual[i] == 0)
            continue; /* no percent error of a zero actual */
        n_ape++;
        ape += fabs(e / actual[i]);
        if (final)
            ape_final += fabs((actual[i] - final[i]) / actual[i]);
        if (naive_ok)
            ape_naive += fabs((actual[i] - naive[i]) / actual[i]);
    }
    out->bias = sum_e / (double)n;
    out->mad = sum_abs / (double)n;
    out->tracking_signal = out->mad > 0 ? sum_e / out->mad : 0;
    out->bias_flag = n >= MODEL_REVIEW_MIN_MONTHS && fabs(out->tracking_signal) > REVIEW_TS_LIMIT;
    if (isfinite(mase_scale) && mase_scale > 0)
        out->mase = out->mad / mase_scale;
    if (n_ape == 0)
        return;
    out->mape = ape / (double)n_ape * 100;
    if (naive_ok) {
        out->mape_snaive = ape_naive / (double)n_ape * 100;
        out->fva_stat = out->mape_snaive - out->mape;
    }
    if (final && out->n_overridden) {
        out->mape_final = ape_final / (double)n_ape * 100;
        out->fva_final = out->mape - out->mape_final;
    }
}

void review_bridge(int64_t actual_before, int64_t actual_month, const int64_t *prev_final,
                   const int64_t *prev_stat, size_t n_prev, const int64_t *cur_final,
                   const int64_t *cur_stat, model_bridge_t *out)
{
    int64_t prev_rest = 0, cur_rest = 0, reforecast = 0, overrides = 0;
    for (size_t i = 0; i < n_prev; i++)
        prev_rest += prev_final[i];
    for (size_t i = 1; i < n_prev; i++) {
        cur_rest += cur_final[i - 1];
        reforecast += cur_stat[i - 1] - prev_stat[i];
        overrides += (cur_final[i - 1] - cur_stat[i - 1]) - (prev_final[i] - prev_stat[i]);
    }
    out->prev_outlook = actual_before + prev_rest;
    out->actual_vs_forecast = actual_month - (n_prev ? prev_final[0] : 0);
    out->reforecast = reforecast;
    out->overrides = overrides;
    out->outlook = actual_before + actual_month + cur_rest;
    out->available = true;
}

/* ---- the review of a model ----------------------------------------------- */

static bool access_exists(const char *path) { return access(path, F_OK) == 0; }

static double history_at(const model_forecast_t *f, int idx)
{
    int k = idx - f->first_index;
    return k >= 0 && (size_t)k < f->n_history ? f->history[k] : NAN;
}

/* money_scale: 10^minor_units for a money series (its error is whole minor
 * units, as actual and snapshot are), 0 otherwise */
static void score_point(const snapshot_row_t *row, double actual, double money_scale, model_review_point_t *pt)
{
    memset(pt, 0, sizeof *pt);
    pt->in80 = pt->in95 = -1;
    pt->stat = pt->final = pt->error = pt->pct_error = NAN;
    if (!row)
        return;
    pt->found = true;
    pt->stat = row->point;
    pt->final = row->final;
    if (!isfinite(actual))
        return;
    pt->error = actual - row->final;
    if (money_scale > 0) /* no binary residue: -54313.73, not -54313.72999999952 */
        pt->error = (double)llround(pt->error * money_scale) / money_scale;
    pt->pct_error = actual != 0 ? pt->error / actual * 100 : NAN;
    if (isfinite(row->lo80) && isfinite(row->hi80))
        pt->in80 = actual >= row->lo80 && actual <= row->hi80;
    if (isfinite(row->lo95) && isfinite(row->hi95))
        pt->in95 = actual >= row->lo95 && actual <= row->hi95;
}

static void fmt_value(const report_model_t *m, kpi_unit_t unit, double v, unsigned flags, char *buf, size_t size)
{
    if (!isfinite(v))
        snprintf(buf, size, "%s", NUMFMT_NA);
    else if (unit == UNIT_MONEY)
        numfmt_money_short(buf, size, (int64_t)llround(v * pow(10, m->minor_units)), m->currency, m->minor_units,
                           flags);
    else
        numfmt_number(buf, size, v, fabs(v) < 100 ? 1 : 0, flags);
}

static ops_status_t fill(const template_set_t *tpl, const char *key, const template_var_t *v, size_t n, char *buf,
                         size_t size, ops_error_t *err)
{
    if (!tpl) { /* no templates (unit tests): leave the sentence out */
        buf[0] = '\0';
        return OPS_OK;
    }
    return template_fill(tpl, key, v, n, buf, size, err);
}

static ops_status_t bridge_series(report_model_t *m, const snapshot_t *prev, const char *series, int type,
                                  const char *label, model_bridge_t *b)
{
    memset(b, 0, sizeof *b);
    snprintf(b->series_id, sizeof b->series_id, "%s", series);
    snprintf(b->label, sizeof b->label, "%s", label);
    const model_forecast_t *f = NULL;
    for (size_t i = 0; i < m->n_forecasts && !f; i++)
        if (!strcmp(m->forecasts[i].series_id, series))
            f = &m->forecasts[i];
    int idx = period_index(m->period), fy_end = period_index(m->fy_start) + 11;
    int left = fy_end - idx;
    if (!f || (int)f->horizon < left) {
        snprintf(b->na_reason, sizeof b->na_reason, "no forecast of %s to the fiscal year end this month", series);
        return OPS_OK;
    }
    if (idx == period_index(m->fy_start)) {
        snprintf(b->na_reason, sizeof b->na_reason, "first month of the fiscal year: last month's outlook was for the previous year");
        return OPS_OK;
    }
    if (!prev) {
        snprintf(b->na_reason, sizeof b->na_reason, "no snapshot of last month in the archive");
        return OPS_OK;
    }
    double scale = pow(10, m->minor_units);
    size_t n_prev = (size_t)left + 1;
    int64_t *buf = calloc(4 * n_prev, sizeof *buf);
    if (!buf)
        return OPS_ERR_NOMEM;
    int64_t *pf = buf, *ps = buf + n_prev, *cf = buf + 2 * n_prev, *cs = buf + 3 * n_prev;
    for (size_t i = 0; i < n_prev; i++) {
        const snapshot_row_t *r = snapshot_find(prev, series, idx + (int)i, (int)i + 1);
        if (!r) {
            char per[8];
            period_format(period_from_index(idx + (int)i), per);
            snprintf(b->na_reason, sizeof b->na_reason, "last month's snapshot has no forecast of %s for %s", series, per);
            free(buf);
            return OPS_OK;
        }
        pf[i] = llround(r->final * scale);
        ps[i] = llround(r->point * scale);
        if (i > 0) {
            cf[i - 1] = llround(f->point[i - 1] * scale);
            cs[i - 1] = llround((f->stat ? f->stat[i - 1] : f->point[i - 1]) * scale);
        }
    }
    const bva_totals_t *t = &m->bva_by_type[type];
    review_bridge(t->actual_ytd - t->actual_month, t->actual_month, pf, ps, n_prev, cf, cs, b);
    free(buf);
    return OPS_OK;
}

static ops_status_t sentences(report_model_t *m, const template_set_t *tpl, ops_error_t *err)
{
    model_review_t *rv = &m->review;
    char per[8], a[64], b[64], c[64], d[64], e[64];
    ops_status_t rc;
    if (rv->archive.n_found == 0)
        return fill(tpl, "review_first_run", NULL, 0, rv->first_run, sizeof rv->first_run, err);
    /* biggest miss: the largest percent error of last month's forecasts */
    const model_review_series_t *miss = NULL;
    for (size_t i = 0; i < rv->n_series; i++) {
        const model_review_series_t *s = &rv->series[i];
        if (s->last_month.found && isfinite(s->last_month.pct_error) &&
            (!miss || fabs(s->last_month.pct_error) > fabs(miss->last_month.pct_error)))
            miss = s;
    }
    if (miss) {
        period_format(m->period, per);
        fmt_value(m, miss->unit, miss->last_month.final, 0, a, sizeof a);
        fmt_value(m, miss->unit, miss->actual, 0, b, sizeof b);
        numfmt_percent(c, sizeof c, fabs(miss->last_month.pct_error), 1);
        template_var_t v[] = { { "label", miss->label }, { "forecast", a }, { "actual", b }, { "period", per },
                               { "pct", c }, { "direction", miss->last_month.error > 0 ? "under" : "over" } };
        if ((rc = fill(tpl, "review_biggest_miss", v, 6, rv->biggest_miss, sizeof rv->biggest_miss, err)) != OPS_OK)
            return rc;
    }
    /* bias: the strongest persistent one, else how many months could be judged */
    const model_review_series_t *biased = NULL;
    size_t most = 0;
    for (size_t i = 0; i < rv->n_series; i++) {
        const model_review_series_t *s = &rv->series[i];
        if (s->n_scored > most)
            most = s->n_scored;
        if (s->bias_flag && (!biased || fabs(s->tracking_signal) > fabs(biased->tracking_signal)))
            biased = s;
    }
    snprintf(d, sizeof d, "%zu", most);
    if (biased) {
        numfmt_number(a, sizeof a, biased->tracking_signal, 1, NUMFMT_SIGNED);
        snprintf(b, sizeof b, "%zu", biased->n_scored);
        template_var_t v[] = { { "label", biased->label }, { "ts", a }, { "months", b },
                               { "direction", biased->tracking_signal > 0 ? "under-forecast" : "over-forecast" } };
        rc = fill(tpl, "review_bias", v, 4, rv->bias_warning, sizeof rv->bias_warning, err);
    } else if (most < MODEL_REVIEW_MIN_MONTHS) {
        snprintf(b, sizeof b, "%d", MODEL_REVIEW_MIN_MONTHS);
        template_var_t v[] = { { "months", d }, { "needed", b } };
        rc = fill(tpl, "review_little_archive", v, 2, rv->bias_warning, sizeof rv->bias_warning, err);
    } else {
        template_var_t v[] = { { "months", d } };
        rc = fill(tpl, "review_no_bias", v, 1, rv->bias_warning, sizeof rv->bias_warning, err);
    }
    if (rc != OPS_OK)
        return rc;
    /* override value added, pooled over the series that had overrides */
    double sum_stat = 0, sum_final = 0;
    size_t n = 0, n_ovr = 0;
    for (size_t i = 0; i < rv->n_series; i++) {
        const model_review_series_t *s = &rv->series[i];
        if (!s->n_overridden || !isfinite(s->mape_final))
            continue;
        sum_stat += s->mape * (double)s->n_scored;
        sum_final += s->mape_final * (double)s->n_scored;
        n += s->n_scored;
        n_ovr += s->n_overridden;
    }
    if (n) {
        double ms = sum_stat / (double)n, mf = sum_final / (double)n;
        numfmt_percent(a, sizeof a, mf, 1);
        numfmt_percent(b, sizeof b, ms, 1);
        numfmt_pp_change(c, sizeof c, ms - mf, 1);
        snprintf(e, sizeof e, "%zu", n_ovr);
        template_var_t v[] = { { "verb", ms - mf > 0 ? "improved" : ms - mf < 0 ? "worsened" : "did not change" },
                               { "final", a }, { "stat", b }, { "fva", c }, { "overridden", e } };
        rc = fill(tpl, "review_override_value", v, 5, rv->override_value, sizeof rv->override_value, err);
    } else
        rc = fill(tpl, "review_no_overrides", NULL, 0, rv->override_value, sizeof rv->override_value, err);
    if (rc != OPS_OK)
        return rc;
    /* the biggest mover of the outlook bridge */
    const model_bridge_t *best_b = NULL;
    int best_k = -1;
    int64_t best = -1;
    for (size_t i = 0; i < rv->n_bridge; i++) {
        const model_bridge_t *br = &rv->bridge[i];
        if (!br->available)
            continue;
        const int64_t parts[3] = { br->actual_vs_forecast, br->reforecast, br->overrides };
        for (int k = 0; k < 3; k++)
            if (llabs(parts[k]) > best) {
                best = llabs(parts[k]);
                best_b = br;
                best_k = k;
            }
    }
    if (best_b) {
        static const char *const names[] = { "the actual against last month's forecast of the month just closed",
                                             "the re-forecast of the remaining months", "the overrides" };
        const int64_t parts[3] = { best_b->actual_vs_forecast, best_b->reforecast, best_b->overrides };
        numfmt_money_short(a, sizeof a, best_b->outlook - best_b->prev_outlook, m->currency, m->minor_units, NUMFMT_SIGNED);
        numfmt_money_short(b, sizeof b, best_b->outlook, m->currency, m->minor_units, 0);
        numfmt_money_short(c, sizeof c, parts[best_k], m->currency, m->minor_units, NUMFMT_SIGNED);
        numfmt_money_short(d, sizeof d, best_b->prev_outlook, m->currency, m->minor_units, 0);
        template_var_t v[] = { { "label", best_b->label }, { "change", a }, { "outlook", b }, { "component", names[best_k] },
                               { "amount", c }, { "previous", d } };
        if ((rc = fill(tpl, "bridge_biggest_mover", v, 6, rv->bridge_mover, sizeof rv->bridge_mover, err)) != OPS_OK)
            return rc;
    }
    return OPS_OK;
}

ops_status_t review_run(report_model_t *m, const char *archive_dir, const template_set_t *tpl, ops_error_t *err)
{
    model_review_t *rv = &m->review;
    ops_status_t rc = OPS_OK;
    snapshot_t snaps[MODEL_REVIEW_WINDOW + 1]; /* snaps[k]: the run of P - k */
    bool have[MODEL_REVIEW_WINDOW + 1] = { false };
    memset(snaps, 0, sizeof snaps);
    double *buf = NULL;
    rv->present = true;
    snprintf(rv->archive.dir, sizeof rv->archive.dir, "%s", archive_dir);
    int idx = period_index(m->period);
    size_t used = 0;
    for (int k = MODEL_REVIEW_WINDOW; k >= 1; k--) {
        char per[8], path[1200];
        period_format(period_from_index(idx - k), per);
        snprintf(path, sizeof path, "%s/%s/forecasts.csv", archive_dir, per);
        ops_error_t e = { 0 };
        if (snapshot_read(path, &snaps[k], &e) == OPS_OK) {
            have[k] = true;
            snprintf(rv->archive.found[rv->archive.n_found++], 8, "%s", per);
        } else {
            snprintf(rv->archive.missing[rv->archive.n_missing++], 8, "%s", per);
            if (access_exists(path) && used < sizeof rv->archive_note)
                used += (size_t)snprintf(rv->archive_note + used, sizeof rv->archive_note - used, "%s%s: %s",
                                         used ? "; " : "", per, e.message);
        }
    }
    rv->n_series = m->n_forecasts;
    rv->series = calloc(m->n_forecasts ? m->n_forecasts : 1, sizeof *rv->series);
    buf = malloc(4 * MODEL_REVIEW_WINDOW * sizeof *buf);
    if (!rv->series || !buf) {
        rc = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < m->n_forecasts; i++) {
        const model_forecast_t *f = &m->forecasts[i];
        model_review_series_t *s = &rv->series[i];
        snprintf(s->series_id, sizeof s->series_id, "%s", f->series_id);
        snprintf(s->label, sizeof s->label, "%s", f->label);
        s->unit = f->unit;
        s->actual = history_at(f, idx);
        double money_scale = f->unit == UNIT_MONEY ? pow(10, m->minor_units) : 0;
        score_point(have[1] ? snapshot_find(&snaps[1], f->series_id, idx, 1) : NULL, s->actual, money_scale,
                    &s->last_month);
        score_point(have[3] ? snapshot_find(&snaps[3], f->series_id, idx, 3) : NULL, s->actual, money_scale,
                    &s->three_months);
        double *act = buf, *st = buf + MODEL_REVIEW_WINDOW, *fin = buf + 2 * MODEL_REVIEW_WINDOW,
               *nv = buf + 3 * MODEL_REVIEW_WINDOW;
        size_t n = 0;
        /* closed months t = P-11 .. P, each forecast one step ahead by the run of t-1 */
        for (int t = idx - MODEL_REVIEW_WINDOW + 1; t <= idx; t++) {
            int k = idx - (t - 1);
            const snapshot_row_t *r = have[k] ? snapshot_find(&snaps[k], f->series_id, t, 1) : NULL;
            double y = history_at(f, t);
            if (!r || !isfinite(y))
                continue;
            act[n] = y;
            st[n] = r->point;
            fin[n] = r->final;
            nv[n] = history_at(f, t - 12);
            n++;
        }
        review_metrics_t rm;
        review_metrics(act, st, fin, nv, n, forecast_mase_scale(f->history, f->n_history, 12), &rm);
        s->n_scored = rm.n;
        s->n_overridden = rm.n_overridden;
        s->mape = rm.mape;
        s->mase = rm.mase;
        s->bias = rm.bias;
        s->mad = rm.mad;
        s->tracking_signal = rm.tracking_signal;
        s->bias_flag = rm.bias_flag;
        s->mape_snaive = rm.mape_snaive;
        s->fva_stat = rm.fva_stat;
        s->mape_final = rm.mape_final;
        s->fva_final = rm.fva_final;
        s->enough = rm.n >= MODEL_REVIEW_MIN_MONTHS;
    }
    static const struct { const char *series, *label; int type; } bridges[] = {
        { SERIES_GL_REVENUE, "Revenue", GL_TYPE_REVENUE }, { SERIES_GL_OPEX, "Opex", GL_TYPE_OPEX } };
    rv->n_bridge = 0;
    if (m->gl_present)
        for (size_t i = 0; i < 2; i++) {
            if (bridge_series(m, have[1] ? &snaps[1] : NULL, bridges[i].series, bridges[i].type, bridges[i].label,
                              &rv->bridge[rv->n_bridge]) != OPS_OK) {
                rc = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
                goto cleanup;
            }
            rv->n_bridge++;
        }
    rc = sentences(m, tpl, err);
cleanup:
    for (int k = 0; k <= MODEL_REVIEW_WINDOW; k++)
        snapshot_free(&snaps[k]);
    free(buf);
    return rc;
}

int review_log_line(const model_review_t *rv, char *buf, size_t size)
{
    const model_archive_t *a = &rv->archive;
    size_t used = (size_t)snprintf(buf, size, "forecast archive %s: found", a->dir);
    for (size_t i = 0; i < a->n_found && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, " %s", a->found[i]);
    if (!a->n_found && used < size)
        used += (size_t)snprintf(buf + used, size - used, " none (first run)");
    if (used < size)
        used += (size_t)snprintf(buf + used, size - used, "; missing");
    for (size_t i = 0; i < a->n_missing && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, " %s", a->missing[i]);
    if (!a->n_missing && used < size)
        used += (size_t)snprintf(buf + used, size - used, " none");
    if (rv->n_override_rejects && used < size)
        snprintf(buf + used, size - used, "; warning: %zu override row%s rejected, see rejects.csv",
                 rv->n_override_rejects, rv->n_override_rejects == 1 ? "" : "s");
    return rv->n_override_rejects ? 0 : a->n_found ? 2 : 1;
}
