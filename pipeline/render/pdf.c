/*
 * pdf.c - the executive summary, drawn with the pdfdoc and chart helpers.
 *
 * Page 1: KPI tiles (value, change, target, status symbol, 13-month
 * sparkline) and "What needs attention", sentences worded by
 * templates/narrative.txt from the red and amber KPIs and the largest
 * variances. Page 2: finance (actual vs budget by month, top variances,
 * cost centres). Page 3: operations (every other KPI, risk heat map, SPC
 * chart). Last: data quality and provenance in small print. The creation
 * date is fixed from the period so reruns are byte-identical.
 *
 * A KPI that could not be computed (kpi_t.na) reads "n/a" with its reason,
 * has no status, and is named in "What needs attention" as n/a, never as
 * off target; the finance page needs GL actuals (without them the finance
 * KPIs join the KPI table).
 */
#include "opsreport/render.h"

#include "opsreport/chart.h"
#include "opsreport/kpifmt.h"
#include "opsreport/numfmt.h"
#include "opsreport/pdfdoc.h"
#include "opsreport/template.h"

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TILES 9

typedef struct {
    const report_model_t *m;
    const render_info_t *info;
    pdfdoc_t *doc;
    template_set_t *tpl;
    char plabel[40];
    char month_labels[MODEL_TREND_MONTHS][16];
    float finance_end_y;      /* where the finance page's content ends */
    float carry_y;            /* > 0: the next section goes on this page from here */
} pdf_ctx_t;

static const pdfdoc_rgb_t INK = { 0.10f, 0.16f, 0.25f };

static const char *title_of(pdf_ctx_t *p, const char *key, const char *fallback)
{
    const char *t = template_get(p->tpl, key);
    return t ? t : fallback;
}

static float page_header(pdfdoc_t *doc, void *user)
{
    pdf_ctx_t *p = user;
    float w = pdfdoc_page_width(doc), h = pdfdoc_page_height(doc), mg = pdfdoc_margin(doc);
    pdfdoc_style_t small = { 8, false, PDFDOC_GREY, PDFDOC_LEFT };
    char line[600];
    snprintf(line, sizeof line, "%s · %s%s%s", p->m->organisation, p->plabel,
             p->m->scope[0] ? " · " : "", p->m->scope);
    pdfdoc_text_fit(doc, mg, h - mg + 14, w - 2 * mg - 60, line, &small);
    small.align = PDFDOC_RIGHT;
    snprintf(line, sizeof line, "page %d", pdfdoc_page_count(doc));
    pdfdoc_text(doc, w - mg, h - mg + 14, line, &small);
    return h - mg - 6;
}

static ops_status_t new_page(pdf_ctx_t *p, float *y, ops_error_t *err)
{
    ops_status_t rc = pdfdoc_add_page(p->doc, err);
    if (rc == OPS_OK)
        *y = page_header(p->doc, p);
    return rc;
}

static chart_status_t chart_status(rag_t s)
{
    return s == RAG_RED ? CHART_STATUS_RED : s == RAG_AMBER ? CHART_STATUS_AMBER : CHART_STATUS_GREEN;
}

static void section_title(pdf_ctx_t *p, float x, float y, const char *text)
{
    pdfdoc_style_t h2 = { 13, true, INK, PDFDOC_LEFT };
    pdfdoc_text(p->doc, x, y, text, &h2);
}

/* ---- page 1 -------------------------------------------------------------- */

static size_t pick_tiles(const report_model_t *m, const kpi_t **tiles)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_kpis && n < MAX_TILES; i++)
        if (m->kpis[i].tile)
            tiles[n++] = &m->kpis[i];
    if (n)
        return n;
    /* no tiles configured: the first KPI of each area */
    for (size_t i = 0; i < m->n_kpis && n < MAX_TILES; i++)
        if (i == 0 || strcmp(m->kpis[i].area, m->kpis[i - 1].area))
            tiles[n++] = &m->kpis[i];
    return n;
}

static ops_status_t draw_tile(pdf_ctx_t *p, const kpi_t *k, float x, float y, float w, float h,
                              ops_error_t *err)
{
    const report_model_t *m = p->m;
    HPDF_Page page = pdfdoc_page(p->doc);
    pdfdoc_set_stroke(p->doc, PDFDOC_LIGHT_GREY);
    HPDF_Page_SetLineWidth(page, 0.8f);
    HPDF_Page_Rectangle(page, x, y - h, w, h);
    HPDF_Page_Stroke(page);
    pdfdoc_style_t lab = { 9, false, PDFDOC_GREY, PDFDOC_LEFT };
    pdfdoc_style_t big = { 17, true, INK, PDFDOC_LEFT };
    pdfdoc_style_t sub = { 8, false, PDFDOC_GREY, PDFDOC_LEFT };
    pdfdoc_text_fit(p->doc, x + 8, y - 14, w - 30, k->label, &lab);
    if (k->status != RAG_NONE)
        chart_draw_status(p->doc, x + w - 12, y - 11, 9, chart_status(k->status));
    char v[64], d[64], t[64], line[200];
    pdfdoc_text_fit(p->doc, x + 8, y - 36, w * 0.55f, kpi_format_value(k, k->value, m->currency, v, sizeof v), &big);
    if (k->na != KPI_NA_NONE)
        snprintf(line, sizeof line, "%s", k->na_short); /* why n/a, where the change would be */
    else if (isfinite(k->prior) && isfinite(k->value))
        snprintf(line, sizeof line, "%s vs %s", kpi_format_delta(k, k->value - k->prior, m->currency, d, sizeof d),
                 p->month_labels[MODEL_TREND_MONTHS - 2]);
    else
        snprintf(line, sizeof line, "no prior month");
    pdfdoc_text_fit(p->doc, x + 8, y - 50, w - 16, line, &sub);
    if (k->has_target) {
        snprintf(line, sizeof line, "target %s · %s", kpi_format_value(k, k->target, m->currency, t, sizeof t),
                 k->na != KPI_NA_NONE ? "n/a" : kpi_status_word(k->status));
        pdfdoc_text_fit(p->doc, x + 8, y - 61, w - 16, line, &sub);
    }
    chart_rect_t spark = { x + w * 0.58f, y - 42, w * 0.38f, 16 };
    size_t have = 0;
    for (int i = 0; i < MODEL_TREND_MONTHS; i++)
        have += isfinite(k->trend[i]);
    if (have >= 2)
        return chart_draw_sparkline(p->doc, &spark, k->trend, MODEL_TREND_MONTHS, err);
    return OPS_OK;
}

typedef struct {
    const kpi_t *k;
    double severity;
} flagged_t;

static int by_severity(const void *a, const void *b)
{
    const flagged_t *x = a, *y = b;
    if (x->k->status != y->k->status)
        return x->k->status == RAG_RED ? -1 : 1;
    return x->severity < y->severity ? 1 : x->severity > y->severity ? -1 : strcmp(x->k->id, y->k->id);
}

/* Sentences for "What needs attention"; returns how many were written. In
 * order: inputs rejected entirely, the opex variance, red and amber KPIs,
 * KPIs that are n/a and why, rejected rows, then, when nothing is red or
 * amber, how far the targets could judge. The last three always keep their
 * lines; never "all within target" when nothing could be rated. */
