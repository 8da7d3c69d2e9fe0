/*
 * test_forecast.c - unit tests of pipeline/forecast/ on series whose answer
 * is known: a constant, a straight line, a pure seasonal pattern, and
 * likelihoods, AICc and interval widths worked out by hand in the comments.
 */
#include "opsreport/forecast.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_poly.h>
#include <math.h>
#include <string.h>

#define Z95 1.959963984540054
#define Z80 1.281551565544601

static void setup(void)
{
    gsl_set_error_handler_off();
}

TestSuite(forecast, .init = setup);

/* ---- likelihood and AICc by hand --------------------------------------- */

Test(forecast, ann_loglik_by_hand)
{
    /* ETS(A,N,N), alpha 0.5, l0 10, y = 11, 9, 12:
     * f1 = 10, e1 = 1,     l1 = 10 + 0.5*1     = 10.5
     * f2 = 10.5, e2 = -1.5, l2 = 10.5 - 0.75   = 9.75
     * f3 = 9.75, e3 = 2.25, l3 = 9.75 + 1.125  = 10.875
     * SSE = 1 + 2.25 + 5.0625 = 8.3125; lik = 3 log 8.3125; loglik = -lik/2.
     * k = alpha + l0 + 1 = 3. */
    const double y[] = { 11, 9, 12 };
    ets_model_t md = { .spec = { ETS_ADD, ETS_NONE, ETS_NONE, false }, .m = 1, .alpha = 0.5,
                       .phi = 1, .n_states = 1, .init = { 10 } };
    double fitted[3];
    double ll = ets_loglik(y, 3, &md, fitted);
    cr_assert_float_eq(ll, -1.5 * log(8.3125), 1e-12);
    cr_assert_float_eq(md.sse, 8.3125, 1e-12);
    cr_assert_float_eq(md.last[0], 10.875, 1e-12);
    cr_assert_float_eq(fitted[1], 10.5, 1e-12);
    cr_assert_eq(md.k, 3);
    /* sigma2 = SSE / (n - (k - 1)) = 8.3125 / 1 */
    cr_assert_float_eq(md.sigma2, 8.3125, 1e-12);
}

Test(forecast, mnn_loglik_by_hand)
{
    /* ETS(M,N,N), same data: the states are the same (l = l + alpha*(y - l)),
     * errors relative: e = 1/10, -1.5/10.5, 2.25/9.75.
     * lik = 3 log(sum e^2) + 2 (log 10 + log 10.5 + log 9.75). */
    const double y[] = { 11, 9, 12 };
    ets_model_t md = { .spec = { ETS_MULT, ETS_NONE, ETS_NONE, false }, .m = 1, .alpha = 0.5,
                       .phi = 1, .n_states = 1, .init = { 10 } };
    double sse = 0.01 + 1.0 / 49.0 + 9.0 / 169.0;
    double lik = 3 * log(sse) + 2 * (log(10) + log(10.5) + log(9.75));
    cr_assert_float_eq(ets_loglik(y, 3, &md, NULL), -0.5 * lik, 1e-12);
}

Test(forecast, aag_seasonal_filter_by_hand)
{
    /* ETS(A,N,A), m = 2, alpha 0.5, gamma 0.25, x0 = (l 10, s[0] 1, s[1] -1).
     * y1 = 9: f = l + s[1] = 9, e = 0: l = 10, new s = -1 + 0.25*0 = -1,
     *         states (10, -1, 1).
     * y2 = 13: f = 10 + 1 = 11, e = 2: l = 11, s = 1 + 0.5 = 1.5,
     *         states (11, 1.5, -1). SSE = 4, lik = 2 log 4. */
    const double y[] = { 9, 13 };
    ets_model_t md = { .spec = { ETS_ADD, ETS_NONE, ETS_ADD, false }, .m = 2, .alpha = 0.5,
                       .gamma = 0.25, .phi = 1, .n_states = 3, .init = { 10, 1, -1 } };
    cr_assert_float_eq(ets_loglik(y, 2, &md, NULL), -log(4.0), 1e-12);
    cr_assert_float_eq(md.last[0], 11, 1e-12);
    cr_assert_float_eq(md.last[1], 1.5, 1e-12);
    cr_assert_float_eq(md.last[2], -1, 1e-12);
    /* k = alpha, gamma, l0, s0 (s1 closes the sum) + 1 = 5 */
    cr_assert_eq(md.k, 5);
}

Test(forecast, aicc_formula)
{
    /* -2(-10) + 2*3 + 2*3*4/(20-3-1) = 20 + 6 + 1.5 */
    cr_assert_float_eq(ets_aicc(-10, 3, 20), 27.5, 1e-12);
    cr_assert(isinf(ets_aicc(-10, 3, 4)));
}

/* ---- names ---------------------------------------------------------------- */

Test(forecast, spec_parse_and_name)
{
    ets_spec_t s;
    char buf[32];
    cr_assert(ets_spec_parse("MAdM", &s));
    cr_assert(s.error == ETS_MULT && s.trend == ETS_ADD && s.damped && s.season == ETS_MULT);
    ets_spec_name(&s, buf, sizeof buf);
    cr_assert_str_eq(buf, "ETS(M,Ad,M)");
    cr_assert(ets_spec_parse("ETS(A,N,A)", &s));
    cr_assert(s.error == ETS_ADD && s.trend == ETS_NONE && s.season == ETS_ADD && !s.damped);
    cr_assert_not(ets_spec_parse("ANdN", &s));
    cr_assert_not(ets_spec_parse("XNN", &s));
    cr_assert_not(ets_spec_parse("ANNN", &s));
}

/* ---- admissibility: the hand-written root test against GSL's roots ------- */

