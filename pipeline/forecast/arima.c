/*
 * arima.c - seasonal ARIMA with automatic order selection (Hyndman &
 * Khandakar 2008, as R's forecast::auto.arima), fitted with GSL.
 *
 * Design. The series y is differenced d times at lag 1 and D times at lag m
 * into w (n_used = n - d - D*m values); the model is then a stationary ARMA
 * for w - mu whose full polynomials phi(B) = ar(B) sar(B^m) and theta(B) =
 * ma(B) sma(B^m) are expanded once per evaluation. Two criteria:
 *
 *   - CSS (conditional sum of squares, R's method "CSS"): residuals of the
 *     ARMA recursion from t = deg phi on, earlier errors zero. Cheap: it
 *     drives the stepwise search, with R's approximation of the likelihood
 *     -n_used/2 (log(2 pi sigma2) + 1) so that every candidate is compared on
 *     the same n_used.
 *   - exact Gaussian likelihood (R's method "ML") by a Kalman filter on the
 *     state a_t = (w_t, E[w_{t+1}|t], ..., E[w_{t+r-1}|t]), r = max(deg phi,
 *     deg theta + 1) (Akaike's representation), whose stationary covariance
 *     needs only the autocovariances gamma(0..r-1) (one (deg phi + 1)-square
 *     linear system, Brockwell & Davis 3.3) and the psi weights:
 *     P0[i][j] = gamma(j-i) - sum_{k<i} psi_k psi_{k+j-i}. Once the predicted
 *     covariance has converged to psi psi' (the state is then known from the
 *     past) the filter switches to the O(r) recursion, so a long series costs
 *     little more than CSS. sigma2 is concentrated out; log-likelihood and
 *     AIC are R's (arima's n.used, coefficients + constant + 1 parameters).
 *     Differencing before the filter gives R's likelihood up to R's diffuse
 *     prior (kappa = 1e6) for the differenced states.
 *
 * GSL multimin is unconstrained, so each AR block (ar, sar) is
 * parameterised by partial autocorrelations tanh(u) turned into coefficients
 * by the Durbin-Levinson recursion (Jones 1980, R's partrans), which keeps
 * it stationary; each MA block likewise (negated), which keeps it
 * invertible. The constant is optimised scaled by the spread of w. The
 * minimiser is BFGS (vector_bfgs2) with central-difference gradients, as R's
 * optim(method = "BFGS"). The search rejects models with a root of either
 * polynomial within 1.01 of the unit circle, as auto.arima does.
 *
 * Forecasts: the filter's final predicted state gives E[w_{n+i}|n] for
 * i < r, the AR recursion beyond; the differencing is undone on y. Interval
 * variance sigma2 * sum psi_j^2 over the psi weights of the full model
 * (differencing included).
 */
#include "opsreport/forecast.h"
#include "forecast/fc_internal.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_poly.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* full AR / MA degree: p + P m at most */
#define ARIMA_MAX_DEG (ARIMA_MAX_PQ + ARIMA_MAX_SPQ * ARIMA_MAX_SEASON)
#define ARIMA_MAX_R (ARIMA_MAX_DEG + 1)
#define ARIMA_PENALTY 1e10
#define ARIMA_U_MAX 8.0        /* |tanh(u)| < 1 - 2e-7: keeps gamma finite */
#define ARIMA_CONVERGED 1e-9   /* |P - psi psi'| below this: steady state */
#define ARIMA_MIN_ROOT 1.01    /* auto.arima rejects roots closer to the unit circle */
#define ARIMA_KPSS_CV 0.463    /* KPSS 5% critical value, level stationarity */
#define ARIMA_SEAS_CV 0.64     /* nsdiffs' seasonal-strength threshold */
#define ARIMA_MAX_MODELS 94    /* auto.arima's nmodels */
#ifndef ARIMA_MAXIT
#define ARIMA_MAXIT 100
#endif
#ifndef ARIMA_GTOL
#define ARIMA_GTOL 1e-4
#endif

/* ---- names -------------------------------------------------------------- */

void arima_spec_name(const arima_spec_t *s, char *buf, size_t size)
{
    int k = snprintf(buf, size, "ARIMA(%zu,%zu,%zu)", s->p, s->d, s->q);
    if (s->m > 1 && (s->P || s->D || s->Q) && k > 0 && (size_t)k < size)
        k += snprintf(buf + k, size - (size_t)k, "(%zu,%zu,%zu)[%zu]", s->P, s->D, s->Q, s->m);
    if (s->constant && k > 0 && (size_t)k < size)
        snprintf(buf + k, size - (size_t)k, s->d + s->D == 0 ? " with mean" : " with drift");
}

/* ---- polynomials ---------------------------------------------------------- */

typedef struct {
    size_t np, nq;                  /* degrees of phi and theta */
    double phi[ARIMA_MAX_DEG + 1];  /* phi[1..np]: w_t = sum phi_k w_{t-k} + ... */
    double theta[ARIMA_MAX_DEG + 1]; /* theta[0] = 1, theta[1..nq] */
    /* the lags with non-zero coefficients: seasonal products are sparse
     * ((1 - a B)(1 - b B^12) has 3 terms of 13), and the recursions run
     * over these only */
    size_t kp, kq, lp[ARIMA_MAX_DEG], lq[ARIMA_MAX_DEG];
} arma_t;

static size_t season_of(const arima_spec_t *s)
{
    return s->m > 1 ? s->m : 1;
}

