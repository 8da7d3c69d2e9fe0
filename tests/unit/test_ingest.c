/* Unit tests for config loading, ingest (libcsv streaming) and validation. */
#include <criterion/criterion.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "opsreport/config.h"
#include "opsreport/ingest.h"

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
    cr_assert_eq(strlen(st.sha256), 64);
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

/* libcsv runs non-strict: a stray quote inside an unquoted field stays text;
 * a quote left open swallows the rest of the file into one field, so that
 * row ends up with the wrong field count and is rejected, not lost. */
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
    cr_assert_eq(st.rows_read, 3);
    cr_assert_eq(st.rows_rejected, 1);
    cr_assert_eq(st.first_rejects[0].line, 4, "the open quote starts on line 4");
    cr_assert(strstr(st.first_rejects[0].reason, "fields as in the header") != NULL, "%s", st.first_rejects[0].reason);
    config_free(cfg);
}
