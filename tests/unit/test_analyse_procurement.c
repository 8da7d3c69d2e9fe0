/*
 * test_analyse_procurement.c - the procurement area module on hand-made PO
 * and shipment rows. The period is February 2024 (a leap year: the 29th is
 * the last day) and the fiscal year starts in January, so YTD = Jan + Feb.
 * Every expected value is worked out by hand in the comments.
 */
#include "analyse/analyse_internal.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "analyse_fixture.h"

static report_model_t *finish(void *st) { return fixture_finish(&area_procurement, st); }

#define EPS 1e-6

static analysis_settings_t settings;
static input_config_t inputs[2];
static config_t cfg;
static analyse_ctx_t ctx;

static void setup_ctx(int year, int month, bool with_inputs)
{
    memset(&cfg, 0, sizeof cfg);
    memset(inputs, 0, sizeof inputs);
    settings = (analysis_settings_t){ .service_level = 0.95, .top_n = 2, .slow_days = 90, .dead_days = 180 };
    inputs[0].schema = schema_for_kind(KIND_PURCHASE_ORDERS);
    inputs[1].schema = schema_for_kind(KIND_SHIPMENTS);
    cfg.inputs = inputs;
    cfg.n_inputs = with_inputs ? 2 : 0;
    cfg.fiscal_year_start = 1;
    cfg.analysis = settings;
    analyse_ctx_init(&ctx, &cfg, (period_t){ year, month }, NULL);
    ctx.settings = &settings; /* tests change settings after setup */
}


static field_value_t f_none(void) { return (field_value_t){ .present = false }; }

/* delivered 0: open; std_cost < 0: none; site NULL: absent */
static void feed_po(void *st, const char *line, const char *supplier, const char *category, const char *site,
                    int32_t order, int32_t promised, int32_t delivered, double qty_o, double qty_d,
                    int64_t price, int64_t std_cost, int64_t amount)
{
    field_value_t v[PO_NFIELDS];
    v[PO_LINE] = f_text(line);
    v[PO_SUPPLIER] = f_text(supplier);
    v[PO_CATEGORY] = f_text(category);
    v[PO_SKU] = f_text("SKU");
    v[PO_SITE] = f_text(site);
    v[PO_ORDER_DATE] = f_date(order);
    v[PO_PROMISED_DATE] = f_date(promised);
    v[PO_DELIVERED_DATE] = delivered ? f_date(delivered) : f_none();
    v[PO_QTY_ORDERED] = f_num(qty_o);
    v[PO_QTY_DELIVERED] = delivered ? f_num(qty_d) : f_none();
    v[PO_UNIT_PRICE] = f_money(price);
    v[PO_STANDARD_COST] = std_cost >= 0 ? f_money(std_cost) : f_none();
    v[PO_AMOUNT] = f_money(amount);
    ingest_record_t rec = { .input = &inputs[0], .values = v, .line = 2 };
    ops_error_t err = { 0 };
    cr_assert_eq(area_procurement.record(st, &rec, &err), OPS_OK);
}

static void feed_ship(void *st, const char *site, int32_t ship, int32_t promised, int32_t delivered,
                      double qty_o, double qty_s)
{
    field_value_t v[SHIP_NFIELDS];
    v[SHIP_ID] = f_text("S");
    v[SHIP_CUSTOMER] = f_text("C");
    v[SHIP_SITE] = f_text(site);
    v[SHIP_SKU] = f_text("SKU");
    v[SHIP_DATE] = f_date(ship);
    v[SHIP_PROMISED_DATE] = f_date(promised);
    v[SHIP_DELIVERED_DATE] = delivered ? f_date(delivered) : f_none();
    v[SHIP_QTY_ORDERED] = f_num(qty_o);
    v[SHIP_QTY_SHIPPED] = f_num(qty_s);
    v[SHIP_VALUE] = f_money(100);
    v[SHIP_COGS] = f_none();
    ingest_record_t rec = { .input = &inputs[1], .values = v, .line = 2 };
    ops_error_t err = { 0 };
    cr_assert_eq(area_procurement.record(st, &rec, &err), OPS_OK);
}




#define NEAR(a, b) cr_assert(fabs((a) - (b)) < EPS, "%s = %.9g, expected %.9g", #a, (double)(a), (double)(b))