/* phi(B) = (1 - sum ar B^i)(1 - sum sar B^(m i)), theta likewise with +. */
static void arma_expand(const arima_model_t *md, arma_t *a)
{
    const arima_spec_t *s = &md->spec;
    size_t m = season_of(s);
    memset(a, 0, sizeof *a);
    a->np = s->p + s->P * m;
    a->nq = s->q + s->Q * m;
    /* phi as "1 - sum": coefficient of B^k in the product, negated */
    double A[ARIMA_MAX_DEG + 1] = { 0 }, M[ARIMA_MAX_DEG + 1] = { 0 };
    A[0] = 1.0;
    M[0] = 1.0;
    for (size_t i = 0; i < s->p; i++)
        A[i + 1] = -md->ar[i];
    for (size_t i = 0; i < s->q; i++)
        M[i + 1] = md->ma[i];
    for (size_t j = 0; j < s->P; j++)
        for (size_t i = 0; i <= s->p; i++)
            A[i + (j + 1) * m] += (i == 0 ? 1.0 : -md->ar[i - 1]) * -md->sar[j];
    for (size_t j = 0; j < s->Q; j++)
        for (size_t i = 0; i <= s->q; i++)
            M[i + (j + 1) * m] += (i == 0 ? 1.0 : md->ma[i - 1]) * md->sma[j];
    for (size_t k = 1; k <= a->np; k++) {
        a->phi[k] = -A[k];
        if (a->phi[k] != 0.0)
            a->lp[a->kp++] = k;
    }
    for (size_t k = 0; k <= a->nq; k++) {
        a->theta[k] = M[k];
        if (k > 0 && M[k] != 0.0)
            a->lq[a->kq++] = k;
    }
}

/* psi weights 0..count-1 of theta/phi, where phi has degree np (phi[1..np])
 * and theta degree nq (theta[0] = 1). */
static void psi_weights(const double *phi, size_t np, const double *theta, size_t nq,
                        size_t count, double *psi)
{
    for (size_t j = 0; j < count; j++) {
        double v = j == 0 ? 1.0 : (j <= nq ? theta[j] : 0.0);
        for (size_t k = 1; k <= np && k <= j; k++)
            v += phi[k] * psi[j - k];
        psi[j] = v;
    }
}

/* Durbin-Levinson: partial autocorrelations tanh(u[0..k-1]) -> coefficients
 * of a stationary AR(k) (R's partrans). */
static void pacf_to_coef(const double *u, size_t k, double *coef)
{
    double work[ARIMA_MAX_PQ + ARIMA_MAX_SPQ];
    for (size_t j = 0; j < k; j++) {
        double r = tanh(fmax(-ARIMA_U_MAX, fmin(ARIMA_U_MAX, u[j])));
        memcpy(work, coef, j * sizeof *work);
        for (size_t i = 0; i < j; i++)
            coef[i] = work[i] - r * work[j - 1 - i];
        coef[j] = r;
    }
}

/* true if every root of 1 + c[0] z + ... + c[k-1] z^k has modulus above
 * ARIMA_MIN_ROOT (trailing zero coefficients ignored). */
static bool roots_outside(const double *c, size_t k)
{
    while (k > 0 && fabs(c[k - 1]) < 1e-8)
        k--;
    if (k == 0)
        return true;
    double a[ARIMA_MAX_DEG + 1], z[2 * ARIMA_MAX_DEG];
    a[0] = 1.0;
    memcpy(a + 1, c, k * sizeof *a);
    gsl_poly_complex_workspace *w = gsl_poly_complex_workspace_alloc(k + 1);
    if (!w)
        return false;
    int st = gsl_poly_complex_solve(a, k + 1, w, z);
    gsl_poly_complex_workspace_free(w);
    if (st != GSL_SUCCESS)
        return false;
    for (size_t i = 0; i < k; i++)
        if (hypot(z[2 * i], z[2 * i + 1]) < ARIMA_MIN_ROOT)
            return false;
    return true;
}

static bool model_roots_ok(const arima_model_t *md)
{
    arma_t a;
    arma_expand(md, &a);
    double c[ARIMA_MAX_DEG];
    for (size_t k = 1; k <= a.np; k++)
        c[k - 1] = -a.phi[k];
    if (!roots_outside(c, a.np))
        return false;
    return roots_outside(a.theta + 1, a.nq);
}

/* ---- differencing ------------------------------------------------------------ */

/* Coefficients of (1-B)^d (1-B^m)^D as 1 - sum delta[1..nd] B^i; returns nd. */
static size_t diff_poly(size_t d, size_t D, size_t m, double *delta)
{
    double c[3 + 2 * ARIMA_MAX_SEASON + 1] = { 0 }, t[3 + 2 * ARIMA_MAX_SEASON + 1];
    size_t deg = 0;
    c[0] = 1.0;
    for (size_t k = 0; k < d + D; k++) {
        size_t lag = k < d ? 1 : m;
        memcpy(t, c, (deg + 1) * sizeof *t);
        for (size_t i = 0; i <= deg + lag; i++)
            c[i] = (i <= deg ? t[i] : 0.0) - (i >= lag && i - lag <= deg ? t[i - lag] : 0.0);
        deg += lag;
    }
    for (size_t i = 1; i <= deg; i++)
        delta[i] = -c[i];
    return deg;
}

