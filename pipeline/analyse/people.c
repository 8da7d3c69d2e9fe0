/*
 * people.c - personnel and training KPIs.
 *
 * Headcount and FTE are recomputed for every month end of the window from
 * hire and leave dates, so trends need no monthly snapshots. Turnover is
 * annualised over the trailing twelve months. Training records are matched
 * to employees by id for the site scope (employees must be configured
 * before training, as in the default config).
 */
#include "analyse/analyse_internal.h"

#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char site[64], department[64];
    double headcount, fte, hires_ytd, leavers_ytd; /* fte: from fte_sum at finish */
    xsum_t fte_sum;
} dept_t;

typedef struct {
    char employee[48], course[96];
    int32_t due;
} overdue_t;

typedef struct {
    const analyse_ctx_t *ctx;
    double headcount[MODEL_WINDOW], fte[MODEL_WINDOW], hires[MODEL_WINDOW];
    double leavers[MODEL_WINDOW], voluntary[MODEL_WINDOW];
    double due[MODEL_WINDOW], done[MODEL_WINDOW], hours[MODEL_WINDOW];
    xsum_t fte_sum[MODEL_WINDOW], hours_sum[MODEL_WINDOW]; /* fte, hours: from these at finish */
    GHashTable *site_of;  /* employee id -> site (for scoping training) */
    GHashTable *depts;    /* "site\x1f" "dept" -> dept_t* */
    GArray *overdue;
} people_t;

static void *people_create(const analyse_ctx_t *ctx)
{
    people_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->ctx = ctx;
    p->site_of = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    p->depts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    p->overdue = g_array_new(FALSE, TRUE, sizeof(overdue_t));
    return p;
}

static void employee_add(people_t *p, const field_value_t *v)
{
    const analyse_ctx_t *ctx = p->ctx;
    char id[64], site[64], dept[64], key[130];
    field_text_copy(&v[EMP_ID], id, sizeof id);
    field_text_copy(&v[EMP_SITE], site, sizeof site);
    g_hash_table_insert(p->site_of, g_strdup(id), g_strdup(site));
    if (!ctx_in_scope(ctx, &v[EMP_SITE]))
        return;
    /* no hire date (an exit survey's "Not Stated"): employed since before the
     * window, so the row still counts as headcount and as a leaver, never as a hire */
    bool hired = v[EMP_HIRE_DATE].present;
    int32_t hire = hired ? v[EMP_HIRE_DATE].v.date : INT32_MIN;
    bool left = v[EMP_LEAVE_DATE].present;
    int32_t leave = v[EMP_LEAVE_DATE].v.date;
    double fte = v[EMP_FTE].v.num;
    for (int s = 0; s < MODEL_WINDOW; s++) {
        int32_t end = ctx_slot_last_day(ctx, s);
        /* leave_date is the last day worked: still on the books that day */
        if (hire <= end && (!left || leave > end)) {
            p->headcount[s]++;
            xsum_add(&p->fte_sum[s], fte);
        }
    }
    int hs = hired ? ctx_slot_of_day(ctx, hire) : -1;
    if (hs >= 0)
        p->hires[hs]++;
    int ls = left ? ctx_slot_of_day(ctx, leave) : -1;
    if (ls >= 0) {
        p->leavers[ls]++;
        if (v[EMP_LEAVE_REASON].present && v[EMP_LEAVE_REASON].v.enum_index == EMP_LEAVE_VOLUNTARY)
            p->voluntary[ls]++;
    }
    field_text_copy(&v[EMP_DEPARTMENT], dept, sizeof dept);
    snprintf(key, sizeof key, "%s\x1f%s", site, dept);
    dept_t *d = g_hash_table_lookup(p->depts, key);
    if (!d) {
        d = g_new0(dept_t, 1);
        snprintf(d->site, sizeof d->site, "%s", site);
        snprintf(d->department, sizeof d->department, "%s", dept);
        g_hash_table_insert(p->depts, g_strdup(key), d);
    }
    if (hire <= ctx->period_last_day && (!left || leave > ctx->period_last_day)) {
        d->headcount++;
        xsum_add(&d->fte_sum, fte);
    }
    d->hires_ytd += hs >= ctx->slot_fy_start;
    d->leavers_ytd += ls >= ctx->slot_fy_start;
}

