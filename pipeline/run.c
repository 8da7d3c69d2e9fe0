/*
 * run.c - the `run` and `validate` commands: the stage driver.
 *
 * config -> ingest+validate (streaming into analyse) -> analyse -> render
 * (xlsx, pdf) -> commit outputs -> manifest. This is the only place that
 * prints and turns a status into an exit code.
 */
#include "opsreport/analyse.h"
#include "opsreport/cli.h"
#include "opsreport/manifest.h"
#include "opsreport/render.h"
#include "opsreport/runfolder.h"

#include <getopt.h>
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    const char *config_path;
    const char *data_dir;
    const char *out_dir;
    const char *templates_dir;
    period_t period;
    bool period_given;
    int verbosity; /* 0 quiet, 1 normal, 2 verbose */
} run_options_t;

static int g_verbosity = 1;

static void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_msg(int level, const char *fmt, ...)
{
    if (level > g_verbosity)
        return;
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(stderr, "%s opsreport: ", stamp);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int report_error(const ops_error_t *err)
{
    char buf[2048];
    ops_error_format(err, buf, sizeof buf);
    log_msg(0, "error: %s", buf);
    return ops_status_exit_code(err->status);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage_run(FILE *out, const char *cmd)
{
    bool run = !strcmp(cmd, "run");
    fprintf(out,
            "usage: opsreport %s [--config FILE] [--period YYYY-MM]%s [-q] [-v]\n\n",
            cmd, run ? " [--data DIR] [--out DIR]" : " [--data DIR]");
    if (run)
        fprintf(out, "Ingest and validate every configured input, analyse, and write the run\n"
                     "folder OUT/PERIOD/: report.xlsx, summary.pdf, rejects.csv, manifest.json.\n"
                     "Outputs appear atomically, only when the whole run succeeded.\n\n");
    else
        fprintf(out, "Ingest and validate only: per input rows read / accepted / rejected,\n"
                     "control totals and the first rejects. Writes nothing.\n\n");
    fprintf(out,
            "  --config FILE     configuration (default config/opsreport.ini)\n"
            "  --period YYYY-MM  month to report (default: the last complete month)\n"
            "  --data DIR        folder the input files are relative to (default .)\n"
            "%s"
            "  -q, --quiet       print errors only\n"
            "  -v, --verbose     more detail\n"
            "  -h, --help        this help\n\n"
            "Exit codes: 0 success, 2 usage, 3 config error, 4 input error (missing file,\n"
            "unmapped column), 5 rejected rows over [report] reject_threshold, 6 output\n"
            "error, 8 run folder locked by another run, 70 internal error.\n",
            run ? "  --out DIR         where run folders are written (default out)\n" : "");
}

static int parse_run_options(int argc, char **argv, run_options_t *o)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' }, { "period", required_argument, NULL, 'p' },
        { "data", required_argument, NULL, 'd' },   { "out", required_argument, NULL, 'o' },
        { "templates", required_argument, NULL, 't' },
        { "quiet", no_argument, NULL, 'q' },        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    o->config_path = "config/opsreport.ini";
    o->data_dir = ".";
    o->out_dir = "out";
    o->templates_dir = "templates";
    o->verbosity = 1;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': o->config_path = optarg; break;
        case 'd': o->data_dir = optarg; break;
        case 'o': o->out_dir = optarg; break;
        case 't': o->templates_dir = optarg; break;
        case 'p':
            if (!period_parse(optarg, &o->period)) {
                fprintf(stderr, "opsreport: --period expects YYYY-MM, found '%s'\n", optarg);
                return OPS_EXIT_USAGE;
            }
            o->period_given = true;
            break;
        case 'q': o->verbosity = 0; break;
        case 'v': o->verbosity = 2; break;
        case 'h': usage_run(stdout, argv[0]); return -1;
        default: usage_run(stderr, argv[0]); return OPS_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "opsreport: unexpected argument '%s'\n", argv[optind]);
        usage_run(stderr, argv[0]);
        return OPS_EXIT_USAGE;
    }
    if (!o->period_given)
        o->period = period_last_closed(time(NULL));
    g_verbosity = o->verbosity;
    return 0;
}

static void print_input_summary(const ingest_stats_t *s, int minor_units, FILE *out)
{
    if (!s->present) {
        fprintf(out, "%-16s optional input not present\n", s->name);
        return;
    }
    fprintf(out, "%-16s read %8llu  accepted %8llu  rejected %6llu%s\n", s->name,
            (unsigned long long)s->rows_read, (unsigned long long)s->rows_accepted,
            (unsigned long long)s->rows_rejected,
            s->rows_read == s->rows_accepted + s->rows_rejected ? "" : "  DOES NOT RECONCILE");
    for (size_t k = 0; k < s->n_money; k++) {
        char a[48], r[48];
        money_to_text(s->money[k].total_accepted, minor_units, a, sizeof a);
        money_to_text(s->money[k].total_rejected, minor_units, r, sizeof r);
        fprintf(out, "%-16s   %s: accepted total %s, rejected total %s\n", "", s->money[k].field, a, r);
    }
}

