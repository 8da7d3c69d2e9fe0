/* Unit tests for the mapping layer: value maps, vocabularies, filters, GL
 * conventions (pipeline/map/map.c) and how ingest applies them to rows. */
#include <criterion/criterion.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "opsreport/config.h"
#include "opsreport/ingest.h"
#include "opsreport/map.h"

#include "opsreport/parse.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- pure functions ------------------------------------------------- */

Test(map, text_equal_table)
{
    static const struct { const char *a, *b; bool eq; } cases[] = {
        { "1 - Critical", "1-critical", true },
        { "In Progress", "in_progress", true },
        { "  Resolved ", "resolved", true },
        { "ERLÖSE", "erlöse", true },
        { "Ausgaben", "ausgaben", true },
        { "P1", "P2", false },
        { "open", "opened", false },
        { "", "", true },
        { "a b", "ab", false },
        { "-1", "1", false },     /* SECOM's pass/fail labels */
        { "-1", " -1 ", true },
        { "_x", "x", false },
    };
    for (size_t i = 0; i < N(cases); i++)
        cr_expect_eq(map_text_equal(cases[i].a, strlen(cases[i].a), cases[i].b, strlen(cases[i].b)),
                     cases[i].eq, "case %zu: '%s' vs '%s'", i, cases[i].a, cases[i].b);
}

Test(map, vocab_table)
{
    const input_schema_t *tk = schema_find("tickets");
    const input_schema_t *gl = schema_find("gl_actuals");
    const input_schema_t *emp = schema_find("employees");
    const field_def_t *prio = &tk->fields[TKT_PRIORITY], *status = &tk->fields[TKT_STATUS];
    const field_def_t *type = &gl->fields[GL_ACCOUNT_TYPE], *leave = &emp->fields[EMP_LEAVE_REASON];
    static const struct { int which; const char *value; int expected; } cases[] = {
        { 0, "P3", TKT_P3 },
        { 0, "Blocker", TKT_P1 },           /* Jira */
        { 0, "1 - Critical", TKT_P1 },      /* ServiceNow */
        { 0, "Major", TKT_P2 },
        { 0, "High", TKT_P2 },
        { 0, "Medium", TKT_P3 },
        { 0, "4 - Low", TKT_P4 },
        { 0, "Trivial", TKT_P4 },
        { 0, "whenever", -1 },
        { 1, "New", TKT_STATUS_OPEN },
        { 1, "Awaiting User Info", TKT_STATUS_PENDING },
        { 1, "In Progress", TKT_STATUS_OPEN },
        { 1, "Done", TKT_STATUS_RESOLVED },
        { 1, "Closed", TKT_STATUS_CLOSED },
        { 2, "Einnahmen", GL_TYPE_REVENUE },
        { 2, "Ausgaben", GL_TYPE_OPEX },
        { 2, "Income", GL_TYPE_REVENUE },
        { 2, "Cost of goods sold", GL_TYPE_COGS },
        { 2, "Capex", -1 },
        { 3, "Resignation-Other reasons", EMP_LEAVE_VOLUNTARY },
        { 3, "Termination", EMP_LEAVE_INVOLUNTARY },
    };
    const field_def_t *defs[] = { prio, status, type, leave };
    for (size_t i = 0; i < N(cases); i++)
        cr_expect_eq(map_vocab(defs[cases[i].which], cases[i].value, strlen(cases[i].value)),
                     cases[i].expected, "case %zu: '%s'", i, cases[i].value);
}

Test(map, value_map_and_fallback)
{
    char *from[] = { "Lodz", "1 - Critical" }, *to[] = { "Łódź", "P1" };
    value_map_t m = { from, to, 2, NULL, 7 };
    cr_expect_str_eq(map_value(&m, "LODZ", 4), "Łódź");
    cr_expect_str_eq(map_value(&m, "1-critical", 10), "P1");
    cr_expect_null(map_value(&m, "Warsaw", 6));
    m.fallback = "P4";
    cr_expect_str_eq(map_value(&m, "Warsaw", 6), "P4");
    char buf[64];
    map_describe(&m, buf, sizeof buf);
    cr_expect_str_eq(buf, "Lodz => Łódź, 1 - Critical => P1, * => P4");
    map_describe(&m, buf, 20);
    cr_expect(strstr(buf, "...") != NULL, "cut description ends with ...: %s", buf);
}

