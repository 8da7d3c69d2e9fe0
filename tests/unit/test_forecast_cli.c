/*
 * test_forecast_cli.c - `opsreport forecast` end to end through
 * forecast_cli_main(): long-form input with bad rows, output layout, exit
 * codes, integer periods, quoting, gaps, repeated periods and byte-for-byte
 * reproducibility (also across --jobs).
 */
#include "opsreport/cli.h"
#include "opsreport/common.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/fccli.XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    cr_redirect_stderr();
    cr_redirect_stdout();
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(forecast_cli, .init = setup, .fini = teardown, .timeout = 60);

static void path_of(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

static void write_file(const char *name, const char *text)
{
    char p[128];
    path_of(p, sizeof p, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static char *read_file(const char *name)
{
    char p[128];
    path_of(p, sizeof p, name);
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strdup(buf);
}

static char *stderr_text(void)
{
    fflush(stderr);
    FILE *f = cr_get_redirected_stderr();
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    return buf;
}

static int run(const char *extra1, const char *extra2, const char *out)
{
    char in[128], o[128];
    path_of(in, sizeof in, "in.csv");
    path_of(o, sizeof o, out);
    char *argv[12] = { "forecast", "--input", in, "--output", o, "--horizon", "3" };
    int argc = 7;
    if (extra1)
        argv[argc++] = (char *)extra1;
    if (extra2)
        argv[argc++] = (char *)extra2;
    argv[argc] = NULL;
    return forecast_cli_main(argc, argv);
}

static size_t count_lines(const char *s, const char *prefix)
{
    size_t k = 0;
    for (const char *p = s; p && *p;) {
        if (strncmp(p, prefix, strlen(prefix)) == 0)
            k++;
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return k;
}

/* 30 months of a seasonal-ish series "a", then bad rows on known lines. */
static void write_main_input(void)
{
    char buf[8192];
    int k = snprintf(buf, sizeof buf, "series_id,period,value\n");
    for (int t = 0; t < 30; t++)
        k += snprintf(buf + k, sizeof buf - (size_t)k, "a,%04d-%02d,%d\n", 2024 + t / 12, t % 12 + 1,
                      100 + t + (t % 12 == 11 ? 30 : 0));
    /* lines 32.. */
    k += snprintf(buf + k, sizeof buf - (size_t)k,
                  "b,2024-13,5\n"         /* line 32: bad month */
                  "b,2024-01,x1\n"        /* line 33: bad value */
                  "c,2024-01\n"           /* line 34: two fields */
                  "\"q,1\",7,1.5\n"       /* line 35: quoted id with a comma, integer period */
                  "\"q,1\",8,2.5\n"
                  "\"q,1\",9,3.5\n"
                  "a,2024-03,999\n");     /* line 38: repeats a's period of line 4 */
    write_file("in.csv", buf);
}

Test(forecast_cli, bad_rows_are_reported_and_others_forecast)
{
    write_main_input();
    int rc = run("--method", "ets", "out.csv");
    cr_assert_eq(rc, OPS_EXIT_OK);
    char *out = read_file("out.csv");
    cr_assert_not_null(out);
    const char *hdr = "series_id,step,period,point,lo80,hi80,lo95,hi95,method\n";
    cr_assert(strncmp(out, hdr, strlen(hdr)) == 0, "%s", out);
    cr_assert_eq(count_lines(out, "a,"), 3);
    cr_assert_eq(count_lines(out, "\"q,1\","), 3);
    cr_assert_eq(count_lines(out, "b,"), 0);
    /* a ends 2026-06, so steps are 2026-07..09; q ends at index 9 */
    cr_assert(strstr(out, "a,1,2026-07,") != NULL, "%s", out);
    cr_assert(strstr(out, "a,3,2026-09,") != NULL);
    cr_assert(strstr(out, "\"q,1\",1,10,") != NULL, "%s", out);
    /* the model column is quoted because it contains commas */
    cr_assert(strstr(out, ",\"ETS(") != NULL, "%s", out);
    free(out);
    const char *err = stderr_text();
    cr_assert(strstr(err, "in.csv:32: period '2024-13' is neither YYYY-MM nor an integer") != NULL, "%s", err);
    cr_assert(strstr(err, "in.csv:33: value 'x1' is not a finite number") != NULL, "%s", err);
    cr_assert(strstr(err, "in.csv:34: expected 3 fields") != NULL, "%s", err);
    cr_assert(strstr(err, "in.csv:38: series 'a' repeats the period of line 4") != NULL, "%s", err);
    cr_assert(strstr(err, "4 rows rejected") != NULL, "%s", err);
}

Test(forecast_cli, same_input_same_bytes_for_any_jobs)
{
    write_main_input();
    char rep[128];
    path_of(rep, sizeof rep, "r1.csv");
    cr_assert_eq(run("--report", rep, "o1.csv"), OPS_EXIT_OK);
    cr_assert_eq(run("--jobs", "4", "o2.csv"), OPS_EXIT_OK);
    char *a = read_file("o1.csv"), *b = read_file("o2.csv");
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
    char *r = read_file("r1.csv");
    cr_assert_not_null(r);
    const char *hdr = "series_id,n,model,params,reason,aicc,";
    cr_assert(strncmp(r, hdr, strlen(hdr)) == 0, "%s", r);
    cr_assert(strstr(r, "\na,30,") != NULL, "%s", r);
    free(r);
}

Test(forecast_cli, gap_uses_the_part_after_it)
{
    /* 1..20 then a gap, then 8 values: only the 8 are used (n = 8 in the
     * report) and the naive forecast is the last value */
    char buf[4096];
    int k = snprintf(buf, sizeof buf, "series_id,period,value\n");
    for (int t = 1; t <= 20; t++)
        k += snprintf(buf + k, sizeof buf - (size_t)k, "g,%d,%d\n", t, t);
    for (int t = 30; t < 38; t++)
        k += snprintf(buf + k, sizeof buf - (size_t)k, "g,%d,%d\n", t, 100 + t);
    write_file("in.csv", buf);
    cr_assert_eq(run("--method", "naive", "out.csv"), OPS_EXIT_OK);
    char *out = read_file("out.csv");
    cr_assert(strstr(out, "g,1,38,137,") != NULL, "%s", out);
    free(out);
    const char *err = stderr_text();
    cr_assert(strstr(err, "in.csv:22: series 'g' has a gap before this row; forecasting from the 8 values") != NULL,
              "%s", err);
}

Test(forecast_cli, missing_header_is_an_input_error)
{
    write_file("in.csv", "id,month,amount\na,2024-01,3\n");
    cr_assert_eq(run(NULL, NULL, "out.csv"), OPS_EXIT_INPUT);
    cr_assert(strstr(stderr_text(), "in.csv:1: expected the header 'series_id,period,value'") != NULL);
    cr_assert_null(read_file("out.csv"));
}

Test(forecast_cli, usage_errors)
{
    char *argv1[] = { "forecast", "--output", "x.csv", NULL };
    cr_assert_eq(forecast_cli_main(3, argv1), OPS_EXIT_USAGE);
    char *argv2[] = { "forecast", "--input", "a", "--output", "b", "--method", "magic", NULL };
    cr_assert_eq(forecast_cli_main(7, argv2), OPS_EXIT_USAGE);
    char *argv3[] = { "forecast", "--input", "a", "--output", "b", "--level", "80,120", NULL };
    cr_assert_eq(forecast_cli_main(7, argv3), OPS_EXIT_USAGE);
    char *argv4[] = { "forecast", "--input", "/nonexistent/in.csv", "--output", "b", NULL };
    cr_assert_eq(forecast_cli_main(5, argv4), OPS_EXIT_INPUT);
}

Test(forecast_cli, levels_name_the_columns)
{
    write_main_input();
    cr_assert_eq(run("--level", "50,90,99", "out.csv"), OPS_EXIT_OK);
    char *out = read_file("out.csv");
    const char *hdr = "series_id,step,period,point,lo50,hi50,lo90,hi90,lo99,hi99,method\n";
    cr_assert(strncmp(out, hdr, strlen(hdr)) == 0, "%s", out);
    free(out);
}

Test(forecast_cli, spaces_trimmed_quotes_strict_bom_accepted)
{
    /* libcsv trims spaces around unquoted fields (its default, kept on
     * purpose); a UTF-8 BOM before the header is accepted */
    write_file("in.csv", "\xEF\xBB\xBFseries_id,period,value\n"
                         " s , 1 , 10 \n s,2,12\n s,3,11\n s,4,13\n");
    cr_assert_eq(run("--method", "naive", "out.csv"), OPS_EXIT_OK);
    char *out = read_file("out.csv");
    cr_assert(strstr(out, "\ns,1,5,13,") != NULL, "%s", out);
    free(out);
    /* CSV_STRICT: a stray quote inside an unquoted field stops the run */
    write_file("in.csv", "series_id,period,value\ns,1,10\ns,2,1\"2\n");
    cr_assert_eq(run(NULL, NULL, "out2.csv"), OPS_EXIT_INPUT);
    cr_assert(strstr(stderr_text(), "in.csv:3: ") != NULL);
    cr_assert_null(read_file("out2.csv"));
}

Test(forecast_cli, arima_method_and_the_check_columns)
{
    /* --method arima runs (it was rejected before ARIMA was built); the
     * report carries the check: origins, MASE of the method and of
     * seasonal naive, the flag, the action and the interval factors */
    char text[4096] = "series_id,period,value\n";
    size_t k = strlen(text);
    for (int t = 0; t < 40; t++)
        k += (size_t)snprintf(text + k, sizeof text - k, "s,%d,%g\n", t + 1,
                              (t % 2 ? 0.0 : 10.0) + (t % 3) * 0.01);
    write_file("in.csv", text);
    char rep[128];
    path_of(rep, sizeof rep, "rep.csv");
    cr_assert_eq(run("--method", "arima", "o.csv"), OPS_EXIT_OK);
    char *o = read_file("o.csv");
    cr_assert(strstr(o, ",\"ARIMA(") != NULL, "%s", o); /* quoted: the name has commas */
    free(o);
    char *argv[16] = { "forecast", "--input", NULL, "--output", NULL, "--method", "theta", "--season", "2",
                       "--report", rep, "--horizon", "3", "--guard", NULL };
    char in[128], out[128];
    path_of(in, sizeof in, "in.csv");
    path_of(out, sizeof out, "o2.csv");
    argv[2] = in;
    argv[4] = out;
    cr_assert_eq(forecast_cli_main(14, argv), OPS_EXIT_OK);
    char *r = read_file("rep.csv");
    cr_assert(strstr(r, ",check_origins,check_mase,check_mase_snaive,worse_than_snaive,action,scale80,scale95\n")
              != NULL, "%s", r);
    cr_assert(strstr(r, "\ns,40,SNaive,") != NULL, "%s", r);
    cr_assert(strstr(r, ",yes,\"Theta had MASE ") != NULL, "%s", r);
    free(r);
}
