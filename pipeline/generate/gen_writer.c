/*
 * gen_writer.c - a streaming CSV writer that imitates an exporting tool.
 *
 * A row is assembled in one reused GString, then (for the HR tool) transcoded
 * to Windows-1252 with g_convert and written through a large stdio buffer, so
 * memory stays constant however many rows are written. Output goes to
 * NAME.tmp and is renamed into place on close, so a reader never sees a half
 * file. Quoting follows RFC 4180: a field is quoted when it contains the
 * delimiter, a double quote or a line break, and quotes are doubled.
 *
 * The date and number formatters are hand-written on purpose: printf's %f
 * and strftime depend on the locale, and the files must be byte-identical
 * whatever the environment. Civil-date arithmetic uses timegm/gmtime_r.
 */
#include "generate/gen.h"

#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>

struct gen_writer {
    FILE *fp;
    char *path;       /* final name */
    char *tmp_path;   /* NAME.tmp */
    gen_dialect_t dialect;
    GString *row;
    bool row_started; /* a field was already added to the current row */
    long rows;        /* rows written, header included */
    long bytes;
    char *iobuf;
};

enum { GEN_IOBUF = 1 << 20 };

gen_writer_t *gen_writer_open(const char *dir, const char *name, const gen_dialect_t *dialect,
                              ops_error_t *err)
{
    gen_writer_t *w = calloc(1, sizeof *w);
    if (!w)
        goto nomem;
    w->dialect = *dialect;
    w->path = g_build_filename(dir, name, NULL);
    w->tmp_path = g_strconcat(w->path, ".tmp", NULL);
    w->row = g_string_sized_new(512);
    w->iobuf = malloc(GEN_IOBUF);
    if (!w->iobuf)
        goto nomem;
    w->fp = fopen(w->tmp_path, "wb");
    if (!w->fp) {
        ops_error_set(err, OPS_ERR_OUTPUT, w->tmp_path, 0, NULL, "cannot create file: %s",
                      strerror(errno));
        goto fail;
    }
    setvbuf(w->fp, w->iobuf, _IOFBF, GEN_IOBUF);
    if (dialect->bom) {
        fwrite("\xEF\xBB\xBF", 1, 3, w->fp);
        w->bytes += 3;
    }
    return w;
nomem:
    ops_error_set(err, OPS_ERR_NOMEM, name, 0, NULL, "out of memory");
fail:
    gen_writer_abort(w);
    return NULL;
}

static void writer_free(gen_writer_t *w)
{
    if (!w)
        return;
    if (w->fp)
        fclose(w->fp);
    g_free(w->path);
    g_free(w->tmp_path);
    if (w->row)
        g_string_free(w->row, TRUE);
    free(w->iobuf);
    free(w);
}

void gen_writer_abort(gen_writer_t *w)
{
    if (!w)
        return;
    if (w->fp) {
        fclose(w->fp);
        w->fp = NULL;
        remove(w->tmp_path);
    }
    writer_free(w);
}

static void field_start(gen_writer_t *w)
{
    if (w->row_started)
        g_string_append_c(w->row, w->dialect.delimiter);
    w->row_started = true;
}

void gen_field(gen_writer_t *w, const char *text)
{
    field_start(w);
    if (!text)
        return;
    char special[] = { w->dialect.delimiter, '"', '\r', '\n', '\0' };
    if (strpbrk(text, special) == NULL) {
        g_string_append(w->row, text);
        return;
    }
    g_string_append_c(w->row, '"');
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            g_string_append_c(w->row, '"');
        g_string_append_c(w->row, *p);
    }
    g_string_append_c(w->row, '"');
}

void gen_fieldf(gen_writer_t *w, const char *fmt, ...)
{
    field_start(w);
    va_list ap;
    va_start(ap, fmt);
    g_string_append_vprintf(w->row, fmt, ap);
    va_end(ap);
}

ops_status_t gen_row_end(gen_writer_t *w, ops_error_t *err)
{
    if (w->dialect.crlf)
        g_string_append(w->row, "\r\n");
    else
        g_string_append_c(w->row, '\n');
    const char *out = w->row->str;
    gsize len = w->row->len;
    gchar *converted = NULL;
    if (w->dialect.cp1252) {
        GError *gerr = NULL;
        converted = g_convert(w->row->str, (gssize)w->row->len, "WINDOWS-1252", "UTF-8", NULL,
                              &len, &gerr);
        if (!converted) {
            ops_error_set(err, OPS_ERR_INTERNAL, w->path, w->rows + 1, NULL,
                          "row cannot be written in Windows-1252: %s",
                          gerr ? gerr->message : "conversion failed");
            g_clear_error(&gerr);
            return OPS_ERR_INTERNAL;
        }
        out = converted;
    }
    size_t n = fwrite(out, 1, len, w->fp);
    g_free(converted);
    g_string_truncate(w->row, 0);
    w->row_started = false;
    if (n != len)
        return ops_error_set(err, OPS_ERR_OUTPUT, w->tmp_path, w->rows + 1, NULL,
                             "write failed: %s", strerror(errno));
    w->bytes += (long)len;
    w->rows++;
    return OPS_OK;
}

ops_status_t gen_header(gen_writer_t *w, const char *const *names, ops_error_t *err)
{
    for (size_t i = 0; names[i]; i++)
        gen_field(w, names[i]);
    return gen_row_end(w, err);
}

