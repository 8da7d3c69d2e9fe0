/*
 * gen.h - private interface of the sample-data generator (opsreport generate).
 *
 * The generator writes one CSV per input kind for the fictional Kestrel
 * Packaging Group. It is split into:
 *   gen_writer.c   - a streaming CSV writer that imitates the dialect of the
 *                    exporting tool (delimiter, CRLF, BOM, Windows-1252) and
 *                    the date / number formatters those tools use;
 *   gen_world.c    - the master data every file shares (sites, items,
 *                    suppliers, customers, staff, projects), built from its
 *                    own random stream so that `--only KIND` writes exactly
 *                    the bytes a full run writes;
 *   gen_finance.c, gen_ops.c, gen_people.c - one function per kind;
 *   generate.c     - the command line.
 * Every kind draws from its own gsl_rng_mt19937 seeded from (seed, kind), and
 * writes rows as it draws them: memory does not grow with --scale.
 */
#ifndef OPSREPORT_GENERATE_GEN_H
#define OPSREPORT_GENERATE_GEN_H

#include "opsreport/common.h"
#include "opsreport/schema.h"

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* ---- the writer ---------------------------------------------------------- */

typedef struct {
    char delimiter;   /* ',', ';' or '\t' */
    bool crlf;        /* Windows line endings */
    bool bom;         /* UTF-8 byte order mark first */
    bool cp1252;      /* transcode every row from UTF-8 to Windows-1252 */
} gen_dialect_t;

typedef struct gen_writer gen_writer_t;

/* Opens DIR/NAME.tmp for writing. On failure returns NULL and fills err. */
gen_writer_t *gen_writer_open(const char *dir, const char *name, const gen_dialect_t *dialect,
                              ops_error_t *err);
