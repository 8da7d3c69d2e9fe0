/*
 * test_forecast_ref.c - compares the ETS and Theta code with R's forecast
 * package (8.20 on R 4.2.2) on classic series shipped with R. The CSVs in
 * tests/forecast_ref/ are written by tests/forecast_ref/make_ref.R; R is not
 * needed to run these tests. Run from the repository root.
 *
 * Tolerances (why):
 *  - likelihood, AICc and sigma2 of R's own fitted parameters and initial
 *    states put through our filter: 1e-6 relative (R's CSV has 10 digits) -
 *    same recursions, same criterion;
 *  - point forecasts from R's parameters: 1e-6 relative and analytic
 *    intervals 1e-5 relative for models without multiplicative seasonality
 *    (R's classes 1 and 2, same formulas); with multiplicative seasonality
 *    (class 3) R uses a moment approximation and we simulate: points within
 *    1% (R adds a sigma2 term after one season and drops phi from its first
 *    step), 95% half-width within 10%;
 *  - our own maximum-likelihood fit of the same model: log-likelihood at
 *    least R's minus 0.5 for at least 90% of the models, and never worse by
 *    more than 2% (different Nelder-Mead implementations stop at different
 *    points; where they differ ours is usually the higher one);
 *  - automatic choice: AICc of our choice at most R's choice's + 1;
 *  - Theta: points within 1% (SES alpha from a different optimiser).
 */
#include "opsreport/forecast.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF "tests/forecast_ref/"
#define MAXN 600

typedef struct {
    char name[32];
    size_t m, n;
    double y[MAXN];
} ref_series_t;

static ref_series_t series[16];
static size_t n_series;

static void load_series(void)
{
    FILE *f = fopen(REF "series.csv", "r");
    cr_assert_not_null(f, "run the tests from the repository root");
    char line[256];
    n_series = 0;
    cr_assert_not_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        char name[32];
        int m, t;
        double v;
        cr_assert_eq(sscanf(line, "%31[^,],%d,%d,%lf", name, &m, &t, &v), 4, "%s", line);
        ref_series_t *s = n_series ? &series[n_series - 1] : NULL;
        if (!s || strcmp(s->name, name) != 0) {
            cr_assert(n_series < 16);
            s = &series[n_series++];
            snprintf(s->name, sizeof s->name, "%s", name);
            s->m = (size_t)m;
            s->n = 0;
        }
        cr_assert(s->n < MAXN);
        s->y[s->n++] = v;
    }
    fclose(f);
}

static const ref_series_t *find_series(const char *name)
{
    for (size_t i = 0; i < n_series; i++)
        if (strcmp(series[i].name, name) == 0)
            return &series[i];
    cr_assert_fail("series %s missing", name);
    return NULL;
}

typedef struct {
    char series[32], model[8];
    double alpha, beta, gamma, phi, loglik, aicc, sigma2;
    double states[ETS_MAX_STATES];
    size_t n_states;
} ref_fit_t;

static ref_fit_t fits[128];
static size_t n_fits;

static double num(const char *s)
{
    return strcmp(s, "NA") == 0 ? NAN : strtod(s, NULL);
}

static void load_fits(void)
{
    FILE *f = fopen(REF "ets_fit.csv", "r");
    cr_assert_not_null(f);
    char line[4096];
    n_fits = 0;
    cr_assert_not_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        cr_assert(n_fits < 128);
        ref_fit_t *r = &fits[n_fits++];
        char *save, *tok[10];
        tok[0] = strtok_r(line, ",\n", &save);
        for (int i = 1; i < 10; i++)
            tok[i] = strtok_r(NULL, ",\n", &save);
        cr_assert_not_null(tok[9]);
        snprintf(r->series, sizeof r->series, "%s", tok[0]);
        snprintf(r->model, sizeof r->model, "%s", tok[1]);
        r->alpha = num(tok[2]);
        r->beta = num(tok[3]);
        r->gamma = num(tok[4]);
        r->phi = num(tok[5]);
        r->loglik = num(tok[6]);
        r->aicc = num(tok[7]);
        r->sigma2 = num(tok[8]);
        r->n_states = 0;
        for (char *st = strtok_r(tok[9], " ", &save); st; st = strtok_r(NULL, " ", &save))
            r->states[r->n_states++] = num(st);
    }
    fclose(f);
}

