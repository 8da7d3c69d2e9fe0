/* Unit tests for the schema tables (pipeline/core/schema.c): index constants,
 * vocabularies and the synonyms inspect and the missing-field errors use. */
#include <criterion/criterion.h>
#include <glib.h>
#include <string.h>

#include "opsreport/schema.h"

typedef struct {
    input_kind_t kind;
    int index;
    const char *name;
} field_case_t;

/* The first, a middle and the last field of every kind, by its constant. */
static const field_case_t fields[] = {
    { KIND_GL_ACTUALS, GL_DATE, "date" },
    { KIND_GL_ACTUALS, GL_ACCOUNT_TYPE, "account_type" },
    { KIND_GL_BUDGET, GL_AMOUNT, "amount" },
    { KIND_PURCHASE_ORDERS, PO_LINE, "po_line" },
    { KIND_PURCHASE_ORDERS, PO_DELIVERED_DATE, "delivered_date" },
    { KIND_PURCHASE_ORDERS, PO_AMOUNT, "amount" },
    { KIND_ITEMS, ITEM_SKU, "sku" },
    { KIND_ITEMS, ITEM_LEAD_TIME_DAYS, "lead_time_days" },
    { KIND_INVENTORY, INV_SNAPSHOT_DATE, "snapshot_date" },
    { KIND_INVENTORY, INV_VALUE, "value" },
    { KIND_SHIPMENTS, SHIP_ID, "shipment_id" },
    { KIND_SHIPMENTS, SHIP_QTY_SHIPPED, "qty_shipped" },
    { KIND_SHIPMENTS, SHIP_COGS, "cogs" },
    { KIND_TICKETS, TKT_ID, "ticket_id" },
    { KIND_TICKETS, TKT_PRIORITY, "priority" },
    { KIND_TICKETS, TKT_SITE, "site" },
    { KIND_EMPLOYEES, EMP_ID, "employee_id" },
    { KIND_EMPLOYEES, EMP_LEAVE_REASON, "leave_reason" },
    { KIND_EMPLOYEES, EMP_FTE, "fte" },
    { KIND_TRAINING, TRN_ID, "record_id" },
    { KIND_TRAINING, TRN_HOURS, "hours" },
    { KIND_PROJECTS, PRJ_ID, "project_id" },
    { KIND_PROJECTS, PRJ_STATUS, "status" },
    { KIND_TASKS, TASK_ID, "task_id" },
    { KIND_TASKS, TASK_PERCENT_COMPLETE, "percent_complete" },
    { KIND_TASKS, TASK_MILESTONE, "milestone" },
    { KIND_TIMESHEETS, TS_EMPLOYEE_ID, "employee_id" },
    { KIND_TIMESHEETS, TS_BILLABLE, "billable" },
    { KIND_RISKS, RISK_ID, "risk_id" },
    { KIND_RISKS, RISK_EXPOSURE, "exposure" },
    { KIND_RISKS, RISK_STATUS, "status" },
    { KIND_CONTROLS, CTL_ID, "control_id" },
    { KIND_CONTROLS, CTL_OLDEST_FINDING_DATE, "oldest_finding_date" },
    { KIND_PRODUCTION, PROD_DATE, "date" },
    { KIND_PRODUCTION, PROD_UNITS_FIRST_PASS, "units_first_pass" },
    { KIND_QUALITY, QUAL_MEASURED_AT, "measured_at" },
    { KIND_QUALITY, QUAL_WEIGHT_G, "weight_g" },
    { KIND_QUALITY, QUAL_HEIGHT_MM, "height_mm" },
};

Test(schema, index_constants_name_the_fields)
{
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const input_schema_t *s = schema_for_kind(fields[i].kind);
        cr_assert_not_null(s);
        cr_assert_lt((size_t)fields[i].index, s->n_fields, "%s: index %d", s->name, fields[i].index);
        cr_assert_str_eq(s->fields[fields[i].index].name, fields[i].name, "%s field %d", s->name,
                         fields[i].index);
        cr_assert_eq(schema_field_index(s, fields[i].name), fields[i].index);
    }
}

typedef struct {
    input_kind_t kind;
    int field;
    const char *const *values; /* the enum's index constants, in order */
    size_t count;
} enum_case_t;