static void training_add(people_t *p, const field_value_t *v)
{
    const analyse_ctx_t *ctx = p->ctx;
    if (ctx->scope) {
        char id[64];
        field_text_copy(&v[TRN_EMPLOYEE_ID], id, sizeof id);
        const char *site = g_hash_table_lookup(p->site_of, id);
        if (!site || strcmp(site, ctx->scope))
            return;
    }
    bool done = v[TRN_COMPLETED_DATE].present;
    int32_t completed = v[TRN_COMPLETED_DATE].v.date;
    if (done && v[TRN_HOURS].present) {
        int cs = ctx_slot_of_day(ctx, completed);
        if (cs >= 0)
            xsum_add(&p->hours_sum[cs], v[TRN_HOURS].v.num);
    }
    if (!v[TRN_MANDATORY].v.b)
        return;
    int32_t due = v[TRN_DUE_DATE].v.date;
    for (int s = 0; s < MODEL_WINDOW; s++) {
        int32_t end = ctx_slot_last_day(ctx, s);
        if (due <= end) {
            p->due[s]++;
            p->done[s] += done && completed <= end;
        }
    }
    if (due <= ctx->period_last_day && !(done && completed <= ctx->period_last_day)) {
        overdue_t o = { .due = due };
        field_text_copy(&v[TRN_EMPLOYEE_ID], o.employee, sizeof o.employee);
        field_text_copy(&v[TRN_COURSE], o.course, sizeof o.course);
        g_array_append_val(p->overdue, o);
    }
}

static ops_status_t people_record(void *state, const ingest_record_t *rec, ops_error_t *err)
{
    (void)err;
    people_t *p = state;
    if (rec->input->schema->kind == KIND_EMPLOYEES)
        employee_add(p, rec->values);
    else if (rec->input->schema->kind == KIND_TRAINING)
        training_add(p, rec->values);
    return OPS_OK;
}

static int by_due(const void *a, const void *b)
{
    const overdue_t *x = a, *y = b;
    if (x->due != y->due)
        return x->due < y->due ? -1 : 1;
    int c = strcmp(x->employee, y->employee);
    return c ? c : strcmp(x->course, y->course);
}

static int by_site_dept(const void *a, const void *b)
{
    const dept_t *x = *(dept_t *const *)a, *y = *(dept_t *const *)b;
    int c = strcmp(x->site, y->site);
    return c ? c : strcmp(x->department, y->department);
}

#define ADD_KPI(id, label, unit)                                                    \
    if (!(k = model_add_kpi(m, id, label, AREA_PEOPLE, unit)))                       \
        goto nomem;

/* A training KPI needs the training fields; a site summary also needs the
 * employees, whose sites pick the training records. */
static bool training_needs(const analyse_ctx_t *ctx, kpi_t *k, const int *fields, size_t n)
{
    return kpi_needs(ctx, k, KIND_TRAINING, fields, n) && (!ctx->scope || kpi_needs(ctx, k, KIND_EMPLOYEES, NULL, 0));
}

