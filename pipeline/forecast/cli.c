/*
 * cli.c - `opsreport forecast`: forecasts every series of a long-form CSV.
 *
 * Input: a header `series_id,period,value`, then one row per observation;
 * period is `YYYY-MM` or an integer index (one kind per series). Rows are
 * parsed with libcsv in strict mode (broken quoting is an error; spaces around
 * unquoted fields are trimmed, libcsv's default). A bad row is reported on
 * stderr as FILE:LINE: reason and skipped; other series are still forecast.
 * Rows of a series may come in any order; they are sorted by period, a
 * repeated period keeps the first row, and after a gap in the periods only
 * the part after the last gap is used (said on stderr).
 *
 * Output: `series_id,step,period,point,lo80,hi80,lo95,hi95,method`, series in
 * order of first appearance, numbers as %.8g (byte-reproducible, and no
 * exponent below 1e8, so money reads naturally); the
 * interval columns follow --level. --report adds one row per series with the
 * model, its parameters, the reason for it and, with --backtest, its
 * rolling-origin accuracy. --jobs N forecasts N series at a time (threads);
 * the output does not depend on N. Files are written to NAME.tmp, then
 * renamed.
 */
#include "opsreport/cli.h"
#include "opsreport/common.h"
#include "opsreport/forecast.h"

#include <csv.h>
#include <errno.h>
#include <glib.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    long key;    /* months since year 0 (YYYY-MM) or the integer index */
    double value;
    long line;
} obs_t;

typedef enum { PERIOD_UNKNOWN, PERIOD_MONTH, PERIOD_INDEX } period_kind_t;

typedef struct {
    char *id;
    period_kind_t kind;
    obs_t *obs;
    size_t n, cap;
    /* results */
    size_t used_from;       /* index into sorted obs where the used part starts */
    size_t n_used;
    forecast_result_t res;
    ops_status_t status;
    char error[1024];
} series_t;

typedef struct {
    const char *path;
    long cur_line;
    long row_line;
    size_t nfields;
    char *fields[3];
    bool header_done;
    bool header_bad;
    size_t rejects;
    GHashTable *index;      /* id -> series position + 1 */
    GPtrArray *series;      /* series_t* in order of first appearance */
    bool nomem;
} reader_t;

static void series_free(gpointer p)
{
    series_t *s = p;
    if (!s)
        return;
    free(s->id);
    free(s->obs);
    forecast_result_free(&s->res);
    free(s);
}

static void reject(reader_t *r, const char *fmt, const char *arg)
{
    fprintf(stderr, "%s:%ld: ", r->path, r->row_line);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    r->rejects++;
}

static bool parse_period(const char *s, period_kind_t *kind, long *key)
{
    size_t len = strlen(s);
    if (len == 7 && s[4] == '-') {
        for (size_t i = 0; i < 7; i++)
            if (i != 4 && (s[i] < '0' || s[i] > '9'))
                return false;
        long y = strtol(s, NULL, 10), mo = strtol(s + 5, NULL, 10);
        if (mo < 1 || mo > 12)
            return false;
        *kind = PERIOD_MONTH;
        *key = y * 12 + (mo - 1);
        return true;
    }
    if (len == 0 || len > 15)
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end)
        return false;
    *kind = PERIOD_INDEX;
    *key = v;
    return true;
}

