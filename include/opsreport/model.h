/*
 * model.h - the report model: everything the renderers show, computed by
 * analyse (and forecast). Renderers read only this; they never see CSV.
 * The model owns all its memory; report_model_free() releases it.
 */
#ifndef OPSREPORT_MODEL_H
#define OPSREPORT_MODEL_H

#include "opsreport/config.h"
#include "opsreport/ingest.h"
#include "opsreport/period.h"

#define MODEL_TREND_MONTHS 13
#define MODEL_HISTORY_MONTHS 60

typedef struct {
    char *cost_centre;
    char *account;      /* NULL for cost-centre subtotal rows */
    int account_type;   /* GL_TYPE_* */
    int64_t actual_month, budget_month;
    int64_t actual_ytd, budget_ytd;
    int64_t budget_full_year;
} bva_row_t;

typedef struct {
    int64_t actual_month, budget_month, actual_ytd, budget_ytd, budget_full_year;
} bva_totals_t;

typedef struct {
    char organisation[256];
    char currency[8];
    int minor_units;
    period_t period;
    period_t fy_start;
    char scope[128];          /* "" for the whole organisation, else the entity/site */

    /* budget vs actual, by cost centre (subtotals) and by cost centre x account */
    bva_row_t *bva_cc;
    size_t n_bva_cc;
    bva_row_t *bva_lines;
    size_t n_bva_lines;
    bva_totals_t bva_by_type[3]; /* revenue, cogs, opex */

    /* monthly GL totals per account type, oldest first, ending at period */
    int64_t gl_actual_monthly[3][MODEL_HISTORY_MONTHS];
    int64_t gl_budget_monthly[3][MODEL_HISTORY_MONTHS];

    ingest_stats_t *inputs;
    size_t n_inputs;
} report_model_t;

void report_model_free(report_model_t *m);

#endif
