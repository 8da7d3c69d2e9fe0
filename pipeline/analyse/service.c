/*
 * service.c - customer service KPIs from the ticket log.
 *
 * Ingest has already reduced the event log to one row per ticket (its
 * latest update), so each record here is one ticket's current state.
 * Response and resolution times are kept per month of the window for GSL
 * percentiles; the backlog is recomputed for each month end from the
 * created/resolved times, so the trend needs no snapshots.
 */
#include "analyse/analyse_internal.h"

#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char name[48];
    double created, resolved, sla_met, csat_sum, csat_n;
} channel_t;

typedef struct {
    char id[48];
    char priority[4];
    char channel[48];
    int64_t created;
} open_ticket_t;

typedef struct {
    const analyse_ctx_t *ctx;
    bool seen;
    double created[MODEL_WINDOW], resolved[MODEL_WINDOW], backlog[MODEL_WINDOW];
    double sla_met[MODEL_WINDOW], reopened[MODEL_WINDOW], response_met[MODEL_WINDOW];
    double csat_sum[MODEL_WINDOW], csat_n[MODEL_WINDOW], csat_ok[MODEL_WINDOW];
    dvec_t first_response[MODEL_WINDOW], resolution[MODEL_WINDOW];
    double prio_resolved[4], prio_met[4], prio_resolved_ytd[4], prio_met_ytd[4];
    GHashTable *channels; /* name -> channel_t* (period) */
    GArray *open;         /* open_ticket_t at period end */
} service_t;

static void *service_create(const analyse_ctx_t *ctx)
{
    service_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->ctx = ctx;
    s->channels = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    s->open = g_array_new(FALSE, TRUE, sizeof(open_ticket_t));
    return s;
}

