/*
 * forecast.h - monthly-series forecasting: benchmarks (naive, seasonal naive,
 * drift), the exponential-smoothing (ETS) family in state-space form fitted
 * by maximum likelihood, the Theta method, a combination, 80/95% prediction
 * intervals and rolling-origin backtests.
 *
 * The ETS code follows the conventions of R's forecast package (Hyndman et
 * al.) so that results can be compared with R's `ets`: the state vector is
 * (l, b, s[0..m-1]) with s[0] the most recent seasonal state, the criterion is
 * lik = n*log(sum e^2) (+ 2*sum log|yhat| for multiplicative errors),
 * loglik = -lik/2, and AICc counts k = smoothing parameters + free initial
 * states + 1. See docs/forecasting.md.
 *
 * Ownership: forecast_series() allocates the arrays of a forecast_result_t;
 * forecast_result_free() releases them (not the struct itself). Every other
 * function writes into caller-provided storage.
 */
#ifndef OPSREPORT_FORECAST_H
#define OPSREPORT_FORECAST_H

#include "opsreport/common.h"

#include <stdbool.h>
#include <stddef.h>

#define FC_MAX_LEVELS 4
#define ETS_MAX_SEASON 24 /* like R's ets: no seasonal ETS above m = 24 */
#define ETS_MAX_STATES (2 + ETS_MAX_SEASON)

/* ---- high-level API ---------------------------------------------------- */

typedef enum {
    FC_METHOD_NAIVE,
    FC_METHOD_SNAIVE,
    FC_METHOD_DRIFT,
    FC_METHOD_ETS,   /* automatic ETS by AICc */
    FC_METHOD_THETA,
    FC_METHOD_ARIMA, /* automatic seasonal ARIMA (arima_auto) */
    FC_METHOD_COMB,  /* median of ETS, Theta and SNaive (points and interval bounds) */
    FC_METHOD_AUTO,  /* the default chosen by measured accuracy: see forecast_method_auto */
    FC_METHOD_MEAN,  /* mean of ETS, ARIMA and Theta (points and interval bounds) */
    FC_METHOD_EA     /* mean of ETS and ARIMA ("ea"; the default: see forecast_method_auto) */
} forecast_method_t;

typedef struct {
    size_t horizon;          /* steps ahead, 1..1200 */
    size_t season;           /* 12 for monthly, 1 = no seasonality */
    forecast_method_t method;
    unsigned long seed;      /* for simulated intervals */
    size_t n_levels;         /* 0..FC_MAX_LEVELS */
    double levels[FC_MAX_LEVELS]; /* percent, e.g. 80, 95 */
    bool backtest;           /* fill forecast_result_t.backtest */
    bool calibrate;          /* scale interval widths by the check's errors (default on) */
    bool guard;              /* fall back to seasonal naive when the check finds the
                              * method worse than it (default off: on the benchmark
                              * the fallback lost more than it saved; the flag is
                              * set either way) */
} forecast_options_t;

typedef struct {
    double mase, smape, mape, bias, coverage[FC_MAX_LEVELS];
    size_t origins;          /* 0 when the series was too short: all NAN */
} forecast_backtest_t;

typedef struct {
    char model[96];          /* "ETS(M,Ad,M)", "Theta", "SNaive", "Comb(ETS(M,A,M),Theta,SNaive)" */
    char params[256];        /* "alpha=0.31 beta=0.01 ..." */
    char reason[256];        /* why this model was used */
    double aicc;             /* NAN if not applicable */
    size_t horizon;
    size_t n_levels;
    double *point, *lo[FC_MAX_LEVELS], *hi[FC_MAX_LEVELS]; /* horizon values each */
    double *fitted;          /* n one-step in-sample fitted values, or NULL */
    size_t n_fitted;
    forecast_backtest_t backtest; /* NAN / origins 0 unless options.backtest */
    /* The check: a rolling-origin run of the chosen models at up to 6
     * earlier origins (the full series' parameters run over the data up to
     * each origin: neither re-selected nor refitted), for calibration and
     * guard. A flagged series' reason starts with the flag and what was
     * done about it. */
    size_t check_origins;    /* 0: too short to check (fields below NAN / 1) */
    double check_mase;       /* MASE of the method at those origins */
    double check_mase_snaive; /* MASE of seasonal naive (naive if m = 1) there */
    bool worse_than_snaive;  /* check_mase > 1 and above check_mase_snaive */
    char action[160];        /* what was done: "" when nothing, else e.g. the fallback */
    double interval_scale[FC_MAX_LEVELS]; /* factor applied to each level's half-widths (1: none) */
} forecast_result_t;

