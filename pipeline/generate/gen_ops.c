/*
 * gen_ops.c - supply chain and plant files: items, purchase orders,
 * inventory, shipments, production, quality.
 *
 * Dialects: purchase_orders.csv imitates a US procurement tool (m/d/yyyy,
 * CRLF, credits in parentheses); quality.csv a MES export (tab-delimited, ISO
 * timestamps with Z); the rest plain ISO CSV with quoting where a text holds a
 * comma. Shipment values follow gen_revenue_expected so the shipments and the
 * GL revenue tell the same story; production volume follows the same curve.
 *
 * Incidents: supplier "Baltic Board Sp. z o.o." delivers 8-21 days late on
 * every order promised in the last 3 months; Leeds "Line 2" weight shifts by
 * GEN_SPC_SHIFT_G grams in the last month (and scrap rises there).
 * Deliberate bad rows (purchase_orders, last month): a duplicated PO line, a
 * negative quantity ordered, an unparseable order date "13/45/YYYY".
 */
#include "generate/gen.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

static int pick_site(const gen_world_t *w, gsl_rng *r)
{
    double u = gsl_rng_uniform(r), acc = 0;
    for (int s = 0; s < GEN_N_SITES - 1; s++) {
        acc += w->sites[s].weight;
        if (u < acc)
            return s;
    }
    return GEN_N_SITES - 1;
}

/* A working day (Monday to Friday) of the month, uniformly. */
static gen_day_t pick_workday(gsl_rng *r, int y, int m)
{
    gen_day_t first = gen_day_from_ymd(y, m, 1);
    int dim = gen_days_in_month(y, m);
    for (;;) {
        gen_day_t d = first + (gen_day_t)gsl_rng_uniform_int(r, (unsigned long)dim);
        if (gen_weekday(d) < 5)
            return d;
    }
}

/* ---- items ------------------------------------------------------------------ */

ops_status_t gen_items(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err)
{
    static const char *const header[] = { "SKU", "Description", "Category", "Standard Cost",
                                          "Lead Time (days)", NULL };
    ops_status_t rc = gen_header(out, header, err);
    char buf[48];
    for (int i = 0; i < w->n_items && rc == OPS_OK; i++) {
        const gen_item_t *it = &w->items[i];
        gen_field(out, it->sku);
        gen_field(out, it->description);
        gen_field(out, it->category);
        gen_field(out, gen_fmt_cents(buf, it->unit_cost, false));
        /* The item master leaves lead time unknown on some made-to-order items. */
        if (!it->purchased && gsl_rng_uniform(r) < 0.1)
            gen_field(out, "NA");
        else
            gen_fieldf(out, "%d", it->lead_time_days);
        rc = gen_row_end(out, err);
    }
    return rc;
}

/* ---- purchase orders --------------------------------------------------------- */

static int pick_supplier(const gen_world_t *w, gsl_rng *r)
{
    /* Board is most of the spend: half the lines go to the ten board mills. */
    if (gsl_rng_uniform(r) < 0.5)
        return (int)gsl_rng_uniform_int(r, 10);
    return (int)gsl_rng_uniform_int(r, (unsigned long)w->n_suppliers);
}

static int pick_purchased_item(const gen_world_t *w, gsl_rng *r, const char *category)
{
    for (;;) {
        int k = 100 + (int)gsl_rng_uniform_int(r, (unsigned long)(w->n_items - 100));
        if (!strcmp(w->items[k].category, category))
            return k;
    }
}

static double order_quantity(gsl_rng *r, const char *category)
{
    if (!strcmp(category, "Board"))
        return 5.0 + floor(gsl_rng_uniform(r) * 70.0) / 2.0; /* tonnes, in half tonnes */
    if (!strcmp(category, "Ink & adhesive"))
        return 50.0 * (double)gen_uniform_int(r, 2, 30);
    if (!strcmp(category, "Consumable"))
        return 10.0 * (double)gen_uniform_int(r, 5, 200);
    return (double)gen_uniform_int(r, 1, 8);
}