static bool admissible_by_roots(double alpha, double beta, double gamma, double phi, size_t m)
{
    /* R's admissible() for a seasonal damped model, roots by GSL */
    if (gamma < fmax(1 - 1 / phi - alpha, 0.0) || gamma > 1 + 1 / phi - alpha)
        return false;
    if (alpha < 1 - 1 / phi - gamma * (1 - (double)m + phi + phi * (double)m) / (2 * phi * (double)m))
        return false;
    if (beta < -(1 - phi) * (gamma / (double)m + alpha))
        return false;
    double P[32], z[64];
    P[0] = phi * (1 - alpha - gamma);
    P[1] = alpha + beta - alpha * phi + gamma - 1;
    for (size_t i = 2; i < m; i++)
        P[i] = alpha + beta - alpha * phi;
    P[m] = alpha + beta - phi;
    P[m + 1] = 1;
    gsl_poly_complex_workspace *w = gsl_poly_complex_workspace_alloc(m + 2);
    gsl_poly_complex_solve(P, m + 2, w, z);
    gsl_poly_complex_workspace_free(w);
    double mx = 0;
    for (size_t i = 0; i < m + 1; i++)
        mx = fmax(mx, hypot(z[2 * i], z[2 * i + 1]));
    return mx <= 1 + 1e-10;
}

Test(forecast, admissible_matches_root_search)
{
    ets_spec_t s = { ETS_ADD, ETS_ADD, ETS_ADD, true };
    unsigned long seed = 12345;
    size_t agree = 0, cases = 0, rejected = 0;
    for (int i = 0; i < 4000; i++) {
        double u[4];
        for (int k = 0; k < 4; k++) {
            seed = seed * 6364136223846793005UL + 1442695040888963407UL;
            u[k] = (double)(seed >> 11) / 9007199254740992.0;
        }
        size_t m = i % 2 ? 12 : 4;
        double alpha = u[0] * 1.2, beta = u[1] * alpha, gamma = u[2] * 1.2, phi = 0.8 + 0.2 * u[3];
        bool want = admissible_by_roots(alpha, beta, gamma, phi, m);
        bool got = ets_admissible(&s, m, alpha, beta, gamma, phi);
        cases++;
        agree += want == got;
        rejected += !want;
    }
    /* every case agrees, and the sample exercises both answers */
    cr_assert_eq(agree, cases, "%zu of %zu agree", agree, cases);
    cr_assert(rejected > 100 && rejected < cases - 100, "rejected %zu", rejected);
}

/* ---- known answers ---------------------------------------------------------- */

static forecast_options_t opts(forecast_method_t method, size_t h, size_t season)
{
    forecast_options_t o;
    forecast_options_default(&o);
    o.method = method;
    o.horizon = h;
    o.season = season;
    return o;
}

Test(forecast, constant_series_is_flat_for_every_model_method)
{
    double y[30];
    for (int i = 0; i < 30; i++)
        y[i] = 7.5;
    const forecast_method_t ms[] = { FC_METHOD_ETS, FC_METHOD_THETA, FC_METHOD_COMB, FC_METHOD_AUTO,
                                     FC_METHOD_SNAIVE, FC_METHOD_NAIVE, FC_METHOD_DRIFT };
    for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++) {
        forecast_options_t o = opts(ms[k], 6, 12);
        forecast_result_t r;
        ops_error_t err = { 0 };
        cr_assert_eq(forecast_series(y, 30, &o, &r, &err), OPS_OK, "%s", err.message);
        for (int i = 0; i < 6; i++) {
            cr_assert_float_eq(r.point[i], 7.5, 1e-12);
            cr_assert_float_eq(r.lo[1][i], 7.5, 1e-12);
            cr_assert_float_eq(r.hi[1][i], 7.5, 1e-12);
        }
        forecast_result_free(&r);
    }
}

Test(forecast, drift_on_a_line_is_exact)
{
    /* y = 3 + 2t: slope (y_n - y_1)/(n-1) = 2, no residual, so the forecast
     * continues the line with zero-width intervals. */
    double y[30];
    for (int t = 0; t < 30; t++)
        y[t] = 3 + 2.0 * t;
    forecast_options_t o = opts(FC_METHOD_DRIFT, 5, 1);
    forecast_result_t r;
    cr_assert_eq(forecast_series(y, 30, &o, &r, NULL), OPS_OK);
    for (int i = 0; i < 5; i++) {
        cr_assert_float_eq(r.point[i], 3 + 2.0 * (30 + i), 1e-9);
        cr_assert_float_eq(r.hi[1][i] - r.lo[1][i], 0, 1e-9);
    }
    cr_assert_str_eq(r.model, "Drift");
    forecast_result_free(&r);
}

Test(forecast, ets_aan_on_a_line_continues_it)
{
    double y[30];
    for (int t = 0; t < 30; t++)
        y[t] = 50 + 2.0 * t;
    ets_spec_t s = { ETS_ADD, ETS_ADD, ETS_NONE, false };
    ets_model_t md;
    ops_error_t err = { 0 };
    cr_assert_eq(ets_fit(y, 30, 1, &s, &md, &err), OPS_OK, "%s", err.message);
    double f[4];
    cr_assert_eq(ets_forecast(&md, 4, NULL, 0, 1, f, NULL, NULL, NULL), OPS_OK);
    for (int i = 0; i < 4; i++)
        cr_assert_float_eq(f[i], 50 + 2.0 * (30 + i), 1e-3, "step %d: %g", i + 1, f[i]);
}