static void row_finish(reader_t *r)
{
    if (!r->header_done) {
        static const char *const want[3] = { "series_id", "period", "value" };
        r->header_done = true;
        if (r->nfields != 3)
            r->header_bad = true;
        for (size_t i = 0; i < 3 && !r->header_bad; i++)
            if (!r->fields[i] || strcasecmp(r->fields[i], want[i]) != 0)
                r->header_bad = true;
        return;
    }
    if (r->nfields != 3) {
        char buf[32];
        snprintf(buf, sizeof buf, "%zu", r->nfields);
        reject(r, "expected 3 fields (series_id,period,value), found %s", buf);
        return;
    }
    const char *id = r->fields[0], *per = r->fields[1], *val = r->fields[2];
    if (!id[0]) {
        reject(r, "empty series_id%s", "");
        return;
    }
    period_kind_t kind;
    long key;
    if (!parse_period(per, &kind, &key)) {
        reject(r, "period '%s' is neither YYYY-MM nor an integer", per);
        return;
    }
    char *end;
    double v = strtod(val, &end);
    if (!val[0] || *end || !isfinite(v)) {
        reject(r, "value '%s' is not a finite number", val);
        return;
    }
    gpointer pos = g_hash_table_lookup(r->index, id);
    series_t *s;
    if (!pos) {
        s = calloc(1, sizeof *s);
        if (!s || !(s->id = strdup(id))) {
            free(s);
            r->nomem = true;
            return;
        }
        g_ptr_array_add(r->series, s);
        g_hash_table_insert(r->index, s->id, GSIZE_TO_POINTER(r->series->len));
    } else {
        s = g_ptr_array_index(r->series, GPOINTER_TO_SIZE(pos) - 1);
    }
    if (s->kind != PERIOD_UNKNOWN && s->kind != kind) {
        reject(r, "period '%s' mixes YYYY-MM and integer periods in one series", per);
        return;
    }
    s->kind = kind;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        obs_t *o = realloc(s->obs, cap * sizeof *o);
        if (!o) {
            r->nomem = true;
            return;
        }
        s->obs = o;
        s->cap = cap;
    }
    s->obs[s->n++] = (obs_t){ key, v, r->row_line };
}

static void cb_field(void *data, size_t len, void *ud)
{
    reader_t *r = ud;
    if (r->nfields == 0)
        r->row_line = r->cur_line;
    if (r->nfields < 3) {
        char *f = malloc(len + 1);
        if (!f) {
            r->nomem = true;
        } else {
            memcpy(f, data, len);
            f[len] = '\0';
        }
        r->fields[r->nfields] = f;
    }
    r->nfields++;
}

static void cb_row(int c, void *ud)
{
    (void)c;
    reader_t *r = ud;
    if (r->nfields == 0)
        r->row_line = r->cur_line;
    row_finish(r);
    for (size_t i = 0; i < 3; i++) {
        free(r->fields[i]);
        r->fields[i] = NULL;
    }
    r->nfields = 0;
}

static int read_input(reader_t *r)
{
    FILE *f = fopen(r->path, "rb");
    if (!f) {
        fprintf(stderr, "opsreport forecast: cannot open '%s': %s\n", r->path, strerror(errno));
        return OPS_EXIT_INPUT;
    }
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_APPEND_NULL);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = OPS_EXIT_OK;
    while ((len = getline(&line, &cap, f)) > 0) {
        r->cur_line++;
        char *data = line;
        if (r->cur_line == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            data += 3;
            len -= 3;
        }
        if (csv_parse(&p, data, (size_t)len, cb_field, cb_row, r) != (size_t)len) {
            fprintf(stderr, "%s:%ld: %s\n", r->path, r->cur_line, csv_strerror(csv_error(&p)));
            rc = OPS_EXIT_INPUT;
            break;
        }
        if (r->nomem)
            break;
    }
    if (rc == OPS_EXIT_OK && csv_fini(&p, cb_field, cb_row, r) != 0) {
        fprintf(stderr, "%s:%ld: %s\n", r->path, r->cur_line, csv_strerror(csv_error(&p)));
        rc = OPS_EXIT_INPUT;
    }
    csv_free(&p);
    free(line);
    for (size_t i = 0; i < 3; i++) {
        free(r->fields[i]);
        r->fields[i] = NULL;
    }
    fclose(f);
    if (r->nomem) {
        fprintf(stderr, "opsreport forecast: out of memory reading '%s'\n", r->path);
        return OPS_EXIT_INTERNAL;
    }
    if (rc == OPS_EXIT_OK && (!r->header_done || r->header_bad)) {
        fprintf(stderr, "%s:1: expected the header 'series_id,period,value'\n", r->path);
        rc = OPS_EXIT_INPUT;
    }
    return rc;
}

