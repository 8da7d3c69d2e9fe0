/*
 * ets.c - the exponential-smoothing family in innovations state-space form.
 *
 * Design: the filter (ets_loglik) is a straight port of the recursions in
 * Hyndman, Koehler, Ord & Snyder (2008) as implemented by R's forecast
 * package (etscalc), with the same state layout (l, b, s[0..m-1], s[0] the
 * most recent season) and the same criterion, so a model fitted here can be
 * checked against R's `ets` number for number. Fitting maximises the
 * likelihood over the smoothing parameters and the initial states with GSL's
 * Nelder-Mead simplex (nmsimplex2). GSL multimin is unconstrained, so the
 * smoothing parameters are mapped through logistic transforms onto R's
 * "usual" region (alpha in [1e-4, 0.9999], beta in [1e-4, alpha], gamma in
 * [1e-4, 1 - alpha], phi in [0.8, 0.98]); the "admissible" region (R's
 * characteristic-root test) is enforced by a penalty. Initial states start
 * from R's heuristics (classical decomposition, or a one-harmonic Fourier
 * regression for fewer than three seasons, then a regression on the first
 * max(10, 2m) seasonally adjusted values) and are then optimised. States are
 * scaled by the data's level so the simplex sees numbers of order one.
 */
#include "opsreport/forecast.h"
#include "forecast/fc_internal.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETS_LOWER 1e-4
#define ETS_UPPER 0.9999
#define ETS_PHI_LOWER 0.8
#define ETS_PHI_UPPER 0.98
#define ETS_PENALTY 1e12
#define ETS_TOL 1e-10
#define ETS_SIM_PATHS 5000
/* Optimiser budget, tuned on tests/bench/forecast_bench.py and the R
 * reference fits (see docs/forecasting.md); overridable for experiments. */
#ifndef ETS_POLISH_ITER
#define ETS_POLISH_ITER 300
#endif
#ifndef ETS_STAGE1_ITER
#define ETS_STAGE1_ITER 60
#endif
#ifndef ETS_STARTS
#define ETS_STARTS 3
#endif
#ifndef ETS_SIMPLEX_TOL
#define ETS_SIMPLEX_TOL 1e-4
#endif

/* ---- model names ---------------------------------------------------------- */

static const char *component_letter(ets_component_t c)
{
    return c == ETS_ADD ? "A" : c == ETS_MULT ? "M" : "N";
}

void ets_spec_name(const ets_spec_t *spec, char *buf, size_t size)
{
    snprintf(buf, size, "ETS(%s,%s%s,%s)", component_letter(spec->error),
             component_letter(spec->trend), spec->damped ? "d" : "",
             component_letter(spec->season));
}

bool ets_spec_parse(const char *text, ets_spec_t *spec)
{
    char compact[16];
    size_t k = 0;
    if (!text)
        return false;
    if (strncmp(text, "ETS(", 4) == 0)
        text += 4;
    for (; *text && *text != ')'; text++) {
        if (*text == ',' || *text == ' ')
            continue;
        if (k + 1 >= sizeof compact)
            return false;
        compact[k++] = *text;
    }
    compact[k] = '\0';
    ets_spec_t s = { 0 };
    const char *p = compact;
    if (*p == 'A') s.error = ETS_ADD;
    else if (*p == 'M') s.error = ETS_MULT;
    else return false;
    p++;
    if (*p == 'N') s.trend = ETS_NONE;
    else if (*p == 'A') s.trend = ETS_ADD;
    else return false;
    p++;
    if (*p == 'd') {
        if (s.trend != ETS_ADD)
            return false;
        s.damped = true;
        p++;
    }
    if (*p == 'N') s.season = ETS_NONE;
    else if (*p == 'A') s.season = ETS_ADD;
    else if (*p == 'M') s.season = ETS_MULT;
    else return false;
    if (p[1] != '\0')
        return false;
    *spec = s;
    return true;
}

/* ---- the filter ------------------------------------------------------------ */

/* One-step forecast from state x (R's forecast() with h = 1). */
static double state_forecast1(const ets_model_t *md, const double *x)
{
    double f = x[0];
    size_t si = 1;
    if (md->spec.trend == ETS_ADD) {
        f += md->phi * x[1];
        si = 2;
    }
    if (md->spec.season == ETS_ADD)
        f += x[si + md->m - 1];
    else if (md->spec.season == ETS_MULT)
        f *= x[si + md->m - 1];
    return f;
}