Test(forecast, theta_on_a_line_adds_half_the_slope)
{
    /* Theta = SES + b/2 (i + (1-(1-a)^n)/a). On a line SES tracks the data
     * (alpha at its upper bound 0.9999), so the level is ~ the last value and
     * step h is ~ y_n + (b/2) h: with b = 2, y_n = 108, step 3 ~ 111. */
    double y[30];
    for (int t = 0; t < 30; t++)
        y[t] = 50 + 2.0 * t;
    double f[3];
    theta_info_t ti;
    cr_assert_eq(theta_forecast(y, 30, 1, 3, NULL, 0, f, NULL, NULL, &ti, NULL), OPS_OK);
    cr_assert_float_eq(ti.drift, 1.0, 1e-9);
    cr_assert_not(ti.seasonal);
    cr_assert_float_eq(f[0], 109, 0.01);
    cr_assert_float_eq(f[2], 111, 0.01);
}

static const double pattern[12] = { -20, -25, -5, 0, 5, 15, 30, 35, 10, -5, -15, -25 };

Test(forecast, snaive_repeats_a_pure_seasonal_pattern)
{
    double y[48];
    for (int t = 0; t < 48; t++)
        y[t] = 200 + pattern[t % 12];
    forecast_options_t o = opts(FC_METHOD_SNAIVE, 24, 12);
    forecast_result_t r;
    cr_assert_eq(forecast_series(y, 48, &o, &r, NULL), OPS_OK);
    for (int i = 0; i < 24; i++) {
        cr_assert_float_eq(r.point[i], 200 + pattern[(48 + i) % 12], 1e-12);
        cr_assert_float_eq(r.hi[0][i], r.point[i], 1e-12); /* no residual */
    }
    forecast_result_free(&r);
}

Test(forecast, ets_and_theta_recover_a_pure_seasonal_pattern)
{
    double y[48];
    for (int t = 0; t < 48; t++)
        y[t] = 200 + pattern[t % 12];
    const forecast_method_t ms[] = { FC_METHOD_ETS, FC_METHOD_THETA, FC_METHOD_COMB };
    for (size_t k = 0; k < 3; k++) {
        forecast_options_t o = opts(ms[k], 12, 12);
        forecast_result_t r;
        ops_error_t err = { 0 };
        cr_assert_eq(forecast_series(y, 48, &o, &r, &err), OPS_OK, "%s", err.message);
        for (int i = 0; i < 12; i++)
            cr_assert_float_eq(r.point[i], 200 + pattern[(48 + i) % 12], 0.5, "%s step %d: %g", r.model,
                               i + 1, r.point[i]);
        forecast_result_free(&r);
    }
}

Test(forecast, decompose_recovers_additive_season_over_a_line)
{
    /* y = 2t + s[t mod 4], s sums to 0: the 2x4 moving average of a line
     * plus a full period of s is the line, so the figures are s exactly. */
    const double s[4] = { 3, -1, -4, 2 };
    double y[20], idx[4];
    for (int t = 0; t < 20; t++)
        y[t] = 2.0 * t + s[t % 4];
    cr_assert_eq(forecast_decompose(y, 20, 4, false, idx, NULL), OPS_OK);
    for (int i = 0; i < 4; i++)
        cr_assert_float_eq(idx[i], s[i], 1e-12);
    /* multiplicative: y = 100 * (1 + s/10), indexes 1 + s/10 (mean 1) */
    for (int t = 0; t < 20; t++)
        y[t] = 100 * (1 + s[t % 4] / 10);
    cr_assert_eq(forecast_decompose(y, 20, 4, true, idx, NULL), OPS_OK);
    for (int i = 0; i < 4; i++)
        cr_assert_float_eq(idx[i], 1 + s[i] / 10, 1e-12);
    cr_assert_neq(forecast_decompose(y, 7, 4, true, idx, NULL), OPS_OK);
}

/* ---- intervals ------------------------------------------------------------- */

Test(forecast, naive_intervals_by_hand)
{
    /* y = 1, 2, 4, 7: residuals 1, 2, 3, sigma^2 = 14/3; h-step sd sigma sqrt(h) */
    const double y[] = { 1, 2, 4, 7 };
    double p[4], lo95[4], hi95[4];
    double *lo[1] = { lo95 }, *hi[1] = { hi95 };
    const double lv[1] = { 95 };
    cr_assert_eq(forecast_naive(y, 4, 1, 4, lv, 1, p, lo, hi, NULL), OPS_OK);
    double sigma = sqrt(14.0 / 3.0);
    cr_assert_float_eq(p[3], 7, 1e-12);
    cr_assert_float_eq(lo95[0], 7 - Z95 * sigma, 1e-9);
    cr_assert_float_eq(hi95[3], 7 + Z95 * sigma * 2, 1e-9);
}

Test(forecast, ann_analytic_interval_by_hand)
{
    /* Class 1: var_h = sigma2 (1 + (h-1) alpha^2). alpha 0.5, sigma2 4:
     * h = 3: var = 4 * 1.5 = 6. */
    ets_model_t md = { .spec = { ETS_ADD, ETS_NONE, ETS_NONE, false }, .m = 1, .alpha = 0.5,
                       .phi = 1, .n_states = 1, .last = { 10 }, .sigma2 = 4 };
    double p[3], l80[3], h80[3], l95[3], h95[3];
    double *lo[2] = { l80, l95 }, *hi[2] = { h80, h95 };
    const double lv[2] = { 80, 95 };
    cr_assert_eq(ets_forecast(&md, 3, lv, 2, 1, p, lo, hi, NULL), OPS_OK);
    cr_assert_float_eq(p[2], 10, 1e-12);
    cr_assert_float_eq(h95[2], 10 + Z95 * sqrt(6), 1e-9);
    cr_assert_float_eq(l80[0], 10 - Z80 * 2, 1e-9);
}

