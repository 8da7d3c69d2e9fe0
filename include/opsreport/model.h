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

#include <glib.h>

#define MODEL_TREND_MONTHS 13
#define MODEL_HISTORY_MONTHS 60

/* A Budget vs Actual row; its texts are in the model's bva_texts. */
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

typedef enum { AREA_FINANCE, AREA_PROCUREMENT, AREA_INVENTORY, AREA_SERVICE, AREA_PEOPLE,
               AREA_PROJECTS, AREA_RISK, AREA_QUALITY, AREA_COUNT } model_area_t;
extern const char *const model_area_names[AREA_COUNT];

/* ---- KPIs -------------------------------------------------------------- */

typedef enum { UNIT_MONEY, UNIT_PERCENT, UNIT_COUNT, UNIT_DAYS, UNIT_HOURS, UNIT_RATIO, UNIT_PPM,
               UNIT_FTE, UNIT_SCORE } kpi_unit_t;
typedef enum { RAG_NONE, RAG_GREEN, RAG_AMBER, RAG_RED } rag_t;

/* Months the analysis keeps: the period and the 24 before it (trend, last year, YTD). */
#define MODEL_WINDOW 25
#define MODEL_MAX_DQ_FINDINGS 16  /* freshness gate findings kept for the report */

/* Why a KPI (or table) has no value at all, whatever the rows said. Such a
 * KPI is "n/a" everywhere, never 0: no status, so never red, never in the
 * attention list. A value that is merely empty this month (a 0/0 ratio, no
 * ticket resolved) keeps KPI_NA_NONE. */
typedef enum {
    KPI_NA_NONE,
    KPI_NA_NO_INPUT,  /* an input it needs is not configured or not present */
    KPI_NA_UNMAPPED,  /* a field it needs is not in the export (field_mapped false) */
    KPI_NA_REJECTED   /* an input it needs had every row rejected */
} kpi_na_t;

typedef struct {
    char id[40];              /* matches [kpi.ID] in config */
    char label[80];
    char area[32];            /* "Finance", "Procurement", ... */
    kpi_unit_t unit;
    double value;             /* the period; NAN when there is no data */
    double prior;             /* previous month */
    double last_year;         /* same month last year */
    double ytd;               /* fiscal year to date (sum or ratio of sums, per KPI) */
    bool has_target;
    double target, amber;
    kpi_direction_t direction;
    rag_t status;
    bool tile;                /* shown as a tile on the summary's first page */
    double trend[MODEL_TREND_MONTHS]; /* oldest first, last = value; NAN gaps */
    char note[160];           /* definition in one line, for the workbook */
    kpi_na_t na;              /* KPI_NA_NONE, or why every value above is NAN */
    char na_reason[128];      /* "no first_response_at in the tickets export"; "" with KPI_NA_NONE */
    char na_short[48];        /* the same for a tile: "no first_response_at in export" */
} kpi_t;

/* ---- tables (breakdowns and exceptions) ---------------------------------- */

typedef enum { COL_TEXT, COL_MONEY, COL_NUMBER, COL_PERCENT, COL_COUNT, COL_DAYS, COL_HOURS,
               COL_DATE } col_kind_t;

#define MODEL_TABLE_MAX_COLS 12

/* Which table this is. Renderers find a table by id and its columns by name
 * (model_table_col), never by display title or position, so an analyse module
 * may reword a title or reorder columns without a renderer losing a section.
 * One entry per table an analyse stage can add; model_table_ids in model.c
 * gives each its area and a stable name for messages. */
