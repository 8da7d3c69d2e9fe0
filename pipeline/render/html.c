/*
 * html.c - summary.html: the PDF's first page as the email's HTML body.
 *
 * What a reader sees on a phone without opening the attachment: the title
 * and period, the KPI tiles (value, change on last month, target, status as
 * a symbol and a word, a 13-month sparkline) and "What needs attention",
 * then one line of provenance. The tiles and sentences come from the same
 * selection as the PDF's page 1 (render_pick_tiles, render_attention in
 * pdf.c) and the same templates, so the two never disagree.
 *
 * Why it looks like this: email clients drop <script>, remote images and
 * often <style>, so every rule that matters is an inline style attribute and
 * the page reads well on those alone (light colours given explicitly); the
 * <style> block only adds dark-mode colours for clients that honour
 * prefers-color-scheme. One column of blocks with no fixed widths wider than
 * 320 px, long words allowed to break, so nothing scrolls sideways on a
 * phone; max-width 800 px keeps lines short on a desktop. Status is never
 * colour alone: "✕ Red", "! Amber", "✓ Green" in words. Sparklines are
 * inline SVG with a text alternative. Document order is reading order for
 * screen readers: heading, tiles, attention list, provenance.
 *
 * Every text from the data (organisation, scope, labels, reasons, template
 * sentences carrying them) goes through html_text, which escapes markup
 * characters, replaces invalid UTF-8 and control characters, and text
 * elements carry dir="auto" so a right-to-left name reads right. Nothing
 * depends on the clock or the locale: the same model gives the same bytes.
 */
#include "opsreport/render.h"

#include "opsreport/kpifmt.h"
#include "opsreport/numfmt.h"
#include "opsreport/template.h"

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SENTENCES 14 /* as the PDF's page 1 */
#define SPARK_W 120
#define SPARK_H 28

/* Light colours are the inline defaults; the dark ones live in STYLE only. */
#define C_PAGE "#f3f5f8"
#define C_CARD "#ffffff"
#define C_INK "#1a2940"
#define C_GREY "#4a5668"
#define C_LINE "#d5dbe3"

static const char STYLE[] =
    ":root{color-scheme:light dark;supported-color-schemes:light dark}\n"
    "@media (prefers-color-scheme:dark){\n"
    " body,.o-page{background:#11161d!important;color:#e4e9f0!important}\n"
    " .o-card{background:#1a212b!important;border-color:#34404f!important}\n"
    " .o-sub{color:#aeb8c6!important}\n"
    " .o-red{background:#4d1914!important;color:#ffb4a9!important;border-color:#ffb4a9!important}\n"
    " .o-amber{background:#47340a!important;color:#ffd27a!important;border-color:#ffd27a!important}\n"
    " .o-green{background:#123821!important;color:#9be0ae!important;border-color:#9be0ae!important}\n"
    " .o-spark{color:#9fc3ff!important}\n"
    "}\n";

/* Appends text for an element or a quoted attribute: markup characters
 * escaped, invalid UTF-8 replaced (U+FFFD), control characters as spaces. */
static void html_text(GString *out, const char *text)
{
    gchar *valid = g_utf8_make_valid(text, -1);
    for (const unsigned char *p = (const unsigned char *)valid; *p; p++) {
        switch (*p) {
        case '&': g_string_append(out, "&amp;"); break;
        case '<': g_string_append(out, "&lt;"); break;
        case '>': g_string_append(out, "&gt;"); break;
        case '"': g_string_append(out, "&quot;"); break;
        case '\'': g_string_append(out, "&#39;"); break;
        default:
            g_string_append_c(out, *p < 0x20 || *p == 0x7f ? ' ' : (char)*p);
        }
    }
    g_free(valid);
}

/* A tag with escaped text between: <tag attrs>text</tag>. */
static void html_element(GString *out, const char *tag, const char *attrs, const char *text)
{
    g_string_append_printf(out, "<%s%s%s>", tag, attrs[0] ? " " : "", attrs);
    html_text(out, text);
    g_string_append_printf(out, "</%s>\n", tag);
}

static const char *title_or(const template_set_t *tpl, const char *key, const char *fallback)
{
    const char *t = template_get(tpl, key);
    return t ? t : fallback;
}

