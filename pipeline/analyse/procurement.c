/*
 * procurement.c - procurement and logistics KPIs from purchase order lines
 * and customer shipments.
 *
 * A PO line belongs to the month of its promised date for delivery
 * performance (OTIF, late lines), to the month of its order date for spend
 * and price variance, and to the month of its delivered date for lead time.
 * A line counts as delivered only when its delivered date is on or before
 * the period end: the report describes the books as they stood then.
 *
 * Memory: per-month counters, per-month lead-time vectors inside the
 * 25-month window (for GSL percentiles), one record per supplier and per
 * category (fiscal year to date), and a bounded list of the worst late
 * lines of the period (top_n x 5); nothing grows with the row count over
 * the whole history. Per-supplier mean lead times use GSL running
 * statistics that merge exactly (moments_t), so no values are kept per supplier
 * fiscal-year PO line) so that partial states merge to the same bits.
 */
#include "analyse/analyse_internal.h"

#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *name;
    double due_ytd, otif_ytd, due_month, otif_month, late_month;
    int64_t spend_ytd;        /* minor units */
    double pv_ytd;            /* minor units, from pv_ytd_sum at finish */
    xsum_t pv_ytd_sum;
    moments_t lead_ytd;       /* lead times of lines delivered in the FY to date */
} supplier_t;

typedef struct {
    char *name;
    int64_t spend_month, spend_ytd; /* minor units */
} category_t;

typedef struct {
    char line[64];
    char supplier[128];
    int32_t promised, delivered; /* delivered valid when !open */
    bool open;
    int days_late;
} late_line_t;

typedef struct {
    const analyse_ctx_t *ctx;
    double due[MODEL_WINDOW], otif[MODEL_WINDOW], late[MODEL_WINDOW];
    double spend[MODEL_WINDOW], pv[MODEL_WINDOW]; /* minor units; pv from pv_sum at finish */
    xsum_t pv_sum[MODEL_WINDOW];
    dvec_t lead[MODEL_WINDOW];
    double cust_due[MODEL_WINDOW], cust_otif[MODEL_WINDOW];
    GHashTable *suppliers;    /* name -> supplier_t* */
    GHashTable *categories;   /* name -> category_t* */
    late_line_t *late_top;    /* at most late_cap entries, unordered until finish */
    size_t n_late, late_cap;
} procurement_t;

static void supplier_free(gpointer p)
{
    supplier_t *s = p;
    if (!s)
        return;
    free(s->name);
    free(s);
}

static void category_free(gpointer p)
{
    category_t *c = p;
    if (!c)
        return;
    free(c->name);
    free(c);
}

static void procurement_destroy(void *state)
{
    procurement_t *p = state;
    if (!p)
        return;
    for (int s = 0; s < MODEL_WINDOW; s++)
        dvec_free(&p->lead[s]);
    if (p->suppliers)
        g_hash_table_destroy(p->suppliers);
    if (p->categories)
        g_hash_table_destroy(p->categories);
    free(p->late_top);
    free(p);
}

static void *procurement_create(const analyse_ctx_t *ctx)
{
    procurement_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->ctx = ctx;
    p->suppliers = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, supplier_free);
    p->categories = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, category_free);
    p->late_cap = ctx->settings->top_n > 0 ? (size_t)ctx->settings->top_n * 5 : 0;
    if (p->late_cap)
        p->late_top = calloc(p->late_cap, sizeof *p->late_top);
    if (!p->suppliers || !p->categories || (p->late_cap && !p->late_top)) {
        procurement_destroy(p);
        return NULL;
    }
    return p;
}

/* The supplier (or category) named by v, created on first sight; NULL on no memory.
 * The hash table key is the record's own name, freed with the record. */
static supplier_t *supplier_find(procurement_t *p, const char *text, size_t len)
{
    char *name = strndup(text ? text : "", len);
    if (!name)
        return NULL;
    supplier_t *s = g_hash_table_lookup(p->suppliers, name);
    if (s) {
        free(name);
        return s;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        free(s);
        free(name);
        return NULL;
    }
    s->name = name;
    g_hash_table_insert(p->suppliers, s->name, s);
    return s;
}