Test(map, filters)
{
    char *vals[] = { "Actual", "Final" };
    row_filter_t where = { "Scenario", true, vals, 2, 1 };
    row_filter_t skip = { "Scenario", false, vals, 2, 1 };
    cr_expect(map_filter_pass(&where, "actual", 6));
    cr_expect_not(map_filter_pass(&where, "Budget", 6));
    cr_expect_not(map_filter_pass(&skip, "FINAL", 5));
    cr_expect(map_filter_pass(&skip, "Budget", 6));
}

Test(map, account_rules_table)
{
    account_rule_t rules[] = {
        { "4000", "4999", false, GL_TYPE_REVENUE },
        { "5", NULL, true, GL_TYPE_COGS },
        { "A100", "A199", false, GL_TYPE_OPEX },
    };
    input_config_t in = { 0 };
    in.account_rules = rules;
    in.n_account_rules = N(rules);
    static const struct { const char *acct; int type; } cases[] = {
        { "4000", GL_TYPE_REVENUE }, { "4999", GL_TYPE_REVENUE }, { "4500", GL_TYPE_REVENUE },
        { "5000", GL_TYPE_COGS },    { "51", GL_TYPE_COGS },      { "A150", GL_TYPE_OPEX },
        { "6000", -1 },              { "3999", -1 },              { "A200", -1 },
        { "40000", -1 }, /* numeric compare: 40000 is outside 4000-4999 */
    };
    for (size_t i = 0; i < N(cases); i++)
        cr_expect_eq(map_account_type(&in, cases[i].acct, strlen(cases[i].acct)), cases[i].type,
                     "account %s", cases[i].acct);
}

