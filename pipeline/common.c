/* common.c - error struct helpers and the status message table. */
#include "opsreport/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_names[OPS_STATUS_COUNT] = {
    [OPS_OK] = "success",
    [OPS_ERR_USAGE] = "usage error",
    [OPS_ERR_CONFIG] = "configuration error",
    [OPS_ERR_INPUT] = "input error",
    [OPS_ERR_PARSE] = "parse error",
    [OPS_ERR_REJECTS] = "rejected rows over threshold",
    [OPS_ERR_OUTPUT] = "output error",
    [OPS_ERR_DELIVERY] = "delivery error",
    [OPS_ERR_NOMEM] = "out of memory",
    [OPS_ERR_LOCKED] = "run folder locked by another run",
    [OPS_ERR_INTERNAL] = "internal error",
};

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
    if ((int)status < 0 || status >= OPS_STATUS_COUNT || !status_names[status])
        return "unknown status";
    return status_names[status];
}

int ops_status_exit_code(ops_status_t status)
{
    switch (status) {
    case OPS_OK: return OPS_EXIT_OK;
    case OPS_ERR_USAGE: return OPS_EXIT_USAGE;
    case OPS_ERR_CONFIG: return OPS_EXIT_CONFIG;
    case OPS_ERR_INPUT:
    case OPS_ERR_PARSE: return OPS_EXIT_INPUT;
    case OPS_ERR_REJECTS: return OPS_EXIT_REJECTS;
    case OPS_ERR_OUTPUT: return OPS_EXIT_OUTPUT;
    case OPS_ERR_DELIVERY: return OPS_EXIT_DELIVERY;
    case OPS_ERR_LOCKED: return OPS_EXIT_LOCKED;
    default: return OPS_EXIT_INTERNAL;
    }
}
