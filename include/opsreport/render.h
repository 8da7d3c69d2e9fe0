/*
 * render.h - the outputs, drawn from the report model only.
 * Each writes exactly the path given; the caller passes a temporary name and
 * renames it into place once every output of the run succeeded.
 */
#ifndef OPSREPORT_RENDER_H
#define OPSREPORT_RENDER_H

#include "opsreport/model.h"
#include "opsreport/template.h"

typedef struct {
    const char *version;
    const char *config_path;
    const char *config_sha256;
    const char *run_id;
    bool paper_letter;
    const char *templates_dir;
    long detail_max_rows; /* detail.xlsx's cap ([output] detail_max_rows) */
} render_info_t;

/* The Budget vs Actual sheet lists at most this many GL line items (those
 * with the largest month variance), so the workbook's size and the render
 * stage's memory stay bounded whatever the GL's cardinality; beyond it,
 * detail.xlsx gets every line on a sheet of its own (constant memory). */
#define RENDER_BVA_MAX_LINES 10000

ops_status_t render_xlsx(const report_model_t *m, const render_info_t *info, const char *path,
                         ops_error_t *err);
/* The same workbook into memory: *data (malloc'd, the caller frees) holds
 * *len bytes, identical to render_xlsx's file. For tests and embedding. */
ops_status_t render_xlsx_to_memory(const report_model_t *m, const render_info_t *info, unsigned char **data,
                                   size_t *len, ops_error_t *err);
ops_status_t render_pdf(const report_model_t *m, const render_info_t *info, const char *path,
                        ops_error_t *err);
/* detail.xlsx: the period's GL lines from the model's spool, capped at max_rows (constant memory). */
ops_status_t render_detail_xlsx(const report_model_t *m, const render_info_t *info, long max_rows,
                                const char *path, ops_error_t *err);
/* The email subject (first line), a blank line and the body, from templates/email_*.txt. */
ops_status_t render_message(const report_model_t *m, const render_info_t *info, const char *path,
                            ops_error_t *err);
/* summary.html: the PDF's first page (title, KPI tiles with value, change,
 * target, status and an inline-SVG sparkline, "What needs attention") and
 * one line of provenance, as one self-contained page for the email's HTML
 * part: inline CSS, no script, no remote resource, every value from the data
 * HTML-escaped, the same bytes for the same model. */
ops_status_t render_html(const report_model_t *m, const render_info_t *info, const char *path,
                         ops_error_t *err);

/* ---- the output registry (outputs.c) ----------------------------------------
 * Every file a run renders is one entry here; the driver (cli/run.c) loops
 * over the table, so adding an output is a renderer and one entry. Entries run
 * in table order, which is the order of the run folder's manifest. */
typedef ops_status_t (*render_fn_t)(const report_model_t *m, const render_info_t *info, const char *path,
                                    ops_error_t *err);

typedef enum {
    RENDER_OUT_WORKBOOK,
    RENDER_OUT_DETAIL,
    RENDER_OUT_PDF,
    RENDER_OUT_MESSAGE,
    RENDER_OUT_HTML,
    RENDER_OUT_FORECASTS,
    RENDER_OUT_COUNT
} render_output_id_t;

/* which manifest timer an output's seconds add to */
typedef enum { RENDER_TIMER_XLSX, RENDER_TIMER_PDF, RENDER_TIMER_COUNT } render_timer_t;

typedef struct {
    render_output_id_t id;
    const char *key;     /* short name: "xlsx", "pdf"; the fault point is render_KEY */
    const char *file;    /* default file name; config may rename (config_output_name) */
    const char *scoped;  /* a scoped recipient's copy, "%s" = the scope's slug; NULL: whole organisation only */
    render_timer_t timer;
    render_fn_t render;
    bool (*wanted)(const report_model_t *m); /* NULL: always written; asked before the forecast runs */
    /* reads only the model's GL part (analyse_finish_ready: organisation,
     * currency, period, Budget vs Actual lines, GL detail), nothing the
     * areas, the forecast and the review write: --jobs N renders it beside
     * them */
    bool before_forecast;
} render_output_t;

extern const render_output_t render_outputs[RENDER_OUT_COUNT];
/* how many entries have a scoped name (sizes the run folder; test_render_model checks it) */
#define RENDER_OUT_SCOPED 3
extern const char *const render_timer_names[RENDER_TIMER_COUNT];

/* ---- page 1's choices, shared by the PDF and the HTML summary (pdf.c) ----- */

#define RENDER_MAX_TILES 9
#define RENDER_SENTENCE_SIZE 400
/* The KPIs shown as tiles, in model order (those marked tile, else the first
 * of each area): fills tiles[RENDER_MAX_TILES], returns how many. Pointers
 * into m. */
size_t render_pick_tiles(const report_model_t *m, const kpi_t **tiles);
/* The "What needs attention" sentences, worded by tpl (narrative.txt loaded):
 * up to max into out; returns how many. *rc is OPS_OK, or the template error
 * (err set) with the sentences written before it. */
size_t render_attention(const report_model_t *m, template_set_t *tpl, char out[][RENDER_SENTENCE_SIZE],
                        size_t max, ops_error_t *err, ops_status_t *rc);

#endif
