/*
 * runs.c - the `runs` command: what the run folders under the output folder
 * say about each month, read from their manifest.json (jansson).
 *
 * One line per run folder (OUT/YYYY-MM/), oldest first: period, status,
 * when the manifest was written, inputs with rows read and rejected, outputs,
 * and the delivery state from the manifest's "deliveries" records. A folder
 * whose lock is held is a run in progress; one without a manifest is a run
 * that stopped before its end. It only reads: the lock is tested with a
 * shared, non-blocking flock on the existing .lock file, never created.
 */
#include "opsreport/cli.h"
#include "opsreport/period.h"

#include "cli/cli_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glib.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    char period[8];
    char status[48];
    char written[24];       /* manifest mtime, UTC; "-" without one */
    long long inputs, rows_read, rows_rejected, outputs;
    size_t delivered, failed, pending, unknown;
    bool has_manifest, has_deliveries;
    json_t *manifest;       /* kept for -v; NULL without one */
} run_row_t;

/* True if another process holds the run folder's lock: a run in progress. */
static bool runs_locked(const char *dir)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/.lock", dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    close(fd);
    return held;
}

static void runs_read(const char *out_dir, const char *name, run_row_t *r)
{
    char dir[1100], path[1200];
    memset(r, 0, sizeof *r);
    snprintf(r->period, sizeof r->period, "%s", name);
    snprintf(r->written, sizeof r->written, "-");
    snprintf(dir, sizeof dir, "%s/%s", out_dir, name);
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    bool locked = runs_locked(dir);
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(r->status, sizeof r->status, "%s", locked ? "running" : "no manifest");
        return;
    }
    struct tm tm;
    gmtime_r(&sb.st_mtime, &tm);
    strftime(r->written, sizeof r->written, "%Y-%m-%d %H:%MZ", &tm);
    json_error_t je;
    r->manifest = json_load_file(path, 0, &je);
    if (!json_is_object(r->manifest)) {
        snprintf(r->status, sizeof r->status, "unreadable manifest");
        json_decref(r->manifest);
        r->manifest = NULL;
        return;
    }
    r->has_manifest = true;
    const char *status = json_string_value(json_object_get(r->manifest, "status"));
    /* a rerun in progress keeps the previous manifest until it commits */
    snprintf(r->status, sizeof r->status, "%s%s", status ? status : "?", locked ? " (rerunning)" : "");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r->manifest, "inputs"), i, v) {
        r->inputs++;
        r->rows_read += json_integer_value(json_object_get(v, "rows_read"));
        r->rows_rejected += json_integer_value(json_object_get(v, "rows_rejected"));
    }
    r->outputs = (long long)json_array_size(json_object_get(r->manifest, "outputs"));
    json_t *deliveries = json_object_get(r->manifest, "deliveries");
    r->has_deliveries = json_is_array(deliveries);
    json_array_foreach(deliveries, i, v) {
        const char *o = json_string_value(json_object_get(v, "outcome"));
        if (o && !strcmp(o, "delivered"))
            r->delivered++;
        else if (o && !strcmp(o, "failed"))
            r->failed++;
        else if (o && !strcmp(o, "unknown"))
            r->unknown++;
        else
            r->pending++;
    }
}

static void runs_delivery_text(const run_row_t *r, char *buf, size_t size)
{
    if (!r->has_deliveries) {
        snprintf(buf, size, "%s", r->has_manifest ? "not sent" : "-");
        return;
    }
    size_t n = 0;
    buf[0] = '\0';
    if (r->delivered || (!r->failed && !r->unknown && !r->pending))
        n += (size_t)snprintf(buf + n, size - n, "%zu delivered", r->delivered);
    if (r->failed && n < size)
        n += (size_t)snprintf(buf + n, size - n, "%s%zu failed", n ? ", " : "", r->failed);
    if (r->unknown && n < size)
        n += (size_t)snprintf(buf + n, size - n, "%s%zu unknown", n ? ", " : "", r->unknown);
    if (r->pending && n < size)
        snprintf(buf + n, size - n, "%s%zu pending", n ? ", " : "", r->pending);
}

/* -v: the outputs and each recipient's outcome under the run's line. */
static void runs_print_detail(const run_row_t *r)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r->manifest, "outputs"), i, v)
        printf("          output    %s (%lld bytes)\n", json_string_value(json_object_get(v, "name")),
               (long long)json_integer_value(json_object_get(v, "bytes")));
    json_array_foreach(json_object_get(r->manifest, "deliveries"), i, v)
        printf("          delivery  %s: %s %s\n", json_string_value(json_object_get(v, "recipient")),
               json_string_value(json_object_get(v, "outcome")),
               json_string_value(json_object_get(v, "time")));
}

static int runs_cmp(const void *a, const void *b)
{
    return strcmp(((const run_row_t *)a)->period, ((const run_row_t *)b)->period);
}

