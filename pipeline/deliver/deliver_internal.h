/*
 * deliver_internal.h - helpers shared by the files in pipeline/deliver/.
 * Not part of the public API.
 */
#ifndef OPSREPORT_DELIVER_INTERNAL_H
#define OPSREPORT_DELIVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "opsreport/common.h"

/* Writes len bytes to path atomically: a mkstemp file in the same folder,
 * fsync, mode 0644, rename over path. On failure the old file is untouched
 * and the temporary file removed. OPS_ERR_OUTPUT. */
ops_status_t deliver_write_atomic(const char *path, const char *data, size_t len,
                                  ops_error_t *err);

#endif