static void setup(void)
{
    gsl_set_error_handler_off();
    load_series();
    load_fits();
}

TestSuite(forecast_ref, .init = setup, .timeout = 120);

/* Our model with R's parameters and initial states. */
static ets_model_t model_from_r(const ref_fit_t *r, const ref_series_t *s)
{
    ets_spec_t sp;
    cr_assert(ets_spec_parse(r->model, &sp), "%s", r->model);
    ets_model_t md = { .spec = sp, .m = sp.season ? s->m : 1, .alpha = r->alpha, .phi = 1 };
    if (sp.trend)
        md.beta = r->beta;
    if (sp.season)
        md.gamma = r->gamma;
    if (sp.damped)
        md.phi = r->phi;
    md.n_states = r->n_states;
    cr_assert_eq(md.n_states, 1 + (sp.trend != ETS_NONE) + (sp.season ? s->m : 0), "%s %s", r->series, r->model);
    memcpy(md.init, r->states, r->n_states * sizeof *r->states);
    return md;
}

static bool close_rel(double a, double b, double rel)
{
    return fabs(a - b) <= rel * fmax(fabs(a), fabs(b)) + 1e-12;
}

Test(forecast_ref, likelihood_of_r_parameters_matches_r)
{
    cr_assert(n_fits > 80);
    for (size_t i = 0; i < n_fits; i++) {
        const ref_fit_t *r = &fits[i];
        const ref_series_t *s = find_series(r->series);
        ets_model_t md = model_from_r(r, s);
        double ll = ets_loglik(s->y, s->n, &md, NULL);
        cr_expect(close_rel(ll, r->loglik, 1e-6), "%s %s: loglik %.8g, R %.8g", r->series, r->model, ll, r->loglik);
        cr_expect(close_rel(md.aicc, r->aicc, 1e-6), "%s %s: AICc %.8g, R %.8g", r->series, r->model, md.aicc, r->aicc);
        cr_expect(close_rel(md.sigma2, r->sigma2, 1e-6), "%s %s: sigma2 %.8g, R %.8g", r->series, r->model, md.sigma2, r->sigma2);
    }
}

typedef struct {
    double point, lo80, hi80, lo95, hi95;
} ref_fc_t;

/* Rows of ets_fc.csv (model != NULL) or theta.csv (model == NULL). */
static size_t load_fc(const char *file, const char *name, const char *model, ref_fc_t *out, size_t cap)
{
    FILE *f = fopen(file, "r");
    cr_assert_not_null(f);
    char line[512];
    size_t k = 0;
    cr_assert_not_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        char sname[32], smodel[8];
        int step;
        ref_fc_t r;
        if (model) {
            if (sscanf(line, "%31[^,],%7[^,],%d,%lf,%lf,%lf,%lf,%lf", sname, smodel, &step, &r.point, &r.lo80,
                       &r.hi80, &r.lo95, &r.hi95) != 8)
                continue;
            if (strcmp(smodel, model) != 0)
                continue;
        } else if (sscanf(line, "%31[^,],%d,%lf,%lf,%lf,%lf,%lf", sname, &step, &r.point, &r.lo80, &r.hi80,
                          &r.lo95, &r.hi95) != 7)
            continue;
        if (strcmp(sname, name) != 0)
            continue;
        cr_assert(k < cap);
        out[k++] = r;
    }
    fclose(f);
    return k;
}