typedef struct {
    char line[32], supplier[64], category[32], sku[32], site[32];
    char order[32], promised[32], delivered[32];
    char qty_ordered[32], qty_delivered[32], unit_price[32], std_cost[32], amount[32];
} po_row_t;

static ops_status_t write_po(gen_writer_t *out, const po_row_t *p, ops_error_t *err)
{
    gen_field(out, p->line);
    gen_field(out, p->supplier);
    gen_field(out, p->category);
    gen_field(out, p->sku);
    gen_field(out, p->site);
    gen_field(out, p->order);
    gen_field(out, p->promised);
    gen_field(out, p->delivered);
    gen_field(out, p->qty_ordered);
    gen_field(out, p->qty_delivered);
    gen_field(out, p->unit_price);
    gen_field(out, p->std_cost);
    gen_field(out, p->amount);
    return gen_row_end(out, err);
}

ops_status_t gen_purchase_orders(const gen_world_t *w, gen_writer_t *out, gsl_rng *r,
                                 ops_error_t *err)
{
    static const char *const header[] = { "PO Line", "Vendor Name", "Spend Category",
                                          "Item Number", "Ship-To Site", "Order Date",
                                          "Promised Date", "Receipt Date", "Qty Ordered",
                                          "Qty Received", "Unit Price", "Std Cost",
                                          "Line Amount", NULL };
    ops_status_t rc = gen_header(out, header, err);
    int ly, lm;
    gen_month_ym(w, w->months >= 3 ? w->months - 3 : 0, &ly, &lm);
    gen_day_t late_from = gen_day_from_ymd(ly, lm, 1);
    long po_number = 4500000;
    for (int mi = 0; mi < w->months && rc == OPS_OK; mi++) {
        int y, m;
        gen_month_ym(w, mi, &y, &m);
        long n = gen_scaled(300.0 * gen_season(m), w->scale);
        bool last_month = mi == w->months - 1;
        int line_no = 0;
        for (long k = 0; k < n && rc == OPS_OK; k++) {
            po_row_t p;
            memset(&p, 0, sizeof p);
            /* One to three lines per order. */
            if (line_no == 0 || line_no >= 3 || gsl_rng_uniform(r) < 0.5) {
                po_number++;
                line_no = 0;
            }
            line_no++;
            int si = pick_supplier(w, r);
            const gen_supplier_t *sup = &w->suppliers[si];
            const gen_item_t *it = &w->items[pick_purchased_item(w, r, sup->category)];
            gen_day_t order = pick_workday(r, y, m);
            gen_day_t promised = order + it->lead_time_days + (gen_day_t)gen_uniform_int(r, -2, 3);
            gen_day_t delivered;
            if (si == w->late_supplier && promised >= late_from)
                delivered = promised + (gen_day_t)gen_uniform_int(r, 8, 21); /* the incident */
            else if (gsl_rng_uniform(r) < sup->on_time)
                delivered = promised - (gen_day_t)gen_uniform_int(r, 0, 3);
            else
                delivered = promised + (gen_day_t)gen_uniform_int(r, 1, 7);
            bool open = delivered > w->end;
            double qty = order_quantity(r, sup->category);
            double qty_recv = gsl_rng_uniform(r) < 0.05 ? floor(qty * (0.9 + 0.09 * gsl_rng_uniform(r))) : qty;
            int64_t price = llround((double)it->unit_cost * gen_lognoise(r, 0.04));
            int64_t amount = llround(qty * (double)price);
            if (gsl_rng_uniform(r) < 0.01)
                amount = -amount / 10; /* a credit line: rebate or return */

            snprintf(p.line, sizeof p.line, "%ld-%d", po_number, line_no);
            snprintf(p.supplier, sizeof p.supplier, "%s", sup->name);
            snprintf(p.category, sizeof p.category, "%s", sup->category);
            snprintf(p.sku, sizeof p.sku, "%s", it->sku);
            snprintf(p.site, sizeof p.site, "%s", w->sites[pick_site(w, r)].name);
            gen_fmt_mdy_us(p.order, order);
            gen_fmt_mdy_us(p.promised, promised);
            if (!open)
                gen_fmt_mdy_us(p.delivered, delivered);
            gen_fmt_fixed(p.qty_ordered, qty, 1);
            if (!open)
                gen_fmt_fixed(p.qty_delivered, qty_recv, 1);
            gen_fmt_cents(p.unit_price, price, true);
            if (gsl_rng_uniform(r) < 0.03)
                snprintf(p.std_cost, sizeof p.std_cost, "N/A");
            else
                gen_fmt_cents(p.std_cost, it->unit_cost, true);
            gen_fmt_cents(p.amount, amount, true);
            rc = write_po(out, &p, err);
            if (rc == OPS_OK && last_month && k == 10) {
                /* Deliberate bad rows: see the list in generate.c. */
                rc = write_po(out, &p, err); /* duplicate PO line */
                po_row_t bad = p;
                snprintf(bad.line, sizeof bad.line, "%ld-9", po_number);
                snprintf(bad.qty_ordered, sizeof bad.qty_ordered, "-5.0");
                if (rc == OPS_OK)
                    rc = write_po(out, &bad, err);
                snprintf(bad.line, sizeof bad.line, "%ld-8", po_number);
                snprintf(bad.qty_ordered, sizeof bad.qty_ordered, "%s", p.qty_ordered);
                snprintf(bad.order, sizeof bad.order, "13/45/%04d", y);
                if (rc == OPS_OK)
                    rc = write_po(out, &bad, err);
            }
        }
    }
    return rc;
}

