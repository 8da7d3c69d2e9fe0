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

/* analyse_finish, calling ready->ready once the model's GL part is complete
 * (organisation, currency, period, the Budget vs Actual lines and the GL
 * detail spool), before the areas finish: a reader of only those fields may
 * run beside the rest (run --jobs renders detail.xlsx there). If the finish
 * then fails, ready->cancel is called before the model is freed: the reader
 * must be done with it when cancel returns. ready may be NULL. */
typedef struct {
    ops_status_t (*ready)(void *ctx, const report_model_t *m, ops_error_t *err);
    void (*cancel)(void *ctx);
    void *ctx;
} analyse_ready_t;
ops_status_t analyse_finish_ready(analyse_t *a, const ingest_stats_t *stats, size_t n_stats,
                                  const analyse_ready_t *ready, report_model_t **out, ops_error_t *err);
void analyse_free(analyse_t *a);

/* Adds src's accumulators into dst (src is left as it was), giving the state
 * one pass over dst's rows followed by src's rows would give: money and
 * counts add, sets unite, kept values (percentiles, running statistics, the
 * GL detail) are appended in that order, "first N" lists keep dst's first.
 * Both must be of the same config, period and scope. A merge of the parts of
 * a split input is bit-identical to the single pass when each part holds
 * consecutive rows and the parts are merged in input order. */
ops_status_t analyse_merge(analyse_t *dst, const analyse_t *src, ops_error_t *err);
/* analyse_merge for a src that is freed next (analyse_free is all it is
 * good for afterwards): the result is the same, but accumulators dst lacks
 * may be moved over instead of copied (the SPC subgroups of a quality export
 * read in parts were a serial tenth of a second per merge). */
ops_status_t analyse_absorb(analyse_t *dst, analyse_t *src, ops_error_t *err);

/* Partial state ("opsreport-partial", version 1): every accumulator of a,
 * so that analyse_load + analyse_merge + analyse_finish elsewhere give what
 * analyse_finish on a would. Layout, all integers and doubles in the
 * writer's byte order (a loader on another byte order refuses the file):
 *   "opsreport-partial\n" (18 bytes), u32 version = 1, u32 0x01020304,
 *   text config sha256, text period "YYYY-MM", u8 scoped, text scope,
 *   GL (groups by cost-centre and account text, opex series per cost
 *   centre, monthly totals, GL detail row count, source and spool bytes),
 *   then each area module under its name (finance, procurement, ...),
 *   then u32 "END!". A text is u64 length + bytes; a list is u64 count +
 *   items. Sums of fractional values are saved as their exact partials.
 * Does not move a's GL detail spool's write position. */
ops_status_t analyse_save(const analyse_t *a, FILE *f, ops_error_t *err);
/* Reads one state saved by analyse_save (from the current position) into a
 * new analyse (the caller frees it). Refuses, naming both, a state of
 * another config (sha256) or period; scope is the saved one. */
ops_status_t analyse_load(FILE *f, const config_t *cfg, period_t period, analyse_t **out, ops_error_t *err);
/* The scope a was made for; NULL: the whole organisation. */
const char *analyse_scope(const analyse_t *a);

/* Adds src's counts into dst (the same input read in parts): counts and
 * money totals add, the first rejects and multi-line ranges keep dst's
 * first, present and mapped fields unite, seconds add. */
void ingest_stats_merge(ingest_stats_t *dst, const ingest_stats_t *src);

#endif
