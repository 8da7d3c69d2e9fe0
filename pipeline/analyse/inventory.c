/*
 * inventory.c - inventory KPIs from stock snapshots, the item master,
 * shipments (consumption) and purchase order lines (lead time spread).
 *
 * The inventory value of a month is the sum of `value` over the rows of the
 * latest snapshot date seen in that month: each month keeps that date and
 * its running sum, and restarts the sum when a later date appears, so rows
 * may arrive in any order. Stock outs are counted the same way. For the
 * period itself the latest row per SKU x site is kept (on hand, value) for
 * slow / dead stock and reorder points; rows of an earlier date than the
 * period's latest snapshot date are ignored at finish.
 *
 * Per SKU the module keeps the shipped quantity of each of the last 12
 * months, the consumption value (COGS) over them, the last shipment date,
 * the item master's description and lead time, and GSL running statistics
 * of its PO lead times. Memory grows with SKUs and SKU x site pairs, never
 * with rows.
 *
 * ABC classes, safety stock (z from gsl_cdf_ugaussian_Pinv, mean and sd of
 * monthly demand from gsl_stats) and the reorder points are computed in
 * finish().
 */
#include "analyse/analyse_internal.h"

#include <glib.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAYS_PER_MONTH 30.44
#define DEMAND_MONTHS 12
#define SLOT_DEMAND_FIRST (MODEL_WINDOW - DEMAND_MONTHS)

typedef struct {
    char *sku;
    char *description;        /* NULL unless in the item master */
    bool in_items, has_lead;
    double lead_days;         /* item master lead time */
    double qty[DEMAND_MONTHS]; /* shipped quantity, last 12 months, oldest first (from qty_sum at finish) */
    xsum_t qty_sum[DEMAND_MONTHS];
    double consumption;       /* COGS of the last 12 months, minor units */
    bool shipped;
    int32_t last_ship;        /* latest shipment or goods receipt on or before the period end */
    moments_t po_lead;        /* delivered - order date of its PO lines */
    /* filled in finish */
    bool has_stock;           /* a row at the period's latest snapshot date */
    double on_hand;
    char cls;                 /* 'A', 'B', 'C' */
} sku_t;

typedef struct {
    sku_t *sku;
    char *site;
    int32_t date;             /* latest snapshot date of this SKU x site in the period */
    double qty;               /* from qty_sum at finish */
    xsum_t qty_sum;
    int64_t value;            /* minor units */
} stock_t;

typedef struct {
    const analyse_ctx_t *ctx;
    bool snap_has[MODEL_WINDOW];
    int32_t snap_date[MODEL_WINDOW];
    int64_t snap_value[MODEL_WINDOW]; /* minor units, rows of snap_date */
    double snap_outs[MODEL_WINDOW];   /* rows of snap_date with qty_on_hand <= 0 */
    double cogs[MODEL_WINDOW];        /* minor units, by ship date */
    GHashTable *skus;                 /* sku -> sku_t* (key owned by the value) */
    GHashTable *stock;                /* "sku\x1fsite" -> stock_t* */
} inventory_t;

static void sku_free(gpointer p)
{
    sku_t *s = p;
    if (!s)
        return;
    free(s->sku);
    free(s->description);
    free(s);
}

static void stock_free(gpointer p)
{
    stock_t *s = p;
    if (!s)
        return;
    free(s->site);
    free(s);
}

static void inventory_destroy(void *state)
{
    inventory_t *inv = state;
    if (!inv)
        return;
    if (inv->stock)
        g_hash_table_destroy(inv->stock);
    if (inv->skus)
        g_hash_table_destroy(inv->skus);
    free(inv);
}

static void *inventory_create(const analyse_ctx_t *ctx)
{
    inventory_t *inv = calloc(1, sizeof *inv);
    if (!inv)
        return NULL;
    inv->ctx = ctx;
    inv->skus = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, sku_free);
    inv->stock = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, stock_free);
    if (!inv->skus || !inv->stock) {
        inventory_destroy(inv);
        return NULL;
    }
    return inv;
}

static sku_t *sku_find(inventory_t *inv, const char *text, size_t len)
{
    char *name = strndup(text ? text : "", len);
    if (!name)
        return NULL;
    sku_t *s = g_hash_table_lookup(inv->skus, name);
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
    s->sku = name;
    g_hash_table_insert(inv->skus, s->sku, s);
    return s;
}