Test(forecast, aada_interval_by_hand)
{
    /* ETS(A,Ad,A), m = 2, alpha .3, beta .1, gamma .2, phi .9, sigma2 1:
     * c_j = alpha + beta (phi + .. + phi^j) + gamma [j even]
     * c_1 = .3 + .1*.9 = .39; c_2 = .3 + .1*(.9 + .81) + .2 = .671
     * var_3 = 1 + .39^2 + .671^2 = 1.602341 */
    ets_model_t md = { .spec = { ETS_ADD, ETS_ADD, ETS_ADD, true }, .m = 2, .alpha = .3, .beta = .1,
                       .gamma = .2, .phi = .9, .n_states = 4, .last = { 10, 1, 0.5, -0.5 }, .sigma2 = 1 };
    double p[3], l95[3], h95[3];
    double *lo[1] = { l95 }, *hi[1] = { h95 };
    const double lv[1] = { 95 };
    cr_assert_eq(ets_forecast(&md, 3, lv, 1, 1, p, lo, hi, NULL), OPS_OK);
    /* points: l + (phi + .. + phi^h) b + s: h1 10 + .9 + s[1] (-0.5) = 10.4,
     * h2 10 + 1.71 + 0.5 = 12.21, h3 10 + 2.439 - 0.5 = 11.939 */
    cr_assert_float_eq(p[0], 10.4, 1e-12);
    cr_assert_float_eq(p[1], 12.21, 1e-12);
    cr_assert_float_eq(p[2], 11.939, 1e-12);
    cr_assert_float_eq(h95[2] - p[2], Z95 * sqrt(1.602341), 1e-9);
}

Test(forecast, simulated_intervals_are_seeded_and_near_the_normal_ones)
{
    /* ETS(M,N,N) one step ahead: y = l (1 + e), e ~ N(0, 0.01): the 95%
     * interval is 100 (1 -/+ 1.96 * 0.1) = 80.4 .. 119.6 (5000 paths: within 1). */
    ets_model_t md = { .spec = { ETS_MULT, ETS_NONE, ETS_NONE, false }, .m = 1, .alpha = 0.5,
                       .phi = 1, .n_states = 1, .last = { 100 }, .sigma2 = 0.01 };
    double p[2], l95[2], h95[2], l95b[2], h95b[2];
    double *lo[1] = { l95 }, *hi[1] = { h95 }, *lob[1] = { l95b }, *hib[1] = { h95b };
    const double lv[1] = { 95 };
    cr_assert_eq(ets_forecast(&md, 2, lv, 1, 42, p, lo, hi, NULL), OPS_OK);
    cr_assert_eq(ets_forecast(&md, 2, lv, 1, 42, p, lob, hib, NULL), OPS_OK);
    cr_assert_eq(memcmp(l95, l95b, sizeof l95), 0);
    cr_assert_eq(memcmp(h95, h95b, sizeof h95), 0);
    cr_assert_float_eq(l95[0], 80.4, 1.0);
    cr_assert_float_eq(h95[0], 119.6, 1.0);
    cr_assert(h95[1] - l95[1] > h95[0] - l95[0]); /* widens with h */
}

/* ---- bounds ------------------------------------------------------------------ */

Test(forecast, fitted_parameters_respect_the_bounds)
{
    /* a noisy seasonal series (deterministic LCG noise) */
    double y[60];
    unsigned long s = 7;
    for (int t = 0; t < 60; t++) {
        s = s * 6364136223846793005UL + 1442695040888963407UL;
        y[t] = 100 + 0.8 * t + pattern[t % 12] + 8 * ((double)(s >> 11) / 9007199254740992.0 - 0.5);
    }
    const char *models[] = { "ANN", "AAN", "AAdN", "ANA", "AAA", "AAdA", "MNN", "MAN", "MAdN",
                             "MNA", "MAA", "MAdA", "MNM", "MAM", "MAdM" };
    for (size_t k = 0; k < 15; k++) {
        ets_spec_t sp;
        ets_model_t md;
        ops_error_t err = { 0 };
        cr_assert(ets_spec_parse(models[k], &sp));
        cr_assert_eq(ets_fit(y, 60, 12, &sp, &md, &err), OPS_OK, "%s: %s", models[k], err.message);
        cr_assert(md.alpha >= 1e-4 && md.alpha <= 0.9999, "%s alpha %g", models[k], md.alpha);
        if (sp.trend != ETS_NONE)
            cr_assert(md.beta >= 1e-4 && md.beta <= md.alpha, "%s beta %g", models[k], md.beta);
        if (sp.season != ETS_NONE)
            cr_assert(md.gamma >= 1e-4 && md.gamma <= 1 - md.alpha, "%s gamma %g", models[k], md.gamma);
        if (sp.damped)
            cr_assert(md.phi >= 0.8 && md.phi <= 0.98, "%s phi %g", models[k], md.phi);
        cr_assert(ets_admissible(&sp, 12, md.alpha, md.beta, md.gamma, md.phi));
        cr_assert(isfinite(md.aicc));
    }
}

/* ---- degenerate inputs ------------------------------------------------------- */

Test(forecast, short_series_skips_seasonal_models_and_says_so)
{
    const double y[10] = { 5, 6, 7, 6, 8, 9, 8, 10, 11, 10 };
    forecast_options_t o = opts(FC_METHOD_ETS, 3, 12);
    forecast_result_t r;
    cr_assert_eq(forecast_series(y, 10, &o, &r, NULL), OPS_OK);
    cr_assert(strstr(r.reason, "fewer than two seasons") != NULL, "%s", r.reason);
    cr_assert(strchr(r.model, 'A') || strchr(r.model, 'M'));
    cr_assert(strstr(r.model, ",A)") == NULL && strstr(r.model, ",M)") == NULL, "%s", r.model);
    forecast_result_free(&r);
}