/*
 * Fixture, money in cents. Period Feb 2024; FY Jan-Dec.
 *  line supplier cat   order   promised delivered  qty o/d price std  amount
 *  L1   Acme     Steel Jan 10  Feb 29   Feb 29     10/10   5.00 4.50  50.00  due Feb, OTIF; lead 50 (Feb)
 *  L2   Acme     Steel Feb 01  Feb 15   Feb 20     10/10   2.00 -     20.00  due Feb, 5 days late; lead 19 (Feb)
 *  L3   Bolt     Paper Feb 05  Feb 20   open       4       10.00 11.00 40.00 due Feb, open: 29-20 = 9 days late
 *  L4   Bolt     Paper Jan 31  Mar 01   Feb 28     5/4     3.00 3.00  15.00  due after the period; lead 28 (Feb)
 *  L5   Acme     Steel Jan 02  Jan 31   Jan 31     8/8     1.00 1.00   8.00  due Jan, OTIF; lead 29 (Jan)
 *  L6   Acme     Steel Feb 10  Feb 25   Mar 02     1/1   100.00 90.00 100.00 due Feb; delivered after the
 *                                                                          period end = open: 4 days late
 */
static void *feed_fixture(void)
{
    void *st = area_procurement.create(&ctx);
    cr_assert_not_null(st);
    feed_po(st, "L1", "Acme", "Steel", "S1", day(2024, 1, 10), day(2024, 2, 29), day(2024, 2, 29), 10, 10, 500, 450, 5000);
    feed_po(st, "L2", "Acme", "Steel", "S1", day(2024, 2, 1), day(2024, 2, 15), day(2024, 2, 20), 10, 10, 200, -1, 2000);
    feed_po(st, "L3", "Bolt", "Paper", "S1", day(2024, 2, 5), day(2024, 2, 20), 0, 4, 0, 1000, 1100, 4000);
    feed_po(st, "L4", "Bolt", "Paper", "S1", day(2024, 1, 31), day(2024, 3, 1), day(2024, 2, 28), 5, 4, 300, 300, 1500);
    feed_po(st, "L5", "Acme", "Steel", "S1", day(2024, 1, 2), day(2024, 1, 31), day(2024, 1, 31), 8, 8, 100, 100, 800);
    feed_po(st, "L6", "Acme", "Steel", "S1", day(2024, 2, 10), day(2024, 2, 25), day(2024, 3, 2), 1, 1, 10000, 9000, 10000);
    return st;
}

Test(analyse_procurement, supplier_kpis)
{
    setup_ctx(2024, 2, true);
    void *st = feed_fixture();
    report_model_t *m = finish(st);

    /* due Feb: L1 L2 L3 L6 = 4, OTIF L1 -> 25%; Jan: L5 1/1 -> 100%; YTD 2/5 = 40% */
    const kpi_t *k = kpi(m, "supplier_otif_pct");
    NEAR(k->value, 25.0);
    NEAR(k->prior, 100.0);
    NEAR(k->ytd, 40.0);
    cr_assert(isnan(k->last_year)); /* nothing due in Feb 2023: 0/0 */
    cr_assert_str_eq(k->area, "Procurement");

    /* lead times delivered in Feb: 50, 19, 28 -> mean 97/3; sd sqrt(508.667/2) = 15.9478316;
     * p90 (GSL, sorted 19 28 50): position 0.9 x 2 = 1.8 -> 28 + 0.8 x 22 = 45.6.
     * Jan: 29 only (sd needs two). YTD pooled 50 19 28 29: mean 31.5; p90 at 2.7 of
     * 19 28 29 50 -> 29 + 0.7 x 21 = 43.7. */
    k = kpi(m, "lead_time_mean_days");
    NEAR(k->value, 97.0 / 3);
    NEAR(k->prior, 29.0);
    NEAR(k->ytd, 31.5);
    k = kpi(m, "lead_time_p90_days");
    NEAR(k->value, 45.6);
    NEAR(k->prior, 29.0);
    NEAR(k->ytd, 43.7);
    k = kpi(m, "lead_time_sd_days");
    NEAR(k->value, 15.947831618540915);
    cr_assert(isnan(k->prior));

    /* late in Feb: L2, L3 (open), L6 (delivered after period end) = 3; Jan 0 */
    k = kpi(m, "late_deliveries");
    NEAR(k->value, 3);
    NEAR(k->prior, 0);
    NEAR(k->ytd, 3);

    /* spend by order date: Feb L2+L3+L6 = 20+40+100 = 160; Jan (L4 on the 31st) L1+L4+L5 = 50+15+8 = 73 */
    k = kpi(m, "spend");
    NEAR(k->value, 160.0);
    NEAR(k->prior, 73.0);
    NEAR(k->ytd, 233.0);

    /* PV: Feb L3 (10-11) x 4 = -4, L6 (100-90) x 1 = 10, L2 skipped -> 6; Jan L1 0.5 x 10 = 5 */
    k = kpi(m, "price_variance");
    NEAR(k->value, 6.0);
    NEAR(k->prior, 5.0);
    NEAR(k->ytd, 11.0);
    cr_assert_eq(k->direction, KPI_LOWER_IS_BETTER);
    cr_assert(strlen(k->note) > 0);

    /* no shipment rows but shipments configured: 0/0 -> NAN */
    k = kpi(m, "customer_otif_pct");
    cr_assert(isnan(k->value));

    area_procurement.destroy(st);
    report_model_free(m);
}

