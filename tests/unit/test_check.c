/* Unit tests for `opsreport check` (pipeline/cli/check.c): one table of configs,
 * good and broken, with the exact problems each must list, in order, and the
 * exit code. {D} stands for the case's temporary folder (config, data and
 * output folder live there). An expected text ending in "..." is a prefix:
 * the rest is ingest's list of headers, tested in test_ingest.c. */
#include <criterion/criterion.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsreport/check.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define ITEMS_CSV "SKU,Description,Category,Standard Cost,Lead Time (days)\r\nKP-1,Box,Corrugated,2.44,11\r\n"
#define ITEMS "[input.items]\n"           \
              "file = items.csv\n"        \
              "col.sku = SKU\n"           \
              "col.description = Description\n" \
              "col.category = Category\n" \
              "col.unit_cost = Standard Cost\n" \
              "col.lead_time_days = Lead Time (days)\n"
#define EMAIL "[email]\n"                 \
              "enabled = true\n"          \
              "smtp_url = smtp://mail.example.com:587\n" \
              "from = ops@example.com\n"  \
              "username = ops\n"          \
              "to = cfo@example.com\n"

typedef struct {
    const char *name;
    const char *ini;          /* {D}/c.ini */
    const char *out;          /* the out_dir option; NULL: {D}/out */
    const char *templates;    /* the templates_dir option; NULL: templates (the tests run in the checkout) */
    unsigned pw_mode;         /* {D}/pw written with this mode; 0: none */
    const char *problems[6];  /* ops_error_format() of each, in order */
    int exit_code;
} check_case_t;