static ops_status_t service_record(void *state, const ingest_record_t *rec, ops_error_t *err)
{
    service_t *s = state;
    const analyse_ctx_t *ctx = s->ctx;
    if (rec->input->schema->kind != KIND_TICKETS)
        return OPS_OK;
    const field_value_t *v = rec->values;
    if (!ctx_in_scope(ctx, &v[TKT_SITE]))
        return OPS_OK;
    s->seen = true;
    int64_t created = v[TKT_CREATED_AT].v.ts;
    bool has_resolved = v[TKT_RESOLVED_AT].present;
    int64_t resolved = v[TKT_RESOLVED_AT].v.ts;
    int prio = v[TKT_PRIORITY].v.enum_index;
    int cs = ctx_slot_of_ts(ctx, created);
    if (cs >= 0) {
        s->created[cs]++;
        if (v[TKT_FIRST_RESPONSE_AT].present) {
            double h = (double)(v[TKT_FIRST_RESPONSE_AT].v.ts - created) / 3600.0;
            if (!dvec_push(&s->first_response[cs], h))
                goto nomem;
            s->response_met[cs] += h <= ctx->settings->response_hours[prio];
        }
    }
    /* backlog at each month end of the window */
    for (int slot = 0; slot < MODEL_WINDOW; slot++) {
        int64_t end = ((int64_t)ctx_slot_last_day(ctx, slot) + 1) * 86400;
        if (created < end && (!has_resolved || resolved >= end))
            s->backlog[slot]++;
    }
    double hours = has_resolved ? (double)(resolved - created) / 3600.0 : NAN;
    bool met = has_resolved && hours <= ctx->settings->sla_hours[prio];
    int rs = has_resolved ? ctx_slot_of_ts(ctx, resolved) : -1;
    if (rs >= 0) {
        s->resolved[rs]++;
        s->sla_met[rs] += met;
        if (v[TKT_REOPENED].present && v[TKT_REOPENED].v.b)
            s->reopened[rs]++;
        if (v[TKT_CSAT].present) {
            s->csat_sum[rs] += (double)v[TKT_CSAT].v.i;
            s->csat_n[rs]++;
            s->csat_ok[rs] += v[TKT_CSAT].v.i >= 4;
        }
        if (!dvec_push(&s->resolution[rs], hours))
            goto nomem;
        if (rs == SLOT_PERIOD) {
            s->prio_resolved[prio]++;
            s->prio_met[prio] += met;
        }
        if (rs >= ctx->slot_fy_start) {
            s->prio_resolved_ytd[prio]++;
            s->prio_met_ytd[prio] += met;
        }
    }
    if (cs == SLOT_PERIOD || rs == SLOT_PERIOD) {
        char name[48];
        field_text_copy(&v[TKT_CHANNEL], name, sizeof name);
        channel_t *c = g_hash_table_lookup(s->channels, name);
        if (!c) {
            c = g_new0(channel_t, 1);
            snprintf(c->name, sizeof c->name, "%s", name);
            g_hash_table_insert(s->channels, c->name, c);
        }
        c->created += cs == SLOT_PERIOD;
        if (rs == SLOT_PERIOD) {
            c->resolved++;
            c->sla_met += met;
            if (v[TKT_CSAT].present) {
                c->csat_sum += (double)v[TKT_CSAT].v.i;
                c->csat_n++;
            }
        }
    }
    int64_t period_end = ((int64_t)ctx->period_last_day + 1) * 86400;
    if (created < period_end && (!has_resolved || resolved >= period_end)) {
        open_ticket_t o = { 0 };
        field_text_copy(&v[TKT_ID], o.id, sizeof o.id);
        field_text_copy(&v[TKT_PRIORITY], o.priority, sizeof o.priority);
        field_text_copy(&v[TKT_CHANNEL], o.channel, sizeof o.channel);
        o.created = created;
        g_array_append_val(s->open, o);
    }
    return OPS_OK;
nomem:
    return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

/* Quantile per month, and YTD over the fiscal-year months pooled. */
static void fill_quantile(kpi_t *k, service_t *s, dvec_t *per_month, double q)
{
    double series[MODEL_WINDOW];
    dvec_t ytd = { 0 };
    for (int i = 0; i < MODEL_WINDOW; i++) {
        if (i >= s->ctx->slot_fy_start)
            for (size_t j = 0; j < per_month[i].n; j++)
                dvec_push(&ytd, per_month[i].v[j]);
        series[i] = dvec_quantile(&per_month[i], q);
    }
    kpi_fill_monthly(k, series);
    k->ytd = dvec_quantile(&ytd, q);
    dvec_free(&ytd);
}

static int by_age(const void *a, const void *b)
{
    const open_ticket_t *x = a, *y = b;
    if (x->created != y->created)
        return x->created < y->created ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int by_channel_name(const void *a, const void *b)
{
    return strcmp((*(channel_t *const *)a)->name, (*(channel_t *const *)b)->name);
}

#define ADD_KPI(id, label, unit)                                                    \
    if (!(k = model_add_kpi(m, id, label, AREA_SERVICE, unit)))                      \
        goto nomem;

static ops_status_t service_finish(void *state, report_model_t *m, ops_error_t *err)
{
    service_t *s = state;
    const analyse_ctx_t *ctx = s->ctx;
    if (!ctx_has_input(ctx, KIND_TICKETS))
        return OPS_OK;
    kpi_t *k;
    ADD_KPI("tickets_created", "Tickets created", UNIT_COUNT);
    kpi_fill_sum(k, ctx, s->created);
    snprintf(k->note, sizeof k->note, "tickets whose created_at falls in the month");
    kpi_needs(ctx, k, KIND_TICKETS, NULL, 0);
    if (!ctx_publish_series(ctx, m, "tickets_created", "Tickets created", UNIT_COUNT, s->created))
        goto nomem;
    ADD_KPI("tickets_resolved", "Tickets resolved", UNIT_COUNT);
    kpi_fill_sum(k, ctx, s->resolved);
    snprintf(k->note, sizeof k->note, "tickets whose resolved_at falls in the month");
    kpi_needs(ctx, k, KIND_TICKETS, FIELDS(TKT_RESOLVED_AT));
    ADD_KPI("ticket_backlog", "Open tickets at month end", UNIT_COUNT);
    kpi_fill_level(k, s->backlog);
    snprintf(k->note, sizeof k->note, "created before the month end and not resolved by then");
    kpi_needs(ctx, k, KIND_TICKETS, FIELDS(TKT_RESOLVED_AT)); /* without it every ticket looks open */
    ADD_KPI("first_response_median_hours", "First response, median", UNIT_HOURS);
    fill_quantile(k, s, s->first_response, 0.5);
    snprintf(k->note, sizeof k->note, "hours from created to first response, tickets created in the month");
    kpi_needs(ctx, k, KIND_TICKETS, FIELDS(TKT_FIRST_RESPONSE_AT));
    ADD_KPI("first_response_p90_hours", "First response, p90", UNIT_HOURS);
    fill_quantile(k, s, s->first_response, 0.9);
    snprintf(k->note, sizeof k->note, "90th percentile (GSL, linear interpolation)");
    kpi_needs(ctx, k, KIND_TICKETS, FIELDS(TKT_FIRST_RESPONSE_AT));
    ADD_KPI("resolution_median_hours", "Resolution time, median", UNIT_HOURS);
    fill_quantile(k, s, s->resolution, 0.5);
    snprintf(k->note, sizeof k->note, "hours from created to resolved, tickets resolved in the month");
    kpi_needs(ctx, k, KIND_TICKETS, FIELDS(TKT_RESOLVED_AT));
    ADD_KPI("resolution_p90_hours", "Resolution time, p90", UNIT_HOURS);
    fill_quantile(k, s, s->resolution, 0.9);
    snprintf(k->note, sizeof k->note, "90th percentile of resolution hours");
    kpi_needs(ctx, k, KIND_TICKETS, FIELDS(TKT_RESOLVED_AT));
    ADD_KPI("sla_attainment_pct", "SLA attainment", UNIT_PERCENT);
    kpi_fill_ratio(k, ctx, s->sla_met, s->resolved, 100.0);
    snprintf(k->note, sizeof k->note, "resolved within [analysis] sla_hours_pN / resolved, in the month");
    kpi_needs(ctx, k, KIND_TICKETS, FIELDS(TKT_RESOLVED_AT));
    ADD_KPI(KPI_FIRST_RESPONSE_SLA_PCT, "First response within SLA", UNIT_PERCENT);
    kpi_fill_ratio(k, ctx, s->response_met, s->created, 100.0);
    snprintf(k->note, sizeof k->note, "tickets created in the month answered within [analysis] response_hours_pN / created");
    /* without the field no ticket looks answered: 0%, red, top of the attention list */
    kpi_needs(ctx, k, KIND_TICKETS, FIELDS(TKT_FIRST_RESPONSE_AT));
    ADD_KPI("reopen_rate_pct", "Reopen rate", UNIT_PERCENT);
    kpi_fill_ratio(k, ctx, s->reopened, s->resolved, 100.0);
    snprintf(k->note, sizeof k->note, "resolved tickets flagged reopened / resolved");
    kpi_needs(ctx, k, KIND_TICKETS, FIELDS(TKT_RESOLVED_AT, TKT_REOPENED));
    ADD_KPI("csat_mean", "CSAT (1-5)", UNIT_SCORE);
    kpi_fill_ratio(k, ctx, s->csat_sum, s->csat_n, 1.0);
    snprintf(k->note, sizeof k->note, "mean satisfaction score of tickets resolved in the month");
    kpi_needs(ctx, k, KIND_TICKETS, FIELDS(TKT_RESOLVED_AT, TKT_CSAT));
    ADD_KPI("csat_satisfied_pct", "Satisfied customers", UNIT_PERCENT);
    kpi_fill_ratio(k, ctx, s->csat_ok, s->csat_n, 100.0);
    snprintf(k->note, sizeof k->note, "share of CSAT answers of 4 or 5");
    kpi_needs(ctx, k, KIND_TICKETS, FIELDS(TKT_RESOLVED_AT, TKT_CSAT));

    static const char *const pn[] = { "Priority", "SLA hours", "Resolved (month)", "Within SLA (month)",
                                      "SLA % (month)", "Resolved YTD", "SLA % YTD" };
    static const col_kind_t pk[] = { COL_TEXT, COL_HOURS, COL_COUNT, COL_COUNT, COL_PERCENT, COL_COUNT, COL_PERCENT };
    model_table_t *t = model_add_table(m, TABLE_SERVICE_SLA_BY_PRIORITY, "SLA attainment by priority", 7, pn, pk);
    if (!t)
        goto nomem;
    static const char *const prios[] = { "P1", "P2", "P3", "P4" };
    for (int p = 0; p < 4; p++) {
        long r = model_table_add_row(t);
        if (r < 0)
            goto nomem;
        model_table_set_text(t, (size_t)r, 0, prios[p], 2);
        model_table_set_num(t, (size_t)r, 1, ctx->settings->sla_hours[p]);
        model_table_set_num(t, (size_t)r, 2, s->prio_resolved[p]);
        model_table_set_num(t, (size_t)r, 3, s->prio_met[p]);
        model_table_set_num(t, (size_t)r, 4, s->prio_resolved[p] ? s->prio_met[p] / s->prio_resolved[p] * 100 : NAN);
        model_table_set_num(t, (size_t)r, 5, s->prio_resolved_ytd[p]);
        model_table_set_num(t, (size_t)r, 6, s->prio_resolved_ytd[p] ? s->prio_met_ytd[p] / s->prio_resolved_ytd[p] * 100 : NAN);
    }
    table_needs(ctx, t, KIND_TICKETS, FIELDS(TKT_RESOLVED_AT));

    static const char *const cn[] = { "Channel", "Created", "Resolved", "SLA %", "CSAT mean" };
    static const col_kind_t ck[] = { COL_TEXT, COL_COUNT, COL_COUNT, COL_PERCENT, COL_NUMBER };
    if (!(t = model_add_table(m, TABLE_SERVICE_BY_CHANNEL, "Tickets by channel (month)", 5, cn, ck)))
        goto nomem;
    /* created counts stand on their own; the other columns need what they count */
    bool resolved_known = ctx_fields_mapped(ctx, KIND_TICKETS, FIELDS(TKT_RESOLVED_AT));
    bool csat_known = resolved_known && ctx_fields_mapped(ctx, KIND_TICKETS, FIELDS(TKT_CSAT));
    guint nch = g_hash_table_size(s->channels);
    GPtrArray *arr = g_ptr_array_sized_new(nch);
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, s->channels);
    while (g_hash_table_iter_next(&it, &key, &val))
        g_ptr_array_add(arr, val);
    if (nch) /* pdata is NULL when empty, and qsort's base must not be */
        qsort(arr->pdata, nch, sizeof(gpointer), by_channel_name);
    for (guint i = 0; i < nch; i++) {
        channel_t *c = arr->pdata[i];
        long r = model_table_add_row(t);
        if (r < 0) {
            g_ptr_array_free(arr, TRUE);
            goto nomem;
        }
        model_table_set_text(t, (size_t)r, 0, c->name, strlen(c->name));
        model_table_set_num(t, (size_t)r, 1, c->created);
        model_table_set_num(t, (size_t)r, 2, resolved_known ? c->resolved : NAN);
        model_table_set_num(t, (size_t)r, 3, resolved_known && c->resolved ? c->sla_met / c->resolved * 100 : NAN);
        model_table_set_num(t, (size_t)r, 4, csat_known && c->csat_n ? c->csat_sum / c->csat_n : NAN);
    }
    g_ptr_array_free(arr, TRUE);
    table_needs(ctx, t, KIND_TICKETS, NULL, 0);

    static const char *const on[] = { "Ticket", "Priority", "Channel", "Created", "Age (days)" };
    static const col_kind_t ok[] = { COL_TEXT, COL_TEXT, COL_TEXT, COL_DATE, COL_DAYS };
    if (!(t = model_add_table(m, TABLE_SERVICE_OLDEST_OPEN, "Oldest open tickets", 5, on, ok)))
        goto nomem;
    g_array_sort(s->open, by_age);
    double end = ((double)ctx->period_last_day + 1) * 86400.0;
    for (guint i = 0; i < s->open->len && i < (guint)ctx->settings->top_n; i++) {
        open_ticket_t *o = &g_array_index(s->open, open_ticket_t, i);
        long r = model_table_add_row(t);
        if (r < 0)
            goto nomem;
        model_table_set_text(t, (size_t)r, 0, o->id, strlen(o->id));
        model_table_set_text(t, (size_t)r, 1, o->priority, strlen(o->priority));
        model_table_set_text(t, (size_t)r, 2, o->channel, strlen(o->channel));
        model_table_set_num(t, (size_t)r, 3, floor((double)o->created / 86400.0));
        model_table_set_num(t, (size_t)r, 4, (end - (double)o->created) / 86400.0);
    }
    table_needs(ctx, t, KIND_TICKETS, FIELDS(TKT_RESOLVED_AT)); /* else every ticket looks open */
    return OPS_OK;
nomem:
    return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

static void service_destroy(void *state)
{
    service_t *s = state;
    if (!s)
        return;
    for (int i = 0; i < MODEL_WINDOW; i++) {
        dvec_free(&s->first_response[i]);
        dvec_free(&s->resolution[i]);
    }
    g_hash_table_destroy(s->channels);
    g_array_free(s->open, TRUE);
    free(s);
}

static ops_status_t service_merge(void *dst, const void *src, ops_error_t *err)
{
    service_t *d = dst;
    const service_t *s = src;
    d->seen |= s->seen;
    sums_add(d->created, s->created, MODEL_WINDOW);
    sums_add(d->resolved, s->resolved, MODEL_WINDOW);
    sums_add(d->backlog, s->backlog, MODEL_WINDOW);
    sums_add(d->sla_met, s->sla_met, MODEL_WINDOW);
    sums_add(d->reopened, s->reopened, MODEL_WINDOW);
    sums_add(d->response_met, s->response_met, MODEL_WINDOW);
    sums_add(d->csat_sum, s->csat_sum, MODEL_WINDOW);
    sums_add(d->csat_n, s->csat_n, MODEL_WINDOW);
    sums_add(d->csat_ok, s->csat_ok, MODEL_WINDOW);
    for (int i = 0; i < MODEL_WINDOW; i++)
        if (!dvec_append(&d->first_response[i], &s->first_response[i]) ||
            !dvec_append(&d->resolution[i], &s->resolution[i]))
            return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    sums_add(d->prio_resolved, s->prio_resolved, 4);
    sums_add(d->prio_met, s->prio_met, 4);
    sums_add(d->prio_resolved_ytd, s->prio_resolved_ytd, 4);
    sums_add(d->prio_met_ytd, s->prio_met_ytd, 4);
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, s->channels);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        const channel_t *from = val;
        channel_t *to = g_hash_table_lookup(d->channels, from->name);
        if (!to) {
            to = g_new0(channel_t, 1);
            snprintf(to->name, sizeof to->name, "%s", from->name);
            g_hash_table_insert(d->channels, to->name, to);
        }
        to->created += from->created;
        to->resolved += from->resolved;
        to->sla_met += from->sla_met;
        to->csat_sum += from->csat_sum;
        to->csat_n += from->csat_n;
    }
    g_array_append_vals(d->open, s->open->data, s->open->len);
    return OPS_OK;
}

