/*
 * schema.h - the logical fields of every input kind.
 *
 * Each CSV export is read as one "kind" (GL actuals, purchase orders, ...).
 * A kind has a fixed list of logical fields with a type and validation rules;
 * the config maps each logical field to the header the exporting tool uses
 * (`col.FIELD = Header As Exported`). Analytics reads records by the field
 * index constants below, never by header name.
 */
#ifndef OPSREPORT_SCHEMA_H
#define OPSREPORT_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    FT_TEXT,      /* free text, kept as bytes (UTF-8 after decoding) */
    FT_INT,       /* whole number */
    FT_DECIMAL,   /* quantity or measurement, double */
    FT_MONEY,     /* amount as int64 minor units (cents) */
    FT_DATE,      /* calendar date, days since 1970-01-01 */
    FT_TIMESTAMP, /* date and time, seconds since 1970-01-01 UTC */
    FT_ENUM,      /* one of a fixed list of values, stored as the index */
    FT_BOOL       /* yes/no */
} field_type_t;

typedef struct {
    const char *name;        /* logical name: col.NAME in config */
    field_type_t type;
    bool required;           /* empty or missing-token value rejects the row */
    bool has_range;
    double min, max;         /* inclusive range for FT_INT/FT_DECIMAL */
    const char *const *enum_values; /* NULL-terminated, for FT_ENUM (case-insensitive) */
    const char *doc;         /* one line of documentation */
    /* Built-in vocabulary for FT_ENUM: vocab[i] lists, '|'-separated and
     * lower case, the spellings common tools use for enum_values[i] (Jira's
     * "Blocker", ServiceNow's "1 - Critical", "Einnahmen"). NULL: none. */
    const char *const *vocab;
    /* Header names this field goes by in real exports, '|'-separated, lower
     * case, several languages: used by inspect and by missing-field errors. */
    const char *synonyms;
    const char *used_by;     /* the KPIs that read this field, for `opsreport kinds` */
} field_def_t;

typedef enum {
    KIND_GL_ACTUALS,
    KIND_GL_BUDGET,
    KIND_PURCHASE_ORDERS,
    KIND_ITEMS,
    KIND_INVENTORY,
    KIND_SHIPMENTS,
    KIND_TICKETS,
    KIND_EMPLOYEES,
    KIND_TRAINING,
    KIND_PROJECTS,
    KIND_TASKS,
    KIND_TIMESHEETS,
    KIND_RISKS,
    KIND_CONTROLS,
    KIND_PRODUCTION,
    KIND_QUALITY,
    KIND_COUNT
} input_kind_t;

typedef struct {
    input_kind_t kind;
    const char *name;        /* "gl_actuals" */
    const char *label;       /* "GL actuals" */
    const field_def_t *fields;
    size_t n_fields;
    int key_field;           /* field that must be unique per row, -1 if none */
    /* The date that says how far an export reaches (the freshness gate): the
     * day a row is booked, ordered, shipped, created or measured. -1: a plan,
     * register or master data, whose dates say nothing about it. */
    int date_field;
    /* The field a scoped summary picks rows by (entity or site), or -1: kinds
     * scoped through another input (training and timesheets by employee,
     * tasks by project) or not at all (controls). */
    int scope_field;
} input_schema_t;

const input_schema_t *schema_for_kind(input_kind_t kind);
/* NULL if no kind has that name. */
const input_schema_t *schema_find(const char *name);
/* Index of the field, or -1. */
int schema_field_index(const input_schema_t *schema, const char *field_name);

/* Field indices per kind. Keep in step with the tables in schema.c. */
enum { GL_DATE, GL_ENTITY, GL_COST_CENTRE, GL_ACCOUNT, GL_ACCOUNT_TYPE, GL_AMOUNT, GL_NFIELDS };
enum { GL_TYPE_REVENUE, GL_TYPE_COGS, GL_TYPE_OPEX };

enum { PO_LINE, PO_SUPPLIER, PO_CATEGORY, PO_SKU, PO_SITE, PO_ORDER_DATE, PO_PROMISED_DATE,
       PO_DELIVERED_DATE, PO_QTY_ORDERED, PO_QTY_DELIVERED, PO_UNIT_PRICE, PO_STANDARD_COST,
       PO_AMOUNT, PO_NFIELDS };

