/*
 * analyse.c - accumulators per input kind and the step that turns them into
 * the report model. GL rows are summed per (cost centre, account) for the
 * month, the fiscal year to date and the full fiscal year, and per account
 * type per month for the history charts and forecasts.
 */
#include "analyse/analyse_internal.h"

void model_table_free(model_table_t *t);

#include <glib.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *cost_centre, *account;
    int account_type;
    int64_t actual_month, budget_month, actual_ytd, budget_ytd, budget_full_year;
} gl_group_t;

/* Area modules, in the order their KPIs and tables appear in the reports. */
static const area_module_t *const modules[] = {
    &area_finance,
    &area_procurement,
    &area_inventory,
    &area_service,
    &area_people,
    &area_projects,
    &area_risk,
    &area_quality,
    /* area modules list */
};
#define N_MODULES (sizeof modules / sizeof modules[0])

struct analyse {
    analyse_ctx_t ctx;
    void *states[N_MODULES];
    const config_t *cfg;
    period_t period;
    int idx_period, idx_fy_start, idx_fy_end;
    char *scope;
    GHashTable *gl_groups; /* "cc\x1f" "account" -> gl_group_t* */
    GHashTable *cc_opex;   /* cost centre -> int64_t[MODEL_HISTORY_MONTHS] monthly opex actuals */
    FILE *detail;          /* GL lines of the period (whole organisation only) */
    uint64_t detail_rows;
    char detail_source[1024];
    int64_t gl_monthly[2][3][MODEL_HISTORY_MONTHS];
};

static void gl_group_free(gpointer p)
{
    gl_group_t *g = p;
    if (!g)
        return;
    free(g->cost_centre);
    free(g->account);
    free(g);
}

ops_status_t analyse_new(const config_t *cfg, period_t period, const char *scope, analyse_t **out,
                         ops_error_t *err)
{
    analyse_t *a = calloc(1, sizeof *a);
    if (!a)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    a->cfg = cfg;
    a->period = period;
    a->idx_period = period_index(period);
    a->idx_fy_start = period_index(period_fiscal_year_start(period, cfg->fiscal_year_start));
    a->idx_fy_end = a->idx_fy_start + 11;
    a->scope = scope ? strdup(scope) : NULL;
    a->gl_groups = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, gl_group_free);
    a->cc_opex = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if (!scope && !(a->detail = tmpfile())) {
        analyse_free(a);
        return ops_error_set(err, OPS_ERR_OUTPUT, NULL, 0, NULL, "cannot create a temporary file for the GL detail");
    }
    analyse_ctx_init(&a->ctx, cfg, period, a->scope);
    analyse_ctx_t *c = &a->ctx;
    for (size_t i = 0; i < N_MODULES; i++) {
        a->states[i] = modules[i]->create(c);
        if (!a->states[i]) {
            analyse_free(a);
            return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        }
    }
    *out = a;
    return OPS_OK;
}

static bool in_scope(const analyse_t *a, const field_value_t *v)
{
    if (!a->scope)
        return true;
    return v->present && v->len == strlen(a->scope) && !memcmp(v->text, a->scope, v->len);
}

/* Spool record: int32 date, uint8 type, int64 amount, int64 line, then three
 * uint16-length-prefixed strings (entity, cost centre, account). */
static ops_status_t detail_write(analyse_t *a, const ingest_record_t *rec, ops_error_t *err)
{
    const field_value_t *v = rec->values;
    int32_t date = v[GL_DATE].v.date;
    uint8_t type = (uint8_t)v[GL_ACCOUNT_TYPE].v.enum_index;
    int64_t amount = v[GL_AMOUNT].v.money, line = rec->line;
    bool ok = fwrite(&date, sizeof date, 1, a->detail) == 1 && fwrite(&type, 1, 1, a->detail) == 1 &&
              fwrite(&amount, sizeof amount, 1, a->detail) == 1 && fwrite(&line, sizeof line, 1, a->detail) == 1;
    static const int fields[] = { GL_ENTITY, GL_COST_CENTRE, GL_ACCOUNT };
    for (int i = 0; i < 3 && ok; i++) {
        uint16_t len = (uint16_t)(v[fields[i]].len > 4000 ? 4000 : v[fields[i]].len);
        ok = fwrite(&len, sizeof len, 1, a->detail) == 1 && fwrite(v[fields[i]].text, 1, len, a->detail) == len;
    }
    if (!ok)
        return ops_error_set(err, OPS_ERR_OUTPUT, NULL, 0, NULL, "cannot write the GL detail spool (disk full?)");
    if (!a->detail_rows++)
        snprintf(a->detail_source, sizeof a->detail_source, "%s", rec->input->file);
    return OPS_OK;
}

