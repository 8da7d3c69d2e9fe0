/*
 * xlsx.c - the analysts' workbook, written with libxlsxwriter.
 *
 * Derived numbers (variances, variance %, totals) are live formulas whose
 * cached value is the one the program computed, so a reviewer can trace
 * each one and a recalculating viewer shows the same figure. Text from the
 * inputs is only ever written with worksheet_write_string, so it can never
 * become a formula. Timestamps come from the period, for byte-identical reruns.
 * A KPI that could not be computed (kpi_t.na) shows "n/a" in its cells and
 * why in its definition; sheets appear only for what was read (no Budget vs
 * Actual without GL actuals).
 */
#include "opsreport/render.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* libxlsxwriter 1.1.4 writes docProps/core.xml's dates with gmtime(), whose
 * result is one buffer for the whole process, and run --jobs closes
 * report.xlsx and detail.xlsx in two threads at once (a data race
 * ThreadSanitizer reports). This definition in the program comes before
 * libc's in the dynamic lookup, so the library's calls get a buffer per
 * thread; gmtime_r does the work. It lives here, not in a file of its own,
 * so the linker always takes it from libopsreport.a with the workbook. */
struct tm *gmtime(const time_t *t)
{
    static _Thread_local struct tm tm;
    return gmtime_r(t, &tm);
}

typedef struct {
    lxw_workbook *wb;
    lxw_format *title, *bold, *header, *money, *money_bold, *pct, *pct_bold, *count, *text_small;
    lxw_format *num1, *num2, *pct_value, *date, *wrap, *red, *amber, *green;
    double scale; /* minor units per currency unit */
    int table_seq;
    double width[MODEL_TABLE_MAX_COLS + 4]; /* widest content per column of the sheet being written */
    char page_header[600], page_footer[200]; /* print header/footer, '&' escaped */
} xlsx_ctx_t;

/* Print setup shared by every sheet: landscape, fit to width, header with
 * organisation / period / sheet, footer with page numbers. */
static void sheet_print_setup(xlsx_ctx_t *x, lxw_worksheet *ws, lxw_row_t header_row)
{
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_fit_to_pages(ws, 1, 0);
    if (header_row != (lxw_row_t)-1)
        worksheet_repeat_rows(ws, header_row, header_row);
    worksheet_set_header(ws, x->page_header);
    worksheet_set_footer(ws, x->page_footer);
}

static void width_note(xlsx_ctx_t *x, size_t col, size_t chars)
{
    if (col < sizeof x->width / sizeof x->width[0] && (double)chars > x->width[col])
        x->width[col] = (double)chars;
}

/* Column widths fitted to what the sheet holds, within sane bounds. */
static void widths_apply(xlsx_ctx_t *x, lxw_worksheet *ws, size_t n)
{
    for (size_t c = 0; c < n && c < sizeof x->width / sizeof x->width[0]; c++) {
        double w = x->width[c] + 2;
        if (w < 8)
            w = 8;
        if (w > 60)
            w = 60;
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL);
    }
    memset(x->width, 0, sizeof x->width);
}

/* Display width in characters of UTF-8 text (code points). */
static size_t text_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static const char *const type_names[3] = { "Revenue", "COGS", "Opex" };

static double money_value(const xlsx_ctx_t *x, int64_t minor) { return (double)minor / x->scale; }

static void formats_make(xlsx_ctx_t *x, const report_model_t *m)
{
    char money_fmt[64];
    snprintf(money_fmt, sizeof money_fmt, "#,##0.00 \"%s\";[Red]-#,##0.00 \"%s\"", m->currency, m->currency);
    x->title = workbook_add_format(x->wb);
    format_set_bold(x->title);
    format_set_font_size(x->title, 14);
    x->bold = workbook_add_format(x->wb);
    format_set_bold(x->bold);
    x->header = workbook_add_format(x->wb);
    format_set_bold(x->header);
    format_set_bg_color(x->header, 0xDDE6F0);
    format_set_bottom(x->header, LXW_BORDER_THIN);
    format_set_text_wrap(x->header);
    x->money = workbook_add_format(x->wb);
    format_set_num_format(x->money, money_fmt);
    x->money_bold = workbook_add_format(x->wb);
    format_set_num_format(x->money_bold, money_fmt);
    format_set_bold(x->money_bold);
    format_set_top(x->money_bold, LXW_BORDER_THIN);
    x->pct = workbook_add_format(x->wb);
    format_set_num_format(x->pct, "0.0%");
    x->pct_bold = workbook_add_format(x->wb);
    format_set_num_format(x->pct_bold, "0.0%");
    format_set_bold(x->pct_bold);
    format_set_top(x->pct_bold, LXW_BORDER_THIN);
    x->count = workbook_add_format(x->wb);
    format_set_num_format(x->count, "#,##0");
    x->text_small = workbook_add_format(x->wb);
    format_set_font_size(x->text_small, 9);
    x->num1 = workbook_add_format(x->wb);
    format_set_num_format(x->num1, "#,##0.0");
    x->num2 = workbook_add_format(x->wb);
    format_set_num_format(x->num2, "#,##0.00");
    x->pct_value = workbook_add_format(x->wb); /* values already in percent */
    format_set_num_format(x->pct_value, "0.0\"%\"");
    x->date = workbook_add_format(x->wb);
    format_set_num_format(x->date, "yyyy-mm-dd");
    x->wrap = workbook_add_format(x->wb);
    format_set_text_wrap(x->wrap);
    format_set_font_size(x->wrap, 9);
    x->red = workbook_add_format(x->wb);
    format_set_bg_color(x->red, 0xF4C7C3);
    format_set_font_color(x->red, 0x8B1A10);
    x->amber = workbook_add_format(x->wb);
    format_set_bg_color(x->amber, 0xFCE8B2);
    format_set_font_color(x->amber, 0x7A4F01);
    x->green = workbook_add_format(x->wb);
    format_set_bg_color(x->green, 0xC9E7D2);
    format_set_font_color(x->green, 0x1E5631);
}

static lxw_format *unit_format(const xlsx_ctx_t *x, kpi_unit_t unit)
{
    switch (unit) {
    case UNIT_MONEY: return x->money;
    case UNIT_PERCENT: return x->pct_value;
    case UNIT_COUNT: return x->count;
    case UNIT_RATIO: return x->num2;
    case UNIT_SCORE: return x->num2;
    default: return x->num1;
    }
}

static const char *unit_name(kpi_unit_t unit, const char *currency)
{
    switch (unit) {
    case UNIT_MONEY: return currency;
    case UNIT_PERCENT: return "%";
    case UNIT_COUNT: return "count";
    case UNIT_DAYS: return "days";
    case UNIT_HOURS: return "hours";
    case UNIT_RATIO: return "ratio";
    case UNIT_PPM: return "ppm";
    case UNIT_FTE: return "FTE";
    case UNIT_SCORE: return "score";
    }
    return "";
}

static const char *const status_words[] = { "", "green", "amber", "red" };

static void write_num_or_blank(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, double v, lxw_format *f)
{
    if (isfinite(v))
        worksheet_write_number(ws, r, c, v, f);
    else
        worksheet_write_blank(ws, r, c, f);
}

