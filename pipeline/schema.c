/*
 * schema.c - the tables of logical fields for every input kind.
 *
 * The order of each table matches the index enums in schema.h; the
 * _Static_asserts below check the counts, tests/unit/test_schema.c the names.
 */
#include "opsreport/schema.h"

#include <strings.h>

/* Trailing arguments are designated initializers: .synonyms, .used_by, .vocab */
#define TEXT(n, req, d, ...) { .name = n, .type = FT_TEXT, .required = req, .doc = d, __VA_ARGS__ }
#define INT(n, req, lo, hi, d, ...) \
    { .name = n, .type = FT_INT, .required = req, .has_range = true, .min = lo, .max = hi, .doc = d, __VA_ARGS__ }
#define DEC(n, req, lo, hi, d, ...) \
    { .name = n, .type = FT_DECIMAL, .required = req, .has_range = true, .min = lo, .max = hi, .doc = d, __VA_ARGS__ }
#define MONEY(n, req, d, ...) { .name = n, .type = FT_MONEY, .required = req, .doc = d, __VA_ARGS__ }
#define DATE(n, req, d, ...) { .name = n, .type = FT_DATE, .required = req, .doc = d, __VA_ARGS__ }
#define TS(n, req, d, ...) { .name = n, .type = FT_TIMESTAMP, .required = req, .doc = d, __VA_ARGS__ }
#define ENUM(n, req, vals, voc, d, ...) \
    { .name = n, .type = FT_ENUM, .required = req, .enum_values = vals, .vocab = voc, .doc = d, __VA_ARGS__ }
#define BOOL(n, req, d, ...) { .name = n, .type = FT_BOOL, .required = req, .doc = d, __VA_ARGS__ }
#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const account_types[] = { "revenue", "cogs", "opex", NULL };
static const char *const priorities[] = { "P1", "P2", "P3", "P4", NULL };
static const char *const ticket_statuses[] = { "open", "pending", "resolved", "closed", NULL };
static const char *const leave_reasons[] = { "voluntary", "involuntary", NULL };
static const char *const project_statuses[] = { "planned", "active", "on_hold", "closed", NULL };
static const char *const risk_statuses[] = { "open", "mitigating", "closed", NULL };
static const char *const control_statuses[] = { "compliant", "non_compliant", "not_tested", NULL };

/* Built-in vocabularies: how common tools spell each enum value (lower case,
 * '|'-separated; matched case-insensitively with spaces, '-' and '_' alike).
 * Sources: Jira priorities and statuses, ServiceNow incident priorities and
 * states, GitHub issue states, German/French/Spanish budget and ledger labels. */
static const char *const account_type_vocab[] = {
    "income|revenues|sales|turnover|erlöse|erlose|erträge|ertrage|einnahmen|einnahme|einzahlungen|produits|recettes|ingresos|ricavi|entrate",
    "cost of sales|cost of goods sold|cost_of_sales|cost of revenue|materialaufwand|wareneinsatz|herstellungskosten|coût des ventes|costo de ventas",
    "expense|expenses|expenditure|expenditures|cost|costs|operating expense|operating expenses|overhead|aufwand|aufwendungen|ausgaben|ausgabe|auszahlungen|kosten|charges|dépenses|depenses|gastos|spese|uscite",
};
static const char *const priority_vocab[] = {
    "1|p1|critical|blocker|highest|urgent|emergency|1 - critical|1-critical|prio 1|sev1|sev 1|severity 1|very high",
    "2|p2|high|major|2 - high|2-high|prio 2|sev2|sev 2|severity 2",
    "3|p3|medium|moderate|normal|3 - moderate|3 - medium|3-moderate|prio 3|sev3|sev 3|severity 3",
    "4|p4|low|minor|trivial|lowest|planning|4 - low|5 - planning|4-low|prio 4|sev4|sev 4|severity 4|5",
};
static const char *const ticket_status_vocab[] = {
    "new|open|opened|active|assigned|in progress|in_progress|work in progress|to do|todo|backlog|selected for development|reopened|started|in review|triage",
    "pending|on hold|awaiting|awaiting user info|awaiting customer|awaiting info|awaiting vendor|waiting|waiting for customer|waiting for support|blocked|deferred",
    "resolved|done|fixed|completed|complete|solved|won't fix|wont fix|duplicate|cannot reproduce",
    "closed|cancelled|canceled|rejected|archived|closed complete|closed incomplete",
};
static const char *const leave_reason_vocab[] = {
    "resignation|resigned|resignation-other reasons|resignation-other employer|resignation-move overseas/interstate|retirement|age retirement|voluntary early retirement (ver)|quit|left|voluntary resignation|kündigung durch arbeitnehmer|démission",
    "termination|terminated|dismissal|dismissed|redundancy|laid off|layoff|contract expired|contract ended|end of contract|ill health retirement|fired|kündigung durch arbeitgeber|licenciement",
};
static const char *const project_status_vocab[] = {
    "not started|proposed|pipeline|initiation|planning|approved|backlog|new|to do|draft",
    "in progress|in_progress|active|open|ongoing|underway|execution|delivery|started|construction|implementation",
    "paused|suspended|deferred|on hold|hold|blocked",
    "completed|complete|done|finished|cancelled|canceled|closed out|delivered",
};
static const char *const risk_status_vocab[] = {
    "new|identified|raised|active|assessed|open",
    "in progress|treating|mitigation|mitigating|monitoring|under review|in treatment",
    "retired|resolved|accepted|done|mitigated|closed|obsolete",
};
static const char *const control_status_vocab[] = {
    "effective|pass|passed|compliant|ok|green|satisfactory",
    "ineffective|fail|failed|non compliant|noncompliant|deficient|red|exception|unsatisfactory",
    "not tested|untested|pending|not assessed|n/t|planned",
};