static int obs_cmp(const void *a, const void *b)
{
    const obs_t *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Sorts, drops repeated periods, keeps the part after the last gap. */
static void series_prepare(series_t *s, const char *path, size_t *rejects)
{
    qsort(s->obs, s->n, sizeof *s->obs, obs_cmp);
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (k > 0 && s->obs[i].key == s->obs[k - 1].key) {
            fprintf(stderr, "%s:%ld: series '%s' repeats the period of line %ld; row ignored\n", path,
                    s->obs[i].line, s->id, s->obs[k - 1].line);
            (*rejects)++;
            continue;
        }
        s->obs[k++] = s->obs[i];
    }
    s->n = k;
    size_t from = 0;
    for (size_t i = 1; i < s->n; i++)
        if (s->obs[i].key != s->obs[i - 1].key + 1)
            from = i;
    if (from > 0)
        fprintf(stderr, "%s:%ld: series '%s' has a gap before this row; forecasting from the %zu values after it\n",
                path, s->obs[from].line, s->id, s->n - from);
    s->used_from = from;
    s->n_used = s->n - from;
}

typedef struct {
    GPtrArray *series;
    const forecast_options_t *opt;
    bool season_given;
    size_t next;
    pthread_mutex_t lock;
} work_t;

static void series_forecast(series_t *s, const forecast_options_t *base, bool season_given)
{
    forecast_options_t opt = *base;
    if (!season_given)
        opt.season = s->kind == PERIOD_MONTH ? 12 : 1;
    double *y = malloc(s->n_used * sizeof *y);
    if (!y) {
        s->status = OPS_ERR_NOMEM;
        snprintf(s->error, sizeof s->error, "out of memory");
        return;
    }
    for (size_t i = 0; i < s->n_used; i++)
        y[i] = s->obs[s->used_from + i].value;
    ops_error_t err = { 0 };
    s->status = forecast_series(y, s->n_used, &opt, &s->res, &err);
    if (s->status != OPS_OK)
        snprintf(s->error, sizeof s->error, "%s", err.message);
    free(y);
}

static void *worker(void *arg)
{
    work_t *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->lock);
        size_t i = w->next++;
        pthread_mutex_unlock(&w->lock);
        if (i >= w->series->len)
            break;
        series_forecast(g_ptr_array_index(w->series, i), w->opt, w->season_given);
    }
    return NULL;
}

/* CSV field: quoted when it holds a delimiter, quote or line break. */
static void put_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void put_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, ",%.8g", v);
    else
        fputs(",", f);
}

static void period_text(const series_t *s, size_t step, char *buf, size_t size)
{
    long key = s->obs[s->n - 1].key + (long)step;
    if (s->kind == PERIOD_MONTH)
        snprintf(buf, size, "%04ld-%02ld", key / 12, key % 12 + 1);
    else
        snprintf(buf, size, "%ld", key);
}

static void level_name(double level, char *buf, size_t size)
{
    snprintf(buf, size, "%.6g", level);
}

static int write_forecasts(const char *path, GPtrArray *series, const forecast_options_t *opt)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "opsreport forecast: cannot write '%s': %s\n", tmp, strerror(errno));
        return OPS_EXIT_OUTPUT;
    }
    fputs("series_id,step,period,point", f);
    for (size_t l = 0; l < opt->n_levels; l++) {
        char ln[32];
        level_name(opt->levels[l], ln, sizeof ln);
        fprintf(f, ",lo%s,hi%s", ln, ln);
    }
    fputs(",method\n", f);
    for (size_t i = 0; i < series->len; i++) {
        const series_t *s = g_ptr_array_index(series, i);
        if (s->status != OPS_OK || s->n_used == 0)
            continue;
        for (size_t h = 0; h < s->res.horizon; h++) {
            char per[32];
            period_text(s, h + 1, per, sizeof per);
            put_field(f, s->id);
            fprintf(f, ",%zu,%s", h + 1, per);
            put_num(f, s->res.point[h]);
            for (size_t l = 0; l < opt->n_levels; l++) {
                put_num(f, s->res.lo[l][h]);
                put_num(f, s->res.hi[l][h]);
            }
            fputc(',', f);
            put_field(f, s->res.model);
            fputc('\n', f);
        }
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "opsreport forecast: cannot write '%s': %s\n", path, strerror(errno));
        remove(tmp);
        return OPS_EXIT_OUTPUT;
    }
    return OPS_EXIT_OK;
}