/* KPI rows from `row`; returns the next free row. Change = value - prior is a live formula. */
static lxw_row_t write_kpi_table(xlsx_ctx_t *x, lxw_worksheet *ws, lxw_row_t row, const report_model_t *m,
                                 const char *area)
{
    static const char *const heads[] = { "Area", "KPI", "Unit", "Value", "Prior month", "Change",
                                         "Same month last year", "Year to date", "Target", "Status",
                                         "Score", "Definition" };
    for (lxw_col_t c = 0; c < 12; c++)
        worksheet_write_string(ws, row, c, heads[c], x->header);
    lxw_row_t first = row + 1;
    row++;
    for (size_t i = 0; i < m->n_kpis; i++) {
        const kpi_t *k = &m->kpis[i];
        if (area && strcmp(k->area, area))
            continue;
        lxw_format *f = unit_format(x, k->unit);
        double v = k->unit == UNIT_MONEY ? k->value : k->value;
        worksheet_write_string(ws, row, 0, k->area, NULL);
        worksheet_write_string(ws, row, 1, k->label, NULL);
        worksheet_write_string(ws, row, 2, unit_name(k->unit, m->currency), NULL);
        if (k->na != KPI_NA_NONE) {
            /* could not be computed: say so in words, never a 0 or an empty cell */
            char why[sizeof k->na_reason + sizeof k->note + 16];
            snprintf(why, sizeof why, "n/a: %s. %s", k->na_reason, k->note);
            static const lxw_col_t na_cols[] = { 3, 4, 6, 7 }; /* value, prior, last year, YTD */
            for (size_t c = 0; c < 4; c++)
                worksheet_write_string(ws, row, na_cols[c], "n/a", NULL);
            write_num_or_blank(ws, row, 8, k->has_target ? k->target : NAN, f);
            worksheet_write_string(ws, row, 9, "n/a", NULL);
            worksheet_write_string(ws, row, 11, why, x->text_small);
            row++;
            continue;
        }
        write_num_or_blank(ws, row, 3, v, f);
        write_num_or_blank(ws, row, 4, k->prior, f);
        if (isfinite(k->value) && isfinite(k->prior)) {
            char fm[64], a[16], b[16];
            lxw_rowcol_to_cell(a, row, 3);
            lxw_rowcol_to_cell(b, row, 4);
            snprintf(fm, sizeof fm, "=%s-%s", a, b);
            worksheet_write_formula_num(ws, row, 5, fm, f, k->value - k->prior);
        } else
            worksheet_write_blank(ws, row, 5, f);
        write_num_or_blank(ws, row, 6, k->last_year, f);
        write_num_or_blank(ws, row, 7, k->ytd, f);
        write_num_or_blank(ws, row, 8, k->has_target ? k->target : NAN, f);
        worksheet_write_string(ws, row, 9, status_words[k->status], NULL);
        if (k->status != RAG_NONE)
            worksheet_write_number(ws, row, 10, 4 - (int)k->status, NULL); /* 3 green .. 1 red */
        worksheet_write_string(ws, row, 11, k->note, x->text_small);
        row++;
    }
    if (row > first) {
        lxw_conditional_format cf = { 0 };
        cf.type = LXW_CONDITIONAL_TYPE_TEXT;
        cf.criteria = LXW_CONDITIONAL_CRITERIA_TEXT_CONTAINING;
        cf.value_string = "red";
        cf.format = x->red;
        worksheet_conditional_format_range(ws, first, 9, row - 1, 9, &cf);
        cf.value_string = "amber";
        cf.format = x->amber;
        worksheet_conditional_format_range(ws, first, 9, row - 1, 9, &cf);
        cf.value_string = "green";
        cf.format = x->green;
        worksheet_conditional_format_range(ws, first, 9, row - 1, 9, &cf);
        lxw_conditional_format icons = { 0 };
        icons.type = LXW_CONDITIONAL_TYPE_ICON_SETS;
        icons.icon_style = LXW_CONDITIONAL_ICONS_3_TRAFFIC_LIGHTS_UNRIMMED;
        worksheet_conditional_format_range(ws, first, 10, row - 1, 10, &icons);
    }
    return row;
}

static lxw_format *col_format(const xlsx_ctx_t *x, col_kind_t k)
{
    switch (k) {
    case COL_MONEY: return x->money;
    case COL_PERCENT: return x->pct_value;
    case COL_COUNT: return x->count;
    case COL_DATE: return x->date;
    case COL_NUMBER: return x->num2;
    case COL_DAYS:
    case COL_HOURS: return x->num1;
    default: return NULL;
    }
}

/* A model table as an Excel table (autofilter, banded rows); returns the next free row. */
static lxw_row_t write_model_table(xlsx_ctx_t *x, lxw_worksheet *ws, lxw_row_t row, const model_table_t *t)
{
    worksheet_write_string(ws, row++, 0, t->title, x->bold);
    if (t->note[0])
        worksheet_write_string(ws, row++, 0, t->note, x->text_small);
    if (t->na_reason[0]) {
        char why[sizeof t->na_reason + 8];
        snprintf(why, sizeof why, "n/a: %s", t->na_reason);
        worksheet_write_string(ws, row++, 0, why, x->text_small);
        return row + 1;
    }
    if (t->n_rows == 0) {
        worksheet_write_string(ws, row++, 0, "(none this period)", x->text_small);
        return row + 1;
    }
    lxw_row_t header = row;
    for (size_t r = 0; r < t->n_rows; r++)
        for (size_t c = 0; c < t->n_cols; c++) {
            const char *txt = t->text[r * t->n_cols + c];
            double v = t->num[r * t->n_cols + c];
            lxw_row_t rr = header + 1 + (lxw_row_t)r;
            width_note(x, c, txt ? text_width(txt) : 14);
            if (txt)
                worksheet_write_string(ws, rr, (lxw_col_t)c, txt, NULL);
            else if (isfinite(v))
                worksheet_write_number(ws, rr, (lxw_col_t)c,
                                       t->col_kinds[c] == COL_DATE ? v + 25569 : v,
                                       col_format(x, t->col_kinds[c]));
        }
    lxw_table_column cols[MODEL_TABLE_MAX_COLS];
    lxw_table_column *colp[MODEL_TABLE_MAX_COLS + 1];
    for (size_t c = 0; c < t->n_cols; c++) {
        width_note(x, c, text_width(t->col_names[c]) + 3); /* + autofilter button */
        memset(&cols[c], 0, sizeof cols[c]);
        cols[c].header = (char *)t->col_names[c];
        cols[c].format = col_format(x, t->col_kinds[c]);
        colp[c] = &cols[c];
    }
    colp[t->n_cols] = NULL;
    char name[32];
    snprintf(name, sizeof name, "Table%d", ++x->table_seq);
    lxw_table_options opt = { 0 };
    opt.name = name;
    opt.style_type = LXW_TABLE_STYLE_TYPE_LIGHT;
    opt.style_type_number = 9;
    opt.columns = colp;
    worksheet_add_table(ws, header, 0, header + (lxw_row_t)t->n_rows, (lxw_col_t)(t->n_cols - 1), &opt);
    return header + (lxw_row_t)t->n_rows + 2;
}