static size_t attention_sentences(pdf_ctx_t *p, char out[][400], size_t max, ops_error_t *err,
                                  ops_status_t *rc)
{
    const report_model_t *m = p->m;
    size_t n = 0;
    *rc = OPS_OK;
    flagged_t *fl = calloc(m->n_kpis ? m->n_kpis : 1, sizeof *fl);
    size_t nf = 0;
    if (!fl) {
        *rc = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        return 0;
    }
    for (size_t i = 0; i < m->n_kpis; i++) {
        const kpi_t *k = &m->kpis[i];
        if (k->status != RAG_RED && k->status != RAG_AMBER)
            continue;
        /* how many amber bands past the target: comparable across units */
        double band = isfinite(k->amber) && fabs(k->amber - k->target) > 1e-9 ? fabs(k->amber - k->target)
                      : fabs(k->target) > 1e-9                                ? fabs(k->target)
                                                                               : 1;
        fl[nf].k = k;
        fl[nf++].severity = fabs(k->value - k->target) / band;
    }
    qsort(fl, nf, sizeof *fl, by_severity);
    /* data that is incomplete puts every number below in doubt: say it first */
    for (size_t i = 0; i < m->n_dq_findings && n < max; i++)
        snprintf(out[n++], sizeof out[0], "%s", m->dq_findings[i]);
    char rejected_inputs[400], count[24], total_inputs[24];
    size_t n_rejected_inputs = kpi_inputs_rejected(m, rejected_inputs, sizeof rejected_inputs);
    if (n_rejected_inputs && n < max) {
        snprintf(count, sizeof count, "%zu", n_rejected_inputs);
        snprintf(total_inputs, sizeof total_inputs, "%zu", m->n_inputs);
        template_var_t vars[] = { { "count", count }, { "total", total_inputs }, { "inputs", rejected_inputs } };
        *rc = template_fill(p->tpl, "inputs_rejected", vars, 3, out[n], sizeof out[0], err);
        if (*rc != OPS_OK)
            goto done;
        n++;
    }
    /* opex over budget with its largest driver */
    const bva_totals_t *opex = &m->bva_by_type[GL_TYPE_OPEX];
    if (opex->budget_ytd > 0 && opex->actual_ytd > opex->budget_ytd && n < max) {
        const bva_row_t *driver = NULL;
        for (size_t i = 0; i < m->n_bva_cc; i++) {
            const bva_row_t *r = &m->bva_cc[i];
            if (r->account_type == GL_TYPE_REVENUE)
                continue;
            if (!driver || r->actual_ytd - r->budget_ytd > driver->actual_ytd - driver->budget_ytd)
                driver = r;
        }
        char pct[32], amount[64];
        numfmt_percent(pct, sizeof pct, (double)(opex->actual_ytd - opex->budget_ytd) / (double)opex->budget_ytd * 100, 1);
        numfmt_money_short(amount, sizeof amount, driver ? driver->actual_ytd - driver->budget_ytd : 0, m->currency,
                           m->minor_units, NUMFMT_SIGNED);
        template_var_t vars[] = { { "pct", pct }, { "driver", driver ? driver->cost_centre : "-" }, { "amount", amount } };
        *rc = template_fill(p->tpl, "budget_variance", vars, 3, out[n], sizeof out[0], err);
        if (*rc != OPS_OK)
            goto done;
        n++;
    }
    uint64_t total = 0, rejected = 0;
    for (size_t i = 0; i < m->n_inputs; i++) {
        total += m->inputs[i].rows_read;
        rejected += m->inputs[i].rows_rejected;
    }
    kpi_na_group_t groups[4];
    size_t n_groups = kpi_na_groups(m, groups, 4);
    if (n_groups > 4)
        n_groups = 4;
    kpi_rating_t rating;
    kpi_rating(m, &rating);
    /* "all within target" only as before: when it is the only thing to say */
    bool rating_line = rating.red_amber == 0 && (!rating.rated || rating.na || (n == 0 && !rejected));
    /* the lines after the KPI sentences always have their room */
    size_t reserved = n_groups + (rejected ? 1 : 0) + (rating_line ? 1 : 0);
    size_t kpi_max = max > n + reserved ? max - reserved : n;
    for (size_t i = 0; i < nf && n < kpi_max; i++) {
        const kpi_t *k = fl[i].k;
        char v[64], d[64], t[64];
        kpi_format_value(k, k->value, m->currency, v, sizeof v);
        kpi_format_delta(k, k->value - k->target, m->currency, d, sizeof d);
        if (d[0] == '+')
            memmove(d, d + 1, strlen(d));
        else if (!strncmp(d, NUMFMT_MINUS, strlen(NUMFMT_MINUS)))
            memmove(d, d + strlen(NUMFMT_MINUS), strlen(d) - strlen(NUMFMT_MINUS) + 1);
        kpi_format_value(k, k->target, m->currency, t, sizeof t);
        bool above = k->value > k->target;
        template_var_t vars[] = { { "label", k->label }, { "value", v }, { "delta", d },
                                  { "direction", above ? "above" : "below" }, { "target", t } };
        *rc = template_fill(p->tpl, "kpi_over_target", vars, 5, out[n], sizeof out[0], err);
        if (*rc != OPS_OK)
            goto done;
        n++;
    }
    for (size_t g = 0; g < n_groups && n < max; g++) {
        template_var_t vars[] = { { "reason", groups[g].reason }, { "labels", groups[g].labels } };
        *rc = template_fill(p->tpl, "kpis_unavailable", vars, 2, out[n], sizeof out[0], err);
        if (*rc != OPS_OK)
            goto done;
        n++;
    }
    if (rejected && n < max) {
        char r[32], t[32], pct[32];
        numfmt_count(r, sizeof r, (int64_t)rejected);
        numfmt_count(t, sizeof t, (int64_t)total);
        double share = total ? (double)rejected / (double)total * 100 : 0;
        numfmt_percent(pct, sizeof pct, share, share < 0.1 ? 3 : 2);
        template_var_t vars[] = { { "rejected", r }, { "total", t }, { "pct", pct } };
        *rc = template_fill(p->tpl, "data_quality", vars, 3, out[n], sizeof out[0], err);
        if (*rc != OPS_OK)
            goto done;
        n++;
    }
    if (rating_line && n < max) {
        const char *key = !rating.with_target ? "no_targets"
                          : !rating.rated     ? "none_rated"
                          : rating.na         ? "within_target_with_na"
                                              : "nothing_to_report";
        snprintf(count, sizeof count, "%zu", !rating.rated ? rating.with_target : rating.na);
        template_var_t vars[] = { { "count", count } };
        *rc = template_fill(p->tpl, key, vars, 1, out[n], sizeof out[0], err);
        if (*rc == OPS_OK)
            n++;
    }
done:
    free(fl);
    return n;
}

/* Page 1's choices for the HTML summary (render.h): the same tiles and the
 * same sentences as this page, so the email body never disagrees with the
 * PDF attached to it. */
_Static_assert(MAX_TILES == RENDER_MAX_TILES, "the HTML summary shows the PDF's tiles");

size_t render_pick_tiles(const report_model_t *m, const kpi_t **tiles)
{
    return pick_tiles(m, tiles);
}

size_t render_attention(const report_model_t *m, template_set_t *tpl, char out[][RENDER_SENTENCE_SIZE],
                        size_t max, ops_error_t *err, ops_status_t *rc)
{
    pdf_ctx_t p = { .m = m, .tpl = tpl };
    return attention_sentences(&p, out, max, err, rc);
}