Test(analyse_procurement, tables)
{
    setup_ctx(2024, 2, true);
    void *st = feed_fixture();
    report_model_t *m = finish(st);

    /* Acme: due YTD L1 L2 L5 L6 = 4, OTIF L1 L5 = 50%; month 1/3 = 33.33%; lead YTD 50 19 29 ->
     * 32.667; spend 50+20+8+100 = 178; PV 5+10 = 15; late month L2 L6 = 2.
     * Bolt: due YTD L3 = 1, 0%; lead 28; spend 40+15 = 55; PV -4; late 1. Acme first (spend). */
    const model_table_t *t = model_find_table(m, TABLE_PROCUREMENT_SCORECARD);
    cr_assert_not_null(t);
    cr_assert_eq(t->n_rows, 2);
    cr_assert_str_eq(text(t, 0, 0), "Acme");
    NEAR(cell(t, 0, 1), 4);
    NEAR(cell(t, 0, 2), 50.0);
    NEAR(cell(t, 0, 3), 100.0 / 3);
    NEAR(cell(t, 0, 4), 98.0 / 3);
    NEAR(cell(t, 0, 5), 178.0);
    NEAR(cell(t, 0, 6), 15.0);
    NEAR(cell(t, 0, 7), 2);
    cr_assert_str_eq(text(t, 1, 0), "Bolt");
    NEAR(cell(t, 1, 1), 1);
    NEAR(cell(t, 1, 2), 0.0);
    NEAR(cell(t, 1, 4), 28.0);
    NEAR(cell(t, 1, 5), 55.0);
    NEAR(cell(t, 1, 6), -4.0);
    NEAR(cell(t, 1, 7), 1);

    /* Steel: month 20+100 = 120, YTD 178, 178/233 = 76.395%; Paper: 40, 55, 23.605% */
    t = model_find_table(m, TABLE_PROCUREMENT_SPEND_BY_CATEGORY);
    cr_assert_not_null(t);
    cr_assert_eq(t->n_rows, 2);
    cr_assert_str_eq(text(t, 0, 0), "Steel");
    NEAR(cell(t, 0, 1), 120.0);
    NEAR(cell(t, 0, 2), 178.0);
    NEAR(cell(t, 0, 3), 17800.0 / 233);
    cr_assert_str_eq(text(t, 1, 0), "Paper");
    NEAR(cell(t, 1, 1), 40.0);
    NEAR(cell(t, 1, 3), 5500.0 / 233);

    /* L3 9 days (open), L2 5 days (delivered Feb 20), L6 4 days (open at period end) */
    t = model_find_table(m, TABLE_PROCUREMENT_LATE_DELIVERIES);
    cr_assert_not_null(t);
    cr_assert_eq(t->n_rows, 3);
    cr_assert_eq(t->col_kinds[2], COL_DATE);
    cr_assert_str_eq(text(t, 0, 0), "L3");
    cr_assert_str_eq(text(t, 0, 1), "Bolt");
    NEAR(cell(t, 0, 2), day(2024, 2, 20));
    cr_assert(isnan(cell(t, 0, 3)));
    NEAR(cell(t, 0, 4), 9);
    cr_assert_str_eq(text(t, 1, 0), "L2");
    NEAR(cell(t, 1, 3), day(2024, 2, 20));
    NEAR(cell(t, 1, 4), 5);
    cr_assert_str_eq(text(t, 2, 0), "L6");
    cr_assert(isnan(cell(t, 2, 3)));
    NEAR(cell(t, 2, 4), 4);

    area_procurement.destroy(st);
    report_model_free(m);
}

