/* Unit tests for inspect (pipeline/inspect): dialect and type sniffing,
 * header normalisation, column-to-field matching and the drafted section. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opsreport/config.h"
#include "opsreport/inspect.h"

typedef struct {
    const char *name;
    const char *text;
    size_t len;                 /* 0: strlen(text) */
    inspect_encoding_t encoding;
    char delimiter, quote, decimal, thousands;
    bool header;
    size_t columns, records;
    int column;                 /* column whose first format is checked, -1: none */
    const char *date_format, *ts_format;
} sniff_case_t;

/* UTF-16LE with BOM: "a,b\n1,2\n3,4\n" */
static const char utf16[] = "\xFF\xFE" "a\0,\0b\0\n\0" "1\0,\0" "2\0\n\0" "3\0,\0" "4\0\n\0";

static const sniff_case_t sniff_cases[] = {
    { "plain comma", "a,b,c\n1,2,3\n4,5,6\n", 0, INSPECT_UTF8, ',', '"', '.', 0, true, 3, 2, -1, NULL, NULL },
    { "German semicolon", "Datum;Betrag\n31.01.2026;1.234,56\n28.02.2026;-7,50\n", 0, INSPECT_UTF8, ';', '"',
      ',', '.', true, 2, 2, 0, "%d.%m.%Y", NULL },
    { "tab", "id\tname\tamount\n1\tx y\t3.5\n2\tz\t4\n", 0, INSPECT_UTF8, '\t', '"', '.', 0, true, 3, 2, -1,
      NULL, NULL },
    { "pipe", "a|b\n1|2\n3|4\n5|6\n", 0, INSPECT_UTF8, '|', '"', '.', 0, true, 2, 3, -1, NULL, NULL },
    { "space, quoted timestamps, CR CR LF, no header",
      "-1 \"19/07/2008 11:55:00\"\r\r\n1 \"20/07/2008 12:00:00\"\r\r\n-1 \"21/07/2008 13:17:00\"\r\r\n", 0,
      INSPECT_UTF8, ' ', '"', '.', 0, false, 2, 3, 1, "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S" },
    { "UTF-8 BOM, ISO dates", "\xEF\xBB\xBFid,date\n1,2026-01-31\n2,2026-02-28\n", 0, INSPECT_UTF8_BOM, ',',
      '"', '.', 0, true, 2, 2, 1, "iso", "iso" },
    { "Windows-1252", "name,city\nM\xfcller,K\xf6ln\nA,B\n", 0, INSPECT_CP1252, ',', '"', '.', 0, true, 2, 2,
      -1, NULL, NULL },
    { "UTF-16LE", utf16, sizeof utf16 - 1, INSPECT_UTF16LE, ',', '"', '.', 0, true, 2, 2, -1, NULL, NULL },
    { "US amounts, month first", "vendor,amount,date\n\"A, Inc\",\"$1,234.50\",9/18/2019\nB,400.00,12/31/2019\n",
      0, INSPECT_UTF8, ',', '"', '.', ',', true, 3, 2, 2, "%m/%d/%Y", NULL },
    { "ambiguous days follow the month-first column",
      "a,b\n01/02/2020,02/13/2020\n03/04/2020,05/14/2020\n", 0, INSPECT_UTF8, ',', '"', '.', 0, true, 2, 2, 0,
      "%m/%d/%Y", NULL },
    { "ambiguous days alone are day-first", "a\n01/02/2020\n03/04/2020\n", 0, INSPECT_UTF8, ',', '"', '.', 0,
      true, 1, 2, 0, "%d/%m/%Y", NULL },
    { "yyyymmdd", "id,start\n1,20130215\n2,20141211\n3,20150101\n", 0, INSPECT_UTF8, ',', '"', '.', 0, true, 2,
      3, 1, "%Y%m%d", NULL },
    { "quoted newlines", "id,loc\n1,\"a\nb\"\n2,\"c\nd\"\n3,e\n", 0, INSPECT_UTF8, ',', '"', '.', 0, true, 2, 3,
      -1, NULL, NULL },
    { "12-hour clock", "hired\n02/11/2019 12:00:00 AM\n09/21/2017 01:30:00 PM\n", 0, INSPECT_UTF8, ',', '"',
      '.', 0, true, 1, 2, 0, "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M:%S %p" },
    { "years with a sentinel",
      "id,year\n1,2012\n2,Not Stated\n3,2013\n4,2014\n5,Not Stated\n6,2015\n7,2016\n8,2017\n", 0, INSPECT_UTF8,
      ',', '"', '.', 0, true, 2, 8, 1, "%Y", NULL },
    { "years and yy-Mon", "cease\n2012\n13-Dec\n2012\n14-Jan\n2013\n", 0, INSPECT_UTF8, ',', '"', '.', 0, true,
      1, 5, 0, "%Y", NULL },
};

