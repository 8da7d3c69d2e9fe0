/*
 * projects.c - earned value per project and timesheet utilisation.
 *
 * Tasks carry the baseline (planned cost, start, finish), progress and cost
 * to date; projects carry the budget and status. Both are keyed by project
 * id, so the two inputs may come in either order. Planned value at the
 * period end spreads each task's planned cost linearly over its baseline
 * dates. Utilisation compares billable hours with the hours the staff on
 * who record time could work (fte x hours_per_day x weekdays of the month).
 */
#include "analyse/analyse_internal.h"

#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char id[48], name[96], manager[64], status[16];
    bool known;               /* seen in the projects input */
    bool in_scope;
    double budget, planned_cost, ev, pv, ac; /* ev, pv: from ev_sum, pv_sum at finish */
    xsum_t ev_sum, pv_sum;
    int32_t start, end;       /* planned start and end (the register's dates) */
    double slip_days;         /* worst milestone slip, days (NAN: no milestones) */
} project_t;

typedef struct {
    double fte;
    int32_t hire, leave;
    bool left;
    double hours_period;      /* from hours_sum at finish */
    xsum_t hours_sum;
    uint32_t logged_slots;    /* bit s: logged time in window slot s */
    char id[48];
    bool in_scope;
    bool known;               /* seen in the employees input */
} person_t;

typedef struct {
    const analyse_ctx_t *ctx;
    GHashTable *projects;     /* id -> project_t* */
    GHashTable *people;       /* employee id -> person_t* */
    double billable[MODEL_WINDOW], logged[MODEL_WINDOW]; /* from the sums at finish */
    xsum_t billable_sum[MODEL_WINDOW], logged_sum[MODEL_WINDOW];
} projects_t;

static void *projects_create(const analyse_ctx_t *ctx)
{
    projects_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->ctx = ctx;
    p->projects = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    p->people = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return p;
}

static project_t *project_get(projects_t *p, const field_value_t *id)
{
    char key[48];
    field_text_copy(id, key, sizeof key);
    project_t *pr = g_hash_table_lookup(p->projects, key);
    if (!pr) {
        pr = g_new0(project_t, 1);
        snprintf(pr->id, sizeof pr->id, "%s", key);
        pr->slip_days = NAN;
        /* no site known yet: in scope only without a scope (as ctx_in_scope treats an absent site) */
        pr->in_scope = !p->ctx->scope;
        g_hash_table_insert(p->projects, g_strdup(key), pr);
    }
    return pr;
}

static person_t *person_get(projects_t *p, const field_value_t *id)
{
    char key[48];
    field_text_copy(id, key, sizeof key);
    person_t *pe = g_hash_table_lookup(p->people, key);
    if (!pe) {
        pe = g_new0(person_t, 1);
        snprintf(pe->id, sizeof pe->id, "%s", key);
        pe->in_scope = !p->ctx->scope;
        g_hash_table_insert(p->people, g_strdup(key), pe);
    }
    return pe;
}

static int weekdays(int32_t first, int32_t last)
{
    int n = 0;
    for (int32_t d = first; d <= last; d++) {
        int dow = (int)((d % 7 + 7 + 3) % 7); /* 1970-01-01 was a Thursday: 0 = Monday */
        n += dow < 5;
    }
    return n;
}