bool gl_detail_next(FILE *spool, gl_line_t *out, char *buf, size_t size)
{
    uint8_t type;
    int64_t line;
    if (fread(&out->date, sizeof out->date, 1, spool) != 1 || fread(&type, 1, 1, spool) != 1 ||
        fread(&out->amount, sizeof out->amount, 1, spool) != 1 || fread(&line, sizeof line, 1, spool) != 1)
        return false;
    out->account_type = type;
    out->line = (long)line;
    const char **dst[] = { &out->entity, &out->cost_centre, &out->account };
    size_t used = 0;
    for (int i = 0; i < 3; i++) {
        uint16_t len;
        if (fread(&len, sizeof len, 1, spool) != 1 || used + len + 1 > size ||
            fread(buf + used, 1, len, spool) != len)
            return false;
        buf[used + len] = '\0';
        *dst[i] = buf + used;
        used += len + 1;
    }
    return true;
}

static ops_status_t gl_add(analyse_t *a, const ingest_record_t *rec, bool budget, ops_error_t *err)
{
    const field_value_t *v = rec->values;
    if (!in_scope(a, &v[GL_ENTITY]))
        return OPS_OK;
    int idx = period_index(period_of_day(v[GL_DATE].v.date));
    int type = v[GL_ACCOUNT_TYPE].v.enum_index;
    int64_t amount = v[GL_AMOUNT].v.money;
    int hist = idx - (a->idx_period - MODEL_HISTORY_MONTHS + 1);
    if (hist >= 0 && hist < MODEL_HISTORY_MONTHS) {
        a->gl_monthly[budget][type][hist] += amount;
        if (!budget && type == GL_TYPE_OPEX) {
            char cc[256];
            snprintf(cc, sizeof cc, "%.*s", (int)v[GL_COST_CENTRE].len, v[GL_COST_CENTRE].text);
            int64_t *series = g_hash_table_lookup(a->cc_opex, cc);
            if (!series) {
                series = g_new0(int64_t, MODEL_HISTORY_MONTHS);
                g_hash_table_insert(a->cc_opex, g_strdup(cc), series);
            }
            series[hist] += amount;
        }
    }
    bool month = idx == a->idx_period;
    if (month && !budget && a->detail) {
        ops_status_t rc = detail_write(a, rec, err);
        if (rc != OPS_OK)
            return rc;
    }
    bool ytd = idx >= a->idx_fy_start && idx <= a->idx_period;
    bool fy = idx >= a->idx_fy_start && idx <= a->idx_fy_end;
    if (!month && !ytd && !fy)
        return OPS_OK;
    char key[512];
    snprintf(key, sizeof key, "%.*s\x1f%.*s", (int)v[GL_COST_CENTRE].len, v[GL_COST_CENTRE].text,
             (int)v[GL_ACCOUNT].len, v[GL_ACCOUNT].text);
    gl_group_t *g = g_hash_table_lookup(a->gl_groups, key);
    if (!g) {
        g = calloc(1, sizeof *g);
        if (!g || !(g->cost_centre = strndup(v[GL_COST_CENTRE].text, v[GL_COST_CENTRE].len)) ||
            !(g->account = strndup(v[GL_ACCOUNT].text, v[GL_ACCOUNT].len))) {
            gl_group_free(g);
            return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        }
        g->account_type = type;
        g_hash_table_insert(a->gl_groups, g_strdup(key), g);
    }
    if (budget) {
        if (month)
            g->budget_month += amount;
        if (ytd)
            g->budget_ytd += amount;
        if (fy)
            g->budget_full_year += amount;
    } else {
        if (month)
            g->actual_month += amount;
        if (ytd)
            g->actual_ytd += amount;
    }
    return OPS_OK;
}

ops_status_t analyse_record(void *ctx, const ingest_record_t *rec, ops_error_t *err)
{
    analyse_t *a = ctx;
    ops_status_t rc = OPS_OK;
    switch (rec->input->schema->kind) {
    case KIND_GL_ACTUALS: rc = gl_add(a, rec, false, err); break;
    case KIND_GL_BUDGET: rc = gl_add(a, rec, true, err); break;
    default: break;
    }
    for (size_t i = 0; i < N_MODULES && rc == OPS_OK; i++)
        rc = modules[i]->record(a->states[i], rec, err);
    return rc;
}

