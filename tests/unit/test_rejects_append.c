/*
 * test_rejects_append.c - rejects_append_file: the rows of per-input rejects
 * files appended to the run's rejects file in order give the file one writer
 * would have written for all rows (run --jobs N), header once.
 */
#include "opsreport/rejects.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const char *input, *file;
    long line;
    const char *column, *value, *reason;
} row_t;

static const row_t rows[] = {
    { "gl_actuals", "gl.csv", 3, "Amount", "1,2,3", "not an amount" },
    { "gl_actuals", "gl.csv", 9, "Date", "=cmd()", "not a date" },
    { "tickets", "t.csv", 2, "Opened", "", "missing value" },
    { "timesheets", "ts.csv", 14, "Hours", "say \"eight\"\nor so", "not a number" },
    { "timesheets", "ts.csv", 15, "Hours", "-", "not a number" },
};
#define N_ROWS (sizeof rows / sizeof rows[0])

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "%s", path);
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static void write_rows(const char *path, size_t from, size_t to)
{
    rejects_writer_t *w = NULL;
    ops_error_t err = { 0 };
    cr_assert_eq(rejects_open(path, &w, &err), OPS_OK, "%s", err.message);
    for (size_t i = from; i < to; i++)
        cr_assert_eq(rejects_write(w, rows[i].input, rows[i].file, rows[i].line, rows[i].column, rows[i].value,
                                   strlen(rows[i].value), rows[i].reason),
                     OPS_OK);
    cr_assert_eq(rejects_close(w, &err), OPS_OK, "%s", err.message);
}

Test(rejects_append, parts_appended_in_order_equal_one_writer)
{
    char dir[] = "/tmp/test_rejects_append.XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char one[512], all[512], part[3][512];
    snprintf(one, sizeof one, "%s/one.csv", dir);
    snprintf(all, sizeof all, "%s/all.csv", dir);
    write_rows(one, 0, N_ROWS);
    /* parts: rows 0-1, none (an input with no rejects), rows 2-4 */
    const size_t bounds[3][2] = { { 0, 2 }, { 2, 2 }, { 2, N_ROWS } };
    for (size_t k = 0; k < 3; k++) {
        snprintf(part[k], sizeof part[k], "%s/part%zu.csv", dir, k);
        write_rows(part[k], bounds[k][0], bounds[k][1]);
    }
    rejects_writer_t *w = NULL;
    ops_error_t err = { 0 };
    cr_assert_eq(rejects_open(all, &w, &err), OPS_OK);
    for (size_t k = 0; k < 3; k++)
        cr_assert_eq(rejects_append_file(w, part[k], &err), OPS_OK, "%s", err.message);
    cr_assert_eq(rejects_close(w, &err), OPS_OK);

    char *a = slurp(one), *b = slurp(all);
    cr_assert_str_eq(b, a);
    /* the header once, then one line per row (one value spans two lines) */
    cr_assert_eq(strncmp(a, "input,file,line,column,value,reason\n", 36), 0);
    cr_assert_null(strstr(a + 1, "input,file,line"));
    free(a);
    free(b);
    for (size_t k = 0; k < 3; k++)
        unlink(part[k]);
    unlink(one);
    unlink(all);
    rmdir(dir);
}

Test(rejects_append, missing_part_is_an_output_error)
{
    char path[] = "/tmp/test_rejects_append_main.XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    rejects_writer_t *w = NULL;
    ops_error_t err = { 0 };
    cr_assert_eq(rejects_open(path, &w, &err), OPS_OK);
    cr_assert_eq(rejects_append_file(w, "/nonexistent/part.csv", &err), OPS_ERR_OUTPUT);
    cr_assert_str_eq(err.file, "/nonexistent/part.csv");
    cr_assert_eq(rejects_close(w, &err), OPS_OK);
    unlink(path);
}
