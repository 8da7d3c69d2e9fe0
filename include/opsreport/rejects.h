/*
 * rejects.h - the rejects file of a run (pipeline/validate/rejects.c): one CSV
 * row per rejected input row with its input, file, line, column, value and
 * reason. Ingest hands rows to it; validation decides what is rejected.
 */
#ifndef OPSREPORT_REJECTS_H
#define OPSREPORT_REJECTS_H

#include "opsreport/common.h"

#include <stddef.h>

/* Writes rejected rows as CSV: input,file,line,column,value,reason. */
typedef struct rejects_writer rejects_writer_t;
ops_status_t rejects_open(const char *path, rejects_writer_t **out, ops_error_t *err);
/* Opens an existing rejects file to add rows after those it has (no header). */
ops_status_t rejects_reopen(const char *path, rejects_writer_t **out, ops_error_t *err);
ops_status_t rejects_write(rejects_writer_t *w, const char *input, const char *file, long line,
                           const char *column, const char *value, size_t value_len,
                           const char *reason);
/* Appends the rows of the rejects file at path (written by rejects_open and
 * closed), without its header line, after the rows w has. OPS_ERR_OUTPUT if
 * it cannot be read or the rows cannot be written. */
ops_status_t rejects_append_file(rejects_writer_t *w, const char *path, ops_error_t *err);
/* Flushes and closes; returns OPS_ERR_OUTPUT if anything failed to write. */
ops_status_t rejects_close(rejects_writer_t *w, ops_error_t *err);
/* Prefixes values a spreadsheet would run as a formula (=, +, -, @, tab, CR)
 * with an apostrophe. Writes at most size-1 bytes and NUL-terminates. */
void csv_neutralise(const char *value, size_t len, char *buf, size_t size);

#endif