ops_status_t gen_writer_close(gen_writer_t *w, long *rows, long *bytes, ops_error_t *err)
{
    if (!w)
        return OPS_OK;
    ops_status_t rc = OPS_OK;
    FILE *fp = w->fp;
    w->fp = NULL;
    if (fclose(fp) != 0) {
        rc = ops_error_set(err, OPS_ERR_OUTPUT, w->tmp_path, 0, NULL, "cannot write file: %s",
                           strerror(errno));
        remove(w->tmp_path);
        goto cleanup;
    }
    if (rename(w->tmp_path, w->path) != 0) {
        rc = ops_error_set(err, OPS_ERR_OUTPUT, w->path, 0, NULL, "cannot rename %s: %s",
                           w->tmp_path, strerror(errno));
        remove(w->tmp_path);
        goto cleanup;
    }
    if (rows)
        *rows = w->rows > 0 ? w->rows - 1 : 0;
    if (bytes)
        *bytes = w->bytes;
cleanup:
    writer_free(w);
    return rc;
}

/* ---- dates --------------------------------------------------------------- */

gen_day_t gen_day_from_ymd(int y, int m, int d)
{
    struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12 };
    return (gen_day_t)(timegm(&tm) / 86400);
}

void gen_day_to_ymd(gen_day_t day, int *y, int *m, int *d)
{
    time_t t = (time_t)day * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    *y = tm.tm_year + 1900;
    *m = tm.tm_mon + 1;
    *d = tm.tm_mday;
}

int gen_days_in_month(int y, int m)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int gen_weekday(gen_day_t day)
{
    /* 1970-01-01 was a Thursday (3 with Monday = 0). */
    int wd = (int)((day + 3) % 7);
    return wd < 0 ? wd + 7 : wd;
}

char *gen_fmt_iso(char *buf, gen_day_t day)
{
    int y, m, d;
    gen_day_to_ymd(day, &y, &m, &d);
    snprintf(buf, 32, "%04d-%02d-%02d", y, m, d);
    return buf;
}

char *gen_fmt_dmy_dot(char *buf, gen_day_t day)
{
    int y, m, d;
    gen_day_to_ymd(day, &y, &m, &d);
    snprintf(buf, 32, "%02d.%02d.%04d", d, m, y);
    return buf;
}

char *gen_fmt_mdy_us(char *buf, gen_day_t day)
{
    int y, m, d;
    gen_day_to_ymd(day, &y, &m, &d);
    snprintf(buf, 32, "%d/%d/%04d", m, d, y);
    return buf;
}

char *gen_fmt_dmy_dash2(char *buf, gen_day_t day)
{
    int y, m, d;
    gen_day_to_ymd(day, &y, &m, &d);
    snprintf(buf, 32, "%02d-%02d-%02d", d, m, y % 100);
    return buf;
}

static void ts_split(int64_t epoch_s, struct tm *tm)
{
    time_t t = (time_t)epoch_s;
    gmtime_r(&t, tm);
}

char *gen_fmt_ts_iso_z(char *buf, int64_t epoch_s)
{
    struct tm tm;
    ts_split(epoch_s, &tm);
    /* Only numeric conversions: strftime's locale does not touch them. */
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

char *gen_fmt_ts_space(char *buf, int64_t epoch_s)
{
    struct tm tm;
    ts_split(epoch_s, &tm);
    strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

/* ---- numbers ------------------------------------------------------------- */

char *gen_fmt_cents(char *buf, int64_t cents, bool parens)
{
    bool neg = cents < 0;
    uint64_t a = neg ? (uint64_t)(-cents) : (uint64_t)cents;
    if (neg && parens)
        snprintf(buf, 32, "(%" PRIu64 ".%02" PRIu64 ")", a / 100, a % 100);
    else
        snprintf(buf, 32, "%s%" PRIu64 ".%02" PRIu64, neg ? "-" : "", a / 100, a % 100);
    return buf;
}

char *gen_fmt_cents_eu(char *buf, int64_t cents)
{
    bool neg = cents < 0;
    uint64_t a = neg ? (uint64_t)(-cents) : (uint64_t)cents;
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%" PRIu64, a / 100);
    char *p = buf;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            *p++ = '.';
        *p++ = digits[i];
    }
    snprintf(p, 8, ",%02" PRIu64 "%s", a % 100, neg ? "-" : "");
    return buf;
}

char *gen_fmt_fixed(char *buf, double value, int decimals)
{
    static const int64_t pow10[] = { 1, 10, 100, 1000 };
    int64_t scale = pow10[decimals];
    int64_t v = llround(value * (double)scale);
    bool neg = v < 0;
    uint64_t a = neg ? (uint64_t)(-v) : (uint64_t)v;
    if (decimals == 0)
        snprintf(buf, 32, "%s%" PRIu64, neg ? "-" : "", a);
    else
        snprintf(buf, 32, "%s%" PRIu64 ".%0*" PRIu64, neg ? "-" : "", a / (uint64_t)scale,
                 decimals, a % (uint64_t)scale);
    return buf;
}

/* ---- random helpers ------------------------------------------------------ */

gsl_rng *gen_rng_new(unsigned long seed, unsigned long stream)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r)
        /* Knuth's multiplicative hash keeps the per-kind seeds far apart. */
        gsl_rng_set(r, (seed * 2654435761UL + stream * 40503UL + 1UL) & 0xffffffffUL);
    return r;
}

double gen_lognoise(gsl_rng *r, double sigma)
{
    return exp(gsl_ran_gaussian(r, sigma) - sigma * sigma / 2.0);
}

long gen_uniform_int(gsl_rng *r, long lo, long hi)
{
    return lo + (long)gsl_rng_uniform_int(r, (unsigned long)(hi - lo + 1));
}

long gen_scaled(double base, double scale)
{
    long n = lround(base * scale);
    return n < 1 ? 1 : n;
}
