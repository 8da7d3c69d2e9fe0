/*
 * baseline.c - the benchmark forecasts (naive, seasonal naive, drift), the
 * classical decomposition used by ETS start values and by Theta, and the
 * MASE scale.
 *
 * Benchmarks follow Hyndman & Athanasopoulos, "Forecasting: principles and
 * practice" (3rd ed., section 5.5): residual variance from the in-sample
 * one-step errors, h-step standard deviations sigma*sqrt(h) (naive),
 * sigma*sqrt(floor((h-1)/m)+1) (seasonal naive) and sigma*sqrt(h(1+h/T))
 * (drift, T = n - 1 differences). The decomposition is R's decompose(): a
 * centred moving average of order m (2 x m for even m), seasonal figures as
 * the mean detrended value of each position from the start of the series,
 * normalised to mean 1 (multiplicative) or 0 (additive).
 */
#include "opsreport/forecast.h"
#include "forecast/fc_internal.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

double fc_z(double level)
{
    return gsl_cdf_ugaussian_Pinv(0.5 + level / 200.0);
}

bool fc_is_constant(const double *y, size_t n)
{
    for (size_t t = 1; t < n; t++)
        if (y[t] != y[0])
            return false;
    return true;
}

static void fill_intervals(const double *point, const double *sd, size_t h,
                           const double *levels, size_t n_levels, double *const *lo,
                           double *const *hi)
{
    for (size_t l = 0; l < n_levels; l++) {
        double z = fc_z(levels[l]);
        for (size_t i = 0; i < h; i++) {
            lo[l][i] = point[i] - z * sd[i];
            hi[l][i] = point[i] + z * sd[i];
        }
    }
}

ops_status_t forecast_naive(const double *y, size_t n, size_t m, size_t h,
                            const double *levels, size_t n_levels, double *point,
                            double *const *lo, double *const *hi, ops_error_t *err)
{
    if (m < 1)
        m = 1;
    if (n < m || n == 0)
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL,
                             "seasonal naive needs at least one season (%zu values, season %zu)", n, m);
    double ss = 0.0;
    size_t cnt = 0;
    for (size_t t = m; t < n; t++) {
        double e = y[t] - y[t - m];
        ss += e * e;
        cnt++;
    }
    double sigma = cnt > 0 ? sqrt(ss / (double)cnt) : 0.0;
    double *sd = malloc(h * sizeof *sd);
    if (!sd)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory in naive forecast");
    for (size_t i = 0; i < h; i++) {
        point[i] = y[n - m + (i % m)];
        sd[i] = sigma * sqrt((double)(i / m + 1));
    }
    fill_intervals(point, sd, h, levels, n_levels, lo, hi);
    free(sd);
    return OPS_OK;
}

ops_status_t forecast_drift(const double *y, size_t n, size_t h, const double *levels,
                            size_t n_levels, double *point, double *const *lo,
                            double *const *hi, ops_error_t *err)
{
    if (n < 2)
        return forecast_naive(y, n, 1, h, levels, n_levels, point, lo, hi, err);
    double T = (double)(n - 1);
    double b = (y[n - 1] - y[0]) / T;
    double ss = 0.0;
    for (size_t t = 1; t < n; t++) {
        double e = y[t] - y[t - 1] - b;
        ss += e * e;
    }
    double sigma = n > 2 ? sqrt(ss / (T - 1.0)) : 0.0;
    double *sd = malloc(h * sizeof *sd);
    if (!sd)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory in drift forecast");
    for (size_t i = 0; i < h; i++) {
        double hh = (double)(i + 1);
        point[i] = y[n - 1] + hh * b;
        sd[i] = sigma * sqrt(hh * (1.0 + hh / T));
    }
    fill_intervals(point, sd, h, levels, n_levels, lo, hi);
    free(sd);
    return OPS_OK;
}

ops_status_t forecast_decompose(const double *y, size_t n, size_t m, bool multiplicative,
                                double *index, ops_error_t *err)
{
    if (m < 2 || m > ETS_MAX_SEASON || n < 2 * m)
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL,
                             "decomposition needs two seasons (%zu values, season %zu)", n, m);
    double sum[ETS_MAX_SEASON] = { 0 };
    size_t cnt[ETS_MAX_SEASON] = { 0 };
    size_t half = m / 2;
    for (size_t t = half; t + half < n; t++) {
        double trend;
        if (m % 2 == 0) {
            trend = 0.5 * (y[t - half] + y[t + half]);
            for (size_t j = t - half + 1; j < t + half; j++)
                trend += y[j];
        } else {
            trend = 0.0;
            for (size_t j = t - half; j <= t + half; j++)
                trend += y[j];
        }
        trend /= (double)m;
        sum[t % m] += multiplicative ? y[t] / trend : y[t] - trend;
        cnt[t % m]++;
    }
    double mean = 0.0;
    for (size_t i = 0; i < m; i++) {
        index[i] = sum[i] / (double)cnt[i];
        mean += index[i];
    }
    mean /= (double)m;
    for (size_t i = 0; i < m; i++)
        index[i] = multiplicative ? index[i] / mean : index[i] - mean;
    return OPS_OK;
}

double forecast_mase_scale(const double *y, size_t n, size_t m)
{
    if (m < 1 || n <= m)
        m = 1;
    if (n <= m)
        return NAN;
    double s = 0.0;
    for (size_t t = m; t < n; t++)
        s += fabs(y[t] - y[t - m]);
    return s / (double)(n - m);
}