Test(forecast, negatives_use_additive_models_only)
{
    double y[40];
    for (int t = 0; t < 40; t++)
        y[t] = -50 + pattern[t % 12] + (t % 3);
    ets_model_t md;
    size_t tried = 0;
    cr_assert_eq(ets_auto(y, 40, 12, &md, &tried, NULL), OPS_OK);
    cr_assert_eq(tried, 6); /* A error x (N, A, Ad) x (N, A) */
    cr_assert_eq(md.spec.error, ETS_ADD);
    cr_assert_neq(md.spec.season, ETS_MULT);
}

Test(forecast, tiny_series_fall_back_to_naive)
{
    const double y[3] = { 1, 0, 2 };
    forecast_options_t o = opts(FC_METHOD_ETS, 2, 12);
    forecast_result_t r;
    cr_assert_eq(forecast_series(y, 3, &o, &r, NULL), OPS_OK);
    cr_assert_str_eq(r.model, "Naive");
    cr_assert_float_eq(r.point[1], 2, 1e-12);
    forecast_result_free(&r);
}

Test(forecast, rejects_bad_options_and_values)
{
    const double y[3] = { 1, NAN, 2 };
    forecast_options_t o = opts(FC_METHOD_ETS, 2, 12);
    forecast_result_t r;
    ops_error_t err = { 0 };
    cr_assert_eq(forecast_series(y, 3, &o, &r, &err), OPS_ERR_INPUT);
    cr_assert(strstr(err.message, "value 2") != NULL, "%s", err.message);
    o.horizon = 0;
    cr_assert_eq(forecast_series(y, 1, &o, &r, &err), OPS_ERR_USAGE);
    o = opts(FC_METHOD_ARIMA, 2, 0);
    cr_assert_eq(forecast_series(y, 1, &o, &r, &err), OPS_ERR_USAGE);
    forecast_result_free(NULL);
}

/* ---- backtest ------------------------------------------------------------------ */

Test(forecast, backtest_of_drift_on_a_line_is_perfect)
{
    /* n = 40, season 12, H = 12: min_train = max(6, min(24, 20)) = 20,
     * origins 28, 27, ..., 23 (six), every error 0, every actual inside. */
    double y[40];
    for (int t = 0; t < 40; t++)
        y[t] = 10 + 3.0 * t;
    forecast_options_t o = opts(FC_METHOD_DRIFT, 12, 12);
    forecast_backtest_t bt;
    cr_assert_eq(forecast_backtest(y, 40, &o, &bt, NULL), OPS_OK);
    cr_assert_eq(bt.origins, 6);
    cr_assert_float_eq(bt.mase, 0, 1e-9);
    cr_assert_float_eq(bt.smape, 0, 1e-9);
    cr_assert_float_eq(bt.bias, 0, 1e-9);
    cr_assert_float_eq(bt.coverage[1], 1, 1e-12);
}

Test(forecast, backtest_of_naive_by_hand)
{
    /* y = 0..9 then 20: n = 11, season 1, horizon 1:
     * min_train = max(6, min(2, 5)) = 6, H = 1; origins need at least
     * min_train values before them: 10, 9, 8, 7, 6 (five).
     * Naive errors f - y: origin 10: 9 - 20 = -11; origins 9..6: -1 (four).
     * MASE scale at each origin = mean |diff| of the training data = 1, so
     * MASE = (11 + 4) / 5 = 3; bias = -15 / 5 = -3;
     * MAPE = (100*11/20 + 100/9 + 100/8 + 100/7 + 100/6) / 5 */
    double y[11];
    for (int t = 0; t < 10; t++)
        y[t] = t;
    y[10] = 20;
    forecast_options_t o = opts(FC_METHOD_NAIVE, 1, 1);
    forecast_backtest_t bt;
    cr_assert_eq(forecast_backtest(y, 11, &o, &bt, NULL), OPS_OK);
    cr_assert_eq(bt.origins, 5);
    cr_assert_float_eq(bt.mase, 3, 1e-12);
    cr_assert_float_eq(bt.bias, -3, 1e-12);
    cr_assert_float_eq(bt.mape, (55 + 100.0 / 9 + 100.0 / 8 + 100.0 / 7 + 100.0 / 6) / 5, 1e-9);
}

Test(forecast, backtest_too_short_is_nan)
{
    const double y[5] = { 1, 2, 3, 4, 5 };
    forecast_options_t o = opts(FC_METHOD_NAIVE, 3, 12);
    forecast_backtest_t bt;
    cr_assert_eq(forecast_backtest(y, 5, &o, &bt, NULL), OPS_OK);
    cr_assert_eq(bt.origins, 0);
    cr_assert(isnan(bt.mase));
}

Test(forecast, seasonality_test)
{
    double y[48];
    for (int t = 0; t < 48; t++)
        y[t] = 200 + pattern[t % 12];
    cr_assert(theta_seasonality_test(y, 48, 12));
    cr_assert_not(theta_seasonality_test(y, 24, 12)); /* needs n > 2m */
    for (int t = 0; t < 48; t++)
        y[t] = 5;
    cr_assert_not(theta_seasonality_test(y, 48, 12));
}