static void usage_runs(FILE *out)
{
    fprintf(out,
            "usage: opsreport runs [--config FILE] [--out DIR] [-v] [--log-format FMT]\n\n"
            "List the run folders under the output folder, oldest first: period, status\n"
            "(ok, rejects_over_threshold, running, no manifest: a run that stopped before\n"
            "its end), when the manifest was written (UTC), inputs with rows read and\n"
            "rejected, outputs, and the delivery state (how many recipients delivered,\n"
            "failed, unknown: sent but never confirmed, or pending; or not sent), all read\n"
            "from each folder's manifest.json. -v adds every output and every recipient's\n"
            "outcome. Reads only.\n\n"
            "  --config FILE     configuration whose [output] dir to list (default\n"
            "                    config/opsreport.ini if present, else the installed one)\n"
            "  --out DIR         the output folder (default [output] dir, else out)\n"
            "  -v, --verbose     outputs and deliveries of each run\n"
            "  --log-format FMT  text (default) or json, for the error lines\n"
            "  -h, --help        this help\n\n"
            "Exit codes: 0 listed (also when there are no runs yet), 2 usage, 3 config\n"
            "error, 4 the output folder cannot be read.\n");
}

int cli_runs_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' }, { "out", required_argument, NULL, 'o' },
        { "verbose", no_argument, NULL, 'v' },      { "log-format", required_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
    };
    const char *config_path = NULL, *out_given = NULL;
    bool verbose = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config_path = optarg; break;
        case 'o': out_given = optarg; break;
        case 'v': verbose = true; break;
        case 'l':
            if (!cli_set_log_format(optarg)) {
                fprintf(stderr, "opsreport: --log-format expects text or json, found '%s'\n", optarg);
                return OPS_EXIT_USAGE;
            }
            break;
        case 'h': usage_runs(stdout); return OPS_EXIT_OK;
        default: usage_runs(stderr); return OPS_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "opsreport: unexpected argument '%s'\n", argv[optind]);
        usage_runs(stderr);
        return OPS_EXIT_USAGE;
    }
    int code = OPS_EXIT_OK;
    ops_error_t err = { 0 };
    config_t *cfg = NULL;
    GDir *dir = NULL;
    run_row_t *rows = NULL;
    size_t n = 0, cap = 0;
    char out_dir[1024], buf[5000];
    /* the config matters only for [output] dir: --out alone needs none */
    if (!out_given && config_load(cli_config_path(config_path), &cfg, &err) != OPS_OK)
        goto fail;
    cli_out_dir(out_given, cfg, out_dir, sizeof out_dir);
    struct stat sb;
    if (stat(out_dir, &sb) != 0 && errno == ENOENT) { /* a fresh install: no run yet is no error */
        printf("no run folders in %s (the folder does not exist yet)\n", out_dir);
        goto cleanup;
    }
    errno = 0;
    dir = g_dir_open(out_dir, 0, NULL);
    if (!dir) {
        ops_error_set(&err, OPS_ERR_INPUT, out_dir, 0, NULL, "cannot list the output folder: %s",
                      strerror(errno));
        goto fail;
    }
    const char *name;
    while ((name = g_dir_read_name(dir))) {
        period_t p;
        char path[1100];
        snprintf(path, sizeof path, "%s/%s", out_dir, name);
        if (strlen(name) != 7 || !period_parse(name, &p) || !g_file_test(path, G_FILE_TEST_IS_DIR))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            run_row_t *grown = realloc(rows, cap * sizeof *grown);
            if (!grown) {
                ops_error_set(&err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
                goto fail;
            }
            rows = grown;
        }
        runs_read(out_dir, name, &rows[n++]);
    }
    if (n == 0) {
        printf("no run folders in %s\n", out_dir);
        goto cleanup;
    }
    qsort(rows, n, sizeof *rows, runs_cmp);
    printf("%-8s  %-24s  %-17s  %6s  %10s  %8s  %7s  %s\n", "PERIOD", "STATUS", "WRITTEN", "INPUTS", "ROWS",
           "REJECTED", "OUTPUTS", "DELIVERY");
    for (size_t i = 0; i < n; i++) {
        const run_row_t *r = &rows[i];
        char delivery[96];
        runs_delivery_text(r, delivery, sizeof delivery);
        if (r->has_manifest)
            printf("%-8s  %-24s  %-17s  %6lld  %10lld  %8lld  %7lld  %s\n", r->period, r->status, r->written,
                   r->inputs, r->rows_read, r->rows_rejected, r->outputs, delivery);
        else
            printf("%-8s  %-24s  %-17s  %6s  %10s  %8s  %7s  %s\n", r->period, r->status, r->written, "-", "-",
                   "-", "-", delivery);
        if (verbose && r->manifest)
            runs_print_detail(r);
    }
    goto cleanup;

fail:
    ops_error_format(&err, buf, sizeof buf);
    cli_log(0, "error: %s", buf);
    code = ops_status_exit_code(err.status);
cleanup:
    for (size_t i = 0; i < n; i++)
        json_decref(rows[i].manifest);
    free(rows);
    if (dir)
        g_dir_close(dir);
    config_free(cfg);
    return code;
}