typedef enum {
    TABLE_FINANCE_TOP_VARIANCES,
    TABLE_FINANCE_OUTLOOK,
    TABLE_PROCUREMENT_SCORECARD,
    TABLE_PROCUREMENT_SPEND_BY_CATEGORY,
    TABLE_PROCUREMENT_LATE_DELIVERIES,
    TABLE_INVENTORY_SLOW_DEAD,
    TABLE_INVENTORY_ABC,
    TABLE_INVENTORY_REORDER,
    TABLE_SERVICE_SLA_BY_PRIORITY,
    TABLE_SERVICE_BY_CHANNEL,
    TABLE_SERVICE_OLDEST_OPEN,
    TABLE_PEOPLE_HEADCOUNT,
    TABLE_PEOPLE_OVERDUE_TRAININGS,
    TABLE_PROJECTS_EARNED_VALUE,
    TABLE_PROJECTS_OVER_ALLOCATED,
    TABLE_RISK_TOP_RISKS,
    TABLE_RISK_FINDINGS_BY_AGE,
    TABLE_RISK_OVERDUE_AUDITS,
    TABLE_QUALITY_CAPABILITY,
    TABLE_QUALITY_SPC_BREAKS,
    TABLE_COUNT
} model_table_id_t;

typedef struct {
    model_table_id_t id;
    char title[96];
    char area[32];
    char note[200];           /* how to read it; "" if none */
    char na_reason[128];      /* "": computed; else why it cannot be (it then has no rows) */
    size_t n_cols;
    char col_names[MODEL_TABLE_MAX_COLS][40];
    col_kind_t col_kinds[MODEL_TABLE_MAX_COLS];
    size_t n_rows, cap;
    char **text;              /* n_rows x n_cols; NULL for numeric cells */
    double *num;              /* n_rows x n_cols; NAN for text or empty cells; COL_DATE: day number */
} model_table_t;

/* ---- SPC chart data (quality) --------------------------------------------- */

typedef struct {
    char line[64];
    size_t n_points;
    double *xbar, *s;         /* subgroup means and standard deviations, oldest first */
    int32_t *day;             /* day of each subgroup */
    bool *flagged;            /* breaks a Western Electric rule */
    double centre, ucl, lcl;  /* X-bar chart, from the baseline */
    double s_centre, s_ucl, s_lcl;
    double cpk;               /* period, against the spec limits; NAN if none */
    size_t baseline_points;   /* the first baseline_points are the baseline */
} spc_chart_t;

/* A monthly series the forecast stage can use, published by analyse. */
typedef struct {
    char id[96];              /* "gl_revenue", "gl_opex:1300 Logistics", "tickets_created" */
    char label[128];
    kpi_unit_t unit;
    int first_index;          /* period_index of values[0] */
    size_t n;                 /* months, the last one is the report period */
    double *values;
} model_series_t;

/* One forecast, for the reports (forecast stage). */
typedef struct {
    char series_id[96];
    char label[128];
    kpi_unit_t unit;
    int first_index;          /* period_index of history[0] */
    size_t n_history;
    double *history;
    size_t horizon;           /* months after the period */
    double *point, *lo80, *hi80, *lo95, *hi95;
    /* point is the final forecast (statistical, or the override where one was
     * given); stat the statistical point and override the override (NAN: none),
     * horizon values each. The intervals are the statistical ones. */
    double *stat, *override;
    char model[96], params[256], reason[256]; /* model: forecast_result_t.model */
    double aicc;
    double mase, smape, mape, bias, coverage80, coverage95;
    size_t backtest_origins;
    bool key;                 /* gets a chart (whole-organisation series) */
} model_forecast_t;

/* ---- forecast review (pipeline/forecast/review.c) -------------------------- */

#define MODEL_REVIEW_WINDOW 12    /* closed months scored; snapshots P-12 .. P-1 looked for */
#define MODEL_REVIEW_MIN_MONTHS 3 /* fewer scored months: too little archive, backtest shown */

/* Which earlier snapshots (forecasts.csv of run folders) a run found. */
typedef struct {
    char dir[1024];           /* where they were looked for: OUT or [forecast] history_dir */
    size_t n_found, n_missing;
    char found[MODEL_REVIEW_WINDOW][8];   /* "2026-09", oldest first */
    char missing[MODEL_REVIEW_WINDOW][8];
} model_archive_t;