static int write_report(const char *path, GPtrArray *series, const forecast_options_t *opt)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "opsreport forecast: cannot write '%s': %s\n", tmp, strerror(errno));
        return OPS_EXIT_OUTPUT;
    }
    fputs("series_id,n,model,params,reason,aicc,bt_origins,bt_mase,bt_smape,bt_mape,bt_bias", f);
    for (size_t l = 0; l < opt->n_levels; l++) {
        char ln[32];
        level_name(opt->levels[l], ln, sizeof ln);
        fprintf(f, ",bt_cover%s", ln);
    }
    fputs(",check_origins,check_mase,check_mase_snaive,worse_than_snaive,action", f);
    for (size_t l = 0; l < opt->n_levels; l++) {
        char ln[32];
        level_name(opt->levels[l], ln, sizeof ln);
        fprintf(f, ",scale%s", ln);
    }
    fputc('\n', f);
    for (size_t i = 0; i < series->len; i++) {
        const series_t *s = g_ptr_array_index(series, i);
        put_field(f, s->id);
        fprintf(f, ",%zu,", s->n_used);
        if (s->status != OPS_OK) {
            fputs("error,,", f);
            put_field(f, s->error);
            fputs(",,0,,,,", f);
            for (size_t l = 0; l < opt->n_levels; l++)
                fputc(',', f);
            fputs(",0,,,,", f);
            for (size_t l = 0; l < opt->n_levels; l++)
                fputc(',', f);
            fputc('\n', f);
            continue;
        }
        put_field(f, s->res.model);
        fputc(',', f);
        put_field(f, s->res.params);
        fputc(',', f);
        put_field(f, s->res.reason);
        put_num(f, s->res.aicc);
        fprintf(f, ",%zu", s->res.backtest.origins);
        put_num(f, s->res.backtest.mase);
        put_num(f, s->res.backtest.smape);
        put_num(f, s->res.backtest.mape);
        put_num(f, s->res.backtest.bias);
        for (size_t l = 0; l < opt->n_levels; l++)
            put_num(f, s->res.backtest.coverage[l]);
        fprintf(f, ",%zu", s->res.check_origins);
        put_num(f, s->res.check_mase);
        put_num(f, s->res.check_mase_snaive);
        fprintf(f, ",%s,", s->res.worse_than_snaive ? "yes" : "no");
        put_field(f, s->res.action);
        for (size_t l = 0; l < opt->n_levels; l++)
            put_num(f, s->res.interval_scale[l]);
        fputc('\n', f);
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "opsreport forecast: cannot write '%s': %s\n", path, strerror(errno));
        remove(tmp);
        return OPS_EXIT_OUTPUT;
    }
    return OPS_EXIT_OK;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: opsreport forecast --input SERIES.csv --output FORECASTS.csv [options]\n\n"
            "Forecasts every series of a long-form CSV with header series_id,period,value\n"
            "(period YYYY-MM or an integer index). Writes\n"
            "series_id,step,period,point,lo80,hi80,lo95,hi95,method.\n\n"
            "Options:\n"
            "  --horizon H        steps ahead, 1..1200 (default 12)\n"
            "  --season M         season length (default 12 for YYYY-MM periods, else 1)\n"
            "  --method NAME      auto (default; = ea), ea (mean of ets and arima), mean (of\n"
            "                     ets, arima and theta),\n"
            "                     comb (median of ets, theta and snaive), ets, arima,\n"
            "                     theta, snaive, naive, drift\n"
            "  --level L1,L2      interval levels in percent, up to 4 (default 80,95)\n"
            "  --seed S           seed for simulated intervals (default 20261031)\n"
            "  --report FILE      one row per series: model, parameters, reason, backtest\n"
            "  --backtest         rolling-origin accuracy of each series into --report\n"
            "  --no-calibrate     keep the model's own interval widths (default: scaled so\n"
            "                     they would have covered at earlier origins)\n"
            "  --guard            use seasonal naive for a series whose model forecast\n"
            "                     worse than it at earlier origins (default: keep the\n"
            "                     model; the report flags it either way)\n"
            "  --jobs N           forecast N series at a time (default 1; same output)\n"
            "  --help             this text\n\n"
            "Bad rows are reported on stderr as FILE:LINE: reason and skipped.\n"
            "Exit codes: 0 success, 2 usage error, 4 input error, 6 output error.\n");
}

static bool parse_size(const char *s, size_t *out, size_t lo, size_t hi)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || !*s || *end || s[0] == '-' || v < lo || v > hi)
        return false;
    *out = (size_t)v;
    return true;
}