static void sheet_summary(xlsx_ctx_t *x, const report_model_t *m)
{
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, "Summary");
    char title[700], plabel[40];
    period_label(m->period, plabel, sizeof plabel);
    snprintf(title, sizeof title, "%s - operations KPIs, %s%s%s", m->organisation, plabel,
             m->scope[0] ? " - " : "", m->scope);
    worksheet_write_string(ws, 0, 0, title, x->title);
    worksheet_write_string(ws, 1, 0, "Status from the targets in config ([kpi.ID]); Score 3 = green, 2 = amber, 1 = red. Change = value - prior month.", x->text_small);
    lxw_row_t end = write_kpi_table(x, ws, 3, m, NULL);
    if (end > 4) {
        char ref[64], a[16], b[16];
        lxw_rowcol_to_cell(a, 4, 0);
        lxw_rowcol_to_cell(b, end - 1, 11);
        snprintf(ref, sizeof ref, "=Summary!$%c$%d:$L$%d", a[0], 5, (int)end);
        (void)b;
        workbook_define_name(x->wb, "KPI_Table", ref);
        worksheet_autofilter(ws, 3, 0, end - 1, 11);
    }
    worksheet_freeze_panes(ws, 4, 2);
    for (size_t i = 0; i < m->n_kpis; i++) {
        width_note(x, 0, text_width(m->kpis[i].area));
        width_note(x, 1, text_width(m->kpis[i].label));
        width_note(x, 11, 40); /* definitions wrap */
    }
    width_note(x, 2, 6);
    for (size_t c = 3; c <= 8; c++)
        width_note(x, c, 15);
    width_note(x, 9, 7);
    width_note(x, 10, 6);
    widths_apply(x, ws, 12);
    sheet_print_setup(x, ws, 3);
}

static void sheet_area(xlsx_ctx_t *x, const report_model_t *m, const char *area)
{
    char name[32];
    snprintf(name, sizeof name, "%.31s", area);
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    char title[400], plabel[40];
    period_label(m->period, plabel, sizeof plabel);
    snprintf(title, sizeof title, "%s - %s", area, plabel);
    worksheet_write_string(ws, 0, 0, title, x->title);
    lxw_row_t row = write_kpi_table(x, ws, 2, m, area) + 1;
    for (size_t i = 0; i < m->n_tables; i++)
        if (!strcmp(m->tables[i]->area, area))
            row = write_model_table(x, ws, row, m->tables[i]);
    worksheet_freeze_panes(ws, 3, 0);
    for (size_t i = 0; i < m->n_kpis; i++)
        if (!strcmp(m->kpis[i].area, area)) {
            width_note(x, 0, text_width(area));
            width_note(x, 1, text_width(m->kpis[i].label));
            width_note(x, 11, 40);
        }
    for (size_t c = 2; c <= 10; c++)
        width_note(x, c, 13);
    widths_apply(x, ws, 12);
    sheet_print_setup(x, ws, (lxw_row_t)-1);
}

/* variance = actual - budget, as a formula with its cached value */
static void write_variance(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, lxw_col_t ca, lxw_col_t cb,
                           double actual, double budget, lxw_format *fmt)
{
    char f[96], a[16], b[16];
    lxw_rowcol_to_cell(a, r, ca);
    lxw_rowcol_to_cell(b, r, cb);
    snprintf(f, sizeof f, "=%s-%s", a, b);
    worksheet_write_formula_num(ws, r, c, f, fmt, actual - budget);
}

static void write_variance_pct(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, lxw_col_t cv,
                               lxw_col_t cb, double variance, double budget, lxw_format *fmt)
{
    char f[128], v[16], b[16];
    lxw_rowcol_to_cell(v, r, cv);
    lxw_rowcol_to_cell(b, r, cb);
    if (budget == 0) {
        snprintf(f, sizeof f, "=IF(%s=0,\"\",%s/ABS(%s))", b, v, b);
        worksheet_write_formula_str(ws, r, c, f, fmt, "");
    } else {
        snprintf(f, sizeof f, "=IF(%s=0,\"\",%s/ABS(%s))", b, v, b);
        worksheet_write_formula_num(ws, r, c, f, fmt, variance / fabs(budget));
    }
}

/* Order for the capped sheet: largest month variance first, then YTD
 * variance, then the sheet's own order (the index) so ties are stable.
 * The lines come through qsort_r's argument, not a static: outputs render
 * in threads (run --jobs), and a static would be shared by them all. */
static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }
static int bva_rank_cmp(const void *pa, const void *pb, void *lines)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const bva_row_t *x = &((const bva_row_t *)lines)[a], *y = &((const bva_row_t *)lines)[b];
    int64_t vx = abs64(x->actual_month - x->budget_month), vy = abs64(y->actual_month - y->budget_month);
    if (vx != vy)
        return vx > vy ? -1 : 1;
    vx = abs64(x->actual_ytd - x->budget_ytd);
    vy = abs64(y->actual_ytd - y->budget_ytd);
    if (vx != vy)
        return vx > vy ? -1 : 1;
    return a < b ? -1 : a > b;
}
static int size_cmp(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    return a < b ? -1 : a > b;
}

/* Indices of the RENDER_BVA_MAX_LINES lines the capped sheet shows, in the
 * sheet's order; NULL when every line fits (or out of memory: the first ones). */
static size_t *bva_pick(const report_model_t *m)
{
    if (m->n_bva_lines <= RENDER_BVA_MAX_LINES)
        return NULL;
    size_t *idx = malloc(m->n_bva_lines * sizeof *idx);
    if (!idx)
        return NULL;
    for (size_t i = 0; i < m->n_bva_lines; i++)
        idx[i] = i;
    qsort_r(idx, m->n_bva_lines, sizeof *idx, bva_rank_cmp, (void *)m->bva_lines);
    qsort(idx, RENDER_BVA_MAX_LINES, sizeof *idx, size_cmp);
    return idx;
}

