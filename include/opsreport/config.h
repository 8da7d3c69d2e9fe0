/*
 * config.h - the run configuration, parsed from INI with inih.
 *
 * config_load() reads the whole file, checks every section and key against
 * the tables in pipeline/core/config.c, and fails on the first unknown one with
 * the file, line and the nearest valid name. The config owns every string
 * in it; config_free() releases all of it.
 */
#ifndef OPSREPORT_CONFIG_H
#define OPSREPORT_CONFIG_H

#include "opsreport/common.h"
#include "opsreport/schema.h"

#define CONFIG_MAX_FIELDS 16
#define CONFIG_MAX_TOKENS 16
#define CONFIG_MAX_FIELD_LINES 50   /* default max_field_lines */
#define CONFIG_DEFAULT_STALENESS_DAYS 3 /* a month ending on a weekend is still fresh */
#define CONFIG_DEFAULT_ROW_DROP 0.5     /* max_row_drop_pct = 50 */

typedef struct {
    char *items[CONFIG_MAX_TOKENS];
    size_t count;
} config_list_t;

/* map.FIELD = From => To, ..., * => To (alias.FIELD is the same key). Matching
 * is case-insensitive on the trimmed value; fallback (the "*" entry) applies to
 * any other non-missing value. Owned by the input config. */
typedef struct {
    char **from, **to;
    size_t count;
    char *fallback;              /* NULL: values not listed pass through unchanged */
    long line;                   /* config line, for messages */
} value_map_t;

/* where.Header = a, b (keep rows whose Header is one of them) or
 * skip.Header = a, b (drop them); case-insensitive. */
typedef struct {
    char *header;                /* export header, or column number with header = false */
    bool keep;                   /* true: where., false: skip. */
    char **values;
    size_t count;
    long line;
} row_filter_t;

/* account_types = 4000-4999 => revenue, 5* => cogs, * => opex */
typedef struct {
    char *lo, *hi;               /* inclusive range; hi NULL: lo is a prefix ("5*") or "*" */
    bool prefix;
    int account_type;            /* GL_TYPE_* */
} account_rule_t;

typedef struct {
    char *name;                  /* NAME of [input.NAME] */
    const input_schema_t *schema;
    char *file;                  /* relative to the data directory unless absolute */
    bool optional;
    char delimiter, quote, decimal, thousands; /* quote 0: none; thousands 0: none */
    char *encoding;              /* iconv name as configured; NULL: UTF-8 (BOM skipped) */
    bool header;                 /* false: no header row, col.FIELD = column number (1-based) */
    int max_field_lines;         /* a quoted field spanning more lines rejects its lines */
    config_list_t date_formats, timestamp_formats, missing, true_values, false_values;
    /* bit set of the lower-cased first bytes of the missing tokens, built by
     * config_load (missing_indexed); a hand-built input goes without it */
    uint8_t missing_first[32];
    bool missing_indexed;
    config_list_t currency_symbols; /* symbols/codes allowed around amounts ($, USD); default none */
    int keep_latest_by;          /* field index of the event-log timestamp, -1: none */
    /* col.FIELD = Header | Other Header: first non-empty of these columns;
     * count 0: not mapped (the field's own name is tried as a header) */
    config_list_t columns[CONFIG_MAX_FIELDS];
    char *const_value[CONFIG_MAX_FIELDS];   /* const.FIELD: every row has this value */
    char *default_value[CONFIG_MAX_FIELDS]; /* default.FIELD: used when the cell is empty */
    value_map_t maps[CONFIG_MAX_FIELDS];    /* map.FIELD / alias.FIELD */
    row_filter_t *filters;       /* where./skip. in config order, all must pass */
    size_t n_filters;
    account_rule_t *account_rules; /* gl kinds: account_types, first match wins */
    size_t n_account_rules;
    int revenue_sign, cost_sign; /* +1, or -1: amounts booked negative are flipped */
    bool phasing_set;
    double phasing[12];          /* year-only dates: weights per month (sum > 0); default even */
    /* freshness gate (pipeline/validate/freshness.c): the input's latest date
     * must reach expect_through_days before the period end (-1: not checked)
     * less max_staleness_days; a period's rows may fall at most max_row_drop
     * (a fraction) below the month before */
    int expect_through_days, max_staleness_days;
    double max_row_drop;
    long line;                   /* line of the section header, for messages */
} input_config_t;

typedef enum { KPI_HIGHER_IS_BETTER, KPI_LOWER_IS_BETTER } kpi_direction_t;

