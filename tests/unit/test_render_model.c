/*
 * test_render_model.c - the contract between analyse and the renderers.
 *
 * Renderers find tables by id and columns by name, never by display title
 * or position. The rename test runs the whole sample month through analyse,
 * rewrites every table title and KPI label in the model, renders again, and
 * checks that the PDF (through pdftotext) and the workbook (its sheet XML)
 * keep every section: the new wording shows, nothing disappears. The other
 * tests pin the id table and the error a renderer gives when something it
 * needs is missing. Run from the repository root (sample-data/, config/,
 * templates/), as tests/run.sh does.
 */
#include "opsreport/analyse.h"
#include "opsreport/outlook.h"
#include "opsreport/render.h"

#include <criterion/criterion.h>
#include <glib.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* ---- the id table ------------------------------------------------------------ */

Test(render_model, every_table_id_has_a_unique_name_and_an_area)
{
    for (int i = 0; i < TABLE_COUNT; i++) {
        const char *name = model_table_id_name((model_table_id_t)i);
        cr_expect_str_neq(name, "(unknown table)", "table id %d has no entry", i);
        cr_expect_lt(model_table_id_area((model_table_id_t)i), AREA_COUNT, "table %s has no area", name);
        for (int j = 0; j < i; j++)
            cr_expect_str_neq(name, model_table_id_name((model_table_id_t)j), "ids %d and %d share a name", i, j);
    }
    cr_expect_str_eq(model_table_id_name(TABLE_COUNT), "(unknown table)");
    cr_expect_eq(model_table_id_area(TABLE_COUNT), AREA_COUNT);
}

/* KPIs and tables copy their area's name; a name cut short would no longer
 * match model_area_names and the workbook would lose the area's rows. */
Test(render_model, area_names_fit_kpis_and_tables)
{
    for (int a = 0; a < AREA_COUNT; a++) {
        cr_assert_not_null(model_area_names[a], "area %d has no name", a);
        cr_expect_lt(strlen(model_area_names[a]), sizeof ((kpi_t *)0)->area, "%s", model_area_names[a]);
        cr_expect_lt(strlen(model_area_names[a]), sizeof ((model_table_t *)0)->area, "%s", model_area_names[a]);
    }
}

Test(render_model, tables_by_id_and_columns_by_name)
{
    report_model_t *m = calloc(1, sizeof *m);
    cr_assert_not_null(m);
    static const char *const names[] = { "Cost centre", "Variance YTD", "Assessment" };
    static const col_kind_t kinds[] = { COL_TEXT, COL_MONEY, COL_TEXT };
    model_table_t *t = model_add_table(m, TABLE_RISK_TOP_RISKS, "Any title at all", 3, names, kinds);
    cr_assert_not_null(t);
    cr_expect_eq(t->id, TABLE_RISK_TOP_RISKS);
    cr_expect_str_eq(t->area, model_area_names[AREA_RISK]);
    cr_expect(m->areas_present[AREA_RISK]);
    cr_expect_eq(model_find_table(m, TABLE_RISK_TOP_RISKS), t);
    cr_expect_null(model_find_table(m, TABLE_RISK_OVERDUE_AUDITS));
    cr_expect_null(model_add_table(m, TABLE_COUNT, "out of range", 3, names, kinds));
    static const struct {
        const char *name;
        int col;
    } cols[] = { { "Cost centre", 0 }, { "Variance YTD", 1 }, { "Assessment", 2 },
                 { "assessment", -1 }, { "Variance", -1 }, { "", -1 } };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        cr_expect_eq(model_table_col(t, cols[i].name), cols[i].col, "column '%s'", cols[i].name);
    report_model_free(m);
}

/* ---- a renderer missing what it needs ------------------------------------------ */

/* A model with a GL (so the PDF draws its finance page) and whatever
 * finance table the case gives, rendered to a scratch file. */