static void sheet_bva(xlsx_ctx_t *x, const report_model_t *m)
{
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, "Budget vs Actual");
    char title[700], plabel[40];
    period_label(m->period, plabel, sizeof plabel);
    snprintf(title, sizeof title, "%s - budget vs actual, %s%s%s", m->organisation, plabel,
             m->scope[0] ? " - " : "", m->scope);
    worksheet_write_string(ws, 0, 0, title, x->title);
    char fy[160], fys[8];
    period_format(m->fy_start, fys);
    bool budget = false;
    for (size_t i = 0; i < m->n_inputs; i++)
        budget |= !strcmp(m->inputs[i].kind, "gl_budget") && m->inputs[i].present && m->inputs[i].rows_accepted;
    snprintf(fy, sizeof fy, "Fiscal year from %s; amounts in %s%s", fys, m->currency,
             budget ? "" : "; no GL budget was read, so every budget is 0");
    worksheet_write_string(ws, 1, 0, fy, NULL);
    static const char *const heads[] = { "Cost centre", "Account", "Type", "Actual (month)",
                                         "Budget (month)", "Variance (month)", "Variance % (month)",
                                         "Actual YTD", "Budget YTD", "Variance YTD", "Variance % YTD",
                                         "Budget full year" };
    const lxw_row_t hr = 3;
    for (lxw_col_t c = 0; c < 12; c++)
        worksheet_write_string(ws, hr, c, heads[c], x->header);
    lxw_row_t r = hr + 1;
    double tot[5] = { 0 };
    bool capped = m->n_bva_lines > RENDER_BVA_MAX_LINES;
    size_t shown = capped ? RENDER_BVA_MAX_LINES : m->n_bva_lines;
    size_t *pick = bva_pick(m);
    if (capped) {
        char note[300];
        snprintf(note, sizeof note,
                 "Showing the %zu of %zu lines with the largest month variance; %s. "
                 "The totals below are of all %zu lines.",
                 shown, m->n_bva_lines,
                 m->gl_detail.spool ? "every line is on the sheet 'Budget vs Actual lines' of the detail workbook"
                                    : "the others are not listed",
                 m->n_bva_lines);
        worksheet_write_string(ws, 2, 0, note, NULL);
        int64_t all[5] = { 0 }; /* totals of every line, not just those shown; exact */
        for (size_t i = 0; i < m->n_bva_lines; i++) {
            const bva_row_t *l = &m->bva_lines[i];
            all[0] += l->actual_month;
            all[1] += l->budget_month;
            all[2] += l->actual_ytd;
            all[3] += l->budget_ytd;
            all[4] += l->budget_full_year;
        }
        for (int k = 0; k < 5; k++)
            tot[k] = money_value(x, all[k]);
    }
    for (size_t i = 0; i < shown; i++, r++) {
        const bva_row_t *l = &m->bva_lines[pick ? pick[i] : i];
        double am = money_value(x, l->actual_month), bm = money_value(x, l->budget_month);
        double ay = money_value(x, l->actual_ytd), by = money_value(x, l->budget_ytd);
        double bf = money_value(x, l->budget_full_year);
        worksheet_write_string(ws, r, 0, l->cost_centre, NULL);
        worksheet_write_string(ws, r, 1, l->account, NULL);
        worksheet_write_string(ws, r, 2, type_names[l->account_type], NULL);
        worksheet_write_number(ws, r, 3, am, x->money);
        worksheet_write_number(ws, r, 4, bm, x->money);
        write_variance(ws, r, 5, 3, 4, am, bm, x->money);
        write_variance_pct(ws, r, 6, 5, 4, am - bm, bm, x->pct);
        worksheet_write_number(ws, r, 7, ay, x->money);
        worksheet_write_number(ws, r, 8, by, x->money);
        write_variance(ws, r, 9, 7, 8, ay, by, x->money);
        write_variance_pct(ws, r, 10, 9, 8, ay - by, by, x->pct);
        worksheet_write_number(ws, r, 11, bf, x->money);
        if (!capped) {
            tot[0] += am; tot[1] += bm; tot[2] += ay; tot[3] += by; tot[4] += bf;
        }
    }
    free(pick);
    lxw_row_t last = r - 1;
    /* totals: SUBTOTAL(9, ...) so a filtered view sums what is visible;
     * capped, plain totals of every line (the rows shown are a part) */
    worksheet_write_string(ws, r, 0, capped ? "Total (all lines, all types)" : "Total (all types)", x->bold);
    const lxw_col_t sum_cols[] = { 3, 4, 7, 8, 11 };
    for (size_t k = 0; k < 5 && capped; k++)
        worksheet_write_number(ws, r, sum_cols[k], tot[k], x->money_bold);
    for (size_t k = 0; k < 5 && !capped; k++) {
        char f[96], c1[16], c2[16];
        lxw_rowcol_to_cell(c1, hr + 1, sum_cols[k]);
        lxw_rowcol_to_cell(c2, last, sum_cols[k]);
        snprintf(f, sizeof f, "=SUBTOTAL(9,%s:%s)", c1, c2);
        worksheet_write_formula_num(ws, r, sum_cols[k], f, x->money_bold, tot[k]);
    }
    write_variance(ws, r, 5, 3, 4, tot[0], tot[1], x->money_bold);
    write_variance_pct(ws, r, 6, 5, 4, tot[0] - tot[1], tot[1], x->pct_bold);
    write_variance(ws, r, 9, 7, 8, tot[2], tot[3], x->money_bold);
    write_variance_pct(ws, r, 10, 9, 8, tot[2] - tot[3], tot[3], x->pct_bold);
    /* per account type, plain sums the reviewer can tie to the PDF */
    r += 2;
    worksheet_write_string(ws, r, 0, "By account type", x->bold);
    r++;
    for (int t = 0; t < 3; t++, r++) {
        const bva_totals_t *bt = &m->bva_by_type[t];
        worksheet_write_string(ws, r, 0, type_names[t], NULL);
        double am = money_value(x, bt->actual_month), bm = money_value(x, bt->budget_month);
        double ay = money_value(x, bt->actual_ytd), by = money_value(x, bt->budget_ytd);
        worksheet_write_number(ws, r, 3, am, x->money);
        worksheet_write_number(ws, r, 4, bm, x->money);
        write_variance(ws, r, 5, 3, 4, am, bm, x->money);
        write_variance_pct(ws, r, 6, 5, 4, am - bm, bm, x->pct);
        worksheet_write_number(ws, r, 7, ay, x->money);
        worksheet_write_number(ws, r, 8, by, x->money);
        write_variance(ws, r, 9, 7, 8, ay, by, x->money);
        write_variance_pct(ws, r, 10, 9, 8, ay - by, by, x->pct);
        worksheet_write_number(ws, r, 11, money_value(x, bt->budget_full_year), x->money);
    }
    if (last >= hr + 1)
        worksheet_autofilter(ws, hr, 0, last, 11);
    worksheet_freeze_panes(ws, hr + 1, 2);
    worksheet_set_column(ws, 0, 1, 24, NULL);
    worksheet_set_column(ws, 2, 2, 9, NULL);
    worksheet_set_column(ws, 3, 11, 17, NULL);
    sheet_print_setup(x, ws, hr);
    if (last >= hr + 1) {
        char ref[80], c1[16], c2[16];
        lxw_rowcol_to_cell(c1, hr + 1, 0);
        lxw_rowcol_to_cell(c2, last, 11);
        snprintf(ref, sizeof ref, "='Budget vs Actual'!$A$%d:$L$%d", (int)hr + 2, (int)last + 1);
        (void)c1, (void)c2;
        workbook_define_name(x->wb, "BvA_Lines", ref);
    }
}

/* The logical fields of an input that its export has no source for, ", "-joined. */
static void unmapped_fields(const ingest_stats_t *s, char *buf, size_t size)
{
    const input_schema_t *sc = schema_find(s->kind);
    size_t used = 0;
    buf[0] = '\0';
    for (size_t f = 0; sc && s->present && f < sc->n_fields && f < CONFIG_MAX_FIELDS && used < size; f++)
        if (!s->field_mapped[f])
            used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "", sc->fields[f].name);
}