/* w = differenced y; returns n_used (0 if nothing is left). */
static size_t difference(const double *y, size_t n, size_t d, size_t D, size_t m, double *w)
{
    double delta[3 + 2 * ARIMA_MAX_SEASON + 1];
    size_t nd = diff_poly(d, D, m, delta);
    if (n <= nd)
        return 0;
    for (size_t t = nd; t < n; t++) {
        double v = y[t];
        for (size_t i = 1; i <= nd; i++)
            v -= delta[i] * y[t - i];
        w[t - nd] = v;
    }
    return n - nd;
}

/* ---- CSS and the Kalman filter ------------------------------------------------ */

/* Sum of squared conditional residuals from t = np on; *count = residuals. */
#define CSS_RING 64 /* a power of two above the largest MA degree */
static double css_ssq(const double *w, size_t nw, double mu, const arma_t *a, size_t *count)
{
    double e[CSS_RING] = { 0 }; /* e[t & (CSS_RING-1)]: the last residuals */
    double ssq = 0.0;
    *count = 0;
    for (size_t t = a->np; t < nw; t++) {
        double v = w[t] - mu;
        for (size_t i = 0; i < a->kp; i++)
            v -= a->phi[a->lp[i]] * (w[t - a->lp[i]] - mu);
        for (size_t i = 0; i < a->kq; i++)
            v -= a->theta[a->lq[i]] * e[(t - a->lq[i]) & (CSS_RING - 1)];
        e[t & (CSS_RING - 1)] = v;
        ssq += v * v;
    }
    *count = nw > a->np ? nw - a->np : 0;
    return ssq;
}

/* Autocovariances gamma(0..r-1) of the ARMA with unit innovation variance
 * (Brockwell & Davis 3.3.8-9). false if the system is singular. */
static bool arma_acov(const arma_t *a, const double *psi, size_t r, double *gamma)
{
    const size_t p = a->np, k = p + 1;
    double Abuf[ARIMA_MAX_R * ARIMA_MAX_R], bbuf[ARIMA_MAX_R], xbuf[ARIMA_MAX_R];
    size_t perm_data[ARIMA_MAX_R];
    double rhs[ARIMA_MAX_R + ARIMA_MAX_R];
    size_t top = r > k ? r : k;
    for (size_t i = 0; i < top; i++) {
        double v = 0.0;
        for (size_t j = i; j <= a->nq; j++)
            v += a->theta[j] * psi[j - i];
        rhs[i] = v;
    }
    memset(Abuf, 0, k * k * sizeof *Abuf);
    for (size_t i = 0; i < k; i++) {
        Abuf[i * k + i] += 1.0;
        for (size_t j = 1; j <= p; j++) {
            size_t lag = i > j ? i - j : j - i;
            Abuf[i * k + lag] -= a->phi[j];
        }
        bbuf[i] = rhs[i];
    }
    gsl_matrix_view A = gsl_matrix_view_array(Abuf, k, k);
    gsl_vector_view b = gsl_vector_view_array(bbuf, k), x = gsl_vector_view_array(xbuf, k);
    gsl_permutation perm = { k, perm_data };
    int sign;
    if (gsl_linalg_LU_decomp(&A.matrix, &perm, &sign) != GSL_SUCCESS)
        return false;
    for (size_t i = 0; i < k; i++)
        if (!(fabs(Abuf[i * k + i]) > 1e-12))
            return false;
    if (gsl_linalg_LU_solve(&A.matrix, &perm, &b.vector, &x.vector) != GSL_SUCCESS)
        return false;
    for (size_t i = 0; i < r; i++) {
        if (i < k) {
            gamma[i] = xbuf[i];
        } else {
            double v = rhs[i];
            for (size_t j = 1; j <= p; j++)
                v += a->phi[j] * gamma[i - j];
            gamma[i] = v;
        }
        if (!isfinite(gamma[i]))
            return false;
    }
    return gamma[0] > 0;
}

/* a <- T a for the companion transition (last row phi). */
static void state_advance(const arma_t *a, size_t r, double *x)
{
    double last = 0.0;
    for (size_t i = 0; i < a->kp; i++)
        last += a->phi[a->lp[i]] * x[r - a->lp[i]];
    memmove(x, x + 1, (r - 1) * sizeof *x);
    x[r - 1] = last;
}

typedef struct {
    double ssq;     /* sum v^2 / F */
    double sumlog;  /* sum log F */
    size_t r;
    double state[ARIMA_MAX_R]; /* E[w_{n+1..n+r} | n] - mu after the last value */
} kalman_out_t;