static void *sku_find_any(void *owner, const char *text, size_t len) { return sku_find(owner, text, len); }

static sku_t *sku_get(inventory_t *inv, const field_value_t *v)
{
    return sku_find(inv, v->text, v->len);
}

static ops_status_t snapshot_record(inventory_t *inv, const field_value_t *v, ops_error_t *err)
{
    const analyse_ctx_t *ctx = inv->ctx;
    if (!ctx_in_scope(ctx, &v[INV_SITE]))
        return OPS_OK;
    int32_t date = v[INV_SNAPSHOT_DATE].v.date;
    int s = ctx_slot_of_day(ctx, date);
    if (s < 0)
        return OPS_OK;
    double qty = v[INV_QTY_ON_HAND].v.num;
    int64_t value = v[INV_VALUE].v.money;
    if (!inv->snap_has[s] || date > inv->snap_date[s]) {
        inv->snap_has[s] = true;
        inv->snap_date[s] = date;
        inv->snap_value[s] = 0;
        inv->snap_outs[s] = 0;
    }
    if (date == inv->snap_date[s]) {
        inv->snap_value[s] += value;
        inv->snap_outs[s] += qty <= 0;
    }
    if (s != SLOT_PERIOD)
        return OPS_OK;
    char *key = g_strdup_printf("%.*s\x1f%.*s", (int)v[INV_SKU].len, v[INV_SKU].text ? v[INV_SKU].text : "",
                                (int)v[INV_SITE].len, v[INV_SITE].text ? v[INV_SITE].text : "");
    stock_t *st = g_hash_table_lookup(inv->stock, key);
    if (st) {
        g_free(key);
        if (date > st->date) {
            st->date = date;
            st->qty_sum = (xsum_t){ 0 };
            st->value = 0;
        }
        if (date == st->date) {
            xsum_add(&st->qty_sum, qty);
            st->value += value;
        }
        return OPS_OK;
    }
    sku_t *sku = sku_get(inv, &v[INV_SKU]);
    st = calloc(1, sizeof *st);
    if (!sku || !st || !(st->site = strndup(v[INV_SITE].text ? v[INV_SITE].text : "", v[INV_SITE].len))) {
        g_free(key);
        stock_free(st);
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    st->sku = sku;
    st->date = date;
    xsum_add(&st->qty_sum, qty);
    st->value = value;
    g_hash_table_insert(inv->stock, key, st);
    return OPS_OK;
}

static ops_status_t item_record(inventory_t *inv, const field_value_t *v, ops_error_t *err)
{
    sku_t *s = sku_get(inv, &v[ITEM_SKU]);
    if (!s)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    s->in_items = true;
    if (v[ITEM_DESCRIPTION].present) {
        char *d = strndup(v[ITEM_DESCRIPTION].text ? v[ITEM_DESCRIPTION].text : "", v[ITEM_DESCRIPTION].len);
        if (!d)
            return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        free(s->description);
        s->description = d;
    }
    if (v[ITEM_LEAD_TIME_DAYS].present) {
        s->has_lead = true;
        s->lead_days = (double)v[ITEM_LEAD_TIME_DAYS].v.i;
    }
    return OPS_OK;
}

static ops_status_t shipment_record(inventory_t *inv, const field_value_t *v, ops_error_t *err)
{
    const analyse_ctx_t *ctx = inv->ctx;
    if (!ctx_in_scope(ctx, &v[SHIP_SITE]))
        return OPS_OK;
    int32_t day = v[SHIP_DATE].v.date;
    if (day > ctx->period_last_day)
        return OPS_OK;
    double cogs = v[SHIP_COGS].present ? (double)v[SHIP_COGS].v.money : 0;
    int s = ctx_slot_of_day(ctx, day);
    if (s >= 0)
        inv->cogs[s] += cogs;
    sku_t *sku = sku_get(inv, &v[SHIP_SKU]);
    if (!sku)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    if (!sku->shipped || day > sku->last_ship) {
        sku->shipped = true;
        sku->last_ship = day;
    }
    if (s >= SLOT_DEMAND_FIRST) {
        xsum_add(&sku->qty_sum[s - SLOT_DEMAND_FIRST], v[SHIP_QTY_SHIPPED].v.num);
        sku->consumption += cogs;
    }
    return OPS_OK;
}

static ops_status_t po_record(inventory_t *inv, const field_value_t *v, ops_error_t *err)
{
    const analyse_ctx_t *ctx = inv->ctx;
    if (!v[PO_SKU].present || !v[PO_DELIVERED_DATE].present || !ctx_in_scope(ctx, &v[PO_SITE]))
        return OPS_OK;
    int32_t del = v[PO_DELIVERED_DATE].v.date;
    if (del > ctx->period_last_day)
        return OPS_OK;
    sku_t *sku = sku_get(inv, &v[PO_SKU]);
    if (!sku)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    moments_add(&sku->po_lead, (double)(del - v[PO_ORDER_DATE].v.date));
    /* a goods receipt is a movement too: raw materials are received, never shipped */
    if (!sku->shipped || del > sku->last_ship) {
        sku->shipped = true;
        sku->last_ship = del;
    }
    return OPS_OK;
}

static ops_status_t inventory_record(void *state, const ingest_record_t *rec, ops_error_t *err)
{
    inventory_t *inv = state;
    switch (rec->input->schema->kind) {
    case KIND_INVENTORY: return snapshot_record(inv, rec->values, err);
    case KIND_ITEMS: return item_record(inv, rec->values, err);
    case KIND_SHIPMENTS: return shipment_record(inv, rec->values, err);
    case KIND_PURCHASE_ORDERS: return po_record(inv, rec->values, err);
    default: return OPS_OK;
    }
}

/* ---- merge ------------------------------------------------------------- */

/* Latest snapshot date wins; rows of the same date add, as in snapshot_record. */
static ops_status_t inventory_merge(void *dst, const void *src, ops_error_t *err)
{
    inventory_t *d = dst;
    const inventory_t *s = src;
    for (int i = 0; i < MODEL_WINDOW; i++) {
        if (!s->snap_has[i])
            continue;
        if (!d->snap_has[i] || s->snap_date[i] > d->snap_date[i]) {
            d->snap_has[i] = true;
            d->snap_date[i] = s->snap_date[i];
            d->snap_value[i] = s->snap_value[i];
            d->snap_outs[i] = s->snap_outs[i];
        } else if (s->snap_date[i] == d->snap_date[i]) {
            d->snap_value[i] += s->snap_value[i];
            d->snap_outs[i] += s->snap_outs[i];
        }
    }
    sums_add(d->cogs, s->cogs, MODEL_WINDOW);
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, s->skus);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        const sku_t *from = val;
        sku_t *to = sku_find(d, from->sku, strlen(from->sku));
        if (!to)
            goto nomem;
        to->in_items |= from->in_items;
        if (from->description) { /* the later item row wins */
            char *desc = strdup(from->description);
            if (!desc)
                goto nomem;
            free(to->description);
            to->description = desc;
        }
        if (from->has_lead) {
            to->has_lead = true;
            to->lead_days = from->lead_days;
        }
        xsum_merge_n(to->qty_sum, from->qty_sum, DEMAND_MONTHS);
        to->consumption += from->consumption;
        if (from->shipped && (!to->shipped || from->last_ship > to->last_ship)) {
            to->shipped = true;
            to->last_ship = from->last_ship;
        }
        moments_merge(&to->po_lead, &from->po_lead);
    }
    g_hash_table_iter_init(&it, s->stock);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        const stock_t *from = val;
        stock_t *to = g_hash_table_lookup(d->stock, key);
        if (to) {
            if (from->date > to->date) {
                to->date = from->date;
                to->qty_sum = from->qty_sum;
                to->value = from->value;
            } else if (from->date == to->date) {
                xsum_merge(&to->qty_sum, &from->qty_sum);
                to->value += from->value;
            }
            continue;
        }
        sku_t *sku = sku_find(d, from->sku->sku, strlen(from->sku->sku));
        char *k = g_strdup(key);
        to = calloc(1, sizeof *to);
        if (!sku || !to || !(to->site = strdup(from->site))) {
            g_free(k);
            stock_free(to);
            goto nomem;
        }
        to->sku = sku;
        to->date = from->date;
        to->qty_sum = from->qty_sum;
        to->value = from->value;
        g_hash_table_insert(d->stock, k, to);
    }
    return OPS_OK;