static const field_def_t gl_fields[] = {
    DATE("date", true, "posting date or any day of the period"),
    TEXT("entity", true, "legal entity or site"),
    TEXT("cost_centre", true, "cost centre"),
    TEXT("account", true, "GL account"),
    ENUM("account_type", true, account_types, account_type_vocab, "revenue, cogs or opex"),
    MONEY("amount", true, "amount; revenue positive, costs positive"),
};

static const field_def_t po_fields[] = {
    TEXT("po_line", true, "purchase order line id (unique)"),
    TEXT("supplier", true, "supplier name"),
    TEXT("category", true, "spend category"),
    TEXT("sku", false, "item ordered"),
    TEXT("site", false, "receiving site"),
    DATE("order_date", true, "date ordered"),
    DATE("promised_date", true, "delivery date promised by supplier"),
    DATE("delivered_date", false, "actual delivery date, empty if open"),
    DEC("qty_ordered", true, 0, 1e12, "quantity ordered"),
    DEC("qty_delivered", false, 0, 1e12, "quantity delivered"),
    MONEY("unit_price", true, "price paid per unit"),
    MONEY("standard_cost", false, "standard cost per unit"),
    MONEY("amount", true, "line amount"),
};

static const field_def_t item_fields[] = {
    TEXT("sku", true, "item code (unique)"),
    TEXT("description", false, "item description"),
    TEXT("category", false, "item category"),
    MONEY("unit_cost", true, "standard unit cost"),
    INT("lead_time_days", false, 0, 3650, "replenishment lead time in days"),
};

static const field_def_t inventory_fields[] = {
    DATE("snapshot_date", true, "date of the stock snapshot"),
    TEXT("site", true, "warehouse or site"),
    TEXT("sku", true, "item code"),
    DEC("qty_on_hand", true, -1e12, 1e12, "quantity on hand"),
    MONEY("value", true, "stock value"),
};

static const field_def_t shipment_fields[] = {
    TEXT("shipment_id", true, "shipment line id (unique)"),
    TEXT("customer", true, "customer"),
    TEXT("site", true, "shipping site"),
    TEXT("sku", true, "item shipped"),
    DATE("ship_date", true, "date shipped"),
    DATE("promised_date", true, "date promised to customer"),
    DATE("delivered_date", false, "date delivered"),
    DEC("qty_ordered", true, 0, 1e12, "quantity ordered by customer"),
    DEC("qty_shipped", true, 0, 1e12, "quantity shipped"),
    MONEY("value", true, "invoice value"),
    MONEY("cogs", false, "cost of goods shipped"),
};

static const field_def_t ticket_fields[] = {
    TEXT("ticket_id", true, "ticket id"),
    TS("updated_at", false, "time of this update (event logs: keep_latest_by = updated_at)"),
    TS("created_at", true, "time created"),
    TS("first_response_at", false, "time of first response"),
    TS("resolved_at", false, "time resolved"),
    ENUM("priority", true, priorities, priority_vocab, "P1..P4"),
    TEXT("channel", true, "email, phone, portal, chat"),
    ENUM("status", true, ticket_statuses, ticket_status_vocab, "open, pending, resolved, closed"),
    INT("csat", false, 1, 5, "satisfaction score 1-5"),
    BOOL("reopened", false, "reopened after resolution"),
    TEXT("site", false, "site the ticket concerns"),
};

