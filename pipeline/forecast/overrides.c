/*
 * overrides.c - the overrides CSV: read with libcsv (strict), each row
 * checked against the forecasts of this run, applied or sent to rejects.
 * The file is small (one row per adjusted month), so rows are read whole
 * first and then checked, which keeps the checks in one readable function.
 */
#include "opsreport/overrides.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define OVR_COLS 6
enum { C_SERIES, C_PERIOD, C_VALUE, C_PCT, C_REASON, C_AUTHOR };
static const char *const col_names[OVR_COLS] = { "series", "period", "value", "pct_change", "reason", "author" };

#define OVR_MAX_FIELDS 16
typedef struct {
    long line;
    size_t n;
    char f[OVR_MAX_FIELDS][256];
} ovr_row_t;

typedef struct {
    ovr_row_t *rows;
    size_t n, cap;
    ovr_row_t cur;
    long phys_line;
    bool nomem;
} ovr_reader_t;

static void on_field(void *data, size_t len, void *user)
{
    ovr_reader_t *r = user;
    if (r->cur.n == 0 && r->cur.line == 0)
        r->cur.line = r->phys_line;
    if (r->cur.n < OVR_MAX_FIELDS) {
        size_t n = len < sizeof r->cur.f[0] - 1 ? len : sizeof r->cur.f[0] - 1;
        memcpy(r->cur.f[r->cur.n], data, n);
        r->cur.f[r->cur.n][n] = '\0';
    }
    r->cur.n++;
}

static void on_row(int term, void *user)
{
    (void)term;
    ovr_reader_t *r = user;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        ovr_row_t *grown = realloc(r->rows, cap * sizeof *grown);
        if (!grown) {
            r->nomem = true;
            return;
        }
        r->rows = grown;
        r->cap = cap;
    }
    r->rows[r->n++] = r->cur;
    memset(&r->cur, 0, sizeof r->cur);
}

static ops_status_t read_rows(const char *path, ovr_reader_t *r, ops_error_t *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return ops_error_set(err, OPS_ERR_INPUT, path, 0, NULL, "cannot open the overrides file: %s", strerror(errno));
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        fclose(fp);
        return ops_error_set(err, OPS_ERR_NOMEM, path, 0, NULL, "out of memory");
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    ops_status_t rc = OPS_OK;
    while ((got = getline(&line, &cap, fp)) > 0) {
        r->phys_line++;
        if (csv_parse(&p, line, (size_t)got, on_field, on_row, r) != (size_t)got) {
            rc = ops_error_set(err, OPS_ERR_INPUT, path, r->phys_line, NULL, "%s", csv_strerror(csv_error(&p)));
            break;
        }
    }
    if (rc == OPS_OK && csv_fini(&p, on_field, on_row, r) != 0)
        rc = ops_error_set(err, OPS_ERR_INPUT, path, r->phys_line, NULL, "a quoted field is not closed");
    if (rc == OPS_OK && r->nomem)
        rc = ops_error_set(err, OPS_ERR_NOMEM, path, 0, NULL, "out of memory");
    free(line);
    csv_free(&p);
    fclose(fp);
    return rc;
}

static bool parse_number(const char *s, bool pct, double *out)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == ' ' || (pct && buf[n - 1] == '%')))
        buf[--n] = '\0';
    if (!n)
        return false;
    char *end;
    errno = 0;
    *out = strtod(buf, &end);
    return !*end && errno == 0 && isfinite(*out);
}

static ops_status_t reject(rejects_writer_t *rj, const char *path, const ovr_row_t *row, int col, const int *idx,
                           const char *why, size_t *n_rejected)
{
    (*n_rejected)++;
    if (!rj)
        return OPS_OK;
    const char *value = idx[col] >= 0 && (size_t)idx[col] < row->n ? row->f[idx[col]] : "";
    return rejects_write(rj, "overrides", path, row->line, col_names[col], value, strlen(value), why);
}

