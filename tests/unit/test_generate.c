/*
 * test_generate.c - the sample-data generator: determinism, scaling, the
 * dialects of the exports and the formatters they rely on.
 *
 * Runs `opsreport generate` in-process (generate_main) into temporary
 * directories. Twelve months of history keep each run well under a second.
 */
#include "generate/gen.h"
#include "opsreport/cli.h"

#include <criterion/criterion.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const all_files[] = {
    "gl_actuals.csv", "gl_budget.csv", "purchase_orders.csv", "items.csv", "inventory.csv",
    "shipments.csv", "tickets.csv", "employees.csv", "training.csv", "projects.csv",
    "tasks.csv", "timesheets.csv", "risks.csv", "controls.csv", "production.csv",
    "quality.csv", NULL,
};

static void remove_tree(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (!d)
        return;
    const char *name;
    while ((name = g_dir_read_name(d))) {
        char *p = g_build_filename(dir, name, NULL);
        g_remove(p);
        g_free(p);
    }
    g_dir_close(d);
    g_rmdir(dir);
}

/* Runs generate with --out DIR and the extra arguments; returns the exit code. */
static int run_generate(const char *dir, const char *a1, const char *a2, const char *a3,
                        const char *a4)
{
    char *argv[12];
    int argc = 0;
    argv[argc++] = (char *)"generate";
    argv[argc++] = (char *)"--out";
    argv[argc++] = (char *)dir;
    const char *extra[] = { a1, a2, a3, a4 };
    for (int i = 0; i < 4; i++)
        if (extra[i])
            argv[argc++] = (char *)extra[i];
    argv[argc] = NULL;
    fflush(stdout);
    return generate_main(argc, argv);
}

static char *read_file(const char *dir, const char *name, gsize *len)
{
    char *p = g_build_filename(dir, name, NULL);
    char *data = NULL;
    gboolean ok = g_file_get_contents(p, &data, len, NULL);
    g_free(p);
    cr_assert(ok, "cannot read %s/%s", dir, name);
    return data;
}

static long count_lines(const char *data, gsize len)
{
    long n = 0;
    for (gsize i = 0; i < len; i++)
        n += data[i] == '\n';
    return n;
}

static char *dir_a, *dir_b;

static void setup(void)
{
    dir_a = g_dir_make_tmp("gen_a_XXXXXX", NULL);
    dir_b = g_dir_make_tmp("gen_b_XXXXXX", NULL);
    cr_assert(dir_a && dir_b);
}

static void teardown(void)
{
    remove_tree(dir_a);
    remove_tree(dir_b);
    g_free(dir_a);
    g_free(dir_b);
}

TestSuite(generate, .init = setup, .fini = teardown);

Test(generate, same_options_give_byte_identical_files)
{
    cr_assert_eq(run_generate(dir_a, "--months", "12", NULL, NULL), 0);
    cr_assert_eq(run_generate(dir_b, "--months", "12", NULL, NULL), 0);
    for (int i = 0; all_files[i]; i++) {
        gsize la, lb;
        char *a = read_file(dir_a, all_files[i], &la);
        char *b = read_file(dir_b, all_files[i], &lb);
        cr_expect(la > 0, "%s is empty", all_files[i]);
        cr_expect(la == lb && memcmp(a, b, la) == 0, "%s differs between two runs", all_files[i]);
        g_free(a);
        g_free(b);
    }
    /* No .tmp file is left behind: the directory holds exactly the 16 files. */
    GDir *d = g_dir_open(dir_a, 0, NULL);
    int n = 0;
    while (g_dir_read_name(d))
        n++;
    g_dir_close(d);
    cr_expect_eq(n, 16);
}

