/*
 * rejects.c - the rejects file: one CSV row per rejected input row.
 *
 * Quoting is done by libcsv's csv_fwrite (every field quoted). Values are
 * neutralised first so that a spreadsheet opening rejects.csv never runs an
 * input value as a formula.
 */
#include "opsreport/ingest.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct rejects_writer {
    FILE *fp;
    char *path;
    bool failed;
};

void csv_neutralise(const char *value, size_t len, char *buf, size_t size)
{
    size_t n = 0;
    if (size == 0)
        return;
    if (len > 0 && strchr("=+-@\t\r", value[0]) && size > 1)
        buf[n++] = '\'';
    size_t copy = len < size - 1 - n ? len : size - 1 - n;
    memcpy(buf + n, value, copy);
    buf[n + copy] = '\0';
}

static void put_field(rejects_writer_t *w, const char *s, size_t len, bool last)
{
    char buf[1024];
    csv_neutralise(s, len, buf, sizeof buf);
    if (csv_fwrite(w->fp, buf, strlen(buf)) != 0)
        w->failed = true;
    if (fputc(last ? '\n' : ',', w->fp) == EOF)
        w->failed = true;
}

ops_status_t rejects_open(const char *path, rejects_writer_t **out, ops_error_t *err)
{
    rejects_writer_t *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path))) {
        free(w);
        return ops_error_set(err, OPS_ERR_NOMEM, path, 0, NULL, "out of memory");
    }
    w->fp = fopen(path, "w");
    if (!w->fp) {
        ops_status_t rc = ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL,
                                        "cannot create rejects file: %s", strerror(errno));
        free(w->path);
        free(w);
        return rc;
    }
    fputs("input,file,line,column,value,reason\n", w->fp);
    *out = w;
    return OPS_OK;
}

ops_status_t rejects_reopen(const char *path, rejects_writer_t **out, ops_error_t *err)
{
    rejects_writer_t *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path))) {
        free(w);
        return ops_error_set(err, OPS_ERR_NOMEM, path, 0, NULL, "out of memory");
    }
    if (!(w->fp = fopen(path, "a"))) {
        ops_status_t rc = ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot append to the rejects file: %s",
                                        strerror(errno));
        free(w->path);
        free(w);
        return rc;
    }
    *out = w;
    return OPS_OK;
}

ops_status_t rejects_write(rejects_writer_t *w, const char *input, const char *file, long line,
                           const char *column, const char *value, size_t value_len,
                           const char *reason)
{
    char num[32];
    snprintf(num, sizeof num, "%ld", line);
    put_field(w, input, strlen(input), false);
    put_field(w, file, strlen(file), false);
    put_field(w, num, strlen(num), false);
    put_field(w, column, strlen(column), false);
    put_field(w, value ? value : "", value ? value_len : 0, false);
    put_field(w, reason, strlen(reason), true);
    return w->failed ? OPS_ERR_OUTPUT : OPS_OK;
}

ops_status_t rejects_append_file(rejects_writer_t *w, const char *path, ops_error_t *err)
{
    FILE *in = fopen(path, "r");
    if (!in)
        return ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot read rejects rows: %s", strerror(errno));
    int c;
    while ((c = getc(in)) != EOF && c != '\n') /* the header line */
        ;
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, got, w->fp) != got)
            w->failed = true;
    bool bad = ferror(in);
    fclose(in);
    if (bad)
        return ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot read rejects rows");
    if (w->failed)
        return ops_error_set(err, OPS_ERR_OUTPUT, w->path, 0, NULL, "cannot write rejects file");
    return OPS_OK;
}

ops_status_t rejects_close(rejects_writer_t *w, ops_error_t *err)
{
    if (!w)
        return OPS_OK;
    ops_status_t rc = OPS_OK;
    if (fflush(w->fp) != 0 || ferror(w->fp))
        w->failed = true;
    if (fclose(w->fp) != 0)
        w->failed = true;
    if (w->failed)
        rc = ops_error_set(err, OPS_ERR_OUTPUT, w->path, 0, NULL, "cannot write rejects file");
    free(w->path);
    free(w);
    return rc;
}