/* State update after observing yv (R's update()): writes the new state into x. */
static void state_update(const ets_model_t *md, double *x, double yv)
{
    const size_t m = md->m;
    double oldl = x[0], phib = 0.0, q, p;
    size_t si = 1;
    if (md->spec.trend == ETS_ADD) {
        phib = md->phi * x[1];
        si = 2;
    }
    q = oldl + phib;
    double olds = md->spec.season != ETS_NONE ? x[si + m - 1] : 0.0;
    if (md->spec.season == ETS_NONE)
        p = yv;
    else if (md->spec.season == ETS_ADD)
        p = yv - olds;
    else
        p = fabs(olds) < ETS_TOL ? 1e10 : yv / olds;
    double l = q + md->alpha * (p - q);
    x[0] = l;
    if (md->spec.trend == ETS_ADD) {
        double r = l - oldl;
        x[1] = phib + (md->beta / md->alpha) * (r - phib);
    }
    if (md->spec.season != ETS_NONE) {
        double t;
        if (md->spec.season == ETS_ADD)
            t = yv - q;
        else
            t = fabs(q) < ETS_TOL ? 1e10 : yv / q;
        double s0 = olds + md->gamma * (t - olds); /* = s_{t-m} + gamma*e_t */
        memmove(x + si + 1, x + si, (m - 1) * sizeof *x);
        x[si] = s0;
    }
}

double ets_aicc(double loglik, size_t k, size_t n)
{
    if (n <= k + 1)
        return INFINITY;
    double kk = (double)k;
    return -2.0 * loglik + 2.0 * kk + 2.0 * kk * (kk + 1.0) / ((double)n - kk - 1.0);
}

/* Filter only: lik as R defines it, NAN-free (huge on failure). */
/* The filter of state_forecast1/state_update, specialised for speed (it
 * is most of the fitting time): the seasonal states live in a ring buffer
 * instead of being shifted each step, and log|yhat| is summed as the log of
 * a running product, renormalised before it leaves double range. */
static double filter_lik(const double *y, size_t n, const ets_model_t *md, double *last,
                         double *fitted, double *sse_out, double *mse_out)
{
    const bool trend = md->spec.trend != ETS_NONE;
    const ets_component_t season = md->spec.season;
    const bool mult_err = md->spec.error == ETS_MULT;
    const size_t m = season != ETS_NONE ? md->m : 1, si = trend ? 2 : 1;
    const double alpha = md->alpha, beta = md->beta, gamma = md->gamma, phi = md->phi;
    double l = md->init[0], b = trend ? md->init[1] : 0.0;
    double ring[ETS_MAX_SEASON];
    size_t head = 0; /* s[j] = ring[(head + j) % m] */
    if (season != ETS_NONE)
        memcpy(ring, md->init + si, m * sizeof *ring);
    double sse = 0.0, sumlog = 0.0, prod = 1.0, mse = 0.0;
    for (size_t t = 0; t < n; t++) {
        size_t old = head == 0 ? m - 1 : head - 1; /* s[m-1], the oldest */
        double phib = trend ? phi * b : 0.0, q = l + phib;
        double olds = season != ETS_NONE ? ring[old] : 0.0;
        double f = season == ETS_ADD ? q + olds : season == ETS_MULT ? q * olds : q;
        double yt = y[t], d = yt - f;
        double e = mult_err ? d / f : d;
        if (fitted)
            fitted[t] = f;
        sse += e * e;
        mse += d * d;
        if (mult_err) {
            prod *= fabs(f);
            if (!(prod > 1e-150 && prod < 1e150)) {
                sumlog += log(prod);
                prod = 1.0;
            }
        }
        /* update (R's update()) */
        double p;
        if (season == ETS_NONE)
            p = yt;
        else if (season == ETS_ADD)
            p = yt - olds;
        else
            p = fabs(olds) < ETS_TOL ? 1e10 : yt / olds;
        double nl = q + alpha * (p - q);
        if (trend)
            b = phib + (beta / alpha) * ((nl - l) - phib);
        l = nl;
        if (season != ETS_NONE) {
            double tt = season == ETS_ADD ? yt - q : (fabs(q) < ETS_TOL ? 1e10 : yt / q);
            ring[old] = olds + gamma * (tt - olds);
            head = old;
        }
    }
    if (mult_err)
        sumlog += log(prod);
    if (last) {
        last[0] = l;
        if (trend)
            last[1] = b;
        for (size_t j = 0; season != ETS_NONE && j < m; j++)
            last[si + j] = ring[(head + j) % m];
    }
    if (sse_out)
        *sse_out = sse;
    if (mse_out)
        *mse_out = mse / (double)n;
    double lik = (double)n * log(sse);
    if (mult_err)
        lik += 2.0 * sumlog;
    if (isnan(lik))
        lik = INFINITY;
    if (lik < -1e10) /* R's floor: a perfect fit would give -Inf */
        lik = -1e10;
    return lik;
}

static size_t free_count(const ets_model_t *md)
{
    size_t k = 1; /* alpha */
    if (md->spec.trend != ETS_NONE)
        k++;
    if (md->spec.season != ETS_NONE)
        k++;
    if (md->spec.damped)
        k++;
    size_t states = md->n_states - (md->spec.season != ETS_NONE ? 1 : 0);
    return k + states;
}