Test(forecast, comb_is_the_median_of_its_members)
{
    /* the combination's point and bounds are, step by step, the median of
     * the ETS, Theta and seasonal naive results for the same options */
    double y[40];
    unsigned long s = 11;
    for (int t = 0; t < 40; t++) {
        s = s * 6364136223846793005UL + 1442695040888963407UL;
        y[t] = 300 + 2.0 * t + 3 * pattern[t % 12] + 20 * ((double)(s >> 11) / 9007199254740992.0 - 0.5);
    }
    const forecast_method_t ms[3] = { FC_METHOD_ETS, FC_METHOD_THETA, FC_METHOD_SNAIVE };
    forecast_result_t r[3], c;
    for (int k = 0; k < 3; k++) {
        forecast_options_t o = opts(ms[k], 6, 12);
        o.calibrate = false; /* the rule under test, before any calibration */
        cr_assert_eq(forecast_series(y, 40, &o, &r[k], NULL), OPS_OK);
    }
    forecast_options_t o = opts(FC_METHOD_COMB, 6, 12);
    o.calibrate = false;
    cr_assert_eq(forecast_series(y, 40, &o, &c, NULL), OPS_OK);
    for (int i = 0; i < 6; i++) {
        double v[3] = { r[0].point[i], r[1].point[i], r[2].point[i] };
        double lo[3] = { r[0].lo[1][i], r[1].lo[1][i], r[2].lo[1][i] };
        /* median of three = sum - min - max */
        double med = v[0] + v[1] + v[2] - fmin(v[0], fmin(v[1], v[2])) - fmax(v[0], fmax(v[1], v[2]));
        double medlo = lo[0] + lo[1] + lo[2] - fmin(lo[0], fmin(lo[1], lo[2])) - fmax(lo[0], fmax(lo[1], lo[2]));
        cr_assert_float_eq(c.point[i], med, 1e-9);
        cr_assert_float_eq(c.lo[1][i], medlo, 1e-9);
    }
    cr_assert(strncmp(c.model, "Comb(ETS(", 9) == 0 && strstr(c.model, ",Theta,SNaive)") != NULL, "%s", c.model);
    cr_assert_not_null(c.fitted);
    for (int k = 0; k < 3; k++)
        forecast_result_free(&r[k]);
    forecast_result_free(&c);
}

/* ---- ARIMA ------------------------------------------------------------------------ */

Test(forecast, arima_ar1_exact_likelihood_by_hand)
{
    /* AR(1), phi 0.5, no mean, y = 1, 2, 0.5. Stationary start: var(y1) =
     * sigma2 / (1 - phi^2), so F1 = 4/3, then F = 1. Innovations 1, 1.5,
     * -0.5; ssq = 1 / (4/3) + 2.25 + 0.25 = 3.25; sigma2 (ML) = 3.25 / 3;
     * loglik = -(3 log(2 pi sigma2) + log(4/3) + 3) / 2. */
    const double y[] = { 1, 2, 0.5 };
    arima_model_t md = { .spec = { .p = 1, .m = 1 }, .ar = { 0.5 } };
    double s2 = 3.25 / 3;
    double want = -0.5 * (3 * log(2 * M_PI * s2) + log(4.0 / 3.0) + 3);
    cr_assert_float_eq(arima_loglik(y, 3, &md), want, 1e-12);
    /* sigma2 as forecast::Arima: ssq / (n_used - coefficients) = 3.25 / 2 */
    cr_assert_float_eq(md.sigma2, 3.25 / 2, 1e-12);
    cr_assert_eq(md.k, 2);
    cr_assert_eq(md.n_used, 3);
}

Test(forecast, arima_ma1_exact_likelihood_by_hand)
{
    /* MA(1), theta 0.5, y = 1, 0: gamma0 = 1.25, gamma1 = 0.5.
     * F1 = 1.25, v1 = 1; E[y2|y1] = 0.5/1.25 = 0.4, F2 = 1.25 - 0.25/1.25
     * = 1.05, v2 = -0.4. ssq = 1/1.25 + 0.16/1.05, sumlog = log 1.25 +
     * log 1.05. */
    const double y[] = { 1, 0 };
    arima_model_t md = { .spec = { .q = 1, .m = 1 }, .ma = { 0.5 } };
    double ssq = 1 / 1.25 + 0.16 / 1.05, s2 = ssq / 2;
    double want = -0.5 * (2 * log(2 * M_PI * s2) + log(1.25) + log(1.05) + 2);
    cr_assert_float_eq(arima_loglik(y, 2, &md), want, 1e-12);
}

Test(forecast, arima_random_walk_is_the_naive_forecast)
{
    /* ARIMA(0,1,0): the forecast is the last value, the h-step standard
     * deviation sigma sqrt(h) with sigma2 the mean squared difference */
    const double y[] = { 10, 12, 11, 14, 13, 15, 17, 16 };
    arima_spec_t sp = { .d = 1, .m = 1 };
    arima_model_t md;
    cr_assert_eq(arima_fit(y, 8, &sp, true, &md, NULL), OPS_OK);
    double ss = 0;
    for (int t = 1; t < 8; t++)
        ss += (y[t] - y[t - 1]) * (y[t] - y[t - 1]);
    cr_assert_float_eq(md.sigma2, ss / 7, 1e-9);
    const double lv[1] = { 95 };
    double point[3], lo[3], hi[3], *lop[1] = { lo }, *hip[1] = { hi };
    cr_assert_eq(arima_forecast(&md, y, 8, 3, lv, 1, point, lop, hip, NULL), OPS_OK);
    for (int i = 0; i < 3; i++) {
        cr_assert_float_eq(point[i], 16, 1e-9);
        cr_assert_float_eq(hi[i] - point[i], Z95 * sqrt(ss / 7 * (i + 1)), 1e-9);
    }
}

Test(forecast, arima_drift_and_seasonal_difference_by_hand)
{
    /* ARIMA(0,1,0) with drift: the ML drift of white-noise differences is
     * their mean, (y_n - y_1)/(n - 1) = 6/7, and the forecast continues
     * the line from the last value */
    const double y[] = { 10, 12, 11, 14, 13, 15, 17, 16 };
    arima_spec_t sp = { .d = 1, .m = 1, .constant = true };
    arima_model_t md;
    cr_assert_eq(arima_fit(y, 8, &sp, true, &md, NULL), OPS_OK);
    cr_assert_float_eq(md.mu, 6.0 / 7.0, 1e-4);
    double point[2];
    cr_assert_eq(arima_forecast(&md, y, 8, 2, NULL, 0, point, NULL, NULL, NULL), OPS_OK);
    cr_assert_float_eq(point[0], 16 + md.mu, 1e-9);
    cr_assert_float_eq(point[1], 16 + 2 * md.mu, 1e-9);
    /* ARIMA(0,0,0)(0,1,0)[4]: the seasonal naive forecast */
    const double q[] = { 5, 9, 2, 7, 6, 8, 3, 7, 5, 10, 2, 8 };
    arima_spec_t ss = { .D = 1, .m = 4 };
    cr_assert_eq(arima_fit(q, 12, &ss, true, &md, NULL), OPS_OK);
    double f[6];
    cr_assert_eq(arima_forecast(&md, q, 12, 6, NULL, 0, f, NULL, NULL, NULL), OPS_OK);
    const double want[6] = { 5, 10, 2, 8, 5, 10 };
    for (int i = 0; i < 6; i++)
        cr_assert_float_eq(f[i], want[i], 1e-9);
}

