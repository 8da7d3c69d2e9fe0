/*
 * outlook.h - the forecast stage of the pipeline: runs each [forecast.NAME]
 * of the config on the monthly series analyse published, keeps the results
 * in the model for the reports, and adds the full-year outlook (YTD actual
 * plus the final forecast of the remaining months) against the annual budget.
 *
 * With a context (the whole-organisation model of a run), it also applies
 * the [forecast] overrides file and reviews the earlier runs' forecasts
 * (review.h): the archive is [forecast] history_dir, else the output folder
 * whose sibling run folders OUT/YYYY-MM/ hold forecasts.csv.
 */
#ifndef OPSREPORT_OUTLOOK_H
#define OPSREPORT_OUTLOOK_H

#include "opsreport/ingest.h"
#include "opsreport/model.h"

typedef struct {
    const char *out_dir;          /* the run folders' parent (OUT) */
    const char *data_dir;         /* --data: the overrides file is relative to it; NULL: "." */
    const char *templates_dir;    /* narrative.txt for the review sentences; NULL: none */
    rejects_writer_t *rejects;    /* bad override rows; NULL: only counted */
} outlook_context_t;

/* The forecasts and the outlook; ctx NULL: no overrides and no review. */
ops_status_t outlook_run_ctx(const config_t *cfg, report_model_t *m, const outlook_context_t *ctx,
                             ops_error_t *err);

/* outlook_run_ctx without a context. */
ops_status_t outlook_run(const config_t *cfg, report_model_t *m, ops_error_t *err);

#endif
