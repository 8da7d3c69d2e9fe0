/*
 * analyse_fixture.h - helpers the area-module tests share: hand-made field
 * values, finishing a module into a fresh model, and looking results up
 * with an assertion that they exist. static inline, so a test that does not
 * use one of them does not warn.
 */
#ifndef OPSREPORT_TEST_ANALYSE_FIXTURE_H
#define OPSREPORT_TEST_ANALYSE_FIXTURE_H

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "analyse/analyse_internal.h"

static inline int32_t day(int y, int m, int d) { return period_first_day((period_t){ y, m }) + d - 1; }

/* A text value; NULL is an absent value. */
static inline field_value_t f_text(const char *s)
{
    return (field_value_t){ .present = s != NULL, .text = s, .len = s ? strlen(s) : 0 };
}
static inline field_value_t f_date(int32_t d) { return (field_value_t){ .present = true, .text = "d", .len = 1, .v.date = d }; }
static inline field_value_t f_num(double x) { return (field_value_t){ .present = true, .text = "n", .len = 1, .v.num = x }; }
static inline field_value_t f_money(int64_t x) { return (field_value_t){ .present = true, .text = "m", .len = 1, .v.money = x }; }
static inline field_value_t f_int(int64_t x) { return (field_value_t){ .present = true, .text = "i", .len = 1, .v.i = x }; }

/* Runs the module's finish() into a new model (cents); the caller frees it. */
static inline report_model_t *fixture_finish(const area_module_t *module, void *state)
{
    report_model_t *m = calloc(1, sizeof *m);
    cr_assert_not_null(m);
    m->minor_units = 2;
    ops_error_t err = { 0 };
    cr_assert_eq(module->finish(state, m, &err), OPS_OK, "%s", err.message);
    return m;
}

static inline const kpi_t *kpi(const report_model_t *m, const char *id)
{
    const kpi_t *k = model_find_kpi(m, id);
    cr_assert_not_null(k, "KPI %s missing", id);
    return k;
}

static inline const model_table_t *table(const report_model_t *m, model_table_id_t id)
{
    const model_table_t *t = model_find_table(m, id);
    cr_assert_not_null(t, "table %s missing", model_table_id_name(id));
    return t;
}

static inline double cell(const model_table_t *t, size_t r, size_t c) { return t->num[r * t->n_cols + c]; }
static inline const char *text(const model_table_t *t, size_t r, size_t c) { return t->text[r * t->n_cols + c]; }

#endif