Test(generate, a_different_seed_gives_different_data)
{
    cr_assert_eq(run_generate(dir_a, "--months", "12", "--only", "gl_actuals"), 0);
    char *argv[] = { "generate", "--out", dir_b, "--months", "12", "--only", "gl_actuals",
                     "--seed", "7", NULL };
    cr_assert_eq(generate_main(9, argv), 0);
    gsize la, lb;
    char *a = read_file(dir_a, "gl_actuals.csv", &la);
    char *b = read_file(dir_b, "gl_actuals.csv", &lb);
    cr_expect(la != lb || memcmp(a, b, la) != 0);
    g_free(a);
    g_free(b);
}

Test(generate, only_writes_the_same_bytes_as_a_full_run)
{
    cr_assert_eq(run_generate(dir_a, "--months", "12", NULL, NULL), 0);
    cr_assert_eq(run_generate(dir_b, "--months", "12", "--only", "tickets"), 0);
    gsize la, lb;
    char *a = read_file(dir_a, "tickets.csv", &la);
    char *b = read_file(dir_b, "tickets.csv", &lb);
    cr_expect(la == lb && memcmp(a, b, la) == 0);
    g_free(a);
    g_free(b);
    char *p = g_build_filename(dir_b, "gl_actuals.csv", NULL);
    cr_expect(!g_file_test(p, G_FILE_TEST_EXISTS), "--only tickets wrote gl_actuals.csv");
    g_free(p);
}

Test(generate, scale_two_doubles_the_gl_rows)
{
    /* Each month x site x account writes n = round(lines * weight * 3 * scale) lines;
     * |round(2x) - 2 round(x)| <= 1, so over 12 months x 3 sites x 27 accounts the
     * count differs from double by at most 972 rows, plus the ~0.4% mis-posting
     * pairs and ~1% credit notes drawn at random. With ~35,000 rows at scale 1
     * the ratio must lie within 2 +- 0.05. */
    cr_assert_eq(run_generate(dir_a, "--months", "12", "--only", "gl_actuals"), 0);
    char *argv[] = { "generate", "--out", dir_b, "--months", "12", "--only", "gl_actuals",
                     "--scale", "2", NULL };
    cr_assert_eq(generate_main(9, argv), 0);
    gsize la, lb;
    char *a = read_file(dir_a, "gl_actuals.csv", &la);
    char *b = read_file(dir_b, "gl_actuals.csv", &lb);
    long ra = count_lines(a, la) - 1, rb = count_lines(b, lb) - 1;
    double ratio = (double)rb / (double)ra;
    cr_expect(ra > 30000 && ra < 40000, "scale 1, 12 months: %ld GL rows", ra);
    cr_expect(ratio > 1.95 && ratio < 2.05, "scale 2 / scale 1 = %ld / %ld = %.3f", rb, ra, ratio);
    g_free(a);
    g_free(b);
}

Test(generate, budget_rows_have_a_known_account_type)
{
    cr_assert_eq(run_generate(dir_a, "--months", "12", "--only", "gl_budget"), 0);
    gsize len;
    char *data = read_file(dir_a, "gl_budget.csv", &len);
    char **lines = g_strsplit(data, "\n", -1);
    long rows = 0;
    for (int i = 1; lines[i] && lines[i][0]; i++, rows++) {
        char **f = g_strsplit(lines[i], ";", -1);
        cr_assert_eq(g_strv_length(f), 6, "line %d: %s", i + 1, lines[i]);
        cr_expect(!g_ascii_strcasecmp(f[4], "revenue") || !g_ascii_strcasecmp(f[4], "cogs") ||
                      !g_ascii_strcasecmp(f[4], "opex"),
                  "line %d: account type '%s'", i + 1, f[4]);
        g_strfreev(f);
    }
    /* 12 months of history ending 2026-10, plus Nov and Dec of the fiscal year:
     * 14 months x 3 sites x 27 cost-centre/account lines = 1134 rows. */
    cr_expect_eq(rows, 1134);
    g_strfreev(lines);
    g_free(data);
}