static void *supplier_find_any(void *owner, const char *text, size_t len) { return supplier_find(owner, text, len); }

static supplier_t *supplier_get(procurement_t *p, const field_value_t *v)
{
    return supplier_find(p, v->text, v->len);
}

static category_t *category_find(procurement_t *p, const char *text, size_t len)
{
    char *name = strndup(text ? text : "", len);
    if (!name)
        return NULL;
    category_t *c = g_hash_table_lookup(p->categories, name);
    if (c) {
        free(name);
        return c;
    }
    c = calloc(1, sizeof *c);
    if (!c) {
        free(name);
        return NULL;
    }
    c->name = name;
    g_hash_table_insert(p->categories, c->name, c);
    return c;
}

static void *category_find_any(void *owner, const char *text, size_t len) { return category_find(owner, text, len); }

static category_t *category_get(procurement_t *p, const field_value_t *v)
{
    return category_find(p, v->text, v->len);
}

/* Ranking of late lines: most days late first, then PO line id. */
static int late_cmp(const void *pa, const void *pb)
{
    const late_line_t *a = pa, *b = pb;
    if (a->days_late != b->days_late)
        return a->days_late > b->days_late ? -1 : 1;
    return strcmp(a->line, b->line);
}

/* Keeps the late_cap worst lines: a bounded selection (no library does
 * top-k over a stream of structs; a linear scan of top_n x 5 is enough). */
static void late_offer(procurement_t *p, const late_line_t *l)
{
    if (!p->late_cap)
        return;
    if (p->n_late < p->late_cap) {
        p->late_top[p->n_late++] = *l;
        return;
    }
    size_t least = 0;
    for (size_t i = 1; i < p->n_late; i++)
        if (late_cmp(&p->late_top[i], &p->late_top[least]) > 0)
            least = i;
    if (late_cmp(l, &p->late_top[least]) < 0)
        p->late_top[least] = *l;
}

static bool slot_in_fy(const analyse_ctx_t *ctx, int slot)
{
    return slot >= 0 && slot >= ctx->slot_fy_start && slot <= SLOT_PERIOD;
}