static void sheet_quality(xlsx_ctx_t *x, const report_model_t *m)
{
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, "Data quality");
    worksheet_write_string(ws, 0, 0, "Data quality: every input row accounted for", x->title);
    worksheet_write_string(ws, 1, 0, "Rows read = accepted + rejected + filtered (where./skip.) + superseded (an event log's earlier updates). Fields not in the export: what needs them shows n/a.", x->text_small);
    static const char *const heads[] = { "Input", "Kind", "File", "Rows read", "Accepted", "Rejected",
                                         "Filtered", "Superseded (event log)", "Reconciles", "Money field",
                                         "Accepted total", "Rejected total", "Rejected, amount unreadable",
                                         "Fields not in the export" };
    const lxw_row_t hr = 2;
    for (lxw_col_t c = 0; c < 14; c++)
        worksheet_write_string(ws, hr, c, heads[c], x->header);
    lxw_row_t r = hr + 1;
    for (size_t i = 0; i < m->n_inputs; i++) {
        const ingest_stats_t *s = &m->inputs[i];
        size_t lines = s->n_money ? s->n_money : 1;
        char unmapped[600];
        unmapped_fields(s, unmapped, sizeof unmapped);
        for (size_t k = 0; k < lines; k++, r++) {
            worksheet_write_string(ws, r, 0, s->name, NULL);
            worksheet_write_string(ws, r, 1, s->kind, NULL);
            worksheet_write_string(ws, r, 2, s->present ? s->path : "(optional, not present)", NULL);
            worksheet_write_number(ws, r, 3, (double)s->rows_read, x->count);
            worksheet_write_number(ws, r, 4, (double)s->rows_accepted, x->count);
            worksheet_write_number(ws, r, 5, (double)s->rows_rejected, x->count);
            worksheet_write_number(ws, r, 6, (double)s->rows_filtered, x->count);
            worksheet_write_number(ws, r, 7, (double)s->rows_superseded, x->count);
            char f[128], cr[16], ca[16], cj[16], cf[16], cs[16];
            lxw_rowcol_to_cell(cr, r, 3);
            lxw_rowcol_to_cell(ca, r, 4);
            lxw_rowcol_to_cell(cj, r, 5);
            lxw_rowcol_to_cell(cf, r, 6);
            lxw_rowcol_to_cell(cs, r, 7);
            snprintf(f, sizeof f, "=IF(%s=%s+%s+%s+%s,\"yes\",\"NO\")", cr, ca, cj, cf, cs);
            worksheet_write_formula_str(ws, r, 8, f, NULL, ingest_stats_reconciles(s) ? "yes" : "NO");
            if (s->n_money) {
                worksheet_write_string(ws, r, 9, s->money[k].field, NULL);
                worksheet_write_number(ws, r, 10, money_value(x, s->money[k].total_accepted), x->money);
                worksheet_write_number(ws, r, 11, money_value(x, s->money[k].total_rejected), x->money);
                worksheet_write_number(ws, r, 12, (double)s->money[k].unparsed, x->count);
            }
            if (unmapped[0])
                worksheet_write_string(ws, r, 13, unmapped, x->text_small);
        }
    }
    r += 1;
    worksheet_write_string(ws, r++, 0, "First rejected rows per input (all of them are in rejects.csv)", x->bold);
    static const char *const rheads[] = { "Input", "Line", "Column", "Value", "Reason" };
    for (lxw_col_t c = 0; c < 5; c++)
        worksheet_write_string(ws, r, c, rheads[c], x->header);
    r++;
    for (size_t i = 0; i < m->n_inputs; i++)
        for (size_t k = 0; k < m->inputs[i].n_first_rejects; k++, r++) {
            const reject_summary_t *rj = &m->inputs[i].first_rejects[k];
            worksheet_write_string(ws, r, 0, m->inputs[i].name, NULL);
            worksheet_write_number(ws, r, 1, (double)rj->line, NULL);
            worksheet_write_string(ws, r, 2, rj->column, NULL);
            worksheet_write_string(ws, r, 3, rj->value, NULL);
            worksheet_write_string(ws, r, 4, rj->reason, NULL);
        }
    worksheet_freeze_panes(ws, hr + 1, 1);
    worksheet_set_column(ws, 0, 1, 16, NULL);
    worksheet_set_column(ws, 2, 2, 34, NULL);
    worksheet_set_column(ws, 3, 9, 12, NULL);
    worksheet_set_column(ws, 10, 12, 18, NULL);
    worksheet_set_column(ws, 13, 13, 40, NULL);
    sheet_print_setup(x, ws, hr);
}

/* Forecasts: model and accuracy per series, history + forecast with 80/95%
 * intervals in one long table, and a native line chart per key series. */
static void sheet_forecasts(xlsx_ctx_t *x, const report_model_t *m)
{
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, "Forecasts");
    char title[400], plabel[40];
    period_label(m->period, plabel, sizeof plabel);
    snprintf(title, sizeof title, "Forecasts from %s", plabel);
    worksheet_write_string(ws, 0, 0, title, x->title);
    worksheet_write_string(ws, 1, 0, "Models fitted by maximum likelihood (GSL); backtest = rolling-origin one-step-ahead evaluation on each series' own history. MASE < 1 beats the seasonal naive forecast.", x->text_small);
    static const char *const mh[] = { "Series", "Model", "Parameters", "Why this model", "AICc", "Backtest origins",
                                      "MASE", "sMAPE %", "MAPE %", "Bias", "80% coverage %", "95% coverage %" };
    lxw_row_t r = 3;
    for (lxw_col_t c = 0; c < 12; c++)
        worksheet_write_string(ws, r, c, mh[c], x->header);
    r++;
    for (size_t i = 0; i < m->n_forecasts; i++, r++) {
        const model_forecast_t *f = &m->forecasts[i];
        worksheet_write_string(ws, r, 0, f->label, NULL);
        worksheet_write_string(ws, r, 1, f->model, NULL);
        worksheet_write_string(ws, r, 2, f->params, x->text_small);
        worksheet_write_string(ws, r, 3, f->reason, x->text_small);
        write_num_or_blank(ws, r, 4, f->aicc, x->num1);
        worksheet_write_number(ws, r, 5, (double)f->backtest_origins, x->count);
        write_num_or_blank(ws, r, 6, f->mase, x->num2);
        write_num_or_blank(ws, r, 7, f->smape, x->num1);
        write_num_or_blank(ws, r, 8, f->mape, x->num1);
        write_num_or_blank(ws, r, 9, f->bias, x->num2);
        write_num_or_blank(ws, r, 10, f->coverage80, x->num1);
        write_num_or_blank(ws, r, 11, f->coverage95, x->num1);
    }
    r += 2;
    worksheet_write_string(ws, r++, 0, "History and forecast", x->bold);
    static const char *const dh[] = { "Series", "Period", "Actual", "Forecast", "80% low", "80% high", "95% low",
                                      "95% high" };
    lxw_row_t header = r;
    for (lxw_col_t c = 0; c < 8; c++)
        worksheet_write_string(ws, r, c, dh[c], x->header);
    r++;
    lxw_row_t chart_row = 3;
    for (size_t i = 0; i < m->n_forecasts; i++) {
        const model_forecast_t *f = &m->forecasts[i];
        lxw_format *fmt = f->unit == UNIT_MONEY ? x->money : x->num1;
        lxw_row_t first = r;
        for (size_t h = 0; h < f->n_history + f->horizon; h++, r++) {
            char per[8];
            period_format(period_from_index(f->first_index + (int)h), per);
            worksheet_write_string(ws, r, 0, f->label, NULL);
            worksheet_write_string(ws, r, 1, per, NULL);
            if (h < f->n_history) {
                write_num_or_blank(ws, r, 2, f->history[h], fmt);
                continue;
            }
            size_t k = h - f->n_history;
            write_num_or_blank(ws, r, 3, f->point[k], fmt);
            write_num_or_blank(ws, r, 4, f->lo80[k], fmt);
            write_num_or_blank(ws, r, 5, f->hi80[k], fmt);
            write_num_or_blank(ws, r, 6, f->lo95[k], fmt);
            write_num_or_blank(ws, r, 7, f->hi95[k], fmt);
        }
        if (!f->key)
            continue;
        lxw_chart *chart = workbook_add_chart(x->wb, LXW_CHART_LINE);
        char cats[96], vals[96];
        snprintf(cats, sizeof cats, "=Forecasts!$B$%d:$B$%d", (int)first + 1, (int)r);
        static const char *const names[] = { "Actual", "Forecast", "80% low", "80% high", "95% low", "95% high" };
        static const lxw_color_t colors[] = { 0x0072B2, 0xD55E00, 0xE69F00, 0xE69F00, 0x999999, 0x999999 };
        for (int sidx = 0; sidx < 6; sidx++) {
            char col = (char)('C' + sidx);
            snprintf(vals, sizeof vals, "=Forecasts!$%c$%d:$%c$%d", col, (int)first + 1, col, (int)r);
            lxw_chart_series *cs = chart_add_series(chart, cats, vals);
            chart_series_set_name(cs, names[sidx]);
            lxw_chart_line line = { 0 };
            line.color = colors[sidx];
            line.width = sidx < 2 ? 2.0f : 1.0f;
            line.dash_type = sidx < 2 ? LXW_CHART_LINE_DASH_SOLID : LXW_CHART_LINE_DASH_DASH;
            chart_series_set_line(cs, &line);
        }
        chart_title_set_name(chart, f->label);
        chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
        lxw_chart_options copt = { 0 };
        copt.x_scale = 1.6;
        copt.y_scale = 1.1;
        worksheet_insert_chart_opt(ws, chart_row, 13, chart, &copt);
        chart_row += 18;
    }
    if (r > header + 1)
        worksheet_autofilter(ws, header, 0, r - 1, 7);
    worksheet_freeze_panes(ws, 4, 1);
    worksheet_set_column(ws, 0, 0, 34, NULL);
    worksheet_set_column(ws, 1, 1, 14, NULL);
    worksheet_set_column(ws, 2, 2, 40, NULL);
    worksheet_set_column(ws, 3, 3, 44, NULL);
    worksheet_set_column(ws, 4, 11, 14, NULL);
    sheet_print_setup(x, ws, (lxw_row_t)-1);
}