/* Exact-likelihood Kalman filter of w - mu (unit innovation variance). */
static bool kalman_run(const double *w, size_t nw, double mu, const arma_t *a, kalman_out_t *out)
{
    const size_t r = a->np > a->nq + 1 ? a->np : a->nq + 1;
    double psi[ARIMA_MAX_R], gamma[ARIMA_MAX_R];
    static _Thread_local double P[ARIMA_MAX_R * ARIMA_MAX_R], M[ARIMA_MAX_R * ARIMA_MAX_R];
    psi_weights(a->phi, a->np, a->theta, a->nq, r, psi);
    if (!arma_acov(a, psi, r, gamma))
        return false;
    for (size_t i = 0; i < r; i++)
        for (size_t j = i; j < r; j++) {
            double v = gamma[j - i];
            for (size_t k = 0; k < i; k++)
                v -= psi[k] * psi[k + j - i];
            P[i * r + j] = P[j * r + i] = v;
        }
    double *x = out->state, K[ARIMA_MAX_R];
    memset(x, 0, r * sizeof *x);
    out->r = r;
    out->ssq = out->sumlog = 0.0;
    bool steady = false;
    for (size_t t = 0; t < nw; t++) {
        double v = w[t] - mu - x[0];
        if (steady) {
            out->ssq += v * v;
            for (size_t i = 0; i < r; i++)
                x[i] += psi[i] * v;
            state_advance(a, r, x);
            continue;
        }
        double F = P[0];
        if (!(F > 0) || !isfinite(F))
            return false;
        out->ssq += v * v / F;
        out->sumlog += log(F);
        for (size_t i = 0; i < r; i++) {
            K[i] = P[i * r] / F;
            x[i] += K[i] * v;
        }
        for (size_t i = 0; i < r; i++)
            for (size_t j = 0; j < r; j++)
                P[i * r + j] -= K[i] * F * K[j];
        state_advance(a, r, x);
        /* P <- T P T' + psi psi': rows first (M = T P), then columns */
        for (size_t i = 0; i + 1 < r; i++)
            memcpy(M + i * r, P + (i + 1) * r, r * sizeof *M);
        for (size_t j = 0; j < r; j++) {
            double s = 0.0;
            for (size_t k = 0; k < a->kp; k++)
                s += a->phi[a->lp[k]] * P[(r - a->lp[k]) * r + j];
            M[(r - 1) * r + j] = s;
        }
        bool conv = true; /* P - psi psi' = T P_{t|t} T' below the threshold */
        for (size_t i = 0; i < r; i++) {
            double s = 0.0;
            for (size_t k = 0; k < a->kp; k++)
                s += a->phi[a->lp[k]] * M[i * r + r - a->lp[k]];
            for (size_t j = 0; j + 1 < r; j++) {
                double dv = M[i * r + j + 1];
                conv = conv && fabs(dv) < ARIMA_CONVERGED;
                P[i * r + j] = dv + psi[i] * psi[j];
            }
            P[i * r + r - 1] = s + psi[i] * psi[r - 1];
            conv = conv && fabs(s) < ARIMA_CONVERGED;
        }
        steady = conv;
    }
    return isfinite(out->ssq) && isfinite(out->sumlog);
}

/* ---- criteria ------------------------------------------------------------------ */

static size_t coef_count(const arima_spec_t *s)
{
    return s->p + s->q + s->P + s->Q + (s->constant ? 1 : 0);
}

static void set_ic(arima_model_t *md)
{
    double k = (double)md->k, nu = (double)md->n_used;
    md->aic = -2.0 * md->loglik + 2.0 * k;
    md->aicc = nu - k - 1.0 > 0 ? md->aic + 2.0 * k * (k + 1.0) / (nu - k - 1.0) : INFINITY;
    md->bic = md->aic + k * (log(nu) - 2.0);
}

static double exact_loglik(const double *w, size_t nw, const arima_model_t *md, double *sigma2)
{
    arma_t a;
    kalman_out_t ko;
    arma_expand(md, &a);
    if (!kalman_run(w, nw, md->spec.constant ? md->mu : 0.0, &a, &ko))
        return -INFINITY;
    double s2 = ko.ssq / (double)nw;
    if (sigma2)
        *sigma2 = s2;
    if (!(s2 > 0))
        return -INFINITY;
    double nu = (double)nw;
    return -0.5 * (nu * log(2.0 * M_PI * s2) + ko.sumlog + nu);
}

double arima_loglik(const double *y, size_t n, arima_model_t *md)
{
    const arima_spec_t *s = &md->spec;
    double *w = malloc((n ? n : 1) * sizeof *w);
    md->n = n;
    md->k = coef_count(s) + 1;
    md->loglik = -INFINITY;
    md->sigma2 = NAN;
    if (!w)
        return md->loglik;
    md->n_used = difference(y, n, s->d, s->D, season_of(s), w);
    if (md->n_used > 0)
        md->loglik = exact_loglik(w, md->n_used, md, &md->sigma2);
    size_t nc = coef_count(s);
    if (md->n_used > nc)
        md->sigma2 *= (double)md->n_used / (double)(md->n_used - nc);
    free(w);
    set_ic(md);
    return md->loglik;
}

/* ---- fitting ------------------------------------------------------------------------ */

typedef struct {
    const double *w;
    size_t nw;
    arima_model_t *md;  /* written by unpack */
    double mu0, scale;  /* constant = mu0 + scale * x */
    bool exact;
} fit_ctx_t;

static void unpack(const double *x, fit_ctx_t *c)
{
    arima_model_t *md = c->md;
    const arima_spec_t *s = &md->spec;
    size_t i = 0;
    pacf_to_coef(x + i, s->p, md->ar);
    i += s->p;
    pacf_to_coef(x + i, s->q, md->ma);
    for (size_t j = 0; j < s->q; j++)
        md->ma[j] = -md->ma[j];
    i += s->q;
    pacf_to_coef(x + i, s->P, md->sar);
    i += s->P;
    pacf_to_coef(x + i, s->Q, md->sma);
    for (size_t j = 0; j < s->Q; j++)
        md->sma[j] = -md->sma[j];
    i += s->Q;
    md->mu = s->constant ? c->mu0 + c->scale * x[i] : 0.0;
}