static const field_def_t employee_fields[] = {
    TEXT("employee_id", true, "employee id (unique)"),
    TEXT("name", true, "full name"),
    TEXT("site", true, "site"),
    TEXT("department", true, "department"),
    DATE("hire_date", true, "first day"),
    DATE("leave_date", false, "last day, empty if still employed"),
    ENUM("leave_reason", false, leave_reasons, leave_reason_vocab, "voluntary or involuntary"),
    DEC("fte", true, 0, 1.5, "full-time equivalent"),
};

static const field_def_t training_fields[] = {
    TEXT("record_id", true, "training record id (unique)"),
    TEXT("employee_id", true, "employee id"),
    TEXT("course", true, "course name"),
    BOOL("mandatory", true, "mandatory course"),
    DATE("due_date", true, "due date"),
    DATE("completed_date", false, "completion date"),
    DEC("hours", false, 0, 1000, "training hours"),
};

static const field_def_t project_fields[] = {
    TEXT("project_id", true, "project id (unique)"),
    TEXT("name", true, "project name"),
    TEXT("manager", false, "project manager"),
    TEXT("site", false, "site"),
    MONEY("budget", true, "budget at completion"),
    DATE("start_date", true, "planned start"),
    DATE("end_date", true, "planned end"),
    ENUM("status", true, project_statuses, project_status_vocab, "planned, active, on_hold, closed"),
};

static const field_def_t task_fields[] = {
    TEXT("task_id", true, "task id (unique)"),
    TEXT("project_id", true, "project id"),
    TEXT("name", false, "task name"),
    DATE("planned_start", true, "baseline start"),
    DATE("planned_finish", true, "baseline finish"),
    DATE("actual_finish", false, "actual or forecast finish"),
    MONEY("planned_cost", true, "baseline cost"),
    MONEY("actual_cost", false, "actual cost to date"),
    DEC("percent_complete", true, 0, 100, "percent complete"),
    BOOL("milestone", false, "task is a milestone"),
};

static const field_def_t timesheet_fields[] = {
    TEXT("employee_id", true, "employee id"),
    TEXT("project_id", false, "project id, empty for internal time"),
    DATE("date", true, "day worked"),
    DEC("hours", true, 0, 24, "hours"),
    BOOL("billable", true, "billable to a project"),
};

static const field_def_t risk_fields[] = {
    TEXT("risk_id", true, "risk id (unique)"),
    TEXT("title", true, "risk title"),
    TEXT("owner", false, "risk owner"),
    TEXT("category", false, "category"),
    TEXT("site", false, "site"),
    DATE("raised_date", true, "date raised"),
    INT("likelihood", true, 1, 5, "likelihood 1-5"),
    INT("impact", true, 1, 5, "impact 1-5"),
    MONEY("exposure", false, "financial exposure"),
    DATE("mitigation_due", false, "mitigation due date"),
    ENUM("status", true, risk_statuses, risk_status_vocab, "open, mitigating, closed"),
};

static const field_def_t control_fields[] = {
    TEXT("control_id", true, "control id (unique)"),
    TEXT("area", true, "compliance area"),
    TEXT("owner", false, "control owner"),
    ENUM("status", true, control_statuses, control_status_vocab, "compliant, non_compliant, not_tested"),
    DATE("last_tested", false, "last test date"),
    DATE("next_audit_due", true, "next audit due"),
    INT("open_findings", false, 0, 100000, "open findings"),
    DATE("oldest_finding_date", false, "date of the oldest open finding"),
};

static const field_def_t production_fields[] = {
    DATE("date", true, "production day"),
    TEXT("site", true, "site"),
    TEXT("line", true, "production line"),
    INT("units_produced", true, 0, 1e9, "units produced"),
    INT("units_defective", true, 0, 1e9, "units scrapped or reworked"),
    INT("units_first_pass", false, 0, 1e9, "units good first time"),
};

static const field_def_t quality_fields[] = {
    TS("measured_at", true, "time of measurement"),
    TEXT("site", true, "site"),
    TEXT("line", true, "production line"),
    INT("subgroup", true, 0, 1e12, "rational subgroup number"),
    DEC("weight_g", true, 0, 1e6, "box weight in grams"),
    DEC("length_mm", false, 0, 1e5, "length in mm"),
    DEC("width_mm", false, 0, 1e5, "width in mm"),
    DEC("height_mm", false, 0, 1e5, "height in mm"),
};

