/*
 * common.h - error reporting and exit codes shared by every stage.
 *
 * Modules never print and never exit: they return an ops_status_t and fill
 * an ops_error_t with where the problem is (file, line, column) and what was
 * expected. Only the driver (pipeline/cli/main.c) prints and picks the exit code.
 */
#ifndef OPSREPORT_COMMON_H
#define OPSREPORT_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

#define OPSREPORT_VERSION "0.1.0"

typedef enum {
    OPS_OK = 0,
    OPS_ERR_USAGE,      /* bad command line */
    OPS_ERR_CONFIG,     /* config file unreadable or invalid */
    OPS_ERR_INPUT,      /* missing input file, unmapped required column */
    OPS_ERR_PARSE,      /* one value could not be parsed (row-level) */
    OPS_ERR_REJECTS,    /* rejected rows over the configured threshold */
    OPS_ERR_OUTPUT,     /* could not write an output */
    OPS_ERR_DELIVERY,   /* not every recipient was reached */
    OPS_ERR_NOMEM,
    OPS_ERR_LOCKED,     /* another run holds the run folder lock */
    OPS_ERR_INTERNAL,
    OPS_STATUS_COUNT
} ops_status_t;

/* Process exit codes. ops_exit_codes below describes each one; README's
 * table, `opsreport --help` and the run/validate help are printed from or
 * tested against it, so there is one list. */
enum {
    OPS_EXIT_OK = 0,
    OPS_EXIT_USAGE = 2,
    OPS_EXIT_CONFIG = 3,
    OPS_EXIT_INPUT = 4,
    OPS_EXIT_REJECTS = 5,
    OPS_EXIT_OUTPUT = 6,
    OPS_EXIT_DELIVERY = 7,
    OPS_EXIT_LOCKED = 8,
    OPS_EXIT_HELD = 9,       /* held: data incomplete (freshness gate), nothing sent */
    OPS_EXIT_INTERNAL = 70
};

typedef struct {
    ops_status_t status;
    char file[512];     /* file the problem is in, "" if none */
    long line;          /* 1-based physical line, 0 if none */
    char column[128];   /* column header, or the config key for OPS_ERR_CONFIG; "" if none */
    char message[4096]; /* what was found and what was expected (may span lines) */
} ops_error_t;

/* Fills err (if not NULL) and returns status. printf-style message. */
ops_status_t ops_error_set(ops_error_t *err, ops_status_t status, const char *file,
                           long line, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* "file:line: column 'x': message" into buf. */
void ops_error_format(const ops_error_t *err, char *buf, size_t size);

const char *ops_status_str(ops_status_t status);
int ops_status_exit_code(ops_status_t status);

/* One exit code: its number, a one-word name ("usage") and what it means,
 * word for word the README's exit-code table (Markdown backticks included). */
typedef struct {
    int code;
    const char *name;
    const char *meaning;
} ops_exit_code_t;

#define OPS_EXIT_CODE_COUNT 10
/* Every exit code, in increasing order of code. */
extern const ops_exit_code_t ops_exit_codes[OPS_EXIT_CODE_COUNT];

/* Prints "Exit codes:" and one line per code, wrapped at 78 columns, with
 * the backticks dropped: the text of every command's --help. */
void ops_exit_codes_print(FILE *out);

/* Test hook for the crash tests (tests/e2e/test_crash.py): when the
 * environment holds OPSREPORT_FAULT_KILL=NAME or NAME:N, the Nth call (1 by
 * default) of ops_fault_point("NAME") kills the process with SIGKILL, as a
 * power cut or the OOM killer would. The variable is read once; without it a
 * call costs one branch. Calls sit at stage boundaries and inside the atomic
 * write and delivery paths. */
void ops_fault_point(const char *name);

#endif