/* An archived forecast for the closed period against its actual. */
typedef struct {
    bool found;               /* the snapshot held the row */
    double stat, final;       /* statistical and final forecast */
    double error, pct_error;  /* actual - final; error / actual x 100 (NAN for actual 0) */
    int in80, in95;           /* actual inside the statistical interval: 1, 0; -1 unknown */
} model_review_point_t;

typedef struct {
    char series_id[96];
    char label[128];
    kpi_unit_t unit;
    double actual;                        /* of the period */
    model_review_point_t last_month;      /* step 1 from P-1's snapshot */
    model_review_point_t three_months;    /* step 3 from P-3's snapshot */
    /* the last MODEL_REVIEW_WINDOW closed months with a step-1 archived
     * forecast; statistical forecast unless named final; NAN when n_scored 0 */
    size_t n_scored, n_overridden;
    double mape, mase, bias, mad, tracking_signal;
    bool bias_flag;                       /* |tracking signal| > 4 with enough months */
    double mape_snaive, fva_stat;         /* FVA = MAPE(snaive) - MAPE(stat), pp */
    double mape_final, fva_final;         /* FVA = MAPE(stat) - MAPE(final), pp; NAN: no overrides */
    bool enough;                          /* n_scored >= MODEL_REVIEW_MIN_MONTHS */
} model_review_series_t;

typedef struct {
    char series_id[96];
    int period_index;
    double stat, override, final;
    char reason[256], author[96];
} model_override_t;

/* The full-year outlook now against last month's, in minor units:
 * outlook = prev_outlook + actual_vs_forecast + reforecast + overrides, exactly. */
typedef struct {
    char series_id[96];
    char label[128];
    bool available;
    char na_reason[200];                  /* why not, when !available */
    int64_t prev_outlook, actual_vs_forecast, reforecast, overrides, outlook;
} model_bridge_t;

typedef struct {
    bool present;             /* the review ran (whole-organisation model) */
    model_archive_t archive;
    model_review_series_t *series;        /* one per forecast, same order */
    size_t n_series;
    model_override_t *overrides;          /* applied overrides */
    size_t n_overrides;
    size_t n_override_rejects;
    model_bridge_t bridge[2];             /* revenue, opex */
    size_t n_bridge;
    /* template-worded sentences (narrative.txt); "" when not applicable */
    char first_run[300], biggest_miss[400], bias_warning[400], override_value[400],
        bridge_mover[400], archive_note[600];
} model_review_t;

/* GL lines of the period, spooled to a temp file while streaming so the
 * detail sheet never holds them in memory. Record layout: see analyse.c. */
typedef struct {
    FILE *spool;              /* tmpfile(), owned by the model; NULL if none */
    uint64_t n_rows;
    char source[1024];        /* the input file the lines came from */
} gl_detail_t;

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
    GStringChunk *bva_texts;  /* the rows' texts, each once (not a copy a row) */
    bva_totals_t bva_by_type[3]; /* revenue, cogs, opex */

    /* monthly GL totals per account type, oldest first, ending at period */
    int64_t gl_actual_monthly[3][MODEL_HISTORY_MONTHS];
    int64_t gl_budget_monthly[3][MODEL_HISTORY_MONTHS];

    ingest_stats_t *inputs;
    size_t n_inputs;

    kpi_t *kpis;
    size_t n_kpis, cap_kpis;
    model_table_t **tables;
    size_t n_tables, cap_tables;
    spc_chart_t *spc;
    size_t n_spc;
    int heat_map[5][5];       /* open risks: [likelihood-1][impact-1] */
    gl_detail_t gl_detail;
    model_series_t *series;
    size_t n_series, cap_series;
    model_forecast_t *forecasts;
    size_t n_forecasts;
    bool areas_present[AREA_COUNT];
    /* the GL actuals input is there with rows accepted: Budget vs Actual and
     * the PDF's finance page have something to show (a budget alone would
     * show every cost centre at 0 against it) */
    bool gl_present;
    /* data-quality findings of the freshness gate (freshness.h), one
     * sentence each, filled by run.c: first in the attention list */
    char dq_findings[MODEL_MAX_DQ_FINDINGS][300];
    size_t n_dq_findings;
    model_review_t review;    /* forecast review; review.present false when not run */
} report_model_t;