/* Defaults: horizon 12, season 12, method AUTO, seed 20261031, levels 80 and
 * 95, no backtest, calibrate on, guard off. */
void forecast_options_default(forecast_options_t *opt);

/* The method FC_METHOD_AUTO resolves to (chosen by the benchmark). */
forecast_method_t forecast_method_auto(void);

/* "auto", "ets", "theta", "arima", "mean", "ea", "comb", "naive", "snaive", "drift" ->
 * method; false if unknown. */
bool forecast_method_parse(const char *name, forecast_method_t *method);
const char *forecast_method_name(forecast_method_t method);

/* Forecasts y[0..n-1] (n >= 1, finite values). On success *out owns newly
 * allocated arrays; on failure *out holds no allocation. Short series
 * (fewer than two seasons) drop seasonal models; constant series get a flat
 * forecast with zero-width intervals; the reason says so. */
ops_status_t forecast_series(const double *y, size_t n, const forecast_options_t *opt,
                             forecast_result_t *out, ops_error_t *err);

/* Releases the arrays of r (not r itself); accepts NULL. */
void forecast_result_free(forecast_result_t *r);

/* Rolling-origin evaluation of opt->method on y: see forecast.c for the
 * origins. Writes NAN metrics and origins = 0 if y is too short. */
ops_status_t forecast_backtest(const double *y, size_t n, const forecast_options_t *opt,
                               forecast_backtest_t *bt, ops_error_t *err);

/* ---- ETS ----------------------------------------------------------------- */

typedef enum { ETS_NONE = 0, ETS_ADD = 1, ETS_MULT = 2 } ets_component_t;

typedef struct {
    ets_component_t error;  /* ETS_ADD or ETS_MULT */
    ets_component_t trend;  /* ETS_NONE or ETS_ADD (multiplicative trend not supported) */
    ets_component_t season; /* ETS_NONE, ETS_ADD or ETS_MULT */
    bool damped;            /* only with trend ETS_ADD */
} ets_spec_t;

typedef struct {
    ets_spec_t spec;
    size_t m;                  /* season length used (1 if non-seasonal) */
    size_t n;                  /* observations fitted */
    double alpha, beta, gamma, phi; /* beta/gamma 0 and phi 1 when absent */
    size_t n_states;           /* 1 + (trend) + (season ? m : 0) */
    double init[ETS_MAX_STATES];  /* x0 = (l0, b0, s[0..m-1]) */
    double last[ETS_MAX_STATES];  /* x_n, the state after the last observation */
    double lik;                /* n*log(sum e^2) [+ 2*sum log|yhat|] */
    double loglik;             /* -lik / 2 */
    size_t k;                  /* free parameters + free initial states + 1 */
    double aic, aicc, bic;
    double sse;                /* sum of squared (relative, for M errors) errors */
    double sigma2;             /* sse / (n - k + 1), as R's ets reports it */
    double mse;                /* mean squared one-step error on the data scale */
} ets_model_t;

/* "MAdM", "ETS(M,Ad,M)", "M,Ad,M" -> spec; false if not one of the supported
 * forms. */
bool ets_spec_parse(const char *text, ets_spec_t *spec);
/* "ETS(M,Ad,M)" into buf. */
void ets_spec_name(const ets_spec_t *spec, char *buf, size_t size);

/* Fits spec to y by maximum likelihood (Nelder-Mead on logistic-bounded
 * smoothing parameters and the initial states). m is the season length
 * (ignored if spec->season == ETS_NONE). Fails with OPS_ERR_INPUT when the
 * model cannot be fitted to these data (too short, non-positive values for a
 * multiplicative component, m > ETS_MAX_SEASON). */
ops_status_t ets_fit(const double *y, size_t n, size_t m, const ets_spec_t *spec,
                     ets_model_t *model, ops_error_t *err);

/* Runs the filter of model (spec, m, parameters and init) over y and fills
 * model->lik, loglik, sse, mse, sigma2 (with k), aic, aicc, bic and last.
 * fitted (n values) may be NULL. Returns model->loglik. */
