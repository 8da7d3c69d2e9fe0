/*
 * outputs.c - the table of outputs a run renders (render.h). The driver loops
 * over it; the order is the manifest's. The detail workbook adapts its
 * signature here so every entry has the same one.
 */
#include "opsreport/render.h"
#include "opsreport/snapshot.h"

static ops_status_t detail_render(const report_model_t *m, const render_info_t *info, const char *path,
                                  ops_error_t *err)
{
    return render_detail_xlsx(m, info, info->detail_max_rows, path, err);
}

/* forecasts.csv, this run's snapshot for the next months' review (forecast/snapshot.c) */
static ops_status_t snapshot_render(const report_model_t *m, const render_info_t *info, const char *path,
                                    ops_error_t *err)
{
    return snapshot_write(m, info->run_id, path, err);
}

/* detail.xlsx exists only when ingest spooled the period's GL lines */
static bool detail_wanted(const report_model_t *m) { return m->gl_detail.spool != NULL; }

/* positional, so a missing entry is a compile error against render.h's size;
 * test_render_model checks each entry sits at its own id */
const render_output_t render_outputs[] = {
    { RENDER_OUT_WORKBOOK, "xlsx", "report.xlsx", NULL, RENDER_TIMER_XLSX, render_xlsx, NULL, false },
    { RENDER_OUT_DETAIL, "detail", "detail.xlsx", NULL, RENDER_TIMER_XLSX, detail_render, detail_wanted, true },
    { RENDER_OUT_PDF, "pdf", "summary.pdf", "summary-%s.pdf", RENDER_TIMER_PDF, render_pdf, NULL, false },
    { RENDER_OUT_MESSAGE, "message", "message.txt", "message-%s.txt", RENDER_TIMER_PDF, render_message, NULL, false },
    { RENDER_OUT_HTML, "html", "summary.html", "summary-%s.html", RENDER_TIMER_PDF, render_html, NULL, false },
    { RENDER_OUT_FORECASTS, "forecasts", "forecasts.csv", NULL, RENDER_TIMER_XLSX, snapshot_render, NULL, false },
};

const char *const render_timer_names[RENDER_TIMER_COUNT] = {
    [RENDER_TIMER_XLSX] = "render_xlsx",
    [RENDER_TIMER_PDF] = "render_pdf",
};
