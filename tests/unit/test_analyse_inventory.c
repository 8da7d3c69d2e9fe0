/*
 * test_analyse_inventory.c - the inventory area module on hand-made
 * snapshot, item, shipment and PO rows. The period is February 2024 (leap
 * year: the 29th is the last day), fiscal year from January, slow stock 30
 * days, dead 60, service level 95% (z = 1.6448536). Expected values are
 * worked out by hand in the comments.
 */
#include "analyse/analyse_internal.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "analyse_fixture.h"

static report_model_t *finish(void *st) { return fixture_finish(&area_inventory, st); }

#define EPS 1e-6

static analysis_settings_t settings;
static input_config_t inputs[4];
static config_t cfg;
static analyse_ctx_t ctx;

enum { IN_INV, IN_ITEMS, IN_SHIP, IN_PO };

/* n_inputs: how many of inventory, items, shipments, purchase orders are configured */
static void setup_ctx(size_t n_inputs)
{
    memset(&cfg, 0, sizeof cfg);
    memset(inputs, 0, sizeof inputs);
    settings = (analysis_settings_t){ .service_level = 0.95, .top_n = 2, .slow_days = 30, .dead_days = 60 };
    inputs[IN_INV].schema = schema_for_kind(KIND_INVENTORY);
    inputs[IN_ITEMS].schema = schema_for_kind(KIND_ITEMS);
    inputs[IN_SHIP].schema = schema_for_kind(KIND_SHIPMENTS);
    inputs[IN_PO].schema = schema_for_kind(KIND_PURCHASE_ORDERS);
    cfg.inputs = inputs;
    cfg.n_inputs = n_inputs;
    cfg.fiscal_year_start = 1;
    analyse_ctx_init(&ctx, &cfg, (period_t){ 2024, 2 }, NULL);
    ctx.settings = &settings; /* tests change settings after setup */
}


static field_value_t f_none(void) { return (field_value_t){ .present = false }; }

static void feed(void *st, int input, const field_value_t *v)
{
    ingest_record_t rec = { .input = &inputs[input], .values = v, .line = 2 };
    ops_error_t err = { 0 };
    cr_assert_eq(area_inventory.record(st, &rec, &err), OPS_OK);
}

static void snap(void *st, int32_t date, const char *site, const char *sku, double qty, int64_t value)
{
    field_value_t v[INV_NFIELDS] = { f_date(date), f_text(site), f_text(sku), f_num(qty), f_money(value) };
    feed(st, IN_INV, v);
}

/* lead < 0: none */
static void item(void *st, const char *sku, const char *desc, int lead)
{
    field_value_t v[ITEM_NFIELDS] = { f_text(sku), f_text(desc), f_text("cat"), f_money(100),
                                      lead >= 0 ? f_int(lead) : f_none() };
    feed(st, IN_ITEMS, v);
}

static void ship(void *st, const char *site, const char *sku, int32_t date, double qty, int64_t cogs)
{
    field_value_t v[SHIP_NFIELDS] = { f_text("S"), f_text("C"), f_text(site), f_text(sku), f_date(date),
                                      f_date(date), f_none(), f_num(qty), f_num(qty), f_money(cogs * 2),
                                      f_money(cogs) };
    feed(st, IN_SHIP, v);
}

static void po(void *st, const char *sku, int32_t order, int32_t delivered)
{
    field_value_t v[PO_NFIELDS] = { f_text("L"), f_text("X"), f_text("C"), f_text(sku), f_none(),
                                    f_date(order), f_date(order), f_date(delivered), f_num(1), f_num(1),
                                    f_money(1), f_none(), f_money(1) };
    feed(st, IN_PO, v);
}




#define NEAR(a, b) cr_assert(fabs((a) - (b)) < EPS, "%s = %.9g, expected %.9g", #a, (double)(a), (double)(b))

