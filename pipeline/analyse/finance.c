/*
 * finance.c - finance KPIs from the GL totals that analyse.c keeps (monthly
 * actuals and budget per account type, and the cost-centre x account groups):
 * revenue, operating expense, gross margin %, actual against budget, and the
 * largest budget variances of the year to date, favourable or not by type.
 *
 * Without GL actuals to count (none configured, not present, or every row
 * rejected) but with shipments, the invoice value shipped each month stands
 * in as "Revenue from shipments": sales as shipped, labelled so, never
 * passed off as booked revenue. With a budget and no actuals, the month's
 * budgeted revenue and opex are shown, labelled as budget.
 */
#include "analyse/analyse_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const analyse_ctx_t *ctx;
    double shipped[MODEL_WINDOW]; /* invoice value shipped, minor units, by ship date */
} finance_t;

static void *finance_create(const analyse_ctx_t *ctx)
{
    finance_t *f = calloc(1, sizeof *f);
    if (f)
        f->ctx = ctx;
    return f;
}

static ops_status_t finance_record(void *state, const ingest_record_t *rec, ops_error_t *err)
{
    (void)err; /* GL rows are summed by analyse.c */
    finance_t *f = state;
    if (rec->input->schema->kind != KIND_SHIPMENTS)
        return OPS_OK;
    const field_value_t *v = rec->values;
    if (!ctx_in_scope(f->ctx, &v[SHIP_SITE]))
        return OPS_OK;
    int s = ctx_slot_of_day(f->ctx, v[SHIP_DATE].v.date);
    if (s >= 0)
        f->shipped[s] += (double)v[SHIP_VALUE].v.money;
    return OPS_OK;
}

/* Sales from shipments, for a run without GL actuals to count. */
static ops_status_t shipment_revenue(finance_t *f, report_model_t *m, double scale, ops_error_t *err)
{
    double monthly[MODEL_WINDOW];
    for (int s = 0; s < MODEL_WINDOW; s++)
        monthly[s] = f->shipped[s] / scale;
    kpi_t *k = model_add_kpi(m, "shipment_revenue", "Revenue from shipments", AREA_FINANCE, UNIT_MONEY);
    if (!k)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    kpi_fill_sum(k, f->ctx, monthly);
    snprintf(k->note, sizeof k->note,
             "invoice value of shipment lines shipped in the month: sales as shipped (no GL actuals to count), not booked revenue");
    kpi_needs(f->ctx, k, KIND_SHIPMENTS, NULL, 0);
    return OPS_OK;
}

/* Window slot s of the 60-month history arrays. */
static double hist(const int64_t *series, int slot, double scale)
{
    return (double)series[MODEL_HISTORY_MONTHS - MODEL_WINDOW + slot] / scale;
}

/* A plan with nothing to compare it to yet (an approved budget published
 * before the year's actuals): the month's budgeted revenue and opex. */
static ops_status_t budget_only(finance_t *f, report_model_t *m, double scale, ops_error_t *err)
{
    static const struct { const char *id, *label, *note; int type; } rows[] = {
        { "budget_revenue", "Budgeted revenue", "GL budget of revenue accounts for the month (no GL actuals to compare with)", GL_TYPE_REVENUE },
        { "budget_opex", "Budgeted operating expense", "GL budget of opex accounts for the month (no GL actuals to compare with)", GL_TYPE_OPEX },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        double monthly[MODEL_WINDOW];
        for (int s = 0; s < MODEL_WINDOW; s++)
            monthly[s] = hist(m->gl_budget_monthly[rows[i].type], s, scale);
        kpi_t *k = model_add_kpi(m, rows[i].id, rows[i].label, AREA_FINANCE, UNIT_MONEY);
        if (!k)
            return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        kpi_fill_sum(k, f->ctx, monthly);
        snprintf(k->note, sizeof k->note, "%s", rows[i].note);
        kpi_needs(f->ctx, k, KIND_GL_BUDGET, NULL, 0);
    }
    return OPS_OK;
}