double ets_loglik(const double *y, size_t n, ets_model_t *model, double *fitted)
{
    double sse = 0.0, mse = 0.0;
    model->n = n;
    model->lik = filter_lik(y, n, model, model->last, fitted, &sse, &mse);
    model->loglik = -0.5 * model->lik;
    model->k = free_count(model) + 1;
    model->sse = sse;
    model->mse = mse;
    double np = (double)(model->k - 1);
    model->sigma2 = (double)n > np ? sse / ((double)n - np) : NAN;
    model->aic = model->lik + 2.0 * (double)model->k;
    model->bic = model->lik + log((double)n) * (double)model->k;
    model->aicc = ets_aicc(model->loglik, model->k, n);
    return model->loglik;
}

/* ---- admissibility ------------------------------------------------------- */

/* true if every root of sum a[i] z^i (degree d, a[d] != 0) lies strictly
 * inside the circle of radius r. Schur-Cohn-Jury recursion, hand-written:
 * GSL only offers the full root search (gsl_poly_complex_solve), which costs
 * more than a likelihood evaluation; the unit test checks the two agree. */
static bool poly_roots_inside(const double *a, size_t d, double r)
{
    double c[ETS_MAX_SEASON + 2], old[ETS_MAX_SEASON + 2];
    double rp = 1.0;
    for (size_t i = 0; i <= d; i++) {
        c[i] = a[i] * rp; /* roots of p(r w): |w| < 1 iff |z| < r */
        rp *= r;
    }
    for (size_t k = d; k >= 1; k--) {
        double a0 = c[0], ad = c[k];
        if (!(fabs(a0) < fabs(ad)))
            return false;
        /* (ad p(z) - a0 p*(z)) / z has degree k - 1 */
        memcpy(old, c, (k + 1) * sizeof *c);
        for (size_t j = 0; j < k; j++)
            c[j] = ad * old[j + 1] - a0 * old[k - j - 1];
        /* keep the numbers in range */
        double mx = 0.0;
        for (size_t j = 0; j < k; j++)
            mx = fmax(mx, fabs(c[j]));
        if (!(mx > 0))
            return false;
        for (size_t j = 0; j < k; j++)
            c[j] /= mx;
    }
    return true;
}

bool ets_admissible(const ets_spec_t *spec, size_t m, double alpha, double beta,
                    double gamma, double phi)
{
    if (!spec->damped)
        phi = 1.0;
    if (spec->trend == ETS_NONE)
        beta = 0.0;
    if (phi < 0 || phi > 1 + 1e-8)
        return false;
    if (spec->season == ETS_NONE || m < 2) {
        if (alpha < 1 - 1 / phi || alpha > 1 + 1 / phi)
            return false;
        if (spec->trend != ETS_NONE && (beta < alpha * (phi - 1) || beta > (1 + phi) * (2 - alpha)))
            return false;
        return true;
    }
    double dm = (double)m;
    if (gamma < fmax(1 - 1 / phi - alpha, 0.0) || gamma > 1 + 1 / phi - alpha)
        return false;
    if (alpha < 1 - 1 / phi - gamma * (1 - dm + phi + phi * dm) / (2 * phi * dm))
        return false;
    if (beta < -(1 - phi) * (gamma / dm + alpha))
        return false;
    /* Characteristic polynomial (R's admissible()): coefficients in increasing
     * order, degree m + 1, leading coefficient 1; R requires every root to
     * have modulus <= 1 + 1e-10. */
    double P[ETS_MAX_SEASON + 2];
    P[0] = phi * (1 - alpha - gamma);
    P[1] = alpha + beta - alpha * phi + gamma - 1;
    for (size_t i = 2; i < m; i++)
        P[i] = alpha + beta - alpha * phi;
    P[m] = alpha + beta - phi;
    P[m + 1] = 1.0;
    return poly_roots_inside(P, m + 1, 1 + 1e-10);
}

/* ---- initial states (R's initstate) -------------------------------------- */

/* Least-squares line through (1..k, v): intercept and slope. */
static void fit_line(const double *v, size_t k, double *c0, double *c1)
{
    double xs[64], cov00, cov01, cov11, sumsq;
    for (size_t i = 0; i < k; i++)
        xs[i] = (double)(i + 1);
    gsl_fit_linear(xs, 1, v, 1, k, c0, c1, &cov00, &cov01, &cov11, &sumsq);
}

/* Seasonal component of y (n values) for the start heuristics: classical
 * decomposition when n >= 3m, otherwise R's one-harmonic Fourier regression
 * y ~ 1 + t + sin(2 pi t/m) + cos(2 pi t/m). */