static ops_status_t po_record(procurement_t *p, const field_value_t *v, ops_error_t *err)
{
    const analyse_ctx_t *ctx = p->ctx;
    if (!ctx_in_scope(ctx, &v[PO_SITE]))
        return OPS_OK;
    /* a line without a promised date (framework contracts, public works)
     * counts for spend and lead time, never as due */
    int32_t order = v[PO_ORDER_DATE].v.date, promised = v[PO_PROMISED_DATE].v.date;
    /* delivered after the period end: still open as the period closed */
    bool delivered = v[PO_DELIVERED_DATE].present && v[PO_DELIVERED_DATE].v.date <= ctx->period_last_day;
    int32_t del = delivered ? v[PO_DELIVERED_DATE].v.date : 0;
    double qty_ordered = v[PO_QTY_ORDERED].v.num;
    double qty_delivered = v[PO_QTY_DELIVERED].present ? v[PO_QTY_DELIVERED].v.num : 0;
    bool otif = delivered && del <= promised && qty_delivered >= qty_ordered;
    bool late = !delivered || del > promised;
    int s_due = v[PO_PROMISED_DATE].present ? ctx_slot_of_day(ctx, promised) : -1;
    int s_ord = ctx_slot_of_day(ctx, order);
    int s_del = delivered ? ctx_slot_of_day(ctx, del) : -1;
    double amount = (double)v[PO_AMOUNT].v.money;
    bool has_pv = v[PO_STANDARD_COST].present;
    double pv = has_pv ? (double)(v[PO_UNIT_PRICE].v.money - v[PO_STANDARD_COST].v.money) * qty_ordered : 0;

    if (s_due >= 0) {
        p->due[s_due] += 1;
        p->otif[s_due] += otif;
        p->late[s_due] += late;
    }
    if (s_ord >= 0) {
        p->spend[s_ord] += amount;
        xsum_add(&p->pv_sum[s_ord], pv);
    }
    if (s_del >= 0 && !dvec_push(&p->lead[s_del], (double)(del - order)))
        goto nomem;

    bool fy_due = slot_in_fy(ctx, s_due), fy_ord = slot_in_fy(ctx, s_ord), fy_del = slot_in_fy(ctx, s_del);
    if (fy_due || fy_ord || fy_del) {
        supplier_t *s = supplier_get(p, &v[PO_SUPPLIER]);
        if (!s)
            goto nomem;
        if (fy_due) {
            s->due_ytd += 1;
            s->otif_ytd += otif;
        }
        if (s_due == SLOT_PERIOD) {
            s->due_month += 1;
            s->otif_month += otif;
            s->late_month += late;
        }
        if (fy_ord) {
            s->spend_ytd += v[PO_AMOUNT].v.money;
            xsum_add(&s->pv_ytd_sum, pv);
        }
        if (fy_del)
        {
            moments_add(&s->lead_ytd, (double)(del - order));
        }
    }
    if (fy_ord) {
        category_t *c = category_get(p, &v[PO_CATEGORY]);
        if (!c)
            goto nomem;
        c->spend_ytd += v[PO_AMOUNT].v.money;
        if (s_ord == SLOT_PERIOD)
            c->spend_month += v[PO_AMOUNT].v.money;
    }
    if (s_due == SLOT_PERIOD && late) {
        late_line_t l = { .promised = promised, .delivered = del, .open = !delivered };
        l.days_late = (int)((delivered ? del : ctx->period_last_day) - promised);
        field_text_copy(&v[PO_LINE], l.line, sizeof l.line);
        field_text_copy(&v[PO_SUPPLIER], l.supplier, sizeof l.supplier);
        late_offer(p, &l);
    }
    return OPS_OK;
nomem:
    return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

static void shipment_record(procurement_t *p, const field_value_t *v)
{
    const analyse_ctx_t *ctx = p->ctx;
    if (!ctx_in_scope(ctx, &v[SHIP_SITE]))
        return;
    int32_t promised = v[SHIP_PROMISED_DATE].v.date;
    int s = ctx_slot_of_day(ctx, promised);
    if (s < 0)
        return;
    int32_t arrived = v[SHIP_DELIVERED_DATE].present ? v[SHIP_DELIVERED_DATE].v.date : v[SHIP_DATE].v.date;
    bool on_time = arrived <= promised;
    bool in_full = v[SHIP_QTY_SHIPPED].v.num >= v[SHIP_QTY_ORDERED].v.num;
    p->cust_due[s] += 1;
    p->cust_otif[s] += on_time && in_full;
}

static ops_status_t procurement_record(void *state, const ingest_record_t *rec, ops_error_t *err)
{
    procurement_t *p = state;
    switch (rec->input->schema->kind) {
    case KIND_PURCHASE_ORDERS: return po_record(p, rec->values, err);
    case KIND_SHIPMENTS: shipment_record(p, rec->values); return OPS_OK;
    default: return OPS_OK;
    }
}

typedef double (*dvec_stat_fn)(dvec_t *d);
static double stat_mean(dvec_t *d) { return dvec_mean(d); }
static double stat_p90(dvec_t *d) { return dvec_quantile(d, 0.9); }
static double stat_sd(dvec_t *d) { return dvec_sd(d); }

/* A lead-time KPI: the statistic of each month's lines; ytd over the
 * fiscal year's lines pooled. */
static ops_status_t lead_kpi(procurement_t *p, report_model_t *m, const char *id, const char *label,
                             const char *note, dvec_stat_fn fn, ops_error_t *err)
{
    const analyse_ctx_t *ctx = p->ctx;
    double series[MODEL_WINDOW];
    dvec_t ytd = { 0 };
    for (int s = 0; s < MODEL_WINDOW; s++) {
        if (slot_in_fy(ctx, s))
            for (size_t i = 0; i < p->lead[s].n; i++)
                if (!dvec_push(&ytd, p->lead[s].v[i])) {
                    dvec_free(&ytd);
                    return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
                }
        series[s] = fn(&p->lead[s]);
    }
    kpi_t *k = model_add_kpi(m, id, label, AREA_PROCUREMENT, UNIT_DAYS);
    if (!k) {
        dvec_free(&ytd);
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    kpi_fill_monthly(k, series);
    k->ytd = fn(&ytd);
    k->direction = KPI_LOWER_IS_BETTER;
    snprintf(k->note, sizeof k->note, "%s", note);
    kpi_needs(ctx, k, KIND_PURCHASE_ORDERS, FIELDS(PO_DELIVERED_DATE));
    dvec_free(&ytd);
    return OPS_OK;
}

static int supplier_by_spend(const void *pa, const void *pb)
{
    const supplier_t *a = *(supplier_t *const *)pa, *b = *(supplier_t *const *)pb;
    if (a->spend_ytd != b->spend_ytd)
        return a->spend_ytd > b->spend_ytd ? -1 : 1;
    return strcmp(a->name, b->name);
}

static int category_by_spend(const void *pa, const void *pb)
{
    const category_t *a = *(category_t *const *)pa, *b = *(category_t *const *)pb;
    if (a->spend_ytd != b->spend_ytd)
        return a->spend_ytd > b->spend_ytd ? -1 : 1;
    return strcmp(a->name, b->name);
}

static void set_text(model_table_t *t, size_t row, size_t col, const char *s)
{
    model_table_set_text(t, row, col, s, strlen(s));
}

/* The hash table's values as an array (caller frees); NULL on no memory. */
static void **table_values(GHashTable *h, size_t *n)
{
    *n = g_hash_table_size(h);
    void **out = calloc(*n ? *n : 1, sizeof *out);
    if (!out)
        return NULL;
    GHashTableIter it;
    gpointer key, val;
    size_t i = 0;
    g_hash_table_iter_init(&it, h);
    while (g_hash_table_iter_next(&it, &key, &val))
        out[i++] = val;
    return out;
}

static ops_status_t po_finish(procurement_t *p, report_model_t *m, ops_error_t *err)
{
    const analyse_ctx_t *ctx = p->ctx;
    double scale = pow(10, m->minor_units);
    double spend[MODEL_WINDOW], pv[MODEL_WINDOW];
    for (int s = 0; s < MODEL_WINDOW; s++) {
        spend[s] = p->spend[s] / scale;
        pv[s] = p->pv[s] / scale;
    }
    kpi_t *k = model_add_kpi(m, KPI_SUPPLIER_OTIF_PCT, "Supplier OTIF", AREA_PROCUREMENT, UNIT_PERCENT);
    if (!k)
        goto nomem;
    kpi_fill_ratio(k, ctx, p->otif, p->due, 100.0);
    snprintf(k->note, sizeof k->note, "PO lines due in the month delivered by the promised date in full / lines due x 100; open lines count as missed");
    /* without either field no line looks delivered in full: 0%, never true */
    kpi_needs(ctx, k, KIND_PURCHASE_ORDERS, FIELDS(PO_DELIVERED_DATE, PO_QTY_DELIVERED, PO_PROMISED_DATE));
    ops_status_t rc;
    if ((rc = lead_kpi(p, m, "lead_time_mean_days", "Supplier lead time (mean)",
                       "mean of delivered - order date (days) of PO lines delivered in the month", stat_mean, err)) != OPS_OK ||
        (rc = lead_kpi(p, m, "lead_time_p90_days", "Supplier lead time (P90)",
                       "90th percentile of delivered - order date (days) of PO lines delivered in the month", stat_p90, err)) != OPS_OK ||
        (rc = lead_kpi(p, m, "lead_time_sd_days", "Supplier lead time (SD)",
                       "sample standard deviation of lead times (days) of PO lines delivered in the month", stat_sd, err)) != OPS_OK)
        return rc;
    if (!(k = model_add_kpi(m, "late_deliveries", "Late supplier deliveries", AREA_PROCUREMENT, UNIT_COUNT)))
        goto nomem;
    kpi_fill_sum(k, ctx, p->late);
    k->direction = KPI_LOWER_IS_BETTER;
    snprintf(k->note, sizeof k->note, "PO lines due in the month delivered after the promised date or still open at the period end");
    kpi_needs(ctx, k, KIND_PURCHASE_ORDERS, FIELDS(PO_DELIVERED_DATE, PO_PROMISED_DATE));
    if (!(k = model_add_kpi(m, "spend", "Purchase spend", AREA_PROCUREMENT, UNIT_MONEY)))
        goto nomem;
    kpi_fill_sum(k, ctx, spend);
    k->direction = KPI_LOWER_IS_BETTER;
    snprintf(k->note, sizeof k->note, "sum of the amount of PO lines ordered in the month");
    kpi_needs(ctx, k, KIND_PURCHASE_ORDERS, NULL, 0);
    if (!(k = model_add_kpi(m, "price_variance", "Purchase price variance", AREA_PROCUREMENT, UNIT_MONEY)))
        goto nomem;
    kpi_fill_sum(k, ctx, pv);
    k->direction = KPI_LOWER_IS_BETTER;
    snprintf(k->note, sizeof k->note, "sum of (unit price - standard cost) x qty ordered of PO lines ordered in the month; lines without standard cost skipped");
    kpi_needs(ctx, k, KIND_PURCHASE_ORDERS, FIELDS(PO_STANDARD_COST));

    /* supplier scorecard */
    static const char *const sc_names[] = { "Supplier", "Lines due YTD", "OTIF % YTD", "OTIF % month",
                                            "Mean lead time days", "Spend YTD", "Price variance YTD",
                                            "Late lines month" };
    static const col_kind_t sc_kinds[] = { COL_TEXT, COL_COUNT, COL_PERCENT, COL_PERCENT, COL_DAYS,
                                           COL_MONEY, COL_MONEY, COL_COUNT };
    model_table_t *t = model_add_table(m, TABLE_PROCUREMENT_SCORECARD, "Supplier scorecard", 8, sc_names, sc_kinds);
    if (!t)
        goto nomem;
    snprintf(t->note, sizeof t->note, "Every supplier with PO lines ordered, due or delivered in the fiscal year to date, by spend; OTIF counts open lines as missed.");
    size_t n;
    supplier_t **sup = (supplier_t **)table_values(p->suppliers, &n);
    if (!sup)
        goto nomem;
    qsort(sup, n, sizeof *sup, supplier_by_spend);
    /* columns whose fields the export lacks are empty, not 0 */
    bool del_known = ctx_fields_mapped(ctx, KIND_PURCHASE_ORDERS, FIELDS(PO_DELIVERED_DATE, PO_PROMISED_DATE));
    bool otif_known = del_known && ctx_fields_mapped(ctx, KIND_PURCHASE_ORDERS, FIELDS(PO_QTY_DELIVERED));
    bool pv_known = ctx_fields_mapped(ctx, KIND_PURCHASE_ORDERS, FIELDS(PO_STANDARD_COST));
    for (size_t i = 0; i < n; i++) {
        const supplier_t *s = sup[i];
        long row = model_table_add_row(t);
        if (row < 0) {
            free(sup);
            goto nomem;
        }
        size_t r = (size_t)row;
        set_text(t, r, 0, s->name);
        model_table_set_num(t, r, 1, s->due_ytd);
        model_table_set_num(t, r, 2, otif_known && s->due_ytd ? s->otif_ytd / s->due_ytd * 100 : NAN);
        model_table_set_num(t, r, 3, otif_known && s->due_month ? s->otif_month / s->due_month * 100 : NAN);
        model_table_set_num(t, r, 4, moments_mean(&s->lead_ytd));
        model_table_set_num(t, r, 5, (double)s->spend_ytd / scale);
        model_table_set_num(t, r, 6, pv_known ? s->pv_ytd / scale : NAN);
        model_table_set_num(t, r, 7, del_known ? s->late_month : NAN);
    }
    free(sup);
    table_needs(ctx, t, KIND_PURCHASE_ORDERS, NULL, 0);

    /* spend by category */
    static const char *const cat_names[] = { "Category", "Spend month", "Spend YTD", "Share %" };
    static const col_kind_t cat_kinds[] = { COL_TEXT, COL_MONEY, COL_MONEY, COL_PERCENT };
    if (!(t = model_add_table(m, TABLE_PROCUREMENT_SPEND_BY_CATEGORY, "Spend by category (YTD)", 4, cat_names, cat_kinds)))
        goto nomem;
    snprintf(t->note, sizeof t->note, "PO line amounts by order date; share of the fiscal year to date's total spend.");
    category_t **cat = (category_t **)table_values(p->categories, &n);
    if (!cat)
        goto nomem;
    qsort(cat, n, sizeof *cat, category_by_spend);
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += (double)cat[i]->spend_ytd;
    for (size_t i = 0; i < n; i++) {
        long row = model_table_add_row(t);
        if (row < 0) {
            free(cat);
            goto nomem;
        }
        size_t r = (size_t)row;
        set_text(t, r, 0, cat[i]->name);
        model_table_set_num(t, r, 1, (double)cat[i]->spend_month / scale);
        model_table_set_num(t, r, 2, (double)cat[i]->spend_ytd / scale);
        model_table_set_num(t, r, 3, total != 0 ? (double)cat[i]->spend_ytd / total * 100 : NAN);
    }
    free(cat);
    table_needs(ctx, t, KIND_PURCHASE_ORDERS, NULL, 0);

    /* late deliveries of the period */
    static const char *const late_names[] = { "PO line", "Supplier", "Promised", "Delivered", "Days late" };
    static const col_kind_t late_kinds[] = { COL_TEXT, COL_TEXT, COL_DATE, COL_DATE, COL_DAYS };
    if (!(t = model_add_table(m, TABLE_PROCUREMENT_LATE_DELIVERIES, "Late deliveries", 5, late_names, late_kinds)))
        goto nomem;
    snprintf(t->note, sizeof t->note, "PO lines due in the period delivered late or still open at the period end (days late counted to the period end), most late first.");
    qsort(p->late_top, p->n_late, sizeof *p->late_top, late_cmp);
    for (size_t i = 0; i < p->n_late; i++) {
        const late_line_t *l = &p->late_top[i];
        long row = model_table_add_row(t);
        if (row < 0)
            goto nomem;
        size_t r = (size_t)row;
        set_text(t, r, 0, l->line);
        set_text(t, r, 1, l->supplier);
        model_table_set_num(t, r, 2, l->promised);
        model_table_set_num(t, r, 3, l->open ? NAN : l->delivered);
        model_table_set_num(t, r, 4, l->days_late);
    }
    table_needs(ctx, t, KIND_PURCHASE_ORDERS, FIELDS(PO_DELIVERED_DATE, PO_PROMISED_DATE)); /* else every line looks open */
    return OPS_OK;
nomem:
    return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

static ops_status_t procurement_finish(void *state, report_model_t *m, ops_error_t *err)
{
    procurement_t *p = state;
    const analyse_ctx_t *ctx = p->ctx;
    xsum_values(p->pv_sum, p->pv, MODEL_WINDOW);
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, p->suppliers);
    while (g_hash_table_iter_next(&it, &key, &val))
        ((supplier_t *)val)->pv_ytd = xsum_value(&((supplier_t *)val)->pv_ytd_sum);
    if (ctx_has_input(ctx, KIND_PURCHASE_ORDERS)) {
        ops_status_t rc = po_finish(p, m, err);
        if (rc != OPS_OK)
            return rc;
    }
    if (ctx_has_input(ctx, KIND_SHIPMENTS)) {
        kpi_t *k = model_add_kpi(m, KPI_CUSTOMER_OTIF_PCT, "Customer OTIF", AREA_PROCUREMENT, UNIT_PERCENT);
        if (!k)
            return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        kpi_fill_ratio(k, p->ctx, p->cust_otif, p->cust_due, 100.0);
        snprintf(k->note, sizeof k->note, "shipment lines promised in the month delivered (or shipped) by the promised date with qty shipped >= ordered / lines x 100");
        kpi_needs(ctx, k, KIND_SHIPMENTS, NULL, 0); /* delivered_date falls back to ship_date */
    }
    return OPS_OK;
}

static ops_status_t procurement_merge(void *dst, const void *src, ops_error_t *err)
{
    procurement_t *d = dst;
    const procurement_t *s = src;
    sums_add(d->due, s->due, MODEL_WINDOW);
    sums_add(d->otif, s->otif, MODEL_WINDOW);
    sums_add(d->late, s->late, MODEL_WINDOW);
    sums_add(d->spend, s->spend, MODEL_WINDOW);
    xsum_merge_n(d->pv_sum, s->pv_sum, MODEL_WINDOW);
    sums_add(d->cust_due, s->cust_due, MODEL_WINDOW);
    sums_add(d->cust_otif, s->cust_otif, MODEL_WINDOW);
    for (int i = 0; i < MODEL_WINDOW; i++)
        if (!dvec_append(&d->lead[i], &s->lead[i]))
            goto nomem;
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, s->suppliers);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        const supplier_t *from = val;
        supplier_t *to = supplier_find(d, from->name, strlen(from->name));
        if (!to)
            goto nomem;
        to->due_ytd += from->due_ytd;
        to->otif_ytd += from->otif_ytd;
        to->due_month += from->due_month;
        to->otif_month += from->otif_month;
        to->late_month += from->late_month;
        to->spend_ytd += from->spend_ytd;
        xsum_merge(&to->pv_ytd_sum, &from->pv_ytd_sum);
        moments_merge(&to->lead_ytd, &from->lead_ytd);
    }
    g_hash_table_iter_init(&it, s->categories);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        const category_t *from = val;
        category_t *to = category_find(d, from->name, strlen(from->name));
        if (!to)
            goto nomem;
        to->spend_month += from->spend_month;
        to->spend_ytd += from->spend_ytd;
    }
    /* the worst of both parts' worst: late_cmp is a total order */
    for (size_t i = 0; i < s->n_late; i++)
        late_offer(d, &s->late_top[i]);
    return OPS_OK;