static const char *const gl_types[] = { "revenue", "cogs", "opex" };
static const char *const priorities[] = { "P1", "P2", "P3", "P4" };
static const char *const ticket_states[] = { "open", "pending", "resolved", "closed" };
static const char *const leave[] = { "voluntary", "involuntary" };
static const char *const project_states[] = { "planned", "active", "on_hold", "closed" };
static const char *const risk_states[] = { "open", "mitigating", "closed" };
static const char *const control_states[] = { "compliant", "non_compliant", "not_tested" };

Test(schema, enum_values_follow_their_constants)
{
    static const enum_case_t cases[] = {
        { KIND_GL_ACTUALS, GL_ACCOUNT_TYPE, gl_types, 3 },
        { KIND_TICKETS, TKT_PRIORITY, priorities, 4 },
        { KIND_TICKETS, TKT_STATUS, ticket_states, 4 },
        { KIND_EMPLOYEES, EMP_LEAVE_REASON, leave, 2 },
        { KIND_PROJECTS, PRJ_STATUS, project_states, 4 },
        { KIND_RISKS, RISK_STATUS, risk_states, 3 },
        { KIND_CONTROLS, CTL_STATUS, control_states, 3 },
    };
    cr_assert_eq(GL_TYPE_OPEX, 2);
    cr_assert_eq(TKT_P4, 3);
    cr_assert_eq(TKT_STATUS_CLOSED, 3);
    cr_assert_eq(EMP_LEAVE_INVOLUNTARY, 1);
    cr_assert_eq(PRJ_STATUS_CLOSED, 3);
    cr_assert_eq(RISK_STATUS_CLOSED, 2);
    cr_assert_eq(CTL_STATUS_NOT_TESTED, 2);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const field_def_t *def = &schema_for_kind(cases[i].kind)->fields[cases[i].field];
        cr_assert_eq(def->type, FT_ENUM, "%s", def->name);
        size_t n = 0;
        while (def->enum_values[n])
            n++;
        cr_assert_eq(n, cases[i].count, "%s has %zu values", def->name, n);
        for (size_t k = 0; k < n; k++)
            cr_assert_str_eq(def->enum_values[k], cases[i].values[k]);
    }
}

Test(schema, every_enum_has_a_vocabulary_entry_per_value)
{
    for (int k = 0; k < KIND_COUNT; k++) {
        const input_schema_t *s = schema_for_kind((input_kind_t)k);
        for (size_t f = 0; f < s->n_fields; f++) {
            const field_def_t *def = &s->fields[f];
            if (def->type != FT_ENUM)
                continue;
            cr_assert_not_null(def->vocab, "%s.%s has no vocabulary", s->name, def->name);
            for (size_t i = 0; def->enum_values[i]; i++) {
                cr_assert_not_null(def->vocab[i], "%s.%s: no spellings for %s", s->name, def->name,
                                   def->enum_values[i]);
                cr_assert_gt(strlen(def->vocab[i]), 0);
                gchar *lower = g_utf8_strdown(def->vocab[i], -1);
                cr_assert_str_eq(lower, def->vocab[i], "%s.%s vocabulary is not lower case", s->name,
                                 def->name);
                g_free(lower);
            }
        }
    }
}

Test(schema, every_field_has_lower_case_synonyms)
{
    for (int k = 0; k < KIND_COUNT; k++) {
        const input_schema_t *s = schema_for_kind((input_kind_t)k);
        for (size_t f = 0; f < s->n_fields; f++) {
            const field_def_t *def = &s->fields[f];
            cr_assert_not_null(def->synonyms, "%s.%s has no synonyms", s->name, def->name);
            gchar *lower = g_utf8_strdown(def->synonyms, -1);
            cr_assert_str_eq(lower, def->synonyms, "%s.%s synonyms are not lower case", s->name, def->name);
            g_free(lower);
            cr_assert(g_utf8_validate(def->synonyms, -1, NULL));
            gchar **items = g_strsplit(def->synonyms, "|", -1);
            for (size_t i = 0; items[i]; i++) {
                cr_assert_gt(strlen(items[i]), 0, "%s.%s: empty synonym", s->name, def->name);
                size_t n = strlen(items[i]);
                cr_assert(items[i][0] != ' ' && items[i][n - 1] != ' ', "%s.%s: '%s' has blanks around it",
                          s->name, def->name, items[i]);
            }
            g_strfreev(items);
            cr_assert_not_null(def->doc);
        }
    }
}

