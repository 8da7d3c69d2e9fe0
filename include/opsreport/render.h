/*
 * render.h - the two outputs, drawn from the report model only.
 * Both write exactly the path given; the caller passes a temporary name and
 * renames it into place once every output of the run succeeded.
 */
#ifndef OPSREPORT_RENDER_H
#define OPSREPORT_RENDER_H

#include "opsreport/model.h"

typedef struct {
    const char *version;
    const char *config_path;
    const char *config_sha256;
    const char *run_id;
    bool paper_letter;
    const char *templates_dir;
} render_info_t;

ops_status_t render_xlsx(const report_model_t *m, const render_info_t *info, const char *path,
                         ops_error_t *err);
ops_status_t render_pdf(const report_model_t *m, const render_info_t *info, const char *path,
                        ops_error_t *err);
/* detail.xlsx: the period's GL lines from the model's spool, capped at max_rows (constant memory). */
ops_status_t render_detail_xlsx(const report_model_t *m, const render_info_t *info, long max_rows,
                                const char *path, ops_error_t *err);
/* The email subject (first line), a blank line and the body, from templates/email_*.txt. */
ops_status_t render_message(const report_model_t *m, const render_info_t *info, const char *path,
                            ops_error_t *err);

#endif
