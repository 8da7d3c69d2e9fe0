/* test_template.c - template loading, filling and error messages (file:line),
 * on small files written to a temp dir, plus a load of the real templates/. */
#include <criterion/criterion.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsreport/template.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/test_template_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

/* Writes text to dir/name; returns the path (static buffer per call site). */
static const char *write_file(const char *name, const char *text, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static char *fmt_err(const ops_error_t *e)
{
    static char buf[2048];
    ops_error_format(e, buf, sizeof buf);
    return buf;
}

TestSuite(template, .init = setup, .fini = teardown);

static const char sample[] =
    "# comment line 1\n"                                                   /* 1 */
    "\n"                                                                   /* 2 */
    "kpi_over_target = {label} is {value}, {delta} {direction} target ({target}).\n" /* 3 */
    "   plain=No placeholders here.   \n"                                  /* 4 */
    "braces = Use {{literal}} braces and a\\nnew line, c:\\\\tmp\n"        /* 5 */
    "body = \"\"\"\n"                                                      /* 6 */
    "Hello {name},\n"                                                      /* 7 */
    "\n"                                                                   /* 8 */
    "  indented {thing}\n"                                                 /* 9 */
    "\"\"\"\n"                                                             /* 10 */
    "after = ok\n";                                                        /* 11 */

Test(template, fill_basic)
{
    char path[128], out[256];
    ops_error_t err = {0};
    template_set_t *set = NULL;
    cr_assert_eq(template_set_load(write_file("a.txt", sample, path, sizeof path), &set, &err),
                 OPS_OK, "%s", fmt_err(&err));
    template_var_t v[] = {{"label", "Scrap rate"}, {"value", "4.1%"}, {"delta", "+0.6 pp"},
                          {"direction", "above"}, {"target", "3.5%"}, {"unused", "x"}};
    cr_assert_eq(template_fill(set, "kpi_over_target", v, 6, out, sizeof out, &err), OPS_OK);
    cr_expect_str_eq(out, "Scrap rate is 4.1%, +0.6 pp above target (3.5%).");
    cr_assert_eq(template_fill(set, "plain", NULL, 0, out, sizeof out, &err), OPS_OK);
    cr_expect_str_eq(out, "No placeholders here.");
    cr_assert_eq(template_fill(set, "braces", NULL, 0, out, sizeof out, &err), OPS_OK);
    cr_expect_str_eq(out, "Use {literal} braces and a\nnew line, c:\\tmp");
    template_var_t b[] = {{"name", "Zoë"}, {"thing", "text"}};
    cr_assert_eq(template_fill(set, "body", b, 2, out, sizeof out, &err), OPS_OK);
    cr_expect_str_eq(out, "Hello Zoë,\n\n  indented text");
    cr_expect_str_eq(template_get(set, "after"), "ok");
    cr_expect_str_eq(template_get(set, "kpi_over_target"),
                     "{label} is {value}, {delta} {direction} target ({target}).");
    cr_expect_null(template_get(set, "nope"));
    /* the first var of a name wins; template_fill_dup allocates */
    template_var_t twice[] = {{"name", "A"}, {"name", "B"}, {"thing", "t"}};
    char *dup = NULL;
    cr_assert_eq(template_fill_dup(set, "body", twice, 3, &dup, &err), OPS_OK);
    cr_expect_str_eq(dup, "Hello A,\n\n  indented t");
    free(dup);
    template_set_free(set);
}

Test(template, missing_placeholder_names_file_and_line)
{
    char path[128], out[256];
    ops_error_t err = {0};
    template_set_t *set = NULL;
    write_file("a.txt", sample, path, sizeof path);
    cr_assert_eq(template_set_load(path, &set, &err), OPS_OK);
    template_var_t v[] = {{"label", "Scrap rate"}, {"value", "4.1%"}, {"delta", "+0.6 pp"},
                          {"direction", NULL}, {"target", "3.5%"}};
    cr_expect_eq(template_fill(set, "kpi_over_target", v, 5, out, sizeof out, &err),
                 OPS_ERR_CONFIG);
    cr_expect_str_eq(out, "");
    char want[512];
    snprintf(want, sizeof want,
             "%s:3: template 'kpi_over_target': placeholder {direction} has no value", path);
    cr_expect_str_eq(fmt_err(&err), want);
    /* in a block, the line is that of the placeholder: {thing} is on line 9 */
    template_var_t b[] = {{"name", "Zoë"}};
    cr_expect_eq(template_fill(set, "body", b, 1, out, sizeof out, &err), OPS_ERR_CONFIG);
    snprintf(want, sizeof want, "%s:9: template 'body': placeholder {thing} has no value",
             path);
    cr_expect_str_eq(fmt_err(&err), want);
    template_set_free(set);
}

Test(template, unknown_key_and_small_buffer)
{
    char path[128], out[16];
    ops_error_t err = {0};
    template_set_t *set = NULL;
    write_file("a.txt", "k = 0123456789abcdef\n", path, sizeof path);
    cr_assert_eq(template_set_load(path, &set, &err), OPS_OK);
    cr_expect_eq(template_fill(set, "nope", NULL, 0, out, sizeof out, &err), OPS_ERR_CONFIG);
    char want[512];
    snprintf(want, sizeof want, "no template 'nope' in %s", path);
    cr_expect_str_eq(fmt_err(&err), want);
    /* 16 characters need 17 bytes */
    cr_expect_eq(template_fill(set, "k", NULL, 0, out, sizeof out, &err), OPS_ERR_OUTPUT);
    cr_expect(strstr(err.message, "needs 17 bytes") != NULL, "%s", err.message);
    template_set_free(set);
}

/* Each bad file and the line its error must name. */
Test(template, load_errors_name_file_and_line)
{
    struct {
        const char *text;
        long line;
        const char *words;
    } cases[] = {
        {"# c\nok = fine\nno equals sign here\n", 3, "expected 'key = text'"},
        {"= no key\n", 1, "expected 'key = text'"},
        {"a = x\n\nb = y\na = z\n", 4, "'a' defined twice (first on line 1)"},
        {"a = broken {place holder}\n", 1, "malformed placeholder"},
        {"a = open {brace\n", 1, "malformed placeholder"},
        {"a = {}\n", 1, "malformed placeholder"},
        {"a = stray } brace\n", 1, "stray '}'"},
        {"a = tab\\there\n", 1, "unknown escape '\\t'"},
        {"x = 1\nbody = \"\"\"\nnever closed\n", 2, "never closed"},
        {"body = \"\"\"\nline one\nline {bad name}\n\"\"\"\n", 3, "malformed placeholder"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[128], name[32];
        snprintf(name, sizeof name, "bad%zu.txt", i);
        write_file(name, cases[i].text, path, sizeof path);
        ops_error_t err = {0};
        template_set_t *set = (template_set_t *)1;
        cr_expect_eq(template_set_load(path, &set, &err), OPS_ERR_CONFIG, "case %zu", i);
        cr_expect_null(set, "case %zu", i);
        cr_expect_str_eq(err.file, path, "case %zu", i);
        cr_expect_eq(err.line, cases[i].line, "case %zu: line %ld", i, err.line);
        cr_expect(strstr(err.message, cases[i].words) != NULL, "case %zu: %s", i, err.message);
    }
}

Test(template, two_files_duplicate_key_and_missing_file)
{
    char p1[128], p2[128], missing[160];
    ops_error_t err = {0};
    template_set_t *set = template_set_new();
    cr_assert_not_null(set);
    cr_assert_eq(template_set_add_file(set, write_file("one.txt", "a = 1\nb = 2\n", p1,
                                                       sizeof p1), &err), OPS_OK);
    cr_expect_eq(template_set_add_file(set, write_file("two.txt", "c = 3\nb = 4\n", p2,
                                                       sizeof p2), &err), OPS_ERR_CONFIG);
    char want[512];
    snprintf(want, sizeof want, "%s:2: template 'b' already defined in %s:2", p2, p1);
    cr_expect_str_eq(fmt_err(&err), want);
    /* the failed file added nothing, not even its good line */
    cr_expect_null(template_get(set, "c"));
    cr_expect_str_eq(template_get(set, "b"), "2");
    snprintf(missing, sizeof missing, "%s/none.txt", dir);
    cr_expect_eq(template_set_add_file(set, missing, &err), OPS_ERR_CONFIG);
    cr_expect_str_eq(err.file, missing);
    template_set_free(set);
    template_set_free(NULL);
}

/* The shipped wording files load and fill with the placeholders the report
 * code is documented to supply. Run from the repository root (tests/run.sh). */
Test(template, shipped_templates)
{
    ops_error_t err = {0};
    template_set_t *set = template_set_new();
    const char *files[] = {"templates/narrative.txt", "templates/titles.txt",
                           "templates/email_subject.txt", "templates/email_body.txt"};
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(template_set_add_file(set, files[i], &err), OPS_OK, "%s", fmt_err(&err));
    char out[1024];
    template_var_t v[] = {{"organisation", "Acme Łódź"}, {"period", "October 2026"},
                          {"headline", "- Revenue: EUR 4.2M"},
                          {"red_amber_list", "- Red: Scrap rate 4.1% (target 3.5%)"},
                          {"pct", "7.2%"}, {"driver", "freight"}, {"amount", "EUR 184k"}};
    cr_assert_eq(template_fill(set, "subject", v, 7, out, sizeof out, &err), OPS_OK);
    cr_expect_str_eq(out, "Acme Łódź operations summary October 2026");
    cr_assert_eq(template_fill(set, "budget_variance", v, 7, out, sizeof out, &err), OPS_OK);
    cr_expect_str_eq(out, "Operating expense is 7.2% over budget YTD, driven by freight "
                          "(EUR 184k).");
    cr_assert_eq(template_fill(set, "body", v, 7, out, sizeof out, &err), OPS_OK, "%s",
                 fmt_err(&err));
    cr_expect(strstr(out, "\n- Red: Scrap rate 4.1% (target 3.5%)\n") != NULL, "%s", out);
    cr_expect(strstr(out, "- Revenue: EUR 4.2M") != NULL);
    cr_expect_eq(template_fill(set, "kpi_over_target", v, 7, out, sizeof out, &err),
                 OPS_ERR_CONFIG);
    cr_expect_str_eq(err.file, "templates/narrative.txt");
    template_set_free(set);
}

/* ---- where the templates folder is ------------------------------------------ */

/* The order of the places, a config-relative templates_dir resolved from the
 * config file's folder, and the program's checkout found from its path. */
Test(template, places_in_order)
{
    template_places_t p;
    template_places(&p, "/opt/wording", "tpl", "/etc/opsreport/site.ini", "/home/u/opsreport/build/opsreport");
    cr_assert_eq(p.n, 5);
    cr_expect_str_eq(p.dir[0], "/opt/wording");
    cr_expect_str_eq(p.what[0], "--templates");
    cr_expect_str_eq(p.dir[1], "/etc/opsreport/tpl");
    cr_expect_str_eq(p.what[1], "[report] templates_dir");
    cr_expect(strstr(p.dir[2], "/share/opsreport/templates") != NULL, "%s", p.dir[2]);
    cr_expect_str_eq(p.what[2], "installed");
    cr_expect_str_eq(p.dir[3], "/home/u/opsreport/templates");
    cr_expect_str_eq(p.what[3], "beside the program");
    cr_expect_str_eq(p.dir[4], "templates");
    cr_expect_str_eq(p.what[4], "working directory");
}

/* Without --templates and templates_dir those places are left out; an
 * absolute templates_dir is kept as written; the running test binary's own
 * path is read from /proc/self/exe (build/tests/x -> build/templates). */
Test(template, places_skip_what_is_not_given)
{
    template_places_t p;
    template_places(&p, NULL, NULL, "config/opsreport.ini", "/x/bin/opsreport");
    cr_assert_eq(p.n, 3);
    cr_expect_str_eq(p.what[0], "installed");
    cr_expect_str_eq(p.dir[1], "/x/templates");
    template_places(&p, NULL, "/srv/tpl", "config/opsreport.ini", NULL);
    cr_assert_eq(p.n, 4);
    cr_expect_str_eq(p.dir[0], "/srv/tpl");
    cr_expect_str_eq(p.what[2], "beside the program");
    cr_expect(g_str_has_suffix(p.dir[2], "/build/templates") || g_str_has_suffix(p.dir[2], "/templates"), "%s", p.dir[2]);
    template_places(&p, NULL, "tpl", "site.ini", "/x/bin/opsreport");
    cr_expect_str_eq(p.dir[0], "tpl", "a config in the working directory: templates_dir as written");
}

static void make_templates(const char *sub, bool all)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    cr_assert_eq(mkdir(path, 0755), 0);
    for (size_t i = 0; template_files[i]; i++) {
        if (!all && i == 3)
            break;
        char name[128];
        snprintf(name, sizeof name, "%s/%s", sub, template_files[i]);
        write_file(name, "k = v\n", path, sizeof path);
    }
}

/* The first folder holding every file wins, even when an earlier one holds
 * some of them. */
Test(template, find_first_complete_place)
{
    make_templates("partial", false);
    make_templates("full", true);
    template_places_t p = { 0 };
    p.n = 3;
    snprintf(p.dir[0], sizeof p.dir[0], "%s/partial", dir);
    p.what[0] = "--templates";
    snprintf(p.dir[1], sizeof p.dir[1], "%s/full", dir);
    p.what[1] = "installed";
    snprintf(p.dir[2], sizeof p.dir[2], "%s/none", dir);
    p.what[2] = "working directory";
    char out[1100];
    ops_error_t err = { 0 };
    cr_assert_eq(template_places_find(&p, out, sizeof out, &err), OPS_OK, "%s", fmt_err(&err));
    cr_expect_str_eq(out, p.dir[1]);
}

/* No folder holds them all: an input error naming every place and what it lacks. */
Test(template, find_names_every_place)
{
    make_templates("partial", false);
    template_places_t p = { 0 };
    p.n = 2;
    snprintf(p.dir[0], sizeof p.dir[0], "%s/partial", dir);
    p.what[0] = "--templates";
    snprintf(p.dir[1], sizeof p.dir[1], "%s/none", dir);
    p.what[1] = "working directory";
    char out[1100] = "junk", expect[1024];
    ops_error_t err = { 0 };
    cr_assert_eq(template_places_find(&p, out, sizeof out, &err), OPS_ERR_INPUT);
    cr_expect_str_eq(out, "");
    snprintf(expect, sizeof expect, "%s/partial (--templates): no email_body.txt; %s/none (working directory): no such folder",
             dir, dir);
    cr_expect(strstr(err.message, expect) != NULL, "%s", err.message);
    cr_expect_eq(ops_status_exit_code(err.status), 4);
}