ops_status_t overrides_apply_file(const char *path, report_model_t *m, rejects_writer_t *rejects,
                                  size_t *n_rejected, ops_error_t *err)
{
    ovr_reader_t r = { 0 };
    *n_rejected = 0;
    ops_status_t rc = read_rows(path, &r, err);
    if (rc != OPS_OK)
        goto cleanup;
    int idx[OVR_COLS] = { -1, -1, -1, -1, -1, -1 };
    if (r.n == 0) {
        rc = ops_error_set(err, OPS_ERR_INPUT, path, 1, NULL, "empty overrides file: expected the header "
                           "series,period,value,pct_change,reason,author");
        goto cleanup;
    }
    for (size_t c = 0; c < r.rows[0].n && c < OVR_MAX_FIELDS; c++)
        for (int k = 0; k < OVR_COLS; k++)
            if (!strcasecmp(r.rows[0].f[c], col_names[k]))
                idx[k] = (int)c;
    for (int k = 0; k < OVR_COLS; k++)
        if (idx[k] < 0 && k != C_AUTHOR && !((k == C_VALUE && idx[C_PCT] >= 0) || (k == C_PCT && idx[C_VALUE] >= 0))) {
            rc = ops_error_set(err, OPS_ERR_INPUT, path, 1, col_names[k], "the overrides file has no column '%s' "
                               "(expected series,period,value and/or pct_change,reason,author)", col_names[k]);
            goto cleanup;
        }
    char allowed[1024];
    size_t used = 0;
    for (size_t i = 0; i < m->n_forecasts && used < sizeof allowed; i++)
        used += (size_t)snprintf(allowed + used, sizeof allowed - used, "%s%s", i ? ", " : "", m->forecasts[i].series_id);
    int base = period_index(m->period);
    double scale = pow(10, m->minor_units);
    for (size_t i = 1; i < r.n; i++) {
        const ovr_row_t *row = &r.rows[i];
        const char *f[OVR_COLS];
        for (int k = 0; k < OVR_COLS; k++)
            f[k] = idx[k] >= 0 && (size_t)idx[k] < row->n ? row->f[idx[k]] : "";
        if (row->n == 1 && !row->f[0][0])
            continue; /* a blank line */
        char why[1300];
        model_forecast_t *fc = NULL;
        for (size_t k = 0; k < m->n_forecasts && !fc; k++)
            if (!strcmp(m->forecasts[k].series_id, f[C_SERIES]))
                fc = &m->forecasts[k];
        if (!fc) {
            snprintf(why, sizeof why, "unknown series '%s'; forecast series: %s", f[C_SERIES], allowed);
            rc = reject(rejects, path, row, C_SERIES, idx, why, n_rejected);
            if (rc != OPS_OK)
                goto write_failed;
            continue;
        }
        period_t p;
        char first[8], last[8];
        period_format(period_from_index(base + 1), first);
        period_format(period_from_index(base + (int)fc->horizon), last);
        int h = period_parse(f[C_PERIOD], &p) ? period_index(p) - base - 1 : -1;
        if (h < 0 || (size_t)h >= fc->horizon) {
            snprintf(why, sizeof why, "expected a month of the forecast horizon of %s, %s to %s (YYYY-MM)", fc->series_id,
                     first, last);
            if ((rc = reject(rejects, path, row, C_PERIOD, idx, why, n_rejected)) != OPS_OK)
                goto write_failed;
            continue;
        }
        bool has_v = f[C_VALUE][0] != '\0', has_p = f[C_PCT][0] != '\0';
        double v = NAN;
        if (has_v == has_p) {
            if ((rc = reject(rejects, path, row, C_VALUE, idx,
                             has_v ? "expected either value or pct_change, not both"
                                   : "expected a value or a pct_change (percent change of the statistical forecast)",
                             n_rejected)) != OPS_OK)
                goto write_failed;
            continue;
        }
        if (!parse_number(has_v ? f[C_VALUE] : f[C_PCT], has_p, &v)) {
            if ((rc = reject(rejects, path, row, has_v ? C_VALUE : C_PCT, idx,
                             has_v ? "expected a number such as 5500000.00" : "expected a percent change such as -5 or 2.5%",
                             n_rejected)) != OPS_OK)
                goto write_failed;
            continue;
        }
        const char *reason = f[C_REASON];
        while (*reason == ' ')
            reason++;
        if (!*reason) {
            if ((rc = reject(rejects, path, row, C_REASON, idx, "an override needs a reason", n_rejected)) != OPS_OK)
                goto write_failed;
            continue;
        }
        if (isfinite(fc->override[h])) {
            snprintf(why, sizeof why, "a second override of %s for %s; the first one stands", fc->series_id, f[C_PERIOD]);
            if ((rc = reject(rejects, path, row, C_PERIOD, idx, why, n_rejected)) != OPS_OK)
                goto write_failed;
            continue;
        }
        double final = has_v ? v : fc->stat[h] * (1 + v / 100);
        if (fc->unit == UNIT_MONEY)
            final = (double)llround(final * scale) / scale;
        fc->override[h] = final;
        fc->point[h] = final;
        model_override_t *grown = realloc(m->review.overrides, (m->review.n_overrides + 1) * sizeof *grown);
        if (!grown) {
            rc = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            goto cleanup;
        }
        m->review.overrides = grown;
        model_override_t *o = &grown[m->review.n_overrides++];
        memset(o, 0, sizeof *o);
        snprintf(o->series_id, sizeof o->series_id, "%s", fc->series_id);
        o->period_index = base + 1 + h;
        o->stat = fc->stat[h];
        o->override = final;
        o->final = final;
        snprintf(o->reason, sizeof o->reason, "%s", reason);
        snprintf(o->author, sizeof o->author, "%s", f[C_AUTHOR]);
    }
    rc = OPS_OK;
    goto cleanup;
write_failed:
    rc = ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot write the rejects file");
cleanup:
    free(r.rows);
    return rc;
}
