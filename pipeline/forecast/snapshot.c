/*
 * snapshot.c - forecasts.csv: written by every run, read back by later runs
 * (the archive). Text fields go through libcsv's csv_fwrite (always quoted,
 * so a model name such as "ETS(M,A,M)" keeps its commas); reading uses
 * libcsv in strict mode. Numbers are fixed-point so reruns are byte-identical.
 */
#include "opsreport/snapshot.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SNAPSHOT_COLS 12
static const char *const header[SNAPSHOT_COLS] = { "series", "period", "step", "point", "lo80", "hi80", "lo95",
                                                   "hi95", "override", "final", "model", "run_id" };

void snapshot_format_value(double v, kpi_unit_t unit, int minor_units, char *buf, size_t size)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "%s", "");
        return;
    }
    int dec = unit == UNIT_MONEY ? minor_units : 4;
    snprintf(buf, size, "%.*f", dec, v);
    /* "-0.00" and "0.00" are the same number: one spelling */
    if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
        memmove(buf, buf + 1, strlen(buf));
}

ops_status_t snapshot_write(const report_model_t *m, const char *run_id, const char *path,
                            ops_error_t *err)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot create forecasts.csv: %s",
                             strerror(errno));
    for (size_t c = 0; c < SNAPSHOT_COLS; c++)
        fprintf(fp, "%s%c", header[c], c + 1 < SNAPSHOT_COLS ? ',' : '\n');
    int base = period_index(m->period);
    for (size_t i = 0; i < m->n_forecasts; i++) {
        const model_forecast_t *f = &m->forecasts[i];
        for (size_t h = 0; h < f->horizon; h++) {
            char per[8], v[7][64];
            period_format(period_from_index(base + (int)h + 1), per);
            const double vals[7] = { f->stat ? f->stat[h] : f->point[h], f->lo80[h], f->hi80[h], f->lo95[h],
                                     f->hi95[h], f->override ? f->override[h] : NAN, f->point[h] };
            for (int k = 0; k < 7; k++)
                snapshot_format_value(vals[k], f->unit, m->minor_units, v[k], sizeof v[k]);
            csv_fwrite(fp, f->series_id, strlen(f->series_id));
            fprintf(fp, ",%s,%zu,%s,%s,%s,%s,%s,%s,%s,", per, h + 1, v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
            csv_fwrite(fp, f->model, strlen(f->model));
            fputc(',', fp);
            csv_fwrite(fp, run_id, strlen(run_id));
            fputc('\n', fp);
        }
    }
    bool bad = ferror(fp) != 0;
    if (fclose(fp) != 0 || bad)
        return ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot write forecasts.csv");
    return OPS_OK;
}

/* ---- reading ------------------------------------------------------------- */

typedef struct {
    snapshot_t *s;
    size_t cap;
    size_t col;
    long line;
    bool header_ok, nomem;
    char field[SNAPSHOT_COLS][128];
} reader_t;

static void on_field(void *data, size_t len, void *user)
{
    reader_t *r = user;
    if (r->col < SNAPSHOT_COLS) {
        size_t n = len < sizeof r->field[0] - 1 ? len : sizeof r->field[0] - 1;
        memcpy(r->field[r->col], data, n);
        r->field[r->col][n] = '\0';
    }
    r->col++;
}

static bool parse_num(const char *s, bool empty_ok, double *out)
{
    if (!s[0]) {
        *out = NAN;
        return empty_ok;
    }
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return !*end && errno == 0 && isfinite(*out);
}

static void on_row(int term, void *user)
{
    (void)term;
    reader_t *r = user;
    size_t ncol = r->col;
    r->col = 0;
    r->line++;
    if (r->line == 1) {
        r->header_ok = ncol == SNAPSHOT_COLS;
        for (size_t c = 0; r->header_ok && c < SNAPSHOT_COLS; c++)
            r->header_ok = !strcmp(r->field[c], header[c]);
        return;
    }
    if (!r->header_ok || r->nomem)
        return;
    snapshot_row_t row;
    memset(&row, 0, sizeof row);
    period_t p;
    char *end;
    double v[7];
    bool ok = ncol == SNAPSHOT_COLS && r->field[0][0] && period_parse(r->field[1], &p);
    long step = ok ? strtol(r->field[2], &end, 10) : 0;
    ok = ok && !*end && step >= 1 && step <= 1200;
    for (int k = 0; ok && k < 7; k++)
        ok = parse_num(r->field[3 + k], k != 6, &v[k]); /* final is never empty */
    if (!ok) {
        r->s->n_bad++;
        return;
    }
    snprintf(row.series, sizeof row.series, "%s", r->field[0]);
    row.period_index = period_index(p);
    row.step = (int)step;
    row.point = v[0];
    row.lo80 = v[1];
    row.hi80 = v[2];
    row.lo95 = v[3];
    row.hi95 = v[4];
    row.override = v[5];
    row.final = v[6];
    if (r->s->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        snapshot_row_t *grown = realloc(r->s->rows, cap * sizeof *grown);
        if (!grown) {
            r->nomem = true;
            return;
        }
        r->s->rows = grown;
        r->cap = cap;
    }
    r->s->rows[r->s->n++] = row;
}

ops_status_t snapshot_read(const char *path, snapshot_t *out, ops_error_t *err)
{
    memset(out, 0, sizeof *out);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return ops_error_set(err, OPS_ERR_INPUT, path, 0, NULL, "cannot open: %s", strerror(errno));
    struct csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        fclose(fp);
        return ops_error_set(err, OPS_ERR_NOMEM, path, 0, NULL, "out of memory");
    }
    reader_t r = { .s = out };
    char buf[65536];
    size_t got;
    ops_status_t rc = OPS_OK;
    while ((got = fread(buf, 1, sizeof buf, fp)) > 0)
        if (csv_parse(&parser, buf, got, on_field, on_row, &r) != got) {
            rc = ops_error_set(err, OPS_ERR_INPUT, path, r.line + 1, NULL, "not a forecasts.csv: %s",
                               csv_strerror(csv_error(&parser)));
            break;
        }
    if (rc == OPS_OK && csv_fini(&parser, on_field, on_row, &r) != 0)
        rc = ops_error_set(err, OPS_ERR_INPUT, path, r.line + 1, NULL, "not a forecasts.csv: unterminated quote");
    csv_free(&parser);
    fclose(fp);
    if (rc == OPS_OK && r.nomem)
        rc = ops_error_set(err, OPS_ERR_NOMEM, path, 0, NULL, "out of memory");
    if (rc == OPS_OK && !r.header_ok)
        rc = ops_error_set(err, OPS_ERR_INPUT, path, 1, NULL, "not a forecasts.csv: expected the header %s,%s,...",
                           header[0], header[1]);
    if (rc != OPS_OK)
        snapshot_free(out);
    return rc;
}

const snapshot_row_t *snapshot_find(const snapshot_t *s, const char *series, int period_index, int step)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (s->rows[i].period_index == period_index && s->rows[i].step == step && !strcmp(s->rows[i].series, series))
            return &s->rows[i];
    return NULL;
}

void snapshot_free(snapshot_t *s)
{
    if (!s)
        return;
    free(s->rows);
    memset(s, 0, sizeof *s);
}