Test(forecast_ref, forecasts_from_r_parameters_match_r)
{
    const double lv[2] = { 80, 95 };
    for (size_t i = 0; i < n_fits; i++) {
        const ref_fit_t *r = &fits[i];
        const ref_series_t *s = find_series(r->series);
        ets_model_t md = model_from_r(r, s);
        ets_loglik(s->y, s->n, &md, NULL);
        ref_fc_t ref[64];
        size_t h = load_fc(REF "ets_fc.csv", r->series, r->model, ref, 64);
        cr_assert(h > 0, "%s %s", r->series, r->model);
        double p[64], l80[64], h80[64], l95[64], h95[64];
        double *lo[2] = { l80, l95 }, *hi[2] = { h80, h95 };
        cr_assert_eq(ets_forecast(&md, h, lv, 2, 20261031, p, lo, hi, NULL), OPS_OK);
        bool analytic = md.spec.season != ETS_MULT;
        for (size_t j = 0; j < h; j++) {
            /* class 3: R's mean adds a sigma2 term after one season and
             * leaves phi out of the first step; ours is the recursion */
            cr_expect(close_rel(p[j], ref[j].point, analytic ? 1e-6 : 0.01), "%s %s step %zu: %.8g, R %.8g",
                      r->series, r->model, j + 1, p[j], ref[j].point);
            /* R's class1() puts gamma on the second seasonal state when there
             * is no trend (G[3,1] <- gamma), so for ETS(A/M,N,A) its c_j has
             * gamma at j = m-1 instead of j = m (Hyndman et al. 2008, table
             * 6.1). The two agree up to step m - 1. */
            bool r_quirk = md.spec.trend == ETS_NONE && md.spec.season == ETS_ADD && j + 1 >= md.m;
            if (analytic && !r_quirk) {
                cr_expect(close_rel(h95[j], ref[j].hi95, 1e-5) && close_rel(l80[j], ref[j].lo80, 1e-5),
                          "%s %s step %zu: hi95 %.8g, R %.8g", r->series, r->model, j + 1, h95[j], ref[j].hi95);
            } else if (!analytic) {
                double ours = (h95[j] - l95[j]) / 2, theirs = (ref[j].hi95 - ref[j].lo95) / 2;
                cr_expect(close_rel(ours, theirs, 0.10), "%s %s step %zu: 95%% half-width %.6g, R %.6g",
                          r->series, r->model, j + 1, ours, theirs);
            }
        }
    }
}

Test(forecast_ref, our_fit_is_as_likely_as_r)
{
    size_t as_good = 0, better = 0;
    double worst = 0;
    for (size_t i = 0; i < n_fits; i++) {
        const ref_fit_t *r = &fits[i];
        const ref_series_t *s = find_series(r->series);
        ets_spec_t sp;
        ets_model_t md;
        ops_error_t err = { 0 };
        cr_assert(ets_spec_parse(r->model, &sp));
        cr_assert_eq(ets_fit(s->y, s->n, s->m, &sp, &md, &err), OPS_OK, "%s %s: %s", r->series, r->model,
                     err.message);
        double d = md.loglik - r->loglik;
        as_good += d >= -0.5;
        better += d > 0.5;
        if (d < worst)
            worst = d;
        cr_expect(d >= -0.02 * fabs(r->loglik), "%s %s: loglik %.6g, R %.6g", r->series, r->model, md.loglik,
                  r->loglik);
    }
    cr_log_info("ETS fits: %zu of %zu at least as likely as R's (within 0.5), %zu more likely by > 0.5, "
                "worst deficit %.3g",
                as_good, n_fits, better, worst);
    cr_expect(as_good * 10 >= n_fits * 9, "%zu of %zu", as_good, n_fits);
}

Test(forecast_ref, automatic_choice_against_r)
{
    FILE *f = fopen(REF "ets_auto.csv", "r");
    cr_assert_not_null(f);
    char line[256];
    cr_assert_not_null(fgets(line, sizeof line, f));
    size_t same = 0, total = 0;
    while (fgets(line, sizeof line, f)) {
        char name[32], model[32];
        double aicc, secs;
        /* model has commas: ETS(M,Ad,M) */
        cr_assert_eq(sscanf(line, "%31[^,],%31[^)]),%lf,%lf", name, model, &aicc, &secs), 4, "%s", line);
        strcat(model, ")");
        const ref_series_t *s = find_series(name);
        ets_model_t md;
        size_t tried;
        cr_assert_eq(ets_auto(s->y, s->n, s->m, &md, &tried, NULL), OPS_OK);
        char ours[32];
        ets_spec_name(&md.spec, ours, sizeof ours);
        cr_log_info("%-14s R: %-12s AICc %9.2f | ours: %-12s AICc %9.2f (%zu models)", name, model, aicc, ours,
                    md.aicc, tried);
        same += strcmp(ours, model) == 0;
        total++;
        cr_expect(md.aicc <= aicc + 1.0, "%s: our AICc %.6g, R %.6g", name, md.aicc, aicc);
    }
    fclose(f);
    cr_log_info("automatic ETS choice: same model as R on %zu of %zu series", same, total);
    cr_assert(total >= 8);
}