Test(schema, required_fields_say_who_reads_them)
{
    /* a few fields every KPI area depends on name their KPIs */
    static const field_case_t used[] = {
        { KIND_GL_ACTUALS, GL_AMOUNT, "revenue" },
        { KIND_PURCHASE_ORDERS, PO_PROMISED_DATE, "supplier_otif_pct" },
        { KIND_TICKETS, TKT_CREATED_AT, "tickets_created" },
        { KIND_EMPLOYEES, EMP_HIRE_DATE, "headcount" },
        { KIND_TASKS, TASK_PERCENT_COMPLETE, "portfolio_spi" },
        { KIND_PRODUCTION, PROD_UNITS_DEFECTIVE, "defect_ppm" },
        { KIND_QUALITY, QUAL_WEIGHT_G, "cpk_min" },
    };
    for (size_t i = 0; i < sizeof used / sizeof used[0]; i++) {
        const field_def_t *def = &schema_for_kind(used[i].kind)->fields[used[i].index];
        cr_assert_not_null(def->used_by, "%s", def->name);
        cr_assert_not_null(strstr(def->used_by, used[i].name), "%s: %s", def->name, def->used_by);
    }
}

Test(schema, kinds_are_found_by_name)
{
    cr_assert_eq(schema_find("GL_Budget"), schema_for_kind(KIND_GL_BUDGET));
    cr_assert_null(schema_find("ledger"));
    cr_assert_null(schema_for_kind(KIND_COUNT));
    cr_assert_eq(schema_field_index(schema_for_kind(KIND_TICKETS), "nope"), -1);
}

/* The kind registry's per-kind attributes, hand-checked: the freshness gate's
 * date and the scoped summaries' field. A date field must be a date, a scope
 * field the entity or site column. */
Test(schema, kind_registry_date_and_scope_fields)
{
    static const struct {
        input_kind_t kind;
        const char *date, *scope; /* NULL: none */
    } cases[] = {
        { KIND_GL_ACTUALS, "date", "entity" },     { KIND_GL_BUDGET, NULL, "entity" },
        { KIND_PURCHASE_ORDERS, "order_date", "site" }, { KIND_ITEMS, NULL, NULL },
        { KIND_INVENTORY, "snapshot_date", "site" }, { KIND_SHIPMENTS, "ship_date", "site" },
        { KIND_TICKETS, "created_at", "site" },    { KIND_EMPLOYEES, NULL, "site" },
        { KIND_TRAINING, NULL, NULL },             { KIND_PROJECTS, NULL, "site" },
        { KIND_TASKS, NULL, NULL },                { KIND_TIMESHEETS, "date", NULL },
        { KIND_RISKS, NULL, "site" },              { KIND_CONTROLS, NULL, NULL },
        { KIND_PRODUCTION, "date", "site" },       { KIND_QUALITY, "measured_at", "site" },
    };
    _Static_assert(sizeof cases / sizeof cases[0] == KIND_COUNT, "a case per kind");
    for (size_t i = 0; i < KIND_COUNT; i++) {
        const input_schema_t *s = schema_for_kind(cases[i].kind);
        cr_assert_not_null(s);
        cr_expect_eq(s->kind, cases[i].kind, "table entry %zu is kind %d", i, s->kind);
        if (cases[i].date) {
            cr_assert_geq(s->date_field, 0, "%s has no date field", s->name);
            cr_expect_str_eq(s->fields[s->date_field].name, cases[i].date, "%s", s->name);
            field_type_t t = s->fields[s->date_field].type;
            cr_expect(t == FT_DATE || t == FT_TIMESTAMP, "%s's date field is not a date", s->name);
        } else
            cr_expect_eq(s->date_field, -1, "%s", s->name);
        if (cases[i].scope) {
            cr_assert_geq(s->scope_field, 0, "%s has no scope field", s->name);
            cr_expect_str_eq(s->fields[s->scope_field].name, cases[i].scope, "%s", s->name);
        } else
            cr_expect_eq(s->scope_field, -1, "%s", s->name);
    }
}