/* Per-observation objective: 0.5 log(sigma2) (+ sumlog / 2n for ML). */
static double objective_at(const double *x, fit_ctx_t *c)
{
    unpack(x, c);
    arma_t a;
    arma_expand(c->md, &a);
    double mu = c->md->mu;
    if (!c->exact) {
        size_t cnt;
        double ssq = css_ssq(c->w, c->nw, mu, &a, &cnt);
        if (cnt == 0 || !isfinite(ssq))
            return ARIMA_PENALTY;
        return 0.5 * log(fmax(ssq / (double)cnt, 1e-300));
    }
    kalman_out_t ko;
    if (!kalman_run(c->w, c->nw, mu, &a, &ko))
        return ARIMA_PENALTY;
    double nu = (double)c->nw;
    return 0.5 * (log(fmax(ko.ssq / nu, 1e-300)) + ko.sumlog / nu);
}

static double gsl_f(const gsl_vector *v, void *p)
{
    double x[ARIMA_MAX_R];
    for (size_t i = 0; i < v->size; i++)
        x[i] = gsl_vector_get(v, i);
    return objective_at(x, p);
}

static void gsl_df(const gsl_vector *v, void *p, gsl_vector *g)
{
    double x[ARIMA_MAX_R];
    const double h = 1e-4;
    for (size_t i = 0; i < v->size; i++)
        x[i] = gsl_vector_get(v, i);
    for (size_t i = 0; i < v->size; i++) {
        double keep = x[i];
        x[i] = keep + h;
        double fp = objective_at(x, p);
        x[i] = keep - h;
        double fm = objective_at(x, p);
        x[i] = keep;
        gsl_vector_set(g, i, fp >= ARIMA_PENALTY || fm >= ARIMA_PENALTY ? 0.0 : (fp - fm) / (2 * h));
    }
}

static void gsl_fdf(const gsl_vector *v, void *p, double *f, gsl_vector *g)
{
    *f = gsl_f(v, p);
    gsl_df(v, p, g);
}

/* BFGS from x (dim values); leaves the best point in x and returns its value. */
static double minimise(fit_ctx_t *c, double *x, size_t dim)
{
    double f0 = objective_at(x, c);
    if (dim == 0)
        return f0;
    gsl_multimin_function_fdf fn = { gsl_f, gsl_df, gsl_fdf, dim, c };
    gsl_multimin_fdfminimizer *s = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, dim);
    gsl_vector *v = gsl_vector_alloc(dim);
    double best = f0;
    if (!s || !v)
        goto cleanup;
    for (size_t i = 0; i < dim; i++)
        gsl_vector_set(v, i, x[i]);
    if (gsl_multimin_fdfminimizer_set(s, &fn, v, 0.1, 0.1) != GSL_SUCCESS)
        goto cleanup;
    for (size_t it = 0; it < ARIMA_MAXIT; it++) {
        if (gsl_multimin_fdfminimizer_iterate(s) != GSL_SUCCESS)
            break;
        if (gsl_multimin_test_gradient(gsl_multimin_fdfminimizer_gradient(s), ARIMA_GTOL) == GSL_SUCCESS)
            break;
    }
    if (gsl_multimin_fdfminimizer_minimum(s) < best) {
        best = gsl_multimin_fdfminimizer_minimum(s);
        const gsl_vector *b = gsl_multimin_fdfminimizer_x(s);
        for (size_t i = 0; i < dim; i++)
            x[i] = gsl_vector_get(b, i);
    }
cleanup:
    gsl_vector_free(v);
    gsl_multimin_fdfminimizer_free(s);
    return best;
}

/* Fits spec to the differenced series w (nw values). */
static ops_status_t fit_differenced(const double *w, size_t nw, size_t n, const arima_spec_t *spec,
                                    bool exact, arima_model_t *model, ops_error_t *err)
{
    char name[64];
    arima_spec_name(spec, name, sizeof name);
    arima_model_t md = { .spec = *spec, .n = n, .n_used = nw };
    md.k = coef_count(spec) + 1;
    size_t m = season_of(spec);
    size_t deg = spec->p + spec->P * m;
    if (nw <= deg + md.k + 1)
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL,
                             "%s: %zu differenced values for %zu parameters", name, nw, md.k);
    double mean = gsl_stats_mean(w, 1, nw), sd = nw > 1 ? gsl_stats_sd_m(w, 1, nw, mean) : 0.0;
    fit_ctx_t c = { w, nw, &md, mean, sd > 0 ? sd / sqrt((double)nw) : (fabs(mean) > 0 ? fabs(mean) : 1.0), false };
    size_t dim = coef_count(spec);
    double x[ARIMA_MAX_R] = { 0 };
    double css = minimise(&c, x, dim);
    if (!(css < ARIMA_PENALTY))
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL, "%s: CSS optimisation failed", name);
    unpack(x, &c);
    if (exact) {
        c.exact = true;
        double ml = minimise(&c, x, dim);
        unpack(x, &c);
        if (!(ml < ARIMA_PENALTY))
            return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL, "%s: likelihood optimisation failed", name);
        md.loglik = exact_loglik(w, nw, &md, &md.sigma2);
        md.exact = true;
        /* forecast::Arima's variance: squared residuals over n_used minus
         * the coefficients (the likelihood keeps the ML estimate) */
        if (nw > dim)
            md.sigma2 *= (double)nw / (double)(nw - dim);
    } else {
        arma_t a;
        size_t cnt;
        arma_expand(&md, &a);
        double ssq = css_ssq(w, nw, md.mu, &a, &cnt);
        md.sigma2 = ssq / (double)cnt;
        /* R's CSS log-likelihood: over n_used, whatever the conditioning */
        md.loglik = -0.5 * (double)nw * (log(2.0 * M_PI * fmax(md.sigma2, 1e-300)) + 1.0);
    }
    if (!isfinite(md.loglik))
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL, "%s: no finite likelihood", name);
    set_ic(&md);
    *model = md;
    return OPS_OK;
}

