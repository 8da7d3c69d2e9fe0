/*
 * review.h - forecast review: how the archived forecasts (forecasts.csv of
 * earlier run folders) turned out against the actuals, and the bridge of the
 * full-year outlook from last month's to this month's.
 *
 * Conventions: error = actual - forecast (positive: the forecast was too
 * low); bias = mean error; MAD = mean |error|; tracking signal = sum of
 * errors / MAD, persistent bias when |TS| > 4; MAPE in percent over the
 * months whose actual is not 0; MASE = mean |error| / in-sample seasonal
 * naive MAE; FVA in percentage points of MAPE, positive = the later step of
 * the process made the forecast better (statistical vs seasonal naive, final
 * vs statistical).
 */
#ifndef OPSREPORT_REVIEW_H
#define OPSREPORT_REVIEW_H

#include "opsreport/model.h"
#include "opsreport/template.h"

#define REVIEW_TS_LIMIT 4.0

typedef struct {
    size_t n;                  /* months scored */
    double mape, mase, bias, mad, tracking_signal;
    bool bias_flag;            /* |TS| > REVIEW_TS_LIMIT and n >= MODEL_REVIEW_MIN_MONTHS */
    double mape_snaive, fva_stat;   /* NAN when a naive value is missing */
    double mape_final, fva_final;   /* NAN when no month was overridden */
    size_t n_overridden;       /* months whose final differs from the statistical */
} review_metrics_t;

/* Scores n months: actual[i] against the statistical stat[i], the final
 * final[i] (NULL: no overrides) and the seasonal naive naive[i] (NULL or a
 * NAN value: no FVA against naive). mase_scale <= 0 or NAN gives MASE NAN.
 * All NAN with n = 0. */
void review_metrics(const double *actual, const double *stat, const double *final, const double *naive,
                    size_t n, double mase_scale, review_metrics_t *out);

/* The outlook bridge, in minor units. prev_final/prev_stat: last month's
 * forecasts for the months P .. fiscal year end (n_prev values, first = the
 * month just closed); cur_final/cur_stat: this month's for P+1 .. year end
 * (n_prev - 1 values). actual_before = actual from the year start to P-1,
 * actual_month = the actual of P. Fills every money field of out. */
void review_bridge(int64_t actual_before, int64_t actual_month, const int64_t *prev_final,
                   const int64_t *prev_stat, size_t n_prev, const int64_t *cur_final,
                   const int64_t *cur_stat, model_bridge_t *out);

/* The review of m (forecasts already made, overrides applied): reads the
 * snapshots of P-12 .. P-1 from archive_dir/YYYY-MM/forecasts.csv, scores
 * them, builds the bridge for revenue and opex, and words the sentences
 * with tpl (narrative.txt keys review_* and bridge_*). Missing snapshots are
 * listed in m->review.archive, never an error. */
ops_status_t review_run(report_model_t *m, const char *archive_dir, const template_set_t *tpl,
                        ops_error_t *err);

/* One log line on the review: which snapshots were found and missing, and
 * how many override rows were rejected. Returns the verbosity to log it at:
 * 0 (always) when overrides were rejected, 1 on a first run, else 2. */
int review_log_line(const model_review_t *rv, char *buf, size_t size);

#endif