static ops_status_t seasonal_start(const double *y, size_t n, size_t m, bool mult,
                                   double *seas, ops_error_t *err)
{
    if (n >= 3 * m) {
        double idx[ETS_MAX_SEASON];
        ops_status_t st = forecast_decompose(y, n, m, mult, idx, err);
        if (st != OPS_OK)
            return st;
        for (size_t t = 0; t < n; t++)
            seas[t] = idx[t % m];
        return OPS_OK;
    }
    ops_status_t st = OPS_OK;
    gsl_matrix *X = gsl_matrix_alloc(n, 4);
    gsl_vector *yv = gsl_vector_alloc(n), *c = gsl_vector_alloc(4);
    gsl_matrix *cov = gsl_matrix_alloc(4, 4);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, 4);
    if (!X || !yv || !c || !cov || !w) {
        st = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory in ETS start");
        goto cleanup;
    }
    for (size_t t = 0; t < n; t++) {
        double tt = (double)(t + 1);
        gsl_matrix_set(X, t, 0, 1.0);
        gsl_matrix_set(X, t, 1, tt);
        gsl_matrix_set(X, t, 2, sin(2 * M_PI * tt / (double)m));
        gsl_matrix_set(X, t, 3, cos(2 * M_PI * tt / (double)m));
        gsl_vector_set(yv, t, y[t]);
    }
    double chisq;
    gsl_multifit_linear(X, yv, c, cov, &chisq, w);
    for (size_t t = 0; t < n; t++) {
        double trend = gsl_vector_get(c, 0) + gsl_vector_get(c, 1) * (double)(t + 1);
        seas[t] = mult ? y[t] / trend : y[t] - trend;
    }
cleanup:
    gsl_matrix_free(X);
    gsl_vector_free(yv);
    gsl_vector_free(c);
    gsl_matrix_free(cov);
    gsl_multifit_linear_free(w);
    return st;
}

static ops_status_t initial_states(const double *y, size_t n, ets_model_t *md,
                                   ops_error_t *err)
{
    const size_t m = md->spec.season != ETS_NONE ? md->m : 1;
    double *sa = malloc(n * sizeof *sa), *seas = NULL;
    ops_status_t st = OPS_OK;
    if (!sa)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory in ETS start");
    size_t si = md->spec.trend != ETS_NONE ? 2 : 1;
    if (md->spec.season != ETS_NONE) {
        bool mult = md->spec.season == ETS_MULT;
        seas = malloc(n * sizeof *seas);
        if (!seas) {
            st = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory in ETS start");
            goto cleanup;
        }
        st = seasonal_start(y, n, m, mult, seas, err);
        if (st != OPS_OK)
            goto cleanup;
        /* init.seas = rev(seasonal[2:m]) as s[0..m-2]; s[m-1] closes the sum. */
        double sum = 0.0;
        for (size_t j = 0; j + 1 < m; j++) {
            double v = seas[m - 1 - j];
            if (mult)
                v = fmax(v, 1e-2);
            md->init[si + j] = v;
            sum += v;
        }
        if (mult && sum > (double)m) {
            double denom = sum + 1e-2 * (double)(m - 1);
            sum = 0.0;
            for (size_t j = 0; j + 1 < m; j++) {
                md->init[si + j] /= denom;
                sum += md->init[si + j];
            }
        }
        md->init[si + m - 1] = (mult ? (double)m : 0.0) - sum;
        for (size_t t = 0; t < n; t++)
            sa[t] = mult ? y[t] / fmax(seas[t], 1e-2) : y[t] - seas[t];
    } else {
        memcpy(sa, y, n * sizeof *sa);
    }
    size_t maxn = m * 2 > 10 ? m * 2 : 10;
    if (maxn > n)
        maxn = n;
    if (md->spec.trend == ETS_NONE) {
        md->init[0] = gsl_stats_mean(sa, 1, maxn);
    } else {
        double l0, b0;
        fit_line(sa, maxn, &l0, &b0);
        if (fabs(l0 + b0) < 1e-8) {
            l0 *= 1 + 1e-3;
            b0 *= 1 + 1e-3;
        }
        md->init[0] = l0;
        md->init[1] = b0;
    }
cleanup:
    free(sa);
    free(seas);
    return st;
}

/* ---- optimisation ---------------------------------------------------------- */

typedef struct {
    const double *y;
    size_t n;
    ets_model_t *md;   /* scratch model: parameters written by unpack() */
    double scale;      /* divides level, trend and additive seasonal states */
    size_t n_smooth;   /* smoothing parameters in the vector */
    bool fix_season;   /* stage 1: seasonal states stay at their start values */
    double run_best;   /* lowest admissible value in this simplex run */
} fit_ctx_t;

static double logistic(double u)
{
    return 1.0 / (1.0 + exp(-u));
}

static double logit_of(double v, double lo, double hi)
{
    double p = (v - lo) / (hi - lo);
    p = fmin(fmax(p, 1e-6), 1 - 1e-6);
    return log(p / (1 - p));
}