_Static_assert(N(gl_fields) == GL_NFIELDS, "gl_fields must match the GL_ enum");
_Static_assert(N(po_fields) == PO_NFIELDS, "po_fields must match the PO_ enum");
_Static_assert(N(item_fields) == ITEM_NFIELDS, "item_fields must match the ITEM_ enum");
_Static_assert(N(inventory_fields) == INV_NFIELDS, "inventory_fields must match the INV_ enum");
_Static_assert(N(shipment_fields) == SHIP_NFIELDS, "shipment_fields must match the SHIP_ enum");
_Static_assert(N(ticket_fields) == TKT_NFIELDS, "ticket_fields must match the TKT_ enum");
_Static_assert(N(employee_fields) == EMP_NFIELDS, "employee_fields must match the EMP_ enum");
_Static_assert(N(training_fields) == TRN_NFIELDS, "training_fields must match the TRN_ enum");
_Static_assert(N(project_fields) == PRJ_NFIELDS, "project_fields must match the PRJ_ enum");
_Static_assert(N(task_fields) == TASK_NFIELDS, "task_fields must match the TASK_ enum");
_Static_assert(N(timesheet_fields) == TS_NFIELDS, "timesheet_fields must match the TS_ enum");
_Static_assert(N(risk_fields) == RISK_NFIELDS, "risk_fields must match the RISK_ enum");
_Static_assert(N(control_fields) == CTL_NFIELDS, "control_fields must match the CTL_ enum");
_Static_assert(N(production_fields) == PROD_NFIELDS, "production_fields must match the PROD_ enum");
_Static_assert(N(quality_fields) == QUAL_NFIELDS, "quality_fields must match the QUAL_ enum");
_Static_assert(N(account_type_vocab) + 1 == N(account_types), "one vocabulary entry per value");
_Static_assert(N(priority_vocab) + 1 == N(priorities), "one vocabulary entry per value");
_Static_assert(N(ticket_status_vocab) + 1 == N(ticket_statuses), "one vocabulary entry per value");
_Static_assert(N(leave_reason_vocab) + 1 == N(leave_reasons), "one vocabulary entry per value");
_Static_assert(N(project_status_vocab) + 1 == N(project_statuses), "one vocabulary entry per value");
_Static_assert(N(risk_status_vocab) + 1 == N(risk_statuses), "one vocabulary entry per value");
_Static_assert(N(control_status_vocab) + 1 == N(control_statuses), "one vocabulary entry per value");

static const input_schema_t schemas[KIND_COUNT] = {
    { KIND_GL_ACTUALS, "gl_actuals", "GL actuals", gl_fields, N(gl_fields), -1 },
    { KIND_GL_BUDGET, "gl_budget", "GL budget", gl_fields, N(gl_fields), -1 },
    { KIND_PURCHASE_ORDERS, "purchase_orders", "Purchase orders", po_fields, N(po_fields), PO_LINE },
    { KIND_ITEMS, "items", "Item master", item_fields, N(item_fields), ITEM_SKU },
    { KIND_INVENTORY, "inventory", "Inventory snapshots", inventory_fields, N(inventory_fields), -1 },
    { KIND_SHIPMENTS, "shipments", "Shipments", shipment_fields, N(shipment_fields), SHIP_ID },
    { KIND_TICKETS, "tickets", "Service tickets", ticket_fields, N(ticket_fields), TKT_ID },
    { KIND_EMPLOYEES, "employees", "Employees", employee_fields, N(employee_fields), EMP_ID },
    { KIND_TRAINING, "training", "Training records", training_fields, N(training_fields), TRN_ID },
    { KIND_PROJECTS, "projects", "Projects", project_fields, N(project_fields), PRJ_ID },
    { KIND_TASKS, "tasks", "Project tasks", task_fields, N(task_fields), TASK_ID },
    { KIND_TIMESHEETS, "timesheets", "Timesheets", timesheet_fields, N(timesheet_fields), -1 },
    { KIND_RISKS, "risks", "Risk register", risk_fields, N(risk_fields), RISK_ID },
    { KIND_CONTROLS, "controls", "Compliance controls", control_fields, N(control_fields), CTL_ID },
    { KIND_PRODUCTION, "production", "Production", production_fields, N(production_fields), -1 },
    { KIND_QUALITY, "quality", "Quality measurements", quality_fields, N(quality_fields), -1 },
};

const input_schema_t *schema_for_kind(input_kind_t kind)
{
    if ((int)kind < 0 || kind >= KIND_COUNT)
        return NULL;
    return &schemas[kind];
}

const input_schema_t *schema_find(const char *name)
{
    for (int k = 0; k < KIND_COUNT; k++)
        if (strcasecmp(schemas[k].name, name) == 0)
            return &schemas[k];
    return NULL;
}

int schema_field_index(const input_schema_t *schema, const char *field_name)
{
    for (size_t i = 0; i < schema->n_fields; i++)
        if (strcasecmp(schema->fields[i].name, field_name) == 0)
            return (int)i;
    return -1;
}