static const check_case_t cases[] = {
    { "good", ITEMS, NULL, NULL, 0, { NULL }, 0 },
    { "a bad value in two sections: both listed, the bad input not read",
      "[input.items]\nfile = items.csv\ndelimiter = semicolom\n\n[report]\ncurrency = EURO\n", NULL, NULL, 0,
      { "{D}/c.ini:3: key 'delimiter': expected one character or a name (tab, semicolon, comma, pipe, space), "
        "found 'semicolom'",
        "{D}/c.ini:6: key 'currency': expected a 3-letter ISO 4217 code such as EUR, found 'EURO'" },
      3 },
    { "an unknown section once, not once per key",
      "[reprot]\norganisation = X\ncurrency = EUR\n\n" ITEMS, NULL, NULL, 0,
      { "{D}/c.ini:2: key '[reprot]': unknown section [reprot]; did you mean [report]?" }, 3 },
    { "an unknown kind once, not once per col.",
      "[input.stock]\nkind = stok\nfile = s.csv\ncol.sku = SKU\ncol.site = Site\n", NULL, NULL, 0,
      { "{D}/c.ini:2: key 'kind': unknown input kind 'stok'; did you mean 'items'?" }, 3 },
    { "a missing input file",
      "[input.items]\nfile = item.csv\n", NULL, NULL, 0,
      { "{D}/item.csv: cannot open input '{D}/item.csv' ([input.items] file = item.csv): No such file or directory" },
      4 },
    { "a required field not mapped, a mapped column not in the header row",
      "[input.items]\nfile = items.csv\ncol.category = Categry\n", NULL, NULL, 0,
      { "{D}/items.csv:1: [input.items] (items) cannot be read as mapped:\n 1 required field is not mapped:\n"
        "  unit_cost (standard unit cost): add col.unit_cost = <header> or const.unit_cost = <value for every row>; "
        "candidates: 'Standard Cost'\n configured columns not found:\n"
        "  col.category = 'Categry': not among the headers (candidates: 'Category')\n  headers found (5): ..." },
      4 },
    { "a config problem and an input problem: exit 3",
      "[report]\ncurrency = EU\n\n[input.items]\nfile = item.csv\n", NULL, NULL, 0,
      { "{D}/c.ini:2: key 'currency': expected a 3-letter ISO 4217 code such as EUR, found 'EU'",
        "{D}/item.csv: cannot open input '{D}/item.csv' ([input.items] file = item.csv): No such file or directory" },
      3 },
    { "an optional input that is absent is no problem",
      "[input.items]\nfile = none.csv\noptional = true\n", NULL, NULL, 0, { NULL }, 0 },
    { "a KPI band against its direction",
      ITEMS "\n[kpi.first_pass_yield_pct]\ntarget = 98\namber = 99\ndirection = higher\n", NULL, NULL, 0,
      { "{D}/c.ini:10: key 'amber': [kpi.first_pass_yield_pct] direction = higher: amber (99) must be at or "
        "below target (98); it is the worse end of the amber band" },
      3 },
    { "a forecast without the input its series comes from",
      ITEMS "\n[forecast.tickets]\nseries = tickets_created\n", NULL, NULL, 0,
      { "{D}/c.ini:10: key 'series': [forecast.tickets] series = tickets_created is built from the tickets "
        "input, and no [input.NAME] has kind = tickets" },
      3 },
    { "password_env names a variable that is not set",
      ITEMS "\n" EMAIL "password_env = OPSREPORT_TEST_UNSET_PASSWORD\n", NULL, NULL, 0,
      { "{D}/c.ini:10: key 'password_env': environment variable OPSREPORT_TEST_UNSET_PASSWORD is not set or "
        "empty" },
      3 },
    { "password_file readable by others",
      ITEMS "\n" EMAIL "password_file = {D}/pw\n", NULL, NULL, 0644,
      { "{D}/pw: key 'password_file': password file has mode 0644: it must be readable by its owner only "
        "(chmod 600 {D}/pw)" },
      3 },
    { "password_file readable by its owner only", ITEMS "\n" EMAIL "password_file = {D}/pw\n", NULL, NULL, 0600,
      { NULL }, 0 },
    { "bad addresses: each listed, and what they would cause is not",
      "[email]\nenabled = true\nsmtp_url = http://mail.example.com\nfrom = ops\nusername = ops\n"
      "password_env = OPSREPORT_TEST_UNSET_PASSWORD\nto = cfo@example.com, cfo@\n", NULL, NULL, 0,
      { "{D}/c.ini:4: key 'from': 'ops' is not a usable email address: one user@domain, ASCII, no spaces, "
        "line breaks or <>,;:\"()[]\\",
        "{D}/c.ini:7: key 'to': 'cfo@' is not a usable email address: one user@domain, ASCII, no spaces, "
        "line breaks or <>,;:\"()[]\\" },
      3 },
    { "every problem of the sender's settings at once",
      "[email]\nenabled = true\nsmtp_url = http://mail.example.com\nfrom = ops@example.com\nusername = ops\n"
      "password_env = OPSREPORT_TEST_UNSET_PASSWORD\nto = cfo@example.com\n", NULL, NULL, 0,
      { "{D}/c.ini:2: key 'smtp_url': 'http://mail.example.com': scheme must be smtp:// (STARTTLS) or smtps:// "
        "(TLS), not http://",
        "{D}/c.ini:2: key 'password_env': environment variable OPSREPORT_TEST_UNSET_PASSWORD is not set or "
        "empty" },
      3 },
    { "a bad series: listed once, not again as a missing one",
      ITEMS "\n[forecast.revenue]\nseries = gl_revenu\n", NULL, NULL, 0,
      { "{D}/c.ini:10: key 'series': unknown series 'gl_revenu'; did you mean 'gl_revenue'? (series: gl_revenue, "
        "gl_opex, gl_cogs, tickets_created, headcount)" },
      3 },
    { "a recipient without an address",
      ITEMS "\n[recipient.leeds]\nscope = Leeds\n", NULL, NULL, 0,
      { "{D}/c.ini:10: key 'email': [recipient.leeds] needs email = address" }, 3 },
    { "the output folder is a file", ITEMS, "{D}/items.csv", NULL, 0,
      { "{D}/items.csv: the output folder is not a folder" }, 6 },
    { "--templates without the files: a run falls back, so no problem", ITEMS, NULL, "{D}/words", 0,
      { NULL }, 0 },
    { "a config that cannot be read at all", NULL, NULL, NULL, 0,
      { "{D}/c.ini: cannot open config file: No such file or directory" }, 3 },
};

/* text with every {D} replaced by dir; g_free it */
static char *expand(const char *text, const char *dir)
{
    gchar **parts = g_strsplit(text, "{D}", -1);
    char *out = g_strjoinv(dir, parts);
    g_strfreev(parts);
    return out;
}

static void write_file(const char *dir, const char *name, const char *text, unsigned mode)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *body = expand(text, dir);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp, "%s", path);
    fputs(body, fp);
    fclose(fp);
    g_free(body);
    if (mode)
        cr_assert_eq(chmod(path, mode), 0);
}