static void service_io(void *state, pio_t *io)
{
    service_t *s = state;
    pio_bool(io, &s->seen);
    double *arrays[] = { s->created, s->resolved, s->backlog, s->sla_met, s->reopened,
                         s->response_met, s->csat_sum, s->csat_n, s->csat_ok };
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++)
        pio_f64s(io, arrays[i], MODEL_WINDOW);
    for (int i = 0; i < MODEL_WINDOW; i++) {
        pio_dvec(io, &s->first_response[i]);
        pio_dvec(io, &s->resolution[i]);
    }
    pio_f64s(io, s->prio_resolved, 4);
    pio_f64s(io, s->prio_met, 4);
    pio_f64s(io, s->prio_resolved_ytd, 4);
    pio_f64s(io, s->prio_met_ytd, 4);
    size_t n = g_hash_table_size(s->channels);
    pio_count(io, &n, PIO_MAX_ITEMS);
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, s->channels);
    for (size_t i = 0; i < n && !io->bad; i++) {
        channel_t *c;
        if (io->loading)
            c = g_new0(channel_t, 1);
        else {
            g_hash_table_iter_next(&it, &key, &val);
            c = val;
        }
        pio_text(io, c->name, sizeof c->name);
        pio_f64s(io, &c->created, 1);
        pio_f64s(io, &c->resolved, 1);
        pio_f64s(io, &c->sla_met, 1);
        pio_f64s(io, &c->csat_sum, 1);
        pio_f64s(io, &c->csat_n, 1);
        if (io->loading)
            g_hash_table_replace(s->channels, c->name, c);
    }
    size_t n_open = s->open->len;
    pio_count(io, &n_open, PIO_MAX_ITEMS);
    if (io->loading && !io->bad)
        g_array_set_size(s->open, n_open);
    for (size_t i = 0; i < n_open && !io->bad; i++) {
        open_ticket_t *o = &g_array_index(s->open, open_ticket_t, i);
        pio_text(io, o->id, sizeof o->id);
        pio_text(io, o->priority, sizeof o->priority);
        pio_text(io, o->channel, sizeof o->channel);
        pio_i64(io, &o->created);
    }
}

const area_module_t area_service = { "service", service_create, service_record, service_finish,
                                     service_destroy, service_merge, service_io, NULL };
