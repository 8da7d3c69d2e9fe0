/*
 * overrides.h - judgemental overrides of forecasts, with reasons: the CSV
 * named by [forecast] overrides (relative to --data), columns
 *     series,period,value,pct_change,reason,author
 * (by header name, any order; author may be absent). Each row sets the
 * final forecast of one series for one month of the horizon, either to
 * value or to the statistical forecast changed by pct_change percent.
 *
 * Validated like any input: a bad row goes to the run's rejects file with
 * file, line, column, value and reason (unknown series and months outside
 * the horizon name the allowed values; a row without a reason, with both or
 * neither of value and pct_change, or a second row for the same series and
 * month is rejected) and the run goes on.
 */
#ifndef OPSREPORT_OVERRIDES_H
#define OPSREPORT_OVERRIDES_H

#include "opsreport/ingest.h"
#include "opsreport/model.h"

/* Reads path and applies its rows to m's forecasts: point becomes the final
 * value, override[] records it, m->review.overrides lists it (money rounded
 * to minor units). rejects may be NULL (rows are then only counted).
 * *n_rejected gets the rows rejected. OPS_ERR_INPUT when the file cannot be
 * read or lacks a needed column. */
ops_status_t overrides_apply_file(const char *path, report_model_t *m, rejects_writer_t *rejects,
                                  size_t *n_rejected, ops_error_t *err);

#endif