static ops_status_t people_finish(void *state, report_model_t *m, ops_error_t *err)
{
    people_t *p = state;
    const analyse_ctx_t *ctx = p->ctx;
    kpi_t *k;
    xsum_values(p->fte_sum, p->fte, MODEL_WINDOW);
    xsum_values(p->hours_sum, p->hours, MODEL_WINDOW);
    GHashTableIter dit;
    gpointer dkey, dval;
    g_hash_table_iter_init(&dit, p->depts);
    while (g_hash_table_iter_next(&dit, &dkey, &dval))
        ((dept_t *)dval)->fte = xsum_value(&((dept_t *)dval)->fte_sum);
    if (ctx_has_input(ctx, KIND_EMPLOYEES)) {
        ADD_KPI("headcount", "Headcount", UNIT_COUNT);
        kpi_fill_level(k, p->headcount);
        snprintf(k->note, sizeof k->note, "employees hired on or before the month end and not yet left");
        kpi_needs(ctx, k, KIND_EMPLOYEES, NULL, 0);
        if (!ctx_publish_series(ctx, m, "headcount", "Headcount", UNIT_COUNT, p->headcount))
            goto nomem;
        ADD_KPI("fte", "FTE", UNIT_FTE);
        kpi_fill_level(k, p->fte);
        snprintf(k->note, sizeof k->note, "sum of fte of the headcount at month end");
        kpi_needs(ctx, k, KIND_EMPLOYEES, NULL, 0);
        ADD_KPI("hires", "Hires", UNIT_COUNT);
        kpi_fill_sum(k, ctx, p->hires);
        snprintf(k->note, sizeof k->note, "hire_date in the month");
        kpi_needs(ctx, k, KIND_EMPLOYEES, NULL, 0);
        ADD_KPI("leavers", "Leavers", UNIT_COUNT);
        kpi_fill_sum(k, ctx, p->leavers);
        snprintf(k->note, sizeof k->note, "leave_date in the month");
        kpi_needs(ctx, k, KIND_EMPLOYEES, FIELDS(EMP_LEAVE_DATE)); /* else nobody ever leaves */
        /* trailing-12-month leavers / average month-end headcount of those months */
        double turnover[MODEL_WINDOW], vol[MODEL_WINDOW];
        for (int s = 0; s < MODEL_WINDOW; s++) {
            double leavers = 0, voluntary = 0, hc = 0;
            int n = 0;
            for (int j = s - 11; j <= s; j++) {
                if (j < 0)
                    continue;
                leavers += p->leavers[j];
                voluntary += p->voluntary[j];
                hc += p->headcount[j];
                n++;
            }
            double avg = n ? hc / n : 0;
            bool full = s >= 11;
            turnover[s] = full && avg > 0 ? leavers / avg * 100 : NAN;
            vol[s] = full && avg > 0 ? voluntary / avg * 100 : NAN;
        }
        ADD_KPI("turnover_pct", "Staff turnover (12 months)", UNIT_PERCENT);
        kpi_fill_level(k, turnover);
        snprintf(k->note, sizeof k->note, "leavers in the last 12 months / average month-end headcount x 100");
        kpi_needs(ctx, k, KIND_EMPLOYEES, FIELDS(EMP_LEAVE_DATE));
        ADD_KPI("voluntary_turnover_pct", "Voluntary turnover (12 months)", UNIT_PERCENT);
        kpi_fill_level(k, vol);
        snprintf(k->note, sizeof k->note, "voluntary leavers in the last 12 months / average headcount x 100");
        kpi_needs(ctx, k, KIND_EMPLOYEES, FIELDS(EMP_LEAVE_DATE, EMP_LEAVE_REASON));

        static const char *const dn[] = { "Site", "Department", "Headcount", "FTE", "Hires YTD", "Leavers YTD" };
        static const col_kind_t dk[] = { COL_TEXT, COL_TEXT, COL_COUNT, COL_NUMBER, COL_COUNT, COL_COUNT };
        model_table_t *t = model_add_table(m, TABLE_PEOPLE_HEADCOUNT, "Headcount by site and department", 6, dn, dk);
        if (!t)
            goto nomem;
        bool leave_known = ctx_fields_mapped(ctx, KIND_EMPLOYEES, FIELDS(EMP_LEAVE_DATE));
        GPtrArray *arr = g_ptr_array_new();
        GHashTableIter it;
        gpointer key, val;
        g_hash_table_iter_init(&it, p->depts);
        while (g_hash_table_iter_next(&it, &key, &val))
            g_ptr_array_add(arr, val);
        if (arr->len) /* pdata is NULL when empty, and qsort's base must not be */
            qsort(arr->pdata, arr->len, sizeof(gpointer), by_site_dept);
        for (guint i = 0; i < arr->len; i++) {
            dept_t *d = arr->pdata[i];
            long r = model_table_add_row(t);
            if (r < 0) {
                g_ptr_array_free(arr, TRUE);
                goto nomem;
            }
            model_table_set_text(t, (size_t)r, 0, d->site, strlen(d->site));
            model_table_set_text(t, (size_t)r, 1, d->department, strlen(d->department));
            model_table_set_num(t, (size_t)r, 2, d->headcount);
            model_table_set_num(t, (size_t)r, 3, d->fte);
            model_table_set_num(t, (size_t)r, 4, d->hires_ytd);
            model_table_set_num(t, (size_t)r, 5, leave_known ? d->leavers_ytd : NAN);
        }
        g_ptr_array_free(arr, TRUE);
        table_needs(ctx, t, KIND_EMPLOYEES, NULL, 0);
    }
    if (ctx_has_input(ctx, KIND_TRAINING)) {
        ADD_KPI(KPI_TRAINING_COMPLETION_PCT, "Mandatory training completed", UNIT_PERCENT);
        double pct[MODEL_WINDOW], overdue[MODEL_WINDOW], per_fte[MODEL_WINDOW];
        for (int s = 0; s < MODEL_WINDOW; s++) {
            pct[s] = p->due[s] ? p->done[s] / p->due[s] * 100 : NAN;
            overdue[s] = p->due[s] - p->done[s];
            per_fte[s] = p->fte[s] > 0 ? p->hours[s] / p->fte[s] : NAN;
        }
        kpi_fill_level(k, pct);
        snprintf(k->note, sizeof k->note, "mandatory trainings due by month end and completed by then / due");
        /* without completion dates nothing looks done: 0%, every training overdue */
        training_needs(ctx, k, FIELDS(TRN_COMPLETED_DATE));
        ADD_KPI("overdue_trainings", "Overdue mandatory trainings", UNIT_COUNT);
        kpi_fill_level(k, overdue);
        snprintf(k->note, sizeof k->note, "mandatory, due by month end, not completed by then");
        training_needs(ctx, k, FIELDS(TRN_COMPLETED_DATE));
        ADD_KPI("training_hours_per_fte", "Training hours per FTE", UNIT_HOURS);
        kpi_fill_monthly(k, per_fte);
        double ytd_hours = 0;
        for (int s = ctx->slot_fy_start; s <= SLOT_PERIOD; s++)
            ytd_hours += p->hours[s];
        k->ytd = p->fte[SLOT_PERIOD] > 0 ? ytd_hours / p->fte[SLOT_PERIOD] : NAN;
        snprintf(k->note, sizeof k->note, "hours of trainings completed in the month / FTE at month end (YTD: YTD hours / FTE now)");
        if (training_needs(ctx, k, FIELDS(TRN_COMPLETED_DATE, TRN_HOURS)))
            kpi_needs(ctx, k, KIND_EMPLOYEES, NULL, 0);

        static const char *const on[] = { "Employee", "Course", "Due", "Days overdue" };
        static const col_kind_t ok[] = { COL_TEXT, COL_TEXT, COL_DATE, COL_DAYS };
        model_table_t *t = model_add_table(m, TABLE_PEOPLE_OVERDUE_TRAININGS, "Overdue mandatory trainings", 4, on, ok);
        if (!t)
            goto nomem;
        snprintf(t->note, sizeof t->note, "%u overdue in all; the longest overdue first", p->overdue->len);
        g_array_sort(p->overdue, by_due);
        for (guint i = 0; i < p->overdue->len && i < (guint)ctx->settings->top_n; i++) {
            overdue_t *o = &g_array_index(p->overdue, overdue_t, i);
            long r = model_table_add_row(t);
            if (r < 0)
                goto nomem;
            model_table_set_text(t, (size_t)r, 0, o->employee, strlen(o->employee));
            model_table_set_text(t, (size_t)r, 1, o->course, strlen(o->course));
            model_table_set_num(t, (size_t)r, 2, o->due);
            model_table_set_num(t, (size_t)r, 3, ctx->period_last_day - o->due);
        }
        if (!table_needs(ctx, t, KIND_TRAINING, FIELDS(TRN_COMPLETED_DATE)))
            t->note[0] = '\0'; /* "N overdue in all" would count every training */
    }
    return OPS_OK;
nomem:
    return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

static void people_destroy(void *state)
{
    people_t *p = state;
    if (!p)
        return;
    g_hash_table_destroy(p->site_of);
    g_hash_table_destroy(p->depts);
    g_array_free(p->overdue, TRUE);
    free(p);
}

static ops_status_t people_merge(void *dst, const void *src, ops_error_t *err)
{
    (void)err;
    people_t *d = dst;
    const people_t *s = src;
    sums_add(d->headcount, s->headcount, MODEL_WINDOW);
    xsum_merge_n(d->fte_sum, s->fte_sum, MODEL_WINDOW);
    sums_add(d->hires, s->hires, MODEL_WINDOW);
    sums_add(d->leavers, s->leavers, MODEL_WINDOW);
    sums_add(d->voluntary, s->voluntary, MODEL_WINDOW);
    sums_add(d->due, s->due, MODEL_WINDOW);
    sums_add(d->done, s->done, MODEL_WINDOW);
    xsum_merge_n(d->hours_sum, s->hours_sum, MODEL_WINDOW);
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, s->site_of); /* a later row of the same employee wins */
    while (g_hash_table_iter_next(&it, &key, &val))
        g_hash_table_insert(d->site_of, g_strdup(key), g_strdup(val));
    g_hash_table_iter_init(&it, s->depts);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        const dept_t *from = val;
        dept_t *to = g_hash_table_lookup(d->depts, key);
        if (!to) {
            to = g_new0(dept_t, 1);
            snprintf(to->site, sizeof to->site, "%s", from->site);
            snprintf(to->department, sizeof to->department, "%s", from->department);
            g_hash_table_insert(d->depts, g_strdup(key), to);
        }
        to->headcount += from->headcount;
        xsum_merge(&to->fte_sum, &from->fte_sum);
        to->hires_ytd += from->hires_ytd;
        to->leavers_ytd += from->leavers_ytd;
    }
    g_array_append_vals(d->overdue, s->overdue->data, s->overdue->len);
    return OPS_OK;
}