enum { ITEM_SKU, ITEM_DESCRIPTION, ITEM_CATEGORY, ITEM_UNIT_COST, ITEM_LEAD_TIME_DAYS,
       ITEM_NFIELDS };

enum { INV_SNAPSHOT_DATE, INV_SITE, INV_SKU, INV_QTY_ON_HAND, INV_VALUE, INV_NFIELDS };

enum { SHIP_ID, SHIP_CUSTOMER, SHIP_SITE, SHIP_SKU, SHIP_DATE, SHIP_PROMISED_DATE,
       SHIP_DELIVERED_DATE, SHIP_QTY_ORDERED, SHIP_QTY_SHIPPED, SHIP_VALUE, SHIP_COGS,
       SHIP_NFIELDS };

enum { TKT_ID, TKT_UPDATED_AT, TKT_CREATED_AT, TKT_FIRST_RESPONSE_AT, TKT_RESOLVED_AT,
       TKT_PRIORITY, TKT_CHANNEL, TKT_STATUS, TKT_CSAT, TKT_REOPENED, TKT_SITE, TKT_NFIELDS };
enum { TKT_P1, TKT_P2, TKT_P3, TKT_P4 };
enum { TKT_STATUS_OPEN, TKT_STATUS_PENDING, TKT_STATUS_RESOLVED, TKT_STATUS_CLOSED };

enum { EMP_ID, EMP_NAME, EMP_SITE, EMP_DEPARTMENT, EMP_HIRE_DATE, EMP_LEAVE_DATE,
       EMP_LEAVE_REASON, EMP_FTE, EMP_NFIELDS };
enum { EMP_LEAVE_VOLUNTARY, EMP_LEAVE_INVOLUNTARY };

enum { TRN_ID, TRN_EMPLOYEE_ID, TRN_COURSE, TRN_MANDATORY, TRN_DUE_DATE, TRN_COMPLETED_DATE,
       TRN_HOURS, TRN_NFIELDS };

enum { PRJ_ID, PRJ_NAME, PRJ_MANAGER, PRJ_SITE, PRJ_BUDGET, PRJ_START_DATE, PRJ_END_DATE,
       PRJ_STATUS, PRJ_NFIELDS };
enum { PRJ_STATUS_PLANNED, PRJ_STATUS_ACTIVE, PRJ_STATUS_ON_HOLD, PRJ_STATUS_CLOSED };

enum { TASK_ID, TASK_PROJECT_ID, TASK_NAME, TASK_PLANNED_START, TASK_PLANNED_FINISH,
       TASK_ACTUAL_FINISH, TASK_PLANNED_COST, TASK_ACTUAL_COST, TASK_PERCENT_COMPLETE,
       TASK_MILESTONE, TASK_NFIELDS };

enum { TS_EMPLOYEE_ID, TS_PROJECT_ID, TS_DATE, TS_HOURS, TS_BILLABLE, TS_NFIELDS };

enum { RISK_ID, RISK_TITLE, RISK_OWNER, RISK_CATEGORY, RISK_SITE, RISK_RAISED_DATE,
       RISK_LIKELIHOOD, RISK_IMPACT, RISK_EXPOSURE, RISK_MITIGATION_DUE, RISK_STATUS,
       RISK_NFIELDS };
enum { RISK_STATUS_OPEN, RISK_STATUS_MITIGATING, RISK_STATUS_CLOSED };

enum { CTL_ID, CTL_AREA, CTL_OWNER, CTL_STATUS, CTL_LAST_TESTED, CTL_NEXT_AUDIT_DUE,
       CTL_OPEN_FINDINGS, CTL_OLDEST_FINDING_DATE, CTL_NFIELDS };
enum { CTL_STATUS_COMPLIANT, CTL_STATUS_NON_COMPLIANT, CTL_STATUS_NOT_TESTED };

enum { PROD_DATE, PROD_SITE, PROD_LINE, PROD_UNITS_PRODUCED, PROD_UNITS_DEFECTIVE,
       PROD_UNITS_FIRST_PASS, PROD_TARGET_EFFICIENCY, PROD_ACTUAL_EFFICIENCY, PROD_NFIELDS };

enum { QUAL_MEASURED_AT, QUAL_SITE, QUAL_LINE, QUAL_SUBGROUP, QUAL_WEIGHT_G, QUAL_LENGTH_MM,
       QUAL_WIDTH_MM, QUAL_HEIGHT_MM, QUAL_NFIELDS };

#endif