typedef struct {
    const bva_row_t *row;
    double variance;
} ranked_t;

static int by_abs_variance(const void *pa, const void *pb)
{
    const ranked_t *a = pa, *b = pb;
    double x = fabs(a->variance), y = fabs(b->variance);
    if (x != y)
        return x < y ? 1 : -1;
    int c = strcmp(a->row->cost_centre, b->row->cost_centre);
    return c ? c : strcmp(a->row->account, b->row->account);
}

static ops_status_t finance_finish(void *state, report_model_t *m, ops_error_t *err)
{
    finance_t *f = state;
    const analyse_ctx_t *ctx = f->ctx;
    double scale = pow(10, m->minor_units);
    if (!ctx_input_usable(ctx, KIND_GL_ACTUALS) && ctx_has_input(ctx, KIND_SHIPMENTS)) {
        ops_status_t rc = shipment_revenue(f, m, scale, err);
        if (rc != OPS_OK)
            return rc;
    }
    if (!ctx_input_usable(ctx, KIND_GL_ACTUALS) && ctx_input_usable(ctx, KIND_GL_BUDGET)) {
        ops_status_t rc = budget_only(f, m, scale, err);
        if (rc != OPS_OK)
            return rc;
    }
    if (!ctx_has_input(ctx, KIND_GL_ACTUALS))
        return OPS_OK;
    double rev[MODEL_WINDOW], cogs[MODEL_WINDOW], opex[MODEL_WINDOW], margin[MODEL_WINDOW];
    double rev_b[MODEL_WINDOW], opex_b[MODEL_WINDOW];
    for (int s = 0; s < MODEL_WINDOW; s++) {
        rev[s] = hist(m->gl_actual_monthly[GL_TYPE_REVENUE], s, scale);
        cogs[s] = hist(m->gl_actual_monthly[GL_TYPE_COGS], s, scale);
        opex[s] = hist(m->gl_actual_monthly[GL_TYPE_OPEX], s, scale);
        margin[s] = rev[s] - cogs[s];
        rev_b[s] = hist(m->gl_budget_monthly[GL_TYPE_REVENUE], s, scale);
        opex_b[s] = hist(m->gl_budget_monthly[GL_TYPE_OPEX], s, scale);
    }
    kpi_t *k = model_add_kpi(m, "revenue", "Revenue", AREA_FINANCE, UNIT_MONEY);
    if (!k)
        goto nomem;
    kpi_fill_sum(k, ctx, rev);
    snprintf(k->note, sizeof k->note, "GL actuals of revenue accounts posted in the month");
    kpi_needs(ctx, k, KIND_GL_ACTUALS, NULL, 0);
    if (!(k = model_add_kpi(m, "opex", "Operating expense", AREA_FINANCE, UNIT_MONEY)))
        goto nomem;
    kpi_fill_sum(k, ctx, opex);
    snprintf(k->note, sizeof k->note, "GL actuals of opex accounts posted in the month");
    kpi_needs(ctx, k, KIND_GL_ACTUALS, NULL, 0);
    if (!(k = model_add_kpi(m, "gross_margin_pct", "Gross margin", AREA_FINANCE, UNIT_PERCENT)))
        goto nomem;
    kpi_fill_ratio(k, ctx, margin, rev, 100.0);
    snprintf(k->note, sizeof k->note, "(revenue - COGS) / revenue x 100; empty when revenue is 0");
    kpi_needs(ctx, k, KIND_GL_ACTUALS, NULL, 0);
    if (!(k = model_add_kpi(m, "revenue_vs_budget_pct", "Revenue vs budget", AREA_FINANCE, UNIT_PERCENT)))
        goto nomem;
    kpi_fill_ratio(k, ctx, rev, rev_b, 100.0);
    snprintf(k->note, sizeof k->note, "actual revenue / budgeted revenue x 100");
    if (kpi_needs(ctx, k, KIND_GL_ACTUALS, NULL, 0))
        kpi_needs(ctx, k, KIND_GL_BUDGET, NULL, 0);
    if (!(k = model_add_kpi(m, "opex_vs_budget_pct", "Opex vs budget", AREA_FINANCE, UNIT_PERCENT)))
        goto nomem;
    kpi_fill_ratio(k, ctx, opex, opex_b, 100.0);
    snprintf(k->note, sizeof k->note, "actual opex / budgeted opex x 100; over 100 is overspend");
    if (kpi_needs(ctx, k, KIND_GL_ACTUALS, NULL, 0))
        kpi_needs(ctx, k, KIND_GL_BUDGET, NULL, 0);

    /* top variances, YTD */
    static const char *const names[] = { "Cost centre", "Account", "Type", "Actual YTD", "Budget YTD",
                                         "Variance YTD", "Variance %", "Assessment" };
    static const col_kind_t kinds[] = { COL_TEXT, COL_TEXT, COL_TEXT, COL_MONEY, COL_MONEY,
                                        COL_MONEY, COL_PERCENT, COL_TEXT };
    model_table_t *t = model_add_table(m, TABLE_FINANCE_TOP_VARIANCES, "Top budget variances (YTD)", 8, names, kinds);
    if (!t)
        goto nomem;
    snprintf(t->note, sizeof t->note, "Largest |actual - budget| of the fiscal year to date by cost centre and account; revenue above budget and costs below are favourable.");
    ranked_t *ranked = calloc(m->n_bva_lines ? m->n_bva_lines : 1, sizeof *ranked);
    if (!ranked)
        goto nomem;
    for (size_t i = 0; i < m->n_bva_lines; i++) {
        ranked[i].row = &m->bva_lines[i];
        ranked[i].variance = (double)(m->bva_lines[i].actual_ytd - m->bva_lines[i].budget_ytd) / scale;
    }
    qsort(ranked, m->n_bva_lines, sizeof *ranked, by_abs_variance);
    static const char *const type_names[] = { "Revenue", "COGS", "Opex" };
    for (size_t i = 0; i < m->n_bva_lines && i < (size_t)ctx->settings->top_n; i++) {
        const bva_row_t *r = ranked[i].row;
        long row = model_table_add_row(t);
        if (row < 0) {
            free(ranked);
            goto nomem;
        }
        double budget = (double)r->budget_ytd / scale;
        bool favourable = r->account_type == GL_TYPE_REVENUE ? ranked[i].variance >= 0 : ranked[i].variance <= 0;
        model_table_set_text(t, (size_t)row, 0, r->cost_centre, strlen(r->cost_centre));
        model_table_set_text(t, (size_t)row, 1, r->account, strlen(r->account));
        model_table_set_text(t, (size_t)row, 2, type_names[r->account_type], strlen(type_names[r->account_type]));
        model_table_set_num(t, (size_t)row, 3, (double)r->actual_ytd / scale);
        model_table_set_num(t, (size_t)row, 4, budget);
        model_table_set_num(t, (size_t)row, 5, ranked[i].variance);
        model_table_set_num(t, (size_t)row, 6, budget != 0 ? ranked[i].variance / fabs(budget) * 100 : NAN);
        const char *a = favourable ? "Favourable" : "Unfavourable";
        model_table_set_text(t, (size_t)row, 7, a, strlen(a));
    }
    free(ranked);
    table_needs(ctx, t, KIND_GL_ACTUALS, NULL, 0);
    return OPS_OK;
nomem:
    return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

static void finance_destroy(void *state) { free(state); }

static ops_status_t finance_merge(void *dst, const void *src, ops_error_t *err)
{
    (void)err;
    finance_t *d = dst;
    const finance_t *s = src;
    sums_add(d->shipped, s->shipped, MODEL_WINDOW);
    return OPS_OK;
}

static void finance_io(void *state, pio_t *io)
{
    finance_t *f = state;
    pio_f64s(io, f->shipped, MODEL_WINDOW);
}

const area_module_t area_finance = { "finance", finance_create, finance_record, finance_finish,
                                     finance_destroy, finance_merge, finance_io, NULL };