static ops_status_t projects_record(void *state, const ingest_record_t *rec, ops_error_t *err)
{
    (void)err;
    projects_t *p = state;
    const analyse_ctx_t *ctx = p->ctx;
    const field_value_t *v = rec->values;
    switch (rec->input->schema->kind) {
    case KIND_PROJECTS: {
        project_t *pr = project_get(p, &v[PRJ_ID]);
        pr->known = true;
        pr->in_scope = ctx_in_scope(ctx, &v[PRJ_SITE]);
        field_text_copy(&v[PRJ_NAME], pr->name, sizeof pr->name);
        field_text_copy(&v[PRJ_MANAGER], pr->manager, sizeof pr->manager);
        static const char *const st[] = { "planned", "active", "on hold", "closed" };
        snprintf(pr->status, sizeof pr->status, "%s", st[v[PRJ_STATUS].v.enum_index]);
        pr->budget = (double)v[PRJ_BUDGET].v.money;
        pr->start = v[PRJ_START_DATE].v.date;
        pr->end = v[PRJ_END_DATE].v.date;
        break;
    }
    case KIND_TASKS: {
        project_t *pr = project_get(p, &v[TASK_PROJECT_ID]);
        double planned = (double)v[TASK_PLANNED_COST].v.money;
        int32_t start = v[TASK_PLANNED_START].v.date, finish = v[TASK_PLANNED_FINISH].v.date;
        int32_t end = ctx->period_last_day;
        double share = end >= finish ? 1.0 : end < start ? 0.0
                                                         : (double)(end - start + 1) / (double)(finish - start + 1);
        pr->planned_cost += planned;
        xsum_add(&pr->pv_sum, planned * share);
        xsum_add(&pr->ev_sum, planned * v[TASK_PERCENT_COMPLETE].v.num / 100.0);
        if (v[TASK_ACTUAL_COST].present)
            pr->ac += (double)v[TASK_ACTUAL_COST].v.money;
        if (v[TASK_MILESTONE].present && v[TASK_MILESTONE].v.b) {
            /* finished: actual vs plan; open and past plan: slipping at least to the period end */
            double slip = NAN;
            if (v[TASK_ACTUAL_FINISH].present)
                slip = v[TASK_ACTUAL_FINISH].v.date - finish;
            else if (finish < end && v[TASK_PERCENT_COMPLETE].v.num < 100)
                slip = end - finish;
            else
                slip = 0;
            if (isnan(pr->slip_days) || slip > pr->slip_days)
                pr->slip_days = slip;
        }
        break;
    }
    case KIND_EMPLOYEES: {
        person_t *pe = person_get(p, &v[EMP_ID]);
        pe->known = true;
        pe->fte = v[EMP_FTE].v.num;
        pe->hire = v[EMP_HIRE_DATE].present ? v[EMP_HIRE_DATE].v.date : INT32_MIN; /* see people.c */
        pe->left = v[EMP_LEAVE_DATE].present;
        pe->leave = v[EMP_LEAVE_DATE].v.date;
        pe->in_scope = ctx_in_scope(ctx, &v[EMP_SITE]);
        break;
    }
    case KIND_TIMESHEETS: {
        person_t *pe = person_get(p, &v[TS_EMPLOYEE_ID]);
        if (!pe->in_scope)
            break;
        int s = ctx_slot_of_day(ctx, v[TS_DATE].v.date);
        if (s < 0)
            break;
        double h = v[TS_HOURS].v.num;
        xsum_add(&p->logged_sum[s], h);
        if (v[TS_BILLABLE].v.b)
            xsum_add(&p->billable_sum[s], h);
        pe->logged_slots |= 1u << s;
        if (s == SLOT_PERIOD)
            xsum_add(&pe->hours_sum, h);
        break;
    }
    default:
        break;
    }
    return OPS_OK;
}

static int by_id(const void *a, const void *b)
{
    return strcmp((*(project_t *const *)a)->id, (*(project_t *const *)b)->id);
}

typedef struct {
    double load, avail;
    const person_t *pe;
} over_t;

/* Highest load first; ties by employee id, so the table never depends on hash order. */
static int by_load(const void *a, const void *b)
{
    const over_t *x = a, *y = b;
    if (x->load != y->load)
        return x->load < y->load ? 1 : -1;
    return strcmp(x->pe->id, y->pe->id);
}

/* A portfolio KPI needs the tasks (and fields of them); the projects input
 * is optional, but one whose every row was rejected would turn closed and
 * planned projects into active ones, and a site summary picks its projects
 * by the projects input's site. */
static void projects_needs(const analyse_ctx_t *ctx, kpi_t *k, const int *fields, size_t n)
{
    if (kpi_needs(ctx, k, KIND_TASKS, fields, n) && (ctx->input_rejected[KIND_PROJECTS] || ctx->scope))
        kpi_needs(ctx, k, KIND_PROJECTS, NULL, 0);
}

/* From the register alone (no task plan needed): projects whose planned
 * span covers each month's end, their budget, and those due to end in it. */