static ops_status_t page_overview(pdf_ctx_t *p, ops_error_t *err)
{
    const report_model_t *m = p->m;
    float y;
    ops_status_t rc = new_page(p, &y, err);
    if (rc != OPS_OK)
        return rc;
    float mg = pdfdoc_margin(p->doc), w = pdfdoc_page_width(p->doc) - 2 * mg;
    pdfdoc_style_t title = { 20, true, INK, PDFDOC_LEFT };
    pdfdoc_style_t sub = { 11, false, PDFDOC_GREY, PDFDOC_LEFT };
    char buf[600];
    template_var_t tv[] = { { "organisation", m->organisation }, { "period", p->plabel } };
    rc = template_fill(p->tpl, "report_title", tv, 2, buf, sizeof buf, err);
    if (rc != OPS_OK)
        return rc;
    title.size = 18;
    float th_used = pdfdoc_paragraph(p->doc, mg, y - 4, w, buf, &title, true);
    y -= th_used - 22;
    period_t next = period_add(m->period, 1);
    char nl[40];
    period_label(next, nl, sizeof nl);
    snprintf(buf, sizeof buf, "%s%s%s · generated 1 %s · run %s", p->plabel, m->scope[0] ? " · " : "",
             m->scope, nl, p->info->run_id);
    pdfdoc_text_fit(p->doc, mg, y - 38, w, buf, &sub);
    y -= 52;

    const kpi_t *tiles[MAX_TILES];
    size_t nt = pick_tiles(m, tiles);
    float tw = (w - 16) / 3, th = 68;
    for (size_t i = 0; i < nt; i++) {
        float x = mg + (float)(i % 3) * (tw + 8);
        float ty = y - (float)(i / 3) * (th + 8);
        rc = draw_tile(p, tiles[i], x, ty, tw, th, err);
        if (rc != OPS_OK)
            return rc;
    }
    y -= (float)((nt + 2) / 3) * (th + 8) + 14;
    pdfdoc_style_t legend = { 8, false, PDFDOC_GREY, PDFDOC_LEFT };
    float lx = mg;
    static const chart_status_t st[] = { CHART_STATUS_GREEN, CHART_STATUS_AMBER, CHART_STATUS_RED };
    static const char *const words[] = { "on target", "watch (amber)", "off target (red)" };
    for (int i = 0; i < 3; i++) {
        chart_draw_status(p->doc, lx + 4, y + 3, 8, st[i]);
        pdfdoc_text(p->doc, lx + 12, y, words[i], &legend);
        lx += 12 + pdfdoc_text_width(p->doc, words[i], 8, false) + 14;
    }
    pdfdoc_text(p->doc, lx, y, "· sparklines show 13 months", &legend);
    y -= 24;
    section_title(p, mg, y, title_of(p, "section_attention", "What needs attention"));
    y -= 8;
    char sentences[14][400];
    size_t ns = attention_sentences(p, sentences, 14, err, &rc);
    if (rc != OPS_OK)
        return rc;
    pdfdoc_style_t body = { 10, false, PDFDOC_BLACK, PDFDOC_LEFT };
    for (size_t i = 0; i < ns; i++) {
        if (y < mg + 30)
            break;
        pdfdoc_text(p->doc, mg + 2, y - 12, "•", &body);
        y -= pdfdoc_paragraph(p->doc, mg + 14, y, w - 14, sentences[i], &body, true) + 4;
    }
    return pdfdoc_check(p->doc, "overview page", err);
}

/* ---- page 2: finance ------------------------------------------------------- */

/* Revenue: the last 12 months and the forecast to the fiscal year end (at
 * least 6 months) with its 80% and 95% fan, plus the outlook sentence. */