Test(forecast_ref, theta_matches_r_thetaf)
{
    const double lv[2] = { 80, 95 };
    for (size_t i = 0; i < n_series; i++) {
        const ref_series_t *s = &series[i];
        ref_fc_t ref[64];
        size_t h = load_fc(REF "theta.csv", s->name, NULL, ref, 64);
        cr_assert(h > 0);
        double p[64], l80[64], h80[64], l95[64], h95[64];
        double *lo[2] = { l80, l95 }, *hi[2] = { h80, h95 };
        theta_info_t ti;
        cr_assert_eq(theta_forecast(s->y, s->n, s->m, h, lv, 2, p, lo, hi, &ti, NULL), OPS_OK);
        for (size_t j = 0; j < h; j++) {
            cr_expect(close_rel(p[j], ref[j].point, 0.01), "%s step %zu: %.6g, R %.6g", s->name, j + 1, p[j],
                      ref[j].point);
            if (!ti.seasonal) /* R leaves seasonal intervals unscaled; we scale them */
                cr_expect(close_rel(h95[j] - p[j], ref[j].hi95 - ref[j].point, 0.02),
                          "%s step %zu: half-width %.6g, R %.6g", s->name, j + 1, h95[j] - p[j],
                          ref[j].hi95 - ref[j].point);
        }
    }
}

Test(forecast_ref, same_optimum_same_parameters_and_forecasts)
{
    /* Where our fit and R's reach the same likelihood (within 0.1), the
     * smoothing parameters agree within 0.05 (phi only where the trend is
     * updated at all, beta > 0.01: otherwise the likelihood is flat in phi)
     * and the forecasts of the first season agree within 3% of the series'
     * mean level (further out, flat ridges in the trend let them drift
     * apart). Where ours is more likely, R stopped elsewhere and no
     * agreement is expected. */
    size_t compared = 0;
    for (size_t i = 0; i < n_fits; i++) {
        const ref_fit_t *r = &fits[i];
        const ref_series_t *s = find_series(r->series);
        ets_spec_t sp;
        ets_model_t md;
        cr_assert(ets_spec_parse(r->model, &sp));
        cr_assert_eq(ets_fit(s->y, s->n, s->m, &sp, &md, NULL), OPS_OK);
        if (fabs(md.loglik - r->loglik) > 0.1)
            continue;
        compared++;
        cr_expect(fabs(md.alpha - r->alpha) < 0.05, "%s %s alpha %.4g, R %.4g", r->series, r->model, md.alpha,
                  r->alpha);
        if (sp.trend)
            cr_expect(fabs(md.beta - r->beta) < 0.05, "%s %s beta %.4g, R %.4g", r->series, r->model, md.beta,
                      r->beta);
        if (sp.season)
            cr_expect(fabs(md.gamma - r->gamma) < 0.05, "%s %s gamma %.4g, R %.4g", r->series, r->model,
                      md.gamma, r->gamma);
        if (sp.damped && r->beta > 0.01)
            cr_expect(fabs(md.phi - r->phi) < 0.05, "%s %s phi %.4g, R %.4g", r->series, r->model, md.phi, r->phi);
        ref_fc_t ref[64];
        size_t h = load_fc(REF "ets_fc.csv", r->series, r->model, ref, 64);
        double p[64], level = 0;
        cr_assert_eq(ets_forecast(&md, h, NULL, 0, 1, p, NULL, NULL, NULL), OPS_OK);
        for (size_t t = 0; t < s->n; t++)
            level += fabs(s->y[t]) / (double)s->n;
        size_t season = s->m > 1 ? s->m : 10;
        for (size_t j = 0; j < h && j < season; j++)
            cr_expect(fabs(p[j] - ref[j].point) <= 0.03 * level, "%s %s step %zu: %.6g, R %.6g", r->series,
                      r->model, j + 1, p[j], ref[j].point);
    }
    cr_log_info("%zu of %zu models reach R's likelihood within 0.1 and were compared", compared, n_fits);
    cr_assert(compared >= 20, "only %zu comparable fits", compared);
}

