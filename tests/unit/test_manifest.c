/* Unit tests for manifest.json (pipeline/core/manifest.c): money as exact
 * decimal text (a table), and a manifest written from hand-filled structs,
 * read back with jansson field by field. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opsreport/manifest.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

Test(manifest, money_to_text_table)
{
    static const struct {
        int64_t minor;
        int units;
        const char *text;
    } cases[] = {
        { 0, 2, "0.00" },           { 5, 2, "0.05" },          { -5, 2, "-0.05" },
        { 123456, 2, "1234.56" },   { -123456, 2, "-1234.56" }, { 100, 0, "100" },
        { -7, 0, "-7" },            { 1, 3, "0.001" },          { 12345, 4, "1.2345" },
        /* the extremes: no overflow on negation, every digit exact */
        { INT64_MAX, 2, "92233720368547758.07" },
        { INT64_MIN, 2, "-92233720368547758.08" },
    };
    for (size_t i = 0; i < N(cases); i++) {
        char buf[40];
        money_to_text(cases[i].minor, cases[i].units, buf, sizeof buf);
        cr_expect_str_eq(buf, cases[i].text, "%lld with %d units", (long long)cases[i].minor, cases[i].units);
    }
}

static char dir[] = "/tmp/opsreport-manifest-XXXXXX";

static config_t *load_config(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/test.ini", dir);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs("[report]\norganisation = Test Org\ncurrency = EUR\nminor_units = 2\n"
          "[input.gl_actuals]\nfile = gl.csv\n",
          fp);
    fclose(fp);
    config_t *cfg = NULL;
    ops_error_t err = { 0 };
    cr_assert_eq(config_load(path, &cfg, &err), OPS_OK, "%s", err.message);
    return cfg;
}

Test(manifest, written_fields_read_back)
{
    cr_assert_not_null(mkdtemp(dir));
    config_t *cfg = load_config();
    ingest_stats_t st;
    memset(&st, 0, sizeof st);
    snprintf(st.name, sizeof st.name, "gl_actuals");
    snprintf(st.kind, sizeof st.kind, "gl_actuals");
    snprintf(st.path, sizeof st.path, "data/gl.csv");
    st.present = true;
    st.bytes = 1234;
    snprintf(st.sha256, sizeof st.sha256, "%064d", 7);
    st.rows_read = 10;
    st.rows_accepted = 6;
    st.rows_rejected = 2;
    st.rows_filtered = 1;
    st.rows_superseded = 1;
    st.n_money = 1;
    snprintf(st.money[0].field, sizeof st.money[0].field, "amount");
    st.money[0].total_accepted = -150005; /* -1500.05 */
    st.money[0].total_rejected = 99;
    st.money[0].unparsed = 1;
    runfolder_t rf;
    memset(&rf, 0, sizeof rf);
    rf.lock_fd = -1;
    rf.n_outputs = 1;
    snprintf(rf.outputs[0].name, sizeof rf.outputs[0].name, "report.xlsx");
    rf.outputs[0].bytes = 42;
    snprintf(rf.outputs[0].sha256, sizeof rf.outputs[0].sha256, "%064d", 1);
    manifest_t m = { .status = "ok", .period = "2026-10", .run_id = "run-1", .cfg = cfg, .inputs = &st,
                     .n_inputs = 1, .rf = &rf };
    m.stages[m.n_stages].name = "ingest";
    m.stages[m.n_stages++].seconds = 0.5;
    ops_error_t err = { 0 };
    cr_assert_eq(manifest_write(&m, dir, &err), OPS_OK, "%s", err.message);

    char path[300];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    cr_assert_not_null(root, "%s", jerr.text);
    cr_expect_str_eq(json_string_value(json_object_get(root, "period")), "2026-10");
    cr_expect_str_eq(json_string_value(json_object_get(root, "run_id")), "run-1");
    cr_expect_str_eq(json_string_value(json_object_get(root, "status")), "ok");
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(root, "config"), "sha256")), cfg->sha256);
    json_t *in = json_array_get(json_object_get(root, "inputs"), 0);
    cr_assert_not_null(in);
    cr_expect_eq(json_integer_value(json_object_get(in, "rows_read")), 10);
    cr_expect_eq(json_integer_value(json_object_get(in, "rows_filtered")), 1);
    cr_expect(json_is_true(json_object_get(in, "reconciles")));
    json_t *tot = json_array_get(json_object_get(in, "control_totals"), 0);
    cr_assert_not_null(tot);
    cr_expect_str_eq(json_string_value(json_object_get(tot, "accepted")), "-1500.05");
    cr_expect_str_eq(json_string_value(json_object_get(tot, "rejected")), "0.99");
    cr_expect_eq(json_integer_value(json_object_get(tot, "accepted_minor")), -150005);
    cr_expect_eq(json_integer_value(json_object_get(tot, "rejected_unparsed_rows")), 1);
    cr_expect_float_eq(json_real_value(json_object_get(json_object_get(root, "stage_seconds"), "ingest")), 0.5, 1e-12);
    json_t *out = json_array_get(json_object_get(root, "outputs"), 0);
    cr_expect_str_eq(json_string_value(json_object_get(out, "name")), "report.xlsx");
    cr_expect_eq(json_integer_value(json_object_get(out, "bytes")), 42);
    json_decref(root);

    /* a count that does not add up says so: 10 read, 6 + 2 + 1 + 0 */
    st.rows_superseded = 0;
    cr_assert_eq(manifest_write(&m, dir, &err), OPS_OK);
    root = json_load_file(path, 0, &jerr);
    in = json_array_get(json_object_get(root, "inputs"), 0);
    cr_expect(json_is_false(json_object_get(in, "reconciles")));
    json_decref(root);
    /* written atomically: nothing but the manifest and the config is left */
    char cmd[400];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 2", dir);
    cr_expect_eq(system(cmd), 0, "temp files left in %s", dir);
    config_free(cfg);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}