static ops_status_t check_spec(const arima_spec_t *s, ops_error_t *err)
{
    if (s->p > ARIMA_MAX_PQ || s->q > ARIMA_MAX_PQ || s->P > ARIMA_MAX_SPQ || s->Q > ARIMA_MAX_SPQ ||
        s->d > 2 || s->D > 1)
        return ops_error_set(err, OPS_ERR_USAGE, NULL, 0, NULL,
                             "ARIMA orders outside p, q <= %d, P, Q <= %d, d <= 2, D <= 1", ARIMA_MAX_PQ,
                             ARIMA_MAX_SPQ);
    if ((s->P || s->D || s->Q) && (s->m < 2 || s->m > ARIMA_MAX_SEASON))
        return ops_error_set(err, OPS_ERR_USAGE, NULL, 0, NULL, "seasonal ARIMA needs a season of 2..%d (%zu)",
                             ARIMA_MAX_SEASON, s->m);
    if (s->constant && s->d + s->D > 1)
        return ops_error_set(err, OPS_ERR_USAGE, NULL, 0, NULL, "no constant with d + D = %zu", s->d + s->D);
    return OPS_OK;
}

ops_status_t arima_fit(const double *y, size_t n, const arima_spec_t *spec, bool exact,
                       arima_model_t *model, ops_error_t *err)
{
    ops_status_t st = check_spec(spec, err);
    if (st != OPS_OK)
        return st;
    double *w = malloc((n ? n : 1) * sizeof *w);
    if (!w)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory fitting ARIMA");
    size_t nw = difference(y, n, spec->d, spec->D, season_of(spec), w);
    st = fit_differenced(w, nw, n, spec, exact, model, err);
    free(w);
    return st;
}

/* ---- unit-root and seasonality tests ------------------------------------------------ */

double arima_kpss(const double *y, size_t n)
{
    if (n < 3)
        return NAN;
    double mean = gsl_stats_mean(y, 1, n), s = 0.0, eta = 0.0, s2 = 0.0;
    for (size_t t = 0; t < n; t++) {
        double e = y[t] - mean;
        s += e;
        eta += s * s;
        s2 += e * e;
    }
    size_t lags = (size_t)(3.0 * sqrt((double)n) / 13.0);
    for (size_t i = 1; i <= lags; i++) {
        double c = 0.0;
        for (size_t t = i; t < n; t++)
            c += (y[t] - mean) * (y[t - i] - mean);
        s2 += 2.0 * (1.0 - (double)i / (double)(lags + 1)) * c;
    }
    s2 /= (double)n;
    if (!(s2 > 0))
        return NAN;
    return eta / ((double)n * (double)n * s2);
}

size_t arima_ndiffs(const double *y, size_t n, size_t max_d)
{
    double *x = malloc((n ? n : 1) * sizeof *x);
    size_t d = 0;
    if (!x)
        return 0;
    memcpy(x, y, n * sizeof *x);
    while (d < max_d && n >= 3 && !fc_is_constant(x, n)) {
        double stat = arima_kpss(x, n);
        if (!(stat > ARIMA_KPSS_CV))
            break;
        for (size_t t = 0; t + 1 < n; t++)
            x[t] = x[t + 1] - x[t];
        n--;
        d++;
    }
    free(x);
    return d;
}

double arima_seasonal_strength(const double *y, size_t n, size_t m)
{
    if (m < 2 || m > ETS_MAX_SEASON || n <= 2 * m || fc_is_constant(y, n))
        return NAN;
    /* Detrend by the centred moving average of order m (2 x m for even m),
     * then take each value's seasonal part as the mean detrended value of
     * the same position over the nearest 11 cycles (the first s.window of
     * R's mstl), so that a season whose amplitude grows still counts as
     * seasonal; remainder = detrended - seasonal. */
    size_t half = m / 2, lo = half, hi = n - half; /* detrended defined on [lo, hi) */
    double *det = malloc(n * sizeof *det);
    if (!det)
        return NAN;
    for (size_t t = lo; t < hi; t++) {
        double trend = 0.0;
        if (m % 2 == 0) {
            trend = 0.5 * (y[t - half] + y[t + half]);
            for (size_t j = t - half + 1; j < t + half; j++)
                trend += y[j];
        } else {
            for (size_t j = t - half; j <= t + half; j++)
                trend += y[j];
        }
        det[t] = y[t] - trend / (double)m;
    }
    double sr = 0, srr = 0, sd = 0, sdd = 0, c = 0;
    for (size_t t = lo; t < hi; t++) {
        /* the 11 nearest cycles of this position inside [lo, hi) */
        long first = (long)t - 5 * (long)m, last = (long)t + 5 * (long)m;
        while (first < (long)lo)
            first += (long)m, last += last + (long)m < (long)hi ? (long)m : 0;
        while (last >= (long)hi)
            last -= (long)m, first -= first - (long)m >= (long)lo ? (long)m : 0;
        double s = 0.0, k = 0.0;
        for (long u = first; u <= last; u += (long)m) {
            s += det[u];
            k += 1.0;
        }
        double rem = det[t] - s / k;
        sr += rem;
        srr += rem * rem;
        sd += det[t];
        sdd += det[t] * det[t];
        c += 1.0;
    }
    free(det);
    double vr = srr / c - (sr / c) * (sr / c), vd = sdd / c - (sd / c) * (sd / c);
    if (!(vd > 0))
        return 0.0;
    return fmax(0.0, fmin(1.0, 1.0 - vr / vd));
}