static ops_status_t outlook_chart(pdf_ctx_t *p, float *y, ops_error_t *err)
{
    const report_model_t *m = p->m;
    const model_forecast_t *f = NULL;
    for (size_t i = 0; i < m->n_forecasts && !f; i++)
        if (!strcmp(m->forecasts[i].series_id, SERIES_GL_REVENUE))
            f = &m->forecasts[i];
    if (!f || f->n_history < 2)
        return OPS_OK;
    int months_left = period_index(m->fy_start) + 11 - period_index(m->period);
    size_t ahead = (size_t)(months_left > 6 ? months_left : 6);
    if (ahead > f->horizon)
        ahead = f->horizon;
    size_t back = f->n_history < 12 ? f->n_history : 12;
    size_t n = back + ahead;
    double *buf = malloc(n * 7 * sizeof *buf);
    char (*labels)[16] = malloc(n * sizeof *labels);
    const char **cats = malloc(n * sizeof *cats);
    if (!buf || !labels || !cats) {
        free(buf);
        free(labels);
        free(cats);
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    double *act = buf, *fc = buf + n, *lo80 = buf + 2 * n, *hi80 = buf + 3 * n, *lo95 = buf + 4 * n,
           *hi95 = buf + 5 * n;
    for (size_t i = 0; i < n; i++) {
        size_t h = f->n_history - back + i; /* index into history + forecast */
        period_short_label(period_from_index(f->first_index + (int)h), labels[i], sizeof labels[i]);
        cats[i] = labels[i];
        act[i] = fc[i] = lo80[i] = hi80[i] = lo95[i] = hi95[i] = NAN;
        if (h < f->n_history)
            act[i] = f->history[h];
        else {
            size_t k = h - f->n_history;
            fc[i] = f->point[k];
            lo80[i] = f->lo80[k];
            hi80[i] = f->hi80[k];
            lo95[i] = f->lo95[k];
            hi95[i] = f->hi95[k];
        }
    }
    fc[back - 1] = act[back - 1]; /* the forecast line starts at the last actual */
    chart_series_t series[] = { { title_of(p, "legend_actual", "Actual"), act },
                                { title_of(p, "legend_forecast", "Forecast"), fc } };
    chart_band_t bands[] = { { title_of(p, "legend_band_95", "95% range"), lo95, hi95 },
                             { title_of(p, "legend_band_80", "80% range"), lo80, hi80 } };
    char title[200];
    snprintf(title, sizeof title, "Revenue outlook to %s (%s)", labels[n - 1], f->model);
    chart_data_t d = { title, cats, n, series, 2, m->currency, false, false, false, NULL, 0 };
    float mg = pdfdoc_margin(p->doc), w = pdfdoc_page_width(p->doc) - 2 * mg;
    chart_rect_t r = { mg, *y - 150, w, 150 };
    ops_status_t rc = chart_draw_band(p->doc, &r, &d, bands, 2, err);
    free(buf);
    free(labels);
    free(cats);
    if (rc != OPS_OK)
        return rc;
    *y -= 158;
    const kpi_t *k = model_find_kpi(m, KPI_REVENUE_OUTLOOK_VS_BUDGET_PCT);
    const kpi_t *o = model_find_kpi(m, KPI_OPEX_OUTLOOK_VS_BUDGET_PCT);
    if (k || o) {
        char line[400], a[32], b[32];
        snprintf(line, sizeof line, "Full-year outlook (actual + forecast): revenue %s, opex %s of budget; forecast MASE %.2f.",
                 k ? numfmt_percent(a, sizeof a, k->value, 1) : "n/a", o ? numfmt_percent(b, sizeof b, o->value, 1) : "n/a",
                 f->mase);
        pdfdoc_style_t note = { 8.5f, false, PDFDOC_GREY, PDFDOC_LEFT };
        pdfdoc_text_fit(p->doc, mg, *y - 4, w, line, &note);
        *y -= 20;
    }
    return OPS_OK;
}

/* Looks up the n columns a page reads from table `id` by name into cols[]; a
 * column analyse no longer provides is OPS_ERR_INTERNAL naming the table and
 * the column, never a section quietly drawn from the wrong cells. */
static ops_status_t table_columns(const model_table_t *t, model_table_id_t id, const char *const *names,
                                  int *cols, size_t n, ops_error_t *err)
{
    for (size_t i = 0; i < n; i++)
        if ((cols[i] = model_table_col(t, names[i])) < 0)
            return ops_error_set(err, OPS_ERR_INTERNAL, NULL, 0, NULL, "table %s has no column \"%s\"",
                                 model_table_id_name(id), names[i]);
    return OPS_OK;
}

static ops_status_t page_finance(pdf_ctx_t *p, ops_error_t *err)
{
    const report_model_t *m = p->m;
    float y;
    ops_status_t rc = new_page(p, &y, err);
    if (rc != OPS_OK)
        return rc;
    float mg = pdfdoc_margin(p->doc), w = pdfdoc_page_width(p->doc) - 2 * mg;
    section_title(p, mg, y - 14, title_of(p, "section_finance", "Finance"));
    y -= 24;
    /* actual vs budget by month over the last 13 months, revenue and opex */
    double scale = pow(10, m->minor_units);
    double ra[MODEL_TREND_MONTHS], rb[MODEL_TREND_MONTHS], oa[MODEL_TREND_MONTHS], ob[MODEL_TREND_MONTHS];
    const char *cats[MODEL_TREND_MONTHS];
    for (int i = 0; i < MODEL_TREND_MONTHS; i++) {
        int h = MODEL_HISTORY_MONTHS - MODEL_TREND_MONTHS + i;
        ra[i] = (double)m->gl_actual_monthly[GL_TYPE_REVENUE][h] / scale;
        rb[i] = (double)m->gl_budget_monthly[GL_TYPE_REVENUE][h] / scale;
        oa[i] = (double)m->gl_actual_monthly[GL_TYPE_OPEX][h] / scale;
        ob[i] = (double)m->gl_budget_monthly[GL_TYPE_OPEX][h] / scale;
        cats[i] = p->month_labels[i];
    }
    const char *la = title_of(p, "legend_actual", "Actual"), *lb = title_of(p, "legend_budget", "Budget");
    chart_series_t rs[] = { { la, ra }, { lb, rb } };
    chart_series_t os[] = { { la, oa }, { lb, ob } };
    chart_data_t rd = { "Revenue by month", cats, MODEL_TREND_MONTHS, rs, 2, m->currency, false, true, false, NULL, 0 };
    chart_data_t od = { "Operating expense by month", cats, MODEL_TREND_MONTHS, os, 2, m->currency, false, true, false, NULL, 0 };
    chart_rect_t r1 = { mg, y - 150, w / 2 - 6, 150 };
    chart_rect_t r2 = { mg + w / 2 + 6, y - 150, w / 2 - 6, 150 };
    if ((rc = chart_draw_grouped_bar(p->doc, &r1, &rd, err)) != OPS_OK ||
        (rc = chart_draw_grouped_bar(p->doc, &r2, &od, err)) != OPS_OK)
        return rc;
    y -= 166;
    if ((rc = outlook_chart(p, &y, err)) != OPS_OK)
        return rc;

    /* analyse adds this table whenever there is a GL (gl_present); without
     * it the section would silently vanish, so its absence is a bug */
    const model_table_t *tv = model_find_table(m, TABLE_FINANCE_TOP_VARIANCES);
    if (!tv)
        return ops_error_set(err, OPS_ERR_INTERNAL, NULL, 0, NULL,
                             "the finance page needs table %s, which analyse did not add",
                             model_table_id_name(TABLE_FINANCE_TOP_VARIANCES));
    static const char *const tv_names[] = { "Cost centre", "Account", "Actual YTD", "Budget YTD",
                                            "Variance YTD", "Assessment" };
    int col[sizeof tv_names / sizeof tv_names[0]];
    if ((rc = table_columns(tv, TABLE_FINANCE_TOP_VARIANCES, tv_names, col, sizeof col / sizeof col[0], err)) !=
        OPS_OK)
        return rc;
    if (tv->n_rows) {
        section_title(p, mg, y, "Top budget variances, year to date");
        y -= 8;
        pdfdoc_column_t c[6] = { { "Cost centre", w * 0.18f, PDFDOC_LEFT }, { "Account", w * 0.25f, PDFDOC_LEFT },
                                 { "Act. YTD", w * 0.13f, PDFDOC_RIGHT }, { "Bud. YTD", w * 0.13f, PDFDOC_RIGHT },
                                 { "Variance", w * 0.13f, PDFDOC_RIGHT }, { "Assessment", w * 0.18f, PDFDOC_LEFT } };
        size_t rows = tv->n_rows < 8 ? tv->n_rows : 8;
        char **cells = calloc(rows * 6, sizeof *cells);
        if (!cells)
            return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        for (size_t i = 0; i < rows; i++) {
            char b[3][64];
            const double *num = &tv->num[i * tv->n_cols];
            char *const *text = &tv->text[i * tv->n_cols];
            cells[i * 6] = strdup(text[col[0]] ? text[col[0]] : "");
            cells[i * 6 + 1] = strdup(text[col[1]] ? text[col[1]] : "");
            numfmt_money_short(b[0], 64, (int64_t)llround(num[col[2]] * scale), "", m->minor_units, 0);
            numfmt_money_short(b[1], 64, (int64_t)llround(num[col[3]] * scale), "", m->minor_units, 0);
            numfmt_money_short(b[2], 64, (int64_t)llround(num[col[4]] * scale), "", m->minor_units, NUMFMT_SIGNED);
            cells[i * 6 + 2] = strdup(b[0]);
            cells[i * 6 + 3] = strdup(b[1]);
            cells[i * 6 + 4] = strdup(b[2]);
            cells[i * 6 + 5] = strdup(text[col[5]] ? text[col[5]] : "");
        }
        pdfdoc_table_t t = { c, 6, 9, true, page_header, p };
        rc = pdfdoc_table(p->doc, &t, mg, &y, (const char *const *)cells, rows, NULL, err);
        for (size_t i = 0; i < rows * 6; i++)
            free(cells[i]);
        free(cells);
        if (rc != OPS_OK)
            return rc;
        y -= 22;
    }

    section_title(p, mg, y, "Budget vs actual by cost centre");
    y -= 8;
    pdfdoc_column_t c[7] = { { "Cost centre", w * 0.22f, PDFDOC_LEFT }, { "Actual", w * 0.13f, PDFDOC_RIGHT },
                             { "Budget", w * 0.13f, PDFDOC_RIGHT },     { "Var.", w * 0.13f, PDFDOC_RIGHT },
                             { "Act. YTD", w * 0.13f, PDFDOC_RIGHT }, { "Bud. YTD", w * 0.13f, PDFDOC_RIGHT },
                             { "Var. YTD", w * 0.13f, PDFDOC_RIGHT } };
    size_t rows = m->n_bva_cc + 1;
    char **cells = calloc(rows * 7, sizeof *cells);
    unsigned *flags = calloc(rows, sizeof *flags);
    if (!cells || !flags) {
        free(cells);
        free(flags);
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    int64_t tot[4] = { 0 };
    for (size_t i = 0; i <= m->n_bva_cc; i++) {
        char buf[7][96];
        const bva_row_t *r = i < m->n_bva_cc ? &m->bva_cc[i] : NULL;
        int64_t am = r ? r->actual_month : tot[0], bm = r ? r->budget_month : tot[1];
        int64_t ay = r ? r->actual_ytd : tot[2], by = r ? r->budget_ytd : tot[3];
        if (r && r->account_type != GL_TYPE_REVENUE) {
            tot[0] += am; tot[1] += bm; tot[2] += ay; tot[3] += by;
        }
        if (r)
            snprintf(buf[0], sizeof buf[0], "%s%s", r->cost_centre,
                     r->account_type == GL_TYPE_REVENUE ? " (revenue)" : "");
        else
            snprintf(buf[0], sizeof buf[0], "Total costs");
        numfmt_money_short(buf[1], sizeof buf[1], am, "", m->minor_units, 0);
        numfmt_money_short(buf[2], sizeof buf[2], bm, "", m->minor_units, 0);
        numfmt_money_short(buf[3], sizeof buf[3], am - bm, "", m->minor_units, NUMFMT_SIGNED);
        numfmt_money_short(buf[4], sizeof buf[4], ay, "", m->minor_units, 0);
        numfmt_money_short(buf[5], sizeof buf[5], by, "", m->minor_units, 0);
        numfmt_money_short(buf[6], sizeof buf[6], ay - by, "", m->minor_units, NUMFMT_SIGNED);
        for (int k = 0; k < 7; k++)
            cells[i * 7 + (size_t)k] = strdup(buf[k]);
        if (!r)
            flags[i] = PDFDOC_ROW_BOLD | PDFDOC_ROW_RULE_ABOVE;
    }
    pdfdoc_table_t t = { c, 7, 9, true, page_header, p };
    rc = pdfdoc_table(p->doc, &t, mg, &y, (const char *const *)cells, rows, flags, err);
    for (size_t i = 0; i < rows * 7; i++)
        free(cells[i]);
    free(cells);
    free(flags);
    if (rc != OPS_OK)
        return rc;
    pdfdoc_style_t note = { 8, false, PDFDOC_GREY, PDFDOC_LEFT };
    char line[300];
    snprintf(line, sizeof line, "Amounts in %s; variance = actual − budget (positive on a cost line is over budget).",
             m->currency);
    pdfdoc_text_fit(p->doc, mg, y - 14, w, line, &note);
    p->finance_end_y = y - 14;
    return pdfdoc_check(p->doc, "finance page", err);
}


/* ---- the finance page's forecast review (continued on its own page) ------- */

/* Forecast review: the archive found, the review sentences, the outlook
 * bridge as a waterfall, last month's forecasts of the whole-organisation
 * series against the actuals, and this month's overrides. */
static ops_status_t page_forecast_review(pdf_ctx_t *p, ops_error_t *err)
{
    const model_review_t *rv = &p->m->review;
    const report_model_t *m = p->m;
    float y, mg = pdfdoc_margin(p->doc), w = pdfdoc_page_width(p->doc) - 2 * mg;
    ops_status_t rc = OPS_OK;
    /* a first run without overrides has three lines to say: under the finance
     * page's tables, or else at the top of the next page, which the
     * operations section then shares (not a page of its own, nearly empty) */
    bool short_block = !rv->archive.n_found && !rv->n_overrides;
    if (short_block && p->finance_end_y > mg + 90)
        y = p->finance_end_y - 16;
    else if ((rc = new_page(p, &y, err)) != OPS_OK)
        return rc;
    section_title(p, mg, y - 14, title_of(p, "section_forecast_review", "Forecast review"));
    y -= 30;
    pdfdoc_style_t note = { 8, false, PDFDOC_GREY, PDFDOC_LEFT };
    char line[1400];
    size_t used = (size_t)snprintf(line, sizeof line, "Earlier forecasts found: ");
    for (size_t i = 0; i < rv->archive.n_found && used < sizeof line; i++)
        used += (size_t)snprintf(line + used, sizeof line - used, "%s%s", i ? ", " : "", rv->archive.found[i]);
    if (used < sizeof line)
        used += (size_t)snprintf(line + used, sizeof line - used, "%s; missing: %zu of the last %d months%s%s%s",
                                 rv->archive.n_found ? "" : "none", rv->archive.n_missing, MODEL_REVIEW_WINDOW,
                                 rv->archive.n_missing ? " (" : "", rv->archive.n_missing ? rv->archive.missing[0] : "",
                                 rv->archive.n_missing > 1 ? " …" : "");
    if (rv->archive.n_missing && used < sizeof line) {
        if (rv->archive.n_missing > 1)
            used += (size_t)snprintf(line + used, sizeof line - used, " %s", rv->archive.missing[rv->archive.n_missing - 1]);
        snprintf(line + used, sizeof line - used, ")");
    }
    y -= pdfdoc_paragraph(p->doc, mg, y, w, line, &note, true) + 6;
    pdfdoc_style_t body = { 10, false, PDFDOC_BLACK, PDFDOC_LEFT };
    const char *sentences[] = { rv->first_run, rv->biggest_miss, rv->bias_warning, rv->override_value };
    for (size_t i = 0; i < 4; i++) {
        if (!sentences[i][0])
            continue;
        pdfdoc_text(p->doc, mg + 2, y - 12, "•", &body);
        y -= pdfdoc_paragraph(p->doc, mg + 14, y, w - 14, sentences[i], &body, true) + 4;
    }
    y -= 8;

    /* the outlook bridge of the first measure that has one */
    const model_bridge_t *b = NULL;
    for (size_t i = 0; i < rv->n_bridge && !b; i++)
        if (rv->bridge[i].available)
            b = &rv->bridge[i];
    double scale = pow(10, m->minor_units);
    if (b) {
        const char *cats[5] = { "Last month", "Actual vs fcst", "Re-forecast", "Overrides", "This month" };
        double vals[5] = { (double)b->prev_outlook / scale, (double)b->actual_vs_forecast / scale,
                           (double)b->reforecast / scale, (double)b->overrides / scale, (double)b->outlook / scale };
        char title[200];
        snprintf(title, sizeof title, "%s full-year outlook: last month to this month", b->label);
        chart_waterfall_t wf = { title, cats, vals, 5, m->currency, "Outlook", "Increase", "Decrease" };
        chart_rect_t r = { mg, y - 170, w * 0.62f, 170 };
        if ((rc = chart_draw_waterfall(p->doc, &r, &wf, err)) != OPS_OK)
            return rc;
        /* the figures beside the chart, exact */
        pdfdoc_style_t fig = { 8.5f, false, PDFDOC_BLACK, PDFDOC_LEFT };
        pdfdoc_style_t figr = { 8.5f, false, PDFDOC_BLACK, PDFDOC_RIGHT };
        float fx0 = mg + w * 0.66f, fx1 = mg + w, fyy = y - 24;
        const char *names[5] = { "Last month's outlook", "Actual vs forecast, month closed", "Re-forecast, rest of year",
                                 "Overrides", "This month's outlook" };
        const int64_t v[5] = { b->prev_outlook, b->actual_vs_forecast, b->reforecast, b->overrides, b->outlook };
        for (int i = 0; i < 5; i++, fyy -= 14) {
            char amount[64];
            numfmt_money(amount, sizeof amount, v[i], "", m->minor_units, i == 0 || i == 4 ? 0 : NUMFMT_SIGNED);
            fig.bold = figr.bold = i == 4;
            pdfdoc_text(p->doc, fx0, fyy, names[i], &fig);
            pdfdoc_text(p->doc, fx1, fyy - 10, amount, &figr);
            fyy -= 10;
        }
        y -= 176;
        pdfdoc_style_t axis = { 8, false, PDFDOC_GREY, PDFDOC_LEFT };
        snprintf(line, sizeof line, "Amounts in %s; the axis starts above zero so the steps show.", m->currency);
        pdfdoc_text_fit(p->doc, mg, y - 4, w, line, &axis);
        y -= 14;
        if (rv->bridge_mover[0])
            y -= pdfdoc_paragraph(p->doc, mg, y, w, rv->bridge_mover, &body, true) + 10;
    } else {
        snprintf(line, sizeof line, "Outlook bridge: n/a — %s",
                 !rv->archive.n_found ? "no earlier forecasts found (first run)"
                 : rv->n_bridge ? rv->bridge[0].na_reason : "no GL actuals");
        y -= pdfdoc_paragraph(p->doc, mg, y, w, line, &body, true) + 8;
    }

    /* last month's forecasts of the whole-organisation series against the actuals */
    if (rv->archive.n_found) {
        char per[8];
        period_format(m->period, per);
        snprintf(line, sizeof line, "Forecast vs actual, %s", per);
        section_title(p, mg, y - 14, line);
        y -= 22;
        pdfdoc_column_t c[8] = { { "Series", w * 0.22f, PDFDOC_LEFT },   { "Actual", w * 0.11f, PDFDOC_RIGHT },
                                 { "Forecast", w * 0.12f, PDFDOC_RIGHT }, { "Error %", w * 0.10f, PDFDOC_RIGHT },
                                 { "In 80%", w * 0.10f, PDFDOC_RIGHT },   { "MAPE", w * 0.10f, PDFDOC_RIGHT },
                                 { "Bias", w * 0.12f, PDFDOC_RIGHT },     { "TS", w * 0.13f, PDFDOC_RIGHT } };
        size_t rows = 0;
        char **cells = calloc(rv->n_series * 8 + 1, sizeof *cells);
        if (!cells)
            return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        for (size_t i = 0; i < rv->n_series; i++) {
            const model_review_series_t *s = &rv->series[i];
            if (strchr(s->series_id, ':'))
                continue; /* cost centres are in the workbook */
            char b8[8][96];
            snprintf(b8[0], sizeof b8[0], "%s", s->label);
            const double vals[3] = { s->actual, s->last_month.final, s->bias };
            for (int k = 0; k < 3; k++) {
                char *dst = b8[k == 2 ? 6 : k + 1];
                if (!isfinite(vals[k]) || (k == 1 && !s->last_month.found))
                    snprintf(dst, 96, "n/a");
                else if (s->unit == UNIT_MONEY)
                    numfmt_money_short(dst, 96, (int64_t)llround(vals[k] * scale), "", m->minor_units,
                                       k == 2 ? NUMFMT_SIGNED : 0);
                else
                    numfmt_number(dst, 96, vals[k], 1, k == 2 ? NUMFMT_SIGNED : 0);
            }
            if (s->last_month.found && isfinite(s->last_month.pct_error))
                numfmt_number(b8[3], 96, s->last_month.pct_error, 1, NUMFMT_SIGNED);
            else
                snprintf(b8[3], 96, "n/a");
            snprintf(b8[4], 96, "%s", s->last_month.in80 < 0 ? "n/a" : s->last_month.in80 ? "yes" : "no");
            if (isfinite(s->mape))
                numfmt_percent(b8[5], 96, s->mape, 1);
            else
                snprintf(b8[5], 96, "n/a");
            if (isfinite(s->tracking_signal) && s->enough)
                snprintf(b8[7], 96, "%+.1f%s", s->tracking_signal, s->bias_flag ? " bias!" : "");
            else
                snprintf(b8[7], 96, "n/a (%zu mo.)", s->n_scored);
            for (int k = 0; k < 8; k++)
                cells[rows * 8 + (size_t)k] = strdup(b8[k]);
            rows++;
        }
        pdfdoc_table_t t = { c, 8, 9, true, page_header, p };
        rc = pdfdoc_table(p->doc, &t, mg, &y, (const char *const *)cells, rows, NULL, err);
        for (size_t i = 0; i < rows * 8; i++)
            free(cells[i]);
        free(cells);
        if (rc != OPS_OK)
            return rc;
        y -= 4;
        y -= pdfdoc_paragraph(p->doc, mg, y, w,
                              "Forecast = the final forecast made last month; error = actual − forecast; In 80% = "
                              "inside its 80% interval. MAPE and bias over up to 12 closed months of archived "
                              "forecasts; TS = tracking signal, |TS| > 4 is a persistent bias.", &note, true) + 10;
    }
    if (rv->n_overrides) {
        section_title(p, mg, y - 14, "Overrides this month");
        y -= 22;
        pdfdoc_column_t c[6] = { { "Series", w * 0.2f, PDFDOC_LEFT },       { "Month", w * 0.1f, PDFDOC_LEFT },
                                 { "Statistical", w * 0.13f, PDFDOC_RIGHT }, { "Final", w * 0.13f, PDFDOC_RIGHT },
                                 { "Reason", w * 0.3f, PDFDOC_LEFT },        { "Author", w * 0.14f, PDFDOC_LEFT } };
        char **cells = calloc(rv->n_overrides * 6, sizeof *cells);
        if (!cells)
            return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        for (size_t i = 0; i < rv->n_overrides; i++) {
            const model_override_t *o = &rv->overrides[i];
            char b6[6][260];
            const model_forecast_t *f = NULL;
            for (size_t k = 0; k < m->n_forecasts && !f; k++)
                if (!strcmp(m->forecasts[k].series_id, o->series_id))
                    f = &m->forecasts[k];
            snprintf(b6[0], sizeof b6[0], "%s", f ? f->label : o->series_id);
            period_format(period_from_index(o->period_index), b6[1]);
            bool money = f && f->unit == UNIT_MONEY;
            for (int k = 0; k < 2; k++) {
                double v = k ? o->final : o->stat;
                if (money)
                    numfmt_money_short(b6[2 + k], sizeof b6[2 + k], (int64_t)llround(v * scale), "", m->minor_units, 0);
                else
                    numfmt_number(b6[2 + k], sizeof b6[2 + k], v, 1, 0);
            }
            snprintf(b6[4], sizeof b6[4], "%s", o->reason);
            snprintf(b6[5], sizeof b6[5], "%s", o->author);
            for (int k = 0; k < 6; k++)
                cells[i * 6 + (size_t)k] = strdup(b6[k]);
        }
        pdfdoc_table_t t = { c, 6, 9, true, page_header, p };
        rc = pdfdoc_table(p->doc, &t, mg, &y, (const char *const *)cells, rv->n_overrides, NULL, err);
        for (size_t i = 0; i < rv->n_overrides * 6; i++)
            free(cells[i]);
        free(cells);
        if (rc != OPS_OK)
            return rc;
    }
    if (short_block && y > mg + 300 && y < pdfdoc_page_height(p->doc) - mg) /* room left on a page of its own */
        p->carry_y = y - 8;
    return pdfdoc_check(p->doc, "forecast review page", err);
}

/* ---- page 3: operations ----------------------------------------------------- */

/* A percent KPI's 13-month trend, or NULL. */
static const kpi_t *trend_kpi(const report_model_t *m, const char *id)
{
    const kpi_t *k = model_find_kpi(m, id);
    if (!k)
        return NULL;
    for (int i = 0; i < MODEL_TREND_MONTHS; i++)
        if (isfinite(k->trend[i]))
            return k;
    return NULL;
}

static ops_status_t operations_charts(pdf_ctx_t *p, float *y, ops_error_t *err)
{
    const report_model_t *m = p->m;
    float mg = pdfdoc_margin(p->doc), w = pdfdoc_page_width(p->doc) - 2 * mg;
    ops_status_t rc;
    /* the heat map needs the risk register read, not merely the risk area (controls) */
    const kpi_t *open_risks = model_find_kpi(m, KPI_OPEN_RISKS);
    bool risk = open_risks && open_risks->na == KPI_NA_NONE;
    if (risk || m->n_spc) {
        if (risk) {
            double values[25];
            for (int l = 0; l < 5; l++)
                for (int i = 0; i < 5; i++)
                    values[l * 5 + i] = m->heat_map[l][i];
            chart_heatmap_t h = { "Open risks: likelihood × impact", 5, 5, values, NULL, NULL,
                                  title_of(p, "heatmap_y", "Likelihood"), title_of(p, "heatmap_x", "Impact"), 0 };
            chart_rect_t r = { mg, *y - 170, w * 0.36f, 170 };
            if ((rc = chart_draw_heatmap(p->doc, &r, &h, err)) != OPS_OK)
                return rc;
        }
        if (m->n_spc) {
            /* the line with the most rule breaks */
            const spc_chart_t *best = &m->spc[0];
            size_t best_n = 0;
            for (size_t i = 0; i < m->n_spc; i++) {
                size_t n = 0;
                for (size_t j = 0; j < m->spc[i].n_points; j++)
                    n += m->spc[i].flagged[j];
                if (n > best_n) {
                    best_n = n;
                    best = &m->spc[i];
                }
            }
            char title[160];
            snprintf(title, sizeof title, "Box weight X-bar chart, %s", best->line);
            chart_control_t cc = { 0 };
            cc.title = title;
            cc.n = best->n_points;
            cc.values = best->xbar;
            cc.name = "Subgroup mean";
            cc.centre = best->centre;
            cc.lcl = best->lcl;
            cc.ucl = best->ucl;
            cc.flagged = best->flagged;
            cc.y_unit = "g";
            cc.centre_label = title_of(p, "legend_centre", "Centre line");
            cc.limits_label = title_of(p, "legend_limits", "Control limits");
            cc.flagged_label = "Breaks a rule";
            float x0 = risk ? mg + w * 0.40f : mg;
            chart_rect_t r = { x0, *y - 170, risk ? w * 0.60f : w, 170 };
            if ((rc = chart_draw_control(p->doc, &r, &cc, err)) != OPS_OK)
                return rc;
        }
        *y -= 186;
    }
    static const struct { const char *id, *name; } lines[] = {
        { KPI_SUPPLIER_OTIF_PCT, "Supplier OTIF" }, { KPI_CUSTOMER_OTIF_PCT, "Customer OTIF" },
        { KPI_FIRST_RESPONSE_SLA_PCT, "First response in SLA" }, { KPI_TRAINING_COMPLETION_PCT, "Training done" },
    };
    chart_series_t series[sizeof lines / sizeof lines[0]];
    size_t ns = 0;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        const kpi_t *k = trend_kpi(m, lines[i].id);
        if (k)
            series[ns++] = (chart_series_t){ lines[i].name, k->trend };
    }
    if (ns) {
        const char *cats[MODEL_TREND_MONTHS];
        for (int i = 0; i < MODEL_TREND_MONTHS; i++)
            cats[i] = p->month_labels[i];
        chart_data_t d = { "Service levels, last 13 months (%)", cats, MODEL_TREND_MONTHS, series, ns, "%", true,
                           false, false, NULL, 0 };
        chart_rect_t r = { mg, *y - 150, w, 150 };
        if ((rc = chart_draw_line(p->doc, &r, &d, err)) != OPS_OK)
            return rc;
        *y -= 168;
    }
    return OPS_OK;
}

static ops_status_t page_operations(pdf_ctx_t *p, float *y_out, ops_error_t *err)
{
    const report_model_t *m = p->m;
    float y = p->carry_y;
    ops_status_t rc = OPS_OK;
    p->carry_y = 0;
    if (y <= 0 && (rc = new_page(p, &y, err)) != OPS_OK)
        return rc;
    float mg = pdfdoc_margin(p->doc), w = pdfdoc_page_width(p->doc) - 2 * mg;
    section_title(p, mg, y - 14, "Operations");
    y -= 26;
    float before_charts = y;
    if ((rc = operations_charts(p, &y, err)) != OPS_OK)
        return rc;
    if (y == before_charts) /* no chart: keep the next heading off this one */
        y -= 16;
    /* finance KPIs have their own page when there is a GL to draw it from */
    bool with_finance = !m->gl_present;
    section_title(p, mg, y, with_finance ? "All KPIs" : "All operations KPIs");
    y -= 8;
    pdfdoc_column_t c[6] = { { "Area", w * 0.18f, PDFDOC_LEFT },     { "KPI", w * 0.32f, PDFDOC_LEFT },
                             { "Value", w * 0.13f, PDFDOC_RIGHT },   { "Change", w * 0.13f, PDFDOC_RIGHT },
                             { "Target", w * 0.12f, PDFDOC_RIGHT },  { "Status", w * 0.12f, PDFDOC_LEFT } };
    size_t rows = 0;
    char **cells = calloc((m->n_kpis + 1) * 6, sizeof *cells);
    if (!cells)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < m->n_kpis; i++) {
        const kpi_t *k = &m->kpis[i];
        if (!with_finance && !strcmp(k->area, model_area_names[AREA_FINANCE]))
            continue;
        char v[64], d[64], t[64];
        kpi_format_value(k, k->value, m->currency, v, sizeof v);
        if (isfinite(k->prior) && isfinite(k->value))
            kpi_format_delta(k, k->value - k->prior, m->currency, d, sizeof d);
        else
            snprintf(d, sizeof d, "–");
        if (k->has_target)
            kpi_format_value(k, k->target, m->currency, t, sizeof t);
        else
            snprintf(t, sizeof t, "–");
        static const char *const marks[] = { "", "✓ green", "! amber", "✕ red" };
        const char *row[6] = { (i == 0 || strcmp(k->area, m->kpis[i - 1].area)) ? k->area : "", k->label, v, d, t,
                               k->na != KPI_NA_NONE ? "n/a" : marks[k->status] };
        for (int j = 0; j < 6; j++)
            cells[rows * 6 + (size_t)j] = strdup(row[j]);
        rows++;
    }
    pdfdoc_table_t t = { c, 6, 8, true, page_header, p };
    rc = pdfdoc_table(p->doc, &t, mg, &y, (const char *const *)cells, rows, NULL, err);
    for (size_t i = 0; i < rows * 6; i++)
        free(cells[i]);
    free(cells);
    if (rc != OPS_OK)
        return rc;
    *y_out = y - 18;
    return pdfdoc_check(p->doc, "operations page", err);
}