/*
 * Fixture (money in cents):
 *  snapshots  Dec 31 2023: S1 A qty 1 value 250.00                     -> Dec value 250
 *             Jan 31 2024: S1 A 10 300.00                               -> Jan value 300
 *             Feb 28: S1 A 10 100.00 (superseded by the 29th)
 *             Feb 29: S1 A 10 100.00, S1 B 0 0, S2 C 5 50.00, S1 D 20 200.00, S1 E 2 20.00
 *                                                                       -> Feb value 370, 1 stock out
 *             Feb 01 (fed last, earlier than the 29th): ignored
 *  items      A "Alpha" lead 10, B lead 5, C lead 7, D lead 20, E no lead time
 *  shipments  A Jan 15 qty 12 cogs 100, A Feb 29 qty 12 cogs 100, B Feb 1 qty 6 cogs 30,
 *             C Dec 15 2023 qty 3 cogs 15, E Jan 20 qty 1 cogs 5,
 *             A Mar 1 2024 (after the period end) qty 100 cogs 1000: ignored
 *             F Jan 31 2023 qty 1 cogs 1000: 13 months back, outside every 12-month window
 *             that ends at Jan or Feb 2024, and F has no item, stock or recent demand
 *  POs of A   order Jan 1, delivered Jan 9 (8 days) and Jan 13 (12 days); one delivered
 *             Mar 10 (after the period end): ignored
 *  COGS per month: Dec 15, Jan 105, Feb 130.
 */
static void *feed_fixture(void)
{
    void *st = area_inventory.create(&ctx);
    cr_assert_not_null(st);
    snap(st, day(2023, 12, 31), "S1", "A", 1, 25000);
    snap(st, day(2024, 1, 31), "S1", "A", 10, 30000);
    snap(st, day(2024, 2, 28), "S1", "A", 10, 10000);
    snap(st, day(2024, 2, 29), "S1", "A", 10, 10000);
    snap(st, day(2024, 2, 29), "S1", "B", 0, 0);
    snap(st, day(2024, 2, 29), "S2", "C", 5, 5000);
    snap(st, day(2024, 2, 29), "S1", "D", 20, 20000);
    snap(st, day(2024, 2, 29), "S1", "E", 2, 2000);
    snap(st, day(2024, 2, 1), "S1", "A", 99, 99900);
    item(st, "A", "Alpha", 10);
    item(st, "B", "Beta", 5);
    item(st, "C", "Gamma", 7);
    item(st, "D", "Delta", 20);
    item(st, "E", NULL, -1);
    ship(st, "S1", "A", day(2024, 1, 15), 12, 10000);
    ship(st, "S1", "A", day(2024, 2, 29), 12, 10000);
    ship(st, "S1", "B", day(2024, 2, 1), 6, 3000);
    ship(st, "S2", "C", day(2023, 12, 15), 3, 1500);
    ship(st, "S1", "E", day(2024, 1, 20), 1, 500);
    ship(st, "S1", "A", day(2024, 3, 1), 100, 100000);
    ship(st, "S1", "F", day(2023, 1, 31), 1, 100000);
    po(st, "A", day(2024, 1, 1), day(2024, 1, 9));
    po(st, "A", day(2024, 1, 1), day(2024, 1, 13));
    po(st, "A", day(2024, 2, 1), day(2024, 3, 10));
    return st;
}

Test(analyse_inventory, level_kpis)
{
    setup_ctx(4);
    void *st = feed_fixture();
    report_model_t *m = finish(st);

    const kpi_t *k = kpi(m, "inventory_value");
    NEAR(k->value, 370.0);
    NEAR(k->prior, 300.0);
    NEAR(k->ytd, 370.0);
    cr_assert(isnan(k->last_year));
    NEAR(k->trend[MODEL_TREND_MONTHS - 3], 250.0);
    cr_assert_str_eq(k->area, "Inventory");

    k = kpi(m, "stock_outs");
    NEAR(k->value, 1);
    NEAR(k->prior, 0);

    /* turnover Feb: COGS Mar 2023..Feb 2024 = 15+105+130 = 250 over the mean of the month-end
     * values Feb 2023..Feb 2024 that exist (250, 300, 370 -> 306.667) = 0.8152174.
     * Jan: COGS 15+105 = 120 over mean(250, 300) = 275 -> 0.4363636. */
    k = kpi(m, "inventory_turnover");
    NEAR(k->value, 250.0 / (920.0 / 3));
    NEAR(k->prior, 120.0 / 275.0);

    /* days of supply Feb: 370 / (250 / (31+31+29)) = 134.68; Jan: 300 / (120 / (30+31+31)) = 230 */
    k = kpi(m, "days_of_supply");
    NEAR(k->value, 134.68);
    NEAR(k->prior, 230.0);
    /* Dec: 250 / (15 / 92) with Oct+Nov+Dec = 31+30+31 days = 1533.333 */
    NEAR(k->trend[MODEL_TREND_MONTHS - 3], 250.0 / (15.0 / 92));

    area_inventory.destroy(st);
    report_model_free(m);
}