static int bva_line_cmp(const void *pa, const void *pb)
{
    const bva_row_t *x = pa, *y = pb;
    int c = strcmp(x->cost_centre, y->cost_centre);
    if (c)
        return c;
    if (x->account_type != y->account_type)
        return x->account_type - y->account_type;
    return strcmp(x->account ? x->account : "", y->account ? y->account : "");
}

/* Publishes a 60-month int64 money series from its first month with data. */
static ops_status_t publish_money_series(report_model_t *m, int idx_period, const char *id, const char *label,
                                         const int64_t *monthly, int first, ops_error_t *err)
{
    double values[MODEL_HISTORY_MONTHS];
    double scale = 1;
    for (int i = 0; i < m->minor_units; i++)
        scale *= 10;
    size_t n = 0;
    for (int h = first; h < MODEL_HISTORY_MONTHS; h++)
        values[n++] = (double)monthly[h] / scale;
    if (!model_add_series(m, id, label, UNIT_MONEY, idx_period - (MODEL_HISTORY_MONTHS - 1) + first, values, n))
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    return OPS_OK;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static ops_status_t publish_gl_series(analyse_t *a, report_model_t *m, ops_error_t *err)
{
    int first = MODEL_HISTORY_MONTHS;
    for (int h = 0; h < MODEL_HISTORY_MONTHS && first == MODEL_HISTORY_MONTHS; h++)
        for (int t = 0; t < 3; t++)
            if (a->gl_monthly[0][t][h])
                first = h;
    if (first == MODEL_HISTORY_MONTHS)
        return OPS_OK; /* no GL history */
    static const char *const ids[] = { SERIES_GL_REVENUE, SERIES_GL_COGS, SERIES_GL_OPEX };
    static const char *const labels[] = { "Revenue", "Cost of goods sold", "Operating expense" };
    ops_status_t rc;
    for (int t = 0; t < 3; t++)
        if ((rc = publish_money_series(m, a->idx_period, ids[t], labels[t], a->gl_monthly[0][t], first, err)) != OPS_OK)
            return rc;
    guint n = g_hash_table_size(a->cc_opex);
    char **keys = (char **)g_hash_table_get_keys_as_array(a->cc_opex, &n);
    qsort(keys, n, sizeof *keys, cmp_str);
    for (guint i = 0; i < n; i++) {
        char id[96], label[128];
        snprintf(id, sizeof id, "gl_opex:%s", keys[i]);
        snprintf(label, sizeof label, "Operating expense, %s", keys[i]);
        rc = publish_money_series(m, a->idx_period, id, label, g_hash_table_lookup(a->cc_opex, keys[i]), first, err);
        if (rc != OPS_OK) {
            g_free(keys);
            return rc;
        }
    }
    g_free(keys);
    return OPS_OK;
}

static ops_status_t build_bva(analyse_t *a, report_model_t *m, ops_error_t *err)
{
    guint n = g_hash_table_size(a->gl_groups);
    m->bva_lines = calloc(n ? n : 1, sizeof *m->bva_lines);
    m->bva_cc = calloc(n ? n : 1, sizeof *m->bva_cc);
    if (!m->bva_lines || !m->bva_cc)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, a->gl_groups);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        gl_group_t *g = val;
        bva_row_t *r = &m->bva_lines[m->n_bva_lines++];
        r->cost_centre = strdup(g->cost_centre);
        r->account = strdup(g->account);
        r->account_type = g->account_type;
        r->actual_month = g->actual_month;
        r->budget_month = g->budget_month;
        r->actual_ytd = g->actual_ytd;
        r->budget_ytd = g->budget_ytd;
        r->budget_full_year = g->budget_full_year;
        if (!r->cost_centre || !r->account)
            return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        bva_totals_t *t = &m->bva_by_type[g->account_type];
        t->actual_month += g->actual_month;
        t->budget_month += g->budget_month;
        t->actual_ytd += g->actual_ytd;
        t->budget_ytd += g->budget_ytd;
        t->budget_full_year += g->budget_full_year;
    }
    qsort(m->bva_lines, m->n_bva_lines, sizeof *m->bva_lines, bva_line_cmp);
    /* cost-centre subtotals of expenses (cogs + opex); revenue centres are listed by their revenue */
    for (size_t i = 0; i < m->n_bva_lines; i++) {
        const bva_row_t *l = &m->bva_lines[i];
        bva_row_t *cc = m->n_bva_cc ? &m->bva_cc[m->n_bva_cc - 1] : NULL;
        if (!cc || strcmp(cc->cost_centre, l->cost_centre) || cc->account_type != (l->account_type == GL_TYPE_REVENUE ? GL_TYPE_REVENUE : GL_TYPE_OPEX)) {
            cc = &m->bva_cc[m->n_bva_cc++];
            cc->cost_centre = strdup(l->cost_centre);
            if (!cc->cost_centre)
                return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            cc->account_type = l->account_type == GL_TYPE_REVENUE ? GL_TYPE_REVENUE : GL_TYPE_OPEX;
        }
        cc->actual_month += l->actual_month;
        cc->budget_month += l->budget_month;
        cc->actual_ytd += l->actual_ytd;
        cc->budget_ytd += l->budget_ytd;
        cc->budget_full_year += l->budget_full_year;
    }
    return OPS_OK;
}