/* ---- last page: provenance ---------------------------------------------------- */

static ops_status_t page_provenance(pdf_ctx_t *p, float y, ops_error_t *err)
{
    const report_model_t *m = p->m;
    ops_status_t rc;
    float mg = pdfdoc_margin(p->doc), w = pdfdoc_page_width(p->doc) - 2 * mg;
    /* small print: stays on the page when the whole block fits (the list of
     * fields not in the exports takes about a line per six fields) */
    size_t n_unmapped = 0;
    for (size_t i = 0; i < m->n_inputs; i++) {
        const input_schema_t *sc = schema_find(m->inputs[i].kind);
        for (size_t f = 0; sc && m->inputs[i].present && f < sc->n_fields && f < CONFIG_MAX_FIELDS; f++)
            n_unmapped += !m->inputs[i].field_mapped[f];
    }
    float note_extra = n_unmapped ? (float)(n_unmapped / 6 + 1) * 10.0f : 0;
    if (y - (float)(m->n_inputs + 2) * 11.5f - 70 - note_extra < mg && (rc = new_page(p, &y, err)) != OPS_OK)
        return rc;
    section_title(p, mg, y - 14, title_of(p, "section_data_quality", "Data quality and provenance"));
    y -= 24;
    pdfdoc_column_t c[7] = { { "Input", w * 0.15f, PDFDOC_LEFT },     { "Rows read", w * 0.11f, PDFDOC_RIGHT },
                             { "Accepted", w * 0.11f, PDFDOC_RIGHT },   { "Rejected", w * 0.1f, PDFDOC_RIGHT },
                             { "Filtered", w * 0.1f, PDFDOC_RIGHT },    { "Superseded", w * 0.13f, PDFDOC_RIGHT },
                             { "SHA-256", w * 0.3f, PDFDOC_LEFT } };
    size_t rows = m->n_inputs;
    char **cells = calloc(rows * 7 + 1, sizeof *cells);
    if (!cells)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    bool all_reconcile = true;
    GString *unmapped = g_string_new(NULL);
    for (size_t i = 0; i < rows; i++) {
        const ingest_stats_t *s = &m->inputs[i];
        char b[5][40];
        bool ok = !s->present || ingest_stats_reconciles(s);
        all_reconcile &= ok;
        numfmt_count(b[0], sizeof b[0], (int64_t)s->rows_read);
        if (!ok) /* marked, and explained under the table */
            strncat(b[0], " (!)", sizeof b[0] - strlen(b[0]) - 1);
        numfmt_count(b[1], sizeof b[1], (int64_t)s->rows_accepted);
        numfmt_count(b[2], sizeof b[2], (int64_t)s->rows_rejected);
        numfmt_count(b[3], sizeof b[3], (int64_t)s->rows_filtered);
        numfmt_count(b[4], sizeof b[4], (int64_t)s->rows_superseded);
        cells[i * 7] = strdup(s->name);
        cells[i * 7 + 1] = strdup(s->present ? b[0] : "not present");
        for (int k = 1; k < 5; k++)
            cells[i * 7 + 1 + (size_t)k] = strdup(s->present ? b[k] : "");
        cells[i * 7 + 6] = strdup(s->present ? s->sha256 : "");
        const input_schema_t *sc = schema_find(s->kind);
        for (size_t f = 0; sc && s->present && f < sc->n_fields && f < CONFIG_MAX_FIELDS; f++)
            if (!s->field_mapped[f])
                g_string_append_printf(unmapped, "%s%s.%s", unmapped->len ? ", " : "", s->name, sc->fields[f].name);
    }
    pdfdoc_table_t t = { c, 7, 8, true, page_header, p };
    rc = pdfdoc_table(p->doc, &t, mg, &y, (const char *const *)cells, rows, NULL, err);
    for (size_t i = 0; i < rows * 7; i++)
        free(cells[i]);
    free(cells);
    if (rc != OPS_OK) {
        g_string_free(unmapped, TRUE);
        return rc;
    }
    pdfdoc_style_t note = { 8, false, PDFDOC_GREY, PDFDOC_LEFT };
    GString *line = g_string_new(NULL);
    g_string_append(line, "Every row read is accepted, rejected (listed with its file, line, column and reason in "
                          "rejects.csv), filtered out by a where./skip. rule, or superseded by a later update of "
                          "the same record. ");
    if (!all_reconcile)
        g_string_append(line, "(!) rows read ≠ accepted + rejected + filtered + superseded. ");
    if (unmapped->len)
        g_string_append_printf(line, "Not in the exports, so what needs them shows n/a: %s. ", unmapped->str);
    g_string_append_printf(line, "Run %s · opsreport %s · config %s (sha256 %.16s…).", p->info->run_id,
                           p->info->version, p->info->config_path, p->info->config_sha256);
    pdfdoc_paragraph(p->doc, mg, y - 10, w, line->str, &note, true);
    g_string_free(line, TRUE);
    g_string_free(unmapped, TRUE);
    return pdfdoc_check(p->doc, "provenance page", err);
}

