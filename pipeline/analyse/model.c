/*
 * model.c - building blocks of the report model: KPIs with targets and
 * status, and generic tables that both renderers can lay out.
 */
#include "opsreport/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const model_area_names[AREA_COUNT] = { "Finance", "Procurement", "Inventory",
                                                   "Customer service", "People", "Projects",
                                                   "Risk and compliance", "Quality" };
_Static_assert(sizeof model_area_names / sizeof model_area_names[0] == AREA_COUNT,
               "one display name per model_area_t");

/* A forecast carries its series' id and label: cut, it would name no series. */
_Static_assert(sizeof ((model_forecast_t *)0)->series_id >= sizeof ((model_series_t *)0)->id,
               "a forecast holds its series' id");
_Static_assert(sizeof ((model_forecast_t *)0)->label >= sizeof ((model_series_t *)0)->label,
               "a forecast holds its series' label");

/* Every table id's area and message name. Designated initialisers keep each
 * entry next to its id; the loop in model_table_id_name and the unit test
 * catch a hole (a NULL name) that the size assert alone cannot. */
static const struct {
    model_area_t area;
    const char *name;
} model_table_ids[TABLE_COUNT] = {
    [TABLE_FINANCE_TOP_VARIANCES] = { AREA_FINANCE, "finance.top_variances" },
    [TABLE_FINANCE_OUTLOOK] = { AREA_FINANCE, "finance.outlook" },
    [TABLE_PROCUREMENT_SCORECARD] = { AREA_PROCUREMENT, "procurement.scorecard" },
    [TABLE_PROCUREMENT_SPEND_BY_CATEGORY] = { AREA_PROCUREMENT, "procurement.spend_by_category" },
    [TABLE_PROCUREMENT_LATE_DELIVERIES] = { AREA_PROCUREMENT, "procurement.late_deliveries" },
    [TABLE_INVENTORY_SLOW_DEAD] = { AREA_INVENTORY, "inventory.slow_dead" },
    [TABLE_INVENTORY_ABC] = { AREA_INVENTORY, "inventory.abc" },
    [TABLE_INVENTORY_REORDER] = { AREA_INVENTORY, "inventory.reorder" },
    [TABLE_SERVICE_SLA_BY_PRIORITY] = { AREA_SERVICE, "service.sla_by_priority" },
    [TABLE_SERVICE_BY_CHANNEL] = { AREA_SERVICE, "service.by_channel" },
    [TABLE_SERVICE_OLDEST_OPEN] = { AREA_SERVICE, "service.oldest_open" },
    [TABLE_PEOPLE_HEADCOUNT] = { AREA_PEOPLE, "people.headcount" },
    [TABLE_PEOPLE_OVERDUE_TRAININGS] = { AREA_PEOPLE, "people.overdue_trainings" },
    [TABLE_PROJECTS_EARNED_VALUE] = { AREA_PROJECTS, "projects.earned_value" },
    [TABLE_PROJECTS_OVER_ALLOCATED] = { AREA_PROJECTS, "projects.over_allocated" },
    [TABLE_RISK_TOP_RISKS] = { AREA_RISK, "risk.top_risks" },
    [TABLE_RISK_FINDINGS_BY_AGE] = { AREA_RISK, "risk.findings_by_age" },
    [TABLE_RISK_OVERDUE_AUDITS] = { AREA_RISK, "risk.overdue_audits" },
    [TABLE_QUALITY_CAPABILITY] = { AREA_QUALITY, "quality.capability" },
    [TABLE_QUALITY_SPC_BREAKS] = { AREA_QUALITY, "quality.spc_breaks" },
};
_Static_assert(sizeof model_table_ids / sizeof model_table_ids[0] == TABLE_COUNT,
               "one entry per model_table_id_t");

const char *model_table_id_name(model_table_id_t id)
{
    if ((int)id < 0 || id >= TABLE_COUNT || !model_table_ids[id].name)
        return "(unknown table)";
    return model_table_ids[id].name;
}

model_area_t model_table_id_area(model_table_id_t id)
{
    return ((int)id < 0 || id >= TABLE_COUNT) ? AREA_COUNT : model_table_ids[id].area;
}

kpi_t *model_add_kpi(report_model_t *m, const char *id, const char *label, model_area_t area,
                     kpi_unit_t unit)
{
    if (m->n_kpis == m->cap_kpis) {
        size_t cap = m->cap_kpis ? m->cap_kpis * 2 : 32;
        kpi_t *grown = realloc(m->kpis, cap * sizeof *grown);
        if (!grown)
            return NULL;
        m->kpis = grown;
        m->cap_kpis = cap;
    }
    kpi_t *k = &m->kpis[m->n_kpis++];
    memset(k, 0, sizeof *k);
    snprintf(k->id, sizeof k->id, "%s", id);
    snprintf(k->label, sizeof k->label, "%s", label);
    snprintf(k->area, sizeof k->area, "%s", model_area_names[area]);
    k->unit = unit;
    k->value = k->prior = k->last_year = k->ytd = NAN;
    k->target = k->amber = NAN;
    for (size_t i = 0; i < MODEL_TREND_MONTHS; i++)
        k->trend[i] = NAN;
    m->areas_present[area] = true;
    return k;
}

