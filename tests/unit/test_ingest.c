/* Unit tests for config loading, ingest (libcsv streaming) and validation. */
#include <criterion/criterion.h>
#include <csv.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsreport/config.h"
#include "opsreport/ingest.h"
#include "opsreport/manifest.h"

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/opsreport-ingest-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static void write_file(const char *name, const char *data, size_t len)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    cr_assert_eq(fwrite(data, 1, len, fp), len);
    fclose(fp);
}

static config_t *load_config(const char *ini, ops_error_t *err)
{
    write_file("test.ini", ini, strlen(ini));
    char path[400];
    snprintf(path, sizeof path, "%s/test.ini", dir);
    config_t *cfg = NULL;
    config_load(path, &cfg, err);
    return cfg;
}

typedef struct {
    int n;
    int64_t amount_sum;
    long lines[16];
    char text[16][64];
    int64_t ts[16];
} collected_t;

static ops_status_t collect(void *ctx, const ingest_record_t *rec, ops_error_t *err)
{
    (void)err;
    collected_t *c = ctx;
    if (c->n < 16) {
        c->lines[c->n] = rec->line;
        const field_value_t *v = &rec->values[1];
        snprintf(c->text[c->n], sizeof c->text[0], "%.*s", (int)v->len, v->text);
        if (rec->input->schema->kind == KIND_GL_ACTUALS)
            c->amount_sum += rec->values[GL_AMOUNT].v.money;
        if (rec->input->schema->kind == KIND_TICKETS)
            c->ts[c->n] = rec->values[TKT_UPDATED_AT].v.ts;
    }
    c->n++;
    return OPS_OK;
}

static const char *GL_INI =
    "[report]\norganisation = Test\n\n"
    "[input.gl_actuals]\nfile = gl.csv\ndelimiter = semicolon\ndecimal = ,\nthousands = .\n"
    "date_formats = %d.%m.%Y, iso\n"
    "col.date = Posting Date\ncol.entity = Entity\ncol.cost_centre = Cost Center\n"
    "col.account = Account\ncol.account_type = Type\ncol.amount = Amount\n";

static char *read_rejects(const char *name)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    gchar *text = NULL;
    cr_assert(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

Test(ingest, bom_crlf_quotes_newlines_and_line_numbers, .init = setup, .fini = teardown)
{
    /* line 1 header (with BOM); line 2 good; lines 3-4 one row with a quoted
     * newline in the account; line 5 bad date; line 6 good with trailing minus;
     * line 7 blank; line 8 bad amount */
    const char csv[] = "\xEF\xBB\xBFPosting Date;Entity;Cost Center;Account;Type;Amount\r\n"
                       "01.10.2026;Leeds;Logistics;6100 Freight;opex;1.234,56\r\n"
                       "02.10.2026;Leeds;Logistics;\"6100\r\nFreight; road\";opex;10,00\r\n"
                       "31.02.2026;Leeds;Logistics;6100;opex;5,00\r\n"
                       "2026-10-03;Lyon;Sales;4000;revenue;100,50-\r\n"
                       "\r\n"
                       "04.10.2026;Lyon;Sales;4000;revenue;12,3k\r\n";
    write_file("gl.csv", csv, sizeof csv - 1);
    ops_error_t err = { 0 };
    config_t *cfg = load_config(GL_INI, &err);
    cr_assert_not_null(cfg, "%s", err.message);
    rejects_writer_t *rw = NULL;
    char rpath[400];
    snprintf(rpath, sizeof rpath, "%s/rejects.csv", dir);
    cr_assert_eq(rejects_open(rpath, &rw, &err), OPS_OK);
    collected_t c = { 0 };
    ingest_stats_t st;
    ops_status_t rc = ingest_input(&cfg->inputs[0], dir, 2, rw, collect, &c, &st, &err);
    cr_assert_eq(rc, OPS_OK, "%s", err.message);
    cr_assert_eq(rejects_close(rw, &err), OPS_OK);
    cr_assert_eq(st.rows_read, 5);
    cr_assert_eq(st.rows_accepted, 3);
    cr_assert_eq(st.rows_rejected, 2);
    cr_assert_eq(c.n, 3);
    cr_assert_eq(c.lines[0], 2);
    cr_assert_eq(c.lines[1], 3);
    cr_assert_eq(c.lines[2], 6);
    /* 1234.56 + 10.00 - 100.50 = 1144.06 */
    cr_assert_eq(c.amount_sum, 114406);
    cr_assert_eq(st.money[0].total_accepted, 114406);
    /* rejected: line 5 (bad date; its amount 5.00 parsed), line 8 (amount unreadable) */
    cr_assert_eq(st.money[0].total_rejected, 500);
    cr_assert_eq(st.money[0].unparsed, 1);
    cr_assert_eq(st.first_rejects[0].line, 5);
    cr_assert_str_eq(st.first_rejects[0].column, "Posting Date");
    cr_assert_eq(st.first_rejects[1].line, 8);
    cr_assert_str_eq(st.first_rejects[1].column, "Amount");
    cr_assert_str_eq(st.first_rejects[1].reason,
                     "expected an amount like 1.234,56: 'k' is not part of a number (currency symbols are accepted only through currency_symbols)");
    char *rej = read_rejects("rejects.csv");
    cr_assert(strstr(rej, "\"gl_actuals\",\"") != NULL);
    cr_assert(strstr(rej, "\"5\",\"Posting Date\",\"31.02.2026\"") != NULL, "%s", rej);
    g_free(rej);
    /* the file's hash, checked against GLib's independent SHA-256 */
    gchar *want = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)csv, sizeof csv - 1);
    cr_assert_str_eq(st.sha256, want);
    g_free(want);
    cr_assert_eq(st.bytes, sizeof csv - 1);
    config_free(cfg);
}

Test(ingest, cr_only_line_ends, .init = setup, .fini = teardown)
{
    const char csv[] = "Posting Date;Entity;Cost Center;Account;Type;Amount\r"
                       "01.10.2026;Leeds;Logistics;6100;opex;1,00\r"
                       "01.10.2026;Leeds;Logistics;6100;opex;x\r"
                       "01.10.2026;Leeds;Logistics;6100;opex;2,00";
    write_file("gl.csv", csv, sizeof csv - 1);
    ops_error_t err = { 0 };
    config_t *cfg = load_config(GL_INI, &err);
    collected_t c = { 0 };
    ingest_stats_t st;
    cr_assert_eq(ingest_input(&cfg->inputs[0], dir, 2, NULL, collect, &c, &st, &err), OPS_OK);
    cr_assert_eq(st.rows_read, 3);
    cr_assert_eq(st.rows_rejected, 1);
    cr_assert_eq(st.first_rejects[0].line, 3);
    cr_assert_eq(c.lines[1], 4);
    cr_assert_eq(c.amount_sum, 300);
    config_free(cfg);
}

Test(ingest, unmapped_required_column_lists_headers, .init = setup, .fini = teardown)
{
    const char csv[] = "Posting Date;Entity;Cost Centre;Account;Type;Amount\n";
    write_file("gl.csv", csv, sizeof csv - 1);
    ops_error_t err = { 0 };
    config_t *cfg = load_config(GL_INI, &err);
    ingest_stats_t st;
    cr_assert_eq(ingest_input(&cfg->inputs[0], dir, 2, NULL, NULL, NULL, &st, &err), OPS_ERR_INPUT);
    cr_assert(strstr(err.message, "col.cost_centre = 'Cost Center': not among the headers (candidates: 'Cost Centre')") != NULL,
              "%s", err.message);
    cr_assert(strstr(err.message, "headers found (6): 'Posting Date', 'Entity', 'Cost Centre', 'Account', 'Type', 'Amount'") != NULL,
              "%s", err.message);
    config_free(cfg);
}

Test(ingest, missing_file_and_optional, .init = setup, .fini = teardown)
{
    ops_error_t err = { 0 };
    config_t *cfg = load_config(GL_INI, &err);
    ingest_stats_t st;
    cr_assert_eq(ingest_input(&cfg->inputs[0], dir, 2, NULL, NULL, NULL, &st, &err), OPS_ERR_INPUT);
    cr_assert(strstr(err.message, "gl.csv") != NULL);
    cfg->inputs[0].optional = true;
    cr_assert_eq(ingest_input(&cfg->inputs[0], dir, 2, NULL, NULL, NULL, &st, &err), OPS_OK);
    cr_assert_not(st.present);
    config_free(cfg);
}