ops_status_t render_pdf(const report_model_t *m, const render_info_t *info, const char *path,
                        ops_error_t *err)
{
    pdf_ctx_t p = { m, info, NULL, NULL, "", { { 0 } }, 0, 0 };
    period_label(m->period, p.plabel, sizeof p.plabel);
    for (int i = 0; i < MODEL_TREND_MONTHS; i++)
        period_short_label(period_add(m->period, i - (MODEL_TREND_MONTHS - 1)), p.month_labels[i],
                           sizeof p.month_labels[i]);
    ops_status_t rc;
    char tpath[1100];
    p.tpl = template_set_new();
    if (!p.tpl)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    static const char *const files[] = { "narrative.txt", "titles.txt" };
    for (size_t i = 0; i < 2; i++) {
        snprintf(tpath, sizeof tpath, "%s/%s", info->templates_dir, files[i]);
        if ((rc = template_set_add_file(p.tpl, tpath, err)) != OPS_OK)
            goto cleanup;
    }
    char title[400];
    snprintf(title, sizeof title, "%s operations summary, %s", m->organisation, p.plabel);
    /* fixed creation date: the first day after the period, 06:00 UTC */
    period_t next = period_add(m->period, 1);
    pdfdoc_options_t opt = { 0 };
    opt.title = title;
    opt.author = m->organisation;
    opt.subject = "Month-end operations summary";
    opt.created = (pdfdoc_date_t){ next.year, next.month, 1, 6, 0, 0 };
    opt.paper = info->paper_letter ? PDFDOC_LETTER : PDFDOC_A4;
    if ((rc = pdfdoc_new(&opt, &p.doc, err)) != OPS_OK)
        goto cleanup;
    if ((rc = page_overview(&p, err)) != OPS_OK)
        goto cleanup;
    if (m->gl_present && (rc = page_finance(&p, err)) != OPS_OK)
        goto cleanup;
    if (m->gl_present && m->review.present && m->n_forecasts && (rc = page_forecast_review(&p, err)) != OPS_OK)
        goto cleanup;
    float y = 0;
    if ((rc = page_operations(&p, &y, err)) != OPS_OK)
        goto cleanup;
    if ((rc = page_provenance(&p, y, err)) != OPS_OK)
        goto cleanup;
    rc = pdfdoc_save(p.doc, path, err);
cleanup:
    pdfdoc_free(p.doc);
    template_set_free(p.tpl);
    return rc;
}