typedef struct {
    char *id;                    /* ID of [kpi.ID] */
    /* each key overrides the KPI's built-in setting only when it is given */
    bool has_target, has_amber, has_direction, has_tile;
    double target;               /* red beyond amber, green at or better than target */
    double amber;                /* amber bound: between target and this is amber */
    kpi_direction_t direction;
    bool tile;                   /* shown as a tile on the summary's first page */
    long line;
} kpi_config_t;

/* [analysis]: parameters of the KPI engine (defaults in config.c). */
typedef struct {
    double service_level;        /* inventory: cycle service level for safety stock, 0.5..0.9999 */
    int top_n;                   /* rows in exception tables */
    int slow_days, dead_days;    /* inventory: no movement for this many days */
    int spc_baseline_months;     /* quality: months before the period that set control limits */
    double weight_lsl, weight_usl; /* quality: box weight spec limits in grams (NAN: none) */
    double sla_hours[4];         /* service: resolution SLA per priority P1..P4 */
    double response_hours[4];    /* service: first-response SLA per priority P1..P4 */
    double hours_per_day;        /* people: working hours per FTE per working day */
} analysis_settings_t;

/* [forecast.NAME]: one forecast (or one per group) of a monthly series. */
typedef struct {
    char *name;
    char *series;                /* gl_revenue, gl_opex, gl_cogs, tickets_created, headcount */
    bool per_group;              /* also every "series:GROUP" (e.g. opex by cost centre) */
    int horizon;                 /* months after the period; 0: to fiscal year end, at least 12 */
    char *method;                /* auto, ets, theta, comb, snaive, naive, drift */
    bool chart;                  /* a chart in the workbook and the PDF */
    long line;
} forecast_config_t;

/* [recipient.NAME]: one addressee; scope restricts its summary to one entity/site. */
typedef struct {
    char *name;
    char *email;
    char *scope;                 /* NULL: the whole organisation */
    long line;
} recipient_config_t;

/* [email]: delivery of the summary over SMTP (pipeline/deliver). Never a password. */
typedef struct {
    bool enabled;                /* `run` sends after writing the outputs */
    char *smtp_url;
    bool tls_none;               /* tls = none: plain SMTP even to a remote host */
    char *username, *password_env, *password_file;
    char *from, *from_name, *reply_to;
    char *owner;                 /* gets a notice when a recipient could not be reached */
    config_list_t to;            /* organisation-wide recipients, one message each */
    bool attach_xlsx;
    double max_attachment_mb;
    bool send_when_incomplete;   /* send even when the freshness gate holds the run */
    int max_attempts;
    double initial_backoff_s, retry_budget_s, timeout_s;
    long line;
} email_config_t;

typedef struct {
    char *path;                  /* config file path as given */
    char sha256[65];             /* of the file bytes */
    char *organisation;
    char *currency;
    int minor_units;             /* 2 for EUR */
    int fiscal_year_start;       /* month 1..12 */
    double reject_threshold;     /* fraction of rows per input; over it: exit 5 */
    char *xlsx_name, *pdf_name;
    char *detail_name;           /* GL lines of the period, constant-memory workbook */
    char *templates_dir;         /* [report] templates_dir; NULL: search the default places */
    char *out_dir;               /* [output] dir: run folders when --out is not given; NULL: out */
    long detail_max_rows;        /* cap, within Excel's 1,048,576 rows */
    bool paper_letter;
    input_config_t *inputs;
    size_t n_inputs;
    kpi_config_t *kpis;
    size_t n_kpis;
    analysis_settings_t analysis;
    email_config_t email;
    forecast_config_t *forecasts;
    size_t n_forecasts;
    recipient_config_t *recipients;
    size_t n_recipients;
} config_t;

/* Loads and checks path. On failure returns OPS_ERR_CONFIG with err naming
 * file, line and key; *out is untouched. Free with config_free. */
ops_status_t config_load(const char *path, config_t **out, ops_error_t *err);
void config_free(config_t *cfg);

const input_config_t *config_find_input(const config_t *cfg, input_kind_t kind);
const kpi_config_t *config_find_kpi(const config_t *cfg, const char *id);

/* Levenshtein distance, used to suggest the nearest valid name. */
size_t config_edit_distance(const char *a, const char *b);
/* The keys a section takes, NULL-terminated, as "did you mean" and the man
 * page list them ("col.<field>" for a family): section is "report", "output",
 * "analysis", "email", "input", "kpi", "recipient" or "forecast". NULL for
 * any other name. Static storage. test_config checks the loader takes each. */
const char *const *config_section_keys(const char *section);

#endif