/* ---- Forecast review ------------------------------------------------------- */

static void write_num_or_na(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, double v, lxw_format *f)
{
    if (isfinite(v))
        worksheet_write_number(ws, r, c, v, f);
    else
        worksheet_write_string(ws, r, c, "n/a", NULL);
}

static const char *yes_no(int v) { return v < 0 ? "n/a" : v ? "yes" : "no"; }

static lxw_row_t review_headers(xlsx_ctx_t *x, lxw_worksheet *ws, lxw_row_t r, const char *const *names, size_t n)
{
    for (size_t c = 0; c < n; c++)
        worksheet_write_string(ws, r, (lxw_col_t)c, names[c], x->header);
    return r + 1;
}

/* The outlook bridge of b as a waterfall: a stacked column chart whose first
 * series (the base) is invisible, so each step floats on the running total.
 * Chart data go to columns I:M from row r; returns the next free row. */
static lxw_row_t review_waterfall(xlsx_ctx_t *x, lxw_worksheet *ws, lxw_row_t r, const model_bridge_t *b,
                                  lxw_row_t chart_row)
{
    static const char *const dh[] = { "Step", "Base", "Increase", "Decrease", "Outlook" };
    for (lxw_col_t c = 0; c < 5; c++)
        worksheet_write_string(ws, r, 8 + c, dh[c], x->header);
    const char *steps[5] = { "Last month", "Actual vs forecast", "Re-forecast", "Overrides", "This month" };
    const int64_t delta[3] = { b->actual_vs_forecast, b->reforecast, b->overrides };
    lxw_row_t first = r + 1;
    int64_t running = b->prev_outlook, lowest = b->prev_outlook < b->outlook ? b->prev_outlook : b->outlook;
    int64_t highest = b->prev_outlook > b->outlook ? b->prev_outlook : b->outlook;
    for (int i = 0; i < 5; i++) {
        lxw_row_t row = first + (lxw_row_t)i;
        worksheet_write_string(ws, row, 8, steps[i], NULL);
        double base = 0, up = 0, down = 0, total = 0;
        if (i == 0 || i == 4)
            total = money_value(x, i == 0 ? b->prev_outlook : b->outlook);
        else {
            int64_t d = delta[i - 1], next = running + d;
            base = money_value(x, d >= 0 ? running : next);
            up = d > 0 ? money_value(x, d) : 0;
            down = d < 0 ? money_value(x, -d) : 0;
            running = next;
            lowest = next < lowest ? next : lowest;
            highest = next > highest ? next : highest;
        }
        worksheet_write_number(ws, row, 9, base, x->money);
        worksheet_write_number(ws, row, 10, up, x->money);
        worksheet_write_number(ws, row, 11, down, x->money);
        worksheet_write_number(ws, row, 12, total, x->money);
    }
    lxw_chart *chart = workbook_add_chart(x->wb, LXW_CHART_COLUMN_STACKED);
    char cats[64], vals[64];
    snprintf(cats, sizeof cats, "='Forecast review'!$I$%d:$I$%d", (int)first + 1, (int)first + 5);
    static const char *const names[] = { "Base", "Increase", "Decrease", "Outlook" };
    static const lxw_color_t colors[] = { 0xFFFFFF, 0x009E73, 0xD55E00, 0x0072B2 };
    for (int sidx = 0; sidx < 4; sidx++) {
        char col = (char)('J' + sidx);
        snprintf(vals, sizeof vals, "='Forecast review'!$%c$%d:$%c$%d", col, (int)first + 1, col, (int)first + 5);
        lxw_chart_series *cs = chart_add_series(chart, cats, vals);
        chart_series_set_name(cs, names[sidx]);
        if (sidx == 0) { /* the invisible base the steps float on */
            lxw_chart_fill none = { 0 };
            none.none = LXW_TRUE;
            lxw_chart_line noline = { 0 };
            noline.none = LXW_TRUE;
            chart_series_set_fill(cs, &none);
            chart_series_set_line(cs, &noline);
        } else {
            lxw_chart_fill fill = { 0 };
            fill.color = colors[sidx];
            chart_series_set_fill(cs, &fill);
        }
    }
    chart_legend_delete_series(chart, (int16_t[]){ 0, -1 });
    /* the axis starts near the lowest running total, else the steps vanish
     * beside totals of a whole year: a round number half a span below it */
    double lo = money_value(x, lowest), span = money_value(x, highest - lowest);
    if (span <= 0)
        span = fabs(lo) * 0.01 + 1;
    double axis_min = lo - span * 0.5, unit = pow(10, floor(log10(span)));
    axis_min = floor(axis_min / unit) * unit;
    if (lo > 0 && axis_min > 0)
        chart_axis_set_min(chart->y_axis, axis_min);
    chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    char title[200];
    snprintf(title, sizeof title, "%s full-year outlook: last month to this month", b->label);
    chart_title_set_name(chart, title);
    lxw_chart_options copt = { 0 };
    copt.x_scale = 1.5;
    copt.y_scale = 1.1;
    worksheet_insert_chart_opt(ws, chart_row, 14, chart, &copt);
    return first + 6;
}

/* Forecast review: last month's forecasts against the actuals, the track
 * record over the archive, this month's overrides and the outlook bridge. */