Test(ingest, windows_1252_and_duplicates, .init = setup, .fini = teardown)
{
    const char *ini = "[input.employees]\nfile = emp.csv\nencoding = windows-1252\n"
                      "date_formats = %d-%m-%y\n";
    /* "Zo\xEB M\xFCller" is "Zoë Müller" in cp1252 */
    const char csv[] = "employee_id,name,site,department,hire_date,leave_date,leave_reason,fte\n"
                       "E1,Zo\xEB M\xFCller,Leeds,Ops,01-02-20,,,1\n"
                       "E2,Fran\xE7ois,Lyon,Ops,01-02-21,NA,,0.5\n"
                       "E1,Someone Else,Leeds,Ops,01-02-22,,,1\n"
                       "E3,Too Much,Lyon,Ops,01-02-21,,,2\n";
    write_file("emp.csv", csv, sizeof csv - 1);
    ops_error_t err = { 0 };
    config_t *cfg = load_config(ini, &err);
    cr_assert_not_null(cfg, "%s", err.message);
    collected_t c = { 0 };
    ingest_stats_t st;
    cr_assert_eq(ingest_input(&cfg->inputs[0], dir, 2, NULL, collect, &c, &st, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(c.n, 2);
    cr_assert_str_eq(c.text[0], "Zo\xC3\xAB M\xC3\xBCller");
    cr_assert_str_eq(c.text[1], "Fran\xC3\xA7ois");
    cr_assert_eq(st.rows_rejected, 2);
    cr_assert_str_eq(st.first_rejects[0].reason, "duplicate employee_id 'E1' (first on line 2)");
    cr_assert_str_eq(st.first_rejects[1].reason, "fte out of range: expected 0 to 1.5");
    config_free(cfg);
}

Test(ingest, event_log_keeps_latest_update, .init = setup, .fini = teardown)
{
    const char *ini = "[input.tickets]\nfile = t.csv\nkeep_latest_by = updated_at\n";
    const char csv[] =
        "ticket_id,updated_at,created_at,first_response_at,resolved_at,priority,channel,status,csat,reopened,site\n"
        "T1,2026-10-01 09:00:00,2026-10-01 09:00:00,,,P2,email,open,,,Leeds\n"
        "T2,2026-10-02 09:00:00,2026-10-02 09:00:00,,,P1,phone,open,,,Lyon\n"
        "T1,2026-10-01 12:00:00,2026-10-01 09:00:00,2026-10-01 10:00:00,2026-10-01 12:00:00,P2,email,resolved,5,no,Leeds\n"
        "T1,2026-10-01 11:00:00,2026-10-01 09:00:00,2026-10-01 10:00:00,,P2,email,pending,,,Leeds\n"
        "T3,2026-10-02 09:00:00,2026-10-02 09:00:00,,,P9,chat,open,,,Lyon\n";
    write_file("t.csv", csv, sizeof csv - 1);
    ops_error_t err = { 0 };
    config_t *cfg = load_config(ini, &err);
    cr_assert_not_null(cfg, "%s", err.message);
    collected_t c = { 0 };
    ingest_stats_t st;
    cr_assert_eq(ingest_input(&cfg->inputs[0], dir, 2, NULL, collect, &c, &st, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(st.rows_read, 5);
    cr_assert_eq(st.rows_rejected, 1); /* P9 */
    cr_assert_eq(st.rows_superseded, 2);
    cr_assert_eq(st.rows_accepted, 2, "superseded rows are counted apart");
    cr_assert(ingest_stats_reconciles(&st));
    cr_assert_eq(c.n, 2, "one row per ticket");
    cr_assert_eq(c.lines[0], 4, "T1's latest update is the 12:00 row on line 4");
    cr_assert_eq(c.ts[0], 20727LL * 86400 + 12 * 3600); /* 2026-10-01 = day 20727 */
    config_free(cfg);
}

Test(config, unknown_key_names_line_and_nearest, .init = setup, .fini = teardown)
{
    ops_error_t err = { 0 };
    config_t *cfg = load_config("[report]\norganisation = X\nfiscal_year_strat = 4\n", &err);
    cr_assert_null(cfg);
    cr_assert_eq(err.status, OPS_ERR_CONFIG);
    cr_assert_eq(err.line, 3);
    cr_assert(strstr(err.message, "did you mean 'fiscal_year_start'") != NULL, "%s", err.message);
}

Test(config, unknown_section_and_column_field, .init = setup, .fini = teardown)
{
    ops_error_t err = { 0 };
    config_t *cfg = load_config("[reprot]\norganisation = X\n", &err);
    cr_assert_null(cfg);
    cr_assert(strstr(err.message, "did you mean [report]") != NULL, "%s", err.message);
    cfg = load_config("[input.gl_actuals]\nfile = a.csv\ncol.ammount = Amount\n", &err);
    cr_assert_null(cfg);
    cr_assert_eq(err.line, 3);
    cr_assert(strstr(err.message, "did you mean 'col.amount'") != NULL, "%s", err.message);
}

Test(config, values_are_checked, .init = setup, .fini = teardown)
{
    ops_error_t err = { 0 };
    cr_assert_null(load_config("[report]\nfiscal_year_start = 13\n", &err));
    cr_assert(strstr(err.message, "1 to 12") != NULL);
    cr_assert_null(load_config("[input.gl_actuals]\nfile = a.csv\nencoding = klingon-8\n", &err));
    cr_assert(strstr(err.message, "unknown encoding 'klingon-8'") != NULL, "%s", err.message);
    config_t *cfg = load_config("[report]\nfiscal_year_start = 4\ncurrency = USD\n[kpi.otif]\ntarget = 95\namber = 90\ndirection = higher\n", &err);
    cr_assert_not_null(cfg, "%s", err.message);
    cr_assert_eq(cfg->fiscal_year_start, 4);
    cr_assert_str_eq(cfg->currency, "USD");
    cr_assert_float_eq(config_find_kpi(cfg, "otif")->target, 95.0, 1e-9);
    cr_assert_eq(strlen(cfg->sha256), 64);
    config_free(cfg);
}

Test(csv_neutralise, formula_prefixes)
{
    char buf[32];
    csv_neutralise("=SUM(A1)", 8, buf, sizeof buf);
    cr_assert_str_eq(buf, "'=SUM(A1)");
    csv_neutralise("@cmd", 4, buf, sizeof buf);
    cr_assert_str_eq(buf, "'@cmd");
    csv_neutralise("-5", 2, buf, sizeof buf);
    cr_assert_str_eq(buf, "'-5");
    csv_neutralise("\tx", 2, buf, sizeof buf);
    cr_assert_str_eq(buf, "'\tx");
    csv_neutralise("plain", 5, buf, sizeof buf);
    cr_assert_str_eq(buf, "plain");
}

Test(ingest, alias_needs_from_to_pairs, .init = setup, .fini = teardown)
{
    ops_error_t err = { 0 };
    config_t *cfg = load_config("[input.employees]\nfile = emp.csv\nalias.department = X\n", &err);
    cr_assert_null(cfg);
    cr_assert(strstr(err.message, "'From => To'") != NULL, "%s", err.message);
    cfg = load_config("[input.employees]\nfile = emp.csv\nalias.ftee = 1 => 2\n", &err);
    cr_assert_null(cfg);
    cr_assert(strstr(err.message, "has no field 'ftee'; did you mean 'alias.fte'") != NULL, "%s", err.message);
}

static ops_status_t collect_site(void *ctx, const ingest_record_t *rec, ops_error_t *err)
{
    (void)err;
    collected_t *c = ctx;
    const field_value_t *v = &rec->values[EMP_SITE];
    snprintf(c->text[c->n++], sizeof c->text[0], "%.*s", (int)v->len, v->text);
    return OPS_OK;
}

Test(ingest, alias_values_reach_the_sink, .init = setup, .fini = teardown)
{
    const char *ini = "[input.employees]\nfile = emp.csv\ndate_formats = %d-%m-%y\n"
                      "alias.site = Lodz => \xC5\x81\xC3\xB3""d\xC5\xBA, Lyons => Lyon\n";
    const char csv[] = "employee_id,name,site,department,hire_date,leave_date,leave_reason,fte\n"
                       "E1,Anna,Lodz,Ops,01-02-20,,,1\n"
                       "E2,Bea,Lyons,Ops,01-02-21,,,1\n"
                       "E3,Cy,Leeds,Ops,01-02-21,,,1\n";
    write_file("emp.csv", csv, sizeof csv - 1);
    ops_error_t err = { 0 };
    config_t *cfg = load_config(ini, &err);
    cr_assert_not_null(cfg, "%s", err.message);
    collected_t c = { 0 };
    ingest_stats_t st;
    cr_assert_eq(ingest_input(&cfg->inputs[0], dir, 2, NULL, collect_site, &c, &st, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(c.n, 3);
    cr_assert_str_eq(c.text[0], "\xC5\x81\xC3\xB3""d\xC5\xBA");
    cr_assert_str_eq(c.text[1], "Lyon");
    cr_assert_str_eq(c.text[2], "Leeds");
    config_free(cfg);
}

/* libcsv runs non-strict: a stray quote inside an unquoted field stays text.
 * A quote left open swallows the rest of the file into one field: each
 * line it swallowed is read and rejected as its own row, so R4 is counted
 * (rows read 4) and the rejects show both lines with their text. */
Test(ingest, stray_and_unterminated_quotes, .init = setup, .fini = teardown)
{
    const char *ini = "[input.risks]\nfile = r.csv\n";
    const char csv[] = "risk_id,title,owner,category,site,raised_date,likelihood,impact,exposure,mitigation_due,status\n"
                       "R1,5\" pipe leak,Ann,Ops,Leeds,2026-01-05,2,3,100.00,,open\n"
                       "R2,\"Roof, north\",Bob,Ops,Lyon,2026-01-06,4,4,,,open\n"
                       "R3,\"never closed,Cy,Ops,Lyon,2026-01-07,1,1,,,open\n"
                       "R4,Later row,Di,Ops,Lyon,2026-01-08,1,1,,,open\n";
    write_file("r.csv", csv, sizeof csv - 1);
    ops_error_t err = { 0 };
    config_t *cfg = load_config(ini, &err);
    cr_assert_not_null(cfg, "%s", err.message);
    collected_t c = { 0 };
    ingest_stats_t st;
    cr_assert_eq(ingest_input(&cfg->inputs[0], dir, 2, NULL, collect, &c, &st, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(c.n, 2);
    cr_assert_str_eq(c.text[0], "5\" pipe leak");
    cr_assert_str_eq(c.text[1], "Roof, north");
    cr_assert_eq(st.rows_read, 4);
    cr_assert_eq(st.rows_rejected, 2);
    cr_assert(ingest_stats_reconciles(&st));
    cr_assert_eq(st.physical_lines, 5);
    cr_assert_eq(st.overlong_records, 0, "2 lines is within max_field_lines");
    const char *why = "inside a quoted field opened on line 4 and never closed (lines 4-5): "
                      "probably a stray quote; fix the export or set quote = none";
    cr_assert_eq(st.first_rejects[0].line, 4, "the open quote starts on line 4");
    cr_assert_str_eq(st.first_rejects[0].value, "R3,\"never closed,Cy,Ops,Lyon,2026-01-07,1,1,,,open");
    cr_assert_str_eq(st.first_rejects[0].reason, why);
    cr_assert_eq(st.first_rejects[1].line, 5);
    cr_assert_str_eq(st.first_rejects[1].value, "R4,Later row,Di,Ops,Lyon,2026-01-08,1,1,,,open");
    cr_assert_str_eq(st.first_rejects[1].reason, why);
    config_free(cfg);
}

/* ---- the reader: physical lines, multi-line records, swallowed lines,
 * encodings, quote = none, space delimiter ---- */

#define BLOCK (256 * 1024) /* ingest.c reads the file in blocks of this size */

/* Loads ini, reads its first input from data_dir (the temporary dir if NULL). */
static ops_status_t read_input(const char *ini, const char *data_dir, ingest_record_fn sink, void *ctx,
                               ingest_stats_t *st, ops_error_t *err)
{
    config_t *cfg = load_config(ini, err);
    cr_assert_not_null(cfg, "%s", err->message);
    ops_status_t rc = ingest_input(&cfg->inputs[0], data_dir ? data_dir : dir, 2, NULL, sink, ctx, st, err);
    config_free(cfg);
    return rc;
}

typedef struct {
    const char *name;
    const char *eol;       /* after every line */
    bool final_eol;        /* after the last line too */
    uint64_t physical_lines;
    long bad_line;
    long good_lines[2];
} line_end_case_t;

/* header, a good row, a bad amount, a good row: lines 1-4 whatever the line ends */
Test(reader, line_ends_keep_physical_line_numbers, .init = setup, .fini = teardown)
{
    static const line_end_case_t cases[] = {
        { "LF", "\n", true, 4, 3, { 2, 4 } },
        { "CRLF, no final line end", "\r\n", false, 4, 3, { 2, 4 } },
        { "lone CR (old Mac)", "\r", true, 4, 3, { 2, 4 } },
        { "CR CR LF (re-saved on Windows)", "\r\r\n", true, 4, 3, { 2, 4 } },
        { "CR CR CR LF, no final line end", "\r\r\r\n", false, 4, 3, { 2, 4 } },
        { "CR CR: a blank line after each", "\r\r", true, 8, 5, { 3, 7 } },
        { "LF LF: a blank line after each", "\n\n", true, 8, 5, { 3, 7 } },
    };
    const char *rows[] = { "Posting Date;Entity;Cost Center;Account;Type;Amount",
                           "01.10.2026;Leeds;Logistics;6100;opex;1,00",
                           "01.10.2026;Leeds;Logistics;6100;opex;x",
                           "01.10.2026;Leeds;Logistics;6100;opex;2,00" };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const line_end_case_t *tc = &cases[k];
        GString *csv = g_string_new("");
        for (size_t r = 0; r < 4; r++)
            g_string_append_printf(csv, "%s%s", rows[r], r < 3 || tc->final_eol ? tc->eol : "");
        write_file("gl.csv", csv->str, csv->len);
        g_string_free(csv, TRUE);
        ops_error_t err = { 0 };
        collected_t c = { 0 };
        ingest_stats_t st;
        cr_assert_eq(read_input(GL_INI, NULL, collect, &c, &st, &err), OPS_OK, "%s: %s", tc->name, err.message);
        cr_assert_eq(st.physical_lines, tc->physical_lines, "%s: %llu lines", tc->name, (unsigned long long)st.physical_lines);
        cr_assert_eq(st.rows_read, 3, "%s: no empty records", tc->name);
        cr_assert_eq(st.rows_rejected, 1, "%s", tc->name);
        cr_assert_eq(st.first_rejects[0].line, tc->bad_line, "%s: bad row on line %ld", tc->name, st.first_rejects[0].line);
        cr_assert_eq(c.lines[0], tc->good_lines[0], "%s", tc->name);
        cr_assert_eq(c.lines[1], tc->good_lines[1], "%s", tc->name);
        cr_assert_eq(st.multiline_records, 0, "%s", tc->name);
    }
}

typedef struct {
    const char *eol;
    size_t before;  /* bytes of the line end that fall before the block boundary */
} split_case_t;

/* The line end of line 2 cut by the 256 KiB block boundary at every point. */
Test(reader, line_end_split_across_blocks, .init = setup, .fini = teardown)
{
    static const split_case_t cases[] = {
        { "\r\n", 1 }, { "\r\r\n", 1 }, { "\r\r\n", 2 }, { "\r\r\n", 3 }, { "\r\r\r\n", 2 }, { "\r", 1 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const split_case_t *tc = &cases[k];
        const char *head = "Posting Date;Entity;Cost Center;Account;Type;Amount";
        const char *row2 = "01.10.2026;;Logistics;6100;opex;1,00"; /* entity padded to the boundary */
        size_t used = strlen(head) + strlen(tc->eol) + strlen(row2);
        size_t pad = BLOCK - tc->before - used;
        GString *csv = g_string_new(head);
        g_string_append(csv, tc->eol);
        g_string_append(csv, "01.10.2026;");
        for (size_t i = 0; i < pad; i++)
            g_string_append_c(csv, 'x');
        g_string_append(csv, ";Logistics;6100;opex;1,00");
        cr_assert_eq(csv->len + tc->before, BLOCK);
        g_string_append(csv, tc->eol);
        g_string_append(csv, "01.10.2026;Leeds;Logistics;6100;opex;x");
        g_string_append(csv, tc->eol);
        g_string_append(csv, "01.10.2026;Leeds;Logistics;6100;opex;2,00");
        g_string_append(csv, tc->eol);
        write_file("gl.csv", csv->str, csv->len);
        g_string_free(csv, TRUE);
        ops_error_t err = { 0 };
        collected_t c = { 0 };
        ingest_stats_t st;
        cr_assert_eq(read_input(GL_INI, NULL, collect, &c, &st, &err), OPS_OK, "%s", err.message);
        cr_assert_eq(st.physical_lines, 4, "case %zu: %llu lines", k, (unsigned long long)st.physical_lines);
        cr_assert_eq(st.rows_read, 3, "case %zu", k);
        cr_assert_eq(st.first_rejects[0].line, 3, "case %zu: bad row on line %ld", k, st.first_rejects[0].line);
        cr_assert_eq(c.lines[1], 4, "case %zu", k);
    }
}

static const char *ITEMS_INI = "[input.items]\nfile = items.csv\n";

typedef struct {
    const char *name;
    const char *csv;
    uint64_t physical_lines, rows_read, multiline;
    size_t n_ranges;
    long first[2], last_kept[2]; /* ranges[0] and ranges[n_ranges - 1] */
} multiline_case_t;

/* NYC 311 style: the location field is "\n,  \n(lat, lon)" over 3 lines. */
Test(reader, multiline_records_counted_with_ranges, .init = setup, .fini = teardown)
{
    GString *many = g_string_new("sku,description,unit_cost\n");
    for (int i = 0; i < 12; i++) /* record i on lines 2 + 2i and 3 + 2i */
        g_string_append_printf(many, "S%d,\"two\nlines\",1.00\n", i);
    const multiline_case_t cases[] = {
        { "NYC-like",
          "sku,description,unit_cost\n"
          "\"A1\",\"\n,  \n(40.67, -73.73)\",1.00\n"   /* lines 2-4 */
          "\"A2\",\"plain\",2.00\n"                     /* line 5 */
          "\"A3\",\"\n,  \n(40.61, -73.70)\",x\n"     /* lines 6-8, rejected */
          "A4,\"two\r\nlines\",4.00\r\n",               /* lines 9-10 */
          10, 4, 3, 3, { 2, 4 }, { 9, 10 } },
        { "over 10: counted, first 10 ranges kept", many->str, 25, 12, 12, 10, { 2, 3 }, { 20, 21 } },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const multiline_case_t *tc = &cases[k];
        write_file("items.csv", tc->csv, strlen(tc->csv));
        ops_error_t err = { 0 };
        ingest_stats_t st;
        cr_assert_eq(read_input(ITEMS_INI, NULL, NULL, NULL, &st, &err), OPS_OK, "%s", err.message);
        cr_assert_eq(st.physical_lines, tc->physical_lines, "%s", tc->name);
        cr_assert_eq(st.rows_read, tc->rows_read, "%s", tc->name);
        cr_assert_eq(st.multiline_records, tc->multiline, "%s", tc->name);
        cr_assert_eq(st.n_multiline_ranges, tc->n_ranges, "%s", tc->name);
        cr_assert_eq(st.multiline_ranges[0][0], tc->first[0], "%s", tc->name);
        cr_assert_eq(st.multiline_ranges[0][1], tc->first[1], "%s", tc->name);
        cr_assert_eq(st.multiline_ranges[tc->n_ranges - 1][0], tc->last_kept[0], "%s", tc->name);
        cr_assert_eq(st.multiline_ranges[tc->n_ranges - 1][1], tc->last_kept[1], "%s", tc->name);
        cr_assert_eq(st.overlong_records, 0, "%s", tc->name);
        cr_assert(ingest_stats_reconciles(&st), "%s", tc->name);
    }
    /* the bad row of the NYC-like file is reported where it starts */
    write_file("items.csv", cases[0].csv, strlen(cases[0].csv));
    ops_error_t err = { 0 };
    ingest_stats_t st;
    cr_assert_eq(read_input(ITEMS_INI, NULL, NULL, NULL, &st, &err), OPS_OK);
    cr_assert_eq(st.rows_rejected, 1);
    cr_assert_eq(st.first_rejects[0].line, 6);
    g_string_free(many, TRUE);
}

typedef struct {
    int max_field_lines;
    const char *title;       /* R1's quoted title, from line 2 */
    uint64_t rows_read, rejected, overlong;
    long r2_line;            /* the row after it */
    const char *reason;      /* of the first reject, NULL: none */
} max_lines_case_t;

Test(reader, max_field_lines_boundary, .init = setup, .fini = teardown)
{
    static const max_lines_case_t cases[] = {
        { 3, "a\nb\nc", 2, 0, 0, 5, NULL },
        { 3, "a\nb\nc\nd", 5, 4, 1, 6,
          "inside a quoted field spanning lines 2-5 (4 lines, over max_field_lines = 3): "
          "probably a stray quote; fix the export or set quote = none" },
        { 3, "a\n\nc\nd", 4, 3, 1, 6, NULL }, /* the blank line inside is no row */
        { 1, "a", 2, 0, 0, 3, NULL },
        { 1, "a\nb", 3, 2, 1, 4,
          "inside a quoted field spanning lines 2-3 (2 lines, over max_field_lines = 1): "
          "probably a stray quote; fix the export or set quote = none" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const max_lines_case_t *tc = &cases[k];
        char ini[200], csv[600];
        snprintf(ini, sizeof ini, "[input.risks]\nfile = r.csv\nmax_field_lines = %d\n", tc->max_field_lines);
        snprintf(csv, sizeof csv,
                 "risk_id,title,owner,category,site,raised_date,likelihood,impact,exposure,mitigation_due,status\n"
                 "R1,\"%s\",Ann,Ops,Leeds,2026-01-05,2,3,,,open\n"
                 "R2,After,Bo,Ops,Lyon,2026-01-06,1,1,,,open\n", tc->title);
        write_file("r.csv", csv, strlen(csv));
        ops_error_t err = { 0 };
        collected_t c = { 0 };
        ingest_stats_t st;
        cr_assert_eq(read_input(ini, NULL, collect, &c, &st, &err), OPS_OK, "%s", err.message);
        cr_assert_eq(st.rows_read, tc->rows_read, "case %zu: read %llu", k, (unsigned long long)st.rows_read);
        cr_assert_eq(st.rows_rejected, tc->rejected, "case %zu", k);
        cr_assert_eq(st.overlong_records, tc->overlong, "case %zu", k);
        cr_assert(ingest_stats_reconciles(&st), "case %zu", k);
        cr_assert_eq(c.lines[c.n - 1], tc->r2_line, "case %zu: R2 on line %ld", k, c.lines[c.n - 1]);
        if (tc->rejected) {
            cr_assert_eq(st.first_rejects[0].line, 2, "case %zu", k);
            cr_assert_str_eq(st.first_rejects[0].value, "R1,\"a", "case %zu", k);
            cr_assert_str_eq(st.first_rejects[0].column, "", "case %zu", k);
        }
        if (tc->reason)
            cr_assert_str_eq(st.first_rejects[0].reason, tc->reason, "case %zu", k);
    }
}

/* tests/data/reader, from the repo root the tests run in (tests/run.sh). */
static const char *reader_data(void)
{
    static const char *d = "tests/data/reader";
    struct stat sb;
    cr_assert(stat(d, &sb) == 0, "%s not found: run the tests from the repository root", d);
    return d;
}

typedef struct {
    long lines[300];
    char *values[300];
    size_t n, field;
    long line;
} rejects_csv_t;

static void rejects_field(void *data, size_t len, void *ctx)
{
    rejects_csv_t *r = ctx;
    if (r->n < 300 && r->field == 2) {
        char num[24];
        snprintf(num, sizeof num, "%.*s", (int)(len < 23 ? len : 23), (const char *)data);
        r->line = strtol(num, NULL, 10);
    }
    if (r->n < 300 && r->field == 4) {
        r->lines[r->n] = r->line;
        r->values[r->n] = g_strndup(data, len);
    }
    r->field++;
}

static void rejects_record(int c, void *ctx)
{
    rejects_csv_t *r = ctx;
    (void)c;
    if (r->line > 0)
        r->n++;
    else if (r->n < 300) { /* the header row */
        g_free(r->values[r->n]);
        r->values[r->n] = NULL;
    }
    r->field = 0;
    r->line = 0;
}

typedef struct {
    const char *quote;       /* config line */
    uint64_t rows_read, rejected, accepted, overlong, multiline;
} stray_case_t;

/* The real case: a Latin-1 ';' export with a stray '"' at the start of a
 * title on line 12; the next quote that can close a field is on line 269.
 * Read as 511 records before (lines 12-269 were one); now 768 rows are read,
 * lines 12-269 rejected one by one, and the counts reconcile. */
Test(reader, stray_quote_rejects_each_swallowed_line, .init = setup, .fini = teardown)
{
    static const stray_case_t cases[] = {
        { "", 768, 258, 510, 1, 1 },
        /* quotes as text: the three titles quoted around a ';' split */
        { "quote = none\n", 768, 3, 765, 0, 0 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const stray_case_t *tc = &cases[k];
        char ini[300];
        snprintf(ini, sizeof ini, "[input.risks]\nfile = stray_quote_latin1.csv\ndelimiter = semicolon\n"
                                  "encoding = latin-1\n%s", tc->quote);
        ops_error_t err = { 0 };
        ingest_stats_t st;
        cr_assert_eq(read_input(ini, reader_data(), NULL, NULL, &st, &err), OPS_OK, "%s", err.message);
        cr_assert_eq(st.physical_lines, 769, "case %zu", k);
        cr_assert_eq(st.rows_read, tc->rows_read, "case %zu: read %llu", k, (unsigned long long)st.rows_read);
        cr_assert_eq(st.rows_rejected, tc->rejected, "case %zu: rejected %llu", k, (unsigned long long)st.rows_rejected);
        cr_assert_eq(st.rows_accepted, tc->accepted, "case %zu", k);
        cr_assert_eq(st.overlong_records, tc->overlong, "case %zu", k);
        cr_assert_eq(st.multiline_records, tc->multiline, "case %zu", k);
        cr_assert(ingest_stats_reconciles(&st), "case %zu", k);
        cr_assert_eq(st.invalid_bytes, 0, "case %zu", k);
    }
}

/* Every rejected line carries its own line number and that line's text. */
Test(reader, stray_quote_rejects_name_line_and_text, .init = setup, .fini = teardown)
{
    const char *ini = "[input.risks]\nfile = stray_quote_latin1.csv\ndelimiter = semicolon\nencoding = latin-1\n";
    ops_error_t err = { 0 };
    config_t *cfg = load_config(ini, &err);
    cr_assert_not_null(cfg, "%s", err.message);
    rejects_writer_t *rw = NULL;
    char rpath[400];
    snprintf(rpath, sizeof rpath, "%s/rejects.csv", dir);
    cr_assert_eq(rejects_open(rpath, &rw, &err), OPS_OK);
    ingest_stats_t st;
    cr_assert_eq(ingest_input(&cfg->inputs[0], reader_data(), 2, rw, NULL, NULL, &st, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(rejects_close(rw, &err), OPS_OK);
    const char *why = "inside a quoted field spanning lines 12-269 (258 lines, over max_field_lines = 50): "
                      "probably a stray quote; fix the export or set quote = none";
    cr_assert_eq(st.first_rejects[0].line, 12);
    cr_assert_str_eq(st.first_rejects[0].reason, why);
    cr_assert_eq(st.n_multiline_ranges, 1);
    cr_assert_eq(st.multiline_ranges[0][0], 12);
    cr_assert_eq(st.multiline_ranges[0][1], 269);

    /* the file's lines, decoded, to compare each reject's value with */
    gchar *raw = NULL, *text = NULL;
    gsize raw_len = 0;
    cr_assert(g_file_get_contents("tests/data/reader/stray_quote_latin1.csv", &raw, &raw_len, NULL));
    text = g_convert(raw, (gssize)raw_len, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
    cr_assert_not_null(text);
    gchar **lines = g_strsplit(text, "\n", -1);
    cr_assert_str_eq(lines[11], "R0011;\"Zoll-Rohr undicht;M\xC3\xBCller;Betrieb;Ilmenau;2026-12-12;2;3;407.50;;closed");

    rejects_csv_t r = { 0 };
    struct csv_parser p;
    cr_assert_eq(csv_init(&p, 0), 0);
    gchar *rej = read_rejects("rejects.csv");
    csv_parse(&p, rej, strlen(rej), rejects_field, rejects_record, &r);
    csv_fini(&p, rejects_field, rejects_record, &r);
    csv_free(&p);
    cr_assert_eq(r.n, 258);
    for (size_t i = 0; i < r.n; i++) {
        cr_assert_eq(r.lines[i], 12 + (long)i);
        cr_assert_str_eq(r.values[i], lines[11 + i], "line %ld", r.lines[i]);
        g_free(r.values[i]);
    }
    cr_assert_str_eq(lines[268], "R0268;\"Dach; Nord\";M\xC3\xBCller;Betrieb;Ilmenau;2026-05-17;4;4;916.50;;mitigating");
    g_strfreev(lines);
    g_free(rej);
    g_free(text);
    g_free(raw);
    config_free(cfg);
}

typedef struct {
    const char *quote;        /* config line */
    const char *titles[3];    /* of R1, R2, R4 */
} quote_none_case_t;

/* With quote = none quotes are text; a NUL byte never opens a quoted field
 * (libcsv compares every byte with the quote char). */
Test(reader, quote_none_keeps_quotes_as_text, .init = setup, .fini = teardown)
{
    static const quote_none_case_t cases[] = {
        { "quote = none\n", { "5\" pipe", "\"Dach Nord\"", "After" } },
        { "", { "5\" pipe", "Dach Nord", "After" } },
    };
    const char csv[] = "risk_id,title,owner,category,site,raised_date,likelihood,impact,exposure,mitigation_due,status\n"
                       "R1,5\" pipe,Ann,Ops,Leeds,2026-01-05,2,3,,,open\n"
                       "R2,\"Dach Nord\",Bo,Ops,Lyon,2026-01-06,1,1,,,open\n"
                       "R3,Nul,\0,Ops,Lyon,2026-01-06,1,1,,,open\n"
                       "R4,After,Cy,Ops,Lyon,2026-01-06,1,1,,,open\n";
    write_file("r.csv", csv, sizeof csv - 1);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const quote_none_case_t *tc = &cases[k];
        char ini[200];
        snprintf(ini, sizeof ini, "[input.risks]\nfile = r.csv\n%s", tc->quote);
        ops_error_t err = { 0 };
        collected_t c = { 0 };
        ingest_stats_t st;
        cr_assert_eq(read_input(ini, NULL, collect, &c, &st, &err), OPS_OK, "%s", err.message);
        cr_assert_eq(st.rows_read, 4, "case %zu: the NUL row swallows nothing", k);
        cr_assert_eq(st.physical_lines, 5, "case %zu", k);
        cr_assert_eq(c.n, 3, "case %zu: R3's NUL owner is rejected as text, alone", k);
        cr_assert_eq(st.first_rejects[0].line, 4, "case %zu", k);
        cr_assert_str_eq(c.text[0], tc->titles[0], "case %zu", k);
        cr_assert_str_eq(c.text[1], tc->titles[1], "case %zu", k);
        cr_assert_str_eq(c.text[2], tc->titles[2], "case %zu", k);
        cr_assert_eq(c.lines[2], 5, "case %zu", k);
    }
}

typedef struct {
    const char *eol;
    uint64_t physical_lines;
} space_case_t;

/* SECOM-like: space-delimited, quoted timestamps holding spaces, CR CR LF.
 * One space is one delimiter: two in a row make an empty field. */
Test(reader, space_delimiter, .init = setup, .fini = teardown)
{
    static const space_case_t cases[] = { { "\r\r\n", 6 }, { "\n", 6 }, { "\r\n", 6 } };
    const char *ini = "[input.risks]\nfile = s.csv\ndelimiter = space\n";
    const char *lines[] = {
        "risk_id title raised_date likelihood impact status",
        "-1 \"19/07/2008 11:55:00\" 2026-01-05 2 3 open",     /* 2 */
        "1 \"19/07/2008 12:32:00\" 2026-01-05 9 3 open",      /* 3: likelihood 9 */
        "   ",                                                /* 4: blank */
        "2 \"19/07/2008 13:17:00\"\t 2026-01-05 2 3 open",    /* 5: the tab is trimmed */
        "3  \"19/07/2008 14:43:00\" 2026-01-05 2 3 open",     /* 6: 7 fields */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        GString *csv = g_string_new("");
        for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
            g_string_append_printf(csv, "%s%s", lines[i], cases[k].eol);
        write_file("s.csv", csv->str, csv->len);
        g_string_free(csv, TRUE);
        ops_error_t err = { 0 };
        collected_t c = { 0 };
        ingest_stats_t st;
        cr_assert_eq(read_input(ini, NULL, collect, &c, &st, &err), OPS_OK, "%s", err.message);
        cr_assert_eq(st.physical_lines, cases[k].physical_lines, "case %zu", k);
        cr_assert_eq(st.rows_read, 4, "case %zu: read %llu", k, (unsigned long long)st.rows_read);
        cr_assert_eq(c.n, 2, "case %zu", k);
        cr_assert_str_eq(c.text[0], "19/07/2008 11:55:00", "case %zu", k);
        cr_assert_str_eq(c.text[1], "19/07/2008 13:17:00", "case %zu", k);
        cr_assert_eq(c.lines[0], 2, "case %zu", k);
        cr_assert_eq(c.lines[1], 5, "case %zu", k);
        cr_assert_eq(st.first_rejects[0].line, 3, "case %zu", k);
        cr_assert_eq(st.first_rejects[1].line, 6, "case %zu", k);
        cr_assert_str_eq(st.first_rejects[1].reason, "expected 6 fields as in the header, found 7", "case %zu", k);
    }
}

typedef struct {
    const char *want;        /* the name every row must read as */
    int n, bad;
    long first_bad, last_line;
} names_t;

static ops_status_t check_names(void *ctx, const ingest_record_t *rec, ops_error_t *err)
{
    (void)err;
    names_t *c = ctx;
    const field_value_t *v = &rec->values[EMP_NAME];
    if (v->len != strlen(c->want) || memcmp(v->text, c->want, v->len)) {
        if (!c->bad++)
            c->first_bad = rec->line;
    }
    c->last_line = rec->line;
    c->n++;
    return OPS_OK;
}

typedef struct {
    const char *name;
    const char *encoding;     /* config; NULL: UTF-8 */
    const char *write_as;     /* iconv name the test encodes the file with */
    const char *bom;
    size_t bom_len;
    const char *text;         /* the name on every row, UTF-8 */
    const char *straddle;     /* placed across the block boundary; NULL: none */
} encoding_case_t;

/* Files over one block: every row decodes to the same name, including the
 * ones across the boundary, and a character cut by it is carried over. */
Test(reader, encodings_across_block_boundary, .init = setup, .fini = teardown)
{
    static const encoding_case_t cases[] = {
        { "latin-1", "latin-1", "ISO-8859-1", "", 0, "Zo\xC3\xAB M\xC3\xBCller", NULL },
        { "iso-8859-15", "iso-8859-15", "ISO-8859-15", "", 0, "Zo\xC3\xAB 100 \xE2\x82\xAC", NULL },
        /* every byte 3 bytes of UTF-8: a block decodes to 3x its size */
        { "cp1252, x3", "cp1252", "CP1252",
          "", 0, "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC", NULL },
        { "UTF-16LE with BOM", "UTF-16LE", "UTF-16LE", "\xFF\xFE", 2, "Zo\xC3\xAB \xF0\x9F\x98\x80", "\xF0\x9F\x98\x80" },
        { "UTF-16 (BOM says LE)", "utf-16", "UTF-16LE", "\xFF\xFE", 2, "Zo\xC3\xAB \xF0\x9F\x98\x80", "\xF0\x9F\x98\x80" },
        { "UTF-16BE with BOM", "UTF-16BE", "UTF-16BE", "\xFE\xFF", 2, "Zo\xC3\xAB \xF0\x9F\x98\x80", "\xF0\x9F\x98\x80" },
        { "UTF-8 with BOM", NULL, "UTF-8", "\xEF\xBB\xBF", 3, "Zo\xC3\xAB \xE2\x82\xAC", "\xE2\x82\xAC" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const encoding_case_t *tc = &cases[k];
        char ini[200];
        snprintf(ini, sizeof ini, "[input.employees]\nfile = emp.csv\ndate_formats = %%d-%%m-%%y\n%s%s%s",
                 tc->encoding ? "encoding = " : "", tc->encoding ? tc->encoding : "", tc->encoding ? "\n" : "");
        gsize clen = 0;
        gchar *cut = tc->straddle ? g_convert(tc->straddle, -1, tc->write_as, "UTF-8", NULL, &clen, NULL) : NULL;
        int rows = 0;
        gchar *file = NULL;
        gsize flen = 0;
        bool crosses = false;
        /* the pad in row 1's department shifts the rows until a straddle
         * character crosses the boundary */
        for (int pad = 0; pad < 200; pad++) {
            GString *t = g_string_new("employee_id,name,site,department,hire_date,leave_date,leave_reason,fte\n");
            for (rows = 1; t->len < 2 * BLOCK; rows++) /* over a block in any of these encodings */
                g_string_append_printf(t, "E%06d,%s,Leeds,Ops%.*s,01-02-20,,,1\n", rows, tc->text,
                                       rows == 1 ? pad : 0, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
            rows--;
            gsize elen = 0;
            gchar *enc = g_convert(t->str, (gssize)t->len, tc->write_as, "UTF-8", NULL, &elen, NULL);
            cr_assert_not_null(enc, "%s", tc->name);
            g_string_free(t, TRUE);
            g_free(file);
            flen = tc->bom_len + elen;
            file = g_malloc(flen);
            memcpy(file, tc->bom, tc->bom_len);
            memcpy(file + tc->bom_len, enc, elen);
            g_free(enc);
            crosses = !cut;
            for (size_t at = BLOCK - clen + 1; cut && at < BLOCK && !crosses; at++)
                crosses = !memcmp(file + at, cut, clen);
            if (crosses)
                break;
        }
        cr_assert(flen > BLOCK, "%s", tc->name);
        cr_assert(crosses, "%s: no character placed across the boundary", tc->name);
        write_file("emp.csv", file, flen);
        ops_error_t err = { 0 };
        names_t c = { .want = tc->text };
        ingest_stats_t st;
        cr_assert_eq(read_input(ini, NULL, check_names, &c, &st, &err), OPS_OK, "%s: %s", tc->name, err.message);
        cr_assert_eq(st.rows_read, (uint64_t)rows, "%s: read %llu of %d", tc->name, (unsigned long long)st.rows_read, rows);
        cr_assert_eq(st.rows_rejected, 0, "%s: %s", tc->name, st.first_rejects[0].reason);
        cr_assert_eq(c.bad, 0, "%s: %d names differ, first on line %ld", tc->name, c.bad, c.first_bad);
        cr_assert_eq(c.n, rows, "%s", tc->name);
        cr_assert_eq(c.last_line, rows + 1, "%s", tc->name);
        cr_assert_eq(st.physical_lines, (uint64_t)rows + 1, "%s", tc->name);
        cr_assert_eq(st.invalid_bytes, 0, "%s", tc->name);
        cr_assert_eq(st.bytes, flen, "%s", tc->name);
        g_free(file);
        g_free(cut);
    }
}

typedef struct {
    const char *name;
    const char *encoding;    /* config; NULL: UTF-8 */
    const char *extra;       /* more config lines */
    const char *csv;
    size_t len;
    const char *first_name;  /* E1's name as read; NULL: E1 rejected */
    uint64_t invalid, rows_read, rejected;
} invalid_case_t;

#define EMP_HEAD "employee_id,name,site,department,hire_date,leave_date,leave_reason,fte\n"
#define EMP_E2 "E2,Bob,Leeds,Ops,01-02-20,,,1\n"
#define CASE_BYTES(s) s, sizeof s - 1

Test(reader, invalid_bytes_counted, .init = setup, .fini = teardown)
{
    static const invalid_case_t cases[] = {
        /* UTF-8 stays as it is: validation rejects the row, hinting at the encoding */
        { "latin-1 byte in UTF-8", NULL, "", CASE_BYTES(EMP_HEAD "E1,Caf\xE9,Leeds,Ops,01-02-20,,,1\n" EMP_E2), NULL, 1, 2, 1 },
        { "UTF-8 cut at the end", NULL, "", CASE_BYTES(EMP_HEAD EMP_E2 "\xC3"), NULL, 1, 2, 1 },
        /* 0xFF is libcsv's quote char for quote = none: it must not open a field */
        { "0xFF with quote = none", NULL, "quote = none\n",
          CASE_BYTES(EMP_HEAD "E1,\xFF" "Al,Leeds,Ops,01-02-20,,,1\n" EMP_E2 "E3,Cy\xFF,Leeds,Ops,01-02-20,,,1\n"),
          NULL, 2, 3, 2 },
        /* decoded encodings read an invalid unit as U+FFFD */
        { "cp1252 undefined 0x81", "cp1252", "", CASE_BYTES(EMP_HEAD "E1,x\x81y,Leeds,Ops,01-02-20,,,1\n" EMP_E2),
          "x\xEF\xBF\xBDy", 1, 2, 0 },
        { "UTF-16LE lone low surrogate", "UTF-16LE", "",
          CASE_BYTES("E\0\x31\0,\0A\0\x00\xDC" "B\0,\0L\0,\0O\0,\0\x30\0\x31\0-\0\x30\0\x32\0-\0\x32\0\x30\0,\0,\0,\0\x31\0\n\0"),
          NULL, 2, 0, 0 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const invalid_case_t *tc = &cases[k];
        char ini[200];
        snprintf(ini, sizeof ini, "[input.employees]\nfile = emp.csv\ndate_formats = %%d-%%m-%%y\n%s%s%s%s",
                 tc->encoding ? "encoding = " : "", tc->encoding ? tc->encoding : "", tc->encoding ? "\n" : "",
                 tc->extra);
        const char *data = tc->csv;
        size_t len = tc->len;
        gchar *utf16 = NULL;
        if (tc->encoding && !strcmp(tc->encoding, "UTF-16LE")) { /* header in UTF-16LE, then the bad row */
            gsize hl = 0;
            gchar *h = g_convert(EMP_HEAD, -1, "UTF-16LE", "UTF-8", NULL, &hl, NULL);
            utf16 = g_malloc(hl + len);
            memcpy(utf16, h, hl);
            memcpy(utf16 + hl, tc->csv, len);
            g_free(h);
            data = utf16;
            len += hl;
        }
        write_file("emp.csv", data, len);
        ops_error_t err = { 0 };
        collected_t c = { 0 };
        ingest_stats_t st;
        cr_assert_eq(read_input(ini, NULL, collect, &c, &st, &err), OPS_OK, "%s: %s", tc->name, err.message);
        cr_assert_eq(st.invalid_bytes, tc->invalid, "%s: %llu", tc->name, (unsigned long long)st.invalid_bytes);
        if (utf16) {
            cr_assert_eq(c.n, 1, "%s", tc->name);
            cr_assert_str_eq(c.text[0], "A\xEF\xBF\xBD" "B", "%s: the units after it stay aligned", tc->name);
            g_free(utf16);
            continue;
        }
        cr_assert_eq(st.rows_read, tc->rows_read, "%s", tc->name);
        cr_assert_eq(st.rows_rejected, tc->rejected, "%s", tc->name);
        if (tc->first_name)
            cr_assert_str_eq(c.text[0], tc->first_name, "%s", tc->name);
        else
            cr_assert_eq(c.n, 1, "%s", tc->name);
    }
}

typedef struct {
    const char *file;
    const char *mapping;     /* config lines after kind and file */
    uint64_t physical_lines, rows_read, multiline;
    long first_range[2];
} real_case_t;

/* The real exports in ../shared/real-exports (SOURCES.md there): physical
 * lines from `wc -l` (+1 without a final newline), records from SOURCES.md. */
Test(reader, real_exports, .init = setup, .fini = teardown)
{
    static const real_case_t cases[] = {
        { "tickets_us_nyc311_socrata_multiline_fields.csv", "col.sku = unique_key\ncol.unit_cost = latitude\n",
          2955, 1000, 977, { 2, 4 } },
        { "quality_secom_labels_space_delimited_crcrlf.csv",
          "delimiter = space\nheader = false\ncol.sku = 2\ncol.unit_cost = 1\n", 1567, 1567, 0, { 0, 0 } },
        { "budget_de_ilmenau_semicolon_bom_no_final_newline.csv",
          "delimiter = semicolon\ncol.sku = ID\ncol.unit_cost = Betrag\n", 3091, 3090, 0, { 0, 0 } },
        { "gl_actuals_uk_oxford_spend_over_500_ddmmyyyy_crlf.csv", "col.sku = Trans No\ncol.unit_cost = Amount\n",
          3914, 3913, 0, { 0, 0 } },
    };
    char cwd[1024], real[1200];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(real, sizeof real, "%s/../shared/real-exports", cwd);
    struct stat sb;
    if (stat(real, &sb) != 0)
        cr_skip_test("real exports not found at %s (the repository's parent holds shared/real-exports; "
                     "run the tests from the repository root)", real);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const real_case_t *tc = &cases[k];
        char ini[600];
        snprintf(ini, sizeof ini, "[input.items]\nfile = %s\n%s", tc->file, tc->mapping);
        ops_error_t err = { 0 };
        ingest_stats_t st;
        cr_assert_eq(read_input(ini, real, NULL, NULL, &st, &err), OPS_OK, "%s: %s", tc->file, err.message);
        cr_assert_eq(st.physical_lines, tc->physical_lines, "%s: %llu lines", tc->file, (unsigned long long)st.physical_lines);
        cr_assert_eq(st.rows_read, tc->rows_read, "%s: %llu rows", tc->file, (unsigned long long)st.rows_read);
        cr_assert_eq(st.multiline_records, tc->multiline, "%s", tc->file);
        cr_assert_eq(st.overlong_records, 0, "%s", tc->file);
        cr_assert_eq(st.invalid_bytes, 0, "%s", tc->file);
        cr_assert(ingest_stats_reconciles(&st), "%s", tc->file);
        if (tc->multiline) {
            cr_assert_eq(st.multiline_ranges[0][0], tc->first_range[0], "%s", tc->file);
            cr_assert_eq(st.multiline_ranges[0][1], tc->first_range[1], "%s", tc->file);
        }
    }
}

typedef struct {
    uint64_t read, accepted, rejected, filtered, superseded;
    bool reconciles;
} manifest_case_t;

/* The manifest records the reader's counts and reconciles all five counts. */
Test(reader, manifest_records_reader_counts, .init = setup, .fini = teardown)
{
    static const manifest_case_t cases[] = {
        { 10, 5, 2, 2, 1, true },
        { 10, 5, 2, 2, 0, false },
        { 10, 10, 0, 0, 0, true },
    };
    ops_error_t err = { 0 };
    config_t *cfg = load_config(GL_INI, &err);
    cr_assert_not_null(cfg, "%s", err.message);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const manifest_case_t *tc = &cases[k];
        ingest_stats_t st = { .present = true, .rows_read = tc->read, .rows_accepted = tc->accepted,
                              .rows_rejected = tc->rejected, .rows_filtered = tc->filtered,
                              .rows_superseded = tc->superseded, .physical_lines = 12,
                              .multiline_records = 2, .n_multiline_ranges = 2,
                              .multiline_ranges = { { 2, 4 }, { 6, 8 } }, .overlong_records = 1,
                              .invalid_bytes = 3, .rounded_amounts = 4, .rounding_residual = -2500000 };
        snprintf(st.name, sizeof st.name, "gl_actuals");
        manifest_t m = { .status = "ok", .period = "2026-10", .run_id = "t", .cfg = cfg, .inputs = &st, .n_inputs = 1 };
        cr_assert_eq(manifest_write(&m, dir, &err), OPS_OK, "%s", err.message);
        char path[400];
        snprintf(path, sizeof path, "%s/manifest.json", dir);
        json_t *root = json_load_file(path, 0, NULL);
        cr_assert_not_null(root);
        json_t *in = json_array_get(json_object_get(root, "inputs"), 0);
        cr_assert_eq(json_is_true(json_object_get(in, "reconciles")), tc->reconciles, "case %zu", k);
        cr_assert_eq(json_integer_value(json_object_get(in, "rows_filtered")), (json_int_t)tc->filtered);
        cr_assert_eq(json_integer_value(json_object_get(in, "physical_lines")), 12);
        cr_assert_eq(json_integer_value(json_object_get(in, "multiline_records")), 2);
        json_t *ranges = json_object_get(in, "multiline_ranges");
        cr_assert_eq(json_array_size(ranges), 2);
        cr_assert_eq(json_integer_value(json_array_get(json_array_get(ranges, 1), 0)), 6);
        cr_assert_eq(json_integer_value(json_array_get(json_array_get(ranges, 1), 1)), 8);
        cr_assert_eq(json_integer_value(json_object_get(in, "overlong_records")), 1);
        cr_assert_eq(json_integer_value(json_object_get(in, "invalid_bytes")), 3);
        cr_assert_eq(json_integer_value(json_object_get(in, "rounded_amounts")), 4);
        cr_assert_eq(json_integer_value(json_object_get(in, "rounding_residual")), -2500000);
        cr_assert_not_null(json_object_get(in, "rows_superseded"), "existing keys stay");
        json_decref(root);
    }
    config_free(cfg);
}

/* ---- one input in parts (ingest_plan_*) ---- */

typedef struct {
    int n;
    long lines[64];
    int64_t sum;
} lines_t;

static ops_status_t collect_lines(void *ctx, const ingest_record_t *rec, ops_error_t *err)
{
    (void)err;
    lines_t *c = ctx;
    if (c->n < 64)
        c->lines[c->n] = rec->line;
    c->n++;
    c->sum += rec->values[GL_AMOUNT].v.money;
    return OPS_OK;
}

/* 5 rows, one row whose quoted account spans 30 lines, 15 rows: the first
 * part's guessed end is inside the quotes, the second among plain rows. */
static GString *parts_file(void)
{
    GString *s = g_string_new("Posting Date;Entity;Cost Center;Account;Type;Amount\n");
    for (int i = 0; i < 5; i++)
        g_string_append_printf(s, "0%d.10.2026;Leeds;Logistics;6100;opex;%d,00\n", i + 1, i + 1);
    g_string_append(s, "06.10.2026;Leeds;Logistics;\"6100");
    for (int i = 0; i < 30; i++)
        g_string_append_printf(s, "\nline %02d", i);
    g_string_append(s, "\";opex;100,00\n");
    for (int i = 0; i < 15; i++)
        g_string_append_printf(s, "%02d.10.2026;Lyon;Sales;4000;revenue;%d,50\n", i + 10, i);
    return s;
}

Test(ingest_plan, a_part_that_began_inside_quotes_is_read_again, .init = setup, .fini = teardown)
{
    GString *csv = parts_file();
    write_file("gl.csv", csv->str, csv->len);
    /* the guesses: just after the first LF at or past each share of the
     * file and its hash (an eighth) in 3, part 0 short by the hash's share */
    size_t hash = csv->len / 8, share = (csv->len + hash) / 3;
    const char *first = memchr(csv->str + share - hash, '\n', csv->len);
    const char *quote = strchr(csv->str, '"');
    cr_assert(first > quote && first < strchr(quote + 1, '"'), "the setup puts the first guess inside quotes");
    ops_error_t err = { 0 };
    config_t *cfg = load_config(GL_INI, &err);
    cr_assert_not_null(cfg, "%s", err.message);

    /* one pass: the reference */
    ingest_stats_t whole;
    lines_t ref = { 0 };
    cr_assert_eq(ingest_input(&cfg->inputs[0], dir, 2, NULL, collect_lines, &ref, &whole, &err), OPS_OK,
                 "%s", err.message);
    cr_assert_eq(ref.n, 21);
    cr_assert_eq(ref.lines[5], 7);  /* the quoted row starts on line 7 ... */
    cr_assert_eq(ref.lines[6], 38); /* ... and ends on line 37, 30 LFs later */

    setenv("OPSREPORT_PART_BYTES", "300", 1);
    ingest_plan_t *plan = NULL;
    cr_assert_eq(ingest_plan_new(&cfg->inputs[0], dir, 2, 3, &plan, &err), OPS_OK);
    unsetenv("OPSREPORT_PART_BYTES");
    cr_assert_not_null(plan);
    cr_assert_eq(ingest_plan_parts(plan), 3);
    lines_t got[3] = { 0 };
    for (size_t k = 0; k < 3; k++)
        cr_assert_eq(ingest_plan_read(plan, k, NULL, collect_lines, &got[k], &err), OPS_OK, "%s", err.message);
    cr_assert_eq(got[0].n, 6, "part 0 reads on to the end of the quoted row");
    cr_assert_not(ingest_plan_joined(plan, 1), "part 1 began inside the quotes");
    memset(&got[1], 0, sizeof got[1]);
    cr_assert_eq(ingest_plan_read(plan, 1, NULL, collect_lines, &got[1], &err), OPS_OK);
    cr_assert(ingest_plan_joined(plan, 2));
    cr_assert_eq(ingest_plan_hash(plan, &err), OPS_OK);
    ingest_stats_t parts;
    cr_assert_eq(ingest_plan_finish(plan, &parts, &err), OPS_OK, "%s", err.message);
    ingest_plan_free(plan);

    /* the parts in order are the one pass: rows, lines, amounts, counts, hash */
    int n = 0;
    int64_t sum = 0;
    for (size_t k = 0; k < 3; k++) {
        for (int i = 0; i < got[k].n; i++, n++)
            cr_assert_eq(got[k].lines[i], ref.lines[n], "row %d", n);
        sum += got[k].sum;
    }
    cr_assert_eq(n, ref.n);
    cr_assert_eq(sum, ref.sum);
    cr_assert_eq(sum, 1500 + 10000 + 15 * 50 + 10500); /* 1+..+5, 100, 15 x 0,50, 0+..+14 */
    cr_assert_eq(parts.rows_read, whole.rows_read);
    cr_assert_eq(parts.rows_accepted, whole.rows_accepted);
    cr_assert_eq(parts.physical_lines, whole.physical_lines);
    cr_assert_eq(parts.physical_lines, 52); /* header, 5, 31, 15 */
    cr_assert_eq(parts.multiline_records, 1);
    cr_assert_eq(parts.multiline_ranges[0][0], 7);
    cr_assert_eq(parts.multiline_ranges[0][1], 37);
    cr_assert_eq(parts.money[0].total_accepted, whole.money[0].total_accepted);
    cr_assert_eq(parts.bytes, csv->len);
    cr_assert_str_eq(parts.sha256, whole.sha256);
    g_string_free(csv, TRUE);
    config_free(cfg);
}

Test(ingest_plan, keyed_small_and_utf16_inputs_are_read_whole, .init = setup, .fini = teardown)
{
    GString *csv = parts_file();
    write_file("gl.csv", csv->str, csv->len);
    g_string_free(csv, TRUE);
    ops_error_t err = { 0 };
    config_t *cfg = load_config(GL_INI, &err);
    cr_assert_not_null(cfg);
    ingest_plan_t *plan = NULL;
    /* under 4 MB a part: whole */
    cr_assert_eq(ingest_plan_new(&cfg->inputs[0], dir, 2, 4, &plan, &err), OPS_OK);
    cr_assert_null(plan);
    setenv("OPSREPORT_PART_BYTES", "100", 1);
    /* one part wanted: whole */
    cr_assert_eq(ingest_plan_new(&cfg->inputs[0], dir, 2, 1, &plan, &err), OPS_OK);
    cr_assert_null(plan);
    /* a kind with a key (duplicates are found in file order): whole */
    config_t *po = load_config("[report]\norganisation = Test\n\n[input.purchase_orders]\nfile = gl.csv\n", &err);
    cr_assert_not_null(po, "%s", err.message);
    cr_assert_eq(ingest_plan_new(&po->inputs[0], dir, 2, 4, &plan, &err), OPS_OK);
    cr_assert_null(plan);
    config_free(po);
    /* UTF-16: an LF byte is half a character */
    free(cfg->inputs[0].encoding);
    cfg->inputs[0].encoding = strdup("UTF-16LE");
    cr_assert_eq(ingest_plan_new(&cfg->inputs[0], dir, 2, 4, &plan, &err), OPS_OK);
    cr_assert_null(plan);
    /* a missing file: ingest_input says so */
    free(cfg->inputs[0].encoding);
    cfg->inputs[0].encoding = NULL;
    free(cfg->inputs[0].file);
    cfg->inputs[0].file = strdup("absent.csv");
    cr_assert_eq(ingest_plan_new(&cfg->inputs[0], dir, 2, 4, &plan, &err), OPS_OK);
    cr_assert_null(plan);
    unsetenv("OPSREPORT_PART_BYTES");
    config_free(cfg);
}

/* ---- the keystore through ingest (issue #13) ---- */

enum { LOG_TICKETS = 3000 };

typedef struct {
    size_t n;
    long line[LOG_TICKETS];
    int64_t first_response[LOG_TICKETS];
    char id[LOG_TICKETS][12];
    char site[LOG_TICKETS][4];
    int status[LOG_TICKETS];
} log_rows_t;

static ops_status_t collect_log(void *ctx, const ingest_record_t *rec, ops_error_t *err)
{
    (void)err;
    log_rows_t *c = ctx;
    const field_value_t *v = rec->values;
    if (c->n < LOG_TICKETS) {
        c->line[c->n] = rec->line;
        c->first_response[c->n] = v[TKT_FIRST_RESPONSE_AT].present ? v[TKT_FIRST_RESPONSE_AT].v.ts : -1;
        snprintf(c->id[c->n], sizeof c->id[0], "%.*s", (int)v[TKT_ID].len, v[TKT_ID].text);
        snprintf(c->site[c->n], sizeof c->site[0], "%.*s", (int)v[TKT_SITE].len, v[TKT_SITE].text);
        c->status[c->n] = v[TKT_STATUS].v.enum_index;
    }
    c->n++;
    return OPS_OK;
}

/* 3000 tickets, four rounds of updates: open, pending (a long site: every
 * row grows and moves), resolved (short again), then a late update older
 * than the resolved one. The kept rows are the resolved ones, in order of
 * first appearance; the late update is superseded yet is the first
 * response (the first time the status left open). */
Test(ingest, event_log_many_tickets, .init = setup, .fini = teardown)
{
    const char *ini = "[input.tickets]\nfile = t.csv\nkeep_latest_by = updated_at\n";
    GString *csv = g_string_new("ticket_id,updated_at,created_at,resolved_at,priority,channel,status,site\n");
    static const int offset[4] = { 0, 3600, 7200, 1800 }; /* seconds after 09:00 + k */
    static const char *const status[4] = { "open", "pending", "resolved", "pending" };
    for (int r = 0; r < 4; r++)
        for (int k = 0; k < LOG_TICKETS; k++) {
            int s = 9 * 3600 + offset[r] + k;
            g_string_append_printf(csv, "T%05d,2026-10-01 %02d:%02d:%02d,2026-10-01 09:00:00,%s,P2,email,%s,%s\n",
                                   k, s / 3600, s / 60 % 60, s % 60, r == 2 ? "2026-10-01 12:00:00" : "",
                                   status[r], r == 1 ? "Leeds - the site with a much longer name" : "B");
        }
    write_file("t.csv", csv->str, csv->len);
    g_string_free(csv, TRUE);
    ops_error_t err = { 0 };
    config_t *cfg = load_config(ini, &err);
    cr_assert_not_null(cfg, "%s", err.message);
    log_rows_t *c = calloc(1, sizeof *c);
    ingest_stats_t st;
    cr_assert_eq(ingest_input(&cfg->inputs[0], dir, 2, NULL, collect_log, c, &st, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(st.rows_read, 4 * LOG_TICKETS);
    cr_assert_eq(st.rows_rejected, 0, "%s", st.n_first_rejects ? st.first_rejects[0].reason : "");
    cr_assert_eq(st.rows_superseded, 3 * LOG_TICKETS);
    cr_assert_eq(st.rows_accepted, LOG_TICKETS);
    cr_assert_eq(c->n, LOG_TICKETS);
    int64_t day = 20727LL * 86400; /* 2026-10-01 */
    for (int k = 0; k < LOG_TICKETS; k++) {
        char id[12];
        snprintf(id, sizeof id, "T%05d", k);
        cr_assert_str_eq(c->id[k], id, "order of first appearance");
        cr_assert_eq(c->line[k], 2 + 2 * LOG_TICKETS + k, "%s: the resolved update", id);
        cr_assert_eq(c->status[k], TKT_STATUS_RESOLVED);
        cr_assert_str_eq(c->site[k], "B");
        cr_assert_eq(c->first_response[k], day + 9 * 3600 + 1800 + k, "%s: the late pending update", id);
    }
    free(c);
    config_free(cfg);
}

/* Keys of 256 bytes and more (the old code copied those to the heap):
 * the duplicate is found, its reason quotes 60 bytes and the first line. */
Test(ingest, duplicate_long_key, .init = setup, .fini = teardown)
{
    char key[301];
    memset(key, 'K', 300);
    key[300] = '\0';
    GString *csv = g_string_new("employee_id,name,site,department,hire_date,leave_date,leave_reason,fte\n");
    g_string_append_printf(csv, "%s,A,Leeds,Ops,2020-02-01,,,1\n", key);
    key[299] = 'L'; /* differs in the last byte only */
    g_string_append_printf(csv, "%s,B,Leeds,Ops,2020-02-01,,,1\n", key);
    key[299] = 'K';
    g_string_append_printf(csv, "%s,C,Leeds,Ops,2020-02-01,,,1\n", key);
    write_file("emp.csv", csv->str, csv->len);
    g_string_free(csv, TRUE);
    ops_error_t err = { 0 };
    config_t *cfg = load_config("[input.employees]\nfile = emp.csv\n", &err);
    cr_assert_not_null(cfg, "%s", err.message);
    collected_t c = { 0 };
    ingest_stats_t st;
    cr_assert_eq(ingest_input(&cfg->inputs[0], dir, 2, NULL, collect, &c, &st, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(c.n, 2);
    cr_assert_eq(st.rows_rejected, 1);
    cr_assert_eq(st.first_rejects[0].line, 4);
    char want[160];
    snprintf(want, sizeof want, "duplicate employee_id '%.60s' (first on line 2)", key);
    cr_assert_str_eq(st.first_rejects[0].reason, want);
    config_free(cfg);
}

/* Lines without quotes are split by the reader itself (split_line), the
 * rest by libcsv: both give the hand-checked fields, and the same as
 * libcsv alone (OPSREPORT_LIBCSV_ONLY=1). */
typedef struct {
    const char *delimiter; /* config value */
    char d;                /* the byte */
} split_dialect_t;

Test(reader, quote_free_lines_split_as_libcsv, .init = setup, .fini = teardown)
{
    static const split_dialect_t dialects[] = { { "comma", ',' }, { "tab", '\t' } };
    for (size_t k = 0; k < sizeof dialects / sizeof dialects[0]; k++) {
        char d = dialects[k].d;
        /* | stands for the delimiter */
        const char *lines[] = {
            "Date|Entity|CC|Account|Type|Amount",
            "2026-10-01|  Alpha  |CC1|4000|revenue|10.00",    /* 2: spaces around a field trimmed */
            "   ",                                           /* 3: blank, no row */
            "2026-10-02|Beta|CC1|4000|revenue|20.00|",       /* 4: a trailing empty column is harmless */
            "2026-10-03|Gamma|CC1|4000|revenue",             /* 5: 5 fields */
            "|||||",                                         /* 6: 6 empty fields: date missing */
            "2026-10-04|\"Delta| Inc\"|CC1|4000|revenue|30.00", /* 7: quoted, through libcsv */
            "2026-10-05|Ep\"silon|CC1|4000|revenue|40.00",   /* 8: stray quote kept as text */
            "2026-10-06|Zeta|CC1|4000|revenue|50.00",        /* 9 */
        };
        GString *csv = g_string_new("");
        for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
            for (const char *c = lines[i]; *c; c++)
                g_string_append_c(csv, *c == '|' ? d : *c);
            g_string_append(csv, i == 4 ? "\r\r\n" : i == 6 ? "\r" : "\n");
        }
        write_file("gl.csv", csv->str, csv->len);
        g_string_free(csv, TRUE);
        char ini[600];
        snprintf(ini, sizeof ini,
                 "[report]\norganisation = Test\n\n[input.gl_actuals]\nfile = gl.csv\ndelimiter = %s\n"
                 "col.date = Date\ncol.entity = Entity\ncol.cost_centre = CC\ncol.account = Account\n"
                 "col.account_type = Type\ncol.amount = Amount\n",
                 dialects[k].delimiter);
        for (int libcsv_only = 0; libcsv_only < 2; libcsv_only++) {
            if (libcsv_only)
                setenv("OPSREPORT_LIBCSV_ONLY", "1", 1);
            ops_error_t err = { 0 };
            collected_t c = { 0 };
            ingest_stats_t st;
            ops_status_t rc = read_input(ini, NULL, collect, &c, &st, &err);
            unsetenv("OPSREPORT_LIBCSV_ONLY");
            cr_assert_eq(rc, OPS_OK, "%s", err.message);
            cr_assert_eq(st.physical_lines, 9, "dialect %zu, libcsv only %d", k, libcsv_only);
            cr_assert_eq(st.rows_read, 7, "dialect %zu, libcsv only %d: %llu", k, libcsv_only,
                         (unsigned long long)st.rows_read);
            cr_assert_eq(c.n, 5, "dialect %zu, libcsv only %d: %d", k, libcsv_only, c.n);
            const char *names[] = { "Alpha", "Beta", "Delta| Inc", "Ep\"silon", "Zeta" };
            const long at[] = { 2, 4, 7, 8, 9 };
            for (int i = 0; i < 5; i++) {
                char want[32];
                snprintf(want, sizeof want, "%s", names[i]);
                for (char *p = want; *p; p++)
                    if (*p == '|')
                        *p = d;
                cr_assert_str_eq(c.text[i], want, "dialect %zu, libcsv only %d, row %d", k, libcsv_only, i);
                cr_assert_eq(c.lines[i], at[i], "dialect %zu, libcsv only %d, row %d", k, libcsv_only, i);
            }
            cr_assert_eq(c.amount_sum, 15000);
            cr_assert_eq(st.n_first_rejects, 2);
            cr_assert_eq(st.first_rejects[0].line, 5);
            cr_assert_str_eq(st.first_rejects[0].reason, "expected 6 fields as in the header, found 5");
            cr_assert_eq(st.first_rejects[1].line, 6);
            cr_assert_str_eq(st.first_rejects[1].column, "Date");
        }
    }
}