ops_status_t analyse_finish(analyse_t *a, const ingest_stats_t *stats, size_t n_stats,
                            report_model_t **out, ops_error_t *err)
{
    ops_status_t rc;
    report_model_t *m = calloc(1, sizeof *m);
    if (!m)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    snprintf(m->organisation, sizeof m->organisation, "%s", a->cfg->organisation);
    snprintf(m->currency, sizeof m->currency, "%s", a->cfg->currency);
    m->minor_units = a->cfg->minor_units;
    m->period = a->period;
    m->fy_start = period_from_index(a->idx_fy_start);
    snprintf(m->scope, sizeof m->scope, "%s", a->scope ? a->scope : "");
    memcpy(m->gl_actual_monthly, a->gl_monthly[0], sizeof m->gl_actual_monthly);
    memcpy(m->gl_budget_monthly, a->gl_monthly[1], sizeof m->gl_budget_monthly);
    rc = build_bva(a, m, err);
    if (rc != OPS_OK)
        goto fail;
    rc = publish_gl_series(a, m, err);
    if (rc != OPS_OK)
        goto fail;
    ctx_set_stats(&a->ctx, stats, n_stats);
    m->gl_present = ctx_input_usable(&a->ctx, KIND_GL_ACTUALS);
    for (size_t i = 0; i < N_MODULES; i++) {
        rc = modules[i]->finish(a->states[i], m, err);
        if (rc != OPS_OK)
            goto fail;
    }
    model_apply_targets(m, a->cfg);
    if (a->detail && m->gl_present) { /* no GL actuals to list: no detail workbook */
        rewind(a->detail);
        m->gl_detail.spool = a->detail;
        m->gl_detail.n_rows = a->detail_rows;
        snprintf(m->gl_detail.source, sizeof m->gl_detail.source, "%s", a->detail_source);
        a->detail = NULL;
    }
    if (n_stats) {
        m->inputs = malloc(n_stats * sizeof *m->inputs);
        if (!m->inputs) {
            rc = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            goto fail;
        }
        memcpy(m->inputs, stats, n_stats * sizeof *m->inputs);
        m->n_inputs = n_stats;
    }
    *out = m;
    return OPS_OK;
fail:
    report_model_free(m);
    return rc;
}

void analyse_free(analyse_t *a)
{
    if (!a)
        return;
    if (a->gl_groups)
        g_hash_table_destroy(a->gl_groups);
    for (size_t i = 0; i < N_MODULES; i++)
        if (a->states[i])
            modules[i]->destroy(a->states[i]);
    if (a->detail)
        fclose(a->detail);
    if (a->cc_opex)
        g_hash_table_destroy(a->cc_opex);
    free(a->scope);
    free(a);
}

void report_model_free(report_model_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_bva_lines; i++) {
        free(m->bva_lines[i].cost_centre);
        free(m->bva_lines[i].account);
    }
    for (size_t i = 0; i < m->n_bva_cc; i++)
        free(m->bva_cc[i].cost_centre);
    free(m->bva_lines);
    free(m->bva_cc);
    free(m->inputs);
    free(m->kpis);
    for (size_t i = 0; i < m->n_tables; i++)
        model_table_free(m->tables[i]);
    free(m->tables);
    for (size_t i = 0; i < m->n_spc; i++) {
        free(m->spc[i].xbar);
        free(m->spc[i].s);
        free(m->spc[i].day);
        free(m->spc[i].flagged);
    }
    free(m->spc);
    if (m->gl_detail.spool)
        fclose(m->gl_detail.spool);
    for (size_t i = 0; i < m->n_series; i++)
        free(m->series[i].values);
    free(m->series);
    for (size_t i = 0; i < m->n_forecasts; i++) {
        model_forecast_t *f = &m->forecasts[i];
        free(f->history);
        free(f->point);
        free(f->lo80);
        free(f->hi80);
        free(f->lo95);
        free(f->hi95);
        free(f->stat);
        free(f->override);
    }
    free(m->forecasts);
    free(m->review.series);
    free(m->review.overrides);
    free(m);
}
