/*
 * gen_finance.c - GL actuals and GL budget, exported by a European ERP.
 *
 * Dialect: `;` delimiter, decimal comma with `.` thousands (1.234,56),
 * credits with a trailing minus (1.234,56-), dates dd.mm.yyyy, UTF-8 with a
 * BOM. The company's P&L is a table of (cost centre, account) lines with a
 * monthly base amount at the start of history; revenue and cost of sales
 * follow trend (6%/year) and seasonality, overheads grow 3%/year. Actuals are
 * the monthly total split into journal lines (more lines with --scale, same
 * total); the budget is one row per month x entity x cost centre x account.
 *
 * Incident: Logistics opex runs 7% over budget in the fiscal year of --period.
 * Deliberate bad rows (gl_actuals, last month): one date "31.13.YYYY", one
 * account type "Capex". See generate.c for the full list.
 */
#include "generate/gen.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

typedef struct {
    const char *cost_centre;
    const char *account;
    int type;              /* GL_TYPE_REVENUE, GL_TYPE_COGS, GL_TYPE_OPEX */
    double base;           /* EUR per month, whole group, first month of history */
    bool follows_sales;    /* trend and seasonality of revenue, else 3%/year flat */
    int lines;             /* journal lines per month for the group at --scale 1 */
} gl_line_t;

static const gl_line_t gl_lines[] = {
    { "1100 Sales", "4000 Sales corrugated", GL_TYPE_REVENUE, 2300000, true, 220 },
    { "1100 Sales", "4010 Sales folding cartons", GL_TYPE_REVENUE, 1400000, true, 150 },
    { "1100 Sales", "4020 Sales flexible packaging", GL_TYPE_REVENUE, 800000, true, 90 },
    { "1100 Sales", "4900 Freight recharged", GL_TYPE_REVENUE, 120000, true, 50 },
    { "1200 Production", "5000 Board and paper", GL_TYPE_COGS, 1600000, true, 120 },
    { "1200 Production", "5010 Inks and adhesives", GL_TYPE_COGS, 260000, true, 60 },
    { "1200 Production", "5100 Direct labour", GL_TYPE_COGS, 700000, true, 10 },
    { "1200 Production", "5200 Energy", GL_TYPE_COGS, 330000, true, 6 },
    { "1200 Production", "5300 Freight in", GL_TYPE_COGS, 120000, true, 30 },
    { "1300 Logistics", "6500 Outbound freight", GL_TYPE_OPEX, 260000, true, 80 },
    { "1300 Logistics", "6000 Salaries and wages", GL_TYPE_OPEX, 110000, false, 4 },
    { "1300 Logistics", "6600 Maintenance and repairs", GL_TYPE_OPEX, 25000, false, 15 },
    { "1300 Logistics", "6150 Warehouse rent", GL_TYPE_OPEX, 60000, false, 2 },
    { "1100 Sales", "6000 Salaries and wages", GL_TYPE_OPEX, 140000, false, 4 },
    { "1100 Sales", "6300 Travel", GL_TYPE_OPEX, 30000, false, 25 },
    { "1400 Quality", "6000 Salaries and wages", GL_TYPE_OPEX, 60000, false, 4 },
    { "1400 Quality", "6400 Lab and testing", GL_TYPE_OPEX, 15000, false, 10 },
    { "1500 Maintenance", "6000 Salaries and wages", GL_TYPE_OPEX, 90000, false, 4 },
    { "1500 Maintenance", "6600 Maintenance and repairs", GL_TYPE_OPEX, 120000, false, 40 },
    { "1600 Finance & Admin", "6000 Salaries and wages", GL_TYPE_OPEX, 120000, false, 4 },
    { "1600 Finance & Admin", "6100 Rent and facilities", GL_TYPE_OPEX, 70000, false, 8 },
    { "1600 Finance & Admin", "6400 Professional fees", GL_TYPE_OPEX, 40000, false, 8 },
    { "1600 Finance & Admin", "6800 Insurance", GL_TYPE_OPEX, 35000, false, 1 },
    { "1700 IT", "6000 Salaries and wages", GL_TYPE_OPEX, 55000, false, 4 },
    { "1700 IT", "6200 IT and software", GL_TYPE_OPEX, 60000, false, 15 },
    { "1800 HR", "6000 Salaries and wages", GL_TYPE_OPEX, 40000, false, 4 },
    { "1800 HR", "6700 Training", GL_TYPE_OPEX, 15000, false, 10 },
};
enum { N_GL_LINES = sizeof gl_lines / sizeof gl_lines[0] };

static const char *const type_labels[] = { "Revenue", "COGS", "OPEX" };

/* The incident: Logistics overheads 7% over budget in the current fiscal year. */
#define LOGISTICS_OVERRUN 1.07

static double line_expected(const gen_world_t *w, const gl_line_t *l, int site, int month_index)
{
    int y, m;
    gen_month_ym(w, month_index, &y, &m);
    double trend = l->follows_sales ? pow(1.06, month_index / 12.0) * gen_season(m)
                                    : pow(1.03, month_index / 12.0);
    return l->base * trend * w->sites[site].weight;
}

static bool in_current_fiscal_year(const gen_world_t *w, int month_index)
{
    int y, m;
    gen_month_ym(w, month_index, &y, &m);
    return y == w->last_y; /* fiscal_year_start = 1 in the default config */
}