static void sheet_review(xlsx_ctx_t *x, const report_model_t *m)
{
    const model_review_t *rv = &m->review;
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, "Forecast review");
    char title[400], plabel[40], per[8], line[1400];
    period_label(m->period, plabel, sizeof plabel);
    period_format(m->period, per);
    snprintf(title, sizeof title, "Forecast review, %s", plabel);
    worksheet_write_string(ws, 0, 0, title, x->title);
    /* not the folder itself: the same inputs give the same workbook wherever it is written */
    size_t used = (size_t)snprintf(line, sizeof line, "Earlier forecasts (forecasts.csv of the earlier run folders): found ");
    for (size_t i = 0; i < rv->archive.n_found && used < sizeof line; i++)
        used += (size_t)snprintf(line + used, sizeof line - used, "%s%s", i ? ", " : "", rv->archive.found[i]);
    if (used < sizeof line)
        used += (size_t)snprintf(line + used, sizeof line - used, "%s; missing ", rv->archive.n_found ? "" : "none");
    for (size_t i = 0; i < rv->archive.n_missing && used < sizeof line; i++)
        used += (size_t)snprintf(line + used, sizeof line - used, "%s%s", i ? ", " : "", rv->archive.missing[i]);
    if (!rv->archive.n_missing && used < sizeof line)
        snprintf(line + used, sizeof line - used, "none");
    worksheet_write_string(ws, 1, 0, line, x->text_small);
    lxw_row_t r = 2;
    if (rv->archive_note[0])
        worksheet_write_string(ws, r++, 0, rv->archive_note, x->text_small);
    r++;
    const char *sentences[] = { rv->first_run, rv->biggest_miss, rv->bias_warning, rv->override_value, rv->bridge_mover };
    for (size_t i = 0; i < 5; i++)
        if (sentences[i][0])
            worksheet_write_string(ws, r++, 0, sentences[i], NULL);
    r++;

    snprintf(line, sizeof line, "Forecast vs actual, %s (forecast = final; interval = the statistical one; error = actual − forecast)", per);
    worksheet_write_string(ws, r++, 0, line, x->bold);
    static const char *const ah[] = { "Series", "Actual", "Last month: statistical", "Last month: final", "Error",
                                      "% error", "In 80%", "In 95%", "3 months ago: final", "Error", "% error",
                                      "In 80%", "In 95%" };
    lxw_row_t vs_header = r;
    r = review_headers(x, ws, r, ah, 13);
    if (!rv->archive.n_found)
        worksheet_write_string(ws, r++, 0, rv->first_run, NULL);
    else
        for (size_t i = 0; i < rv->n_series; i++, r++) {
            const model_review_series_t *s = &rv->series[i];
            lxw_format *fmt = s->unit == UNIT_MONEY ? x->money : x->num1;
            worksheet_write_string(ws, r, 0, s->label, NULL);
            write_num_or_na(ws, r, 1, s->actual, fmt);
            const model_review_point_t *pts[2] = { &s->last_month, &s->three_months };
            for (int k = 0; k < 2; k++) {
                const model_review_point_t *pt = pts[k];
                lxw_col_t c0 = k == 0 ? 2 : 8;
                if (k == 0)
                    write_num_or_na(ws, r, c0++, pt->found ? pt->stat : NAN, fmt);
                write_num_or_na(ws, r, c0, pt->found ? pt->final : NAN, fmt);
                write_num_or_na(ws, r, c0 + 1, pt->found ? pt->error : NAN, fmt);
                write_num_or_na(ws, r, c0 + 2, pt->found ? pt->pct_error : NAN, x->num1);
                worksheet_write_string(ws, r, c0 + 3, yes_no(pt->in80), NULL);
                worksheet_write_string(ws, r, c0 + 4, yes_no(pt->in95), NULL);
            }
        }
    (void)vs_header;
    r++;

    snprintf(line, sizeof line, "Track record: the last %d closed months, forecasts made one month ahead (statistical "
             "unless named final); FVA in points of MAPE, positive = adds value", MODEL_REVIEW_WINDOW);
    worksheet_write_string(ws, r++, 0, line, x->bold);
    static const char *const th[] = { "Series", "Months scored", "MAPE %", "MASE", "Bias", "Tracking signal",
                                      "Persistent bias", "Seasonal naive MAPE %", "FVA vs seasonal naive (pp)",
                                      "Final MAPE %", "FVA of overrides (pp)", "Basis", "Backtest MASE",
                                      "Backtest MAPE %" };
    r = review_headers(x, ws, r, th, 14);
    if (!rv->archive.n_found)
        worksheet_write_string(ws, r++, 0, rv->first_run, NULL);
    else
        for (size_t i = 0; i < rv->n_series; i++, r++) {
            const model_review_series_t *s = &rv->series[i];
            const model_forecast_t *f = &m->forecasts[i];
            lxw_format *fmt = s->unit == UNIT_MONEY ? x->money : x->num1;
            worksheet_write_string(ws, r, 0, s->label, NULL);
            worksheet_write_number(ws, r, 1, (double)s->n_scored, x->count);
            write_num_or_na(ws, r, 2, s->mape, x->num1);
            write_num_or_na(ws, r, 3, s->mase, x->num2);
            write_num_or_na(ws, r, 4, s->bias, fmt);
            write_num_or_na(ws, r, 5, s->tracking_signal, x->num1);
            worksheet_write_string(ws, r, 6, !s->enough ? "n/a" : s->bias_flag ? "yes" : "no", NULL);
            write_num_or_na(ws, r, 7, s->mape_snaive, x->num1);
            write_num_or_na(ws, r, 8, s->fva_stat, x->num1);
            write_num_or_na(ws, r, 9, s->mape_final, x->num1);
            write_num_or_na(ws, r, 10, s->fva_final, x->num1);
            char basis[160];
            if (s->enough)
                snprintf(basis, sizeof basis, "archive");
            else
                snprintf(basis, sizeof basis, "too little archive (%zu of %d months): backtest", s->n_scored,
                         MODEL_REVIEW_MIN_MONTHS);
            worksheet_write_string(ws, r, 11, basis, NULL);
            write_num_or_na(ws, r, 12, f->mase, x->num2);
            write_num_or_na(ws, r, 13, f->mape, x->num1);
        }
    r++;

    worksheet_write_string(ws, r++, 0, "Overrides this month (from the [forecast] overrides file)", x->bold);
    static const char *const oh[] = { "Series", "Period", "Statistical", "Override", "Final", "Reason", "Author" };
    r = review_headers(x, ws, r, oh, 7);
    for (size_t i = 0; i < rv->n_overrides; i++, r++) {
        const model_override_t *o = &rv->overrides[i];
        const model_forecast_t *f = NULL;
        for (size_t k = 0; k < m->n_forecasts && !f; k++)
            if (!strcmp(m->forecasts[k].series_id, o->series_id))
                f = &m->forecasts[k];
        lxw_format *fmt = f && f->unit == UNIT_MONEY ? x->money : x->num1;
        char p[8];
        period_format(period_from_index(o->period_index), p);
        worksheet_write_string(ws, r, 0, f ? f->label : o->series_id, NULL);
        worksheet_write_string(ws, r, 1, p, NULL);
        worksheet_write_number(ws, r, 2, o->stat, fmt);
        worksheet_write_number(ws, r, 3, o->override, fmt);
        worksheet_write_number(ws, r, 4, o->final, fmt);
        worksheet_write_string(ws, r, 5, o->reason, NULL);
        worksheet_write_string(ws, r, 6, o->author, NULL);
    }
    if (!rv->n_overrides)
        worksheet_write_string(ws, r++, 0, "No overrides this month.", NULL);
    if (rv->n_override_rejects) {
        snprintf(line, sizeof line, "%zu override row%s rejected: see rejects.csv.", rv->n_override_rejects,
                 rv->n_override_rejects == 1 ? "" : "s");
        worksheet_write_string(ws, r++, 0, line, x->red);
    }
    r++;

    worksheet_write_string(ws, r++, 0, "Outlook bridge: full-year outlook this month against last month's", x->bold);
    static const char *const bh[] = { "Measure", "Last month's outlook", "Actual vs forecast (month closed)",
                                      "Re-forecast (remaining months)", "Overrides", "This month's outlook", "Note" };
    lxw_row_t bridge_header = r;
    r = review_headers(x, ws, r, bh, 7);
    const model_bridge_t *chart_b = NULL;
    for (size_t i = 0; i < rv->n_bridge; i++, r++) {
        const model_bridge_t *b = &rv->bridge[i];
        worksheet_write_string(ws, r, 0, b->label, NULL);
        if (!b->available) {
            for (lxw_col_t c = 1; c <= 5; c++)
                worksheet_write_string(ws, r, c, "n/a", NULL);
            worksheet_write_string(ws, r, 6, rv->archive.n_found ? b->na_reason : rv->first_run, x->text_small);
            continue;
        }
        worksheet_write_number(ws, r, 1, money_value(x, b->prev_outlook), x->money);
        worksheet_write_number(ws, r, 2, money_value(x, b->actual_vs_forecast), x->money);
        worksheet_write_number(ws, r, 3, money_value(x, b->reforecast), x->money);
        worksheet_write_number(ws, r, 4, money_value(x, b->overrides), x->money);
        char formula[96];
        snprintf(formula, sizeof formula, "=B%d+C%d+D%d+E%d", (int)r + 1, (int)r + 1, (int)r + 1, (int)r + 1);
        worksheet_write_formula_num(ws, r, 5, formula, x->money, money_value(x, b->outlook));
        worksheet_write_string(ws, r, 6, "this month = last month + the three steps", x->text_small);
        if (!chart_b)
            chart_b = b;
    }
    if (!rv->n_bridge)
        worksheet_write_string(ws, r++, 0, "n/a — no GL actuals, no outlook", NULL);
    r++;
    if (chart_b)
        r = review_waterfall(x, ws, r, chart_b, bridge_header > 10 ? bridge_header - 10 : 3);
    worksheet_set_column(ws, 0, 0, 34, NULL);
    worksheet_set_column(ws, 1, 13, 15, NULL);
    sheet_print_setup(x, ws, (lxw_row_t)-1);
}