/* ---- ARIMA ------------------------------------------------------------------- */

typedef struct {
    char series[32];
    arima_model_t md;
    char spec_text[32];
    double loglik, aicc, sigma2;
} ref_arima_t;

/* Rows of arima_fit.csv as models with R's coefficients; returns the count. */
static size_t load_arima(ref_arima_t *out, size_t cap)
{
    FILE *f = fopen(REF "arima_fit.csv", "r");
    cr_assert_not_null(f);
    char line[1024];
    size_t k = 0;
    cr_assert_not_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        cr_assert(k < cap);
        ref_arima_t *r = &out[k++];
        memset(r, 0, sizeof *r);
        char *save, *tok[6];
        tok[0] = strtok_r(line, ",\n", &save);
        for (int i = 1; i < 6; i++)
            tok[i] = strtok_r(NULL, ",\n", &save);
        cr_assert_not_null(tok[5]);
        snprintf(r->series, sizeof r->series, "%s", tok[0]);
        snprintf(r->spec_text, sizeof r->spec_text, "%s", tok[1]);
        const ref_series_t *s = find_series(r->series);
        unsigned o[7];
        cr_assert_eq(sscanf(tok[1], "%u %u %u %u %u %u %u", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &o[6]), 7);
        arima_spec_t sp = { o[0], o[1], o[2], o[3], o[4], o[5], o[3] + o[4] + o[5] ? s->m : 1, o[6] == 1 };
        r->md.spec = sp;
        char *cs, *c = strtok_r(tok[2], " ", &cs);
        for (size_t i = 0; i < sp.p; i++, c = strtok_r(NULL, " ", &cs))
            r->md.ar[i] = num(c);
        for (size_t i = 0; i < sp.q; i++, c = strtok_r(NULL, " ", &cs))
            r->md.ma[i] = num(c);
        for (size_t i = 0; i < sp.P; i++, c = strtok_r(NULL, " ", &cs))
            r->md.sar[i] = num(c);
        for (size_t i = 0; i < sp.Q; i++, c = strtok_r(NULL, " ", &cs))
            r->md.sma[i] = num(c);
        /* R's drift is per step of the original series: the differenced
         * series' mean is the drift, or m x the drift after a seasonal
         * difference */
        if (sp.constant) {
            cr_assert_not_null(c);
            r->md.mu = num(c) * (sp.D ? (double)sp.m : 1.0);
        }
        r->loglik = num(tok[3]);
        r->aicc = num(tok[4]);
        r->sigma2 = num(tok[5]);
    }
    fclose(f);
    return k;
}

static ref_arima_t arima_refs[64];

Test(forecast_ref, arima_likelihood_of_r_coefficients_matches_r)
{
    /* Same coefficients, our Kalman filter on the differenced series
     * against R's on the original one with a diffuse prior (kappa = 1e6)
     * for the differencing states. Without a drift under differencing the
     * two are the same likelihood: 1e-6 relative. With a drift (a
     * regression on time that R differences inside its filter) R's diffuse
     * start leaves a small difference: within 0.01. sigma2: R's
     * (forecast::Arima) sums the residuals of the diffuse start too, so it
     * is up to 4% larger after a seasonal difference; equal (1e-6) when
     * nothing is differenced. */
    size_t k = load_arima(arima_refs, 64), exact = 0;
    cr_assert_geq(k, 30);
    for (size_t i = 0; i < k; i++) {
        const ref_arima_t *r = &arima_refs[i];
        const ref_series_t *s = find_series(r->series);
        arima_model_t md = r->md;
        double ll = arima_loglik(s->y, s->n, &md);
        bool plain = !(md.spec.constant && md.spec.d + md.spec.D > 0);
        bool differenced = md.spec.d + md.spec.D > 0;
        cr_log_info("%s %s: loglik %.6f R %.6f sigma2 %.6g R %.6g", r->series, r->spec_text, ll, r->loglik,
                    md.sigma2, r->sigma2);
        exact += close_rel(ll, r->loglik, 1e-6);
        cr_expect(fabs(ll - r->loglik) < 0.01, "%s %s: loglik %.8f, R %.8f", r->series, r->spec_text, ll, r->loglik);
        cr_expect(fabs(md.aicc - r->aicc) < 0.02, "%s %s: aicc %.8f, R %.8f", r->series, r->spec_text, md.aicc,
                  r->aicc);
        if (!differenced)
            cr_expect(close_rel(md.sigma2, r->sigma2, 1e-6), "%s %s: sigma2 %.8g, R %.8g", r->series, r->spec_text,
                      md.sigma2, r->sigma2);
        else
            cr_expect(md.sigma2 <= r->sigma2 * (1 + 1e-6) && md.sigma2 >= r->sigma2 * 0.96,
                      "%s %s: sigma2 %.8g, R %.8g", r->series, r->spec_text, md.sigma2, r->sigma2);
        (void)plain;
    }
    cr_log_info("ARIMA likelihoods equal to R's within 1e-6: %zu of %zu", exact, k);
    cr_expect_geq(exact * 3, k * 2, "only %zu of %zu within 1e-6", exact, k);
}