/* ---- inventory --------------------------------------------------------------- */

ops_status_t gen_inventory(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err)
{
    static const char *const header[] = { "Snapshot Date", "Warehouse", "Item", "On Hand",
                                          "Stock Value", NULL };
    ops_status_t rc = gen_header(out, header, err);
    /* Each site stocks about 70% of the items, each at its own typical level. */
    double base[GEN_N_SITES][GEN_MAX_ITEMS];
    for (int s = 0; s < GEN_N_SITES; s++)
        for (int i = 0; i < w->n_items; i++) {
            bool stocked = gsl_rng_uniform(r) < 0.7;
            const gen_item_t *it = &w->items[i];
            double level = it->purchased ? (it->unit_cost > 50000 ? 4 : 20000.0 / ((double)it->unit_cost / 100.0 + 1.0))
                                         : 60000.0 / ((double)it->unit_cost / 100.0 + 0.5);
            base[s][i] = stocked ? level * w->sites[s].weight * 3 * gen_lognoise(r, 0.5) : 0;
        }
    char date[32], buf[48];
    for (int mi = 0; mi < w->months && rc == OPS_OK; mi++) {
        int y, m;
        gen_month_ym(w, mi, &y, &m);
        gen_fmt_iso(date, gen_day_from_ymd(y, m, gen_days_in_month(y, m)));
        for (int s = 0; s < GEN_N_SITES && rc == OPS_OK; s++)
            for (int i = 0; i < w->n_items && rc == OPS_OK; i++) {
                if (base[s][i] <= 0)
                    continue;
                const gen_item_t *it = &w->items[i];
                /* Stock builds ahead of the Q4 peak. */
                double season = m >= 9 && m <= 11 ? 1.15 : 1.0;
                double qty = floor(base[s][i] * season * gen_lognoise(r, 0.25));
                gen_field(out, date);
                gen_field(out, w->sites[s].name);
                gen_field(out, it->sku);
                gen_field(out, gen_fmt_fixed(buf, qty, 0));
                gen_field(out, gen_fmt_cents(buf, llround(qty * (double)it->unit_cost), false));
                rc = gen_row_end(out, err);
            }
    }
    return rc;
}

/* ---- shipments --------------------------------------------------------------- */

