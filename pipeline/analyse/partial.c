/*
 * partial.c - merging the counts of an input read in parts (shards, chunks).
 */
#include "analyse/analyse_internal.h"

#include <string.h>

void ingest_stats_merge(ingest_stats_t *dst, const ingest_stats_t *src)
{
    if (!dst->name[0]) {
        memcpy(dst->name, src->name, sizeof dst->name);
        memcpy(dst->kind, src->kind, sizeof dst->kind);
        memcpy(dst->path, src->path, sizeof dst->path);
    }
    if (!dst->present && src->present) { /* the file's own figures: the same in every part */
        dst->bytes = src->bytes;
        memcpy(dst->sha256, src->sha256, sizeof dst->sha256);
    }
    dst->present |= src->present;
    dst->rows_read += src->rows_read;
    dst->rows_accepted += src->rows_accepted;
    dst->rows_rejected += src->rows_rejected;
    dst->rows_filtered += src->rows_filtered;
    dst->rows_superseded += src->rows_superseded;
    dst->physical_lines += src->physical_lines;
    dst->multiline_records += src->multiline_records;
    for (size_t i = 0; i < src->n_multiline_ranges && dst->n_multiline_ranges < INGEST_FIRST_REJECTS; i++) {
        dst->multiline_ranges[dst->n_multiline_ranges][0] = src->multiline_ranges[i][0];
        dst->multiline_ranges[dst->n_multiline_ranges++][1] = src->multiline_ranges[i][1];
    }
    dst->overlong_records += src->overlong_records;
    dst->invalid_bytes += src->invalid_bytes;
    dst->rounded_amounts += src->rounded_amounts;
    dst->rounding_residual += src->rounding_residual;
    for (size_t f = 0; f < CONFIG_MAX_FIELDS; f++)
        dst->field_mapped[f] |= src->field_mapped[f];
    /* the same input has the same money fields, in the same order */
    for (size_t i = 0; i < src->n_money && i < INGEST_MAX_MONEY; i++) {
        if (i >= dst->n_money)
            memcpy(dst->money[i].field, src->money[i].field, sizeof dst->money[i].field);
        dst->money[i].total_accepted += src->money[i].total_accepted;
        dst->money[i].total_rejected += src->money[i].total_rejected;
        dst->money[i].unparsed += src->money[i].unparsed;
    }
    if (src->n_money > dst->n_money)
        dst->n_money = src->n_money;
    for (size_t i = 0; i < src->n_first_rejects && dst->n_first_rejects < INGEST_FIRST_REJECTS; i++)
        dst->first_rejects[dst->n_first_rejects++] = src->first_rejects[i];
    dst->seconds += src->seconds;
}

/* ---- pio: one walk of a state, saving or loading ---------------------------- */

#include <stdlib.h>

void pio_bytes(pio_t *io, void *p, size_t n)
{
    if (!n)
        return;
    if (io->loading) {
        if (io->bad || fread(p, 1, n, io->f) != n) {
            io->bad = true;
            memset(p, 0, n);
        }
    } else if (!io->bad && fwrite(p, 1, n, io->f) != n) {
        io->bad = true;
    }
}

void pio_f64s(pio_t *io, double *v, size_t n) { pio_bytes(io, v, n * sizeof *v); }
void pio_i64(pio_t *io, int64_t *v) { pio_bytes(io, v, sizeof *v); }
void pio_i32(pio_t *io, int32_t *v) { pio_bytes(io, v, sizeof *v); }
void pio_u64(pio_t *io, uint64_t *v) { pio_bytes(io, v, sizeof *v); }

void pio_bool(pio_t *io, bool *v)
{
    uint8_t b = *v;
    pio_bytes(io, &b, 1);
    if (b > 1)
        io->bad = true;
    *v = b == 1;
}

void pio_count(pio_t *io, size_t *n, size_t max)
{
    uint64_t v = *n;
    pio_u64(io, &v);
    if (v > max) {
        io->bad = true;
        v = 0;
    }
    *n = (size_t)v;
}

void pio_text(pio_t *io, char *buf, size_t size)
{
    size_t len = io->loading ? 0 : strnlen(buf, size - 1);
    pio_count(io, &len, size - 1);
    pio_bytes(io, buf, len);
    buf[len] = '\0';
}

void pio_str(pio_t *io, char **s)
{
    bool has = *s != NULL;
    pio_bool(io, &has);
    if (!has)
        return;
    size_t len = io->loading ? 0 : strlen(*s);
    pio_count(io, &len, (size_t)1 << 20);
    if (io->loading) {
        *s = malloc(len + 1);
        if (!*s) {
            io->bad = true;
            return;
        }
        (*s)[len] = '\0';
    }
    pio_bytes(io, *s, len);
}

void pio_xsums(pio_t *io, xsum_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t parts = s[i].n;
        pio_count(io, &parts, XSUM_PARTS);
        s[i].n = (unsigned)parts;
        pio_f64s(io, s[i].p, parts);
    }
}

void pio_dvec(pio_t *io, dvec_t *d)
{
    size_t n = d->n;
    pio_count(io, &n, (size_t)1 << 32);
    if (io->loading) {
        for (size_t i = 0; i < n && !io->bad; i++) {
            double x = 0;
            pio_f64s(io, &x, 1);
            if (!dvec_push(d, x))
                io->bad = true;
        }
    } else {
        pio_f64s(io, d->v, n);
    }
}

void *pio_named_entry(pio_t *io, GHashTableIter *it, size_t name_offset,
                      void *(*find)(void *owner, const char *text, size_t len), void *owner)
{
    if (!io->loading) {
        gpointer key, val = NULL;
        if (!g_hash_table_iter_next(it, &key, &val)) {
            io->bad = true;
            return NULL;
        }
        pio_str(io, (char **)((char *)val + name_offset));
        return val;
    }
    char *name = NULL;
    pio_str(io, &name);
    void *entry = name ? find(owner, name, strlen(name)) : NULL;
    free(name);
    if (!entry)
        io->bad = true;
    return entry;
}

void pio_moments(pio_t *io, moments_t *m)
{
    pio_u64(io, &m->n);
    pio_xsums(io, &m->sum, 1);
    pio_xsums(io, &m->sumsq, 1);
}

void pio_int(pio_t *io, int *v)
{
    int32_t x = *v;
    pio_i32(io, &x);
    *v = x;
}
