/* common.c - error struct helpers and the status message table. */
#include "opsreport/common.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What each status is called and which exit code it ends a run with. A hole
 * in this table would name a status NULL and exit 0 on a failure: the size
 * assert catches a status added at the end, test_common catches one added in
 * the middle. */
static const struct {
    const char *name;
    int exit_code;
} statuses[] = {
    [OPS_OK] = { "success", OPS_EXIT_OK },
    [OPS_ERR_USAGE] = { "usage error", OPS_EXIT_USAGE },
    [OPS_ERR_CONFIG] = { "configuration error", OPS_EXIT_CONFIG },
    [OPS_ERR_INPUT] = { "input error", OPS_EXIT_INPUT },
    [OPS_ERR_PARSE] = { "parse error", OPS_EXIT_INPUT },
    [OPS_ERR_REJECTS] = { "rejected rows over threshold", OPS_EXIT_REJECTS },
    [OPS_ERR_OUTPUT] = { "output error", OPS_EXIT_OUTPUT },
    [OPS_ERR_DELIVERY] = { "delivery error", OPS_EXIT_DELIVERY },
    [OPS_ERR_NOMEM] = { "out of memory", OPS_EXIT_INTERNAL },
    [OPS_ERR_LOCKED] = { "run folder locked by another run", OPS_EXIT_LOCKED },
    [OPS_ERR_INTERNAL] = { "internal error", OPS_EXIT_INTERNAL },
};
_Static_assert(sizeof statuses / sizeof statuses[0] == OPS_STATUS_COUNT, "one entry per ops_status_t");

const ops_exit_code_t ops_exit_codes[] = {
    { OPS_EXIT_OK, "success", "success" },
    { OPS_EXIT_USAGE, "usage", "usage error (bad option or argument)" },
    { OPS_EXIT_CONFIG, "config",
      "configuration error: the message names file, line, key and the nearest valid key" },
    { OPS_EXIT_INPUT, "input",
      "input error: a missing input file, a required column that is not mapped (the message lists the "
      "headers found and the closest one), an input that changed while it was read, a field over 16 MB or "
      "a header over 4096 columns; for `send`, a run folder a killed run left half-published" },
    { OPS_EXIT_REJECTS, "rejects",
      "an input's rejected rows exceed `[report] reject_threshold`: `rejects.csv` and `manifest.json` are "
      "written, the reports are not" },
    { OPS_EXIT_OUTPUT, "output", "output error (cannot write the run folder)" },
    { OPS_EXIT_DELIVERY, "delivery",
      "delivery: not every recipient was reached, or a delivery is unknown (see below)" },
    { OPS_EXIT_LOCKED, "locked", "another run holds the lock on this period's run folder" },
    { OPS_EXIT_HELD, "held",
      "held: an input looks stale, empty or shrunken (freshness gate); the outputs are written, nothing is "
      "emailed unless `run --force` (or `send --force`) or `[email] send_when_incomplete = true`" },
    { OPS_EXIT_INTERNAL, "internal", "internal error" },
};
_Static_assert(sizeof ops_exit_codes / sizeof ops_exit_codes[0] == OPS_EXIT_CODE_COUNT,
               "OPS_EXIT_CODE_COUNT counts ops_exit_codes");

ops_status_t ops_error_set(ops_error_t *err, ops_status_t status, const char *file,
                           long line, const char *column, const char *fmt, ...)
{
    if (!err)
        return status;
    err->status = status;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    snprintf(err->column, sizeof err->column, "%s", column ? column : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

void ops_error_format(const ops_error_t *err, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    if (err->file[0])
        n += (size_t)snprintf(buf + n, size - n, "%s", err->file);
    if (err->line > 0 && n < size)
        n += (size_t)snprintf(buf + n, size - n, ":%ld", err->line);
    if (n > 0 && n < size)
        n += (size_t)snprintf(buf + n, size - n, ": ");
    if (err->column[0] && n < size)
        n += (size_t)snprintf(buf + n, size - n, "%s '%s': ",
                              err->status == OPS_ERR_CONFIG ? "key" : "column", err->column);
    if (n < size)
        snprintf(buf + n, size - n, "%s", err->message);
}

const char *ops_status_str(ops_status_t status)
{
    if ((int)status < 0 || status >= OPS_STATUS_COUNT || !statuses[status].name)
        return "unknown status";
    return statuses[status].name;
}

int ops_status_exit_code(ops_status_t status)
{
    /* an unknown status is a bug, and a bug must never look like success */
    if ((int)status < 0 || status >= OPS_STATUS_COUNT || !statuses[status].name)
        return OPS_EXIT_INTERNAL;
    return statuses[status].exit_code;
}

void ops_exit_codes_print(FILE *out)
{
    enum { WIDTH = 78, INDENT = 6 };
    fputs("Exit codes:\n", out);
    for (size_t i = 0; i < OPS_EXIT_CODE_COUNT; i++) {
        int col = fprintf(out, "  %-3d ", ops_exit_codes[i].code);
        const char *p = ops_exit_codes[i].meaning;
        while (*p) {
            /* the next word, backticks dropped (they are Markdown, for README) */
            size_t len = strcspn(p, " ");
            size_t shown = 0;
            for (size_t k = 0; k < len; k++)
                shown += p[k] != '`';
            if (col > INDENT && col + 1 + (int)shown > WIDTH) {
                col = fprintf(out, "\n%*s", INDENT, "") - 1;
            } else if (col > INDENT) {
                fputc(' ', out);
                col++;
            }
            for (size_t k = 0; k < len; k++)
                if (p[k] != '`')
                    fputc(p[k], out);
            col += (int)shown;
            p += len;
            p += strspn(p, " ");
        }
        fputc('\n', out);
    }
}

/* the test hook's target, read once from the environment */
static char fault_target[64];
static long fault_nth; /* 0: no fault asked for */
static void fault_init(void)
{
    const char *env = getenv("OPSREPORT_FAULT_KILL");
    if (!env || !*env)
        return;
    size_t len = strcspn(env, ":");
    if (len >= sizeof fault_target)
        return;
    memcpy(fault_target, env, len);
    fault_target[len] = '\0';
    long nth = env[len] == ':' ? strtol(env + len + 1, NULL, 10) : 1;
    fault_nth = nth > 0 ? nth : 0;
}

void ops_fault_point(const char *name)
{
    /* once and atomic: the points are fired by the main thread today, but a
     * call from a worker (run --jobs) must neither race the environment read
     * nor lose a hit of the count */
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    static atomic_long hits;
    pthread_once(&once, fault_init);
    if (fault_nth && strcmp(name, fault_target) == 0 && atomic_fetch_add(&hits, 1) + 1 == fault_nth)
        raise(SIGKILL);
}