/* top_n 1 keeps the 5 most late of 7 late lines (1..7 days late, fed in mixed order). */
Test(analyse_procurement, late_table_is_bounded)
{
    setup_ctx(2024, 2, true);
    settings.top_n = 1;
    void *st = area_procurement.create(&ctx);
    static const int late_days[] = { 3, 7, 1, 5, 2, 6, 4 };
    for (size_t i = 0; i < 7; i++) {
        char line[8];
        snprintf(line, sizeof line, "P%d", late_days[i]);
        feed_po(st, line, "X", "C", "S1", day(2024, 1, 1), day(2024, 2, 10), day(2024, 2, 10 + late_days[i]),
                1, 1, 100, -1, 100);
    }
    report_model_t *m = finish(st);
    const model_table_t *t = model_find_table(m, TABLE_PROCUREMENT_LATE_DELIVERIES);
    cr_assert_eq(t->n_rows, 5);
    for (size_t r = 0; r < 5; r++)
        NEAR(cell(t, r, 4), 7 - (double)r);
    cr_assert_str_eq(text(t, 0, 0), "P7");
    NEAR(kpi(m, "late_deliveries")->value, 7);
    area_procurement.destroy(st);
    report_model_free(m);
}

/* Customer OTIF: Feb S1 on time in full; S2 shipped on time (no delivered date) but short;
 * S3 delivered a day late -> 1/3. Jan 31 (last day of Jan) on time in full -> Jan 100%;
 * YTD 2/4 = 50%. A row promised Mar 1 is outside the window. */
Test(analyse_procurement, customer_otif)
{
    setup_ctx(2024, 2, true);
    void *st = area_procurement.create(&ctx);
    feed_ship(st, "S1", day(2024, 2, 28), day(2024, 2, 29), day(2024, 2, 29), 5, 5);
    feed_ship(st, "S1", day(2024, 2, 9), day(2024, 2, 10), 0, 5, 4);
    feed_ship(st, "S1", day(2024, 1, 30), day(2024, 2, 1), day(2024, 2, 2), 5, 5);
    feed_ship(st, "S1", day(2024, 1, 30), day(2024, 1, 31), day(2024, 1, 31), 5, 6);
    feed_ship(st, "S1", day(2024, 2, 29), day(2024, 3, 1), 0, 5, 0);
    report_model_t *m = finish(st);
    const kpi_t *k = kpi(m, "customer_otif_pct");
    NEAR(k->value, 100.0 / 3);
    NEAR(k->prior, 100.0);
    NEAR(k->ytd, 50.0);
    /* POs configured but none fed: OTIF 0/0 -> NAN, lead NAN, counts 0 */
    cr_assert(isnan(kpi(m, "supplier_otif_pct")->value));
    cr_assert(isnan(kpi(m, "lead_time_p90_days")->value));
    NEAR(kpi(m, "spend")->value, 0);
    area_procurement.destroy(st);
    report_model_free(m);
}

/* Scope S1: rows of site S2 and rows without a site are left out. */
Test(analyse_procurement, scope)
{
    setup_ctx(2024, 2, true);
    ctx.scope = "S1";
    void *st = area_procurement.create(&ctx);
    feed_po(st, "A", "X", "C", "S1", day(2024, 2, 1), day(2024, 2, 10), day(2024, 2, 10), 1, 1, 100, -1, 100);
    feed_po(st, "B", "X", "C", "S2", day(2024, 2, 1), day(2024, 2, 10), 0, 1, 0, 100, -1, 100);
    feed_po(st, "C", "X", "C", NULL, day(2024, 2, 1), day(2024, 2, 10), 0, 1, 0, 100, -1, 100);
    feed_ship(st, "S2", day(2024, 2, 1), day(2024, 2, 10), 0, 5, 5);
    report_model_t *m = finish(st);
    NEAR(kpi(m, "supplier_otif_pct")->value, 100.0);
    NEAR(kpi(m, "spend")->value, 1.0);
    NEAR(kpi(m, "late_deliveries")->value, 0);
    cr_assert(isnan(kpi(m, "customer_otif_pct")->value));
    area_procurement.destroy(st);
    report_model_free(m);
}