ops_status_t gen_shipments(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err)
{
    static const char *const header[] = { "Shipment No", "Customer", "Ship From", "SKU",
                                          "Ship Date", "Promise Date", "Delivery Date",
                                          "Qty Ordered", "Qty Shipped", "Invoice Value", "COGS",
                                          NULL };
    ops_status_t rc = gen_header(out, header, err);
    char buf[48];
    long seq = 0;
    for (int mi = 0; mi < w->months && rc == OPS_OK; mi++) {
        int y, m;
        gen_month_ym(w, mi, &y, &m);
        for (int s = 0; s < GEN_N_SITES && rc == OPS_OK; s++) {
            long n = gen_scaled(400.0 * w->sites[s].weight, w->scale);
            /* Product sales are the revenue less recharged freight (120k of 4.62M). */
            double per_line = gen_revenue_expected(w, s, mi) * (4.5 / 4.62) / (double)n;
            for (long k = 0; k < n && rc == OPS_OK; k++) {
                const gen_item_t *it = &w->items[gsl_rng_uniform_int(r, 100)];
                /* A few large customers take most of the volume. */
                double u = gsl_rng_uniform(r);
                const char *customer = w->customers[(int)(u * u * w->n_customers)];
                double target = per_line * gen_lognoise(r, 0.7);
                double qty = fmax(1.0, round(target * 100.0 / (double)it->price));
                double shipped = gsl_rng_uniform(r) < 0.06 ? floor(qty * (0.7 + 0.28 * gsl_rng_uniform(r))) : qty;
                gen_day_t ship = pick_workday(r, y, m);
                gen_day_t promised = ship + (gen_day_t)gen_uniform_int(r, 2, 5);
                gen_day_t delivered = ship + (gen_day_t)gen_uniform_int(r, 1, 4);
                if (gsl_rng_uniform(r) < 0.08)
                    delivered += (gen_day_t)gen_uniform_int(r, 1, 5);
                snprintf(buf, sizeof buf, "SH-%s-%07ld", w->sites[s].code, ++seq);
                gen_field(out, buf);
                gen_field(out, customer);
                gen_field(out, w->sites[s].name);
                gen_field(out, it->sku);
                gen_field(out, gen_fmt_iso(buf, ship));
                gen_field(out, gen_fmt_iso(buf, promised));
                gen_field(out, delivered > w->end ? "-" : gen_fmt_iso(buf, delivered));
                gen_field(out, gen_fmt_fixed(buf, qty, 0));
                gen_field(out, gen_fmt_fixed(buf, shipped, 0));
                gen_field(out, gen_fmt_cents(buf, llround(shipped * (double)it->price), false));
                gen_field(out, gen_fmt_cents(buf, llround(shipped * (double)it->unit_cost), false));
                rc = gen_row_end(out, err);
            }
        }
    }
    return rc;
}

/* ---- production -------------------------------------------------------------- */

static bool spc_shift_active(const gen_world_t *w, int site, int line, gen_day_t day)
{
    return site == GEN_SPC_SHIFT_SITE && line == GEN_SPC_SHIFT_LINE &&
           day >= gen_day_from_ymd(w->last_y, w->last_m, 1);
}

ops_status_t gen_production(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err)
{
    static const char *const header[] = { "Prod Date", "Plant", "Line", "Output Units",
                                          "Scrap Units", "FPY Units", NULL };
    ops_status_t rc = gen_header(out, header, err);
    long per_day = gen_scaled(1.0, w->scale); /* shift reports per line and day */
    char date[32], buf[48];
    for (gen_day_t d = w->start; d <= w->end && rc == OPS_OK; d++) {
        if (gen_weekday(d) >= 5)
            continue;
        int y, m, dd;
        gen_day_to_ymd(d, &y, &m, &dd);
        int mi = (y * 12 + m - 1) - (w->first_y * 12 + w->first_m - 1);
        gen_fmt_iso(date, d);
        for (int s = 0; s < GEN_N_SITES && rc == OPS_OK; s++)
            for (int l = 0; l < GEN_LINES_PER_SITE && rc == OPS_OK; l++) {
                double day_units = 23000.0 * w->sites[s].weight * GEN_N_SITES *
                                   pow(1.06, mi / 12.0) * gen_season(m) * (l == 0 ? 1.1 : 0.9);
                double p_scrap = spc_shift_active(w, s, l, d) ? 0.031 : 0.017 + 0.002 * l;
                for (long k = 0; k < per_day && rc == OPS_OK; k++) {
                    double units = round(day_units / (double)per_day * gen_lognoise(r, 0.08));
                    unsigned produced = (unsigned)units;
                    unsigned scrap = gsl_ran_binomial(r, p_scrap, produced);
                    unsigned rework = gsl_ran_binomial(r, 0.012, produced - scrap);
                    snprintf(buf, sizeof buf, "Line %d", l + 1);
                    gen_field(out, date);
                    gen_field(out, w->sites[s].name);
                    gen_field(out, buf);
                    gen_fieldf(out, "%u", produced);
                    gen_fieldf(out, "%u", scrap);
                    if (gsl_rng_uniform(r) < 0.02)
                        gen_field(out, "N/A"); /* FPY counter offline */
                    else
                        gen_fieldf(out, "%u", produced - scrap - rework);
                    rc = gen_row_end(out, err);
                }
            }
    }
    return rc;
}