size_t arima_nsdiffs(const double *y, size_t n, size_t m)
{
    double s = arima_seasonal_strength(y, n, m);
    return isfinite(s) && s > ARIMA_SEAS_CV ? 1 : 0;
}

/* ---- stepwise search ------------------------------------------------------------------ */

typedef struct {
    const double *w;
    size_t nw, n;
    arima_spec_t base;      /* d, D, m */
    bool exact;
    bool tried[ARIMA_MAX_PQ + 1][ARIMA_MAX_PQ + 1][ARIMA_MAX_SPQ + 1][ARIMA_MAX_SPQ + 1][2];
    size_t max_p, max_q, max_P, max_Q, fitted;
    bool allow_constant;
    arima_model_t best;
    double best_ic;
} search_t;

/* Fits (p,q,P,Q,c) if new and allowed; true if it became the best. */
static bool search_try(search_t *s, long p, long q, long P, long Q, bool c)
{
    if (p < 0 || q < 0 || P < 0 || Q < 0 || (size_t)p > s->max_p || (size_t)q > s->max_q ||
        (size_t)P > s->max_P || (size_t)Q > s->max_Q || p + q + P + Q > 5 || (c && !s->allow_constant))
        return false;
    if (s->tried[p][q][P][Q][c] || s->fitted >= ARIMA_MAX_MODELS)
        return false;
    s->tried[p][q][P][Q][c] = true;
    arima_spec_t spec = s->base;
    spec.p = (size_t)p;
    spec.q = (size_t)q;
    spec.P = (size_t)P;
    spec.Q = (size_t)Q;
    spec.constant = c;
    arima_model_t md;
    s->fitted++;
    if (fit_differenced(s->w, s->nw, s->n, &spec, s->exact, &md, NULL) != OPS_OK)
        return false;
    if (!model_roots_ok(&md) || !(md.aicc < s->best_ic))
        return false;
    s->best = md;
    s->best_ic = md.aicc;
    return true;
}

ops_status_t arima_auto(const double *y, size_t n, size_t m, bool exact_search,
                        arima_model_t *best, size_t *n_fitted, ops_error_t *err)
{
    if (n_fitted)
        *n_fitted = 0;
    if (n < 4)
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL, "ARIMA needs at least 4 values (%zu)", n);
    search_t *s = calloc(1, sizeof *s);
    double *w = malloc(n * sizeof *w), *x = malloc(n * sizeof *x);
    ops_status_t st = OPS_OK;
    if (!s || !w || !x) {
        st = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory in automatic ARIMA");
        goto cleanup;
    }
    bool seasonal = m >= 2 && m <= ARIMA_MAX_SEASON && n > 2 * m;
    size_t D = seasonal ? arima_nsdiffs(y, n, m) : 0;
    size_t nx = difference(y, n, 0, D, m, x);
    size_t d = arima_ndiffs(x, nx, 2);
    s->base = (arima_spec_t){ .d = d, .D = D, .m = seasonal ? m : 1 };
    s->nw = difference(y, n, d, D, seasonal ? m : 1, w);
    s->w = w;
    s->n = n;
    s->exact = exact_search;
    s->best_ic = INFINITY;
    s->allow_constant = d + D <= 1;
    if (s->nw < 3) {
        st = ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL,
                           "ARIMA: %zu values leave %zu after differencing", n, s->nw);
        goto cleanup;
    }
    if (fc_is_constant(w, s->nw)) {
        /* a line or a repeated season: nothing left to model */
        arima_model_t md = { .spec = s->base, .n = n, .n_used = s->nw, .exact = true };
        md.spec.constant = s->allow_constant && w[0] != 0.0;
        md.mu = md.spec.constant ? w[0] : 0.0;
        md.k = coef_count(&md.spec) + 1;
        md.sigma2 = 0.0;
        md.loglik = md.aic = md.aicc = md.bic = NAN;
        *best = md;
        goto cleanup;
    }
    /* R's limits for short series */
    s->max_p = s->max_q = ARIMA_MAX_PQ;
    if (s->max_p > s->nw / 3)
        s->max_p = s->max_q = s->nw / 3;
    if (seasonal) {
        size_t cap = s->nw / 3 / m;
        s->max_P = s->max_Q = cap < ARIMA_MAX_SPQ ? cap : ARIMA_MAX_SPQ;
    }
    bool c = s->allow_constant;
    long p = 2, q = 2, P = s->max_P ? 1 : 0, Q = s->max_Q ? 1 : 0;
    if ((size_t)p > s->max_p)
        p = q = (long)s->max_p;
    search_try(s, p, q, P, Q, c);
    search_try(s, 0, 0, 0, 0, c);
    search_try(s, s->max_p ? 1 : 0, 0, s->max_P ? 1 : 0, 0, c);
    search_try(s, 0, s->max_q ? 1 : 0, 0, s->max_Q ? 1 : 0, c);
    if (c)
        search_try(s, 0, 0, 0, 0, false);
    /* neighbours of the best, in auto.arima's order; restart on improvement */
    bool improved = s->best_ic < INFINITY;
    while (improved && s->fitted < ARIMA_MAX_MODELS) {
        const arima_spec_t b = s->best.spec;
        long bp = (long)b.p, bq = (long)b.q, bP = (long)b.P, bQ = (long)b.Q;
        bool bc = b.constant;
        static const long moves[][4] = {
            { 0, 0, -1, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, -1 }, { 0, 0, 0, 1 },
            { 0, 0, -1, -1 }, { 0, 0, -1, 1 }, { 0, 0, 1, -1 }, { 0, 0, 1, 1 },
            { -1, 0, 0, 0 }, { 1, 0, 0, 0 }, { 0, -1, 0, 0 }, { 0, 1, 0, 0 },
            { -1, -1, 0, 0 }, { -1, 1, 0, 0 }, { 1, -1, 0, 0 }, { 1, 1, 0, 0 },
        };
        improved = false;
        for (size_t k = 0; k < sizeof moves / sizeof moves[0] && !improved; k++)
            improved = search_try(s, bp + moves[k][0], bq + moves[k][1], bP + moves[k][2],
                                  bQ + moves[k][3], bc);
        if (!improved)
            improved = search_try(s, bp, bq, bP, bQ, !bc);
    }
    if (!(s->best_ic < INFINITY)) {
        st = ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL,
                           "no ARIMA model could be fitted to %zu values", n);
        goto cleanup;
    }
    *best = s->best;
    if (!exact_search) {
        /* refit the chosen orders by exact ML; keep CSS if that fails */
        arima_model_t ml;
        if (fit_differenced(w, s->nw, n, &s->best.spec, true, &ml, NULL) == OPS_OK && model_roots_ok(&ml))
            *best = ml;
    }