/* Vector -> parameters and initial states of c->md. Returns false if the
 * point is outside what the model allows (penalised by the caller). */
static bool unpack(const gsl_vector *v, fit_ctx_t *c)
{
    ets_model_t *md = c->md;
    size_t i = 0;
    md->alpha = ETS_LOWER + (ETS_UPPER - ETS_LOWER) * logistic(gsl_vector_get(v, i++));
    if (md->spec.trend != ETS_NONE) {
        double hi = fmin(ETS_UPPER, md->alpha);
        md->beta = ETS_LOWER + (hi - ETS_LOWER) * logistic(gsl_vector_get(v, i++));
    }
    if (md->spec.season != ETS_NONE) {
        double hi = fmin(ETS_UPPER, 1.0 - md->alpha);
        md->gamma = ETS_LOWER + (hi - ETS_LOWER) * logistic(gsl_vector_get(v, i++));
    }
    if (md->spec.damped)
        md->phi = ETS_PHI_LOWER + (ETS_PHI_UPPER - ETS_PHI_LOWER) * logistic(gsl_vector_get(v, i++));
    size_t si = md->spec.trend != ETS_NONE ? 2 : 1;
    md->init[0] = gsl_vector_get(v, i++) * c->scale;
    if (md->spec.trend != ETS_NONE)
        md->init[1] = gsl_vector_get(v, i++) * c->scale;
    if (md->spec.season != ETS_NONE && !c->fix_season) {
        bool mult = md->spec.season == ETS_MULT;
        double sum = 0.0;
        for (size_t j = 0; j + 1 < md->m; j++) {
            double s = gsl_vector_get(v, i++) * (mult ? 1.0 : c->scale);
            md->init[si + j] = s;
            sum += s;
        }
        md->init[si + md->m - 1] = (mult ? (double)md->m : 0.0) - sum;
        if (mult)
            for (size_t j = 0; j < md->m; j++)
                if (md->init[si + j] < 0)
                    return false;
    }
    return true;
}

static bool model_admissible(const ets_model_t *md)
{
    return ets_admissible(&md->spec, md->m, md->alpha, md->beta, md->gamma, md->phi);
}

static void pack(const ets_model_t *md, double scale, bool fix_season, gsl_vector *v)
{
    size_t i = 0;
    gsl_vector_set(v, i++, logit_of(md->alpha, ETS_LOWER, ETS_UPPER));
    if (md->spec.trend != ETS_NONE)
        gsl_vector_set(v, i++, logit_of(md->beta, ETS_LOWER, fmin(ETS_UPPER, md->alpha)));
    if (md->spec.season != ETS_NONE)
        gsl_vector_set(v, i++, logit_of(md->gamma, ETS_LOWER, fmin(ETS_UPPER, 1 - md->alpha)));
    if (md->spec.damped)
        gsl_vector_set(v, i++, logit_of(md->phi, ETS_PHI_LOWER, ETS_PHI_UPPER));
    size_t si = md->spec.trend != ETS_NONE ? 2 : 1;
    gsl_vector_set(v, i++, md->init[0] / scale);
    if (md->spec.trend != ETS_NONE)
        gsl_vector_set(v, i++, md->init[1] / scale);
    if (md->spec.season != ETS_NONE && !fix_season) {
        bool mult = md->spec.season == ETS_MULT;
        for (size_t j = 0; j + 1 < md->m; j++)
            gsl_vector_set(v, i++, md->init[si + j] / (mult ? 1.0 : scale));
    }
}

/* Nelder-Mead starting steps: half a logit for smoothing parameters, a tenth
 * of each state's own size (in scaled units) for the states. */
static void step_sizes(const ets_model_t *md, double scale, size_t n_smooth, gsl_vector *step)
{
    size_t i = 0;
    for (; i < n_smooth; i++)
        gsl_vector_set(step, i, 0.5);
    size_t si = md->spec.trend != ETS_NONE ? 2 : 1;
    gsl_vector_set(step, i++, 0.05);
    if (md->spec.trend != ETS_NONE)
        gsl_vector_set(step, i++, 0.1 * fabs(md->init[1]) / scale + 1e-3);
    for (size_t j = 0; i < step->size; j++)
        gsl_vector_set(step, i++, md->spec.season == ETS_MULT ? 0.02
                                  : 0.1 * fabs(md->init[si + j]) / scale + 1e-3);
}

/* The admissibility test (a polynomial root search) costs more than the
 * filter, so it runs only for points that would become the best of the
 * simplex: Nelder-Mead never drops its best vertex, so the point it returns
 * has always been tested, and other vertices only steer the search. */
static double objective(const gsl_vector *v, void *params)
{
    fit_ctx_t *c = params;
    if (!unpack(v, c))
        return ETS_PENALTY;
    double lik = filter_lik(c->y, c->n, c->md, NULL, NULL, NULL, NULL);
    if (!isfinite(lik) || lik > ETS_PENALTY)
        return ETS_PENALTY;
    if (lik < c->run_best) {
        if (!model_admissible(c->md))
            return ETS_PENALTY;
        c->run_best = lik;
    }
    return lik;
}