Test(generate, gl_is_utf8_with_bom_and_has_lodz_rows)
{
    cr_assert_eq(run_generate(dir_a, "--months", "12", "--only", "gl_actuals"), 0);
    gsize len;
    char *data = read_file(dir_a, "gl_actuals.csv", &len);
    cr_assert(len > 3 && !memcmp(data, "\xEF\xBB\xBF", 3), "no UTF-8 BOM");
    cr_expect(g_utf8_validate(data + 3, (gssize)(len - 3), NULL));
    /* "Łódź" in UTF-8: Ł = C5 81, ó = C3 B3, d, ź = C5 BA. */
    cr_expect(strstr(data, ";\xC5\x81\xC3\xB3\x64\xC5\xBA;") != NULL, "no Łódź rows");
    cr_expect(strstr(data, ";Leeds;") && strstr(data, ";Lyon;"));
    /* Credit and reversal lines carry a trailing minus after the decimal comma. */
    cr_expect(g_regex_match_simple(",[0-9][0-9]-\n", data, 0, 0), "no trailing-minus amounts");
    g_free(data);
}

Test(generate, hr_export_is_windows_1252_with_crlf)
{
    cr_assert_eq(run_generate(dir_a, "--months", "12", "--only", "employees"), 0);
    gsize len;
    char *data = read_file(dir_a, "employees.csv", &len);
    /* "Zoë Müller" in Windows-1252: ë = EB, ü = FC; not valid UTF-8. */
    cr_expect(memmem(data, len, "Zo\xEB M\xFC" "ller", 10) != NULL);
    cr_expect(!g_utf8_validate(data, (gssize)len, NULL));
    cr_expect(memmem(data, len, "\xC5\x81", 2) == NULL, "a UTF-8 Ł leaked into the cp1252 file");
    cr_expect(len > 2 && data[len - 2] == '\r' && data[len - 1] == '\n');
    cr_expect(strstr(data, ",Lodz,") != NULL);
    g_free(data);
}

Test(generate, spc_shift_on_leeds_line_2_in_the_last_month)
{
    cr_assert_eq(run_generate(dir_a, "--months", "12", "--only", "quality"), 0);
    gsize len;
    char *data = read_file(dir_a, "quality.csv", &len);
    char **lines = g_strsplit(data, "\n", -1);
    /* Target 412 g, sigma 2 g: a month of ~330 weights has a mean within about
     * 0.5 g of 412 (0.2 g line offset plus 3 standard errors of 0.11 g); the
     * incident adds 5 g to Leeds Line 2 in 2026-10 only. */
    double sum_last = 0, sum_prev = 0;
    long n_last = 0, n_prev = 0;
    for (int i = 1; lines[i] && lines[i][0]; i++) {
        char **f = g_strsplit(lines[i], "\t", -1);
        cr_assert_eq(g_strv_length(f), 8, "line %d", i + 1);
        if (!strcmp(f[1], "Leeds") && !strcmp(f[2], "Line 2")) {
            double wgt = g_ascii_strtod(f[4], NULL);
            if (!strncmp(f[0], "2026-10-", 8)) {
                sum_last += wgt;
                n_last++;
            } else if (!strncmp(f[0], "2026-09-", 8)) {
                sum_prev += wgt;
                n_prev++;
            }
        }
        g_strfreev(f);
    }
    cr_assert(n_last > 100 && n_prev > 100);
    cr_expect(n_last % 5 == 0, "subgroups of 5");
    cr_expect(fabs(sum_prev / n_prev - 412.0) < 0.6, "Sep mean %.2f", sum_prev / n_prev);
    cr_expect(sum_last / n_last > 415.5, "Oct mean %.2f", sum_last / n_last);
    g_strfreev(lines);
    g_free(data);
}

Test(generate, usage_errors)
{
    char *no_out[] = { "generate", "--period", "2026-10", NULL };
    cr_expect_eq(generate_main(3, no_out), OPS_EXIT_USAGE);
    cr_expect_eq(run_generate(dir_a, "--period", "2026-13", NULL, NULL), OPS_EXIT_USAGE);
    cr_expect_eq(run_generate(dir_a, "--scale", "0", NULL, NULL), OPS_EXIT_USAGE);
    cr_expect_eq(run_generate(dir_a, "--only", "ledger", NULL, NULL), OPS_EXIT_USAGE);
}

