/*
 * snapshot.h - forecasts.csv, the forecast snapshot of a run: every forecast
 * of the period (statistical point and 80/95% intervals, override, final
 * value, model) for each target month, so that later runs can score it.
 *
 * Earlier run folders are the archive: a run reads their forecasts.csv and
 * never recomputes them. Columns, one row per series and target month:
 *   series,period,step,point,lo80,hi80,lo95,hi95,override,final,model,run_id
 * period is the target month (YYYY-MM), step the months after the run's
 * period; money series carry exactly minor_units decimals (so a reader gets
 * minor units back exactly), other series 4; override is empty when none.
 */
#ifndef OPSREPORT_SNAPSHOT_H
#define OPSREPORT_SNAPSHOT_H

#include "opsreport/model.h"

typedef struct {
    char series[96];
    int period_index;         /* target month */
    int step;                 /* 1 = the month after the run's period */
    double point, lo80, hi80, lo95, hi95;
    double override;          /* NAN: none */
    double final;
} snapshot_row_t;

typedef struct {
    snapshot_row_t *rows;     /* owned; snapshot_free releases */
    size_t n;
    size_t n_bad;             /* rows skipped as unreadable */
} snapshot_t;

/* Writes the forecasts of m to path (the caller makes it atomic: a run
 * folder temp path). Same model and run id, same bytes. */
ops_status_t snapshot_write(const report_model_t *m, const char *run_id, const char *path,
                            ops_error_t *err);

/* Reads a forecasts.csv. OPS_ERR_INPUT when it cannot be opened or has not
 * the expected header; rows that do not parse are counted in n_bad. On
 * failure *out holds no allocation. */
ops_status_t snapshot_read(const char *path, snapshot_t *out, ops_error_t *err);

/* The row for series, target month and step, or NULL. */
const snapshot_row_t *snapshot_find(const snapshot_t *s, const char *series, int period_index, int step);

void snapshot_free(snapshot_t *s);

/* A value as forecasts.csv writes it: decimals for the unit ("1234.50"). */
void snapshot_format_value(double v, kpi_unit_t unit, int minor_units, char *buf, size_t size);

#endif
