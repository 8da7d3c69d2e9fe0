/*
 * check.h - `opsreport check`: everything a run depends on, checked before
 * it runs, every problem listed at once.
 *
 * check_all() loads the config; when it does not load, the offending line
 * (or, for a problem that would cascade, its whole section) is commented out
 * in a private in-memory copy and the copy loaded again, so every config
 * problem is found in one pass with the original file's line numbers. It
 * then checks what the loader cannot see: [email]'s URL and password source
 * (the variable set, or the file present and owner-only), KPI bands against
 * their direction, forecast series without the input they come from, the
 * output folder, the templates folder a run would use, and every input
 * file's existence and header row
 * (ingest_check_header: the first record only). Sections with a config
 * problem are not checked further, and a problem that only the copy has (a
 * required key left out) is not listed, so one mistake is reported once.
 * Nothing is written and no row is read.
 */
#ifndef OPSREPORT_CHECK_H
#define OPSREPORT_CHECK_H

#include "opsreport/common.h"

#include <stddef.h>

#define CHECK_MAX_PROBLEMS 64

typedef struct {
    const char *config_path;   /* the file to check (cli_config_path() picks the default) */
    const char *data_dir;      /* input files are relative to it; NULL: "." */
    const char *out_dir;       /* --out; NULL: [output] dir, else out */
    const char *templates_dir; /* --templates; NULL: the places a run looks in */
} check_options_t;

typedef struct {
    /* status OPS_ERR_CONFIG, OPS_ERR_INPUT or OPS_ERR_OUTPUT (OPS_ERR_NOMEM
     * if checking itself failed); config problems first, in line order as
     * found, then email, output and inputs in config order */
    ops_error_t *problems;
    size_t n_problems;         /* at most CHECK_MAX_PROBLEMS kept... */
    size_t n_dropped;          /* ...the rest only counted */
    char **notes;              /* what was checked and found usable, one line each */
    size_t n_notes;
} check_result_t;

/* Runs every check into res (overwritten; release it with check_result_free,
 * which owns the problems and notes). Returns OPS_OK when the checks ran (whatever they
 * found), OPS_ERR_NOMEM if they could not. */
ops_status_t check_all(const check_options_t *opt, check_result_t *res);

/* 0 when no problems; else the exit code of the most basic problem found:
 * 3 config before 4 input before 6 output. */
int check_exit_code(const check_result_t *res);

void check_result_free(check_result_t *res);

#endif
