/*
 * theta.c - the Theta method of Assimakopoulos & Nikolopoulos (2000) in the
 * form of R's forecast::thetaf (Hyndman & Billah 2003: simple exponential
 * smoothing with drift equal to half the slope of a linear trend).
 *
 * Steps: (1) a seasonality test on the lag-m autocorrelation (90%, i.e. the
 * one-sided 95% normal quantile, with Bartlett's standard error); (2) if
 * seasonal, divide by the classical multiplicative decomposition's indexes;
 * (3) fit ETS(A,N,N) by maximum likelihood (the same optimum as R's ses(),
 * whose MSE criterion is monotone in the A,N,N likelihood); (4) add
 * b/2 * (i + (1 - (1-alpha)^n)/alpha) to the flat SES forecast, b the OLS
 * slope of y on time; (5) reseasonalise. Intervals are R's
 * sqrt(sigma2 * (1 + i*alpha^2)) around the point; unlike R we multiply that
 * standard error by the seasonal index too, so the band is in data units.
 * The autocorrelation function is hand-written (GSL has only lag 1).
 */
#include "opsreport/forecast.h"
#include "forecast/fc_internal.h"

#include <gsl/gsl_fit.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Sample autocorrelation at lag k (R's acf: denominator sum over all n). */
static double acf_at(const double *y, size_t n, double mean, double denom, size_t k)
{
    double s = 0.0;
    for (size_t t = 0; t + k < n; t++)
        s += (y[t] - mean) * (y[t + k] - mean);
    return s / denom;
}

bool theta_seasonality_test(const double *y, size_t n, size_t m)
{
    if (m < 2 || n <= 2 * m || fc_is_constant(y, n))
        return false;
    double mean = gsl_stats_mean(y, 1, n);
    double denom = 0.0;
    for (size_t t = 0; t < n; t++)
        denom += (y[t] - mean) * (y[t] - mean);
    double sumsq = 0.0;
    for (size_t k = 1; k < m; k++) {
        double r = acf_at(y, n, mean, denom, k);
        sumsq += r * r;
    }
    double rm = acf_at(y, n, mean, denom, m);
    double stat = sqrt((1.0 + 2.0 * sumsq) / (double)n);
    return fabs(rm) / stat > fc_z(90.0);
}

ops_status_t theta_forecast(const double *y, size_t n, size_t m, size_t h,
                            const double *levels, size_t n_levels, double *point,
                            double *const *lo, double *const *hi, theta_info_t *info,
                            ops_error_t *err)
{
    theta_info_t ti = { 0 };
    double *x = malloc(n * sizeof *x);
    ops_status_t st = OPS_OK;
    if (!x)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory in Theta");
    memcpy(x, y, n * sizeof *x);
    double figure[ETS_MAX_SEASON];
    if (m <= ETS_MAX_SEASON && theta_seasonality_test(y, n, m)) {
        bool positive = true;
        for (size_t t = 0; t < n; t++)
            positive = positive && y[t] > 0;
        if (positive && forecast_decompose(y, n, m, true, figure, NULL) == OPS_OK) {
            bool zero = false;
            for (size_t i = 0; i < m; i++)
                zero = zero || fabs(figure[i]) < 1e-4;
            if (!zero) {
                ti.seasonal = true;
                for (size_t t = 0; t < n; t++)
                    x[t] /= figure[t % m];
            }
        }
    }
    ets_model_t ses;
    ets_spec_t ann = { ETS_ADD, ETS_NONE, ETS_NONE, false };
    st = ets_fit(x, n, 1, &ann, &ses, err);
    if (st != OPS_OK)
        goto cleanup;
    double c0, c1, cov00, cov01, cov11, sumsq;
    double *tt = malloc(n * sizeof *tt);
    if (!tt) {
        st = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory in Theta");
        goto cleanup;
    }
    for (size_t t = 0; t < n; t++)
        tt[t] = (double)t;
    gsl_fit_linear(tt, 1, x, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
    free(tt);
    ti.drift = c1 / 2.0;
    ti.alpha = fmax(1e-10, ses.alpha);
    ti.sigma2 = ses.sigma2;
    double level = ses.last[0];
    double tail = (1.0 - pow(1.0 - ti.alpha, (double)n)) / ti.alpha;
    for (size_t i = 0; i < h; i++) {
        double idx = ti.seasonal ? figure[(n + i) % m] : 1.0;
        if (i < m && i < ETS_MAX_SEASON)
            ti.index[i] = idx;
        point[i] = (level + ti.drift * ((double)i + tail)) * idx;
        double se = sqrt(ti.sigma2 * (1.0 + (double)i * ti.alpha * ti.alpha)) * idx;
        for (size_t l = 0; l < n_levels; l++) {
            double z = fc_z(levels[l]);
            lo[l][i] = point[i] - z * se;
            hi[l][i] = point[i] + z * se;
        }
    }
    if (info)
        *info = ti;
cleanup:
    free(x);
    return st;
}