nomem:
    return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

static void inventory_io(void *state, pio_t *io)
{
    inventory_t *inv = state;
    for (int i = 0; i < MODEL_WINDOW; i++) {
        pio_bool(io, &inv->snap_has[i]);
        pio_i32(io, &inv->snap_date[i]);
        pio_i64(io, &inv->snap_value[i]);
    }
    pio_f64s(io, inv->snap_outs, MODEL_WINDOW);
    pio_f64s(io, inv->cogs, MODEL_WINDOW);
    size_t n = g_hash_table_size(inv->skus);
    pio_count(io, &n, PIO_MAX_ITEMS);
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, inv->skus);
    for (size_t i = 0; i < n && !io->bad; i++) {
        sku_t *s = pio_named_entry(io, &it, offsetof(sku_t, sku), sku_find_any, inv);
        if (!s)
            break;
        pio_str(io, &s->description);
        pio_bool(io, &s->in_items);
        pio_bool(io, &s->has_lead);
        pio_f64s(io, &s->lead_days, 1);
        pio_xsums(io, s->qty_sum, DEMAND_MONTHS);
        pio_f64s(io, &s->consumption, 1);
        pio_bool(io, &s->shipped);
        pio_i32(io, &s->last_ship);
        pio_moments(io, &s->po_lead);
    }
    n = g_hash_table_size(inv->stock);
    pio_count(io, &n, PIO_MAX_ITEMS);
    g_hash_table_iter_init(&it, inv->stock);
    for (size_t i = 0; i < n && !io->bad; i++) {
        char *k = NULL, *sku_name = NULL;
        stock_t *st;
        if (io->loading) {
            pio_str(io, &k);
            pio_str(io, &sku_name);
            st = calloc(1, sizeof *st);
            sku_t *sku = sku_name ? sku_find(inv, sku_name, strlen(sku_name)) : NULL;
            free(sku_name);
            if (!k || !st || !sku) {
                free(k);
                free(st);
                io->bad = true;
                break;
            }
            st->sku = sku;
            char *gk = g_strdup(k);
            free(k);
            g_hash_table_insert(inv->stock, gk, st);
        } else {
            g_hash_table_iter_next(&it, &key, &val);
            st = val;
            k = key;
            pio_str(io, &k);
            pio_str(io, &st->sku->sku);
        }
        pio_str(io, &st->site);
        pio_i32(io, &st->date);
        pio_xsums(io, &st->qty_sum, 1);
        pio_i64(io, &st->value);
    }
}