/* One Nelder-Mead run from x; leaves the best point in x, returns its value. */
static double simplex_run(fit_ctx_t *c, gsl_vector *x, const ets_model_t *start, size_t maxit)
{
    const size_t dim = x->size;
    gsl_multimin_function fn = { objective, dim, c };
    gsl_vector *step = gsl_vector_alloc(dim);
    gsl_multimin_fminimizer *s = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, dim);
    double best = ETS_PENALTY;
    if (!step || !s)
        goto cleanup;
    step_sizes(start, c->scale, c->n_smooth, step);
    c->run_best = INFINITY;
    if (gsl_multimin_fminimizer_set(s, &fn, x, step) != GSL_SUCCESS)
        goto cleanup;
    for (size_t it = 0; it < maxit; it++) {
        if (gsl_multimin_fminimizer_iterate(s) != GSL_SUCCESS)
            break;
        if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), ETS_SIMPLEX_TOL) == GSL_SUCCESS)
            break;
    }
    best = gsl_multimin_fminimizer_minimum(s);
    gsl_vector_memcpy(x, gsl_multimin_fminimizer_x(s));
cleanup:
    gsl_vector_free(step);
    gsl_multimin_fminimizer_free(s);
    return best;
}

static size_t state_count(const ets_spec_t *spec, size_t m)
{
    return 1 + (spec->trend != ETS_NONE) + (spec->season != ETS_NONE ? m : 0);
}

ops_status_t ets_fit(const double *y, size_t n, size_t m, const ets_spec_t *spec,
                     ets_model_t *model, ops_error_t *err)
{
    char name[32];
    ets_spec_name(spec, name, sizeof name);
    if (spec->error != ETS_ADD && spec->error != ETS_MULT)
        return ops_error_set(err, OPS_ERR_USAGE, NULL, 0, NULL, "%s: error must be A or M", name);
    if (spec->damped && spec->trend != ETS_ADD)
        return ops_error_set(err, OPS_ERR_USAGE, NULL, 0, NULL, "%s: damping needs a trend", name);
    if (spec->season == ETS_NONE)
        m = 1;
    if (spec->season != ETS_NONE && (m < 2 || m > ETS_MAX_SEASON))
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL,
                             "%s: season length %zu outside 2..%d", name, m, ETS_MAX_SEASON);
    if (spec->season != ETS_NONE && n < 2 * m)
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL,
                             "%s: %zu observations, fewer than two seasons of %zu", name, n, m);
    bool needs_positive = spec->error == ETS_MULT || spec->season == ETS_MULT;
    for (size_t t = 0; t < n; t++) {
        if (!isfinite(y[t]))
            return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL, "%s: value %zu is not finite", name, t + 1);
        if (needs_positive && y[t] <= 0)
            return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL,
                                 "%s: multiplicative components need positive data (value %zu is %g)",
                                 name, t + 1, y[t]);
    }
    ets_model_t md = { .spec = *spec, .m = m, .phi = 1.0 };
    md.n_states = state_count(spec, m);
    size_t free_params = free_count(&md);
    if (n <= free_params + 4) /* as R: n must exceed parameters + 4 */
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL,
                             "%s: %zu observations for %zu parameters", name, n, free_params + 1);
    ops_status_t st = initial_states(y, n, &md, err);
    if (st != OPS_OK)
        return st;
    /* R's initparam */
    double dm = (double)(spec->season != ETS_NONE ? m : 1);
    md.alpha = ETS_LOWER + 0.2 * (ETS_UPPER - ETS_LOWER) / dm;
    if (spec->trend != ETS_NONE)
        md.beta = ETS_LOWER + 0.1 * (fmin(ETS_UPPER, md.alpha) - ETS_LOWER);
    if (spec->season != ETS_NONE)
        md.gamma = ETS_LOWER + 0.05 * (fmin(ETS_UPPER, 1 - md.alpha) - ETS_LOWER);
    if (spec->damped)
        md.phi = ETS_PHI_LOWER + 0.99 * (ETS_PHI_UPPER - ETS_PHI_LOWER);

    double scale = fabs(md.init[0]);
    if (!(scale > 1e-8)) {
        scale = 0.0;
        for (size_t t = 0; t < n; t++)
            scale = fmax(scale, fabs(y[t]));
        if (!(scale > 0))
            scale = 1.0;
    }
    size_t n_smooth = 1 + (spec->trend != ETS_NONE) + (spec->season != ETS_NONE) + spec->damped;
    size_t n_season_free = spec->season != ETS_NONE ? m - 1 : 0;
    ets_model_t scratch = md;
    fit_ctx_t ctx = { y, n, &scratch, scale, n_smooth, n_season_free > 0, INFINITY };
    gsl_vector *x1 = gsl_vector_alloc(free_params - n_season_free);
    gsl_vector *x = gsl_vector_alloc(free_params);
    double best = ETS_PENALTY;
    if (!x || !x1) {
        gsl_vector_free(x);
        gsl_vector_free(x1);
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory fitting %s", name);
    }
    /* Stage 1: smoothing parameters, level and trend with the seasonal
     * states held at their heuristic start (few dimensions, fast). It is
     * cheap, so it runs from R's start and from two more near the other
     * corners of the region (beta near alpha, gamma near 1 - alpha), where
     * Nelder-Mead from R's start often stalls. Stage 2: everything, started
     * from the best of stage 1; kept only if it improves. */
    static const double starts[][4] = { { 0, 0, 0, 0 }, { 0.05, 0.9, 0.9, 0.95 }, { 0.5, 0.95, 0.9, 0.9 } };
    ets_model_t best_md = md;
    for (size_t k = 0; k < ETS_STARTS && k < sizeof starts / sizeof starts[0]; k++) {
        ets_model_t st0 = md;
        if (k > 0) {
            st0.alpha = starts[k][0];
            st0.beta = starts[k][1] * st0.alpha;
            st0.gamma = starts[k][2] * (1 - st0.alpha);
            st0.phi = spec->damped ? starts[k][3] : 1.0;
        }
        scratch = st0;
        pack(&st0, scale, ctx.fix_season, x1);
        double v = simplex_run(&ctx, x1, &st0, ETS_STAGE1_ITER);
        if (v < best && unpack(x1, &ctx) && model_admissible(&scratch)) {
            best = v;
            best_md = scratch;
        }
    }
    md = best_md;
    scratch = md;
    pack(&md, scale, ctx.fix_season, x1);
    if (n_season_free > 0) {
        ctx.fix_season = false;
        pack(&md, scale, false, x);
        double b2 = simplex_run(&ctx, x, &md, ETS_POLISH_ITER);
        if (b2 <= best)
            best = b2;
        else {
            scratch = md; /* stage 2 overwrote the seasonal states */
            ctx.fix_season = true;
            gsl_vector_free(x);
            x = x1;
            x1 = NULL;
        }
    } else {
        gsl_vector_free(x);
        x = x1;
        x1 = NULL;
    }
    bool ok = best < ETS_PENALTY && unpack(x, &ctx) && model_admissible(&scratch);
    gsl_vector_free(x);
    gsl_vector_free(x1);
    if (!ok)
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL,
                             "%s: no admissible parameters found", name);
    md = scratch;
    ets_loglik(y, n, &md, NULL);
    *model = md;
    return OPS_OK;
}