double ets_loglik(const double *y, size_t n, ets_model_t *model, double *fitted);

/* AICc = -2 loglik + 2k + 2k(k+1)/(n-k-1); INFINITY when n <= k + 1. */
double ets_aicc(double loglik, size_t k, size_t n);

/* R's admissibility test (characteristic roots inside the unit circle). */
bool ets_admissible(const ets_spec_t *spec, size_t m, double alpha, double beta,
                    double gamma, double phi);

/* Fits every admissible ETS model (15 with additive trends; fewer for short or
 * non-positive series) and keeps the lowest AICc. *n_fitted (may be NULL)
 * receives how many were fitted. */
ops_status_t ets_auto(const double *y, size_t n, size_t m, ets_model_t *best,
                      size_t *n_fitted, ops_error_t *err);

/* Point forecasts (the deterministic recursion: the conditional mean for
 * classes 1 and 2, and for class 3 up to one season ahead) and intervals for
 * h steps: analytic for models without multiplicative seasonality (R's
 * classes 1 and 2), otherwise quantiles of 5000 simulated sample paths
 * seeded with seed. lo/hi may be NULL when n_levels == 0. */
ops_status_t ets_forecast(const ets_model_t *model, size_t h, const double *levels,
                          size_t n_levels, unsigned long seed, double *point,
                          double *const *lo, double *const *hi, ops_error_t *err);

/* ---- ARIMA ---------------------------------------------------------------- */

#define ARIMA_MAX_PQ 5      /* non-seasonal AR and MA orders, as auto.arima's max.p/max.q */
#define ARIMA_MAX_SPQ 2     /* seasonal AR and MA orders, as max.P/max.Q */
#define ARIMA_MAX_SEASON ETS_MAX_SEASON /* no seasonal ARIMA terms above this m */

/* ARIMA(p,d,q)(P,D,Q)[m] with an optional constant: the mean when d + D = 0,
 * the drift when d + D = 1 (never with d + D >= 2, as R). */
typedef struct {
    size_t p, d, q, P, D, Q, m; /* m = 1: no seasonal part (P = D = Q = 0) */
    bool constant;
} arima_spec_t;

typedef struct {
    arima_spec_t spec;
    double ar[ARIMA_MAX_PQ], ma[ARIMA_MAX_PQ];     /* (1 - sum ar B^i), (1 + sum ma B^i) */
    double sar[ARIMA_MAX_SPQ], sma[ARIMA_MAX_SPQ]; /* the same in B^m */
    double mu;            /* mean of the differenced series w: the intercept
                           * (d + D = 0), the drift (d = 1) or m x the drift
                           * (D = 1); 0 without a constant */
    size_t n;             /* observations */
    size_t n_used;        /* n - d - D*m, R's n.used */
    size_t k;             /* coefficients + constant + 1 (sigma2), as auto.arima */
    double sigma2;        /* innovation variance as forecast::Arima reports it:
                           * squared one-step errors over n_used - coefficients
                           * (the likelihood uses the ML estimate) */
    double loglik;        /* exact Gaussian log-likelihood of w (R's arima) */
    double aic, aicc, bic;
    bool exact;           /* coefficients from exact ML (else CSS) */
} arima_model_t;

/* "ARIMA(1,1,1)(0,1,1)[12] with drift" into buf. */
void arima_spec_name(const arima_spec_t *spec, char *buf, size_t size);

/* Fits spec to y. exact: maximum likelihood by a Kalman filter (started
 * from the conditional-sum-of-squares optimum, as R's "CSS-ML"); otherwise
 * CSS only, with loglik, aic and aicc from the CSS variance over n_used
 * values (auto.arima's approximation). Stationarity and invertibility are
 * kept by a transform (partial autocorrelations through tanh). Fails with
 * OPS_ERR_INPUT when the model has more parameters than the data allow. */
ops_status_t arima_fit(const double *y, size_t n, const arima_spec_t *spec, bool exact,
                       arima_model_t *model, ops_error_t *err);

/* Exact Gaussian log-likelihood of model's coefficients (sigma2
 * concentrated out, as R's arima) by the Kalman filter; fills model->sigma2, loglik, aic,
 * aicc, bic, n, n_used and k. Returns the log-likelihood (-INFINITY if the AR
 * part is not stationary). */