Test(analyse_inventory, slow_and_dead)
{
    setup_ctx(4);
    void *st = feed_fixture();
    report_model_t *m = finish(st);

    /* days since the SKU's last shipment at Feb 29: A 0, B 28, C (Dec 15) 16+31+29 = 76,
     * D never, E (Jan 20) 11+29 = 40. Stock > 0: A, C, D, E (B has 0).
     * slow (>= 30): C 50 + D 200 + E 20 = 270; dead (>= 60): C 50 + D 200 = 250 */
    const kpi_t *k = kpi(m, "slow_stock_value");
    NEAR(k->value, 270.0);
    cr_assert(isnan(k->prior));
    NEAR(kpi(m, "dead_stock_value")->value, 250.0);

    /* top_n 2 x 3 = 6 rows allowed; 3 slow rows by value: D, C, E */
    const model_table_t *t = model_find_table(m, TABLE_INVENTORY_SLOW_DEAD);
    cr_assert_not_null(t);
    cr_assert_eq(t->n_rows, 3);
    cr_assert_str_eq(text(t, 0, 0), "D");
    cr_assert_str_eq(text(t, 0, 1), "S1");
    NEAR(cell(t, 0, 2), 200.0);
    cr_assert(isnan(cell(t, 0, 3)));
    cr_assert_str_eq(text(t, 1, 0), "C");
    cr_assert_str_eq(text(t, 1, 1), "S2");
    NEAR(cell(t, 1, 3), 76);
    cr_assert_str_eq(text(t, 2, 0), "E");
    NEAR(cell(t, 2, 2), 20.0);
    NEAR(cell(t, 2, 3), 40);

    area_inventory.destroy(st);
    report_model_free(m);
}

Test(analyse_inventory, abc_and_reorder_points)
{
    setup_ctx(4);
    void *st = feed_fixture();
    report_model_t *m = finish(st);

    /* consumption (12 months): A 200, B 30, C 15, E 5, D 0; total 250.
     * A: 0% before -> A. B: 80% before (not < 80) -> B. C: 92% before -> B. E: 98% -> C. D -> C. */
    const model_table_t *t = model_find_table(m, TABLE_INVENTORY_ABC);
    cr_assert_not_null(t);
    cr_assert_eq(t->n_rows, 3);
    cr_assert_str_eq(text(t, 0, 0), "A");
    NEAR(cell(t, 0, 1), 1);
    NEAR(cell(t, 0, 2), 200.0);
    NEAR(cell(t, 0, 3), 80.0);
    NEAR(cell(t, 1, 1), 2);
    NEAR(cell(t, 1, 2), 45.0);
    NEAR(cell(t, 1, 3), 18.0);
    NEAR(cell(t, 2, 1), 2);
    NEAR(cell(t, 2, 2), 5.0);
    NEAR(cell(t, 2, 3), 2.0);

    /* Monthly quantities over 12 months, daily = /30.44, sd_d = sd / sqrt(30.44):
     * A: 12, 12 and ten 0: mean 2, var (2 x 100 + 10 x 4) / 11 = 240/11; d = 0.0657030;
     *    L 10; PO lead 8, 12 -> sd_L^2 = 8; SS = z sqrt(10 x 240/11/30.44 + d^2 x 8) = 4.4142605;
     *    ROP = 0.657030 + 4.4142605 = 5.0712908; on hand 10 -> no.
     * B: one 6: mean 0.5, var (30.25 + 11 x 0.25)/11 = 3; L 5, sd_L 0;
     *    SS = z sqrt(5 x 3/30.44) = 1.1546505; ROP = 2.5/30.44 + SS = 1.2367793; on hand 0 -> yes.
     * C: one 3: mean 0.25, var 0.75; L 7: SS = z sqrt(7 x 0.75/30.44) = 0.6831005; ROP 0.7405906.
     * D: no demand: SS 0, ROP 0; on hand 20 -> no.
     * E: no lead time and no PO lines -> n/a.
     * Order: class A (A), B (B, C), C (D, E). */
    t = model_find_table(m, TABLE_INVENTORY_REORDER);
    cr_assert_not_null(t);
    cr_assert_eq(t->n_rows, 5);
    static const char *const order[] = { "A", "B", "C", "D", "E" };
    static const char *const cls[] = { "A", "B", "B", "C", "C" };
    for (size_t r = 0; r < 5; r++) {
        cr_assert_str_eq(text(t, r, 0), order[r]);
        cr_assert_str_eq(text(t, r, 2), cls[r]);
    }
    cr_assert_str_eq(text(t, 0, 1), "Alpha");
    NEAR(cell(t, 0, 3), 2.0 / 30.44);
    NEAR(cell(t, 0, 4), 10);
    NEAR(cell(t, 0, 5), 4.414260533882114);
    NEAR(cell(t, 0, 6), 5.07129075727239);
    NEAR(cell(t, 0, 7), 10);
    cr_assert_str_eq(text(t, 0, 8), "no");
    NEAR(cell(t, 1, 5), 1.1546505380535292);
    NEAR(cell(t, 1, 6), 1.2367793159773137);
    NEAR(cell(t, 1, 7), 0);
    cr_assert_str_eq(text(t, 1, 8), "yes");
    NEAR(cell(t, 2, 6), 0.7405906150190069);
    cr_assert_str_eq(text(t, 2, 8), "no");
    NEAR(cell(t, 3, 5), 0);
    NEAR(cell(t, 3, 6), 0);
    cr_assert_str_eq(text(t, 3, 8), "no");
    cr_assert_str_eq(text(t, 4, 1), "");
    cr_assert(isnan(cell(t, 4, 6)));
    cr_assert_str_eq(text(t, 4, 8), "n/a");

    const kpi_t *k = kpi(m, "skus_below_reorder_point");
    NEAR(k->value, 1);
    cr_assert_eq(k->direction, KPI_LOWER_IS_BETTER);

    area_inventory.destroy(st);
    report_model_free(m);
}