/* ---- quality ----------------------------------------------------------------- */

ops_status_t gen_quality(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err)
{
    static const char *const header[] = { "Timestamp", "Plant", "Line", "Subgroup",
                                          "Weight (g)", "Length (mm)", "Width (mm)",
                                          "Height (mm)", NULL };
    ops_status_t rc = gen_header(out, header, err);
    /* The MES keeps twelve months online. */
    int keep = w->months < 12 ? w->months : 12;
    int fy, fm;
    gen_month_ym(w, w->months - keep, &fy, &fm);
    gen_day_t from = gen_day_from_ymd(fy, fm, 1);
    long per_shift = gen_scaled(1.0, w->scale);
    long subgroup[GEN_N_SITES][GEN_LINES_PER_SITE] = { { 0 } };
    static const int shift_start_h[3] = { 6, 14, 22 };
    char ts[32], buf[48];
    for (gen_day_t d = from; d <= w->end && rc == OPS_OK; d++) {
        if (gen_weekday(d) >= 5)
            continue;
        for (int s = 0; s < GEN_N_SITES && rc == OPS_OK; s++)
            for (int l = 0; l < GEN_LINES_PER_SITE && rc == OPS_OK; l++) {
                double mean = GEN_SPC_TARGET_G + (l == 0 ? 0.3 : -0.2) +
                              (spc_shift_active(w, s, l, d) ? GEN_SPC_SHIFT_G : 0.0);
                snprintf(buf, sizeof buf, "Line %d", l + 1);
                for (int sh = 0; sh < 3 && rc == OPS_OK; sh++)
                    for (long g = 0; g < per_shift && rc == OPS_OK; g++) {
                        long sg = ++subgroup[s][l];
                        int64_t t0 = (int64_t)d * 86400 + shift_start_h[sh] * 3600 + 3600 +
                                     (int64_t)(g * 7 * 3600 / per_shift);
                        for (int j = 0; j < 5 && rc == OPS_OK; j++) {
                            char num[32];
                            gen_field(out, gen_fmt_ts_iso_z(ts, t0 + j * 60 + (int64_t)gen_uniform_int(r, 0, 20)));
                            gen_field(out, w->sites[s].name);
                            gen_field(out, buf);
                            gen_fieldf(out, "%ld", sg);
                            gen_field(out, gen_fmt_fixed(num, mean + gsl_ran_gaussian(r, GEN_SPC_SIGMA_G), 2));
                            gen_field(out, gen_fmt_fixed(num, 400.0 + gsl_ran_gaussian(r, 0.4), 1));
                            gen_field(out, gen_fmt_fixed(num, 300.0 + gsl_ran_gaussian(r, 0.4), 1));
                            if (gsl_rng_uniform(r) < 0.01)
                                gen_field(out, "NA"); /* gauge not read */
                            else
                                gen_field(out, gen_fmt_fixed(num, 200.0 + gsl_ran_gaussian(r, 0.4), 1));
                            rc = gen_row_end(out, err);
                        }
                    }
            }
    }
    return rc;
}