static void check_sniff(const sniff_case_t *c)
{
    inspect_result_t *r = NULL;
    ops_error_t err = { 0 };
    size_t len = c->len ? c->len : strlen(c->text);
    cr_assert_eq(inspect_buffer(c->text, len, "case.csv", &r, &err), OPS_OK, "%s: %s", c->name, err.message);
    const inspect_dialect_t *d = &r->dialect;
    cr_expect_eq(d->encoding, c->encoding, "%s: encoding %s", c->name, inspect_encoding_name(d->encoding));
    cr_expect_eq(d->delimiter, c->delimiter, "%s: delimiter '%c'", c->name, d->delimiter);
    cr_expect_eq(d->quote, c->quote, "%s: quote '%c'", c->name, d->quote);
    cr_expect_eq(d->decimal, c->decimal, "%s: decimal '%c'", c->name, d->decimal);
    cr_expect_eq(d->thousands, c->thousands, "%s: thousands '%c'", c->name, d->thousands);
    cr_expect_eq(d->header, c->header, "%s: header", c->name);
    cr_expect_eq(r->n_columns, c->columns, "%s: %zu columns", c->name, r->n_columns);
    cr_expect_eq(r->n_records, c->records, "%s: %zu records", c->name, r->n_records);
    if (c->column >= 0) {
        const inspect_column_t *col = &r->columns[c->column];
        if (c->date_format) {
            cr_assert_gt(col->date_formats.count, 0, "%s: no date format", c->name);
            cr_expect_str_eq(col->date_formats.items[0], c->date_format, "%s", c->name);
        }
        if (c->ts_format) {
            cr_assert_gt(col->ts_formats.count, 0, "%s: no timestamp format", c->name);
            cr_expect_str_eq(col->ts_formats.items[0], c->ts_format, "%s", c->name);
        }
    }
    inspect_free(r);
}

Test(inspect, sniff)
{
    for (size_t i = 0; i < sizeof sniff_cases / sizeof sniff_cases[0]; i++)
        check_sniff(&sniff_cases[i]);
}

Test(inspect, sentinels_and_second_formats)
{
    const char *text = "cease\n2012\n13-Dec\nNot Stated\n2012\n14-Jan\n2013\nNot Stated\n2014\n2015\n";
    inspect_result_t *r = NULL;
    cr_assert_eq(inspect_buffer(text, strlen(text), "x.csv", &r, NULL), OPS_OK);
    const inspect_column_t *col = &r->columns[0];
    cr_assert_eq(col->n_sentinels, 1);
    cr_expect_str_eq(col->sentinels[0], "Not Stated");
    cr_assert_eq(col->date_formats.count, 2);
    cr_expect_str_eq(col->date_formats.items[1], "%y-%b");
    cr_expect_eq(col->type, INSPECT_DATE);
    inspect_free(r);
}

Test(inspect, letters_make_text_not_numbers)
{
    const char *text = "code,quarter,amount\nZ110205,Quarter1,12.50\nA40001,Quarter2,7\n";
    inspect_result_t *r = NULL;
    cr_assert_eq(inspect_buffer(text, strlen(text), "x.csv", &r, NULL), OPS_OK);
    cr_expect_eq(r->columns[0].type, INSPECT_TEXT);
    cr_expect_eq(r->columns[1].type, INSPECT_TEXT);
    cr_expect_eq(r->columns[2].type, INSPECT_DECIMAL);
    inspect_free(r);
}

typedef struct {
    const char *in, *out;
} norm_case_t;

