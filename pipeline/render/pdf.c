/*
 * pdf.c - the executive summary, drawn with the pdfdoc/chart helpers.
 *
 * Page 1: organisation, period, budget vs actual headline totals and the
 * cost-centre table (continues on the next page with its header repeated);
 * last page: data quality and provenance in small print. Fixed creation
 * date from the period keeps reruns byte-identical.
 */
#include "opsreport/render.h"

#include "opsreport/numfmt.h"
#include "opsreport/pdfdoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const report_model_t *m;
    const render_info_t *info;
    pdfdoc_t *doc;
    char plabel[40];
} pdf_ctx_t;

static const pdfdoc_rgb_t INK = { 0.10f, 0.16f, 0.25f };

static float page_header(pdfdoc_t *doc, void *user)
{
    pdf_ctx_t *p = user;
    float w = pdfdoc_page_width(doc), h = pdfdoc_page_height(doc), mg = pdfdoc_margin(doc);
    pdfdoc_style_t small = { 8, false, PDFDOC_GREY, PDFDOC_LEFT };
    char line[400];
    snprintf(line, sizeof line, "%s · %s%s%s", p->m->organisation, p->plabel,
             p->m->scope[0] ? " · " : "", p->m->scope);
    pdfdoc_text(doc, mg, h - mg + 14, line, &small);
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

static void headline(pdf_ctx_t *p, float x, float y, float w, const char *label, int64_t actual,
                     int64_t budget)
{
    const report_model_t *m = p->m;
    char a[64], b[64], v[64], line[200];
    pdfdoc_style_t lab = { 9, false, PDFDOC_GREY, PDFDOC_LEFT };
    pdfdoc_style_t big = { 18, true, INK, PDFDOC_LEFT };
    pdfdoc_style_t sub = { 9, false, PDFDOC_GREY, PDFDOC_LEFT };
    pdfdoc_set_stroke(p->doc, PDFDOC_LIGHT_GREY);
    HPDF_Page page = pdfdoc_page(p->doc);
    HPDF_Page_SetLineWidth(page, 0.8f);
    HPDF_Page_Rectangle(page, x, y - 62, w, 62);
    HPDF_Page_Stroke(page);
    pdfdoc_text(p->doc, x + 8, y - 14, label, &lab);
    pdfdoc_text(p->doc, x + 8, y - 36, numfmt_money_short(a, sizeof a, actual, m->currency, m->minor_units, 0), &big);
    numfmt_money_short(b, sizeof b, budget, m->currency, m->minor_units, 0);
    numfmt_money_short(v, sizeof v, actual - budget, m->currency, m->minor_units, NUMFMT_SIGNED);
    snprintf(line, sizeof line, "budget %s · variance %s", b, v);
    pdfdoc_text_fit(p->doc, x + 8, y - 52, w - 16, line, &sub);
}

static ops_status_t page_finance(pdf_ctx_t *p, ops_error_t *err)
{
    const report_model_t *m = p->m;
    float y;
    ops_status_t rc = new_page(p, &y, err);
    if (rc != OPS_OK)
        return rc;
    float mg = pdfdoc_margin(p->doc), w = pdfdoc_page_width(p->doc) - 2 * mg;
    pdfdoc_style_t title = { 20, true, INK, PDFDOC_LEFT };
    pdfdoc_style_t sub = { 11, false, PDFDOC_GREY, PDFDOC_LEFT };
    pdfdoc_text_fit(p->doc, mg, y - 20, w, m->organisation, &title);
    char line[300], fy[8];
    period_format(m->fy_start, fy);
    snprintf(line, sizeof line, "Operations summary · %s · fiscal year from %s", p->plabel, fy);
    pdfdoc_text_fit(p->doc, mg, y - 38, w, line, &sub);
    y -= 56;
    float tw = (w - 16) / 3;
    const bva_totals_t *rev = &m->bva_by_type[GL_TYPE_REVENUE];
    const bva_totals_t *cogs = &m->bva_by_type[GL_TYPE_COGS];
    const bva_totals_t *opex = &m->bva_by_type[GL_TYPE_OPEX];
    headline(p, mg, y, tw, "Revenue (month)", rev->actual_month, rev->budget_month);
    headline(p, mg + tw + 8, y, tw, "Cost of goods sold (month)", cogs->actual_month, cogs->budget_month);
    headline(p, mg + 2 * (tw + 8), y, tw, "Operating expense (month)", opex->actual_month, opex->budget_month);
    y -= 70;
    headline(p, mg, y, tw, "Revenue (YTD)", rev->actual_ytd, rev->budget_ytd);
    headline(p, mg + tw + 8, y, tw, "Cost of goods sold (YTD)", cogs->actual_ytd, cogs->budget_ytd);
    headline(p, mg + 2 * (tw + 8), y, tw, "Operating expense (YTD)", opex->actual_ytd, opex->budget_ytd);
    y -= 84;
    pdfdoc_style_t h2 = { 13, true, INK, PDFDOC_LEFT };
    pdfdoc_text(p->doc, mg, y, "Budget vs actual by cost centre", &h2);
    y -= 10;

    static const pdfdoc_column_t cols[] = {
        { "Cost centre", 0, PDFDOC_LEFT }, { "Actual", 0, PDFDOC_RIGHT }, { "Budget", 0, PDFDOC_RIGHT },
        { "Var.", 0, PDFDOC_RIGHT },       { "Actual YTD", 0, PDFDOC_RIGHT }, { "Budget YTD", 0, PDFDOC_RIGHT },
        { "Var. YTD", 0, PDFDOC_RIGHT },
    };
    pdfdoc_column_t c[7];
    memcpy(c, cols, sizeof c);
    c[0].width = w * 0.22f;
    for (int i = 1; i < 7; i++)
        c[i].width = w * 0.13f;
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
    snprintf(line, sizeof line, "Amounts in %s; variance = actual − budget (positive on a cost line is over budget).",
             m->currency);
    pdfdoc_text_fit(p->doc, mg, y - 14, w, line, &note);
    return pdfdoc_check(p->doc, "finance page", err);
}

static ops_status_t page_provenance(pdf_ctx_t *p, ops_error_t *err)
{
    const report_model_t *m = p->m;
    float y;
    ops_status_t rc = new_page(p, &y, err);
    if (rc != OPS_OK)
        return rc;
    float mg = pdfdoc_margin(p->doc), w = pdfdoc_page_width(p->doc) - 2 * mg;
    pdfdoc_style_t h2 = { 13, true, INK, PDFDOC_LEFT };
    pdfdoc_text(p->doc, mg, y - 14, "Data quality and provenance", &h2);
    y -= 24;
    static const pdfdoc_column_t cols[] = {
        { "Input", 0, PDFDOC_LEFT }, { "Rows read", 0, PDFDOC_RIGHT }, { "Accepted", 0, PDFDOC_RIGHT },
        { "Rejected", 0, PDFDOC_RIGHT }, { "SHA-256", 0, PDFDOC_LEFT },
    };
    pdfdoc_column_t c[5];
    memcpy(c, cols, sizeof c);
    c[0].width = w * 0.22f;
    c[1].width = c[2].width = c[3].width = w * 0.13f;
    c[4].width = w * 0.39f;
    size_t rows = m->n_inputs;
    char **cells = calloc(rows * 5 + 1, sizeof *cells);
    if (!cells)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < rows; i++) {
        const ingest_stats_t *s = &m->inputs[i];
        char b[3][32];
        numfmt_count(b[0], sizeof b[0], (int64_t)s->rows_read);
        numfmt_count(b[1], sizeof b[1], (int64_t)s->rows_accepted);
        numfmt_count(b[2], sizeof b[2], (int64_t)s->rows_rejected);
        cells[i * 5] = strdup(s->name);
        cells[i * 5 + 1] = strdup(s->present ? b[0] : "not present");
        cells[i * 5 + 2] = strdup(s->present ? b[1] : "");
        cells[i * 5 + 3] = strdup(s->present ? b[2] : "");
        cells[i * 5 + 4] = strdup(s->present ? s->sha256 : "");
    }
    pdfdoc_table_t t = { c, 5, 8, true, page_header, p };
    rc = pdfdoc_table(p->doc, &t, mg, &y, (const char *const *)cells, rows, NULL, err);
    for (size_t i = 0; i < rows * 5; i++)
        free(cells[i]);
    free(cells);
    if (rc != OPS_OK)
        return rc;
    pdfdoc_style_t note = { 8, false, PDFDOC_GREY, PDFDOC_LEFT };
    char line[600];
    snprintf(line, sizeof line,
             "Every row read is either accepted or listed with its file, line, column and reason in "
             "rejects.csv. Run %s · opsreport %s · config %s (sha256 %.16s…).",
             p->info->run_id, p->info->version, p->info->config_path, p->info->config_sha256);
    pdfdoc_paragraph(p->doc, mg, y - 10, w, line, &note, true);
    return pdfdoc_check(p->doc, "provenance page", err);
}

ops_status_t render_pdf(const report_model_t *m, const render_info_t *info, const char *path,
                        ops_error_t *err)
{
    pdf_ctx_t p = { m, info, NULL, "" };
    period_label(m->period, p.plabel, sizeof p.plabel);
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
    ops_status_t rc = pdfdoc_new(&opt, &p.doc, err);
    if (rc != OPS_OK)
        return rc;
    rc = page_finance(&p, err);
    if (rc == OPS_OK)
        rc = page_provenance(&p, err);
    /* pdfdoc_save writes path.tmp then renames; our caller's path is itself a temp name */
    if (rc == OPS_OK)
        rc = pdfdoc_save(p.doc, path, err);
    pdfdoc_free(p.doc);
    return rc;
}
