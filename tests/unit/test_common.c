/*
 * test_common.c - the status and exit-code tables: every status has a name
 * and a documented exit code, and README's exit-code table says exactly what
 * ops_exit_codes says, row for row, so the two cannot drift.
 */
#include "opsreport/common.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* README's table, as (code, meaning) rows in file order. */
typedef struct {
    int code;
    char meaning[512];
} readme_row_t;

/* Reads the rows of the table under the "| code | meaning |" header of
 * README.md (run from the repository root, as tests/run.sh does). */
static size_t readme_exit_rows(readme_row_t *rows, size_t max)
{
    FILE *fp = fopen("README.md", "r");
    cr_assert_not_null(fp, "README.md not found: run from the repository root");
    char line[2048];
    bool in_table = false;
    size_t n = 0;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\n")] = '\0';
        if (!in_table) {
            in_table = !strcmp(line, "| code | meaning |");
            continue;
        }
        if (!strncmp(line, "|---", 4))
            continue;
        if (line[0] != '|')
            break;
        cr_assert_lt(n, max, "README's exit-code table has more than %zu rows", max);
        char *end = NULL;
        rows[n].code = (int)strtol(line + 1, &end, 10);
        cr_assert(end && !strncmp(end, " | ", 3), "README row not '| N | meaning |': %s", line);
        const char *meaning = end + 3;
        size_t len = strlen(meaning);
        cr_assert(len >= 2 && !strcmp(meaning + len - 2, " |"), "README row not '| N | meaning |': %s", line);
        snprintf(rows[n].meaning, sizeof rows[n].meaning, "%.*s", (int)(len - 2), meaning);
        n++;
    }
    fclose(fp);
    cr_assert(in_table, "README.md has no '| code | meaning |' table");
    return n;
}

Test(common, readme_exit_table_matches_ops_exit_codes)
{
    readme_row_t rows[OPS_EXIT_CODE_COUNT + 4];
    size_t n = readme_exit_rows(rows, sizeof rows / sizeof rows[0]);
    cr_expect_eq(n, OPS_EXIT_CODE_COUNT, "README lists %zu exit codes, ops_exit_codes %d", n, OPS_EXIT_CODE_COUNT);
    for (size_t i = 0; i < n && i < OPS_EXIT_CODE_COUNT; i++) {
        cr_expect_eq(rows[i].code, ops_exit_codes[i].code, "row %zu: README %d, table %d", i, rows[i].code,
                     ops_exit_codes[i].code);
        cr_expect_str_eq(rows[i].meaning, ops_exit_codes[i].meaning, "exit code %d", ops_exit_codes[i].code);
    }
}

Test(common, exit_codes_increase_and_have_names)
{
    for (size_t i = 0; i < OPS_EXIT_CODE_COUNT; i++) {
        cr_expect(ops_exit_codes[i].name && ops_exit_codes[i].name[0], "code %d has no name", ops_exit_codes[i].code);
        cr_expect(ops_exit_codes[i].meaning && ops_exit_codes[i].meaning[0], "code %d has no meaning",
                  ops_exit_codes[i].code);
        if (i)
            cr_expect_gt(ops_exit_codes[i].code, ops_exit_codes[i - 1].code);
    }
}

/* A status in the middle of the enum left out of the status table would
 * have no name and exit 0 on a failure: the size assert cannot see that. */
Test(common, every_status_has_a_name_and_a_documented_exit_code)
{
    for (int s = 0; s < OPS_STATUS_COUNT; s++) {
        cr_expect_str_neq(ops_status_str((ops_status_t)s), "unknown status", "status %d", s);
        int code = ops_status_exit_code((ops_status_t)s);
        cr_expect_eq(code == 0, s == OPS_OK, "status %d exits %d", s, code);
        bool documented = false;
        for (size_t i = 0; i < OPS_EXIT_CODE_COUNT; i++)
            documented |= ops_exit_codes[i].code == code;
        cr_expect(documented, "status %d exits %d, which ops_exit_codes does not list", s, code);
    }
}

Test(common, status_exit_codes)
{
    static const struct {
        ops_status_t status;
        int code;
    } cases[] = {
        { OPS_OK, OPS_EXIT_OK },           { OPS_ERR_USAGE, OPS_EXIT_USAGE },
        { OPS_ERR_CONFIG, OPS_EXIT_CONFIG }, { OPS_ERR_INPUT, OPS_EXIT_INPUT },
        { OPS_ERR_PARSE, OPS_EXIT_INPUT }, { OPS_ERR_REJECTS, OPS_EXIT_REJECTS },
        { OPS_ERR_OUTPUT, OPS_EXIT_OUTPUT }, { OPS_ERR_DELIVERY, OPS_EXIT_DELIVERY },
        { OPS_ERR_NOMEM, OPS_EXIT_INTERNAL }, { OPS_ERR_LOCKED, OPS_EXIT_LOCKED },
        { OPS_ERR_INTERNAL, OPS_EXIT_INTERNAL }, { OPS_STATUS_COUNT, OPS_EXIT_INTERNAL },
        { (ops_status_t)-1, OPS_EXIT_INTERNAL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_eq(ops_status_exit_code(cases[i].status), cases[i].code, "status %d", (int)cases[i].status);
}

/* --help shows every code, wrapped, without README's backticks. */
Test(common, exit_codes_print)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&buf, &size);
    cr_assert_not_null(fp);
    ops_exit_codes_print(fp);
    fclose(fp);
    cr_expect(!strncmp(buf, "Exit codes:\n", 12));
    cr_expect_null(strchr(buf, '`'));
    for (const char *line = buf; *line;) {
        size_t len = strcspn(line, "\n");
        cr_expect_leq(len, 78, "line over 78 columns: %.*s", (int)len, line);
        line += len + (line[len] == '\n');
    }
    for (size_t i = 0; i < OPS_EXIT_CODE_COUNT; i++) {
        char want[16];
        snprintf(want, sizeof want, "\n  %-3d ", ops_exit_codes[i].code);
        cr_expect_not_null(strstr(buf, want), "code %d not printed", ops_exit_codes[i].code);
    }
    cr_expect_not_null(strstr(buf, "[report] reject_threshold: rejects.csv"));
    free(buf);
}