/* The status badge: symbol and word always, colour on top. */
static void html_status(GString *out, const template_set_t *tpl, rag_t status)
{
    static const char *const cls[] = { "", "o-green", "o-amber", "o-red" };
    static const char *const fg[] = { "", "#1e6b34", "#7a4f00", "#a3241b" };
    static const char *const bg[] = { "", "#e5f4ea", "#fff2d9", "#fde8e6" };
    static const char *const sym[] = { "", "\u2713", "!", "\u2715" };
    static const char *const key[] = { "", "status_green", "status_amber", "status_red" };
    static const char *const meaning[] = { "", "on target", "watch", "off target" };
    g_string_append_printf(out,
                           "<span class=\"%s\" style=\"display:inline-block;padding:0 6px;border:1px solid %s;"
                           "border-radius:4px;background:%s;color:%s;font-weight:bold;white-space:nowrap;\">"
                           "<span aria-hidden=\"true\">%s</span> ",
                           cls[status], fg[status], bg[status], fg[status], sym[status]);
    html_text(out, title_or(tpl, key[status], kpi_status_word(status)));
    g_string_append_printf(out, ", %s</span>", meaning[status]);
}

/* 13 months as an inline SVG polyline (gaps split it), last point marked;
 * nothing when fewer than two months have a value. */
static void html_sparkline(GString *out, const kpi_t *k, const char *currency, const char *first_month)
{
    double lo = INFINITY, hi = -INFINITY;
    int have = 0, first = -1, last = -1;
    for (int i = 0; i < MODEL_TREND_MONTHS; i++) {
        if (!isfinite(k->trend[i]))
            continue;
        lo = fmin(lo, k->trend[i]);
        hi = fmax(hi, k->trend[i]);
        have++;
        if (first < 0)
            first = i;
        last = i;
    }
    if (have < 2)
        return;
    char a[64], b[64];
    GString *label = g_string_new(NULL);
    g_string_printf(label, "Last 13 months: %s in %s, %s now", kpi_format_value(k, k->trend[first], currency, a, sizeof a),
                    first_month, kpi_format_value(k, k->trend[last], currency, b, sizeof b));
    g_string_append_printf(out,
                           "<svg class=\"o-spark\" role=\"img\" aria-label=\"");
    html_text(out, label->str);
    g_string_append_printf(out,
                           "\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                           "style=\"display:block;margin-top:6px;color:#2f6fd0;\" "
                           "xmlns=\"http://www.w3.org/2000/svg\"><title>",
                           SPARK_W, SPARK_H, SPARK_W, SPARK_H);
    html_text(out, label->str);
    g_string_append(out, "</title>");
    g_string_free(label, TRUE);
    double step = (SPARK_W - 6) / (double)(MODEL_TREND_MONTHS - 1);
    double span = hi - lo;
    bool open = false;
    double lx = 0, ly = 0;
    for (int i = 0; i < MODEL_TREND_MONTHS; i++) {
        if (!isfinite(k->trend[i])) {
            if (open)
                g_string_append(out, "\"/>");
            open = false;
            continue;
        }
        lx = 3 + step * i;
        /* a flat line sits in the middle rather than on an edge */
        ly = span > 0 ? 3 + (hi - k->trend[i]) / span * (SPARK_H - 6) : SPARK_H / 2.0;
        if (!open)
            g_string_append(out, "<polyline fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\" "
                                 "stroke-linejoin=\"round\" points=\"");
        g_string_append_printf(out, "%s%.1f,%.1f", open ? " " : "", lx, ly);
        open = true;
    }
    if (open)
        g_string_append(out, "\"/>");
    g_string_append_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"currentColor\"/></svg>\n", lx, ly);
}