/* Appends one field; quotes it if it holds the delimiter, a quote or a line break. */
void gen_field(gen_writer_t *w, const char *text);
/* Appends one field built printf-style (never quoted: use for numbers and dates). */
void gen_fieldf(gen_writer_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends the row (with \n or \r\n); writes it out. Returns OPS_OK or an error. */
ops_status_t gen_row_end(gen_writer_t *w, ops_error_t *err);
/* Flushes, closes and renames DIR/NAME.tmp to DIR/NAME. Reports rows (data rows,
 * header excluded) and bytes. Frees w in every case; w may be NULL. */
ops_status_t gen_writer_close(gen_writer_t *w, long *rows, long *bytes, ops_error_t *err);
/* Closes and deletes the .tmp file after a failure; accepts NULL. */
void gen_writer_abort(gen_writer_t *w);
/* Writes a whole header row. */
ops_status_t gen_header(gen_writer_t *w, const char *const *names, ops_error_t *err);

/* ---- dates and numbers --------------------------------------------------- */

typedef int32_t gen_day_t; /* days since 1970-01-01 */

gen_day_t gen_day_from_ymd(int y, int m, int d);
void gen_day_to_ymd(gen_day_t day, int *y, int *m, int *d);
int gen_days_in_month(int y, int m);
int gen_weekday(gen_day_t day); /* 0 = Monday ... 6 = Sunday */

/* Formatting into a caller buffer of at least 32 bytes; returns buf. */
char *gen_fmt_iso(char *buf, gen_day_t day);                 /* 2026-10-31 */
char *gen_fmt_dmy_dot(char *buf, gen_day_t day);             /* 31.10.2026 */
char *gen_fmt_mdy_us(char *buf, gen_day_t day);              /* 10/31/2026 */
char *gen_fmt_dmy_dash2(char *buf, gen_day_t day);           /* 31-10-26 */
char *gen_fmt_ts_iso_z(char *buf, int64_t epoch_s);          /* 2026-10-03T14:05:00Z */
char *gen_fmt_ts_space(char *buf, int64_t epoch_s);          /* 2026-10-03 14:05:00 */
/* Cents as 1234.56 / (1234.56) for negatives when parens is true. */
char *gen_fmt_cents(char *buf, int64_t cents, bool parens);
/* Cents the European ERP way: 1.234,56 and 1.234,56- for negatives. */
char *gen_fmt_cents_eu(char *buf, int64_t cents);
/* A value with a fixed number of decimals (0..3), '.' decimal point. */
char *gen_fmt_fixed(char *buf, double value, int decimals);

/* ---- random helpers (GSL underneath) ------------------------------------- */

gsl_rng *gen_rng_new(unsigned long seed, unsigned long stream);
/* Noise factor with mean 1: exp(N(0, sigma) - sigma^2/2). */
double gen_lognoise(gsl_rng *r, double sigma);
/* Uniform integer in [lo, hi]. */
long gen_uniform_int(gsl_rng *r, long lo, long hi);
/* Row count for a high-volume file: max(1, round(base * scale)). */
long gen_scaled(double base, double scale);

/* ---- the world ----------------------------------------------------------- */

enum { GEN_N_SITES = 3, GEN_LINES_PER_SITE = 2 };

typedef struct {
    const char *name;        /* UTF-8 as the ERP spells it: "Łódź" */
    const char *name_ascii;  /* as tools without Unicode spell it: "Lodz" */
    const char *code;        /* "LDZ" */
    double weight;           /* share of group volume */
} gen_site_t;

typedef struct {
    char sku[16];
    char description[96];
    const char *category;
    int64_t unit_cost;       /* cents */
    int lead_time_days;      /* 0 = unknown */
    bool purchased;          /* bought from suppliers (raw material, spares) */
    int64_t price;           /* finished goods: list price per unit, cents */
} gen_item_t;

typedef struct {
    char name[64];
    const char *category;
    double on_time;          /* probability of on-time delivery */
} gen_supplier_t;

typedef struct {
    char id[32];             /* "E00017" */
    char name[64];           /* Windows-1252-encodable */
    int site;
    const char *department;
    gen_day_t hire;
    gen_day_t leave;         /* 0 = still employed */
    bool voluntary;
    double fte;
    bool books_time;         /* writes timesheets */
} gen_employee_t;

typedef struct {
    char id[32];
    char name[80];
    int manager;             /* employee index */
    int site;                /* -1 = group-wide */
    gen_day_t start, end;
    int64_t budget;          /* cents, sum of the tasks' planned costs */
    int first_task, n_tasks;
    double overrun;          /* actual/planned cost factor on finished work */
} gen_project_t;

typedef struct {
    char id[32];
    int project;
    char name[96];
    gen_day_t start, finish;
    int64_t planned_cost;
    bool milestone;
} gen_task_t;

enum { GEN_MAX_ITEMS = 160, GEN_MAX_SUPPLIERS = 48, GEN_MAX_CUSTOMERS = 64,
       GEN_MAX_EMPLOYEES = 2048, GEN_MAX_PROJECTS = 20, GEN_MAX_TASKS = 256 };

typedef struct {
    unsigned long seed;
    double scale;
    int months;                      /* months of history */
    int first_y, first_m;            /* first month of history */
    int last_y, last_m;              /* last month of history (--period) */
    gen_day_t start, end;            /* first and last day of history */
    gen_site_t sites[GEN_N_SITES];
    gen_item_t items[GEN_MAX_ITEMS];
    int n_items;
    gen_supplier_t suppliers[GEN_MAX_SUPPLIERS];
    int n_suppliers;
    int late_supplier;               /* the incident: turns late in the last 3 months */
    char customers[GEN_MAX_CUSTOMERS][64];
    int n_customers;
    gen_employee_t employees[GEN_MAX_EMPLOYEES];
    int n_employees;
    gen_project_t projects[GEN_MAX_PROJECTS];
    int n_projects;
    int overrun_project;             /* the incident: over budget */
    gen_task_t tasks[GEN_MAX_TASKS];
    int n_tasks;
} gen_world_t;

/* Builds the shared master data. period is the last month of history. */
ops_status_t gen_world_build(gen_world_t *w, unsigned long seed, int period_y, int period_m,
                             int months, double scale, ops_error_t *err);
/* Month index (0 = first month of history) to year/month. */
void gen_month_ym(const gen_world_t *w, int index, int *y, int *m);
/* Employee active on day. */
bool gen_employee_active(const gen_employee_t *e, gen_day_t day);

/* Revenue of a site in a month (euros, before noise): trend x seasonality.
 * Shared by the GL and the shipments so the two tell the same story. */
double gen_revenue_expected(const gen_world_t *w, int site, int month_index);
/* Seasonality factor of a calendar month (Q4 peak, August dip). */
double gen_season(int calendar_month);

/* ---- one function per kind ----------------------------------------------- */

typedef ops_status_t (*gen_kind_fn)(const gen_world_t *w, gen_writer_t *out, gsl_rng *r,
                                    ops_error_t *err);

/* The writers are declared beside their one caller, generate.c's kind table,
 * so a new kind is its writer in a gen_*.c file and a line in that table. */

/* The quality incident, shared with the README and the tests. */
#define GEN_SPC_TARGET_G 412.0
#define GEN_SPC_SIGMA_G 2.0
#define GEN_SPC_SHIFT_G 5.0     /* mean shift of the incident line in the last month */
#define GEN_SPC_SHIFT_SITE 1    /* Leeds */
#define GEN_SPC_SHIFT_LINE 1    /* its "Line 2" */

#endif