Test(inspect, normalise)
{
    static const norm_case_t cases[] = {
        { "Expenditure_Code.", "expenditure code" }, { "createdDate", "created date" },
        { "HIRE_DT", "hire dt" },                    { "  Ansatz/Rechnung ", "ansatz rechnung" },
        { "\xC3\x84NDERUNG", "\xC3\xA4nderung" },     { "\xEF\xBB\xBFID", "id" },
        { "% complete", "complete" },                { "Level1_Text:_EP", "level1 text ep" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[128];
        inspect_normalise(cases[i].in, buf, sizeof buf);
        cr_expect_str_eq(buf, cases[i].out, "'%s'", cases[i].in);
    }
}

typedef struct {
    const char *name;
    const char *kind;
    const char *text;
    const char *field;
    inspect_fill_t fill;
    const char *expect;         /* column name, or the constant */
} match_case_t;

static const char tickets_csv[] =
    "Ticket Number,Opened At,Prio,State,Source,Comments\n"
    "T1,2026-01-01 10:00:00,High,Closed,email,3\n"
    "T2,2026-01-02 11:00:00,Low,In Progress,phone,0\n"
    "T3,2026-01-03 12:00:00,Medium,Open,chat,12\n";
static const char staff_csv[] =
    "Personalnummer;Name;Standort;Abteilung;Eintrittsdatum;Austrittsdatum;Grund\n"
    "1;Anna;Jena;IT;01.02.2020;;\n"
    "2;Ben;Jena;HR;15.03.2019;31.12.2025;Kündigung durch Arbeitnehmer\n"
    "3;Cem;Erfurt;IT;01.07.2021;;\n";
static const char ledger_csv[] =
    "Jahr,Kind,Konto,Betrag,Ansatz/Rechnung\n"
    "2019,Einnahmen,4000,100,Ansatz\n"
    "2019,Ausgaben,5000,50,Rechnung\n"
    "2019,Ausgaben,5100,70,Ansatz\n";
static const char po_csv[] =
    "Contract_Number,Vendor_Name,Contract_Type,Start_Date,End_Date,Contract_Amount\n"
    "1,ACME,PW,20130215,,\"$5,227,100.00\"\n"
    "2,Bolt Inc,SSE,20141211,20150930,500000\n"
    "3,Core LLC,SSE,20150101,20160101,2115246.44\n";
static const char issues_csv[] =
    "project,issue_id,issue_number,state,created_at\n"
    "a,1,a-1,open,2021-02-17T02:45:29Z\n"
    "b,1,b-1,closed,2021-02-18T02:45:29Z\n"
    "a,2,a-2,closed,2021-02-19T02:45:29Z\n";

static const match_case_t match_cases[] = {
    { "ticket by synonym", "tickets", tickets_csv, "ticket_id", FILL_COLUMN, "Ticket Number" },
    { "created by synonym", "tickets", tickets_csv, "created_at", FILL_COLUMN, "Opened At" },
    { "priority by abbreviation", "tickets", tickets_csv, "priority", FILL_COLUMN, "Prio" },
    { "status by synonym", "tickets", tickets_csv, "status", FILL_COLUMN, "State" },
    { "channel by synonym", "tickets", tickets_csv, "channel", FILL_COLUMN, "Source" },
    { "a count column is no csat", "tickets", tickets_csv, "csat", FILL_NONE, NULL },
    { "German employee id", "employees", staff_csv, "employee_id", FILL_COLUMN, "Personalnummer" },
    { "German site", "employees", staff_csv, "site", FILL_COLUMN, "Standort" },
    { "German hire date", "employees", staff_csv, "hire_date", FILL_COLUMN, "Eintrittsdatum" },
    { "German leave reason", "employees", staff_csv, "leave_reason", FILL_COLUMN, "Grund" },
    { "fte gets a neutral constant", "employees", staff_csv, "fte", FILL_CONST, "1" },
    { "account type by its values", "gl_budget", ledger_csv, "account_type", FILL_COLUMN, "Kind" },
    { "year column as date", "gl_budget", ledger_csv, "date", FILL_COLUMN, "Jahr" },
    { "entity from the file name", "gl_budget", ledger_csv, "entity", FILL_CONST, "ledger" },
    { "amount by German name", "gl_budget", ledger_csv, "amount", FILL_COLUMN, "Betrag" },
    { "po line by name", "purchase_orders", po_csv, "po_line", FILL_COLUMN, "Contract_Number" },
    { "unit price borrows the amount", "purchase_orders", po_csv, "unit_price", FILL_COLUMN, "Contract_Amount" },
    { "quantity is one", "purchase_orders", po_csv, "qty_ordered", FILL_CONST, "1" },
    { "promised date", "purchase_orders", po_csv, "promised_date", FILL_COLUMN, "End_Date" },
    { "key with repeats loses to a unique column", "tickets", issues_csv, "ticket_id", FILL_COLUMN, "issue_number" },
    { "ids are no priorities", "tickets", issues_csv, "priority", FILL_CONST, "P3" },
};

static void check_match(const match_case_t *c)
{
    inspect_result_t *r = NULL;
    const char *file = !strcmp(c->text, ledger_csv) ? "data/ledger.csv" : "data/export.csv";
    cr_assert_eq(inspect_buffer(c->text, strlen(c->text), file, &r, NULL), OPS_OK, "%s", c->name);
    const input_schema_t *s = schema_find(c->kind);
    inspect_match_t m;
    inspect_match(r, s, &m);
    int f = schema_field_index(s, c->field);
    cr_assert_geq(f, 0);
    cr_expect_eq(m.fill[f], c->fill, "%s: fill %d", c->name, m.fill[f]);
    if (c->fill == FILL_COLUMN && m.fill[f] == FILL_COLUMN)
        cr_expect_str_eq(r->columns[m.column[f]].name, c->expect, "%s", c->name);
    if (c->fill == FILL_CONST && m.fill[f] == FILL_CONST)
        cr_expect_str_eq(m.const_value[f], c->expect, "%s", c->name);
    inspect_free(r);
}

Test(inspect, match)
{
    for (size_t i = 0; i < sizeof match_cases / sizeof match_cases[0]; i++)
        check_match(&match_cases[i]);
}

Test(inspect, fallback_column_for_empty_dates)
{
    inspect_result_t *r = NULL;
    cr_assert_eq(inspect_buffer(po_csv, strlen(po_csv), "po.csv", &r, NULL), OPS_OK);
    const input_schema_t *s = schema_find("purchase_orders");
    inspect_match_t m;
    inspect_match(r, s, &m);
    cr_assert_eq(m.fill[PO_PROMISED_DATE], FILL_COLUMN);
    /* promised_date is optional: an empty cell means "never due", so no other
     * date column stands in for it */
    cr_expect_eq(m.fallback[PO_PROMISED_DATE], -1);
    inspect_free(r);
}

/* The drafted section of a budget file loads as a config and keeps the plan lines. */
Test(inspect, section_loads_as_config)
{
    inspect_result_t *r = NULL;
    cr_assert_eq(inspect_buffer(ledger_csv, strlen(ledger_csv), "ledger.csv", &r, NULL), OPS_OK);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    inspect_print_section(r, schema_find("gl_budget"), "budget", mem);
    fclose(mem);
    cr_expect_not_null(strstr(text, "[input.budget]\nkind = gl_budget\nfile = ledger.csv\n"), "%s", text);
    cr_expect_not_null(strstr(text, "\nwhere.Ansatz/Rechnung = Ansatz\n"), "%s", text);
    cr_expect_not_null(strstr(text, "\ndate_formats = %Y\n"), "%s", text);
    cr_expect_not_null(strstr(text, "\nconst.entity = ledger\n"), "%s", text);
    cr_expect_not_null(strstr(text, "\ncol.account_type = Kind\n"), "%s", text);
    char path[] = "/tmp/opsreport-inspect-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
    config_t *cfg = NULL;
    ops_error_t err = { 0 };
    cr_expect_eq(config_load(path, &cfg, &err), OPS_OK, "%s", err.message);
    if (cfg) {
        cr_expect_eq(cfg->n_inputs, 1);
        cr_expect_eq(cfg->inputs[0].n_filters, 1);
        config_free(cfg);
    }
    unlink(path);
    free(text);
    inspect_free(r);
}

Test(inspect, kinds_markdown_lists_every_kind)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    kinds_print_markdown(mem);
    fclose(mem);
    cr_expect_not_null(strstr(text, "| kind | required fields | optional fields |\n|---|---|---|\n"));
    cr_expect_not_null(strstr(text, "| `gl_actuals`, `gl_budget` | date, entity, cost_centre, account, "
                                    "account_type (revenue/cogs/opex), amount | - |\n"));
    for (int k = 0; k < KIND_COUNT; k++) {
        char name[64];
        snprintf(name, sizeof name, "`%s`", schema_for_kind((input_kind_t)k)->name);
        cr_expect_not_null(strstr(text, name), "%s missing", name);
    }
    free(text);
}