/* Without the PO input the lead-time spread is 0: A's SS = z sqrt(10 x 240/11/30.44)
 * = 4.4036637, not the fixture's 4.4143. */
Test(analyse_inventory, no_po_lines_means_no_lead_spread)
{
    setup_ctx(3);
    void *st = area_inventory.create(&ctx);
    snap(st, day(2024, 2, 29), "S1", "A", 10, 10000);
    item(st, "A", "Alpha", 10);
    ship(st, "S1", "A", day(2024, 1, 15), 12, 10000);
    ship(st, "S1", "A", day(2024, 2, 29), 12, 10000);
    report_model_t *m = finish(st);
    const model_table_t *t = model_find_table(m, TABLE_INVENTORY_REORDER);
    cr_assert_eq(t->n_rows, 1);
    NEAR(cell(t, 0, 5), 4.403664366745337);
    area_inventory.destroy(st);
    report_model_free(m);
}

/* Scope S2: only C's stock and shipment count. */
Test(analyse_inventory, scope)
{
    setup_ctx(4);
    ctx.scope = "S2";
    void *st = feed_fixture();
    report_model_t *m = finish(st);
    NEAR(kpi(m, "inventory_value")->value, 50.0);
    cr_assert(isnan(kpi(m, "inventory_value")->prior)); /* Jan snapshot was S1 only */
    NEAR(kpi(m, "stock_outs")->value, 0);
    NEAR(kpi(m, "slow_stock_value")->value, 50.0);
    area_inventory.destroy(st);
    report_model_free(m);
}

/* Empty period: NAN levels and ratios, zero counts, no crash. Then a month-end value of 0
 * with COGS 5: turnover 5 / mean(0) is a division by zero -> NAN; days of supply 0 / (5/91) = 0. */
Test(analyse_inventory, empty_and_division_by_zero)
{
    setup_ctx(4);
    void *st = area_inventory.create(&ctx);
    report_model_t *m = finish(st);
    cr_assert(isnan(kpi(m, "inventory_value")->value));
    cr_assert(isnan(kpi(m, "stock_outs")->value));
    cr_assert(isnan(kpi(m, "inventory_turnover")->value));
    cr_assert(isnan(kpi(m, "days_of_supply")->value));
    NEAR(kpi(m, "slow_stock_value")->value, 0);
    NEAR(kpi(m, "skus_below_reorder_point")->value, 0);
    const model_table_t *t = model_find_table(m, TABLE_INVENTORY_ABC);
    NEAR(cell(t, 0, 1), 0);
    cr_assert(isnan(cell(t, 0, 3)));
    cr_assert_eq(model_find_table(m, TABLE_INVENTORY_REORDER)->n_rows, 0);
    area_inventory.destroy(st);
    report_model_free(m);

    setup_ctx(4);
    st = area_inventory.create(&ctx);
    snap(st, day(2024, 2, 29), "S1", "A", 0, 0);
    ship(st, "S1", "A", day(2024, 2, 10), 1, 500);
    m = finish(st);
    cr_assert(isnan(kpi(m, "inventory_turnover")->value));
    NEAR(kpi(m, "days_of_supply")->value, 0);
    NEAR(kpi(m, "stock_outs")->value, 1);
    area_inventory.destroy(st);
    report_model_free(m);
}