/* Empty period and unconfigured inputs: no crash, NAN ratios, no KPIs without inputs. */
Test(analyse_procurement, empty)
{
    setup_ctx(2024, 2, true);
    void *st = area_procurement.create(&ctx);
    report_model_t *m = finish(st);
    cr_assert(isnan(kpi(m, "supplier_otif_pct")->ytd));
    cr_assert(isnan(kpi(m, "lead_time_mean_days")->ytd));
    cr_assert(isnan(kpi(m, "lead_time_sd_days")->value));
    NEAR(kpi(m, "price_variance")->ytd, 0);
    cr_assert_eq(model_find_table(m, TABLE_PROCUREMENT_SCORECARD)->n_rows, 0);
    cr_assert_eq(model_find_table(m, TABLE_PROCUREMENT_SPEND_BY_CATEGORY)->n_rows, 0);
    cr_assert_eq(model_find_table(m, TABLE_PROCUREMENT_LATE_DELIVERIES)->n_rows, 0);
    area_procurement.destroy(st);
    report_model_free(m);

    setup_ctx(2024, 2, false);
    st = area_procurement.create(&ctx);
    feed_po(st, "A", "X", "C", "S1", day(2024, 2, 1), day(2024, 2, 10), 0, 1, 0, 100, -1, 100);
    m = finish(st);
    cr_assert_eq(m->n_kpis, 0);
    cr_assert_eq(m->n_tables, 0);
    area_procurement.destroy(st);
    report_model_free(m);
}

/* destroy accepts NULL like every _free. */
Test(analyse_procurement, destroy_null) { area_procurement.destroy(NULL); }

/* ---- n/a, never 0 -------------------------------------------------------------- */

/* An export without Qty Received and Std Cost columns: rows carry neither.
 *  line order  promised delivered qty price amount
 *  M1   Feb 01 Feb 10   Feb 09    10  5.00  50.00   on time, lead 8
 *  M2   Feb 02 Feb 12   Feb 20     5  2.00  10.00   8 days late, lead 18 */
static void *feed_without_qty_and_cost(void)
{
    void *st = area_procurement.create(&ctx);
    cr_assert_not_null(st);
    field_value_t v[PO_NFIELDS];
    static const struct { const char *line; int order, promised, delivered; double qty; int64_t price, amount; } rows[] = {
        { "M1", 1, 10, 9, 10, 500, 5000 },
        { "M2", 2, 12, 20, 5, 200, 1000 },
    };
    for (size_t i = 0; i < 2; i++) {
        v[PO_LINE] = f_text(rows[i].line);
        v[PO_SUPPLIER] = f_text("Acme");
        v[PO_CATEGORY] = f_text("Steel");
        v[PO_SKU] = f_text("SKU");
        v[PO_SITE] = f_text("S1");
        v[PO_ORDER_DATE] = f_date(day(2024, 2, rows[i].order));
        v[PO_PROMISED_DATE] = f_date(day(2024, 2, rows[i].promised));
        v[PO_DELIVERED_DATE] = f_date(day(2024, 2, rows[i].delivered));
        v[PO_QTY_ORDERED] = f_num(rows[i].qty);
        v[PO_QTY_DELIVERED] = f_none();
        v[PO_UNIT_PRICE] = f_money(rows[i].price);
        v[PO_STANDARD_COST] = f_none();
        v[PO_AMOUNT] = f_money(rows[i].amount);
        ingest_record_t rec = { .input = &inputs[0], .values = v, .line = 2 };
        ops_error_t err = { 0 };
        cr_assert_eq(area_procurement.record(st, &rec, &err), OPS_OK);
    }
    return st;
}

/* Mapped but empty, a missing qty_delivered counts 0 (documented): OTIF 0/2 =
 * 0%, and a line without standard cost adds nothing to the price variance (0).
 * Unmapped, neither can be computed: n/a. Spend, lateness and lead time need
 * neither field and stay: spend 60.00, 1 late, mean lead (8 + 18) / 2 = 13. */