static void html_tile(GString *out, const report_model_t *m, const template_set_t *tpl, const kpi_t *k,
                      const char *prior_month, const char *first_month)
{
    char v[64], d[64], t[64], line[256];
    g_string_append(out, "<li class=\"o-card\" style=\"margin:0 0 10px;padding:12px 14px;background:" C_CARD
                         ";border:1px solid " C_LINE ";border-radius:8px;\">\n");
    html_element(out, "h3", "dir=\"auto\" style=\"margin:0;font-size:15px;font-weight:normal;\"", k->label);
    html_element(out, "p", "style=\"margin:2px 0 0;font-size:26px;font-weight:bold;line-height:1.2;\"",
                 kpi_format_value(k, k->value, m->currency, v, sizeof v));
    if (k->na != KPI_NA_NONE)
        snprintf(line, sizeof line, "%s", k->na_short); /* why n/a, where the change would be */
    else if (isfinite(k->prior) && isfinite(k->value))
        snprintf(line, sizeof line, "%s vs %s", kpi_format_delta(k, k->value - k->prior, m->currency, d, sizeof d),
                 prior_month);
    else
        snprintf(line, sizeof line, "no prior month");
    html_element(out, "p", "class=\"o-sub\" dir=\"auto\" style=\"margin:2px 0 0;font-size:14px;color:" C_GREY ";\"",
                 line);
    if (k->has_target || k->status != RAG_NONE) {
        g_string_append(out, "<p style=\"margin:4px 0 0;font-size:14px;\">");
        if (k->has_target) {
            g_string_append(out, "Target ");
            html_text(out, kpi_format_value(k, k->target, m->currency, t, sizeof t));
            g_string_append(out, " \u00b7 ");
        }
        if (k->na != KPI_NA_NONE || k->status == RAG_NONE)
            g_string_append(out, "n/a");
        else
            html_status(out, tpl, k->status);
        g_string_append(out, "</p>\n");
    }
    html_sparkline(out, k, m->currency, first_month);
    g_string_append(out, "</li>\n");
}

/* "Run … · 123,456 rows read, 78 rejected." from titles.txt, or the same
 * words when an older templates folder lacks the key. */
static ops_status_t html_provenance(GString *out, const report_model_t *m, const render_info_t *info,
                                    const template_set_t *tpl, ops_error_t *err)
{
    uint64_t read = 0, rejected = 0;
    for (size_t i = 0; i < m->n_inputs; i++) {
        read += m->inputs[i].rows_read;
        rejected += m->inputs[i].rows_rejected;
    }
    char r[32], j[32], line[600];
    numfmt_count(r, sizeof r, (int64_t)read);
    numfmt_count(j, sizeof j, (int64_t)rejected);
    if (template_get(tpl, "provenance_line")) {
        template_var_t vars[] = { { "run_id", info->run_id }, { "read", r }, { "rejected", j } };
        ops_status_t rc = template_fill(tpl, "provenance_line", vars, 3, line, sizeof line, err);
        if (rc != OPS_OK)
            return rc;
    } else {
        snprintf(line, sizeof line, "Run %s \u00b7 %s rows read, %s rejected.", info->run_id, r, j);
    }
    html_element(out, "p", "class=\"o-sub\" style=\"margin:16px 0 0;font-size:13px;color:" C_GREY ";\"", line);
    return OPS_OK;
}