/* ---- finish ------------------------------------------------------------ */

static ops_status_t nomem(ops_error_t *err)
{
    return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

static void set_text(model_table_t *t, size_t row, size_t col, const char *s)
{
    model_table_set_text(t, row, col, s, strlen(s));
}

/* A KPI known only for the period (no history kept): trend is NAN but the last point. */
static kpi_t *period_kpi(report_model_t *m, const char *id, const char *label, kpi_unit_t unit, double value)
{
    double series[MODEL_WINDOW];
    for (int s = 0; s < MODEL_WINDOW; s++)
        series[s] = NAN;
    series[SLOT_PERIOD] = value;
    kpi_t *k = model_add_kpi(m, id, label, AREA_INVENTORY, unit);
    if (k)
        kpi_fill_level(k, series);
    return k;
}

static bool sku_has_demand(const sku_t *s)
{
    for (int i = 0; i < DEMAND_MONTHS; i++)
        if (s->qty[i] != 0)
            return true;
    return s->consumption != 0;
}

static int sku_by_consumption(const void *pa, const void *pb)
{
    const sku_t *a = *(sku_t *const *)pa, *b = *(sku_t *const *)pb;
    if (a->consumption != b->consumption)
        return a->consumption > b->consumption ? -1 : 1;
    return strcmp(a->sku, b->sku);
}

static int sku_by_class(const void *pa, const void *pb)
{
    const sku_t *a = *(sku_t *const *)pa, *b = *(sku_t *const *)pb;
    if (a->cls != b->cls)
        return a->cls < b->cls ? -1 : 1;
    return strcmp(a->sku, b->sku);
}

static int stock_by_value(const void *pa, const void *pb)
{
    const stock_t *a = *(stock_t *const *)pa, *b = *(stock_t *const *)pb;
    if (a->value != b->value)
        return a->value > b->value ? -1 : 1;
    int c = strcmp(a->sku->sku, b->sku->sku);
    return c ? c : strcmp(a->site, b->site);
}

/* Month-level KPIs: value, stock outs, turnover, days of supply. */
static ops_status_t level_kpis(inventory_t *inv, report_model_t *m, double scale, bool have_ship,
                               ops_error_t *err)
{
    const analyse_ctx_t *ctx = inv->ctx;
    double value[MODEL_WINDOW], outs[MODEL_WINDOW], turns[MODEL_WINDOW], dos[MODEL_WINDOW];
    for (int s = 0; s < MODEL_WINDOW; s++) {
        value[s] = inv->snap_has[s] ? (double)inv->snap_value[s] / scale : NAN;
        outs[s] = inv->snap_has[s] ? inv->snap_outs[s] : NAN;
    }
    kpi_t *k = model_add_kpi(m, "inventory_value", "Inventory value", AREA_INVENTORY, UNIT_MONEY);
    if (!k)
        return nomem(err);
    kpi_fill_level(k, value);
    k->direction = KPI_LOWER_IS_BETTER;
    snprintf(k->note, sizeof k->note, "sum of stock value at the latest snapshot date of the month");
    kpi_needs(ctx, k, KIND_INVENTORY, NULL, 0);
    if (!(k = model_add_kpi(m, "stock_outs", "Stock outs", AREA_INVENTORY, UNIT_COUNT)))
        return nomem(err);
    kpi_fill_level(k, outs);
    k->direction = KPI_LOWER_IS_BETTER;
    snprintf(k->note, sizeof k->note, "SKU x site rows with qty on hand <= 0 at the latest snapshot date of the month");
    kpi_needs(ctx, k, KIND_INVENTORY, NULL, 0);
    if (!have_ship)
        return OPS_OK;
    for (int s = 0; s < MODEL_WINDOW; s++) {
        turns[s] = dos[s] = NAN;
        if (s >= 12) {
            /* COGS of months s-11..s over the mean of the 13 month-end values s-12..s */
            double cogs = 0, vals[13];
            size_t n = 0;
            for (int j = s - 12; j <= s; j++) {
                if (j > s - 12)
                    cogs += inv->cogs[j] / scale;
                if (!isnan(value[j]))
                    vals[n++] = value[j];
            }
            double avg = n ? gsl_stats_mean(vals, 1, n) : NAN;
            turns[s] = n && avg != 0 ? cogs / avg : NAN;
        }
        if (s >= 2) {
            double cogs = 0;
            int days = 0;
            for (int j = s - 2; j <= s; j++) {
                cogs += inv->cogs[j] / scale;
                days += period_days(period_from_index(ctx->idx_first + j));
            }
            dos[s] = cogs != 0 && !isnan(value[s]) ? value[s] / (cogs / days) : NAN;
        }
    }
    if (!(k = model_add_kpi(m, "inventory_turnover", "Inventory turnover", AREA_INVENTORY, UNIT_RATIO)))
        return nomem(err);
    kpi_fill_level(k, turns);
    snprintf(k->note, sizeof k->note, "COGS of the last 12 months / mean of the 13 month-end inventory values (turns a year)");
    /* without shipment COGS the turnover would be 0 turns a year */
    if (kpi_needs(ctx, k, KIND_INVENTORY, NULL, 0))
        kpi_needs(ctx, k, KIND_SHIPMENTS, FIELDS(SHIP_COGS));
    if (!(k = model_add_kpi(m, "days_of_supply", "Days of supply", AREA_INVENTORY, UNIT_DAYS)))
        return nomem(err);
    kpi_fill_level(k, dos);
    k->direction = KPI_LOWER_IS_BETTER;
    snprintf(k->note, sizeof k->note, "inventory value at month end / (COGS of the last 3 months / days in them)");
    if (kpi_needs(ctx, k, KIND_INVENTORY, NULL, 0))
        kpi_needs(ctx, k, KIND_SHIPMENTS, FIELDS(SHIP_COGS));
    return OPS_OK;
}

/* Slow and dead stock: period rows with stock > 0 and no shipment of the
 * SKU in the last slow_days / dead_days days (or none at all). */
static ops_status_t slow_dead(inventory_t *inv, report_model_t *m, double scale, stock_t **rows,
                              size_t n_rows, ops_error_t *err)
{
    const analyse_ctx_t *ctx = inv->ctx;
    const analysis_settings_t *cfg = ctx->settings;
    double slow = 0, dead = 0;
    size_t n_slow = 0;
    for (size_t i = 0; i < n_rows; i++) {
        stock_t *st = rows[i];
        if (st->qty <= 0)
            continue;
        int32_t since = st->sku->shipped ? ctx->period_last_day - st->sku->last_ship : INT32_MAX;
        if (since >= cfg->slow_days) {
            slow += (double)st->value;
            rows[n_slow++] = st; /* compact the slow rows to the front */
        }
        if (since >= cfg->dead_days)
            dead += (double)st->value;
    }
    kpi_t *k = period_kpi(m, "slow_stock_value", "Slow-moving stock", UNIT_MONEY, slow / scale);
    if (!k)
        return nomem(err);
    k->direction = KPI_LOWER_IS_BETTER;
    snprintf(k->note, sizeof k->note, "value at period end of SKU x site stock > 0 whose SKU shipped nothing in the last %d days", cfg->slow_days);
    /* with every shipment rejected all stock would look unmoved */
    if (kpi_needs(ctx, k, KIND_INVENTORY, NULL, 0))
        kpi_needs(ctx, k, KIND_SHIPMENTS, NULL, 0);
    if (!(k = period_kpi(m, "dead_stock_value", "Dead stock", UNIT_MONEY, dead / scale)))
        return nomem(err);
    k->direction = KPI_LOWER_IS_BETTER;
    snprintf(k->note, sizeof k->note, "value at period end of SKU x site stock > 0 whose SKU shipped nothing in the last %d days", cfg->dead_days);
    if (kpi_needs(ctx, k, KIND_INVENTORY, NULL, 0))
        kpi_needs(ctx, k, KIND_SHIPMENTS, NULL, 0);

    static const char *const names[] = { "SKU", "Site", "Value", "Days since last movement" };
    static const col_kind_t kinds[] = { COL_TEXT, COL_TEXT, COL_MONEY, COL_DAYS };
    model_table_t *t = model_add_table(m, TABLE_INVENTORY_SLOW_DEAD, "Slow and dead stock", 4, names, kinds);
    if (!t)
        return nomem(err);
    snprintf(t->note, sizeof t->note, "Stock with no shipment of the SKU in the last %d days (dead: %d), largest value first; empty days: never shipped.",
             cfg->slow_days, cfg->dead_days);
    qsort(rows, n_slow, sizeof *rows, stock_by_value);
    size_t limit = cfg->top_n > 0 ? (size_t)cfg->top_n * 3 : 0;
    for (size_t i = 0; i < n_slow && i < limit; i++) {
        const stock_t *st = rows[i];
        long row = model_table_add_row(t);
        if (row < 0)
            return nomem(err);
        set_text(t, (size_t)row, 0, st->sku->sku);
        set_text(t, (size_t)row, 1, st->site);
        model_table_set_num(t, (size_t)row, 2, (double)st->value / scale);
        model_table_set_num(t, (size_t)row, 3, st->sku->shipped ? ctx->period_last_day - st->sku->last_ship : NAN);
    }
    if (table_needs(ctx, t, KIND_INVENTORY, NULL, 0))
        table_needs(ctx, t, KIND_SHIPMENTS, NULL, 0);
    return OPS_OK;
}

/* ABC by consumption value: sorted descending, a SKU whose preceding
 * cumulative share is below 80% is A, below 95% B, else C (so the SKU that
 * crosses 80% is still A). No consumption at all: every SKU is C. */
static ops_status_t abc_classify(const analyse_ctx_t *ctx, report_model_t *m, double scale, sku_t **skus,
                                 size_t n, ops_error_t *err)
{
    qsort(skus, n, sizeof *skus, sku_by_consumption);
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += skus[i]->consumption;
    double cum = 0, value[3] = { 0 }, count[3] = { 0 };
    for (size_t i = 0; i < n; i++) {
        double before = total > 0 ? cum / total : 1.0;
        int c = before < 0.80 ? 0 : before < 0.95 ? 1 : 2;
        skus[i]->cls = (char)('A' + c);
        cum += skus[i]->consumption;
        value[c] += skus[i]->consumption;
        count[c] += 1;
    }
    static const char *const names[] = { "Class", "SKUs", "Consumption value", "Share %" };
    static const col_kind_t kinds[] = { COL_TEXT, COL_COUNT, COL_MONEY, COL_PERCENT };
    model_table_t *t = model_add_table(m, TABLE_INVENTORY_ABC, "ABC classification", 4, names, kinds);
    if (!t)
        return nomem(err);
    snprintf(t->note, sizeof t->note, "SKUs by consumption value (COGS shipped, last 12 months): A the first 80%% of the cumulative value, B the next 15%%, C the rest.");
    static const char *const cls[] = { "A", "B", "C" };
    for (int c = 0; c < 3; c++) {
        long row = model_table_add_row(t);
        if (row < 0)
            return nomem(err);
        set_text(t, (size_t)row, 0, cls[c]);
        model_table_set_num(t, (size_t)row, 1, count[c]);
        model_table_set_num(t, (size_t)row, 2, value[c] / scale);
        model_table_set_num(t, (size_t)row, 3, total > 0 ? value[c] / total * 100 : NAN);
    }
    /* without COGS every SKU would be class C */
    table_needs(ctx, t, KIND_SHIPMENTS, FIELDS(SHIP_COGS));
    return OPS_OK;
}

/* Safety stock and reorder point of item-master SKUs with demand or stock. */
static ops_status_t reorder_points(inventory_t *inv, report_model_t *m, sku_t **skus, size_t n,
                                   ops_error_t *err)
{
    const analyse_ctx_t *ctx = inv->ctx;
    const analysis_settings_t *cfg = ctx->settings;
    double z = gsl_cdf_ugaussian_Pinv(cfg->service_level);
    static const char *const names[] = { "SKU", "Description", "Class", "Daily demand", "Lead time days",
                                         "Safety stock", "Reorder point", "On hand", "Below ROP" };
    static const col_kind_t kinds[] = { COL_TEXT, COL_TEXT, COL_TEXT, COL_NUMBER, COL_DAYS,
                                        COL_NUMBER, COL_NUMBER, COL_NUMBER, COL_TEXT };
    model_table_t *t = model_add_table(m, TABLE_INVENTORY_REORDER, "Reorder points", 9, names, kinds);
    if (!t)
        return nomem(err);
    snprintf(t->note, sizeof t->note, "SS = z x sqrt(L x sd_d^2 + d^2 x sd_L^2), ROP = d x L + SS; demand from the last 12 months of shipments, service level %.2f%%.",
             cfg->service_level * 100);
    qsort(skus, n, sizeof *skus, sku_by_class);
    double below = 0;
    for (size_t i = 0; i < n; i++) {
        sku_t *s = skus[i];
        if (!s->in_items || (!sku_has_demand(s) && !s->has_stock))
            continue;
        double d = gsl_stats_mean(s->qty, 1, DEMAND_MONTHS) / DAYS_PER_MONTH;
        double sd_d = gsl_stats_sd(s->qty, 1, DEMAND_MONTHS) / sqrt(DAYS_PER_MONTH);
        size_t n_lead = (size_t)s->po_lead.n;
        /* without a master lead time, the mean of its PO lead times */
        double lead = s->has_lead ? s->lead_days : moments_mean(&s->po_lead);
        double sd_lead = n_lead >= 2 ? moments_sd(&s->po_lead) : 0;
        double ss = z * sqrt(lead * sd_d * sd_d + d * d * sd_lead * sd_lead);
        double rop = d * lead + ss;
        long row = model_table_add_row(t);
        if (row < 0)
            return nomem(err);
        size_t r = (size_t)row;
        char cls[2] = { s->cls, '\0' };
        set_text(t, r, 0, s->sku);
        set_text(t, r, 1, s->description ? s->description : "");
        set_text(t, r, 2, cls);
        model_table_set_num(t, r, 3, d);
        model_table_set_num(t, r, 4, lead);
        model_table_set_num(t, r, 5, ss);
        model_table_set_num(t, r, 6, rop);
        model_table_set_num(t, r, 7, s->on_hand);
        const char *flag = isnan(rop) ? "n/a" : s->on_hand < rop ? "yes" : "no";
        set_text(t, r, 8, flag);
        below += !isnan(rop) && s->on_hand < rop;
    }
    kpi_t *k = period_kpi(m, "skus_below_reorder_point", "SKUs below reorder point", UNIT_COUNT, below);
    if (!k)
        return nomem(err);
    k->direction = KPI_LOWER_IS_BETTER;
    snprintf(k->note, sizeof k->note, "item-master SKUs whose on hand at period end is below d x L + z x sqrt(L sd_d^2 + d^2 sd_L^2)");
    if (kpi_needs(ctx, k, KIND_ITEMS, NULL, 0) && kpi_needs(ctx, k, KIND_INVENTORY, NULL, 0))
        kpi_needs(ctx, k, KIND_SHIPMENTS, NULL, 0);
    if (table_needs(ctx, t, KIND_ITEMS, NULL, 0) && table_needs(ctx, t, KIND_INVENTORY, NULL, 0))
        table_needs(ctx, t, KIND_SHIPMENTS, NULL, 0);
    return OPS_OK;
}

static ops_status_t inventory_finish(void *state, report_model_t *m, ops_error_t *err)
{
    inventory_t *inv = state;
    const analyse_ctx_t *ctx = inv->ctx;
    GHashTableIter xit;
    gpointer xkey, xval;
    g_hash_table_iter_init(&xit, inv->skus);
    while (g_hash_table_iter_next(&xit, &xkey, &xval))
        xsum_values(((sku_t *)xval)->qty_sum, ((sku_t *)xval)->qty, DEMAND_MONTHS);
    g_hash_table_iter_init(&xit, inv->stock);
    while (g_hash_table_iter_next(&xit, &xkey, &xval))
        ((stock_t *)xval)->qty = xsum_value(&((stock_t *)xval)->qty_sum);
    if (!ctx_has_input(ctx, KIND_INVENTORY))
        return OPS_OK;
    bool have_ship = ctx_has_input(ctx, KIND_SHIPMENTS);
    bool have_items = ctx_has_input(ctx, KIND_ITEMS);
    double scale = pow(10, m->minor_units);
    ops_status_t rc = level_kpis(inv, m, scale, have_ship, err);
    if (rc != OPS_OK || !have_ship)
        return rc;

    /* the period's stock rows at its latest snapshot date, and on hand per SKU */
    size_t n_rows = 0, n_skus = 0;
    stock_t **rows = calloc(g_hash_table_size(inv->stock) + 1, sizeof *rows);
    sku_t **skus = calloc(g_hash_table_size(inv->skus) + 1, sizeof *skus);
    if (!rows || !skus) {
        rc = nomem(err);
        goto cleanup;
    }
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, inv->stock);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        stock_t *st = val;
        if (!inv->snap_has[SLOT_PERIOD] || st->date != inv->snap_date[SLOT_PERIOD])
            continue;
        st->sku->has_stock = true;
        st->sku->on_hand += st->qty;
        rows[n_rows++] = st;
    }
    /* SKUs that matter here: in the item master, consumed, or stocked in the period */
    g_hash_table_iter_init(&it, inv->skus);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        sku_t *s = val;
        if (s->in_items || s->has_stock || sku_has_demand(s))
            skus[n_skus++] = s;
    }
    if ((rc = slow_dead(inv, m, scale, rows, n_rows, err)) != OPS_OK ||
        (rc = abc_classify(ctx, m, scale, skus, n_skus, err)) != OPS_OK)
        goto cleanup;
    if (have_items)
        rc = reorder_points(inv, m, skus, n_skus, err);
cleanup:
    free(rows);
    free(skus);
    return rc;
}

const area_module_t area_inventory = { "inventory", inventory_create, inventory_record, inventory_finish,
                                       inventory_destroy,
                                       inventory_merge, inventory_io, NULL };
