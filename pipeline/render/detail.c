/*
 * detail.c - detail.xlsx: every GL line of the period, for drilling down
 * from Budget vs Actual to the source rows.
 *
 * Written with libxlsxwriter's constant_memory mode: each row goes to a
 * temp file as soon as the next one starts, so a million-row sheet costs no
 * more memory than a small one (that mode has no Excel tables, which is why
 * this is a workbook of its own). Rows come from the model's spool file, in
 * input order. Beyond Excel's row limit (or [output] detail_max_rows) the
 * sheet is capped and says so in its second row.
 *
 * When the GL has more line items than the main workbook's Budget vs Actual
 * sheet lists (RENDER_BVA_MAX_LINES), every one of them is on a second
 * sheet here, "Budget vs Actual lines", as plain values.
 */
#include "opsreport/render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

#define DETAIL_FIRST_DATA_ROW 3

/* Every GL line item of Budget vs Actual, in its order (cost centre, type,
 * account), rows written in order as constant_memory requires. */
static void sheet_bva_lines(lxw_workbook *wb, const report_model_t *m, lxw_format *bold, lxw_format *head,
                            lxw_format *money)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Budget vs Actual lines");
    char title[600];
    snprintf(title, sizeof title, "%s - budget vs actual, all %zu GL line items (amounts in %s)",
             m->organisation, m->n_bva_lines, m->currency);
    worksheet_write_string(ws, 0, 0, title, bold);
    static const char *const heads[] = { "Cost centre", "Account", "Type", "Actual (month)", "Budget (month)",
                                         "Variance (month)", "Actual YTD", "Budget YTD", "Variance YTD",
                                         "Budget full year" };
    for (lxw_col_t c = 0; c < 10; c++)
        worksheet_write_string(ws, 2, c, heads[c], head);
    static const char *const types[] = { "Revenue", "COGS", "Opex" };
    double scale = pow(10, m->minor_units);
    lxw_row_t r = DETAIL_FIRST_DATA_ROW;
    for (size_t i = 0; i < m->n_bva_lines && r < LXW_ROW_MAX; i++, r++) {
        const bva_row_t *l = &m->bva_lines[i];
        /* variances from the exact minor units, not from rounded doubles */
        const int64_t v[7] = { l->actual_month, l->budget_month, l->actual_month - l->budget_month, l->actual_ytd,
                               l->budget_ytd, l->actual_ytd - l->budget_ytd, l->budget_full_year };
        worksheet_write_string(ws, r, 0, l->cost_centre, NULL);
        worksheet_write_string(ws, r, 1, l->account ? l->account : "", NULL);
        worksheet_write_string(ws, r, 2, types[l->account_type % 3], NULL);
        for (lxw_col_t c = 0; c < 7; c++)
            worksheet_write_number(ws, r, 3 + c, (double)v[c] / scale, money);
    }
    if (r > DETAIL_FIRST_DATA_ROW)
        worksheet_autofilter(ws, 2, 0, r - 1, 9);
    worksheet_freeze_panes(ws, 3, 2);
    worksheet_set_column(ws, 0, 1, 26, NULL);
    worksheet_set_column(ws, 2, 2, 9, NULL);
    worksheet_set_column(ws, 3, 9, 17, NULL);
}

ops_status_t render_detail_xlsx(const report_model_t *m, const render_info_t *info, long max_rows,
                                const char *path, ops_error_t *err)
{
    lxw_workbook_options opt = { .constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_TRUE };
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb)
        return ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot create workbook");
    char title[600], p[8], plabel[40];
    period_format(m->period, p);
    period_label(m->period, plabel, sizeof plabel);
    snprintf(title, sizeof title, "%s GL lines %s", m->organisation, p);
    lxw_doc_properties props = { 0 };
    props.title = title;
    props.author = "opsreport";
    props.company = (char *)m->organisation;
    props.created = (time_t)period_end_epoch(m->period);
    workbook_set_properties(wb, &props);
    lxw_format *bold = workbook_add_format(wb), *head = workbook_add_format(wb);
    lxw_format *money = workbook_add_format(wb), *date = workbook_add_format(wb);
    format_set_bold(bold);
    format_set_font_size(bold, 13);
    format_set_bold(head);
    format_set_bg_color(head, 0xDDE6F0);
    char mf[64];
    snprintf(mf, sizeof mf, "#,##0.00 \"%s\";[Red]-#,##0.00 \"%s\"", m->currency, m->currency);
    format_set_num_format(money, mf);
    format_set_num_format(date, "yyyy-mm-dd");
    lxw_worksheet *ws = workbook_add_worksheet(wb, "GL lines");
    snprintf(title, sizeof title, "%s - GL actual lines posted in %s", m->organisation, plabel);
    worksheet_write_string(ws, 0, 0, title, bold);
    uint64_t n = m->gl_detail.n_rows, shown = n < (uint64_t)max_rows ? n : (uint64_t)max_rows;
    char note[1400];
    if (shown < n)
        snprintf(note, sizeof note,
                 "Showing the first %llu of %llu lines (Excel's limit); the others are in %s. Run %s.",
                 (unsigned long long)shown, (unsigned long long)n, m->gl_detail.source, info->run_id);
    else
        snprintf(note, sizeof note, "All %llu lines from %s, in file order. Run %s.", (unsigned long long)n,
                 m->gl_detail.source[0] ? m->gl_detail.source : "the GL actuals input", info->run_id);
    worksheet_write_string(ws, 1, 0, note, NULL);
    static const char *const heads[] = { "Date", "Entity", "Cost centre", "Account", "Type", "Amount",
                                         "Source line" };
    for (lxw_col_t c = 0; c < 7; c++)
        worksheet_write_string(ws, 2, c, heads[c], head);
    static const char *const types[] = { "Revenue", "COGS", "Opex" };
    double scale = pow(10, m->minor_units);
    char buf[12400];
    gl_line_t line;
    lxw_row_t r = DETAIL_FIRST_DATA_ROW;
    if (m->gl_detail.spool) {
        rewind(m->gl_detail.spool);
        for (uint64_t i = 0; i < shown && gl_detail_next(m->gl_detail.spool, &line, buf, sizeof buf); i++, r++) {
            worksheet_write_number(ws, r, 0, line.date + 25569.0, date);
            worksheet_write_string(ws, r, 1, line.entity, NULL);
            worksheet_write_string(ws, r, 2, line.cost_centre, NULL);
            worksheet_write_string(ws, r, 3, line.account, NULL);
            worksheet_write_string(ws, r, 4, types[line.account_type % 3], NULL);
            worksheet_write_number(ws, r, 5, (double)line.amount / scale, money);
            worksheet_write_number(ws, r, 6, (double)line.line, NULL);
        }
    }
    if (r > DETAIL_FIRST_DATA_ROW)
        worksheet_autofilter(ws, 2, 0, r - 1, 6);
    worksheet_freeze_panes(ws, 3, 0);
    worksheet_set_column(ws, 0, 0, 11, NULL);
    worksheet_set_column(ws, 1, 3, 26, NULL);
    worksheet_set_column(ws, 4, 4, 9, NULL);
    worksheet_set_column(ws, 5, 5, 16, NULL);
    worksheet_set_column(ws, 6, 6, 11, NULL);
    if (m->n_bva_lines > RENDER_BVA_MAX_LINES)
        sheet_bva_lines(wb, m, bold, head, money);
    lxw_error e = workbook_close(wb);
    if (e != LXW_NO_ERROR)
        return ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot write workbook: %s", lxw_strerror(e));
    return OPS_OK;
}