/* The whole page into out. */
static ops_status_t html_page(GString *out, const report_model_t *m, const render_info_t *info,
                              template_set_t *tpl, ops_error_t *err)
{
    char plabel[40], prior[16], first[16], title[600], sub[400];
    period_label(m->period, plabel, sizeof plabel);
    period_short_label(period_add(m->period, -1), prior, sizeof prior);
    period_short_label(period_add(m->period, -(MODEL_TREND_MONTHS - 1)), first, sizeof first);
    template_var_t tv[] = { { "organisation", m->organisation }, { "period", plabel } };
    ops_status_t rc = template_fill(tpl, "report_title", tv, 2, title, sizeof title, err);
    if (rc != OPS_OK)
        return rc;
    snprintf(sub, sizeof sub, "%s%s%s", plabel, m->scope[0] ? " \u00b7 " : "", m->scope);

    g_string_append(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                         "<meta name=\"color-scheme\" content=\"light dark\">\n"
                         "<meta name=\"supported-color-schemes\" content=\"light dark\">\n");
    g_string_append(out, "<title>");
    html_text(out, title);
    g_string_append(out, ", ");
    html_text(out, sub);
    g_string_append_printf(out, "</title>\n<style>\n%s</style>\n</head>\n", STYLE);
    g_string_append(out, "<body class=\"o-page\" style=\"margin:0;padding:0;background:" C_PAGE ";color:" C_INK
                         ";\">\n<div class=\"o-page\" style=\"max-width:800px;margin:0 auto;padding:16px 12px 24px;"
                         "background:" C_PAGE ";color:" C_INK ";font-family:-apple-system,'Segoe UI',Roboto,"
                         "Helvetica,Arial,sans-serif;font-size:16px;line-height:1.45;overflow-wrap:break-word;"
                         "word-wrap:break-word;\">\n<header>\n");
    html_element(out, "h1", "dir=\"auto\" style=\"margin:0;font-size:22px;line-height:1.25;\"", title);
    html_element(out, "p", "class=\"o-sub\" dir=\"auto\" style=\"margin:4px 0 0;font-size:15px;color:" C_GREY ";\"",
                 sub);
    g_string_append(out, "</header>\n<main>\n<section aria-labelledby=\"o-kpis\">\n");
    html_element(out, "h2", "id=\"o-kpis\" style=\"margin:20px 0 8px;font-size:18px;\"",
                 title_or(tpl, "section_kpis", "Key performance indicators"));
    const kpi_t *tiles[RENDER_MAX_TILES];
    size_t nt = render_pick_tiles(m, tiles);
    g_string_append(out, "<ul style=\"list-style:none;margin:0;padding:0;\">\n");
    for (size_t i = 0; i < nt; i++)
        html_tile(out, m, tpl, tiles[i], prior, first);
    g_string_append(out, "</ul>\n");
    html_element(out, "p", "class=\"o-sub\" style=\"margin:4px 0 0;font-size:13px;color:" C_GREY ";\"",
                 "\u2713 on target \u00b7 ! watch (amber) \u00b7 \u2715 off target (red) \u00b7 "
                 "sparklines show 13 months");
    g_string_append(out, "</section>\n<section aria-labelledby=\"o-attention\">\n");
    html_element(out, "h2", "id=\"o-attention\" style=\"margin:20px 0 8px;font-size:18px;\"",
                 title_or(tpl, "section_attention", "What needs attention"));
    char sentences[MAX_SENTENCES][RENDER_SENTENCE_SIZE];
    size_t ns = render_attention(m, tpl, sentences, MAX_SENTENCES, err, &rc);
    if (rc != OPS_OK)
        return rc;
    g_string_append(out, "<ul style=\"margin:0;padding:0 0 0 20px;\">\n");
    for (size_t i = 0; i < ns; i++)
        html_element(out, "li", "dir=\"auto\" style=\"margin:0 0 6px;\"", sentences[i]);
    g_string_append(out, "</ul>\n</section>\n");
    if (m->review.present && m->n_forecasts) { /* the PDF's forecast review, in two sentences */
        const model_review_t *rv = &m->review;
        g_string_append(out, "<section aria-labelledby=\"o-review\">\n");
        html_element(out, "h2", "id=\"o-review\" style=\"margin:20px 0 8px;font-size:18px;\"",
                     title_or(tpl, "section_forecast_review", "Forecast review"));
        const char *lines[] = { rv->first_run, rv->bridge_mover, rv->biggest_miss };
        for (size_t i = 0; i < 3; i++)
            if (lines[i][0])
                html_element(out, "p", "dir=\"auto\" style=\"margin:0 0 6px;\"", lines[i]);
        g_string_append(out, "</section>\n");
    }
    g_string_append(out, "</main>\n<footer>\n");
    if ((rc = html_provenance(out, m, info, tpl, err)) != OPS_OK)
        return rc;
    g_string_append(out, "</footer>\n</div>\n</body>\n</html>\n");
    return OPS_OK;
}

ops_status_t render_html(const report_model_t *m, const render_info_t *info, const char *path,
                         ops_error_t *err)
{
    ops_status_t rc;
    char tpath[1100];
    GString *out = g_string_sized_new(32 * 1024);
    template_set_t *tpl = template_set_new();
    FILE *fp = NULL;
    if (!tpl) {
        rc = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto cleanup;
    }
    /* the PDF's wording: the attention sentences and the titles */
    static const char *const files[] = { "narrative.txt", "titles.txt" };
    for (size_t i = 0; i < 2; i++) {
        snprintf(tpath, sizeof tpath, "%s/%s", info->templates_dir, files[i]);
        if ((rc = template_set_add_file(tpl, tpath, err)) != OPS_OK)
            goto cleanup;
    }
    if ((rc = html_page(out, m, info, tpl, err)) != OPS_OK)
        goto cleanup;
    fp = fopen(path, "wb");
    if (!fp) {
        rc = ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot create HTML summary");
        goto cleanup;
    }
    bool ok = fwrite(out->str, 1, out->len, fp) == out->len;
    ok &= fclose(fp) == 0;
    fp = NULL;
    if (!ok)
        rc = ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot write HTML summary");
cleanup:
    if (fp)
        fclose(fp);
    g_string_free(out, TRUE);
    template_set_free(tpl);
    return rc;
}