/* Checks every input's reject rate; returns the worst offender or NULL. */
static const ingest_stats_t *over_threshold(const ingest_stats_t *stats, size_t n, double threshold)
{
    for (size_t i = 0; i < n; i++)
        if (stats[i].rows_read > 0 &&
            (double)stats[i].rows_rejected / (double)stats[i].rows_read > threshold)
            return &stats[i];
    return NULL;
}

static void make_run_id(const config_t *cfg, const ingest_stats_t *stats, size_t n, const char *period,
                        char *out, size_t size)
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(sum, (const guchar *)cfg->sha256, strlen(cfg->sha256));
    for (size_t i = 0; i < n; i++)
        g_checksum_update(sum, (const guchar *)stats[i].sha256, strlen(stats[i].sha256));
    snprintf(out, size, "%s-%.12s", period, g_checksum_get_string(sum));
    g_checksum_free(sum);
}

static int run_pipeline(const run_options_t *o, bool validate_only)
{
    ops_error_t err = { 0 };
    config_t *cfg = NULL;
    analyse_t *an = NULL;
    report_model_t *model = NULL;
    ingest_stats_t *stats = NULL;
    rejects_writer_t *rejects = NULL;
    runfolder_t rf = { .lock_fd = -1 };
    bool rf_open = false;
    int exit_code = OPS_EXIT_OK;
    manifest_t man = { 0 };
    char period[8], run_id[64] = "";
    period_format(o->period, period);
    double t = now_seconds();

    if (config_load(o->config_path, &cfg, &err) != OPS_OK)
        goto fail;
    man.stages[man.n_stages].name = "config";
    man.stages[man.n_stages++].seconds = now_seconds() - t;
    log_msg(2, "config %s (sha256 %.12s), period %s", cfg->path, cfg->sha256, period);

    stats = calloc(cfg->n_inputs ? cfg->n_inputs : 1, sizeof *stats);
    if (!stats) {
        ops_error_set(&err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    if (!validate_only) {
        if (runfolder_open(&rf, o->out_dir, period, &err) != OPS_OK)
            goto fail;
        rf_open = true;
        char path[1200];
        runfolder_temp_path(&rf, "rejects.csv", path, sizeof path);
        if (rejects_open(path, &rejects, &err) != OPS_OK)
            goto fail;
    }
    if (analyse_new(cfg, o->period, NULL, &an, &err) != OPS_OK)
        goto fail;

    t = now_seconds();
    for (size_t i = 0; i < cfg->n_inputs; i++) {
        if (ingest_input(&cfg->inputs[i], o->data_dir, cfg->minor_units, rejects, analyse_record, an,
                         &stats[i], &err) != OPS_OK)
            goto fail;
        log_msg(2, "%s: %llu rows read, %llu accepted, %llu rejected in %.2f s", stats[i].name,
                (unsigned long long)stats[i].rows_read, (unsigned long long)stats[i].rows_accepted,
                (unsigned long long)stats[i].rows_rejected, stats[i].seconds);
    }
    man.stages[man.n_stages].name = "ingest";
    man.stages[man.n_stages++].seconds = now_seconds() - t;
    if (rejects_close(rejects, &err) != OPS_OK) {
        rejects = NULL;
        goto fail;
    }
    rejects = NULL;
    make_run_id(cfg, stats, cfg->n_inputs, period, run_id, sizeof run_id);

    if (validate_only) {
        printf("%s: validation of %zu inputs for %s\n", cfg->organisation, cfg->n_inputs, period);
        for (size_t i = 0; i < cfg->n_inputs; i++)
            print_input_summary(&stats[i], cfg->minor_units, stdout);
        bool any = false;
        for (size_t i = 0; i < cfg->n_inputs; i++)
            for (size_t k = 0; k < stats[i].n_first_rejects; k++) {
                const reject_summary_t *r = &stats[i].first_rejects[k];
                if (!any)
                    printf("\nFirst rejects:\n");
                any = true;
                printf("%s:%ld: column '%s', value '%s': %s\n", stats[i].path, r->line, r->column,
                       r->value, r->reason);
            }
        const ingest_stats_t *worst = over_threshold(stats, cfg->n_inputs, cfg->reject_threshold);
        if (worst) {
            log_msg(0, "error: %s rejected %llu of %llu rows, over reject_threshold %.4g",
                    worst->name, (unsigned long long)worst->rows_rejected,
                    (unsigned long long)worst->rows_read, cfg->reject_threshold);
            exit_code = OPS_EXIT_REJECTS;
        }
        goto cleanup;
    }

    const ingest_stats_t *worst = over_threshold(stats, cfg->n_inputs, cfg->reject_threshold);
    if (worst) {
        /* publish the rejects and the manifest, never a report built on bad data */
        log_msg(0, "error: %s rejected %llu of %llu rows, over reject_threshold %.4g; see %s/rejects.csv",
                worst->name, (unsigned long long)worst->rows_rejected,
                (unsigned long long)worst->rows_read, cfg->reject_threshold, rf.dir);
        if (runfolder_commit(&rf, &err) != OPS_OK)
            goto fail;
        man.status = "rejects_over_threshold";
        exit_code = OPS_EXIT_REJECTS;
        goto write_manifest;
    }

    t = now_seconds();
    if (analyse_finish(an, stats, cfg->n_inputs, &model, &err) != OPS_OK)
        goto fail;
    for (size_t i = 0; i < cfg->n_kpis; i++)
        if (!model_find_kpi(model, cfg->kpis[i].id)) {
            const char *best = "";
            size_t best_d = SIZE_MAX;
            for (size_t j = 0; j < model->n_kpis; j++) {
                size_t d = config_edit_distance(cfg->kpis[i].id, model->kpis[j].id);
                if (d < best_d) {
                    best_d = d;
                    best = model->kpis[j].id;
                }
            }
            log_msg(0, "warning: %s:%ld: [kpi.%s] matches no KPI of this run (closest: %s); its target is unused",
                    cfg->path, cfg->kpis[i].line, cfg->kpis[i].id, best);
        }
    man.stages[man.n_stages].name = "analyse";
    man.stages[man.n_stages++].seconds = now_seconds() - t;

    render_info_t info = { OPSREPORT_VERSION, cfg->path, cfg->sha256, run_id, cfg->paper_letter,
                           o->templates_dir };
    char path[1200];
    t = now_seconds();
    runfolder_temp_path(&rf, cfg->xlsx_name, path, sizeof path);
    if (render_xlsx(model, &info, path, &err) != OPS_OK)
        goto fail;
    man.stages[man.n_stages].name = "render_xlsx";
    man.stages[man.n_stages++].seconds = now_seconds() - t;
    t = now_seconds();
    runfolder_temp_path(&rf, cfg->pdf_name, path, sizeof path);
    if (render_pdf(model, &info, path, &err) != OPS_OK)
        goto fail;
    man.stages[man.n_stages].name = "render_pdf";
    man.stages[man.n_stages++].seconds = now_seconds() - t;
    if (runfolder_commit(&rf, &err) != OPS_OK)
        goto fail;
    man.status = "ok";

write_manifest:
    man.period = period;
    man.run_id = run_id;
    man.cfg = cfg;
    man.inputs = stats;
    man.n_inputs = cfg->n_inputs;
    man.rf = &rf;
    if (manifest_write(&man, rf.dir, &err) != OPS_OK)
        goto fail;
    if (exit_code == OPS_EXIT_OK) {
        uint64_t read = 0, rejected = 0;
        for (size_t i = 0; i < cfg->n_inputs; i++) {
            read += stats[i].rows_read;
            rejected += stats[i].rows_rejected;
        }
        log_msg(1, "%s: %llu rows read, %llu rejected; wrote %s/{%s,%s,rejects.csv,manifest.json}",
                period, (unsigned long long)read, (unsigned long long)rejected, rf.dir,
                cfg->xlsx_name, cfg->pdf_name);
    }
    goto cleanup;

fail:
    exit_code = report_error(&err);
    if (rejects)
        rejects_close(rejects, NULL);
    rejects = NULL;
    if (rf_open)
        runfolder_abort(&rf);
cleanup:
    if (rf_open)
        runfolder_close(&rf);
    report_model_free(model);
    analyse_free(an);
    free(stats);
    config_free(cfg);
    return exit_code;
}

int cli_run_main(int argc, char **argv)
{
    run_options_t o;
    int rc = parse_run_options(argc, argv, &o);
    if (rc)
        return rc < 0 ? OPS_EXIT_OK : rc;
    return run_pipeline(&o, false);
}

int cli_validate_main(int argc, char **argv)
{
    run_options_t o;
    int rc = parse_run_options(argc, argv, &o);
    if (rc)
        return rc < 0 ? OPS_EXIT_OK : rc;
    return run_pipeline(&o, true);
}