static ops_status_t render_finance_page(const char *const *names, size_t n_cols, bool with_table,
                                        ops_error_t *err)
{
    report_model_t *m = calloc(1, sizeof *m);
    cr_assert_not_null(m);
    snprintf(m->organisation, sizeof m->organisation, "Test Org");
    snprintf(m->currency, sizeof m->currency, "EUR");
    m->minor_units = 2;
    period_parse("2026-10", &m->period);
    m->fy_start = period_fiscal_year_start(m->period, 1);
    m->gl_present = true;
    if (with_table) {
        col_kind_t kinds[MODEL_TABLE_MAX_COLS];
        for (size_t c = 0; c < n_cols; c++)
            kinds[c] = COL_TEXT;
        model_table_t *t = model_add_table(m, TABLE_FINANCE_TOP_VARIANCES, "Variances", n_cols, names, kinds);
        cr_assert_not_null(t);
        long r = model_table_add_row(t);
        cr_assert_geq(r, 0);
        for (size_t c = 0; c < n_cols; c++)
            model_table_set_text(t, (size_t)r, c, "x", 1);
    }
    char dir[] = "/tmp/test_render_model.XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/summary.pdf", dir);
    render_info_t info = { "test", "config/opsreport.ini", "0", "run", false, "templates", 1000 };
    ops_status_t rc = render_pdf(m, &info, path, err);
    remove(path);
    rmdir(dir);
    report_model_free(m);
    return rc;
}