static void people_io(void *state, pio_t *io)
{
    people_t *p = state;
    double *arrays[] = { p->headcount, p->hires, p->leavers, p->voluntary, p->due, p->done };
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++)
        pio_f64s(io, arrays[i], MODEL_WINDOW);
    pio_xsums(io, p->fte_sum, MODEL_WINDOW);
    pio_xsums(io, p->hours_sum, MODEL_WINDOW);
    size_t n = g_hash_table_size(p->site_of);
    pio_count(io, &n, PIO_MAX_ITEMS);
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, p->site_of);
    for (size_t i = 0; i < n && !io->bad; i++) {
        char *k = NULL, *v = NULL;
        if (!io->loading) {
            g_hash_table_iter_next(&it, &key, &val);
            k = key;
            v = val;
        }
        pio_str(io, &k);
        pio_str(io, &v);
        if (io->loading) {
            if (k && v)
                g_hash_table_insert(p->site_of, g_strdup(k), g_strdup(v));
            else
                io->bad = true;
            free(k);
            free(v);
        }
    }
    n = g_hash_table_size(p->depts);
    pio_count(io, &n, PIO_MAX_ITEMS);
    g_hash_table_iter_init(&it, p->depts);
    for (size_t i = 0; i < n && !io->bad; i++) {
        dept_t *d;
        if (io->loading)
            d = g_new0(dept_t, 1);
        else {
            g_hash_table_iter_next(&it, &key, &val);
            d = val;
        }
        pio_text(io, d->site, sizeof d->site);
        pio_text(io, d->department, sizeof d->department);
        pio_f64s(io, &d->headcount, 1);
        pio_f64s(io, &d->hires_ytd, 1);
        pio_f64s(io, &d->leavers_ytd, 1);
        pio_xsums(io, &d->fte_sum, 1);
        if (io->loading) {
            char k[130];
            snprintf(k, sizeof k, "%s\x1f%s", d->site, d->department);
            g_hash_table_replace(p->depts, g_strdup(k), d);
        }
    }
    size_t n_over = p->overdue->len;
    pio_count(io, &n_over, PIO_MAX_ITEMS);
    if (io->loading && !io->bad)
        g_array_set_size(p->overdue, n_over);
    for (size_t i = 0; i < n_over && !io->bad; i++) {
        overdue_t *o = &g_array_index(p->overdue, overdue_t, i);
        pio_text(io, o->employee, sizeof o->employee);
        pio_text(io, o->course, sizeof o->course);
        pio_i32(io, &o->due);
    }
}

const area_module_t area_people = { "people", people_create, people_record, people_finish,
                                    people_destroy, people_merge, people_io, NULL };