ops_status_t ets_auto(const double *y, size_t n, size_t m, ets_model_t *best,
                      size_t *n_fitted, ops_error_t *err)
{
    bool positive = true;
    for (size_t t = 0; t < n; t++)
        if (!(y[t] > 0))
            positive = false;
    bool seasonal = m >= 2 && m <= ETS_MAX_SEASON && n >= 2 * m;
    static const ets_component_t errors[] = { ETS_ADD, ETS_MULT };
    static const ets_component_t seasons[] = { ETS_NONE, ETS_ADD, ETS_MULT };
    size_t fitted = 0;
    double best_aicc = INFINITY;
    ops_error_t last_err = { 0 };
    for (size_t e = 0; e < 2; e++)
        for (int tr = 0; tr < 3; tr++)
            for (size_t s = 0; s < 3; s++) {
                ets_spec_t spec = { errors[e], tr == 0 ? ETS_NONE : ETS_ADD, seasons[s], tr == 2 };
                if (spec.season != ETS_NONE && !seasonal)
                    continue;
                if (!positive && (spec.error == ETS_MULT || spec.season == ETS_MULT))
                    continue;
                /* R's restrict = TRUE: additive error with multiplicative
                 * season has infinite forecast variance */
                if (spec.error == ETS_ADD && spec.season == ETS_MULT)
                    continue;
                ets_model_t md;
                if (ets_fit(y, n, m, &spec, &md, &last_err) != OPS_OK)
                    continue;
                fitted++;
                if (md.aicc < best_aicc) {
                    best_aicc = md.aicc;
                    *best = md;
                }
            }
    if (n_fitted)
        *n_fitted = fitted;
    if (fitted == 0) {
        if (last_err.status != OPS_OK && err)
            *err = last_err;
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL,
                             "no ETS model could be fitted to %zu observations%s%s", n,
                             last_err.message[0] ? ": " : "", last_err.message);
    }
    return OPS_OK;
}

/* ---- forecasting ------------------------------------------------------------ */