/* ---- formatters ------------------------------------------------------------ */

Test(generate_format, european_and_us_amounts)
{
    char buf[48];
    cr_expect_str_eq(gen_fmt_cents_eu(buf, 123456), "1.234,56");
    cr_expect_str_eq(gen_fmt_cents_eu(buf, -123456789), "1.234.567,89-");
    cr_expect_str_eq(gen_fmt_cents_eu(buf, 5), "0,05");
    cr_expect_str_eq(gen_fmt_cents_eu(buf, 100000), "1.000,00");
    cr_expect_str_eq(gen_fmt_cents(buf, -12345, true), "(123.45)");
    cr_expect_str_eq(gen_fmt_cents(buf, -12345, false), "-123.45");
    cr_expect_str_eq(gen_fmt_cents(buf, 7, true), "0.07");
    cr_expect_str_eq(gen_fmt_fixed(buf, 412.345, 2), "412.35");
    cr_expect_str_eq(gen_fmt_fixed(buf, -0.25, 1), "-0.3"); /* llround: half away from zero */
}

Test(generate_format, dates)
{
    /* 2000-01-01 is day 10957; 26 years to 2026 with 7 leap days (2000..2024) add
     * 9497 -> 2026-01-01 is day 20454; Jan..Sep 2026 have 273 days and Oct 31 is
     * 30 days after Oct 1 -> 20757. Excel counts from 1899-12-30: + 25569 = 46326. */
    gen_day_t d = gen_day_from_ymd(2026, 10, 31);
    cr_expect_eq(d, 20757);
    cr_expect_eq(d + 25569, 46326);
    char buf[48];
    cr_expect_str_eq(gen_fmt_dmy_dot(buf, d), "31.10.2026");
    cr_expect_str_eq(gen_fmt_mdy_us(buf, gen_day_from_ymd(2026, 3, 5)), "3/5/2026");
    cr_expect_str_eq(gen_fmt_dmy_dash2(buf, gen_day_from_ymd(1999, 7, 4)), "04-07-99");
    /* 14:05:00 is 50700 s into the day. */
    cr_expect_str_eq(gen_fmt_ts_iso_z(buf, (int64_t)gen_day_from_ymd(2026, 10, 3) * 86400 + 50700),
                     "2026-10-03T14:05:00Z");
    cr_expect_str_eq(gen_fmt_ts_space(buf, (int64_t)gen_day_from_ymd(2026, 10, 3) * 86400 + 50700),
                     "2026-10-03 14:05:00");
    /* 2026-10-31 is a Saturday (5 with Monday = 0). */
    cr_expect_eq(gen_weekday(d), 5);
    cr_expect_eq(gen_days_in_month(2024, 2), 29);
    cr_expect_eq(gen_days_in_month(2100, 2), 28);
}

Test(generate_format, quoting)
{
    char *dir = g_dir_make_tmp("gen_q_XXXXXX", NULL);
    gen_dialect_t d = { ',', true, false, false };
    ops_error_t err = { 0 };
    gen_writer_t *w = gen_writer_open(dir, "q.csv", &d, &err);
    cr_assert(w);
    gen_field(w, "plain");
    gen_field(w, "a, b");
    gen_field(w, "say \"hi\"");
    gen_field(w, "two\nlines");
    cr_assert_eq(gen_row_end(w, &err), OPS_OK);
    long rows = -1, bytes = -1;
    cr_assert_eq(gen_writer_close(w, &rows, &bytes, &err), OPS_OK);
    gsize len;
    char *data = read_file(dir, "q.csv", &len);
    const char *want = "plain,\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n";
    cr_expect_str_eq(data, want);
    cr_expect_eq(bytes, (long)strlen(want));
    cr_expect_eq(rows, 0); /* the first row counts as the header */
    g_free(data);
    remove_tree(dir);
    g_free(dir);
}