static ops_status_t write_gl_row(gen_writer_t *out, const char *date, const gen_site_t *site,
                                 const gl_line_t *l, const char *type, int64_t cents,
                                 ops_error_t *err)
{
    char buf[48];
    gen_field(out, date);
    gen_field(out, site->name);
    gen_field(out, l->cost_centre);
    gen_field(out, l->account);
    gen_field(out, type);
    gen_field(out, gen_fmt_cents_eu(buf, cents));
    return gen_row_end(out, err);
}

ops_status_t gen_gl_actuals(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err)
{
    static const char *const header[] = { "Posting Date", "Company", "Cost Center", "G/L Account",
                                          "Account Type", "Amount (EUR)", NULL };
    ops_status_t rc = gen_header(out, header, err);
    char date[32];
    for (int mi = 0; mi < w->months && rc == OPS_OK; mi++) {
        int y, m;
        gen_month_ym(w, mi, &y, &m);
        int dim = gen_days_in_month(y, m);
        gen_day_t first = gen_day_from_ymd(y, m, 1);
        bool last_month = mi == w->months - 1;
        for (int s = 0; s < GEN_N_SITES && rc == OPS_OK; s++) {
            const gen_site_t *site = &w->sites[s];
            for (int li = 0; li < N_GL_LINES && rc == OPS_OK; li++) {
                const gl_line_t *l = &gl_lines[li];
                double total = line_expected(w, l, s, mi) * (1.0 + gsl_ran_gaussian(r, 0.03));
                if (l->type == GL_TYPE_OPEX && !strcmp(l->cost_centre, "1300 Logistics") &&
                    in_current_fiscal_year(w, mi))
                    total *= LOGISTICS_OVERRUN;
                long n = gen_scaled(l->lines * site->weight * GEN_N_SITES, w->scale);
                const char *type = type_labels[l->type];
                /* Stick-breaking: each line takes a Beta(a, a(k-1)) share of what is left,
                 * which splits the total exactly as a Dirichlet(a, ..., a) would, without
                 * an array the size of n (n grows with --scale). */
                const double a = 2.5;
                int64_t remaining = llround(total * 100.0);
                for (long k = 0; k < n && rc == OPS_OK; k++) {
                    gen_fmt_dmy_dot(date, first + (gen_day_t)gsl_rng_uniform_int(r, (unsigned long)dim));
                    long left = n - k;
                    int64_t cents = left == 1 ? remaining
                                              : llround((double)remaining * gsl_ran_beta(r, a, a * (double)(left - 1)));
                    remaining -= cents;
                    double u = gsl_rng_uniform(r);
                    if (u < 0.004) {
                        /* A mis-posting, its reversal (trailing minus), then the right line. */
                        int64_t wrong = llround((double)cents * (0.5 + gsl_rng_uniform(r)));
                        rc = write_gl_row(out, date, site, l, type, wrong, err);
                        if (rc == OPS_OK)
                            rc = write_gl_row(out, date, site, l, type, -wrong, err);
                    } else if (l->type == GL_TYPE_REVENUE && u < 0.014 && left > 1) {
                        /* A customer credit note; the later lines of the month make it up. */
                        int64_t credit = cents / 5;
                        rc = write_gl_row(out, date, site, l, type, -credit, err);
                        remaining += credit;
                    }
                    if (rc == OPS_OK)
                        rc = write_gl_row(out, date, site, l, type, cents, err);
                    if (rc == OPS_OK && last_month && li == 14 && k == 0 && s < 2) {
                        /* Deliberate bad rows: see the list in generate.c. */
                        if (s == 0) {
                            char bad[32];
                            snprintf(bad, sizeof bad, "31.13.%04d", y);
                            rc = write_gl_row(out, bad, site, l, type, 12345, err);
                        } else {
                            rc = write_gl_row(out, date, site, l, "Capex", 250000, err);
                        }
                    }
                }
            }
        }
    }
    return rc;
}

ops_status_t gen_gl_budget(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err)
{
    static const char *const header[] = { "Period", "Company", "Cost Center", "G/L Account",
                                          "Account Type", "Budget (EUR)", NULL };
    ops_status_t rc = gen_header(out, header, err);
    /* History plus the rest of the current fiscal year, for a full-year view. */
    int n_months = w->months + (12 - w->last_m);
    char date[32];
    for (int mi = 0; mi < n_months && rc == OPS_OK; mi++) {
        int y, m;
        gen_month_ym(w, mi, &y, &m);
        gen_fmt_dmy_dot(date, gen_day_from_ymd(y, m, 1));
        for (int s = 0; s < GEN_N_SITES && rc == OPS_OK; s++)
            for (int li = 0; li < N_GL_LINES && rc == OPS_OK; li++) {
                const gl_line_t *l = &gl_lines[li];
                /* Budgets are set round: to the nearest hundred euros. */
                double v = line_expected(w, l, s, mi) * (1.0 + gsl_ran_gaussian(r, 0.015));
                int64_t cents = llround(v / 100.0) * 10000;
                rc = write_gl_row(out, date, &w->sites[s], l, type_labels[l->type], cents, err);
            }
    }
    return rc;
}
