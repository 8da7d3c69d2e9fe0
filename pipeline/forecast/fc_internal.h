/*
 * fc_internal.h - helpers shared by the files of pipeline/forecast/ only.
 */
#ifndef OPSREPORT_FC_INTERNAL_H
#define OPSREPORT_FC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

/* Two-sided normal quantile for a level in percent: 95 -> 1.959964. */
double fc_z(double level);

/* true if every value equals the first (exactly). */
bool fc_is_constant(const double *y, size_t n);

#endif