static bool parse_levels(const char *s, forecast_options_t *opt)
{
    size_t k = 0;
    const char *p = s;
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !(v > 0 && v < 100) || k >= FC_MAX_LEVELS)
            return false;
        opt->levels[k++] = v;
        if (*end == ',')
            end++;
        else if (*end)
            return false;
        p = end;
    }
    opt->n_levels = k;
    return k > 0;
}

int forecast_cli_main(int argc, char **argv)
{
    const char *input = NULL, *output = NULL, *report = NULL;
    forecast_options_t opt;
    forecast_options_default(&opt);
    bool season_given = false;
    size_t jobs = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return OPS_EXIT_OK;
        }
        if (strcmp(a, "--backtest") == 0) {
            opt.backtest = true;
            continue;
        }
        if (strcmp(a, "--no-calibrate") == 0) {
            opt.calibrate = false;
            continue;
        }
        if (strcmp(a, "--guard") == 0) {
            opt.guard = true;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "opsreport forecast: '%s' needs a value (or is unknown)\n\n", a);
            usage(stderr);
            return OPS_EXIT_USAGE;
        }
        const char *v = argv[++i];
        bool ok = true;
        if (strcmp(a, "--input") == 0)
            input = v;
        else if (strcmp(a, "--output") == 0)
            output = v;
        else if (strcmp(a, "--report") == 0)
            report = v;
        else if (strcmp(a, "--horizon") == 0)
            ok = parse_size(v, &opt.horizon, 1, 1200);
        else if (strcmp(a, "--season") == 0)
            ok = season_given = parse_size(v, &opt.season, 1, 1000);
        else if (strcmp(a, "--jobs") == 0)
            ok = parse_size(v, &jobs, 1, 256);
        else if (strcmp(a, "--seed") == 0) {
            size_t seed;
            ok = parse_size(v, &seed, 0, (size_t)-1);
            opt.seed = (unsigned long)seed;
        } else if (strcmp(a, "--level") == 0)
            ok = parse_levels(v, &opt);
        else if (strcmp(a, "--method") == 0) {
            ok = forecast_method_parse(v, &opt.method);
        } else {
            fprintf(stderr, "opsreport forecast: unknown option '%s'\n\n", a);
            usage(stderr);
            return OPS_EXIT_USAGE;
        }
        if (!ok) {
            fprintf(stderr, "opsreport forecast: bad value '%s' for %s\n", v, a);
            return OPS_EXIT_USAGE;
        }
    }
    if (!input || !output) {
        fprintf(stderr, "opsreport forecast: --input and --output are required\n\n");
        usage(stderr);
        return OPS_EXIT_USAGE;
    }
    /* GSL's default handler aborts the process; every GSL status is checked. */
    gsl_set_error_handler_off();
    reader_t r = { .path = input };
    r.index = g_hash_table_new(g_str_hash, g_str_equal);
    r.series = g_ptr_array_new_with_free_func(series_free);
    int rc = read_input(&r);
    if (rc != OPS_EXIT_OK)
        goto cleanup;
    for (size_t i = 0; i < r.series->len; i++)
        series_prepare(g_ptr_array_index(r.series, i), input, &r.rejects);
    work_t w = { r.series, &opt, season_given, 0, PTHREAD_MUTEX_INITIALIZER };
    if (jobs <= 1) {
        worker(&w);
    } else {
        pthread_t th[256];
        size_t started = 0;
        for (; started < jobs; started++)
            if (pthread_create(&th[started], NULL, worker, &w) != 0)
                break;
        if (started == 0)
            worker(&w);
        for (size_t t = 0; t < started; t++)
            pthread_join(th[t], NULL);
    }
    size_t failed = 0;
    for (size_t i = 0; i < r.series->len; i++) {
        const series_t *s = g_ptr_array_index(r.series, i);
        if (s->status != OPS_OK) {
            fprintf(stderr, "%s: series '%s' not forecast: %s\n", input, s->id, s->error);
            failed++;
        }
    }
    rc = write_forecasts(output, r.series, &opt);
    if (rc == OPS_EXIT_OK && report)
        rc = write_report(report, r.series, &opt);
    if (r.rejects > 0 || failed > 0)
        fprintf(stderr, "%s: %zu rows rejected, %zu of %u series not forecast\n", input, r.rejects,
                failed, r.series->len);
cleanup:
    g_hash_table_destroy(r.index);
    g_ptr_array_free(r.series, TRUE);
    return rc;
}
