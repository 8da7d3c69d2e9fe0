/*
 * test_runfolder.c - the run folder's all-or-nothing publishing
 * (pipeline/core/runfolder.c) in a fresh temp dir: a long recipient scope in
 * "summary-<scope>.pdf" is published under its whole name, names that cannot
 * be one file name are refused before anything is written, and a commit with
 * a temp file missing renames nothing.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsreport/runfolder.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/test_runfolder_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(runfolder, .init = setup, .fini = teardown);

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot create %s", path);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

static bool exists(const char *folder, const char *name)
{
    char path[RUNFOLDER_PATH_SIZE];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", folder, name);
    return stat(path, &st) == 0;
}

/* Files in folder whose name ends in ".tmp". */
static int count_tmp(const char *folder)
{
    DIR *d = opendir(folder);
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        n += len > 4 && !strcmp(e->d_name + len - 4, ".tmp");
    }
    closedir(d);
    return n;
}

/* A scope of 100 characters: "summary-" + 100 + ".pdf" is 112 bytes, past
 * the 64 that used to cut the name (and failed the commit after renaming). */
Test(runfolder, long_scope_name_is_published_whole)
{
    runfolder_t rf;
    ops_error_t err = { 0 };
    cr_assert_eq(runfolder_open(&rf, dir, "2026-10", &err), OPS_OK, "%s", err.message);
    char scope[101], name[RUNFOLDER_NAME_SIZE], path[RUNFOLDER_PATH_SIZE];
    memset(scope, 'S', 100);
    scope[100] = '\0';
    snprintf(name, sizeof name, "summary-%s.pdf", scope);
    cr_assert_eq(strlen(name), 112);

    cr_assert_eq(runfolder_temp_path(&rf, "report.xlsx", path, sizeof path, &err), OPS_OK);
    write_text(path, "xlsx");
    cr_assert_eq(runfolder_temp_path(&rf, name, path, sizeof path, &err), OPS_OK, "%s", err.message);
    cr_assert(strstr(path, name) != NULL, "temp path %s keeps the whole name", path);
    write_text(path, "pdf!");
    cr_assert_eq(runfolder_commit(&rf, &err), OPS_OK, "%s", err.message);

    cr_assert(exists(rf.dir, name));
    cr_assert(exists(rf.dir, "report.xlsx"));
    cr_expect_eq(count_tmp(rf.dir), 0);
    cr_assert_eq(rf.n_outputs, 2);
    cr_expect_str_eq(rf.outputs[1].name, name);
    cr_expect_eq(rf.outputs[1].bytes, 4);
    runfolder_close(&rf);
}

/* 250 bytes is the longest name: ".NAME.tmp" is then 255, one whole file name. */
Test(runfolder, name_length_limit)
{
    runfolder_t rf;
    ops_error_t err = { 0 };
    cr_assert_eq(runfolder_open(&rf, dir, "2026-10", &err), OPS_OK);
    char name[300], path[RUNFOLDER_PATH_SIZE];
    memset(name, 'n', 250);
    name[250] = '\0';
    cr_assert_eq(runfolder_temp_path(&rf, name, path, sizeof path, &err), OPS_OK, "%s", err.message);
    write_text(path, "x");
    name[250] = 'n';
    name[251] = '\0';
    cr_assert_eq(runfolder_temp_path(&rf, name, path, sizeof path, &err), OPS_ERR_OUTPUT);
    cr_expect_str_eq(path, "");
    cr_expect(strstr(err.message, "251 bytes") != NULL, "%s", err.message);
    cr_expect_eq(rf.n_pending, 1, "a refused name is not remembered");
    cr_assert_eq(runfolder_commit(&rf, &err), OPS_OK, "%s", err.message);
    name[250] = '\0';
    cr_expect(exists(rf.dir, name));
    runfolder_close(&rf);
}

Test(runfolder, names_that_are_not_file_names_are_refused)
{
    runfolder_t rf;
    ops_error_t err = { 0 };
    char path[RUNFOLDER_PATH_SIZE];
    cr_assert_eq(runfolder_open(&rf, dir, "2026-10", &err), OPS_OK);
    cr_expect_eq(runfolder_temp_path(&rf, "", path, sizeof path, &err), OPS_ERR_OUTPUT);
    cr_expect_eq(runfolder_temp_path(&rf, "../escape.pdf", path, sizeof path, &err), OPS_ERR_OUTPUT);
    cr_expect_eq(runfolder_temp_path(&rf, "report.xlsx", path, 10, &err), OPS_ERR_OUTPUT, "path buffer too small");
    cr_expect_eq(rf.n_pending, 0);
    runfolder_close(&rf);
}

/* Asking twice for one name gives one output, not two. */
Test(runfolder, same_name_twice_is_one_output)
{
    runfolder_t rf;
    ops_error_t err = { 0 };
    char path[RUNFOLDER_PATH_SIZE];
    cr_assert_eq(runfolder_open(&rf, dir, "2026-10", &err), OPS_OK);
    cr_assert_eq(runfolder_temp_path(&rf, "message.txt", path, sizeof path, &err), OPS_OK);
    cr_assert_eq(runfolder_temp_path(&rf, "message.txt", path, sizeof path, &err), OPS_OK);
    cr_expect_eq(rf.n_pending, 1);
    runfolder_close(&rf);
}

/* b.pdf's temp file was never written: the commit fails and a.xlsx, written
 * and listed first, is not published either; abort then removes its temp. */
Test(runfolder, missing_temp_file_renames_nothing)
{
    runfolder_t rf;
    ops_error_t err = { 0 };
    char path[RUNFOLDER_PATH_SIZE];
    cr_assert_eq(runfolder_open(&rf, dir, "2026-10", &err), OPS_OK);
    cr_assert_eq(runfolder_temp_path(&rf, "a.xlsx", path, sizeof path, &err), OPS_OK);
    write_text(path, "a");
    cr_assert_eq(runfolder_temp_path(&rf, "b.pdf", path, sizeof path, &err), OPS_OK);
    cr_assert_eq(runfolder_commit(&rf, &err), OPS_ERR_OUTPUT);
    cr_expect(strstr(err.file, ".b.pdf.tmp") != NULL, "%s", err.file);
    cr_expect(!exists(rf.dir, "a.xlsx"), "nothing is published when an output is missing");
    cr_expect_eq(rf.n_outputs, 0);
    cr_expect_eq(count_tmp(rf.dir), 1);
    runfolder_abort(&rf);
    cr_expect_eq(count_tmp(rf.dir), 0);
    runfolder_close(&rf);
}

/* MAX outputs fit; one more is refused when asked for, not at commit. */
Test(runfolder, too_many_outputs_refused_up_front)
{
    runfolder_t rf;
    ops_error_t err = { 0 };
    char path[RUNFOLDER_PATH_SIZE], name[32];
    cr_assert_eq(runfolder_open(&rf, dir, "2026-10", &err), OPS_OK);
    for (int i = 0; i < RUNFOLDER_MAX_OUTPUTS; i++) {
        snprintf(name, sizeof name, "out-%02d.txt", i);
        cr_assert_eq(runfolder_temp_path(&rf, name, path, sizeof path, &err), OPS_OK);
    }
    cr_expect_eq(runfolder_temp_path(&rf, "one-more.txt", path, sizeof path, &err), OPS_ERR_OUTPUT);
    cr_expect_eq(rf.n_pending, RUNFOLDER_MAX_OUTPUTS);
    runfolder_abort(&rf);
    runfolder_close(&rf);
}