/* KPI and series ids the renderers look up by name. An analyse module that
 * adds one of these uses the constant too, so renaming an id is one edit and
 * a renderer can never ask for an id nothing adds. Labels stay free text. */
#define KPI_REVENUE_OUTLOOK_VS_BUDGET_PCT "revenue_outlook_vs_budget_pct"
#define KPI_OPEX_OUTLOOK_VS_BUDGET_PCT "opex_outlook_vs_budget_pct"
#define KPI_OPEN_RISKS "open_risks"
#define KPI_SUPPLIER_OTIF_PCT "supplier_otif_pct"
#define KPI_CUSTOMER_OTIF_PCT "customer_otif_pct"
#define KPI_FIRST_RESPONSE_SLA_PCT "first_response_sla_pct"
#define KPI_TRAINING_COMPLETION_PCT "training_completion_pct"
#define SERIES_GL_REVENUE "gl_revenue"
#define SERIES_GL_COGS "gl_cogs"
#define SERIES_GL_OPEX "gl_opex"

/* Adds a series (values copied); NULL on no memory. */
model_series_t *model_add_series(report_model_t *m, const char *id, const char *label, kpi_unit_t unit,
                                 int first_index, const double *values, size_t n);
const model_series_t *model_find_series(const report_model_t *m, const char *id);

/* Reads the next spooled GL line; false at the end. Strings point into buf. */
typedef struct {
    int32_t date;
    int account_type;
    int64_t amount;
    long line;
    const char *entity, *cost_centre, *account;
} gl_line_t;
bool gl_detail_next(FILE *spool, gl_line_t *out, char *buf, size_t size);

/* Adds a KPI (copied); returns it for further filling, NULL on no memory. */
kpi_t *model_add_kpi(report_model_t *m, const char *id, const char *label, model_area_t area,
                     kpi_unit_t unit);
const kpi_t *model_find_kpi(const report_model_t *m, const char *id);
/* Applies [kpi.ID] target/amber/direction/tile and computes the status. */
void model_apply_targets(report_model_t *m, const config_t *cfg);
rag_t kpi_status(double value, double target, double amber, kpi_direction_t dir);

/* Adds the table `id` (its area comes from the id) with n_cols columns named
 * names[] of kinds[] (both copied); NULL on no memory, more than
 * MODEL_TABLE_MAX_COLS columns, or an id out of range. */
model_table_t *model_add_table(report_model_t *m, model_table_id_t id, const char *title,
                               size_t n_cols, const char *const *names, const col_kind_t *kinds);
/* Appends an empty row; returns its index or -1 on no memory. */
long model_table_add_row(model_table_t *t);
void model_table_set_text(model_table_t *t, size_t row, size_t col, const char *text, size_t len);
void model_table_set_num(model_table_t *t, size_t row, size_t col, double value);
/* The table `id`, or NULL when its analyse stage did not add it. */
const model_table_t *model_find_table(const report_model_t *m, model_table_id_t id);
/* The index of the column named `name`, or -1 when there is none. */
int model_table_col(const model_table_t *t, const char *name);
/* A stable name for messages and tests: "finance.top_variances". */
const char *model_table_id_name(model_table_id_t id);
/* The area the table `id` belongs to. */
model_area_t model_table_id_area(model_table_id_t id);

void report_model_free(report_model_t *m);

#endif