Test(map, phase_adds_up_exactly)
{
    static const struct { int64_t amount; bool profile; int64_t first, last; } cases[] = {
        { 120000, false, 10000, 10000 },
        { 100, false, 9, 8 },      /* 100 = 4 x 9 + 8 x 8: the remainder goes to the earliest months */
        { -100, false, -9, -8 },
        { 1, false, 1, 0 },
        { 0, false, 0, 0 },
        { 1200, true, 320, 80 },   /* profile 4,1,...,1 (sum 15): 1200 x 4/15 and 1200 x 1/15 */
    };
    double profile[12] = { 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
    for (size_t i = 0; i < N(cases); i++) {
        int64_t out[12], sum = 0;
        map_phase(cases[i].amount, cases[i].profile ? profile : NULL, out);
        for (int m = 0; m < 12; m++)
            sum += out[m];
        cr_expect_eq(sum, cases[i].amount, "case %zu sums to %lld", i, (long long)sum);
        cr_expect_eq(out[0], cases[i].first, "case %zu first month %lld", i, (long long)out[0]);
        cr_expect_eq(out[11], cases[i].last, "case %zu last month %lld", i, (long long)out[11]);
    }
}

/* fuzz findings: weights that add up to infinity made every share 0 and
 * handed the amount out one unit at a time; an amount near INT64_MAX all in
 * one month converted 2^63 to int64 */
Test(map, phase_extreme_weights_and_amounts, .timeout = 5)
{
    double huge[12] = { 1.7e308, 1.7e308, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    double one[12] = { 1 };
    int64_t out[12];
    map_phase(INT64_C(1000000000000000001), huge, out);
    cr_expect_eq(out[0] + out[1], INT64_C(1000000000000000001));
    cr_expect_eq(out[0], INT64_C(500000000000000001));
    map_phase(INT64_MAX, one, out);
    cr_expect_eq(out[0], INT64_MAX);
    map_phase(-INT64_MAX, one, out);
    cr_expect_eq(out[0], -INT64_MAX);
    /* even weights: the doubles of INT64_MAX / 12 round up, their sum overflowed */
    int64_t sum = 0;
    map_phase(INT64_MAX, NULL, out);
    for (int m = 0; m < 12; m++)
        sum += out[m];
    cr_expect_eq(sum, INT64_MAX);
}

/* ---- ingest with mappings ------------------------------------------- */

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/opsreport-map-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static void write_file(const char *name, const char *data)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    cr_assert_eq(fwrite(data, 1, strlen(data), fp), strlen(data));
    fclose(fp);
}

static config_t *load(const char *ini, ops_error_t *err)
{
    write_file("test.ini", ini);
    char path[400];
    snprintf(path, sizeof path, "%s/test.ini", dir);
    config_t *cfg = NULL;
    config_load(path, &cfg, err);
    return cfg;
}

#define MAXREC 32
typedef struct {
    int n;
    field_value_t v[MAXREC][CONFIG_MAX_FIELDS];
    char text[MAXREC][CONFIG_MAX_FIELDS][48];
} rows_t;

static ops_status_t keep(void *ctx, const ingest_record_t *rec, ops_error_t *err)
{
    (void)err;
    rows_t *r = ctx;
    if (r->n < MAXREC) {
        for (size_t f = 0; f < rec->input->schema->n_fields; f++) {
            r->v[r->n][f] = rec->values[f];
            snprintf(r->text[r->n][f], sizeof r->text[0][0], "%.*s", (int)rec->values[f].len,
                     rec->values[f].text);
        }
    }
    r->n++;
    return OPS_OK;
}

static ops_status_t ingest_text(const char *ini, const char *csv, rows_t *rows, ingest_stats_t *st,
                                ops_error_t *err)
{
    config_t *cfg = load(ini, err);
    cr_assert_not_null(cfg, "config: %s", err->message);
    write_file("in.csv", csv);
    memset(rows, 0, sizeof *rows);
    ops_status_t rc = ingest_input(&cfg->inputs[0], dir, 2, NULL, keep, rows, st, err);
    config_free(cfg);
    return rc;
}

TestSuite(map_ingest, .init = setup, .fini = teardown);

Test(map_ingest, enum_maps_vocab_const_default_fallback)
{
    static rows_t rows;
    ingest_stats_t st;
    ops_error_t err = { 0 };
    const char *ini = "[input.tickets]\nfile = in.csv\n"
                      "col.ticket_id = Key\ncol.created_at = Created\n"
                      "col.resolved_at = Resolved | Closed\n"
                      "col.priority = Priority\ncol.status = Status\n"
                      "map.status = Waiting for support => pending, Parked => pending\n"
                      "const.channel = portal\ndefault.site = HQ\ncol.site = Site\n";
    const char *csv = "Key,Created,Resolved,Closed,Priority,Status,Site\n"
                      "A-1,2026-10-01T08:00:00.123Z,,2026-10-02T08:00:00Z,Blocker,Done,Plant 2\n"
                      "A-2,2026-10-01T09:00:00Z,2026-10-01T10:00:00Z,,4 - Low,Waiting for support,\n"
                      "A-3,2026-10-01T09:00:00Z,,,Medium,Parked,\n"
                      "A-4,2026-10-01T09:00:00Z,,,Medium,Sideways,\n";
    cr_assert_eq(ingest_text(ini, csv, &rows, &st, &err), OPS_OK, "%s", err.message);
    cr_expect_eq(st.rows_read, 4);
    cr_expect_eq(st.rows_accepted, 3);
    cr_expect_eq(st.rows_rejected, 1);
    cr_expect(ingest_stats_reconciles(&st));
    cr_expect_eq(rows.v[0][TKT_PRIORITY].v.enum_index, TKT_P1);
    cr_expect_eq(rows.v[0][TKT_STATUS].v.enum_index, TKT_STATUS_RESOLVED);
    cr_expect(rows.v[0][TKT_RESOLVED_AT].present, "fallback column Closed used when Resolved is empty");
    cr_expect_str_eq(rows.text[0][TKT_CHANNEL], "portal");
    cr_expect_str_eq(rows.text[0][TKT_SITE], "Plant 2");
    cr_expect_str_eq(rows.text[1][TKT_SITE], "HQ", "default. fills an empty cell");
    cr_expect_eq(rows.v[1][TKT_PRIORITY].v.enum_index, TKT_P4);
    cr_expect_eq(rows.v[1][TKT_STATUS].v.enum_index, TKT_STATUS_PENDING);
    cr_expect_eq(rows.v[2][TKT_STATUS].v.enum_index, TKT_STATUS_PENDING);
    cr_expect(st.field_mapped[TKT_CHANNEL]);
    cr_expect_not(st.field_mapped[TKT_FIRST_RESPONSE_AT], "no column and no event log: unmapped");
    cr_expect_not(st.field_mapped[TKT_CSAT]);
    cr_assert_eq(st.n_first_rejects, 1);
    cr_expect_eq(st.first_rejects[0].line, 5);
    cr_expect_str_eq(st.first_rejects[0].column, "Status");
    cr_expect(strstr(st.first_rejects[0].reason, "map.status") != NULL, "%s", st.first_rejects[0].reason);
}

Test(map_ingest, where_and_skip_filters_count)
{
    static rows_t rows;
    ingest_stats_t st;
    ops_error_t err = { 0 };
    const char *ini = "[input.gl_budget]\nfile = in.csv\n"
                      "col.date = Year\ndate_formats = %Y\ncol.entity = Town\n"
                      "col.cost_centre = Section\ncol.account = Code\ncol.account_type = Direction\n"
                      "col.amount = Amount\nwhere.Kind = Ansatz, Plan\nskip.Section = Void\n";
    const char *csv = "Town,Section,Code,Direction,Year,Kind,Amount\n"
                      "Gilching,Rathaus,600,Einnahmen,2016,Ansatz,1200\n"
                      "Gilching,Rathaus,600,Einnahmen,2016,Rechnung,999\n"
                      "Gilching,Void,601,Ausgaben,2016,Ansatz,5\n"
                      "Gilching,Schule,700,Ausgaben,2016,plan,-12.01\n";
    cr_assert_eq(ingest_text(ini, csv, &rows, &st, &err), OPS_OK, "%s", err.message);
    cr_expect_eq(st.rows_read, 4);
    cr_expect_eq(st.rows_accepted, 2);
    cr_expect_eq(st.rows_filtered, 2);
    cr_expect(ingest_stats_reconciles(&st));
    /* two year-only lines, each phased into 12 months */
    cr_assert_eq(rows.n, 24);
    int64_t sum = 0, sum2 = 0;
    for (int i = 0; i < 12; i++) {
        sum += rows.v[i][GL_AMOUNT].v.money;
        sum2 += rows.v[12 + i][GL_AMOUNT].v.money;
        int y, m, d;
        date_to_ymd(rows.v[i][GL_DATE].v.date, &y, &m, &d);
        cr_expect(y == 2016 && m == i + 1 && d == 1, "month %d is %d-%d-%d", i + 1, y, m, d);
    }
    cr_expect_eq(sum, 120000);
    cr_expect_eq(sum2, -1201);
    cr_expect_eq(rows.v[0][GL_AMOUNT].v.money, 10000);
    cr_expect_eq(rows.v[0][GL_ACCOUNT_TYPE].v.enum_index, GL_TYPE_REVENUE);
    cr_expect_eq(rows.v[12][GL_ACCOUNT_TYPE].v.enum_index, GL_TYPE_OPEX);
    cr_expect_eq(st.money[0].total_accepted, 120000 - 1201, "control totals as in the file");
}

Test(map_ingest, account_types_and_signs)
{
    static rows_t rows;
    ingest_stats_t st;
    ops_error_t err = { 0 };
    const char *ini = "[input.gl_actuals]\nfile = in.csv\nconst.entity = Org\nconst.cost_centre = All\n"
                      "col.account = Acct\ncol.date = Date\ncol.amount = Amt\n"
                      "account_types = 4000-4999 => revenue, 5* => cogs, 6000-7999 => opex\n"
                      "revenue_sign = negative\n";
    const char *csv = "Date,Acct,Amt\n"
                      "2026-10-01,4100,-500.00\n"
                      "2026-10-01,5100,200.00\n"
                      "2026-10-01,6100,50.00\n"
                      "2026-10-01,9100,1.00\n";
    cr_assert_eq(ingest_text(ini, csv, &rows, &st, &err), OPS_OK, "%s", err.message);
    cr_expect_eq(st.rows_accepted, 3);
    cr_expect_eq(st.rows_rejected, 1);
    cr_assert_eq(rows.n, 3);
    cr_expect_eq(rows.v[0][GL_ACCOUNT_TYPE].v.enum_index, GL_TYPE_REVENUE);
    cr_expect_eq(rows.v[0][GL_AMOUNT].v.money, 50000, "revenue booked negative is flipped");
    cr_expect_eq(rows.v[1][GL_ACCOUNT_TYPE].v.enum_index, GL_TYPE_COGS);
    cr_expect_eq(rows.v[1][GL_AMOUNT].v.money, 20000);
    cr_expect_eq(rows.v[2][GL_ACCOUNT_TYPE].v.enum_index, GL_TYPE_OPEX);
    cr_expect(strstr(st.first_rejects[0].reason, "account_types") != NULL, "%s", st.first_rejects[0].reason);
    cr_expect_eq(st.money[0].total_accepted, -50000 + 20000 + 5000, "control totals as in the file");
    cr_expect(st.field_mapped[GL_ACCOUNT_TYPE]);
}

Test(map_ingest, missing_fields_listed_at_once)
{
    static rows_t rows;
    ingest_stats_t st;
    ops_error_t err = { 0 };
    const char *ini = "[input.purchase_orders]\nfile = in.csv\n";
    const char *csv = "PO Number,Vendor Name,Order Date,Amount,Age\n1,Acme,2026-10-01,5.00,3\n";
    cr_assert_eq(ingest_text(ini, csv, &rows, &st, &err), OPS_ERR_INPUT);
    /* every unmapped required field, not just the first */
    static const char *const fields[] = { "po_line", "supplier", "category",
                                          "qty_ordered", "unit_price" };
    for (size_t i = 0; i < N(fields); i++)
        cr_expect(strstr(err.message, fields[i]) != NULL, "%s missing from: %s", fields[i], err.message);
    cr_expect(strstr(err.message, "candidates: 'Vendor Name'") != NULL, "supplier candidate by meaning: %s", err.message);
    cr_expect(strstr(err.message, "order_date") == NULL, "'Order Date' is order_date by its spelling: %s", err.message);
    cr_expect(strstr(err.message, "headers found (5): 'PO Number', 'Vendor Name', 'Order Date', 'Amount', 'Age'") != NULL,
              "%s", err.message);
}

Test(map_ingest, header_false_columns_by_number)
{
    static rows_t rows;
    ingest_stats_t st;
    ops_error_t err = { 0 };
    const char *ini = "[input.quality]\nfile = in.csv\nheader = false\ndelimiter = ,\n"
                      "col.measured_at = 2\ncol.weight_g = 1\nconst.site = Fab\nconst.line = L1\n"
                      "const.subgroup = 1\ntimestamp_formats = %d/%m/%Y %H:%M:%S\n";
    const char *csv = "12.5,19/07/2008 11:55:00\n13.0,19/07/2008 12:32:00\n";
    cr_assert_eq(ingest_text(ini, csv, &rows, &st, &err), OPS_OK, "%s", err.message);
    cr_expect_eq(st.rows_read, 2, "the first row is data");
    cr_expect_eq(st.rows_accepted, 2);
    cr_expect_float_eq(rows.v[0][QUAL_WEIGHT_G].v.num, 12.5, 1e-9);
}

Test(map_ingest, trimmed_keys_are_duplicates)
{
    static rows_t rows;
    ingest_stats_t st;
    ops_error_t err = { 0 };
    const char *ini = "[input.items]\nfile = in.csv\n";
    const char *csv = "sku,unit_cost\n\"A1 \",1.00\nA1,2.00\n";
    cr_assert_eq(ingest_text(ini, csv, &rows, &st, &err), OPS_OK, "%s", err.message);
    cr_expect_eq(st.rows_accepted, 1);
    cr_expect_eq(st.rows_rejected, 1, "\"A1 \" and A1 are the same key");
}

Test(map_ingest, event_log_derives_first_response)
{
    static rows_t rows;
    ingest_stats_t st;
    ops_error_t err = { 0 };
    const char *ini = "[input.tickets]\nfile = in.csv\nkeep_latest_by = updated_at\nconst.channel = email\n";
    const char *csv = "ticket_id,updated_at,created_at,priority,status\n"
                      "T1,2026-10-01T08:00:00Z,2026-10-01T08:00:00Z,P2,New\n"
                      "T1,2026-10-01T09:30:00Z,2026-10-01T08:00:00Z,P2,Active\n"
                      "T1,2026-10-01T11:00:00Z,2026-10-01T08:00:00Z,P2,Awaiting User Info\n"
                      "T1,2026-10-02T08:00:00Z,2026-10-01T08:00:00Z,P2,Resolved\n"
                      "T2,2026-10-01T08:00:00Z,2026-10-01T08:00:00Z,P3,New\n";
    cr_assert_eq(ingest_text(ini, csv, &rows, &st, &err), OPS_OK, "%s", err.message);
    cr_expect_eq(st.rows_read, 5);
    cr_expect_eq(st.rows_accepted, 2);
    cr_expect_eq(st.rows_superseded, 3);
    cr_expect(ingest_stats_reconciles(&st));
    cr_assert_eq(rows.n, 2);
    cr_expect(st.field_mapped[TKT_FIRST_RESPONSE_AT]);
    /* "Active" is still open; "Awaiting User Info" (pending) is the first response */
    cr_expect(rows.v[0][TKT_FIRST_RESPONSE_AT].present);
    cr_expect_eq(rows.v[0][TKT_FIRST_RESPONSE_AT].v.ts - rows.v[0][TKT_CREATED_AT].v.ts, 3 * 3600);
    cr_expect_not(rows.v[1][TKT_FIRST_RESPONSE_AT].present, "T2 has not been answered");
}

Test(map_ingest, composite_key_columns)
{
    static rows_t rows;
    ingest_stats_t st;
    ops_error_t err = { 0 };
    /* issue ids repeat across projects: the key is project + id */
    const char *ini = "[input.tickets]\nfile = in.csv\ncol.ticket_id = project + id\n"
                      "col.created_at = created\nconst.priority = P3\nconst.channel = github\n"
                      "col.status = state\n";
    const char *csv = "project,id,created,state\n"
                      "alpha,1,2026-10-01T00:00:00Z,open\n"
                      "beta,1,2026-10-01T00:00:00Z,closed\n"
                      "alpha,1,2026-10-02T00:00:00Z,open\n";
    cr_assert_eq(ingest_text(ini, csv, &rows, &st, &err), OPS_OK, "%s", err.message);
    cr_expect_eq(st.rows_accepted, 2);
    cr_expect_eq(st.rows_rejected, 1, "alpha / 1 twice");
    cr_expect_str_eq(rows.text[0][TKT_ID], "alpha / 1");
    cr_expect_str_eq(rows.text[1][TKT_ID], "beta / 1");
    cr_expect(strstr(st.first_rejects[0].reason, "duplicate ticket_id 'alpha / 1'") != NULL, "%s",
              st.first_rejects[0].reason);
}

Test(map_ingest, quoted_decimal_comma_with_comma_delimiter)
{
    static rows_t rows;
    ingest_stats_t st;
    ops_error_t err = { 0 };
    const char *ini = "[input.gl_actuals]\nfile = in.csv\ndecimal = ,\nthousands = .\n"
                      "date_formats = %d.%m.%Y\nconst.entity = E\nconst.cost_centre = C\n"
                      "col.account = Konto\ncol.account_type = Art\ncol.amount = Betrag\ncol.date = Datum\n";
    const char *csv = "Datum,Konto,Art,Betrag\n"
                      "01.10.2026,4000,Erlöse,\"1.234,56\"\n"
                      "01.10.2026,6000,Aufwand,\"-0,5\"\n";
    cr_assert_eq(ingest_text(ini, csv, &rows, &st, &err), OPS_OK, "%s", err.message);
    cr_expect_eq(st.rows_accepted, 2);
    cr_expect_eq(rows.v[0][GL_AMOUNT].v.money, 123456);
    cr_expect_eq(rows.v[1][GL_AMOUNT].v.money, -50);
    cr_expect_eq(rows.v[0][GL_ACCOUNT_TYPE].v.enum_index, GL_TYPE_REVENUE, "Erlöse is revenue");
}