double arima_loglik(const double *y, size_t n, arima_model_t *model);

/* KPSS level-stationarity statistic with Bartlett weights over
 * trunc(3 sqrt(n)/13) lags (forecast::ndiffs's choice); NAN for n < 3. */
double arima_kpss(const double *y, size_t n);
/* Differences needed by repeated KPSS tests at 5% (critical value 0.463), 0..max_d. */
size_t arima_ndiffs(const double *y, size_t n, size_t max_d);
/* Seasonal strength 1 - var(remainder)/var(season + remainder) of the
 * classical additive decomposition; NAN when n <= 2m. */
double arima_seasonal_strength(const double *y, size_t n, size_t m);
/* 1 if the seasonal strength exceeds 0.64 (forecast::nsdiffs's "seas"), else 0. */
size_t arima_nsdiffs(const double *y, size_t n, size_t m);

/* Hyndman-Khandakar automatic ARIMA: D by seasonal strength, d by KPSS,
 * then a stepwise search over p, q <= 5, P, Q <= 2, p+q+P+Q <= 5 and the
 * constant by AICc (CSS in the search when !exact_search), the best refitted
 * by exact ML. Models with an AR or MA root within 1.01 of the unit circle
 * are rejected, as R. *n_fitted (may be NULL) receives how many were fitted. */
ops_status_t arima_auto(const double *y, size_t n, size_t m, bool exact_search,
                        arima_model_t *best, size_t *n_fitted, ops_error_t *err);

/* Point forecasts (Kalman predictions of the differenced series, then
 * integrated) and intervals from the psi weights of the full model:
 * var_h = sigma2 * sum_{j<h} psi_j^2. y must be the data the model was
 * fitted to. lo/hi may be NULL when n_levels == 0. */
ops_status_t arima_forecast(const arima_model_t *model, const double *y, size_t n, size_t h,
                            const double *levels, size_t n_levels, double *point,
                            double *const *lo, double *const *hi, ops_error_t *err);

/* ---- Theta ---------------------------------------------------------------- */

typedef struct {
    bool seasonal;       /* multiplicative classical decomposition applied */
    double alpha;        /* SES smoothing parameter */
    double drift;        /* half the slope of the linear trend */
    double sigma2;
    double index[ETS_MAX_SEASON]; /* seasonal indexes for steps 1..m ahead */
} theta_info_t;

/* R's thetaf: seasonality test on the lag-m autocorrelation at 90%, classical
 * multiplicative decomposition, SES (ETS(A,N,N)) plus half the linear slope.
 * Any of info, lo, hi may be NULL. */
ops_status_t theta_forecast(const double *y, size_t n, size_t m, size_t h,
                            const double *levels, size_t n_levels, double *point,
                            double *const *lo, double *const *hi, theta_info_t *info,
                            ops_error_t *err);

/* true if the lag-m autocorrelation of y is significant at 90% (one-sided
 * 95%), as R's thetaf decides; false when n <= 2m or y is constant. */
bool theta_seasonality_test(const double *y, size_t n, size_t m);

/* Classical decomposition (R's decompose) seasonal figure: index[i] for
 * positions i, i+m, ... from the start of y. multiplicative: indexes average
 * 1; additive: they sum to 0. Needs n >= 2m. */
ops_status_t forecast_decompose(const double *y, size_t n, size_t m, bool multiplicative,
                                double *index, ops_error_t *err);

/* ---- benchmarks ----------------------------------------------------------- */

/* Naive (season 1), seasonal naive (season m) and drift forecasts with the
 * analytic intervals of Hyndman & Athanasopoulos (FPP3 5.5). */
ops_status_t forecast_naive(const double *y, size_t n, size_t m, size_t h,
                            const double *levels, size_t n_levels, double *point,
                            double *const *lo, double *const *hi, ops_error_t *err);
ops_status_t forecast_drift(const double *y, size_t n, size_t h, const double *levels,
                            size_t n_levels, double *point, double *const *lo,
                            double *const *hi, ops_error_t *err);

/* ---- accuracy ------------------------------------------------------------- */

/* MASE scale: mean |y[t] - y[t-m]| over the training data (m = 1 if n <= m). */
double forecast_mase_scale(const double *y, size_t n, size_t m);

#endif