static ops_status_t register_kpis(projects_t *p, report_model_t *m, double scale, ops_error_t *err)
{
    const analyse_ctx_t *ctx = p->ctx;
    double running[MODEL_WINDOW] = { 0 }, budget[MODEL_WINDOW] = { 0 }, ending[MODEL_WINDOW] = { 0 };
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, p->projects);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        const project_t *pr = val;
        if (!pr->known || !pr->in_scope)
            continue;
        for (int s = 0; s < MODEL_WINDOW; s++) {
            int32_t last = ctx_slot_last_day(ctx, s);
            if (pr->start <= last && pr->end >= last) {
                running[s] += 1;
                budget[s] += pr->budget / scale;
            }
        }
        int se = ctx_slot_of_day(ctx, pr->end);
        if (se >= 0)
            ending[se] += 1;
    }
    static const struct { const char *id, *label, *note; kpi_unit_t unit; bool level; } rows[] = {
        { "projects_in_delivery", "Projects in delivery", "projects whose planned start is on or before the month end and planned end on or after it", UNIT_COUNT, true },
        { "budget_in_delivery", "Budget of projects in delivery", "budget at completion of the projects in delivery at the month end", UNIT_MONEY, true },
        { "projects_due_to_end", "Projects due to end", "projects whose planned end falls in the month", UNIT_COUNT, false },
    };
    const double *series[] = { running, budget, ending };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        kpi_t *k = model_add_kpi(m, rows[i].id, rows[i].label, AREA_PROJECTS, rows[i].unit);
        if (!k)
            return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        if (rows[i].level)
            kpi_fill_level(k, series[i]);
        else
            kpi_fill_sum(k, ctx, series[i]);
        snprintf(k->note, sizeof k->note, "%s", rows[i].note);
        kpi_needs(ctx, k, KIND_PROJECTS, NULL, 0);
    }
    return OPS_OK;
}

