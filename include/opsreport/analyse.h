/*
 * analyse.h - turns validated rows into the report model.
 *
 * analyse_new() makes the accumulators; analyse_record() is the ingest sink
 * (one call per accepted row, any input kind); analyse_finish() computes the
 * KPIs and tables and hands over a report_model_t. Memory grows with the
 * number of groups (cost centres, suppliers, SKUs...), not rows.
 */
#ifndef OPSREPORT_ANALYSE_H
#define OPSREPORT_ANALYSE_H

#include "opsreport/model.h"

typedef struct analyse analyse_t;

/* scope: NULL for all, else only rows whose entity/site equals it. */
ops_status_t analyse_new(const config_t *cfg, period_t period, const char *scope,
                         analyse_t **out, ops_error_t *err);
ops_status_t analyse_record(void *analyse, const ingest_record_t *rec, ops_error_t *err);
/* Consumes the accumulators; stats (copied) become model->inputs. */
ops_status_t analyse_finish(analyse_t *a, const ingest_stats_t *stats, size_t n_stats,
                            report_model_t **out, ops_error_t *err);
void analyse_free(analyse_t *a);

#endif