Test(analyse_procurement, unmapped_qty_delivered_and_standard_cost)
{
    setup_ctx(2024, 2, true);
    void *st = feed_without_qty_and_cost();
    report_model_t *m = finish(st);
    NEAR(kpi(m, "supplier_otif_pct")->value, 0);
    NEAR(kpi(m, "price_variance")->value, 0);
    area_procurement.destroy(st);
    report_model_free(m);

    setup_ctx(2024, 2, true);
    ctx.field_unmapped[KIND_PURCHASE_ORDERS][PO_QTY_DELIVERED] = true;
    ctx.field_unmapped[KIND_PURCHASE_ORDERS][PO_STANDARD_COST] = true;
    st = feed_without_qty_and_cost();
    m = finish(st);
    const kpi_t *k = kpi(m, "supplier_otif_pct");
    cr_expect(isnan(k->value) && isnan(k->ytd) && isnan(k->trend[MODEL_TREND_MONTHS - 1]));
    cr_expect_eq(k->na, KPI_NA_UNMAPPED);
    cr_expect_str_eq(k->na_reason, "no qty_delivered in the purchase_orders export");
    k = kpi(m, "price_variance");
    cr_expect(isnan(k->value) && isnan(k->ytd));
    cr_expect_str_eq(k->na_reason, "no standard_cost in the purchase_orders export");
    NEAR(kpi(m, "spend")->value, 60);
    NEAR(kpi(m, "late_deliveries")->value, 1);
    NEAR(kpi(m, "lead_time_mean_days")->value, 13);
    cr_expect_eq(kpi(m, "lead_time_mean_days")->na, KPI_NA_NONE);
    /* scorecard: Acme, OTIF and price variance empty, the rest counted */
    const model_table_t *t = table(m, TABLE_PROCUREMENT_SCORECARD);
    cr_assert_eq(t->n_rows, 1);
    NEAR(cell(t, 0, 1), 2);
    cr_expect(isnan(cell(t, 0, 2)) && isnan(cell(t, 0, 3)) && isnan(cell(t, 0, 6)));
    NEAR(cell(t, 0, 5), 60);
    NEAR(cell(t, 0, 7), 1);
    cr_expect_eq(table(m, TABLE_PROCUREMENT_LATE_DELIVERIES)->n_rows, 1);
    area_procurement.destroy(st);
    report_model_free(m);
}

/* Without delivered_date every line looks open: OTIF, lateness and lead
 * times are n/a (OTIF names both missing fields), the late lines table too. */
Test(analyse_procurement, unmapped_delivered_date)
{
    setup_ctx(2024, 2, true);
    ctx.field_unmapped[KIND_PURCHASE_ORDERS][PO_DELIVERED_DATE] = true;
    ctx.field_unmapped[KIND_PURCHASE_ORDERS][PO_QTY_DELIVERED] = true;
    void *st = area_procurement.create(&ctx);
    feed_po(st, "L1", "Acme", "Steel", "S1", day(2024, 2, 1), day(2024, 2, 10), 0, 10, 0, 500, 450, 5000);
    report_model_t *m = finish(st);
    cr_expect_str_eq(kpi(m, "supplier_otif_pct")->na_reason,
                     "no delivered_date or qty_delivered in the purchase_orders export");
    static const char *const ids[] = { "late_deliveries", "lead_time_mean_days", "lead_time_p90_days",
                                       "lead_time_sd_days" };
    for (size_t i = 0; i < 4; i++) {
        cr_expect(isnan(kpi(m, ids[i])->value), "%s", ids[i]);
        cr_expect_str_eq(kpi(m, ids[i])->na_reason, "no delivered_date in the purchase_orders export");
    }
    NEAR(kpi(m, "price_variance")->value, 5); /* (5.00 - 4.50) x 10 */
    const model_table_t *t = table(m, TABLE_PROCUREMENT_LATE_DELIVERIES);
    cr_expect_eq(t->n_rows, 0);
    cr_expect_str_eq(t->na_reason, "no delivered_date in the purchase_orders export");
    cr_expect(isnan(cell(table(m, TABLE_PROCUREMENT_SCORECARD), 0, 7)), "late lines unknown");
    area_procurement.destroy(st);
    report_model_free(m);
}