/* Rows of arima_fc.csv for one series and spec. */
static size_t load_arima_fc(const char *name, const char *spec, ref_fc_t *out, size_t cap)
{
    FILE *f = fopen(REF "arima_fc.csv", "r");
    cr_assert_not_null(f);
    char line[512];
    size_t k = 0;
    cr_assert_not_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        char sname[32], sspec[32];
        int step;
        ref_fc_t r;
        if (sscanf(line, "%31[^,],%31[^,],%d,%lf,%lf,%lf,%lf,%lf", sname, sspec, &step, &r.point, &r.lo80, &r.hi80,
                   &r.lo95, &r.hi95) != 8)
            continue;
        if (strcmp(sname, name) != 0 || strcmp(sspec, spec) != 0)
            continue;
        cr_assert(k < cap);
        out[k++] = r;
    }
    fclose(f);
    return k;
}

Test(forecast_ref, arima_forecasts_from_r_coefficients_match_r)
{
    /* points: the same prediction and integration, 1e-4 of the level (R's
     * diffuse start leaves the final state a little different when the
     * filter has not converged). Intervals, with R's sigma2: our psi-weight
     * variance assumes the final state is known, R's Kalman forecast adds
     * its remaining uncertainty; the 95% half-widths agree within 0.3% for
     * nine fits in ten, and within 15% for all (the worst: USAccDeaths
     * ARIMA(1,1,1)(1,1,1), whose MAs are near non-invertible, so the
     * filter is still uncertain at the end and R's band is wider). */
    size_t k = load_arima(arima_refs, 64), close_w = 0;
    const double lv[2] = { 80, 95 };
    for (size_t i = 0; i < k; i++) {
        const ref_arima_t *r = &arima_refs[i];
        const ref_series_t *s = find_series(r->series);
        ref_fc_t ref[64];
        size_t h = load_arima_fc(r->series, r->spec_text, ref, 64);
        cr_assert_gt(h, 0);
        arima_model_t md = r->md;
        arima_loglik(s->y, s->n, &md);
        md.sigma2 = r->sigma2;
        double point[64], lo[2][64], hi[2][64];
        double *lop[2] = { lo[0], lo[1] }, *hip[2] = { hi[0], hi[1] };
        cr_assert_eq(arima_forecast(&md, s->y, s->n, h, lv, 2, point, lop, hip, NULL), OPS_OK);
        double scale = fabs(s->y[s->n - 1]), worst_p = 0, worst_w = 0;
        for (size_t j = 0; j < h; j++) {
            worst_p = fmax(worst_p, fabs(point[j] - ref[j].point) / scale);
            double w = hi[1][j] - point[j], rw = ref[j].hi95 - ref[j].point;
            worst_w = fmax(worst_w, fabs(w - rw) / rw);
        }
        cr_log_info("%s %s: points %.2e, 95%% half-widths %.2e", r->series, r->spec_text, worst_p, worst_w);
        cr_expect_leq(worst_p, 1e-4, "%s %s: point off by %.3g of the level", r->series, r->spec_text, worst_p);
        cr_expect_leq(worst_w, 0.15, "%s %s: 95%% half-width off by %.3g", r->series, r->spec_text, worst_w);
        close_w += worst_w < 3e-3;
    }
    cr_expect_geq(close_w * 10, k * 9, "only %zu of %zu half-widths within 0.3%%", close_w, k);
}