static void sheet_about(xlsx_ctx_t *x, const report_model_t *m, const render_info_t *info)
{
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, "About");
    char p[8];
    period_format(m->period, p);
    worksheet_write_string(ws, 0, 0, "About this report", x->title);
    char generated[96];
    period_t next = period_add(m->period, 1);
    snprintf(generated, sizeof generated, "%04d-%02d-01 06:00 UTC (fixed from the period; wall-clock timings are in manifest.json)",
             next.year, next.month);
    const char *rows[][2] = {
        { "Organisation", m->organisation },
        { "Generated", generated },
        { "Period", p },
        { "Scope", m->scope[0] ? m->scope : "All entities" },
        { "Run id", info->run_id },
        { "opsreport version", info->version },
        { "Config", info->config_path },
        { "Config SHA-256", info->config_sha256 },
    };
    lxw_row_t r = 2;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++, r++) {
        worksheet_write_string(ws, r, 0, rows[i][0], x->bold);
        worksheet_write_string(ws, r, 1, rows[i][1], NULL);
    }
    r++;
    worksheet_write_string(ws, r, 0, "Input", x->header);
    worksheet_write_string(ws, r, 1, "File", x->header);
    worksheet_write_string(ws, r, 2, "Bytes", x->header);
    worksheet_write_string(ws, r, 3, "SHA-256", x->header);
    r++;
    for (size_t i = 0; i < m->n_inputs; i++, r++) {
        worksheet_write_string(ws, r, 0, m->inputs[i].name, NULL);
        worksheet_write_string(ws, r, 1, m->inputs[i].path, NULL);
        worksheet_write_number(ws, r, 2, (double)m->inputs[i].bytes, x->count);
        worksheet_write_string(ws, r, 3, m->inputs[i].sha256, x->text_small);
    }
    worksheet_set_column(ws, 0, 0, 20, NULL);
    worksheet_set_column(ws, 1, 1, 40, NULL);
    worksheet_set_column(ws, 2, 2, 12, NULL);
    worksheet_set_column(ws, 3, 3, 70, NULL);
    sheet_print_setup(x, ws, (lxw_row_t)-1);
}

ops_status_t render_xlsx(const report_model_t *m, const render_info_t *info, const char *path,
                         ops_error_t *err)
{
    xlsx_ctx_t x = { 0 };
    x.scale = pow(10, m->minor_units);
    /* tables need the in-memory mode; the large detail goes to detail.xlsx (render_detail_xlsx) */
    lxw_workbook_options opt = { .constant_memory = LXW_FALSE, .tmpdir = NULL, .use_zip64 = LXW_FALSE };
    x.wb = workbook_new_opt(path, &opt);
    if (!x.wb)
        return ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot create workbook");
    char title[400], p[8];
    period_format(m->period, p);
    snprintf(title, sizeof title, "%s operations report %s", m->organisation, p);
    lxw_doc_properties props = { 0 };
    props.title = title;
    props.author = "opsreport";
    props.company = (char *)m->organisation;
    props.comments = "Generated by opsreport from the month-end exports";
    props.created = (time_t)period_end_epoch(m->period);
    workbook_set_properties(x.wb, &props);
    /* '&' starts a code in Excel headers: double the ones in the organisation name */
    char org[512];
    size_t o = 0;
    for (const char *c = m->organisation; *c && o + 2 < sizeof org; c++) {
        if (*c == '&')
            org[o++] = '&';
        org[o++] = *c;
    }
    org[o] = '\0';
    char plabel[40];
    period_label(m->period, plabel, sizeof plabel);
    snprintf(x.page_header, sizeof x.page_header, "&L%s&C%s&R&A", org, plabel);
    snprintf(x.page_footer, sizeof x.page_footer, "&Lopsreport %s&RPage &P of &N", OPSREPORT_VERSION);
    formats_make(&x, m);
    sheet_summary(&x, m);
    for (int a = 0; a < AREA_COUNT; a++)
        if (m->areas_present[a])
            sheet_area(&x, m, model_area_names[a]);
    if (m->gl_present) /* no GL actuals, no budget vs actual: not a sheet of zeros */
        sheet_bva(&x, m);
    if (m->n_forecasts)
        sheet_forecasts(&x, m);
    if (m->review.present && m->n_forecasts) /* nothing forecast, nothing to review */
        sheet_review(&x, m);
    sheet_quality(&x, m);
    sheet_about(&x, m, info);
    lxw_error e = workbook_close(x.wb);
    if (e != LXW_NO_ERROR)
        return ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot write workbook: %s",
                             lxw_strerror(e));
    return OPS_OK;
}

/* libxlsxwriter 1.1.4 (Debian 12) writes only to a named file (output_buffer
 * came in 1.1.5), so the memory is an anonymous memfd reached by its
 * /proc/self/fd name: nothing is created in any directory. */
ops_status_t render_xlsx_to_memory(const report_model_t *m, const render_info_t *info, unsigned char **data,
                                   size_t *len, ops_error_t *err)
{
    *data = NULL;
    *len = 0;
    ops_status_t rc = OPS_OK;
    int fd = memfd_create("opsreport-xlsx", MFD_CLOEXEC);
    if (fd < 0)
        return ops_error_set(err, OPS_ERR_OUTPUT, NULL, 0, NULL, "memfd_create: %s", strerror(errno));
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    if ((rc = render_xlsx(m, info, path, err)) != OPS_OK)
        goto cleanup;
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size <= 0) {
        rc = ops_error_set(err, OPS_ERR_OUTPUT, NULL, 0, NULL, "the workbook in memory is empty");
        goto cleanup;
    }
    *data = malloc((size_t)st.st_size);
    if (!*data) {
        rc = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto cleanup;
    }
    for (size_t got = 0; got < (size_t)st.st_size;) {
        ssize_t n = pread(fd, *data + got, (size_t)st.st_size - got, (off_t)got);
        if (n <= 0) {
            free(*data);
            *data = NULL;
            rc = ops_error_set(err, OPS_ERR_OUTPUT, NULL, 0, NULL, "reading the workbook back: %s",
                               n < 0 ? strerror(errno) : "short read");
            goto cleanup;
        }
        got += (size_t)n;
    }
    *len = (size_t)st.st_size;
cleanup:
    close(fd);
    return rc;
}