Test(render_model, pdf_names_what_it_misses)
{
    static const char *const full[] = { "Cost centre", "Account", "Actual YTD", "Budget YTD", "Variance YTD",
                                        "Assessment" };
    static const char *const no_assessment[] = { "Cost centre", "Account", "Actual YTD", "Budget YTD",
                                                 "Variance YTD" };
    static const struct {
        const char *const *names;
        size_t n_cols;
        bool with_table;
        ops_status_t status;
        const char *message; /* a part of err.message; NULL: none expected */
    } cases[] = {
        { full, 6, true, OPS_OK, NULL },
        { full, 0, false, OPS_ERR_INTERNAL, "needs table finance.top_variances" },
        { no_assessment, 5, true, OPS_ERR_INTERNAL, "table finance.top_variances has no column \"Assessment\"" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ops_error_t err = { 0 };
        ops_status_t rc = render_finance_page(cases[i].names, cases[i].n_cols, cases[i].with_table, &err);
        cr_expect_eq(rc, cases[i].status, "case %zu: status %d, %s", i, rc, err.message);
        if (cases[i].message)
            cr_expect_not_null(strstr(err.message, cases[i].message), "case %zu: message '%s'", i, err.message);
    }
}

/* ---- renaming changes the words, never the sections ------------------------------- */

/* The sample month, analysed for the whole organisation, with the outlook. */
static report_model_t *sample_model(void)
{
    ops_error_t err = { 0 };
    config_t *cfg = NULL;
    cr_assert_eq(config_load("config/opsreport.ini", &cfg, &err), OPS_OK, "%s", err.message);
    period_t period;
    cr_assert(period_parse("2026-10", &period));
    analyse_t *a = NULL;
    cr_assert_eq(analyse_new(cfg, period, NULL, &a, &err), OPS_OK, "%s", err.message);
    ingest_stats_t *stats = calloc(cfg->n_inputs ? cfg->n_inputs : 1, sizeof *stats);
    cr_assert_not_null(stats);
    for (size_t i = 0; i < cfg->n_inputs; i++)
        cr_assert_eq(ingest_input(&cfg->inputs[i], "sample-data", cfg->minor_units, NULL, analyse_record, a,
                                  &stats[i], &err),
                     OPS_OK, "%s", err.message);
    report_model_t *m = NULL;
    cr_assert_eq(analyse_finish(a, stats, cfg->n_inputs, &m, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(outlook_run(cfg, m, &err), OPS_OK, "%s", err.message);
    model_apply_targets(m, cfg);
    analyse_free(a);
    free(stats);
    config_free(cfg);
    return m;
}

/* Every KPI and series id a renderer asks for is one the sample month's
 * analyse and outlook add: an id renamed on one side only fails here. */
Test(render_model, sample_model_has_every_id_the_renderers_use, .timeout = 120)
{
    report_model_t *m = sample_model();
    static const char *const kpis[] = { KPI_REVENUE_OUTLOOK_VS_BUDGET_PCT, KPI_OPEX_OUTLOOK_VS_BUDGET_PCT,
                                        KPI_OPEN_RISKS, KPI_SUPPLIER_OTIF_PCT, KPI_CUSTOMER_OTIF_PCT,
                                        KPI_FIRST_RESPONSE_SLA_PCT, KPI_TRAINING_COMPLETION_PCT };
    for (size_t i = 0; i < sizeof kpis / sizeof kpis[0]; i++)
        cr_expect_not_null(model_find_kpi(m, kpis[i]), "no KPI %s", kpis[i]);
    static const char *const series[] = { SERIES_GL_REVENUE, SERIES_GL_COGS, SERIES_GL_OPEX };
    for (size_t i = 0; i < sizeof series / sizeof series[0]; i++)
        cr_expect_not_null(model_find_series(m, series[i]), "no series %s", series[i]);
    bool revenue_forecast = false;
    for (size_t i = 0; i < m->n_forecasts; i++)
        revenue_forecast |= !strcmp(m->forecasts[i].series_id, SERIES_GL_REVENUE);
    cr_expect(revenue_forecast, "no forecast of %s", SERIES_GL_REVENUE);
    /* the sample month has every area, so every table id is one analyse adds */
    /* the sample month has every area, so every table id is one analyse
     * adds, and adds once (model_find_table would only ever see the first) */
    for (int t = 0; t < TABLE_COUNT; t++) {
        size_t n = 0;
        for (size_t i = 0; i < m->n_tables; i++)
            n += m->tables[i]->id == (model_table_id_t)t;
        cr_expect_eq(n, 1, "table %s added %zu times", model_table_id_name((model_table_id_t)t), n);
    }
    report_model_free(m);
}

/* The whole of a command's output; NULL-free (an empty string on nothing). */
static char *command_output(const char *cmd)
{
    FILE *fp = popen(cmd, "r");
    cr_assert_not_null(fp, "%s", cmd);
    GString *out = g_string_new(NULL);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        g_string_append_len(out, buf, (gssize)n);
    cr_assert_eq(pclose(fp), 0, "%s failed", cmd);
    return g_string_free(out, FALSE);
}

typedef struct {
    char *pdf_text;   /* pdftotext of summary.pdf */
    char *workbook;   /* xl/workbook.xml: the sheet names */
    char *strings;    /* xl/sharedStrings.xml: every text cell */
    char *dimensions; /* each sheet's <dimension ref=...>, one a line */
} rendered_t;

/* ---- a workbook read in memory: the zip's central directory, zlib's inflate ---- */

static uint32_t le16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t le32(const unsigned char *p) { return le16(p) | le16(p + 2) << 16; }

/* The entry's bytes, NUL-terminated (g_free), or NULL when the zip has none. */
static char *zip_entry(const unsigned char *zip, size_t len, const char *name)
{
    size_t eocd = len >= 22 ? len - 22 : 0;
    while (eocd > 0 && le32(zip + eocd) != 0x06054b50u)
        eocd--;
    cr_assert_eq(le32(zip + eocd), 0x06054b50u, "no end of central directory");
    size_t n = le16(zip + eocd + 10), at = le32(zip + eocd + 16);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(le32(zip + at), 0x02014b50u, "central directory entry %zu", i);
        size_t method = le16(zip + at + 10), csize = le32(zip + at + 20), usize = le32(zip + at + 24);
        size_t nlen = le16(zip + at + 28), elen = le16(zip + at + 30), clen = le16(zip + at + 32);
        size_t local = le32(zip + at + 42);
        if (nlen == strlen(name) && !memcmp(zip + at + 46, name, nlen)) {
            const unsigned char *src = zip + local + 30 + le16(zip + local + 26) + le16(zip + local + 28);
            char *out = g_malloc(usize + 1);
            if (method == 0)
                memcpy(out, src, usize);
            else {
                cr_assert_eq(method, 8, "%s: compression method %zu", name, method);
                z_stream z = { 0 };
                cr_assert_eq(inflateInit2(&z, -15), Z_OK);
                z.next_in = (unsigned char *)src;
                z.avail_in = (uInt)csize;
                z.next_out = (unsigned char *)out;
                z.avail_out = (uInt)usize;
                cr_assert_eq(inflate(&z, Z_FINISH), Z_STREAM_END, "%s does not inflate", name);
                cr_assert_eq(z.total_out, usize);
                inflateEnd(&z);
            }
            out[usize] = '\0';
            return out;
        }
        at += 46 + nlen + elen + clen;
    }
    return NULL;
}

static void render_both(const report_model_t *m, const char *dir, rendered_t *out)
{
    ops_error_t err = { 0 };
    render_info_t info = { "test", "config/opsreport.ini", "0", "run", false, "templates", 1000 };
    char pdf[256], cmd[1024];
    snprintf(pdf, sizeof pdf, "%s/summary.pdf", dir);
    unsigned char *xlsx = NULL;
    size_t len = 0;
    cr_assert_eq(render_xlsx_to_memory(m, &info, &xlsx, &len, &err), OPS_OK, "%s", err.message);
    cr_assert_gt(len, 1000);
    cr_assert_eq(render_pdf(m, &info, pdf, &err), OPS_OK, "%s", err.message);
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>/dev/null", pdf);
    out->pdf_text = command_output(cmd);
    out->workbook = zip_entry(xlsx, len, "xl/workbook.xml");
    out->strings = zip_entry(xlsx, len, "xl/sharedStrings.xml");
    cr_assert(out->workbook && out->strings);
    /* each sheet's <dimension ref="A1:H40"/>, sheet1, sheet2, ... in order */
    GString *dims = g_string_new("");
    for (int k = 1;; k++) {
        char name[64];
        snprintf(name, sizeof name, "xl/worksheets/sheet%d.xml", k);
        char *xml = zip_entry(xlsx, len, name);
        if (!xml)
            break;
        const char *d = strstr(xml, "<dimension ref=\"");
        cr_assert_not_null(d, "%s has no dimension", name);
        const char *end = strchr(d + 16, '"');
        g_string_append_len(dims, d, end - d + 1);
        g_string_append_c(dims, '\n');
        g_free(xml);
    }
    out->dimensions = g_string_free(dims, FALSE);
    free(xlsx);
    remove(pdf);
}

/* the workbook in memory is the file's bytes */
Test(render_model, workbook_in_memory_equals_the_file, .timeout = 120)
{
    report_model_t *m = sample_model();
    ops_error_t err = { 0 };
    render_info_t info = { "test", "config/opsreport.ini", "0", "run", false, "templates", 1000 };
    char path[] = "/tmp/test_render_mem.XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(render_xlsx(m, &info, path, &err), OPS_OK, "%s", err.message);
    gchar *file = NULL;
    gsize flen = 0;
    cr_assert(g_file_get_contents(path, &file, &flen, NULL));
    unlink(path);
    unsigned char *mem = NULL;
    size_t len = 0;
    cr_assert_eq(render_xlsx_to_memory(m, &info, &mem, &len, &err), OPS_OK, "%s", err.message);
    cr_expect_eq(len, flen);
    cr_expect(len == flen && !memcmp(mem, file, len), "the bytes differ");
    char *wb = zip_entry(mem, len, "xl/workbook.xml");
    cr_expect_not_null(strstr(wb, "name=\"Summary\""), "%s", wb);
    g_free(wb);
    free(mem);
    g_free(file);
    report_model_free(m);
}

static void rendered_free(rendered_t *r)
{
    g_free(r->pdf_text);
    g_free(r->workbook);
    g_free(r->strings);
    g_free(r->dimensions);
}

static size_t count_char(const char *s, char c)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

/* The headings and chart titles of the sample month's PDF: each one a
 * section that must survive any rewording in analyse. */
static const char *const pdf_sections[] = {
    "What needs attention",
    "Finance",
    "Revenue by month",
    "Operating expense by month",
    "Revenue outlook to",
    "Full-year outlook (actual + forecast)",
    "Top budget variances, year to date",
    "Budget vs actual by cost centre",
    "Operations",
    "Open risks: likelihood",
    "Box weight X-bar chart",
    "Service levels, last 13 months",
    "All operations KPIs",
    "Data quality",
};

Test(render_model, renaming_titles_and_labels_keeps_every_section, .timeout = 120)
{
    report_model_t *m = sample_model();
    cr_assert_gt(m->n_tables, 0);
    cr_assert_gt(m->n_kpis, 0);
    char dir[] = "/tmp/test_render_rename.XXXXXX";
    cr_assert_not_null(mkdtemp(dir));

    rendered_t before = { 0 }, after = { 0 };
    render_both(m, dir, &before);
    for (size_t i = 0; i < sizeof pdf_sections / sizeof pdf_sections[0]; i++)
        cr_assert_not_null(strstr(before.pdf_text, pdf_sections[i]), "the sample PDF has no '%s'", pdf_sections[i]);

    for (size_t i = 0; i < m->n_tables; i++)
        snprintf(m->tables[i]->title, sizeof m->tables[i]->title, "Renamed table %02zu", i);
    for (size_t i = 0; i < m->n_kpis; i++)
        snprintf(m->kpis[i].label, sizeof m->kpis[i].label, "Renamed KPI %02zu", i);
    render_both(m, dir, &after);
    rmdir(dir);

    /* the PDF: the same pages, every section, the new labels in the KPI table */
    cr_expect_eq(count_char(after.pdf_text, '\f'), count_char(before.pdf_text, '\f'), "page count changed");
    for (size_t i = 0; i < sizeof pdf_sections / sizeof pdf_sections[0]; i++)
        cr_expect_not_null(strstr(after.pdf_text, pdf_sections[i]), "renaming dropped '%s' from the PDF",
                           pdf_sections[i]);
    for (size_t i = 0; i < m->n_kpis; i++)
        if (strcmp(m->kpis[i].area, model_area_names[AREA_FINANCE])) /* finance KPIs: their own page */
            cr_expect_not_null(strstr(after.pdf_text, m->kpis[i].label), "%s (%s) not in the PDF",
                               m->kpis[i].label, m->kpis[i].id);

    /* the workbook: the same sheets of the same size, the new words in them */
    cr_expect_str_eq(after.workbook, before.workbook, "the workbook's sheets changed");
    cr_expect_str_eq(after.dimensions, before.dimensions, "a sheet lost or gained rows or columns");
    for (size_t i = 0; i < m->n_tables; i++)
        cr_expect_not_null(strstr(after.strings, m->tables[i]->title), "%s (%s) not in the workbook",
                           m->tables[i]->title, model_table_id_name(m->tables[i]->id));
    for (size_t i = 0; i < m->n_kpis; i++)
        cr_expect_not_null(strstr(after.strings, m->kpis[i].label), "%s (%s) not in the workbook",
                           m->kpis[i].label, m->kpis[i].id);

    rendered_free(&before);
    rendered_free(&after);
    report_model_free(m);
}

/* the driver loops over render_outputs: each entry at its own id, with a
 * renderer, a file name, and a scoped name holding exactly one %s */
Test(render_model, output_registry_is_complete)
{
    size_t scoped = 0;
    for (size_t k = 0; k < RENDER_OUT_COUNT; k++) {
        const render_output_t *o = &render_outputs[k];
        scoped += o->scoped != NULL;
        cr_expect_eq(o->id, (render_output_id_t)k, "entry %zu holds id %d", k, o->id);
        cr_expect_not_null(o->render, "entry %zu", k);
        cr_expect(o->file && *o->file, "entry %zu", k);
        cr_expect(o->key && *o->key, "entry %zu", k);
        cr_expect_lt(o->timer, RENDER_TIMER_COUNT, "entry %zu", k);
        if (o->scoped) {
            const char *p = strstr(o->scoped, "%s");
            cr_expect(p && !strchr(p + 2, '%') && strchr(o->scoped, '%') == p, "entry %zu: %s", k, o->scoped);
        }
    }
    cr_expect_eq(scoped, RENDER_OUT_SCOPED, "render.h's RENDER_OUT_SCOPED is stale");
    for (size_t k = 0; k < RENDER_TIMER_COUNT; k++)
        cr_expect(render_timer_names[k] && *render_timer_names[k]);
}

/* run --jobs closes report.xlsx and detail.xlsx in two threads, and
 * libxlsxwriter dates their properties with gmtime(): the program's own
 * gmtime (xlsx.c) gives each thread its buffer, so another thread's call
 * leaves this thread's date as it was (libc's one buffer would now say 1971) */
static void *gmtime_1971(void *year)
{
    time_t t = 365 * 86400; /* 1971-01-01T00:00:00Z */
    *(int *)year = gmtime(&t)->tm_year;
    return NULL;
}

Test(render_model, gmtime_has_a_buffer_per_thread)
{
    time_t zero = 0;
    struct tm *mine = gmtime(&zero);
    int theirs = -1;
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, gmtime_1971, &theirs), 0);
    pthread_join(th, NULL);
    cr_expect_eq(theirs, 71);
    cr_expect_eq(mine->tm_year, 70, "the other thread's call overwrote this one's: year %d", 1900 + mine->tm_year);
    cr_expect_eq(mine->tm_mday, 1);
}

/* README's "Adding a KPI" says a KPI is documented in docs/kpis.md: every KPI
 * the sample month computes has its row there, `id` | label. */
Test(render_model, every_sample_kpi_is_documented, .timeout = 120)
{
    gchar *doc = NULL;
    cr_assert(g_file_get_contents("docs/kpis.md", &doc, NULL, NULL), "docs/kpis.md (run from the repository)");
    report_model_t *m = sample_model();
    cr_assert_gt(m->n_kpis, 20);
    for (size_t i = 0; i < m->n_kpis; i++) {
        char row[200];
        snprintf(row, sizeof row, "| `%s` | ", m->kpis[i].id);
        cr_expect_not_null(strstr(doc, row), "docs/kpis.md has no row for KPI %s", m->kpis[i].id);
    }
    report_model_free(m);
    g_free(doc);
}