Test(check, cases_table)
{
    for (size_t i = 0; i < N(cases); i++) {
        const check_case_t *c = &cases[i];
        char dir[] = "/tmp/opsreport-check-XXXXXX", cfg[600], out[600];
        cr_assert_not_null(mkdtemp(dir));
        if (c->ini)
            write_file(dir, "c.ini", c->ini, 0);
        write_file(dir, "items.csv", ITEMS_CSV, 0);
        if (c->pw_mode)
            write_file(dir, "pw", "secret\n", c->pw_mode);
        snprintf(cfg, sizeof cfg, "%s/c.ini", dir);
        char *out_opt = expand(c->out ? c->out : "{D}/out", dir);
        snprintf(out, sizeof out, "%s", out_opt);
        g_free(out_opt);
        char *tpl = expand(c->templates ? c->templates : "templates", dir);
        check_options_t opt = { cfg, dir, out, tpl };
        check_result_t res;
        cr_assert_eq(check_all(&opt, &res), OPS_OK, "%s", c->name);

        size_t want = 0;
        while (want < N(c->problems) && c->problems[want])
            want++;
        for (size_t k = 0; k < res.n_problems; k++) {
            char got[5000];
            ops_error_format(&res.problems[k], got, sizeof got);
            cr_assert(k < want, "%s: unexpected problem %zu: %s", c->name, k + 1, got);
            char *exp = expand(c->problems[k], dir);
            size_t len = strlen(exp);
            if (len > 3 && !strcmp(exp + len - 3, "..."))
                cr_assert(!strncmp(got, exp, len - 3), "%s: problem %zu\n got: %s\nwant: %s", c->name, k + 1,
                          got, exp);
            else
                cr_assert_str_eq(got, exp, "%s: problem %zu\n got: %s\nwant: %s", c->name, k + 1, got, exp);
            g_free(exp);
        }
        cr_assert_eq(res.n_problems, want, "%s: %zu problems, want %zu", c->name, res.n_problems, want);
        cr_assert_eq(check_exit_code(&res), c->exit_code, "%s: exit %d, want %d", c->name,
                     check_exit_code(&res), c->exit_code);
        check_result_free(&res);
        g_free(tpl);
        char cmd[200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
    }
}

/* What a good config reports: the config, email, output and each input. */
Test(check, notes_of_a_good_config)
{
    char dir[] = "/tmp/opsreport-check-XXXXXX", cfg[600], out[600];
    cr_assert_not_null(mkdtemp(dir));
    write_file(dir, "c.ini", ITEMS "optional = false\n\n[input.training]\nfile = none.csv\noptional = yes\n", 0);
    write_file(dir, "items.csv", ITEMS_CSV, 0);
    snprintf(cfg, sizeof cfg, "%s/c.ini", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    check_options_t opt = { cfg, dir, out, "templates" };
    check_result_t res;
    cr_assert_eq(check_all(&opt, &res), OPS_OK);
    cr_assert_eq(res.n_problems, 0);
    const char *want[] = {
        "config     {D}/c.ini: 2 inputs, 0 [kpi] sections, 0 forecasts, 0 [recipient] sections",
        "email      off",
        "output     {D}/out (created by the first run)",
        "templates  templates",
        "input      items            {D}/items.csv: header maps 5 of 5 fields",
        "input      training         {D}/none.csv: optional, not present",
    };
    cr_assert_eq(res.n_notes, N(want));
    for (size_t i = 0; i < N(want); i++) {
        char *exp = expand(want[i], dir);
        cr_assert_str_eq(res.notes[i], exp);
        g_free(exp);
    }
    check_result_free(&res);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* --templates naming a folder without the files: the note says which folder
 * a run will take instead, as the run's warning does. */
Test(check, templates_fallback_noted)
{
    char dir[] = "/tmp/opsreport-check-XXXXXX", cfg[600], words[600];
    cr_assert_not_null(mkdtemp(dir));
    write_file(dir, "c.ini", ITEMS, 0);
    write_file(dir, "items.csv", ITEMS_CSV, 0);
    snprintf(cfg, sizeof cfg, "%s/c.ini", dir);
    snprintf(words, sizeof words, "%s/words", dir);
    check_options_t opt = { cfg, dir, NULL, words };
    check_result_t res;
    cr_assert_eq(check_all(&opt, &res), OPS_OK);
    cr_assert_eq(res.n_problems, 0);
    char *want = g_strdup_printf(" (--templates %s lacks a template file)", words);
    bool seen = false;
    for (size_t i = 0; i < res.n_notes; i++)
        seen |= g_str_has_prefix(res.notes[i], "templates  ") && g_str_has_suffix(res.notes[i], want);
    cr_assert(seen, "no note ending in%s", want);
    g_free(want);
    check_result_free(&res);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* The loader stops at its first problem; check goes on, and the lines it
 * left out of its copy change nothing on disk. */
Test(check, config_file_untouched)
{
    char dir[] = "/tmp/opsreport-check-XXXXXX", cfg[600];
    cr_assert_not_null(mkdtemp(dir));
    const char *ini = "[report]\ncurrency = EURO\nminor_units = 9\n\n[output]\npaper = a3\n";
    write_file(dir, "c.ini", ini, 0);
    snprintf(cfg, sizeof cfg, "%s/c.ini", dir);
    check_options_t opt = { cfg, dir, NULL, "templates" };
    check_result_t res;
    cr_assert_eq(check_all(&opt, &res), OPS_OK);
    cr_assert_eq(res.n_problems, 3);
    cr_assert_eq(res.problems[0].line, 2);
    cr_assert_eq(res.problems[1].line, 3);
    cr_assert_eq(res.problems[2].line, 6);
    gchar *text = NULL;
    cr_assert(g_file_get_contents(cfg, &text, NULL, NULL));
    cr_assert_str_eq(text, ini);
    g_free(text);
    check_result_free(&res);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}