/* deterministic standard normals (Box-Muller on an LCG) */
static double lcg_normal(unsigned long *s)
{
    *s = *s * 6364136223846793005UL + 1442695040888963407UL;
    double u1 = ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
    *s = *s * 6364136223846793005UL + 1442695040888963407UL;
    double u2 = ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

Test(forecast, arima_unit_root_and_seasonality_tests)
{
    double wn[120], rw[120], seas[120];
    unsigned long s = 7;
    double v = 0;
    for (int t = 0; t < 120; t++) {
        wn[t] = lcg_normal(&s);
        v += lcg_normal(&s);
        rw[t] = v;
        seas[t] = 10 * pattern[t % 12] + 0.3 * lcg_normal(&s);
    }
    /* KPSS: white noise is level-stationary (statistic well below the 5%
     * critical value 0.463), a random walk is not */
    cr_assert_lt(arima_kpss(wn, 120), 0.463);
    cr_assert_gt(arima_kpss(rw, 120), 0.463);
    cr_assert_eq(arima_ndiffs(wn, 120, 2), 0);
    cr_assert_eq(arima_ndiffs(rw, 120, 2), 1);
    /* a strong fixed season: strength near 1, one seasonal difference */
    cr_assert_gt(arima_seasonal_strength(seas, 120, 12), 0.9);
    cr_assert_eq(arima_nsdiffs(seas, 120, 12), 1);
    cr_assert_eq(arima_nsdiffs(wn, 120, 12), 0);
    cr_assert(isnan(arima_seasonal_strength(wn, 24, 12)));
}

Test(forecast, arima_auto_finds_the_structure)
{
    /* a random walk: d = 1; an AR(1) with phi 0.7 around 50: d = 0, an AR
     * term and a mean; a seasonal pattern: D = 1 */
    double rw[150], ar[150], seas[96];
    unsigned long s = 99;
    double v = 0, a = 0;
    for (int t = 0; t < 150; t++) {
        v += lcg_normal(&s);
        rw[t] = 100 + v;
        a = 0.7 * a + lcg_normal(&s);
        ar[t] = 50 + a;
    }
    for (int t = 0; t < 96; t++)
        seas[t] = 200 + 10 * pattern[t % 12] + lcg_normal(&s);
    arima_model_t md;
    cr_assert_eq(arima_auto(rw, 150, 1, false, &md, NULL, NULL), OPS_OK);
    cr_assert_eq(md.spec.d, 1);
    cr_assert_eq(arima_auto(ar, 150, 1, false, &md, NULL, NULL), OPS_OK);
    cr_assert_eq(md.spec.d, 0);
    cr_assert(md.spec.constant && md.spec.p >= 1);
    cr_assert_float_eq(md.mu, 50, 1.0);
    cr_assert_eq(arima_auto(seas, 96, 12, false, &md, NULL, NULL), OPS_OK);
    cr_assert_eq(md.spec.D, 1);
    char name[96];
    arima_spec_name(&md.spec, name, sizeof name);
    cr_assert(strstr(name, "[12]") != NULL, "%s", name);
}

Test(forecast, arima_fit_stays_stationary_and_invertible)
{
    /* an explosive series forced into ARIMA(2,0,1): the transforms keep
     * every root of the fitted AR and MA polynomials outside the unit
     * circle (checked with GSL's root finder) */
    double y[60];
    double v = 1;
    for (int t = 0; t < 60; t++) {
        v *= 1.05;
        y[t] = v + (t % 3) * 0.1;
    }
    arima_spec_t sp = { .p = 2, .q = 1, .m = 1, .constant = true };
    arima_model_t md;
    cr_assert_eq(arima_fit(y, 60, &sp, true, &md, NULL), OPS_OK);
    double a[3] = { 1, -md.ar[0], -md.ar[1] }, z[4];
    gsl_poly_complex_workspace *w = gsl_poly_complex_workspace_alloc(3);
    cr_assert_eq(gsl_poly_complex_solve(a, 3, w, z), GSL_SUCCESS);
    gsl_poly_complex_workspace_free(w);
    for (int i = 0; i < 2; i++)
        cr_assert_gt(hypot(z[2 * i], z[2 * i + 1]), 1.0);
    cr_assert_lt(fabs(md.ma[0]), 1.0);
}

Test(forecast, mean_is_the_mean_of_ets_arima_and_theta)
{
    double y[48];
    unsigned long s = 5;
    for (int t = 0; t < 48; t++)
        y[t] = 300 + 2.0 * t + 3 * pattern[t % 12] + 5 * lcg_normal(&s);
    const forecast_method_t ms[3] = { FC_METHOD_ETS, FC_METHOD_ARIMA, FC_METHOD_THETA };
    forecast_result_t r[3], c;
    for (int k = 0; k < 3; k++) {
        forecast_options_t o = opts(ms[k], 6, 12);
        o.calibrate = false;
        cr_assert_eq(forecast_series(y, 48, &o, &r[k], NULL), OPS_OK);
    }
    forecast_options_t o = opts(FC_METHOD_MEAN, 6, 12);
    o.calibrate = false;
    cr_assert_eq(forecast_series(y, 48, &o, &c, NULL), OPS_OK);
    for (int i = 0; i < 6; i++) {
        cr_assert_float_eq(c.point[i], (r[0].point[i] + r[1].point[i] + r[2].point[i]) / 3, 1e-9);
        cr_assert_float_eq(c.hi[1][i], (r[0].hi[1][i] + r[1].hi[1][i] + r[2].hi[1][i]) / 3, 1e-9);
    }
    cr_assert(strncmp(c.model, "Mean(ETS(", 9) == 0 && strstr(c.model, ",ARIMA(") != NULL, "%s", c.model);
    forecast_options_t o2 = opts(FC_METHOD_EA, 6, 12);
    o2.calibrate = false;
    forecast_result_t c2;
    cr_assert_eq(forecast_series(y, 48, &o2, &c2, NULL), OPS_OK);
    for (int i = 0; i < 6; i++) {
        cr_assert_float_eq(c2.point[i], (r[0].point[i] + r[1].point[i]) / 2, 1e-9);
        cr_assert_float_eq(c2.lo[0][i], (r[0].lo[0][i] + r[1].lo[0][i]) / 2, 1e-9);
    }
    cr_assert(strncmp(c2.model, "Mean(ETS(", 9) == 0 && strstr(c2.model, "Theta") == NULL, "%s", c2.model);
    forecast_result_free(&c2);
    cr_assert_eq(forecast_method_auto(), FC_METHOD_EA);
    for (int k = 0; k < 3; k++)
        forecast_result_free(&r[k]);
    forecast_result_free(&c);
}

Test(forecast, calibration_scales_each_half_width_by_its_factor)
{
    /* calibrated bounds = point -/+ factor x the model's own half-widths,
     * with the factor reported per level and kept within [0.5, 4] */
    double y[60];
    unsigned long s = 3;
    for (int t = 0; t < 60; t++)
        y[t] = 100 + 10 * pattern[t % 12] + 4 * lcg_normal(&s);
    forecast_options_t o = opts(FC_METHOD_ARIMA, 12, 12);
    forecast_result_t raw, cal;
    o.calibrate = false;
    cr_assert_eq(forecast_series(y, 60, &o, &raw, NULL), OPS_OK);
    cr_assert_float_eq(raw.interval_scale[1], 1.0, 0);
    o.calibrate = true;
    cr_assert_eq(forecast_series(y, 60, &o, &cal, NULL), OPS_OK);
    cr_assert_geq(cal.check_origins, 3);
    for (size_t l = 0; l < 2; l++) {
        double f = cal.interval_scale[l];
        cr_assert(f >= 0.5 && f <= 4.0, "factor %g", f);
        for (int i = 0; i < 12; i++) {
            cr_assert_float_eq(cal.point[i], raw.point[i], 1e-9);
            cr_assert_float_eq(cal.hi[l][i] - cal.point[i], f * (raw.hi[l][i] - raw.point[i]), 1e-9);
            cr_assert_float_eq(cal.point[i] - cal.lo[l][i], f * (raw.point[i] - raw.lo[l][i]), 1e-9);
        }
    }
    forecast_result_free(&raw);
    forecast_result_free(&cal);
}

Test(forecast, check_flags_a_method_worse_than_seasonal_naive)
{
    /* 10, 0, 10, 0, ... with season 2: seasonal naive is exact (up to the
     * small wobble), Theta cannot seasonally adjust a series with zeros and
     * forecasts near the average 5, so its check MASE is far above 1 and
     * above seasonal naive's: flagged. The guard then uses seasonal naive
     * and says so. */
    double y[40];
    for (int t = 0; t < 40; t++)
        y[t] = (t % 2 ? 0.0 : 10.0) + (t % 3) * 0.01;
    forecast_options_t o = opts(FC_METHOD_THETA, 4, 2);
    forecast_result_t r;
    cr_assert_eq(forecast_series(y, 40, &o, &r, NULL), OPS_OK);
    cr_assert(r.worse_than_snaive);
    cr_assert_gt(r.check_mase, 1.0);
    cr_assert_lt(r.check_mase_snaive, r.check_mase);
    cr_assert_str_eq(r.model, "Theta");
    cr_assert(strstr(r.action, "kept") != NULL, "%s", r.action);
    /* the reason, which the report shows, says the flag and what was done
     * first, then why the model was chosen */
    char head[96];
    snprintf(head, sizeof head, "worse than seasonal naive at %zu earlier origins (MASE %.2f vs %.2f): kept",
             r.check_origins, r.check_mase, r.check_mase_snaive);
    cr_assert(strncmp(r.reason, head, strlen(head)) == 0, "%s", r.reason);
    cr_assert(strstr(r.reason, "intervals widened") != NULL, "%s", r.reason);
    cr_assert(strstr(r.reason, "Theta method") != NULL, "%s", r.reason);
    forecast_result_free(&r);
    o.guard = true;
    cr_assert_eq(forecast_series(y, 40, &o, &r, NULL), OPS_OK);
    cr_assert(r.worse_than_snaive);
    cr_assert_str_eq(r.model, "SNaive");
    cr_assert(strstr(r.action, "replaced by SNaive") != NULL, "%s", r.action);
    cr_assert(strstr(r.reason, "worse than seasonal naive") == r.reason, "%s", r.reason);
    cr_assert(strstr(r.reason, "replaced Theta by SNaive") != NULL, "%s", r.reason);
    cr_assert_float_eq(r.point[0], y[38], 1e-12);
    cr_assert_float_eq(r.point[1], y[39], 1e-12);
    forecast_result_free(&r);
}