const kpi_t *model_find_kpi(const report_model_t *m, const char *id)
{
    for (size_t i = 0; i < m->n_kpis; i++)
        if (!strcmp(m->kpis[i].id, id))
            return &m->kpis[i];
    return NULL;
}

/* Green at or better than target; amber between target and the amber bound;
 * red beyond it. Without an amber bound there is no amber band. */
rag_t kpi_status(double value, double target, double amber, kpi_direction_t dir)
{
    if (isnan(value) || isnan(target))
        return RAG_NONE;
    double sign = dir == KPI_HIGHER_IS_BETTER ? 1.0 : -1.0;
    if (sign * (value - target) >= 0)
        return RAG_GREEN;
    if (!isnan(amber) && sign * (value - amber) >= 0)
        return RAG_AMBER;
    return RAG_RED;
}

void model_apply_targets(report_model_t *m, const config_t *cfg)
{
    for (size_t i = 0; i < m->n_kpis; i++) {
        kpi_t *k = &m->kpis[i];
        const kpi_config_t *kc = config_find_kpi(cfg, k->id);
        if (!kc)
            continue;
        /* a section that sets only some keys keeps the built-in rest */
        if (kc->has_target) {
            k->has_target = true;
            k->target = kc->target;
        }
        if (kc->has_amber)
            k->amber = kc->amber;
        if (kc->has_direction)
            k->direction = kc->direction;
        if (kc->has_tile)
            k->tile = kc->tile;
        k->status = kpi_status(k->value, k->target, k->amber, k->direction);
    }
}

model_table_t *model_add_table(report_model_t *m, model_table_id_t id, const char *title,
                               size_t n_cols, const char *const *names, const col_kind_t *kinds)
{
    if (n_cols > MODEL_TABLE_MAX_COLS || (int)id < 0 || id >= TABLE_COUNT)
        return NULL;
    model_area_t area = model_table_ids[id].area;
    if (m->n_tables == m->cap_tables) {
        size_t cap = m->cap_tables ? m->cap_tables * 2 : 16;
        model_table_t **grown = realloc(m->tables, cap * sizeof *grown);
        if (!grown)
            return NULL;
        m->tables = grown;
        m->cap_tables = cap;
    }
    model_table_t *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->id = id;
    snprintf(t->title, sizeof t->title, "%s", title);
    snprintf(t->area, sizeof t->area, "%s", model_area_names[area]);
    t->n_cols = n_cols;
    for (size_t c = 0; c < n_cols; c++) {
        snprintf(t->col_names[c], sizeof t->col_names[c], "%s", names[c]);
        t->col_kinds[c] = kinds[c];
    }
    m->tables[m->n_tables++] = t;
    m->areas_present[area] = true;
    return t;
}

long model_table_add_row(model_table_t *t)
{
    if (t->n_rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **text = realloc(t->text, cap * t->n_cols * sizeof *text);
        if (!text)
            return -1;
        t->text = text;
        double *num = realloc(t->num, cap * t->n_cols * sizeof *num);
        if (!num)
            return -1;
        t->num = num;
        t->cap = cap;
    }
    size_t r = t->n_rows++;
    for (size_t c = 0; c < t->n_cols; c++) {
        t->text[r * t->n_cols + c] = NULL;
        t->num[r * t->n_cols + c] = NAN;
    }
    return (long)r;
}

void model_table_set_text(model_table_t *t, size_t row, size_t col, const char *text, size_t len)
{
    char **slot = &t->text[row * t->n_cols + col];
    free(*slot);
    *slot = strndup(text, len);
}

void model_table_set_num(model_table_t *t, size_t row, size_t col, double value)
{
    t->num[row * t->n_cols + col] = value;
}

const model_table_t *model_find_table(const report_model_t *m, model_table_id_t id)
{
    for (size_t i = 0; i < m->n_tables; i++)
        if (m->tables[i]->id == id)
            return m->tables[i];
    return NULL;
}

int model_table_col(const model_table_t *t, const char *name)
{
    for (size_t c = 0; c < t->n_cols; c++)
        if (!strcmp(t->col_names[c], name))
            return (int)c;
    return -1;
}

void model_table_free(model_table_t *t);
void model_table_free(model_table_t *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
        free(t->text[i]);
    free(t->text);
    free(t->num);
    free(t);
}

model_series_t *model_add_series(report_model_t *m, const char *id, const char *label, kpi_unit_t unit,
                                 int first_index, const double *values, size_t n)
{
    if (m->n_series == m->cap_series) {
        size_t cap = m->cap_series ? m->cap_series * 2 : 16;
        model_series_t *grown = realloc(m->series, cap * sizeof *grown);
        if (!grown)
            return NULL;
        m->series = grown;
        m->cap_series = cap;
    }
    model_series_t *s = &m->series[m->n_series];
    memset(s, 0, sizeof *s);
    if (!(s->values = malloc((n ? n : 1) * sizeof *s->values)))
        return NULL;
    memcpy(s->values, values, n * sizeof *values);
    snprintf(s->id, sizeof s->id, "%s", id);
    snprintf(s->label, sizeof s->label, "%s", label);
    s->unit = unit;
    s->first_index = first_index;
    s->n = n;
    m->n_series++;
    return s;
}

const model_series_t *model_find_series(const report_model_t *m, const char *id)
{
    for (size_t i = 0; i < m->n_series; i++)
        if (!strcmp(m->series[i].id, id))
            return &m->series[i];
    return NULL;
}