nomem:
    return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

static void procurement_io(void *state, pio_t *io)
{
    procurement_t *p = state;
    pio_f64s(io, p->due, MODEL_WINDOW);
    pio_f64s(io, p->otif, MODEL_WINDOW);
    pio_f64s(io, p->late, MODEL_WINDOW);
    pio_f64s(io, p->spend, MODEL_WINDOW);
    pio_xsums(io, p->pv_sum, MODEL_WINDOW);
    for (int i = 0; i < MODEL_WINDOW; i++)
        pio_dvec(io, &p->lead[i]);
    pio_f64s(io, p->cust_due, MODEL_WINDOW);
    pio_f64s(io, p->cust_otif, MODEL_WINDOW);
    size_t n = g_hash_table_size(p->suppliers);
    pio_count(io, &n, PIO_MAX_ITEMS);
    GHashTableIter it;
    g_hash_table_iter_init(&it, p->suppliers);
    for (size_t i = 0; i < n && !io->bad; i++) {
        supplier_t *s = pio_named_entry(io, &it, offsetof(supplier_t, name), supplier_find_any, p);
        if (!s)
            break;
        pio_f64s(io, &s->due_ytd, 1);
        pio_f64s(io, &s->otif_ytd, 1);
        pio_f64s(io, &s->due_month, 1);
        pio_f64s(io, &s->otif_month, 1);
        pio_f64s(io, &s->late_month, 1);
        pio_i64(io, &s->spend_ytd);
        pio_xsums(io, &s->pv_ytd_sum, 1);
        pio_moments(io, &s->lead_ytd);
    }
    n = g_hash_table_size(p->categories);
    pio_count(io, &n, PIO_MAX_ITEMS);
    g_hash_table_iter_init(&it, p->categories);
    for (size_t i = 0; i < n && !io->bad; i++) {
        category_t *c = pio_named_entry(io, &it, offsetof(category_t, name), category_find_any, p);
        if (!c)
            break;
        pio_i64(io, &c->spend_month);
        pio_i64(io, &c->spend_ytd);
    }
    pio_count(io, &p->n_late, p->late_cap);
    for (size_t i = 0; i < p->n_late; i++) {
        late_line_t *l = &p->late_top[i];
        pio_text(io, l->line, sizeof l->line);
        pio_text(io, l->supplier, sizeof l->supplier);
        pio_i32(io, &l->promised);
        pio_i32(io, &l->delivered);
        pio_bool(io, &l->open);
        pio_int(io, &l->days_late);
    }
}

const area_module_t area_procurement = { "procurement", procurement_create, procurement_record,
                                         procurement_finish, procurement_destroy,
                                         procurement_merge, procurement_io, NULL };