/* Deterministic h-step means from state x (R's forecast()). */
static void state_forecast(const ets_model_t *md, const double *x, size_t h, double *f)
{
    double phistar = md->phi;
    size_t si = md->spec.trend != ETS_NONE ? 2 : 1;
    for (size_t i = 0; i < h; i++) {
        double v = x[0];
        if (md->spec.trend == ETS_ADD)
            v += (md->spec.damped ? phistar : (double)(i + 1)) * x[1];
        if (md->spec.season != ETS_NONE) {
            double s = x[si + (md->m - 1 - (i % md->m))];
            v = md->spec.season == ETS_ADD ? v + s : v * s;
        }
        f[i] = v;
        phistar += pow(md->phi, (double)(i + 2));
    }
}

ops_status_t ets_forecast(const ets_model_t *model, size_t h, const double *levels,
                          size_t n_levels, unsigned long seed, double *point,
                          double *const *lo, double *const *hi, ops_error_t *err)
{
    return fc_ets_forecast_paths(model, h, levels, n_levels, seed, ETS_SIM_PATHS, point, lo, hi, err);
}

ops_status_t fc_ets_forecast_paths(const ets_model_t *model, size_t h, const double *levels,
                                   size_t n_levels, unsigned long seed, size_t n_paths, double *point,
                                   double *const *lo, double *const *hi, ops_error_t *err)
{
    state_forecast(model, model->last, h, point);
    if (n_levels == 0)
        return OPS_OK;
    const ets_spec_t *sp = &model->spec;
    if (sp->season != ETS_MULT) {
        /* Classes 1 and 2 of Hyndman et al. (2008, ch. 6), as R's class1()
         * and class2(): c_j = alpha + beta*(phi + ... + phi^j) +
         * gamma*[j mod m == 0]. Additive errors: var_h = sigma2 (1 +
         * sum_{j<h} c_j^2). Multiplicative errors: theta_1 = mu_1^2,
         * theta_h = mu_h^2 + sigma2 sum_{j<h} c_j^2 theta_{h-j},
         * var_h = (1 + sigma2) theta_h - mu_h^2. */
        double *c = malloc(2 * h * sizeof *c);
        if (!c)
            return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory in ETS intervals");
        double *theta = c + h, phisum = 0.0, cum = 0.0;
        for (size_t i = 0; i < h; i++) {
            double var;
            if (sp->error == ETS_ADD) {
                var = model->sigma2 * (1.0 + cum);
            } else {
                double t = point[i] * point[i];
                for (size_t j = 0; j < i; j++)
                    t += model->sigma2 * c[j] * c[j] * theta[i - 1 - j];
                theta[i] = t;
                var = (1.0 + model->sigma2) * t - point[i] * point[i];
            }
            double sd = sqrt(fmax(var, 0.0));
            for (size_t l = 0; l < n_levels; l++) {
                double z = gsl_cdf_ugaussian_Pinv(0.5 + levels[l] / 200.0);
                lo[l][i] = point[i] - z * sd;
                hi[l][i] = point[i] + z * sd;
            }
            size_t j = i + 1;
            phisum += sp->damped ? pow(model->phi, (double)j) : 1.0;
            double cj = model->alpha;
            if (sp->trend != ETS_NONE)
                cj += model->beta * phisum;
            if (sp->season != ETS_NONE && j % model->m == 0)
                cj += model->gamma;
            c[i] = cj;
            cum += cj * cj;
        }
        free(c);
        return OPS_OK;
    }
    /* Multiplicative seasonality (class 3 and A,*,M): simulate sample paths
     * from the final state. */
    double *paths = malloc((size_t)n_paths * h * sizeof *paths);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    ops_status_t st = OPS_OK;
    if (!paths || !rng) {
        st = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory simulating ETS paths");
        goto cleanup;
    }
    gsl_rng_set(rng, seed);
    double sd = sqrt(model->sigma2);
    for (size_t p = 0; p < n_paths; p++) {
        double x[ETS_MAX_STATES];
        memcpy(x, model->last, model->n_states * sizeof *x);
        for (size_t i = 0; i < h; i++) {
            double f = state_forecast1(model, x);
            double e = gsl_ran_gaussian_ziggurat(rng, sd);
            double yv = sp->error == ETS_ADD ? f + e : f * (1.0 + e);
            paths[i * n_paths + p] = yv;
            state_update(model, x, yv);
        }
    }
    for (size_t i = 0; i < h; i++) {
        double *col = paths + i * n_paths;
        gsl_sort(col, 1, n_paths);
        for (size_t l = 0; l < n_levels; l++) {
            double a = 0.5 - levels[l] / 200.0;
            lo[l][i] = gsl_stats_quantile_from_sorted_data(col, 1, n_paths, a);
            hi[l][i] = gsl_stats_quantile_from_sorted_data(col, 1, n_paths, 1 - a);
        }
    }
cleanup:
    free(paths);
    gsl_rng_free(rng);
    return st;
}
