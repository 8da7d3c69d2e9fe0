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

/* A (cost centre, account) of the GL: the actuals here, the budget in a
 * parallel array made at the first budget row (an actuals-only GL has none). */
typedef struct {
    int32_t cost_centre, account; /* ids in analyse_t's dicts: the group's key */
    int64_t actual_month, actual_ytd;
    int8_t account_type;
} gl_group_t;

typedef struct {
    int64_t month, ytd, full_year;
} gl_budget_t;

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
    dict_t *cost_centres, *accounts; /* GL texts interned: groups are keyed by ids */
    /* the groups inline, in first-seen order, and an index over them: 32
     * bytes a group (+ 24 with a budget) and 8 to 16 of index, where
     * calloc'd 64-byte groups in a GHashTable took about 120 */
    gl_group_t *gl_groups;
    gl_budget_t *gl_budgets; /* by group, cap_gl_groups of them; NULL: no budget row yet */
    size_t n_gl_groups, cap_gl_groups;
    id_index_t gl_index;
    GPtrArray *cc_opex;    /* by cost centre id: int64_t[MODEL_HISTORY_MONTHS] monthly opex actuals, or NULL */
    FILE *detail;          /* GL lines of the period (whole organisation only) */
    uint64_t detail_rows;
    char detail_source[1024];
    int64_t gl_monthly[2][3][MODEL_HISTORY_MONTHS];
};

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
    a->cc_opex = g_ptr_array_new_with_free_func(g_free);
    a->cost_centres = dict_new();
    a->accounts = dict_new();
    if (!a->cost_centres || !a->accounts) {
        analyse_free(a);
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
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

static uint32_t gl_key_hash(int32_t cost_centre, int32_t account)
{
    return id_index_mix((uint32_t)cost_centre * 0x9e3779b1u + (uint32_t)account);
}

static uint32_t gl_group_hash(const void *owner, uint32_t id)
{
    const gl_group_t *g = &((const analyse_t *)owner)->gl_groups[id];
    return gl_key_hash(g->cost_centre, g->account);
}

/* The group of (cost centre, account), added with account_type (and zero
 * sums) when new; NULL: out of memory. */
static gl_group_t *gl_group_get(analyse_t *a, int32_t cost_centre, int32_t account, int account_type)
{
    if (!id_index_reserve(&a->gl_index, a->n_gl_groups, gl_group_hash, a))
        return NULL;
    size_t mask = a->gl_index.mask, i = gl_key_hash(cost_centre, account) & mask;
    for (uint32_t slot; (slot = a->gl_index.slots[i]); i = (i + 1) & mask) {
        gl_group_t *g = &a->gl_groups[slot - 1];
        if (g->cost_centre == cost_centre && g->account == account)
            return g;
    }
    if (a->n_gl_groups == a->cap_gl_groups) {
        size_t cap = a->cap_gl_groups ? a->cap_gl_groups * 2 : 256;
        gl_group_t *groups = realloc(a->gl_groups, cap * sizeof *groups);
        if (!groups)
            return NULL;
        a->gl_groups = groups;
        if (a->gl_budgets) {
            gl_budget_t *budgets = realloc(a->gl_budgets, cap * sizeof *budgets);
            if (!budgets)
                return NULL;
            memset(budgets + a->cap_gl_groups, 0, (cap - a->cap_gl_groups) * sizeof *budgets);
            a->gl_budgets = budgets;
        }
        a->cap_gl_groups = cap;
    }
    gl_group_t *g = &a->gl_groups[a->n_gl_groups];
    *g = (gl_group_t){ .cost_centre = cost_centre, .account = account, .account_type = (int8_t)account_type };
    a->gl_index.slots[i] = (uint32_t)++a->n_gl_groups;
    return g;
}

/* g's budget sums, the array made (zeros) if it is the first; NULL: out of memory. */
static gl_budget_t *gl_budget_of(analyse_t *a, const gl_group_t *g)
{
    if (!a->gl_budgets && !(a->gl_budgets = calloc(a->cap_gl_groups, sizeof *a->gl_budgets)))
        return NULL;
    return &a->gl_budgets[g - a->gl_groups];
}

static ops_status_t gl_add(analyse_t *a, const ingest_record_t *rec, bool budget, ops_error_t *err)
{
    const field_value_t *v = rec->values;
    if (!in_scope(a, &v[GL_ENTITY]))
        return OPS_OK;
    int idx = period_index(period_of_day(v[GL_DATE].v.date));
    int type = v[GL_ACCOUNT_TYPE].v.enum_index;
    int64_t amount = v[GL_AMOUNT].v.money;
    /* one dictionary lookup per dimension; the rest of the row is integers */
    int32_t cc = dict_id(a->cost_centres, v[GL_COST_CENTRE].text, v[GL_COST_CENTRE].len);
    if (cc < 0)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    int hist = idx - (a->idx_period - MODEL_HISTORY_MONTHS + 1);
    if (hist >= 0 && hist < MODEL_HISTORY_MONTHS) {
        a->gl_monthly[budget][type][hist] += amount;
        if (!budget && type == GL_TYPE_OPEX) {
            if ((guint)cc >= a->cc_opex->len)
                g_ptr_array_set_size(a->cc_opex, cc + 1);
            int64_t *series = g_ptr_array_index(a->cc_opex, cc);
            if (!series)
                series = g_ptr_array_index(a->cc_opex, cc) = g_new0(int64_t, MODEL_HISTORY_MONTHS);
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
    int32_t account = dict_id(a->accounts, v[GL_ACCOUNT].text, v[GL_ACCOUNT].len);
    if (account < 0)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    gl_group_t *g = gl_group_get(a, cc, account, type);
    if (!g)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    if (budget) {
        gl_budget_t *b = gl_budget_of(a, g);
        if (!b)
            return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        if (month)
            b->month += amount;
        if (ytd)
            b->ytd += amount;
        if (fy)
            b->full_year += amount;
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

static const dict_t *cmp_dict; /* for cmp_text: qsort has no context argument */
static int cmp_text(const void *a, const void *b)
{
    return strcmp(dict_text(cmp_dict, *(const int32_t *)a), dict_text(cmp_dict, *(const int32_t *)b));
}

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
    int32_t *ccs = malloc((a->cc_opex->len ? a->cc_opex->len : 1) * sizeof *ccs);
    if (!ccs)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    size_t n = 0;
    for (guint i = 0; i < a->cc_opex->len; i++)
        if (g_ptr_array_index(a->cc_opex, i))
            ccs[n++] = (int32_t)i;
    cmp_dict = a->cost_centres;
    qsort(ccs, n, sizeof *ccs, cmp_text);
    for (size_t i = 0; i < n; i++) {
        char id[96], label[128];
        const char *name = dict_text(a->cost_centres, ccs[i]);
        snprintf(id, sizeof id, "gl_opex:%s", name);
        snprintf(label, sizeof label, "Operating expense, %s", name);
        rc = publish_money_series(m, a->idx_period, id, label, g_ptr_array_index(a->cc_opex, ccs[i]), first, err);
        if (rc != OPS_OK) {
            free(ccs);
            return rc;
        }
    }
    free(ccs);
    return OPS_OK;
}

/* Subtotals: revenue centres by their revenue, the others by their expenses (cogs + opex). */
static int bva_cc_type(int account_type) { return account_type == GL_TYPE_REVENUE ? GL_TYPE_REVENUE : GL_TYPE_OPEX; }

/* The BvA lines and subtotals from the GL groups, which it consumes: the
 * groups are freed once copied, and the account texts' store becomes the
 * model's bva_texts (the cost centres' texts are copied in, once each). */
static ops_status_t build_bva(analyse_t *a, report_model_t *m, ops_error_t *err)
{
    size_t n = a->n_gl_groups;
    id_index_free(&a->gl_index);
    m->bva_lines = calloc(n ? n : 1, sizeof *m->bva_lines);
    const char **cc_texts = calloc(dict_size(a->cost_centres) + 1, sizeof *cc_texts);
    if (!m->bva_lines || !cc_texts) {
        free(cc_texts);
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    /* any order: (cost centre, type, account) is unique per group and the rows are sorted */
    static const gl_budget_t none;
    for (size_t i = 0; i < n; i++) {
        const gl_group_t *g = &a->gl_groups[i];
        const gl_budget_t *b = a->gl_budgets ? &a->gl_budgets[i] : &none;
        bva_row_t *r = &m->bva_lines[i];
        r->account = (char *)dict_text(a->accounts, g->account);
        r->account_type = g->account_type;
        r->actual_month = g->actual_month;
        r->budget_month = b->month;
        r->actual_ytd = g->actual_ytd;
        r->budget_ytd = b->ytd;
        r->budget_full_year = b->full_year;
        bva_totals_t *t = &m->bva_by_type[g->account_type];
        t->actual_month += r->actual_month;
        t->budget_month += r->budget_month;
        t->actual_ytd += r->actual_ytd;
        t->budget_ytd += r->budget_ytd;
        t->budget_full_year += r->budget_full_year;
    }
    m->n_bva_lines = n;
    m->bva_texts = dict_steal_texts(a->accounts);
    a->accounts = NULL;
    for (size_t i = 0; i < n; i++) {
        int32_t cc = a->gl_groups[i].cost_centre;
        if (!cc_texts[cc])
            cc_texts[cc] = g_string_chunk_insert(m->bva_texts, dict_text(a->cost_centres, cc));
        m->bva_lines[i].cost_centre = (char *)cc_texts[cc];
    }
    free(cc_texts);
    free(a->gl_groups);
    free(a->gl_budgets);
    a->gl_groups = NULL;
    a->gl_budgets = NULL;
    a->n_gl_groups = a->cap_gl_groups = 0;
    qsort(m->bva_lines, m->n_bva_lines, sizeof *m->bva_lines, bva_line_cmp);
    size_t n_cc = 0;
    for (size_t i = 0; i < n; i++) {
        const bva_row_t *l = &m->bva_lines[i], *prev = i ? l - 1 : NULL;
        n_cc += !prev || strcmp(prev->cost_centre, l->cost_centre) ||
                bva_cc_type(prev->account_type) != bva_cc_type(l->account_type);
    }
    m->bva_cc = calloc(n_cc ? n_cc : 1, sizeof *m->bva_cc);
    if (!m->bva_cc)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const bva_row_t *l = &m->bva_lines[i];
        bva_row_t *cc = m->n_bva_cc ? &m->bva_cc[m->n_bva_cc - 1] : NULL;
        if (!cc || strcmp(cc->cost_centre, l->cost_centre) || cc->account_type != bva_cc_type(l->account_type)) {
            cc = &m->bva_cc[m->n_bva_cc++];
            cc->cost_centre = l->cost_centre;
            cc->account_type = bva_cc_type(l->account_type);
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
    return analyse_finish_ready(a, stats, n_stats, NULL, out, err);
}

ops_status_t analyse_finish_ready(analyse_t *a, const ingest_stats_t *stats, size_t n_stats,
                                  const analyse_ready_t *ready, report_model_t **out, ops_error_t *err)
{
    ops_status_t rc;
    bool readers = false; /* ready called: cancel before freeing m */
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
    if (a->detail && m->gl_present) { /* no GL actuals to list: no detail workbook */
        rewind(a->detail);
        m->gl_detail.spool = a->detail;
        m->gl_detail.n_rows = a->detail_rows;
        snprintf(m->gl_detail.source, sizeof m->gl_detail.source, "%s", a->detail_source);
        a->detail = NULL;
    }
    if (ready && ready->ready) { /* the GL part is complete: the areas write only fields of their own */
        readers = true;
        if ((rc = ready->ready(ready->ctx, m, err)) != OPS_OK)
            goto fail;
    }
    for (size_t i = 0; i < N_MODULES; i++) {
        rc = modules[i]->finish(a->states[i], m, err);
        if (rc != OPS_OK)
            goto fail;
    }
    model_apply_targets(m, a->cfg);
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
    if (readers && ready->cancel)
        ready->cancel(ready->ctx);
    report_model_free(m);
    return rc;
}

/* Appends src's GL detail spool to dst's: dst's lines come first, as in
 * one pass over dst's rows then src's. src's read position is restored. */
static ops_status_t detail_append(FILE *dst, FILE *src, ops_error_t *err)
{
    long end = ftell(src);
    if (end < 0 || fseek(src, 0, SEEK_SET) != 0)
        goto fail;
    char buf[65536];
    long left = end;
    while (left > 0) {
        size_t want = left < (long)sizeof buf ? (size_t)left : sizeof buf;
        if (fread(buf, 1, want, src) != want || fwrite(buf, 1, want, dst) != want)
            goto fail;
        left -= (long)want;
    }
    if (fseek(src, end, SEEK_SET) != 0)
        goto fail;
    return OPS_OK;
fail:
    return ops_error_set(err, OPS_ERR_OUTPUT, NULL, 0, NULL, "cannot copy the GL detail spool (disk full?)");
}

static ops_status_t merge_into(analyse_t *dst, analyse_t *src, bool consume, ops_error_t *err);

ops_status_t analyse_merge(analyse_t *dst, const analyse_t *src, ops_error_t *err)
{
    /* consume false: nothing of src is written */
    return merge_into(dst, (analyse_t *)src, false, err);
}

ops_status_t analyse_absorb(analyse_t *dst, analyse_t *src, ops_error_t *err)
{
    return merge_into(dst, src, true, err);
}

/* dst's id of src's id, interned in dst at its first use (map[id] < 0);
 * -1: no memory. */
static int32_t id_mapped(int32_t *map, const dict_t *from, dict_t *to, int32_t id)
{
    if (map[id] < 0) {
        const char *text = dict_text(from, id);
        map[id] = dict_id(to, text, strlen(text));
    }
    return map[id];
}

static ops_status_t merge_into(analyse_t *dst, analyse_t *src, bool consume, ops_error_t *err)
{
    int32_t *cc_map = NULL, *ac_map = NULL; /* src's ids -> dst's, -1: not met yet */
    if (dst->cfg != src->cfg && strcmp(dst->cfg->sha256, src->cfg->sha256))
        return ops_error_set(err, OPS_ERR_CONFIG, NULL, 0, NULL, "cannot merge analyses of different configurations");
    if (period_index(dst->period) != period_index(src->period) ||
        (dst->scope == NULL) != (src->scope == NULL) || (dst->scope && strcmp(dst->scope, src->scope)))
        return ops_error_set(err, OPS_ERR_CONFIG, NULL, 0, NULL,
                             "cannot merge analyses of different periods or scopes");
    /* GL: src's ids are re-interned in dst's dictionaries, each text once
     * (a map from src's ids, filled at an id's first use: the order in which
     * dst meets new texts stays that of the groups); a high-cardinality GL
     * read in parts has hundreds of thousands of groups in every part, and a
     * text lookup per group doubled the merge's cost */
    size_t n_cc = dict_size(src->cost_centres), n_ac = dict_size(src->accounts);
    cc_map = malloc((n_cc ? n_cc : 1) * sizeof *cc_map);
    ac_map = malloc((n_ac ? n_ac : 1) * sizeof *ac_map);
    if (!cc_map || !ac_map)
        goto nomem;
    for (size_t i = 0; i < n_cc; i++)
        cc_map[i] = -1;
    for (size_t i = 0; i < n_ac; i++)
        ac_map[i] = -1;
    for (size_t i = 0; i < src->n_gl_groups; i++) {
        const gl_group_t *from = &src->gl_groups[i];
        int32_t cc = id_mapped(cc_map, src->cost_centres, dst->cost_centres, from->cost_centre);
        int32_t account = id_mapped(ac_map, src->accounts, dst->accounts, from->account);
        gl_group_t *g = cc < 0 || account < 0 ? NULL : gl_group_get(dst, cc, account, from->account_type);
        if (!g)
            goto nomem;
        g->actual_month += from->actual_month;
        g->actual_ytd += from->actual_ytd;
        if (src->gl_budgets) {
            const gl_budget_t *fb = &src->gl_budgets[i];
            gl_budget_t *b = gl_budget_of(dst, g);
            if (!b)
                goto nomem;
            b->month += fb->month;
            b->ytd += fb->ytd;
            b->full_year += fb->full_year;
        }
    }
    for (guint i = 0; i < src->cc_opex->len; i++) {
        const int64_t *from = g_ptr_array_index(src->cc_opex, i);
        if (!from)
            continue;
        int32_t cc = id_mapped(cc_map, src->cost_centres, dst->cost_centres, (int32_t)i);
        if (cc < 0)
            goto nomem;
        if ((guint)cc >= dst->cc_opex->len)
            g_ptr_array_set_size(dst->cc_opex, cc + 1);
        int64_t *series = g_ptr_array_index(dst->cc_opex, cc);
        if (!series)
            series = g_ptr_array_index(dst->cc_opex, cc) = g_new0(int64_t, MODEL_HISTORY_MONTHS);
        for (int h = 0; h < MODEL_HISTORY_MONTHS; h++)
            series[h] += from[h];
    }
    free(cc_map);
    free(ac_map);
    cc_map = ac_map = NULL;
    for (int b = 0; b < 2; b++)
        for (int t = 0; t < 3; t++)
            for (int h = 0; h < MODEL_HISTORY_MONTHS; h++)
                dst->gl_monthly[b][t][h] += src->gl_monthly[b][t][h];
    if (dst->detail && src->detail && src->detail_rows) {
        ops_status_t rc = detail_append(dst->detail, src->detail, err);
        if (rc != OPS_OK)
            return rc;
        if (!dst->detail_rows)
            snprintf(dst->detail_source, sizeof dst->detail_source, "%s", src->detail_source);
        dst->detail_rows += src->detail_rows;
    }
    for (size_t i = 0; i < N_MODULES; i++) {
        ops_status_t rc = consume && modules[i]->absorb ? modules[i]->absorb(dst->states[i], src->states[i], err)
                                                        : modules[i]->merge(dst->states[i], src->states[i], err);
        if (rc != OPS_OK)
            return rc;
    }
    return OPS_OK;
nomem:
    free(cc_map);
    free(ac_map);
    return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

/* ---- save / load (format: analyse.h) --------------------------------------- */

#define PARTIAL_MAGIC "opsreport-partial\n"
#define PARTIAL_VERSION 1u
#define PARTIAL_BYTE_ORDER 0x01020304u
#define PARTIAL_END 0x21444e45u /* "END!" */

/* The GL groups, the opex series per cost centre, the monthly totals and the
 * detail spool; ids are saved as their texts (a loaded state re-interns them). */
static void gl_io(analyse_t *a, pio_t *io)
{
    size_t n = a->n_gl_groups;
    pio_count(io, &n, PIO_MAX_ITEMS);
    for (size_t i = 0; i < n && !io->bad; i++) {
        gl_group_t g = { 0 };
        gl_budget_t b = { 0 };
        int type = 0;
        char *cc = NULL, *account = NULL;
        if (!io->loading) {
            g = a->gl_groups[i];
            if (a->gl_budgets)
                b = a->gl_budgets[i];
            type = g.account_type;
            cc = (char *)dict_text(a->cost_centres, g.cost_centre);
            account = (char *)dict_text(a->accounts, g.account);
        }
        pio_str(io, &cc);
        pio_str(io, &account);
        pio_int(io, &type);
        pio_i64(io, &g.actual_month);
        pio_i64(io, &b.month);
        pio_i64(io, &g.actual_ytd);
        pio_i64(io, &b.ytd);
        pio_i64(io, &b.full_year);
        if (io->loading) {
            int32_t c = cc ? dict_id(a->cost_centres, cc, strlen(cc)) : -1;
            int32_t ac = account ? dict_id(a->accounts, account, strlen(account)) : -1;
            free(cc);
            free(account);
            gl_group_t *to = NULL;
            if (c < 0 || ac < 0 || type < 0 || type > 2 || !(to = gl_group_get(a, c, ac, type))) {
                io->bad = true;
                break;
            }
            /* a key twice in a file: the last one stands */
            to->account_type = (int8_t)type;
            to->actual_month = g.actual_month;
            to->actual_ytd = g.actual_ytd;
            if (b.month || b.ytd || b.full_year || a->gl_budgets) {
                gl_budget_t *tb = gl_budget_of(a, to);
                if (!tb) {
                    io->bad = true;
                    break;
                }
                *tb = b;
            }
        }
    }
    size_t n_cc = 0;
    for (guint i = 0; i < a->cc_opex->len; i++)
        n_cc += g_ptr_array_index(a->cc_opex, i) != NULL;
    pio_count(io, &n_cc, PIO_MAX_ITEMS);
    guint next = 0;
    for (size_t i = 0; i < n_cc && !io->bad; i++) {
        char *cc = NULL;
        int64_t *series = NULL;
        if (!io->loading) {
            while (!g_ptr_array_index(a->cc_opex, next))
                next++;
            cc = (char *)dict_text(a->cost_centres, (int32_t)next);
            series = g_ptr_array_index(a->cc_opex, next++);
        }
        pio_str(io, &cc);
        if (io->loading) {
            int32_t c = cc ? dict_id(a->cost_centres, cc, strlen(cc)) : -1;
            free(cc);
            if (c < 0) {
                io->bad = true;
                break;
            }
            if ((guint)c >= a->cc_opex->len)
                g_ptr_array_set_size(a->cc_opex, c + 1);
            if (!(series = g_ptr_array_index(a->cc_opex, c)))
                series = g_ptr_array_index(a->cc_opex, c) = g_new0(int64_t, MODEL_HISTORY_MONTHS);
        }
        pio_bytes(io, series, MODEL_HISTORY_MONTHS * sizeof *series);
    }
    pio_bytes(io, a->gl_monthly, sizeof a->gl_monthly);
    pio_u64(io, &a->detail_rows);
    pio_text(io, a->detail_source, sizeof a->detail_source);
    uint64_t bytes = 0;
    if (!io->loading && a->detail) {
        long end = ftell(a->detail);
        bytes = end > 0 ? (uint64_t)end : 0;
    }
    pio_u64(io, &bytes);
    if (bytes && (!a->detail || (io->loading && bytes > ((uint64_t)1 << 40)))) {
        io->bad = true; /* a scoped state has no detail */
        return;
    }
    char buf[65536];
    if (!io->loading && bytes && fseek(a->detail, 0, SEEK_SET) != 0)
        io->bad = true;
    for (uint64_t left = bytes; left > 0 && !io->bad;) {
        size_t want = left < sizeof buf ? (size_t)left : sizeof buf;
        if (io->loading) {
            pio_bytes(io, buf, want);
            if (!io->bad && fwrite(buf, 1, want, a->detail) != want)
                io->bad = true;
        } else {
            if (fread(buf, 1, want, a->detail) != want)
                io->bad = true;
            pio_bytes(io, buf, want);
        }
        left -= want;
    }
}

static void state_io(analyse_t *a, pio_t *io)
{
    gl_io(a, io);
    for (size_t i = 0; i < N_MODULES && !io->bad; i++) {
        char name[32];
        snprintf(name, sizeof name, "%s", modules[i]->name);
        pio_text(io, name, sizeof name); /* a guard against a module list in another order */
        if (strcmp(name, modules[i]->name)) {
            io->bad = true;
            break;
        }
        modules[i]->io(a->states[i], io);
    }
    uint32_t end = PARTIAL_END;
    pio_bytes(io, &end, sizeof end);
    if (end != PARTIAL_END)
        io->bad = true;
}

ops_status_t analyse_save(const analyse_t *a, FILE *f, ops_error_t *err)
{
    analyse_t *w = (analyse_t *)a; /* the walk only reads when saving */
    pio_t io = { .f = f };
    char magic[] = PARTIAL_MAGIC, period[8], sha[65], scope[256];
    uint32_t version = PARTIAL_VERSION, order = PARTIAL_BYTE_ORDER;
    period_format(a->period, period);
    snprintf(sha, sizeof sha, "%s", a->cfg->sha256);
    snprintf(scope, sizeof scope, "%s", a->scope ? a->scope : "");
    bool scoped = a->scope != NULL;
    long detail_at = a->detail ? ftell(a->detail) : 0;
    pio_bytes(&io, magic, sizeof magic - 1);
    pio_bytes(&io, &version, sizeof version);
    pio_bytes(&io, &order, sizeof order);
    pio_text(&io, sha, sizeof sha);
    pio_text(&io, period, sizeof period);
    pio_bool(&io, &scoped);
    pio_text(&io, scope, sizeof scope);
    state_io(w, &io);
    if (a->detail && detail_at >= 0)
        fseek(a->detail, detail_at, SEEK_SET); /* records go on after what was there */
    if (io.bad || fflush(f) != 0)
        return ops_error_set(err, OPS_ERR_OUTPUT, NULL, 0, NULL, "cannot write the partial state (disk full?)");
    return OPS_OK;
}

ops_status_t analyse_load(FILE *f, const config_t *cfg, period_t period, analyse_t **out, ops_error_t *err)
{
    *out = NULL;
    pio_t io = { .f = f, .loading = true };
    char magic[sizeof PARTIAL_MAGIC] = "", got_period[8], want_period[8], sha[65], scope[256];
    uint32_t version = 0, order = 0;
    bool scoped = false;
    pio_bytes(&io, magic, sizeof magic - 1);
    if (io.bad || strcmp(magic, PARTIAL_MAGIC))
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL, "not an opsreport partial state file");
    pio_bytes(&io, &version, sizeof version);
    pio_bytes(&io, &order, sizeof order);
    if (io.bad || version != PARTIAL_VERSION)
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL,
                             "opsreport-partial version %u; this opsreport reads version %u", version,
                             PARTIAL_VERSION);
    if (order != PARTIAL_BYTE_ORDER)
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL,
                             "the partial state was written on a machine of another byte order");
    pio_text(&io, sha, sizeof sha);
    pio_text(&io, got_period, sizeof got_period);
    pio_bool(&io, &scoped);
    pio_text(&io, scope, sizeof scope);
    if (io.bad)
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL, "the partial state's header is cut short");
    period_format(period, want_period);
    if (strcmp(sha, cfg->sha256) || strcmp(got_period, want_period))
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL,
                             "the partial state is of config sha256 %.12s, period %s; this run has %s "
                             "(sha256 %.12s), period %s",
                             sha, got_period, cfg->path, cfg->sha256, want_period);
    analyse_t *a = NULL;
    ops_status_t rc = analyse_new(cfg, period, scoped ? scope : NULL, &a, err);
    if (rc != OPS_OK)
        return rc;
    state_io(a, &io);
    if (io.bad) {
        analyse_free(a);
        return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL,
                             "the partial state is damaged or cut short (it does not read back)");
    }
    *out = a;
    return OPS_OK;
}

const char *analyse_scope(const analyse_t *a) { return a->scope; }

void analyse_free(analyse_t *a)
{
    if (!a)
        return;
    free(a->gl_groups);
    free(a->gl_budgets);
    id_index_free(&a->gl_index);
    for (size_t i = 0; i < N_MODULES; i++)
        if (a->states[i])
            modules[i]->destroy(a->states[i]);
    if (a->detail)
        fclose(a->detail);
    if (a->cc_opex)
        g_ptr_array_free(a->cc_opex, TRUE);
    dict_free(a->cost_centres);
    dict_free(a->accounts);
    free(a->scope);
    free(a);
}

void report_model_free(report_model_t *m)
{
    if (!m)
        return;
    if (m->bva_texts)
        g_string_chunk_free(m->bva_texts);
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
