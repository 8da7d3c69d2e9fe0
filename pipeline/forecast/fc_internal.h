/*
 * fc_internal.h - helpers shared by the files of pipeline/forecast/ only.
 */
#ifndef OPSREPORT_FC_INTERNAL_H
#define OPSREPORT_FC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "opsreport/forecast.h"

/* Two-sided normal quantile for a level in percent: 95 -> 1.959964. */
double fc_z(double level);

/* true if every value equals the first (exactly). */
bool fc_is_constant(const double *y, size_t n);

/* ets_forecast with n_paths simulated paths for multiplicative seasonality
 * (ets_forecast uses 5000; the check, which only needs interval widths
 * to compare errors with, uses fewer). */
ops_status_t fc_ets_forecast_paths(const ets_model_t *model, size_t h, const double *levels,
                                   size_t n_levels, unsigned long seed, size_t n_paths, double *point,
                                   double *const *lo, double *const *hi, ops_error_t *err);

#endif