cleanup:
    if (n_fitted && s)
        *n_fitted = s->fitted;
    free(s);
    free(w);
    free(x);
    return st;
}

/* ---- forecasting ------------------------------------------------------------------------- */

ops_status_t arima_forecast(const arima_model_t *md, const double *y, size_t n, size_t h,
                            const double *levels, size_t n_levels, double *point,
                            double *const *lo, double *const *hi, ops_error_t *err)
{
    const arima_spec_t *s = &md->spec;
    size_t m = season_of(s);
    double delta[3 + 2 * ARIMA_MAX_SEASON + 1];
    size_t nd = diff_poly(s->d, s->D, m, delta);
    double *w = malloc((n + h + 1) * sizeof *w), *ext = malloc((n + h) * sizeof *ext);
    double *psi = malloc((h + 1) * sizeof *psi);
    ops_status_t st = OPS_OK;
    if (!w || !ext || !psi) {
        st = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory in ARIMA forecast");
        goto cleanup;
    }
    size_t nw = difference(y, n, s->d, s->D, m, w);
    if (nw == 0) {
        st = ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL, "ARIMA forecast: too few values");
        goto cleanup;
    }
    arma_t a;
    arma_expand(md, &a);
    double mu = s->constant ? md->mu : 0.0;
    double *fw = w; /* reuse: forecasts of w - mu for steps 1..h */
    if (md->sigma2 > 0) {
        kalman_out_t ko;
        if (!kalman_run(w, nw, mu, &a, &ko)) {
            st = ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL, "ARIMA forecast: non-stationary model");
            goto cleanup;
        }
        for (size_t i = 0; i < h; i++) {
            if (i < ko.r) {
                fw[i] = ko.state[i];
            } else {
                double v = 0.0;
                for (size_t k = 1; k <= a.np; k++)
                    v += a.phi[k] * fw[i - k];
                fw[i] = v;
            }
        }
    } else {
        for (size_t i = 0; i < h; i++)
            fw[i] = 0.0;
    }
    memcpy(ext, y, n * sizeof *ext);
    for (size_t i = 0; i < h; i++) {
        double v = fw[i] + mu;
        for (size_t j = 1; j <= nd; j++)
            v += delta[j] * ext[n + i - j];
        ext[n + i] = v;
        point[i] = v;
    }
    if (n_levels == 0)
        goto cleanup;
    /* psi weights of theta(B) / (phi(B) delta(B)) */
    double full[ARIMA_MAX_DEG + 3 + 2 * ARIMA_MAX_SEASON + 1] = { 0 };
    size_t nf = a.np + nd;
    for (size_t i = 0; i <= a.np; i++)
        for (size_t j = 0; j <= nd; j++) {
            double ci = i == 0 ? 1.0 : -a.phi[i], cj = j == 0 ? 1.0 : -delta[j];
            full[i + j] += ci * cj;
        }
    for (size_t k = 1; k <= nf; k++)
        full[k] = -full[k];
    psi_weights(full, nf, a.theta, a.nq, h, psi);
    double cum = 0.0;
    for (size_t i = 0; i < h; i++) {
        cum += psi[i] * psi[i];
        double sd = sqrt(fmax(md->sigma2, 0.0) * cum);
        for (size_t l = 0; l < n_levels; l++) {
            double z = fc_z(levels[l]);
            lo[l][i] = point[i] - z * sd;
            hi[l][i] = point[i] + z * sd;
        }
    }
cleanup:
    free(w);
    free(ext);
    free(psi);
    return st;
}