/* Only the inventory input: value and stock outs, nothing that needs shipments.
 * No inputs at all: nothing. */
Test(analyse_inventory, optional_inputs)
{
    setup_ctx(1);
    void *st = area_inventory.create(&ctx);
    snap(st, day(2024, 2, 29), "S1", "A", 3, 1234);
    report_model_t *m = finish(st);
    NEAR(kpi(m, "inventory_value")->value, 12.34);
    cr_assert_null(model_find_kpi(m, "inventory_turnover"));
    cr_assert_null(model_find_table(m, TABLE_INVENTORY_REORDER));
    area_inventory.destroy(st);
    report_model_free(m);

    setup_ctx(0);
    st = area_inventory.create(&ctx);
    m = finish(st);
    cr_assert_eq(m->n_kpis, 0);
    area_inventory.destroy(st);
    report_model_free(m);
    area_inventory.destroy(NULL);
}

/* ---- n/a, never 0 -------------------------------------------------------------- */

/* Shipments without a COGS column: February ships A 12 units, COGS absent.
 * With the column there but empty, COGS 0 makes the turnover 0 turns a year
 * and the ABC classes all C; without it, both are n/a. Stock value and stock
 * outs need only the snapshots: 100.00 and 1 (B at 0). */
Test(analyse_inventory, unmapped_cogs)
{
    for (int unmapped = 0; unmapped < 2; unmapped++) {
        setup_ctx(3);
        ctx.field_unmapped[KIND_SHIPMENTS][SHIP_COGS] = unmapped;
        void *st = area_inventory.create(&ctx);
        for (int m = 1; m <= 2; m++)
            snap(st, day(2024, m, 28), "S1", "A", 10, 10000);
        snap(st, day(2024, 2, 28), "S1", "B", 0, 0);
        field_value_t v[SHIP_NFIELDS] = { f_text("S"), f_text("C"), f_text("S1"), f_text("A"), f_date(day(2024, 2, 10)),
                                          f_date(day(2024, 2, 10)), f_none(), f_num(12), f_num(12), f_money(5000),
                                          f_none() };
        feed(st, IN_SHIP, v);
        report_model_t *m = finish(st);
        NEAR(kpi(m, "inventory_value")->value, 100);
        NEAR(kpi(m, "stock_outs")->value, 1);
        const kpi_t *k = kpi(m, "inventory_turnover");
        const model_table_t *abc = table(m, TABLE_INVENTORY_ABC);
        if (!unmapped) {
            NEAR(k->value, 0);
            cr_expect_eq(abc->n_rows, 3);
        } else {
            cr_expect(isnan(k->value) && isnan(k->ytd));
            cr_expect_str_eq(k->na_reason, "no cogs in the shipments export");
            cr_expect_eq(kpi(m, "days_of_supply")->na, KPI_NA_UNMAPPED);
            cr_expect_eq(abc->n_rows, 0);
            cr_expect_str_eq(abc->na_reason, "no cogs in the shipments export");
        }
        /* slow stock needs the ship dates, not COGS: A shipped 19 days ago (< 30), so 0 */
        NEAR(kpi(m, "slow_stock_value")->value, 0);
        area_inventory.destroy(st);
        report_model_free(m);
    }
}

/* Every shipment rejected: A would look unmoved for ever (slow and dead);
 * the KPIs built on shipments say why instead. */
Test(analyse_inventory, shipments_rejected_entirely)
{
    setup_ctx(3);
    ctx.input_rejected[KIND_SHIPMENTS] = true;
    void *st = area_inventory.create(&ctx);
    snap(st, day(2024, 2, 28), "S1", "A", 10, 10000);
    report_model_t *m = finish(st);
    NEAR(kpi(m, "inventory_value")->value, 100);
    static const char *const ids[] = { "inventory_turnover", "days_of_supply", "slow_stock_value",
                                       "dead_stock_value" };
    for (size_t i = 0; i < 4; i++) {
        cr_expect(isnan(kpi(m, ids[i])->value), "%s", ids[i]);
        cr_expect_str_eq(kpi(m, ids[i])->na_reason, "every row of shipments was rejected", "%s", ids[i]);
    }
    cr_expect_eq(table(m, TABLE_INVENTORY_SLOW_DEAD)->n_rows, 0);
    area_inventory.destroy(st);
    report_model_free(m);
}