Test(forecast_ref, arima_our_fit_is_as_likely_as_r)
{
    /* our exact ML fit of each of R's orders (BFGS from the CSS optimum,
     * as R's CSS-ML) reaches R's log-likelihood within 0.05 for at least
     * nine in ten, and within 0.2% for all (the two short of it: co2
     * ARIMA(1,0,1) with mean, an AR root at 1.002, 0.94 below R; nottem
     * ARIMA(1,1,1)(1,1,1), 0.14 below) */
    size_t k = load_arima(arima_refs, 64), close = 0;
    for (size_t i = 0; i < k; i++) {
        const ref_arima_t *r = &arima_refs[i];
        const ref_series_t *s = find_series(r->series);
        arima_model_t md;
        ops_error_t err = { 0 };
        cr_assert_eq(arima_fit(s->y, s->n, &r->md.spec, true, &md, &err), OPS_OK, "%s", err.message);
        cr_log_info("%s %s: our loglik %.4f, R %.4f", r->series, r->spec_text, md.loglik, r->loglik);
        close += md.loglik >= r->loglik - 0.05;
        cr_expect_geq(md.loglik, r->loglik - 0.002 * fabs(r->loglik), "%s %s: loglik %.4f, R %.4f", r->series,
                      r->spec_text, md.loglik, r->loglik);
    }
    cr_expect_geq(close * 10, k * 9, "only %zu of %zu within 0.05 of R", close, k);
}

Test(forecast_ref, arima_automatic_choice_against_r)
{
    /* Not the same search (ours ranks candidates by CSS, R's by exact ML
     * for these lengths) so the orders may differ. The differencing agrees
     * on all 8 series and the model on 3 (UKgas, co2, WWWusage); where they
     * differ ours has the lower AICc on 4 (USAccDeaths, nottem, LakeHuron,
     * where R's search stopped at ARIMA(0,1,0), and not Nile: 1268.2 vs
     * 1267.5) and is 2.6 higher on AirPassengers (the stepwise path from
     * CSS ranks never reaches R's ARIMA(2,1,1)(0,1,0)): within 3. */
    FILE *f = fopen(REF "arima_auto.csv", "r");
    cr_assert_not_null(f);
    char line[256];
    size_t same_model = 0, same_diff = 0, total = 0;
    cr_assert_not_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        /* series,model,aicc,seconds where the model has commas of its own */
        char name[32], model[96];
        char *c1 = strchr(line, ','), *c3 = strrchr(line, ',');
        cr_assert(c1 && c3 && c3 > c1);
        *c3 = '\0';
        char *c2 = strrchr(line, ',');
        cr_assert(c2 > c1);
        *c1 = *c2 = '\0';
        snprintf(name, sizeof name, "%s", line);
        snprintf(model, sizeof model, "%s", c1 + 1);
        double aicc = strtod(c2 + 1, NULL);
        const ref_series_t *s = find_series(name);
        arima_model_t md;
        cr_assert_eq(arima_auto(s->y, s->n, s->m, false, &md, NULL, NULL), OPS_OK);
        char ours[96];
        arima_spec_name(&md.spec, ours, sizeof ours);
        unsigned p, d, q, P = 0, D = 0, Q = 0;
        cr_assert_geq(sscanf(model, "ARIMA(%u,%u,%u)(%u,%u,%u)", &p, &d, &q, &P, &D, &Q), 3);
        bool diff_ok = md.spec.d == d && md.spec.D == D;
        cr_log_info("%s: ours %s (AICc %.3f), R %s (AICc %.3f)", name, ours, md.aicc, model, aicc);
        same_model += strcmp(ours, model) == 0;
        same_diff += diff_ok;
        total++;
        if (diff_ok)
            cr_expect_leq(md.aicc, aicc + 3.0, "%s: ours %s AICc %.3f, R %s %.3f", name, ours, md.aicc, model, aicc);
    }
    fclose(f);
    cr_log_info("automatic ARIMA: same model as R on %zu of %zu, same differencing on %zu", same_model, total,
                same_diff);
    cr_expect_eq(same_diff, total);
    cr_expect_geq(same_model, 3);
}