static ops_status_t projects_finish(void *state, report_model_t *m, ops_error_t *err)
{
    projects_t *p = state;
    const analyse_ctx_t *ctx = p->ctx;
    double scale = pow(10, m->minor_units);
    kpi_t *k;
    GPtrArray *arr = NULL;
    xsum_values(p->billable_sum, p->billable, MODEL_WINDOW);
    xsum_values(p->logged_sum, p->logged, MODEL_WINDOW);
    GHashTableIter sit;
    gpointer skey, sval;
    g_hash_table_iter_init(&sit, p->projects);
    while (g_hash_table_iter_next(&sit, &skey, &sval)) {
        project_t *pr = sval;
        pr->pv = xsum_value(&pr->pv_sum);
        pr->ev = xsum_value(&pr->ev_sum);
    }
    g_hash_table_iter_init(&sit, p->people);
    while (g_hash_table_iter_next(&sit, &skey, &sval))
        ((person_t *)sval)->hours_period = xsum_value(&((person_t *)sval)->hours_sum);
    if (ctx_has_input(ctx, KIND_PROJECTS)) {
        ops_status_t rc = register_kpis(p, m, scale, err);
        if (rc != OPS_OK)
            return rc;
    }
    if (ctx_has_input(ctx, KIND_TASKS)) {
        arr = g_ptr_array_new();
        GHashTableIter it;
        gpointer key, val;
        g_hash_table_iter_init(&it, p->projects);
        while (g_hash_table_iter_next(&it, &key, &val))
            if (((project_t *)val)->in_scope)
                g_ptr_array_add(arr, val);
        if (arr->len) /* pdata is NULL when empty, and qsort's base must not be */
            qsort(arr->pdata, arr->len, sizeof(gpointer), by_id);
        static const char *const n[] = { "Project", "Name", "Manager", "Status", "Budget (BAC)", "Actual cost",
                                         "Earned value", "Planned value", "CPI", "SPI", "EAC", "Milestone slip (days)" };
        static const col_kind_t kd[] = { COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_MONEY, COL_MONEY,
                                         COL_MONEY, COL_MONEY, COL_NUMBER, COL_NUMBER, COL_MONEY, COL_DAYS };
        model_table_t *t = model_add_table(m, TABLE_PROJECTS_EARNED_VALUE, "Project earned value", 12, n, kd);
        if (!t)
            goto nomem;
        snprintf(t->note, sizeof t->note, "CPI = EV / AC, SPI = EV / PV, EAC = BAC / CPI; BAC is the project budget (sum of task baselines if none).");
        double ev = 0, pv = 0, ac = 0, over = 0, slipping = 0;
        /* without actual costs there is no CPI or EAC; without the milestone flag no slip */
        bool ac_known = ctx_fields_mapped(ctx, KIND_TASKS, FIELDS(TASK_ACTUAL_COST));
        bool slip_known = ctx_fields_mapped(ctx, KIND_TASKS, FIELDS(TASK_MILESTONE));
        for (guint i = 0; i < arr->len; i++) {
            project_t *pr = arr->pdata[i];
            double bac = pr->budget > 0 ? pr->budget : pr->planned_cost;
            double cpi = pr->ac > 0 ? pr->ev / pr->ac : NAN;
            double spi = pr->pv > 0 ? pr->ev / pr->pv : NAN;
            double eac = cpi > 0 ? bac / cpi : NAN;
            if (strcmp(pr->status, "closed") && strcmp(pr->status, "planned")) {
                ev += pr->ev;
                pv += pr->pv;
                ac += pr->ac;
                over += !isnan(eac) && eac > bac;
                slipping += pr->slip_days > 0;
            }
            long r = model_table_add_row(t);
            if (r < 0)
                goto nomem;
            model_table_set_text(t, (size_t)r, 0, pr->id, strlen(pr->id));
            model_table_set_text(t, (size_t)r, 1, pr->name, strlen(pr->name));
            model_table_set_text(t, (size_t)r, 2, pr->manager, strlen(pr->manager));
            const char *status = pr->known ? pr->status : "(not in projects)";
            model_table_set_text(t, (size_t)r, 3, status, strlen(status));
            model_table_set_num(t, (size_t)r, 4, bac / scale);
            model_table_set_num(t, (size_t)r, 5, ac_known ? pr->ac / scale : NAN);
            model_table_set_num(t, (size_t)r, 6, pr->ev / scale);
            model_table_set_num(t, (size_t)r, 7, pr->pv / scale);
            model_table_set_num(t, (size_t)r, 8, cpi);
            model_table_set_num(t, (size_t)r, 9, spi);
            model_table_set_num(t, (size_t)r, 10, eac / scale);
            model_table_set_num(t, (size_t)r, 11, slip_known ? pr->slip_days : NAN);
        }
        table_needs(ctx, t, KIND_TASKS, NULL, 0);
        if (!(k = model_add_kpi(m, "portfolio_cpi", "Portfolio CPI", AREA_PROJECTS, UNIT_RATIO)))
            goto nomem;
        k->value = k->ytd = ac > 0 ? ev / ac : NAN;
        snprintf(k->note, sizeof k->note, "sum EV / sum AC over active and on-hold projects (snapshot)");
        projects_needs(ctx, k, FIELDS(TASK_ACTUAL_COST));
        if (!(k = model_add_kpi(m, "portfolio_spi", "Portfolio SPI", AREA_PROJECTS, UNIT_RATIO)))
            goto nomem;
        k->value = k->ytd = pv > 0 ? ev / pv : NAN;
        snprintf(k->note, sizeof k->note, "sum EV / sum PV at the period end over active and on-hold projects");
        projects_needs(ctx, k, NULL, 0);
        if (!(k = model_add_kpi(m, "projects_over_budget", "Projects forecast over budget", AREA_PROJECTS, UNIT_COUNT)))
            goto nomem;
        k->value = k->ytd = over;
        snprintf(k->note, sizeof k->note, "active projects whose EAC exceeds their budget");
        projects_needs(ctx, k, FIELDS(TASK_ACTUAL_COST));
        if (!(k = model_add_kpi(m, "milestones_slipping", "Projects with slipping milestones", AREA_PROJECTS, UNIT_COUNT)))
            goto nomem;
        k->value = k->ytd = slipping;
        snprintf(k->note, sizeof k->note, "active projects whose worst milestone is late (finished late or open past plan)");
        projects_needs(ctx, k, FIELDS(TASK_MILESTONE));
        g_ptr_array_free(arr, TRUE);
        arr = NULL;
    }
    if (ctx_has_input(ctx, KIND_TIMESHEETS) && ctx_has_input(ctx, KIND_EMPLOYEES)) {
        double available[MODEL_WINDOW] = { 0 };
        double hpd = ctx->settings->hours_per_day;
        int wd[MODEL_WINDOW];
        for (int s = 0; s < MODEL_WINDOW; s++)
            wd[s] = weekdays(ctx_slot_first_day(ctx, s), ctx_slot_last_day(ctx, s));
        size_t n_people = g_hash_table_size(p->people);
        over_t *over = calloc(n_people ? n_people : 1, sizeof *over);
        if (!over)
            goto nomem;
        size_t n_over = 0;
        GHashTableIter it;
        gpointer key, val;
        g_hash_table_iter_init(&it, p->people);
        while (g_hash_table_iter_next(&it, &key, &val)) {
            const person_t *pe = val;
            if (!pe->in_scope || pe->fte <= 0)
                continue;
            for (int s = 0; s < MODEL_WINDOW; s++) {
                int32_t end = ctx_slot_last_day(ctx, s);
                /* capacity of the people who record time that month and were employed in it
                 * (a leaver's hours of the month count, so does their capacity) */
                if ((pe->logged_slots >> s & 1u) && pe->hire <= end &&
                    (!pe->left || pe->leave >= ctx_slot_first_day(ctx, s)))
                    available[s] += pe->fte * hpd * wd[s];
            }
            double avail = pe->fte * hpd * wd[SLOT_PERIOD];
            if (pe->hours_period > avail * 1.0 + 1e-9) {
                over[n_over++] = (over_t){ pe->hours_period / avail * 100, avail, pe };
            }
        }
        if (!(k = model_add_kpi(m, "utilisation_pct", "Billable utilisation", AREA_PROJECTS, UNIT_PERCENT))) {
            free(over);
            goto nomem;
        }
        kpi_fill_ratio(k, ctx, p->billable, available, 100.0);
        snprintf(k->note, sizeof k->note, "billable hours / (fte x hours_per_day x weekdays) of the staff who logged time in the month");
        if (kpi_needs(ctx, k, KIND_TIMESHEETS, NULL, 0))
            kpi_needs(ctx, k, KIND_EMPLOYEES, NULL, 0);
        if (!(k = model_add_kpi(m, "over_allocated_people", "Over-allocated people", AREA_PROJECTS, UNIT_COUNT))) {
            free(over);
            goto nomem;
        }
        k->value = k->ytd = (double)n_over;
        snprintf(k->note, sizeof k->note, "people who logged more hours in the month than fte x hours_per_day x weekdays");
        if (kpi_needs(ctx, k, KIND_TIMESHEETS, NULL, 0))
            kpi_needs(ctx, k, KIND_EMPLOYEES, NULL, 0);
        if (n_over)
            qsort(over, n_over, sizeof *over, by_load);
        static const char *const on[] = { "Employee", "Hours logged", "Available hours", "Load %" };
        static const col_kind_t ok[] = { COL_TEXT, COL_HOURS, COL_HOURS, COL_PERCENT };
        model_table_t *t = model_add_table(m, TABLE_PROJECTS_OVER_ALLOCATED, "Over-allocated people (month)", 4, on, ok);
        for (size_t i = 0; t && i < n_over && i < (size_t)ctx->settings->top_n; i++) {
            const person_t *pe = over[i].pe;
            long r = model_table_add_row(t);
            if (r < 0)
                break;
            model_table_set_text(t, (size_t)r, 0, pe->id, strlen(pe->id));
            model_table_set_num(t, (size_t)r, 1, pe->hours_period);
            model_table_set_num(t, (size_t)r, 2, over[i].avail);
            model_table_set_num(t, (size_t)r, 3, over[i].load);
        }
        free(over);
        if (!t)
            goto nomem;
        if (table_needs(ctx, t, KIND_TIMESHEETS, NULL, 0))
            table_needs(ctx, t, KIND_EMPLOYEES, NULL, 0);
    }
    return OPS_OK;
nomem:
    if (arr)
        g_ptr_array_free(arr, TRUE);
    return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

static void projects_destroy(void *state)
{
    projects_t *p = state;
    if (!p)
        return;
    g_hash_table_destroy(p->projects);
    g_hash_table_destroy(p->people);
    free(p);
}

static ops_status_t projects_merge(void *dst, const void *src, ops_error_t *err)
{
    (void)err;
    projects_t *d = dst;
    const projects_t *s = src;
    xsum_merge_n(d->billable_sum, s->billable_sum, MODEL_WINDOW);
    xsum_merge_n(d->logged_sum, s->logged_sum, MODEL_WINDOW);
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, s->projects);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        const project_t *from = val;
        project_t *to = g_hash_table_lookup(d->projects, key);
        if (!to) {
            to = g_new0(project_t, 1);
            snprintf(to->id, sizeof to->id, "%s", from->id);
            to->slip_days = NAN;
            to->in_scope = !d->ctx->scope;
            g_hash_table_insert(d->projects, g_strdup(key), to);
        }
        if (from->known) { /* the register row: a later one wins */
            to->known = true;
            to->in_scope = from->in_scope;
            memcpy(to->name, from->name, sizeof to->name);
            memcpy(to->manager, from->manager, sizeof to->manager);
            memcpy(to->status, from->status, sizeof to->status);
            to->budget = from->budget;
            to->start = from->start;
            to->end = from->end;
        }
        to->planned_cost += from->planned_cost;
        xsum_merge(&to->pv_sum, &from->pv_sum);
        xsum_merge(&to->ev_sum, &from->ev_sum);
        to->ac += from->ac;
        if (!isnan(from->slip_days) && (isnan(to->slip_days) || from->slip_days > to->slip_days))
            to->slip_days = from->slip_days;
    }
    g_hash_table_iter_init(&it, s->people);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        const person_t *from = val;
        person_t *to = g_hash_table_lookup(d->people, key);
        if (!to) {
            to = g_new0(person_t, 1);
            snprintf(to->id, sizeof to->id, "%s", from->id);
            to->in_scope = !d->ctx->scope;
            g_hash_table_insert(d->people, g_strdup(key), to);
        }
        if (from->known) { /* the employee row: a later one wins */
            to->known = true;
            to->fte = from->fte;
            to->hire = from->hire;
            to->left = from->left;
            to->leave = from->leave;
            to->in_scope = from->in_scope;
        }
        xsum_merge(&to->hours_sum, &from->hours_sum);
        to->logged_slots |= from->logged_slots;
    }
    return OPS_OK;
}

static void projects_io(void *state, pio_t *io)
{
    projects_t *p = state;
    pio_xsums(io, p->billable_sum, MODEL_WINDOW);
    pio_xsums(io, p->logged_sum, MODEL_WINDOW);
    size_t n = g_hash_table_size(p->projects);
    pio_count(io, &n, PIO_MAX_ITEMS);
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, p->projects);
    for (size_t i = 0; i < n && !io->bad; i++) {
        project_t *pr;
        if (io->loading)
            pr = g_new0(project_t, 1);
        else {
            g_hash_table_iter_next(&it, &key, &val);
            pr = val;
        }
        pio_text(io, pr->id, sizeof pr->id);
        pio_text(io, pr->name, sizeof pr->name);
        pio_text(io, pr->manager, sizeof pr->manager);
        pio_text(io, pr->status, sizeof pr->status);
        pio_bool(io, &pr->known);
        pio_bool(io, &pr->in_scope);
        pio_f64s(io, &pr->budget, 1);
        pio_f64s(io, &pr->planned_cost, 1);
        pio_f64s(io, &pr->ac, 1);
        pio_xsums(io, &pr->ev_sum, 1);
        pio_xsums(io, &pr->pv_sum, 1);
        pio_i32(io, &pr->start);
        pio_i32(io, &pr->end);
        pio_f64s(io, &pr->slip_days, 1);
        if (io->loading)
            g_hash_table_replace(p->projects, g_strdup(pr->id), pr);
    }
    n = g_hash_table_size(p->people);
    pio_count(io, &n, PIO_MAX_ITEMS);
    g_hash_table_iter_init(&it, p->people);
    for (size_t i = 0; i < n && !io->bad; i++) {
        person_t *pe;
        if (io->loading)
            pe = g_new0(person_t, 1);
        else {
            g_hash_table_iter_next(&it, &key, &val);
            pe = val;
        }
        pio_text(io, pe->id, sizeof pe->id);
        pio_f64s(io, &pe->fte, 1);
        pio_i32(io, &pe->hire);
        pio_i32(io, &pe->leave);
        pio_bool(io, &pe->left);
        pio_xsums(io, &pe->hours_sum, 1);
        uint64_t slots = pe->logged_slots;
        pio_u64(io, &slots);
        pe->logged_slots = (uint32_t)slots;
        pio_bool(io, &pe->in_scope);
        pio_bool(io, &pe->known);
        if (io->loading)
            g_hash_table_replace(p->people, g_strdup(pe->id), pe);
    }
}

const area_module_t area_projects = { "projects", projects_create, projects_record, projects_finish,
                                      projects_destroy, projects_merge, projects_io, NULL };
