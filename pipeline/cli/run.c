/*
 * run.c - the `run` and `validate` commands: the stage driver.
 *
 * config -> ingest+validate (streaming into analyse) -> analyse -> render
 * (xlsx, pdf) -> commit outputs -> manifest. This is the only place that
 * prints and turns a status into an exit code.
 */
#include "opsreport/analyse.h"
#include "opsreport/cli.h"
#include "opsreport/freshness.h"
#include "opsreport/manifest.h"
#include "opsreport/outlook.h"
#include "opsreport/render.h"
#include "opsreport/review.h"
#include "opsreport/runfolder.h"
#include "opsreport/snapshot.h"
#include "opsreport/template.h"

#include "cli/cli_internal.h"

#include <getopt.h>
#include <pthread.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/shard.h"

/* Where an installed opsreport finds /etc/opsreport/opsreport.ini;
 * make SYSCONFDIR=... bakes in another. */
#ifndef OPSREPORT_SYSCONFDIR
#define OPSREPORT_SYSCONFDIR "/etc"
#endif

typedef struct {
    const char *config_path;
    const char *data_dir;
    const char *out_dir;
    const char *templates_dir;
    period_t period;
    bool period_given;
    bool dry_run, resend;
    bool force;    /* send even when the freshness gate holds the run */
    int verbosity; /* 0 quiet, 1 normal, 2 verbose */
    const char *partial_out;  /* run --partial: write the state there, no reports */
    int shard_k, shard_n;     /* run --shard K/N (shard.h); n 0: every input */
    char **partials;          /* merge: the partial files */
    int n_partials;
    int jobs;                 /* --jobs N: ingest threads; 0: one per online CPU */
} run_options_t;

static int g_verbosity = 1;
static int g_log_json = -1; /* -1: not chosen yet, OPSREPORT_LOG_FORMAT decides */

void cli_set_verbosity(int level) { g_verbosity = level; }

void scope_slug(const char *scope, char *buf, size_t size)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)scope; *p && n + 1 < size; p++)
        buf[n++] = (char)((*p < 0x80 && g_ascii_isalnum(*p)) ? *p : '_');
    buf[n] = '\0';
}

bool cli_set_log_format(const char *name)
{
    if (!strcmp(name, "text") || !strcmp(name, "json")) {
        g_log_json = name[0] == 'j';
        return true;
    }
    return false;
}

const char *cli_config_path(const char *given)
{
    static const char local[] = "config/opsreport.ini";
    if (given)
        return given;
    /* a checkout (or a folder laid out like one) wins over the installed config */
    if (access(local, F_OK) == 0)
        return local;
    return OPSREPORT_SYSCONFDIR "/opsreport/opsreport.ini";
}

void cli_out_dir(const char *given, const config_t *cfg, char *buf, size_t size)
{
    if (given)
        snprintf(buf, size, "%s", given);
    else if (!cfg || !cfg->out_dir)
        snprintf(buf, size, "out");
    else if (g_path_is_absolute(cfg->out_dir))
        snprintf(buf, size, "%s", cfg->out_dir);
    else {
        /* relative to the config file, like [report] templates_dir: the two travel together */
        gchar *base = g_path_get_dirname(cfg->path);
        gchar *dir = g_build_filename(base, cfg->out_dir, NULL);
        snprintf(buf, size, "%s", dir);
        g_free(dir);
        g_free(base);
    }
}

bool cli_log_is_json(void)
{
    if (g_log_json < 0) { /* no --log-format: the environment may ask for JSON (systemd units) */
        const char *env = getenv("OPSREPORT_LOG_FORMAT");
        g_log_json = env && !strcmp(env, "json");
    }
    return g_log_json;
}

/* One JSON object per line for log collectors: {"time", "level", "message"}.
 * The "error: " / "warning: " prefix of a text line becomes the level. */
static void log_json_line(int level, const char *stamp, const char *text)
{
    const char *name = level == 0 ? "error" : level == 1 ? "info" : "debug";
    if (!strncmp(text, "error: ", 7)) {
        name = "error";
        text += 7;
    } else if (!strncmp(text, "warning: ", 9)) {
        name = "warning";
        text += 9;
    }
    /* jansson takes UTF-8 only; a file name in another encoding must not drop the line */
    gchar *valid = g_utf8_make_valid(text, -1);
    json_t *o = json_pack("{s:s, s:s, s:s}", "time", stamp, "level", name, "message", valid);
    char *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (line)
        fprintf(stderr, "%s\n", line);
    else
        fprintf(stderr, "{\"time\":\"%s\",\"level\":\"error\",\"message\":\"out of memory\"}\n", stamp);
    free(line);
    json_decref(o);
    g_free(valid);
}

#define log_msg cli_log
void cli_log(int level, const char *fmt, ...)
{
    if (level > g_verbosity)
        return;
    bool json = cli_log_is_json();
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    va_list ap;
    va_start(ap, fmt);
    if (json) {
        gchar *text = g_strdup_vprintf(fmt, ap);
        log_json_line(level, stamp, text);
        g_free(text);
    } else {
        fprintf(stderr, "%s opsreport: ", stamp);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
    }
    va_end(ap);
}

static int report_error(const ops_error_t *err)
{
    char buf[sizeof err->message + 800];
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
    bool merge = !strcmp(cmd, "merge"), run = !strcmp(cmd, "run") || merge, send = !strcmp(cmd, "send");
    if (send)
        fprintf(out, "usage: opsreport send [--config FILE] [--period YYYY-MM] [--out DIR] [--dry-run] [--resend] [-q] [-v]\n\n"
                     "Email an existing period's summary to every recipient not yet delivered,\n"
                     "without recomputing. --resend sends again to all; --dry-run writes .eml files\n"
                     "into the run folder instead.\n\n");
    else if (!strcmp(cmd, "merge"))
        fprintf(out, "usage: opsreport merge [--config FILE] [--period YYYY-MM] [--out DIR] [--dry-run] [-q] [-v]\n"
                     "                       PARTIAL...\n\n"
                     "Merge the partial states written by `opsreport run --partial` (any number,\n"
                     "in any order: shards are put back in order) and write the run folder\n"
                     "exactly as one `opsreport run` over all the inputs would: same outputs,\n"
                     "same bytes; only the manifest's timings differ. Every input must be in\n"
                     "one of the partials, and each partial of the same config and period.\n\n");
    else if (run)
        fprintf(out, "usage: opsreport run [--config FILE] [--period YYYY-MM] [--data DIR] [--out DIR] [--dry-run] [-q] [-v]\n"
                     "                     [--log-format FMT] [--jobs N] [--partial FILE [--shard K/N]]\n\n"
                     "Ingest and validate every configured input, analyse, and write the run\n"
                     "folder OUT/PERIOD/: report.xlsx, summary.pdf, rejects.csv, manifest.json.\n"
                     "Outputs appear atomically, only when the whole run succeeded. With [email]\n"
                     "enabled the summary is then emailed once to each recipient not yet delivered.\n"
                     "With --jobs 1 on a terminal, one line shows the input being read: rows, MB, MB/s.\n"
                     "With --partial, writes no reports: the analysed state of the inputs read\n"
                     "(with their counts and rejects) goes to FILE, for `opsreport merge`.\n"
                     "--shard K/N reads only shard K's inputs: inputs are dealt whole, in config\n"
                     "order, into N contiguous blocks (employees, training and timesheets\n"
                     "together); a shard may have none.\n\n");
    else
        fprintf(out, "usage: opsreport validate [--config FILE] [--period YYYY-MM] [--data DIR] [-q] [-v] [--log-format FMT]\n"
                     "                          [--jobs N]\n\n"
                     "Ingest and validate only: per input rows read / accepted / rejected,\n"
                     "control totals and the first rejects. Writes nothing.\n\n");
    fprintf(out,
            "  --config FILE     configuration (default config/opsreport.ini if present,\n"
            "                    else " OPSREPORT_SYSCONFDIR "/opsreport/opsreport.ini)\n"
            "  --period YYYY-MM  month to report (default: the last complete month)\n"
            "%s%s%s%s%s"
            "  -q, --quiet       print errors only\n"
            "  -v, --verbose     more detail\n"
            "  --log-format FMT  text (default) or json: one JSON object per log line\n"
            "%s"
            "  -h, --help        this help\n\n",
            send || merge ? "" : "  --data DIR        folder the input files are relative to (default .)\n",
            run ? "  --templates DIR   report wording (default: [report] templates_dir, then the installed\n"
                  "                    templates, then templates/ beside the program, then ./templates)\n" : "",
            run || send ? "  --out DIR         where run folders are written (default [output] dir, else out)\n"
                          "  --dry-run         write each email as an .eml file in the run folder, send nothing\n" : "",
            merge ? "  --force           send even when inputs look incomplete (stale, empty or shrunken)\n"
            : run ? "  --force           send even when inputs look incomplete (stale, empty or shrunken)\n"
                    "  --partial FILE    write the partial state to FILE instead of the run folder\n"
                    "  --shard K/N       with --partial: read shard K of N's inputs only\n" : "",
            send ? "  --resend          send again to recipients already delivered\n" : "",
            send || merge ? ""
            : run ? "  --jobs N          read inputs, and render the outputs, in N threads (default: one\n"
                    "                    per CPU); outputs are the same bytes for any N; 1 does one\n"
                    "                    after another\n"
                  : "  --jobs N          read inputs in N threads (default: one per CPU); outputs are the\n"
                    "                    same bytes for any N; 1 reads them one after another\n");
    ops_exit_codes_print(out);
}

static int parse_run_options(int argc, char **argv, run_options_t *o)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' }, { "period", required_argument, NULL, 'p' },
        { "data", required_argument, NULL, 'd' },   { "out", required_argument, NULL, 'o' },
        { "templates", required_argument, NULL, 't' },
        { "dry-run", no_argument, NULL, 'n' },       { "resend", no_argument, NULL, 'r' },
        { "force", no_argument, NULL, 'f' },
        { "partial", required_argument, NULL, 'P' }, { "shard", required_argument, NULL, 'S' },
        { "quiet", no_argument, NULL, 'q' },        { "verbose", no_argument, NULL, 'v' },
        { "log-format", required_argument, NULL, 'l' },
        { "jobs", required_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    o->config_path = NULL; /* cli_config_path() */
    o->data_dir = ".";
    o->out_dir = NULL;     /* cli_out_dir(): [output] dir, else out */
    o->templates_dir = NULL; /* searched for: see template_places() */
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
        case 'n': o->dry_run = true; break;
        case 'r': o->resend = true; break;
        case 'f': o->force = true; break;
        case 'P': o->partial_out = optarg; break;
        case 'S':
            if (!shard_parse(optarg, &o->shard_k, &o->shard_n)) {
                fprintf(stderr, "opsreport: --shard expects K/N with 1 <= K <= N, found '%s'\n", optarg);
                return OPS_EXIT_USAGE;
            }
            break;
        case 'j': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (end == optarg || *end || n < 1 || n > 256) {
                fprintf(stderr, "opsreport: --jobs expects a whole number from 1 to 256, found '%s'\n", optarg);
                return OPS_EXIT_USAGE;
            }
            o->jobs = (int)n;
            break;
        }
        case 'q': o->verbosity = 0; break;
        case 'v': o->verbosity = 2; break;
        case 'l':
            if (!cli_set_log_format(optarg)) {
                fprintf(stderr, "opsreport: --log-format expects text or json, found '%s'\n", optarg);
                return OPS_EXIT_USAGE;
            }
            break;
        case 'h': usage_run(stdout, argv[0]); return -1;
        default: usage_run(stderr, argv[0]); return OPS_EXIT_USAGE;
        }
    }
    bool merge = !strcmp(argv[0], "merge");
    if ((o->partial_out || o->shard_n) && strcmp(argv[0], "run")) {
        fprintf(stderr, "opsreport: --partial and --shard are options of run\n");
        return OPS_EXIT_USAGE;
    }
    if (o->jobs && strcmp(argv[0], "run") && strcmp(argv[0], "validate")) {
        fprintf(stderr, "opsreport: --jobs is an option of run and validate\n");
        return OPS_EXIT_USAGE;
    }
    if (o->shard_n && !o->partial_out) {
        fprintf(stderr, "opsreport: --shard needs --partial FILE\n");
        return OPS_EXIT_USAGE;
    }
    if (merge) {
        o->partials = argv + optind;
        o->n_partials = argc - optind;
        optind = argc;
        if (!o->n_partials) {
            fprintf(stderr, "opsreport: merge needs at least one partial file\n");
            usage_run(stderr, argv[0]);
            return OPS_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "opsreport: unexpected argument '%s'\n", argv[optind]);
        usage_run(stderr, argv[0]);
        return OPS_EXIT_USAGE;
    }
    if (!o->period_given)
        o->period = period_last_closed(time(NULL));
    o->config_path = cli_config_path(o->config_path);
    cli_set_verbosity(o->verbosity);
    return 0;
}

static void print_input_summary(const ingest_stats_t *s, int minor_units, FILE *out)
{
    if (!s->present) {
        fprintf(out, "%-16s optional input not present\n", s->name);
        return;
    }
    /* one line per input, fixed words, so scripts can read it */
    fprintf(out, "%-16s read %8llu  accepted %8llu  rejected %6llu  filtered %6llu  superseded %6llu%s\n",
            s->name, (unsigned long long)s->rows_read, (unsigned long long)s->rows_accepted,
            (unsigned long long)s->rows_rejected, (unsigned long long)s->rows_filtered,
            (unsigned long long)s->rows_superseded,
            ingest_stats_reconciles(s) ? "" : "  DOES NOT RECONCILE");
    for (size_t k = 0; k < s->n_money; k++) {
        char a[48], r[48];
        money_to_text(s->money[k].total_accepted, minor_units, a, sizeof a);
        money_to_text(s->money[k].total_rejected, minor_units, r, sizeof r);
        fprintf(out, "%-16s   %s: accepted total %s, rejected total %s\n", "", s->money[k].field, a, r);
    }
    if (s->rounded_amounts)
        fprintf(out, "%-16s   %llu amounts had more decimals than minor_units and were rounded half to even; "
                     "rounding difference %.6f minor units in all\n", "",
                (unsigned long long)s->rounded_amounts, (double)s->rounding_residual / 1e6);
    if (s->multiline_records) {
        fprintf(out, "%-16s   %llu records have quoted fields spanning lines (physical lines %llu), first at lines",
                "", (unsigned long long)s->multiline_records, (unsigned long long)s->physical_lines);
        for (size_t k = 0; k < s->n_multiline_ranges; k++)
            fprintf(out, "%s %ld-%ld", k ? "," : "", s->multiline_ranges[k][0], s->multiline_ranges[k][1]);
        fputc('\n', out);
    }
    if (s->overlong_records)
        fprintf(out, "%-16s   %llu quoted fields spanned more than max_field_lines: their lines are rejected\n",
                "", (unsigned long long)s->overlong_records);
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

#define MAX_SCOPES 16
/* A run writes rejects.csv and every output of render_outputs[], then each
 * scoped one again for each further scope: the run folder must have room for
 * all of them at the most scopes allowed. */
_Static_assert(RUNFOLDER_MAX_OUTPUTS >= 1 + RENDER_OUT_COUNT + RENDER_OUT_SCOPED * (MAX_SCOPES - 1),
               "RUNFOLDER_MAX_OUTPUTS too small for MAX_SCOPES");

typedef struct {
    analyse_t *a[MAX_SCOPES];
    const char *scope[MAX_SCOPES]; /* [0] is NULL: the whole organisation */
    size_t n;
    freshness_t *fresh;            /* sees every accepted row too */
    const config_t *cfg;
} fanout_t;

static ops_status_t fanout_record(void *ctx, const ingest_record_t *rec, ops_error_t *err)
{
    fanout_t *f = ctx;
    if (f->fresh)
        freshness_record(f->fresh, f->cfg, rec);
    for (size_t i = 0; i < f->n; i++) {
        ops_status_t rc = analyse_record(f->a[i], rec, err);
        if (rc != OPS_OK)
            return rc;
    }
    return OPS_OK;
}

/* The whole organisation plus every distinct recipient scope. */
static ops_status_t fanout_new(fanout_t *f, const config_t *cfg, period_t period, ops_error_t *err)
{
    memset(f, 0, sizeof *f);
    f->n = 1;
    for (size_t i = 0; i < cfg->n_recipients; i++) {
        const char *sc = cfg->recipients[i].scope;
        bool seen = false;
        for (size_t j = 1; sc && j < f->n; j++)
            seen |= !strcmp(f->scope[j], sc);
        if (!sc || seen)
            continue;
        if (f->n == MAX_SCOPES)
            return ops_error_set(err, OPS_ERR_CONFIG, cfg->path, cfg->recipients[i].line, "scope",
                                 "at most %d distinct recipient scopes", MAX_SCOPES - 1);
        f->scope[f->n++] = sc;
    }
    for (size_t i = 0; i < f->n; i++) {
        ops_status_t rc = analyse_new(cfg, period, f->scope[i], &f->a[i], err);
        if (rc != OPS_OK)
            return rc;
    }
    return OPS_OK;
}

static void fanout_free(fanout_t *f)
{
    for (size_t i = 0; i < f->n; i++)
        analyse_free(f->a[i]);
    f->n = 0;
}

/* ---- progress on a terminal ------------------------------------------------
 * A long ingest shows one self-overwriting stderr line per input: name, rows,
 * megabytes read and MB/s. Only on a terminal (never in cron mail, journals
 * or pipes), not with -q or JSON logs, and only once the run has taken a
 * second, so short runs look exactly as before. The bytes come from the
 * kernel's count of what this process has read (/proc/self/io rchar): ingest
 * reads nothing else while an input streams, and it needs no hook in ingest. */

typedef struct {
    fanout_t *fan;
    bool on;
    double run_start, input_start, last;
    const char *name;
    uint64_t rows, rchar0, size;
    bool shown;
} progress_t;

static uint64_t progress_rchar(void)
{
    unsigned long long n = 0;
    FILE *fp = fopen("/proc/self/io", "r");
    if (!fp)
        return 0;
    char line[128];
    while (fgets(line, sizeof line, fp))
        if (sscanf(line, "rchar: %llu", &n) == 1)
            break;
    fclose(fp);
    return (uint64_t)n;
}

static void progress_init(progress_t *p, fanout_t *fan, int verbosity)
{
    memset(p, 0, sizeof *p);
    p->fan = fan;
    p->on = verbosity > 0 && !cli_log_is_json() && isatty(STDERR_FILENO);
    p->run_start = now_seconds();
}

static void progress_start(progress_t *p, const input_config_t *in, const char *data_dir)
{
    p->name = in->name;
    p->rows = 0;
    p->size = 0;
    p->input_start = p->last = now_seconds();
    if (!p->on)
        return;
    gchar *path = g_path_is_absolute(in->file) ? g_strdup(in->file) : g_build_filename(data_dir, in->file, NULL);
    GStatBuf sb;
    if (g_stat(path, &sb) == 0)
        p->size = (uint64_t)sb.st_size;
    g_free(path);
    p->rchar0 = progress_rchar();
}

static void progress_show(progress_t *p, double now)
{
    double mb = (double)(progress_rchar() - p->rchar0) / 1e6, secs = now - p->input_start;
    if (p->size && mb > (double)p->size / 1e6)
        mb = (double)p->size / 1e6; /* rchar also counts the read-ahead past the end */
    char of[48] = ""; /* a pipe has no size */
    if (p->size)
        snprintf(of, sizeof of, " of %.1f", (double)p->size / 1e6);
    fprintf(stderr, "\r%s: %llu rows, %.1f%s MB, %.1f MB/s\033[K", p->name, (unsigned long long)p->rows, mb,
            of, secs > 0 ? mb / secs : 0.0);
    p->shown = true;
    p->last = now;
}

static void progress_end(progress_t *p)
{
    if (p->shown)
        fputs("\r\033[K", stderr); /* the log lines that follow start on a clean line */
    p->shown = false;
}

/* The ingest sink: hands the row to every scope, then maybe redraws the line. */
static ops_status_t progress_record(void *ctx, const ingest_record_t *rec, ops_error_t *err)
{
    progress_t *p = ctx;
    ops_status_t rc = fanout_record(p->fan, rec, err);
    p->rows++;
    if (p->on && (p->rows & 4095) == 0) {
        double now = now_seconds();
        if (now - p->run_start >= 1.0 && now - p->last >= 0.25)
            progress_show(p, now);
    }
    return rc;
}

static void warn_unused_kpis(const config_t *cfg, const report_model_t *model)
{
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
}

/* the file name of a whole-organisation output: [output] renames three of them */
static const char *output_file(const config_t *cfg, const render_output_t *out)
{
    switch (out->id) {
    case RENDER_OUT_WORKBOOK: return cfg->xlsx_name;
    case RENDER_OUT_DETAIL: return cfg->detail_name;
    case RENDER_OUT_PDF: return cfg->pdf_name;
    default: return out->file;
    }
}

/* config, ingest, analyse, forecast, then one timer per render group */
_Static_assert(4 + RENDER_TIMER_COUNT <= MANIFEST_MAX_STAGES, "the manifest holds every stage timer");

/* ---- partials (shard.h) ------------------------------------------------------ */

/* run --partial: each input's rejects go to a file of their own, to be kept
 * apart in the partial (merge puts them back in config order). */
static ops_status_t partial_rejects_open(const run_options_t *o, size_t i, rejects_writer_t **w, ops_error_t *err)
{
    char path[4200];
    shard_rejects_path(o->partial_out, i, path, sizeof path);
    return rejects_open(path, w, err);
}

static ops_status_t partial_rejects_close(rejects_writer_t **w, ops_error_t *err)
{
    ops_status_t rc = rejects_close(*w, err);
    *w = NULL;
    return rc;
}

/* merge: the partials stand in for the ingest; rejects.csv gets their rows, and stays open. */
static ops_status_t merge_partials(const run_options_t *o, const config_t *cfg, fanout_t *fan, ingest_stats_t *stats,
                                   freshness_t *fresh, runfolder_t *rf, rejects_writer_t **rejects, ops_error_t *err)
{
    char path[RUNFOLDER_PATH_SIZE];
    ops_status_t rc = rejects_close(*rejects, err); /* its header, as a run writes it */
    *rejects = NULL;
    if (rc != OPS_OK || (rc = runfolder_temp_path(rf, "rejects.csv", path, sizeof path, err)) != OPS_OK)
        return rc;
    if ((rc = shard_merge_all(cfg, o->period, o->partials, (size_t)o->n_partials, fan->a, fan->scope, fan->n,
                              stats, fresh, path, err)) != OPS_OK)
        return rc;
    /* open again after the shards' rows, for the forecast overrides as in a run */
    return rejects_reopen(path, rejects, err);
}

/* ---- parallel ingest (--jobs N) ---------------------------------------------
 * Inputs are read by N threads, a task at a time. A task is a unit of shards
 * (shard_takes: every input alone, except the people kinds, which are read
 * together in config order because their analysis joins them), or, for a
 * large input of a kind whose rows stand alone, one part of its file
 * (ingest_plan_*: N parts) or that file's hash. Each unit and part has its
 * own analyse states (one per scope) and rejects file; afterwards the main
 * thread checks that each part began where the one before it ended (reading
 * it again where not), then merges the states with analyse_merge and appends
 * the rejects in input and part order: rows meet the accumulators in file
 * order, which is exactly what `run --shard` + `merge` does, so the outputs
 * are the same bytes as the serial pass. The freshness gate is shared by the
 * units (a row only touches its own input's entry); parts count in a gate of
 * their own, merged like the states. Tasks start largest first. */

/* A TASK_PLAN finds where the parts of an input that may split begin (a
 * pass counting its lines) and queues them and its hash, or reads the input
 * whole as its unit's TASK_UNIT would; plans run first, beside each other
 * and the units, not one after another before any thread starts. */
typedef enum { TASK_UNIT, TASK_PART, TASK_HASH, TASK_PLAN } task_kind_t;

typedef struct {
    task_kind_t kind;
    size_t unit;             /* TASK_UNIT, TASK_PLAN */
    size_t input, part;      /* TASK_PART, TASK_HASH, TASK_PLAN */
    uint64_t weight;         /* bytes to read, for the order */
} task_t;

typedef struct {
    fanout_t fan;
    freshness_t fresh;
    ops_status_t rc;
    ops_error_t err;
} part_state_t;

typedef struct {
    const run_options_t *o;
    const config_t *cfg;
    freshness_t *fresh;
    ingest_stats_t *stats;
    const char *rej_dir;     /* run folder: hidden per-input rejects; NULL: validate, or --partial's files */
    size_t *unit_of;         /* per input: its unit; SIZE_MAX: not read (another shard) */
    size_t n_units;
    fanout_t *fans;          /* per unit (empty for an input read in parts) */
    ops_status_t *rc;        /* per input */
    ops_error_t *errs;       /* per input */
    ingest_plan_t **plans;   /* per input: its parts, NULL: read whole */
    part_state_t **parts;    /* per input with a plan: one per part */
    ops_status_t *hash_rc;   /* per input with a plan */
    ops_error_t *hash_errs;
    task_t *tasks;
    size_t n_tasks;          /* under lock once the threads run (a plan adds tasks) */
    size_t plans_pending;    /* TASK_PLANs not finished, under lock */
    pthread_cond_t more;     /* tasks added or the last plan finished */
    int jobs;
    bool slicing;            /* run --partial --shard K/N, N > 1: large inputs in N slices */
    bool *sliced;            /* per input: read in slices (shard.h), filled here */
    shard_piece_t *pieces;   /* per input: what this shard read, filled here; may be NULL */
    pthread_mutex_t lock;
    size_t next_task;        /* under lock */
    size_t first_failed;     /* lowest failed input index, under lock; SIZE_MAX: none */
} jobs_t;

static void jobs_rejects_path(const jobs_t *j, size_t i, char *buf, size_t size)
{
    if (j->o->partial_out)
        shard_rejects_path(j->o->partial_out, i, buf, size);
    else if (j->rej_dir)
        snprintf(buf, size, "%s/.rejects-input-%zu.tmp", j->rej_dir, i);
    else
        buf[0] = '\0'; /* validate: no rejects file */
}

/* Part k's rejects, appended to the input's in part order. */
static void jobs_part_rejects_path(const jobs_t *j, size_t i, size_t k, char *buf, size_t size)
{
    char input[RUNFOLDER_PATH_SIZE + 64];
    jobs_rejects_path(j, i, input, sizeof input);
    if (input[0])
        snprintf(buf, size, "%s.part-%zu", input, k);
    else
        buf[0] = '\0';
}

static ops_status_t jobs_read_input(jobs_t *j, fanout_t *fan, size_t i, ops_error_t *err)
{
    char path[RUNFOLDER_PATH_SIZE + 64];
    rejects_writer_t *w = NULL;
    jobs_rejects_path(j, i, path, sizeof path);
    if (path[0] && rejects_open(path, &w, err) != OPS_OK)
        return err->status;
    ops_status_t rc = ingest_input(&j->cfg->inputs[i], j->o->data_dir, j->cfg->minor_units, w, fanout_record, fan,
                                   &j->stats[i], err);
    ops_status_t crc = rejects_close(w, rc == OPS_OK ? err : NULL);
    return rc != OPS_OK ? rc : crc;
}

/* Part k of input i into its own states, afresh (a part read again starts over). */
static ops_status_t jobs_read_part(jobs_t *j, size_t i, size_t k)
{
    part_state_t *ps = &j->parts[i][k];
    char path[RUNFOLDER_PATH_SIZE + 96];
    rejects_writer_t *w = NULL;
    fanout_free(&ps->fan);
    freshness_free(&ps->fresh);
    if ((ps->rc = fanout_new(&ps->fan, j->cfg, j->o->period, &ps->err)) != OPS_OK ||
        (ps->rc = freshness_init(&ps->fresh, j->cfg, j->o->period, &ps->err)) != OPS_OK)
        return ps->rc;
    ps->fan.fresh = &ps->fresh;
    ps->fan.cfg = j->cfg;
    /* a shard's slice: its start made certain first (the slices before it
     * are other shards') */
    if (j->slicing && (ps->rc = ingest_plan_settle(j->plans[i], k, &ps->err)) != OPS_OK)
        return ps->rc;
    jobs_part_rejects_path(j, i, k, path, sizeof path);
    if (path[0] && (ps->rc = rejects_open(path, &w, &ps->err)) != OPS_OK)
        return ps->rc;
    ops_status_t rc = ingest_plan_read(j->plans[i], k, w, fanout_record, &ps->fan, &ps->err);
    ops_status_t crc = rejects_close(w, rc == OPS_OK ? &ps->err : NULL);
    return ps->rc = rc != OPS_OK ? rc : crc;
}

static int task_cmp(const void *a, const void *b)
{
    const task_t *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    if (x->input != y->input)
        return x->input < y->input ? -1 : 1;
    return x->part < y->part ? -1 : x->part > y->part;
}

static uint64_t file_bytes(const run_options_t *o, const input_config_t *in)
{
    char path[2048];
    struct stat sb;
    if (in->file[0] == '/' || !o->data_dir)
        snprintf(path, sizeof path, "%s", in->file);
    else
        snprintf(path, sizeof path, "%s/%s", o->data_dir, in->file);
    return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

static void jobs_fail(jobs_t *j, size_t i)
{
    pthread_mutex_lock(&j->lock);
    if (i < j->first_failed)
        j->first_failed = i;
    pthread_mutex_unlock(&j->lock);
}

/* The inputs of unit u, one after another into its states. */
static void jobs_run_unit(jobs_t *j, size_t u, size_t failed)
{
    for (size_t i = 0; i < j->cfg->n_inputs; i++) {
        if (j->unit_of[i] != u)
            continue;
        if (i > failed) /* the serial pass would have stopped before it */
            break;
        if ((j->rc[i] = jobs_read_input(j, &j->fans[u], i, &j->errs[i])) != OPS_OK) {
            jobs_fail(j, i);
            break;
        }
    }
}

/* TASK_PLAN: input i's parts and hash queued (the tasks not yet taken
 * sorted again, largest first), or, when it does not split after all, the
 * input read whole as unit u. */
static void jobs_plan(jobs_t *j, size_t u, size_t i, size_t failed)
{
    ingest_plan_t *plan = NULL;
    part_state_t *parts = NULL;
    ops_status_t rc = ingest_plan_new(&j->cfg->inputs[i], j->o->data_dir, j->cfg->minor_units, (size_t)j->jobs * 3,
                                      &plan, &j->errs[i]);
    size_t n = ingest_plan_parts(plan);
    if (rc == OPS_OK && n && !(parts = calloc(n, sizeof *parts)))
        rc = ops_error_set(&j->errs[i], OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    if (rc != OPS_OK) {
        ingest_plan_free(plan);
        j->rc[i] = rc;
        jobs_fail(j, i);
    } else if (!n) {
        jobs_run_unit(j, u, failed);
    }
    pthread_mutex_lock(&j->lock);
    if (rc == OPS_OK && n) {
        j->plans[i] = plan;
        j->parts[i] = parts;
        uint64_t bytes = file_bytes(j->o, &j->cfg->inputs[i]);
        for (size_t k = 0; k < n; k++)
            j->tasks[j->n_tasks++] = (task_t){ TASK_PART, u, i, k, bytes / n };
        /* hashing runs several times faster than parsing: weigh it so */
        j->tasks[j->n_tasks++] = (task_t){ TASK_HASH, u, i, SIZE_MAX, bytes / 8 };
        qsort(j->tasks + j->next_task, j->n_tasks - j->next_task, sizeof *j->tasks, task_cmp);
    }
    j->plans_pending--;
    pthread_cond_broadcast(&j->more);
    pthread_mutex_unlock(&j->lock);
}

static void *jobs_worker(void *data)
{
    jobs_t *j = data;
    for (;;) {
        pthread_mutex_lock(&j->lock);
        /* none left, but a plan still running may add some */
        while (j->next_task >= j->n_tasks && j->plans_pending)
            pthread_cond_wait(&j->more, &j->lock);
        size_t t = j->next_task++;
        size_t failed = j->first_failed;
        task_t task = t < j->n_tasks ? j->tasks[t] : (task_t){ 0 };
        bool done = t >= j->n_tasks;
        pthread_mutex_unlock(&j->lock);
        if (done)
            return NULL;
        if (task.kind == TASK_PART)
            jobs_read_part(j, task.input, task.part);
        else if (task.kind == TASK_HASH)
            j->hash_rc[task.input] = ingest_plan_hash(j->plans[task.input], &j->hash_errs[task.input]);
        else if (task.kind == TASK_PLAN)
            jobs_plan(j, task.unit, task.input, failed);
        else
            jobs_run_unit(j, task.unit, failed);
    }
}


/* Moves src's states into dst and frees them, so memory holds each unit's
 * or part's states only until it is taken. Into an empty dst (nothing taken
 * yet: fan_empty) they are swapped in, not copied: a merge into nothing is
 * the same state, without a second copy of a large GL table at the peak. */
static ops_status_t fan_take(fanout_t *dst, fanout_t *src, bool *fan_empty, ops_error_t *err)
{
    ops_status_t rc = OPS_OK;
    for (size_t sc = 0; sc < dst->n && rc == OPS_OK; sc++) {
        if (*fan_empty) {
            analyse_t *t = dst->a[sc];
            dst->a[sc] = src->a[sc];
            src->a[sc] = t;
        } else { /* src is freed below: its contents may move */
            rc = analyse_absorb(dst->a[sc], src->a[sc], err);
        }
    }
    *fan_empty = false;
    fanout_free(src);
    return rc;
}

/* Input i, read in parts, into fan, stats[i], fresh and rejects: parts not
 * joined to the one before are read again here, then everything is taken in
 * part order. */
static ops_status_t jobs_merge_parts(jobs_t *j, size_t i, fanout_t *fan, bool *fan_empty, rejects_writer_t *rejects,
                                     ops_error_t *err)
{
    ingest_plan_t *plan = j->plans[i];
    size_t n = ingest_plan_parts(plan), again = 0, from = 0;
    ops_status_t rc = OPS_OK;
    rejects_writer_t *own = NULL;
    if (j->slicing) { /* this shard's slice only: its start was settled */
        from = (size_t)j->o->shard_k - 1;
        if (j->parts[i][from].rc != OPS_OK) {
            *err = j->parts[i][from].err;
            return j->parts[i][from].rc;
        }
        if (!from && j->hash_rc[i] != OPS_OK) {
            *err = j->hash_errs[i];
            return j->hash_rc[i];
        }
        shard_piece_t *pc = &j->pieces[i];
        ingest_plan_part(plan, from, &j->stats[i], &pc->span);
        pc->taken = 2;
        pc->slice = (uint32_t)from;
        pc->n_slices = (uint32_t)n;
        log_msg(2, "%s: read slice %zu of %zu, bytes %lld-%lld", j->cfg->inputs[i].name, from + 1, n,
                (long long)pc->span.start, (long long)pc->span.end);
        goto take;
    }
    for (size_t k = 0; k < n; k++) {
        if (k > 0 && !ingest_plan_joined(plan, k)) {
            jobs_read_part(j, i, k);
            again++;
        }
        if (j->parts[i][k].rc != OPS_OK) {
            *err = j->parts[i][k].err;
            return j->parts[i][k].rc;
        }
    }
    if (j->hash_rc[i] != OPS_OK) {
        *err = j->hash_errs[i];
        return j->hash_rc[i];
    }
    if ((rc = ingest_plan_finish(plan, &j->stats[i], err)) != OPS_OK)
        return rc;
    log_msg(2, "%s: read in %zu parts, %zu read again (began inside a quoted field)", j->cfg->inputs[i].name, n,
            again);
take:
    if (j->o->partial_out) { /* the shard's rejects file of the input, as a whole read writes it */
        char path[RUNFOLDER_PATH_SIZE + 64];
        jobs_rejects_path(j, i, path, sizeof path);
        if ((rc = rejects_open(path, &own, err)) != OPS_OK)
            return rc;
        rejects = own;
    }
    for (size_t k = from; k < (j->slicing ? from + 1 : n) && rc == OPS_OK; k++) {
        char path[RUNFOLDER_PATH_SIZE + 96];
        jobs_part_rejects_path(j, i, k, path, sizeof path);
        if (rejects && path[0] && (rc = rejects_append_file(rejects, path, err)) != OPS_OK)
            break;
        freshness_merge_input(&fan->fresh->inputs[i], &j->parts[i][k].fresh.inputs[i]);
        if (rc == OPS_OK)
            rc = fan_take(fan, &j->parts[i][k].fan, fan_empty, err);
    }
    if (own) {
        ops_status_t crc = rejects_close(own, rc == OPS_OK ? err : NULL);
        if (rc == OPS_OK)
            rc = crc;
    }
    return rc;
}

/* Reads the inputs o->jobs at a time into fan, stats and fresh; appends their
 * rejects rows to rejects (NULL: none kept) in input order. On failure err is
 * the error of the lowest input that failed, as the serial pass reports it. */
static ops_status_t ingest_parallel(const run_options_t *o, const config_t *cfg, int jobs, fanout_t *fan,
                                    freshness_t *fresh, ingest_stats_t *stats, const char *rej_dir,
                                    rejects_writer_t *rejects, bool *sliced, shard_piece_t *pieces,
                                    ops_error_t *err)
{
    size_t n = cfg->n_inputs;
    jobs_t j = { .o = o, .cfg = cfg, .fresh = fresh, .stats = stats, .rej_dir = rej_dir,
                 .first_failed = SIZE_MAX, .sliced = sliced, .pieces = pieces,
                 .slicing = o->partial_out && o->shard_n > 1 && pieces };
    pthread_t *threads = NULL;
    ops_status_t rc = OPS_OK;
    j.jobs = jobs;
    pthread_mutex_init(&j.lock, NULL);
    pthread_cond_init(&j.more, NULL);
    j.unit_of = calloc(n ? n : 1, sizeof *j.unit_of);
    j.rc = calloc(n ? n : 1, sizeof *j.rc);
    j.errs = calloc(n ? n : 1, sizeof *j.errs);
    j.fans = calloc(n ? n : 1, sizeof *j.fans);
    j.plans = calloc(n ? n : 1, sizeof *j.plans);
    j.parts = calloc(n ? n : 1, sizeof *j.parts);
    j.hash_rc = calloc(n ? n : 1, sizeof *j.hash_rc);
    j.hash_errs = calloc(n ? n : 1, sizeof *j.hash_errs);
    j.tasks = calloc(n ? n : 1, sizeof *j.tasks);
    threads = calloc((size_t)jobs, sizeof *threads);
    if (!j.unit_of || !j.rc || !j.errs || !j.fans || !j.plans || !j.parts || !j.hash_rc || !j.hash_errs ||
        !j.tasks || !threads) {
        rc = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto cleanup;
    }
    /* a shard reads its slice of each input that splits in N (shard.h) */
    for (size_t i = 0; j.slicing && i < n; i++) {
        input_kind_t kind = cfg->inputs[i].schema->kind;
        if (kind == KIND_EMPLOYEES || kind == KIND_TRAINING || kind == KIND_TIMESHEETS)
            continue; /* read with their unit */
        if ((rc = ingest_plan_new(&cfg->inputs[i], o->data_dir, cfg->minor_units, (size_t)o->shard_n, &j.plans[i],
                                  err)) != OPS_OK)
            goto cleanup;
        size_t parts = ingest_plan_parts(j.plans[i]);
        sliced[i] = parts >= 2;
        if (!sliced[i] || (size_t)o->shard_k > parts) { /* no slice for this shard */
            ingest_plan_free(j.plans[i]);
            j.plans[i] = NULL;
            j.unit_of[i] = SIZE_MAX;
        }
    }
    /* units as shards deal them: the shard of n_inputs that takes input i */
    for (size_t i = 0; i < n; i++) {
        j.unit_of[i] = SIZE_MAX;
        if (j.plans[i]) { /* this shard's slice: a task of its own, below */
            uint64_t bytes = file_bytes(o, &cfg->inputs[i]);
            size_t parts = ingest_plan_parts(j.plans[i]), k = (size_t)o->shard_k - 1;
            j.parts[i] = calloc(parts, sizeof *j.parts[i]);
            task_t *grown = realloc(j.tasks, (j.n_tasks + n + 2) * sizeof *grown);
            if (grown)
                j.tasks = grown;
            if (!grown || !j.parts[i]) {
                rc = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
                goto cleanup;
            }
            j.unit_of[i] = SIZE_MAX - 1; /* read, but by no unit */
            j.tasks[j.n_tasks++] = (task_t){ TASK_PART, SIZE_MAX, i, k, bytes / parts };
            if (!k) /* slice 0's shard hashes the file */
                j.tasks[j.n_tasks++] = (task_t){ TASK_HASH, SIZE_MAX, i, SIZE_MAX, bytes / 8 };
            continue;
        }
        if (!shard_takes(cfg, sliced, i, o->shard_k, o->shard_n))
            continue;
        int k = 1;
        while (k < (int)n && !shard_takes(cfg, sliced, i, k, (int)n))
            k++;
        size_t u = j.n_units;
        for (size_t p = 0; p < i; p++) /* a people input joins its unit */
            if (j.unit_of[p] < SIZE_MAX - 1 && shard_takes(cfg, sliced, p, k, (int)n))
                u = j.unit_of[p];
        if (u == j.n_units)
            j.n_units++;
        j.unit_of[i] = u;
    }
    /* tasks: a unit of one input that splits gives its parts and its hash */
    for (size_t u = 0; u < j.n_units; u++) {
        size_t first = SIZE_MAX, count = 0;
        uint64_t bytes = 0;
        for (size_t i = 0; i < n; i++)
            if (j.unit_of[i] == u) {
                if (first == SIZE_MAX)
                    first = i;
                count++;
                bytes += file_bytes(o, &cfg->inputs[i]);
            }
        if ((rc = fanout_new(&j.fans[u], cfg, o->period, err)) != OPS_OK)
            goto cleanup;
        j.fans[u].fresh = fresh;
        j.fans[u].cfg = cfg;
        /* an input alone in its unit that may split is planned first (the
         * weight puts plans ahead, the largest first); its parts are three
         * per thread: a part's cost follows its rows, not its bytes (the
         * period's rows at a file's end feed the detail and the SPC charts),
         * and smaller parts at the end of the queue let the threads finish
         * together; each more part is one more merge */
        if (count == 1 && !j.slicing && ingest_splits(&cfg->inputs[first], o->data_dir)) {
            j.tasks[j.n_tasks++] = (task_t){ TASK_PLAN, u, first, 0, UINT64_MAX / 2 + bytes };
            j.plans_pending++;
        } else {
            j.tasks[j.n_tasks++] = (task_t){ TASK_UNIT, u, first, 0, bytes };
        }
    }
    /* room for what the plans add: up to 3 parts per thread and a hash each */
    size_t room = j.n_tasks + j.plans_pending * ((size_t)jobs * 3 + 1);
    task_t *grown = realloc(j.tasks, (room ? room : 1) * sizeof *grown);
    if (!grown) {
        rc = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto cleanup;
    }
    j.tasks = grown;
    qsort(j.tasks, j.n_tasks, sizeof *j.tasks, task_cmp);
    if ((size_t)jobs > room)
        jobs = (int)(room ? room : 1);
    int started = 0;
    for (; started < jobs; started++)
        if (pthread_create(&threads[started], NULL, jobs_worker, &j) != 0)
            break;
    if (!started) /* no thread to be had: read them here */
        jobs_worker(&j);
    for (int t = 0; t < started; t++)
        pthread_join(threads[t], NULL);

    bool fan_empty = true; /* fan is new: nothing merged into it yet */
    for (size_t i = 0; i < n; i++) {
        if (j.unit_of[i] == SIZE_MAX)
            continue;
        if (j.plans[i]) { /* in parts, or this shard's slice */
            if ((rc = jobs_merge_parts(&j, i, fan, &fan_empty, rejects, err)) != OPS_OK)
                goto cleanup;
            ops_fault_point("ingest");
            continue;
        }
        if (j.rc[i] != OPS_OK) {
            *err = j.errs[i];
            rc = j.rc[i];
            goto cleanup;
        }
        char path[RUNFOLDER_PATH_SIZE + 64];
        jobs_rejects_path(&j, i, path, sizeof path);
        if (rejects && (rc = rejects_append_file(rejects, path, err)) != OPS_OK)
            goto cleanup;
        /* a unit's states go in at its first input, as its shard would */
        size_t u = j.unit_of[i];
        bool first = true;
        for (size_t p = 0; p < i; p++)
            first &= j.unit_of[p] != u;
        if (first && (rc = fan_take(fan, &j.fans[u], &fan_empty, err)) != OPS_OK)
            goto cleanup;
        ops_fault_point("ingest");
    }

cleanup:
    for (size_t i = 0; j.unit_of && i < n; i++) {
        char path[RUNFOLDER_PATH_SIZE + 96];
        if (rej_dir && !o->partial_out && !j.plans[i]) {
            jobs_rejects_path(&j, i, path, sizeof path);
            unlink(path);
        }
        for (size_t k = 0; j.plans && j.plans[i] && k < ingest_plan_parts(j.plans[i]); k++) {
            jobs_part_rejects_path(&j, i, k, path, sizeof path);
            if (path[0])
                unlink(path);
            if (j.parts[i]) {
                fanout_free(&j.parts[i][k].fan);
                freshness_free(&j.parts[i][k].fresh);
            }
        }
        if (j.parts)
            free(j.parts[i]);
        if (j.plans)
            ingest_plan_free(j.plans[i]);
    }
    for (size_t u = 0; j.fans && u < j.n_units; u++)
        fanout_free(&j.fans[u]);
    pthread_cond_destroy(&j.more);
    pthread_mutex_destroy(&j.lock);
    free(threads);
    free(j.tasks);
    free(j.hash_errs);
    free(j.hash_rc);
    free(j.parts);
    free(j.plans);
    free(j.fans);
    free(j.errs);
    free(j.rc);
    free(j.unit_of);
    return rc;
}

/* ---- parallel render (--jobs N) ---------------------------------------------
 * The outputs of a scope render in N threads, an output at a time. Their temp
 * paths are reserved first, one after another in registry order, so the run
 * folder lists them (and the manifest names them) as the serial loop does.
 * The renderers share only the model, which they read. The main thread then
 * walks the outputs in registry order: the first that failed is the error the
 * serial loop would report, and the render_KEY fault points fire in that
 * order, so a kill at one leaves the run folder as before (temps only).
 * An output marked before_forecast (detail.xlsx: the period's GL lines, the
 * longest render of a large month) starts in a thread of its own as soon as
 * the model's GL part is done (analyse_finish_ready) and renders while the
 * areas finish and the forecast runs, which write only model fields it does
 * not read (render.h).
 * Audited for threads: our render code keeps no static mutable state (the
 * workbook's ranking goes through qsort_r); libharu keeps its state and error
 * handler per document; libxlsxwriter 1.1.4 dates docProps with gmtime(),
 * given a buffer per thread in xlsx.c, and names its temp files with a
 * static seed and srand/rand (tmpfileplus): a clash of two threads' names
 * fails O_EXCL and is retried with the next seed, never a shared file. */

typedef struct {
    const report_model_t *model;
    const render_info_t *info;
    size_t n;                                       /* outputs reserved */
    const render_output_t *out[RENDER_OUT_COUNT];   /* in registry order */
    char name[RENDER_OUT_COUNT][RUNFOLDER_NAME_SIZE];
    char path[RENDER_OUT_COUNT][RUNFOLDER_PATH_SIZE];
    ops_status_t rc[RENDER_OUT_COUNT];
    ops_error_t errs[RENDER_OUT_COUNT];
    double seconds[RENDER_OUT_COUNT];               /* each render's own wall time */
    ops_status_t reserve_rc;                        /* the first output that could not be reserved */
    ops_error_t reserve_err;
    pthread_mutex_t lock;
    size_t next[2];                                 /* under lock: per stage, 0 early, 1 the rest */
    bool early_running;                             /* a thread renders the early outputs */
    pthread_t early;
} render_jobs_t;

static int render_stage(const render_jobs_t *r, size_t i) { return r->out[i]->before_forecast ? 0 : 1; }

/* Renders the outputs of one stage until none is left. */
static void render_take(render_jobs_t *r, int stage)
{
    for (;;) {
        pthread_mutex_lock(&r->lock);
        while (r->next[stage] < r->n && render_stage(r, r->next[stage]) != stage)
            r->next[stage]++;
        size_t i = r->next[stage]++;
        pthread_mutex_unlock(&r->lock);
        if (i >= r->n)
            return;
        double t = now_seconds();
        r->rc[i] = r->out[i]->render(r->model, r->info, r->path[i], &r->errs[i]);
        r->seconds[i] = now_seconds() - t;
    }
}

static void *render_worker_early(void *data)
{
    render_take(data, 0);
    return NULL;
}

static void *render_worker(void *data)
{
    render_take(data, 1);
    return NULL;
}

/* Reserves the temp paths of one scope's wanted outputs (slug NULL: the
 * whole organisation) in registry order and, with jobs > 1, starts the early
 * ones in a thread of their own. *out is the caller's, ended by
 * render_parallel or render_abandon. */
static ops_status_t render_begin(const config_t *cfg, runfolder_t *rf, const report_model_t *model,
                                 const render_info_t *info, const char *slug, int jobs, render_jobs_t **out,
                                 ops_error_t *err)
{
    render_jobs_t *r = calloc(1, sizeof *r); /* ~38 KB of names, paths and errors: not on the stack */
    *out = r;
    if (!r)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    r->model = model;
    r->info = info;
    pthread_mutex_init(&r->lock, NULL);
    bool early = false;
    for (size_t k = 0; k < RENDER_OUT_COUNT; k++) {
        const render_output_t *o = &render_outputs[k];
        char *name = r->name[r->n];
        if ((slug && !o->scoped) || (o->wanted && !o->wanted(model)))
            continue;
        if (!slug)
            snprintf(name, RUNFOLDER_NAME_SIZE, "%s", output_file(cfg, o));
        else
            snprintf(name, RUNFOLDER_NAME_SIZE, o->scoped, slug);
        /* the serial loop renders the outputs before one it cannot reserve, then stops */
        if ((r->reserve_rc = runfolder_temp_path(rf, name, r->path[r->n], sizeof r->path[r->n], &r->reserve_err)) !=
            OPS_OK)
            break;
        early = early || o->before_forecast;
        r->out[r->n++] = o;
    }
    /* a thread that cannot start leaves its outputs to render_parallel */
    if (early && jobs > 1)
        r->early_running = pthread_create(&r->early, NULL, render_worker_early, r) == 0;
    return OPS_OK;
}

/* Waits for the early renders and frees r, after a failure elsewhere. */
static void render_abandon(render_jobs_t *r)
{
    if (!r)
        return;
    if (r->early_running)
        pthread_join(r->early, NULL);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

/* analyse_ready_t of run --jobs N: the model's GL part is done, render_begin. */
typedef struct {
    const config_t *cfg;
    runfolder_t *rf;
    const render_info_t *info;
    const char *slug;
    int jobs;
    render_jobs_t **renders;
} early_render_t;

static ops_status_t early_ready(void *ctx, const report_model_t *m, ops_error_t *err)
{
    early_render_t *e = ctx;
    return render_begin(e->cfg, e->rf, m, e->info, e->slug, e->jobs, e->renders, err);
}

static void early_cancel(void *ctx)
{
    early_render_t *e = ctx;
    render_abandon(*e->renders);
    *e->renders = NULL;
}

/* Renders the rest of r's outputs in up to jobs threads (the early thread
 * counts as one while it runs), waits for all, adds each render's time to
 * t_render and frees r. On failure err is the error of the first output in
 * registry order that could not be reserved or rendered, as the serial loop
 * reports it. */
static ops_status_t render_parallel(render_jobs_t *r, int jobs, double t_render[RENDER_TIMER_COUNT],
                                    ops_error_t *err)
{
    ops_status_t rc = OPS_OK;
    int extra = jobs - 1 - (r->early_running ? 1 : 0);
    if (extra > (int)r->n)
        extra = (int)r->n;
    /* this thread is one of the jobs: it takes outputs too, all of them when
     * no other thread could start */
    pthread_t threads[RENDER_OUT_COUNT];
    int started = 0;
    for (; started < extra; started++)
        if (pthread_create(&threads[started], NULL, render_worker, r) != 0)
            break;
    render_take(r, 1);
    if (!r->early_running)
        render_take(r, 0);
    for (int t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    if (r->early_running)
        pthread_join(r->early, NULL);
    r->early_running = false;

    for (size_t i = 0; i < r->n; i++) {
        if (r->rc[i] != OPS_OK) {
            *err = r->errs[i];
            rc = r->rc[i];
            goto cleanup;
        }
        char point[32];
        snprintf(point, sizeof point, "render_%s", r->out[i]->key);
        ops_fault_point(point);
        t_render[r->out[i]->timer] += r->seconds[i];
        log_msg(2, "%s: rendered in %.2f s", r->name[i], r->seconds[i]);
    }
    if (r->reserve_rc != OPS_OK) {
        *err = r->reserve_err;
        rc = r->reserve_rc;
    }
cleanup:
    render_abandon(r);
    return rc;
}

static int run_pipeline(const run_options_t *o, bool validate_only)
{
    ops_error_t err = { 0 };
    config_t *cfg = NULL;
    fanout_t fan = { 0 };
    report_model_t *model = NULL;
    render_jobs_t *renders = NULL; /* a scope's outputs, begun before its forecast (--jobs N) */
    ingest_stats_t *stats = NULL;
    bool *sliced = NULL;           /* per input: read in slices by shards */
    shard_piece_t *pieces = NULL;  /* per input: what this run read of it */
    rejects_writer_t *rejects = NULL;
    runfolder_t rf = { .lock_fd = -1 };
    bool rf_open = false;
    int exit_code = OPS_EXIT_OK;
    manifest_t man = { 0 };
    model_archive_t archive = { 0 };
    progress_t progress;
    freshness_t fresh = { 0 };
    bool held = false;
    char period[8], run_id[64] = "", out_dir[1024], templates[sizeof ((template_places_t *)0)->dir[0]] = "";
    period_format(o->period, period);
    double t = now_seconds();

    if (config_load(o->config_path, &cfg, &err) != OPS_OK)
        goto fail;
    ops_fault_point("config");
    man.stages[man.n_stages].name = "config";
    man.stages[man.n_stages++].seconds = now_seconds() - t;
    log_msg(2, "config %s (sha256 %.12s), period %s", cfg->path, cfg->sha256, period);
    cli_out_dir(o->out_dir, cfg, out_dir, sizeof out_dir);
    if (!validate_only && !o->partial_out) {
        /* before any input is read: a run that cannot word its report stops at once */
        template_places_t places;
        template_places(&places, o->templates_dir, cfg->templates_dir, cfg->path, NULL);
        if (template_places_find(&places, templates, sizeof templates, &err) != OPS_OK)
            goto fail;
        if (o->templates_dir && strcmp(templates, places.dir[0]))
            log_msg(1, "warning: --templates %s lacks a template file; using %s", o->templates_dir,
                    templates);
        else if (!o->templates_dir && cfg->templates_dir && strcmp(templates, places.dir[0]))
            log_msg(1, "warning: [report] templates_dir %s lacks a template file; using %s",
                    places.dir[0], templates);
        log_msg(2, "templates from %s", templates);
    }

    stats = calloc(cfg->n_inputs ? cfg->n_inputs : 1, sizeof *stats);
    sliced = calloc(cfg->n_inputs ? cfg->n_inputs : 1, sizeof *sliced);
    pieces = calloc(cfg->n_inputs ? cfg->n_inputs : 1, sizeof *pieces);
    if (!stats || !sliced || !pieces) {
        ops_error_set(&err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    if (!validate_only && !o->partial_out) {
        if (runfolder_open(&rf, out_dir, period, &err) != OPS_OK)
            goto fail;
        rf_open = true;
        ops_fault_point("locked");
        char path[RUNFOLDER_PATH_SIZE];
        if (runfolder_temp_path(&rf, "rejects.csv", path, sizeof path, &err) != OPS_OK ||
            rejects_open(path, &rejects, &err) != OPS_OK)
            goto fail;
    }
    if (fanout_new(&fan, cfg, o->period, &err) != OPS_OK ||
        freshness_init(&fresh, cfg, o->period, &err) != OPS_OK)
        goto fail;
    fan.fresh = &fresh;
    fan.cfg = cfg;

    t = now_seconds();
    progress_init(&progress, &fan, o->verbosity);
    if (o->n_partials && merge_partials(o, cfg, &fan, stats, &fresh, &rf, &rejects, &err) != OPS_OK)
        goto fail;
    int jobs = o->jobs ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
    bool slicing = o->partial_out && o->shard_n > 1; /* large inputs in slices: shard.h */
    /* threads for several inputs, or for one that splits; else one after
     * another, with the progress line */
    bool parallel = slicing || (jobs > 1 && (cfg->n_inputs > 1 ||
                                             (cfg->n_inputs == 1 && ingest_splits(&cfg->inputs[0], o->data_dir))));
    if (parallel && !o->n_partials &&
        ingest_parallel(o, cfg, jobs, &fan, &fresh, stats, rf_open ? rf.dir : NULL, rejects, sliced, pieces,
                        &err) != OPS_OK)
        goto fail;
    for (size_t i = 0; i < cfg->n_inputs && !o->n_partials; i++) {
        if (!sliced[i])
            pieces[i].taken = shard_takes(cfg, sliced, i, o->shard_k, o->shard_n);
        if (!pieces[i].taken)
            continue;
        if (!parallel) { /* --jobs 1: one after another, with the progress line */
            if (o->partial_out && partial_rejects_open(o, i, &rejects, &err) != OPS_OK)
                goto fail;
            progress_start(&progress, &cfg->inputs[i], o->data_dir);
            ops_status_t irc = ingest_input(&cfg->inputs[i], o->data_dir, cfg->minor_units, rejects,
                                            progress_record, &progress, &stats[i], &err);
            progress_end(&progress);
            if (irc != OPS_OK || (o->partial_out && partial_rejects_close(&rejects, &err) != OPS_OK))
                goto fail;
            ops_fault_point("ingest");
        }
        if (stats[i].invalid_bytes) /* never silent: text with U+FFFD in it is not what the export said */
            log_msg(0, "warning: %s: %llu byte%s not valid %s text%s; check [input.%s] encoding", stats[i].path,
                    (unsigned long long)stats[i].invalid_bytes, stats[i].invalid_bytes == 1 ? "" : "s",
                    cfg->inputs[i].encoding ? cfg->inputs[i].encoding : "UTF-8",
                    cfg->inputs[i].encoding ? ", read as U+FFFD" : " (their rows are rejected)",
                    cfg->inputs[i].name);
        log_msg(2, "%s: %llu rows read, %llu accepted, %llu rejected in %.2f s", stats[i].name,
                (unsigned long long)stats[i].rows_read, (unsigned long long)stats[i].rows_accepted,
                (unsigned long long)stats[i].rows_rejected, stats[i].seconds);
    }
    man.stages[man.n_stages].name = "ingest";
    man.stages[man.n_stages++].seconds = now_seconds() - t;
    if (o->partial_out) { /* each input's rejects were closed with it */
        if (shard_write(o->partial_out, cfg, o->period, o->shard_k, o->shard_n, fan.a, fan.n, pieces, stats, &fresh,
                        &err) != OPS_OK)
            goto fail;
        log_msg(1, "%s: wrote the partial state %s", period, o->partial_out);
        goto cleanup;
    }
    /* the rejects file stays open for the forecast overrides (closed before commit) */
    make_run_id(cfg, stats, cfg->n_inputs, period, run_id, sizeof run_id);
    freshness_finish(&fresh, stats);
    man.freshness = &fresh;
    char dq[MODEL_MAX_DQ_FINDINGS][FRESHNESS_TEXT];
    size_t n_dq = freshness_findings(&fresh, dq, MODEL_MAX_DQ_FINDINGS);
    for (size_t i = 0; i < n_dq; i++)
        log_msg(validate_only ? 1 : 0, "warning: %s", dq[i]);

    if (validate_only) {
        rejects_close(rejects, NULL);
        rejects = NULL;
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
        ops_status_t crc = rejects_close(rejects, &err);
        rejects = NULL;
        if (crc != OPS_OK || runfolder_commit(&rf, &err) != OPS_OK)
            goto fail;
        man.status = "rejects_over_threshold";
        exit_code = OPS_EXIT_REJECTS;
        goto write_manifest;
    }

    render_info_t info = { OPSREPORT_VERSION, cfg->path, cfg->sha256, run_id, cfg->paper_letter,
                           templates, cfg->detail_max_rows };
    double t_analyse = 0, t_forecast = 0, t_render[RENDER_TIMER_COUNT] = { 0 };
    for (size_t sc = 0; sc < fan.n; sc++) {
        char slug[100] = "";
        if (sc > 0)
            scope_slug(fan.scope[sc], slug, sizeof slug);
        t = now_seconds();
        /* --jobs N: the outputs that need neither the areas nor the forecast
         * (detail.xlsx) start rendering once the model's GL part is done */
        early_render_t early = { cfg, &rf, &info, sc ? slug : NULL, jobs, &renders };
        analyse_ready_t ready = { early_ready, early_cancel, &early };
        if (analyse_finish_ready(fan.a[sc], stats, cfg->n_inputs, jobs > 1 ? &ready : NULL, &model, &err) != OPS_OK)
            goto fail;
        /* the model owns what the reports need: the accumulators (a large GL
         * table among them) go before the renderers' memory comes */
        analyse_free(fan.a[sc]);
        fan.a[sc] = NULL;
        ops_fault_point("analyse");
        for (size_t i = 0; i < n_dq; i++)
            snprintf(model->dq_findings[i], sizeof model->dq_findings[i], "%s", dq[i]);
        model->n_dq_findings = n_dq;
        t_analyse += now_seconds() - t;
        t = now_seconds();
        outlook_context_t octx = { out_dir, o->data_dir, templates, rejects };
        if (outlook_run_ctx(cfg, model, sc == 0 ? &octx : NULL, &err) != OPS_OK)
            goto fail;
        ops_fault_point("forecast");
        if (sc == 0) { /* the review's archive for the log and manifest */
            char line[700];
            archive = model->review.archive;
            log_msg(review_log_line(&model->review, line, sizeof line), "%s", line);
        }
        model_apply_targets(model, cfg); /* the outlook KPIs have targets too */
        t_forecast += now_seconds() - t;
        if (sc == 0)
            warn_unused_kpis(cfg, model);
        /* --jobs 1 reserves its outputs here and renders them in this
         * thread, one after another; --jobs N began at the analysis's GL part */
        if (!renders && render_begin(cfg, &rf, model, &info, sc ? slug : NULL, jobs, &renders, &err) != OPS_OK)
            goto fail;
        render_jobs_t *r = renders;
        renders = NULL;
        if (render_parallel(r, jobs, t_render, &err) != OPS_OK)
            goto fail;
        report_model_free(model);
        model = NULL;
    }
    man.stages[man.n_stages].name = "analyse";
    man.stages[man.n_stages++].seconds = t_analyse;
    man.stages[man.n_stages].name = "forecast";
    man.stages[man.n_stages++].seconds = t_forecast;
    for (size_t k = 0; k < RENDER_TIMER_COUNT; k++) {
        man.stages[man.n_stages].name = render_timer_names[k];
        man.stages[man.n_stages++].seconds = t_render[k];
    }
    ops_status_t crc = rejects_close(rejects, &err);
    rejects = NULL;
    if (crc != OPS_OK)
        goto fail;
    ops_fault_point("rejects");
    ops_fault_point("commit");
    if (runfolder_commit(&rf, &err) != OPS_OK)
        goto fail;
    /* the report is written either way; only the email waits for complete data */
    held = n_dq > 0 && (cfg->email.enabled || o->dry_run) && !o->force &&
           !cfg->email.send_when_incomplete;
    man.status = held ? "held_data_incomplete" : "ok";

write_manifest:
    man.period = period;
    man.run_id = run_id;
    man.cfg = cfg;
    man.inputs = stats;
    man.n_inputs = cfg->n_inputs;
    man.rf = &rf;
    ops_fault_point("manifest");
    man.forecast_archive = archive.dir[0] ? &archive : NULL;
    if (manifest_write(&man, rf.dir, &err) != OPS_OK)
        goto fail;
    runfolder_published(&rf);
    if (held) {
        log_msg(0, "held: data incomplete (%zu finding%s above); nothing sent. Send anyway with "
                   "`opsreport run --force` or [email] send_when_incomplete = true",
                n_dq, n_dq == 1 ? "" : "s");
        exit_code = OPS_EXIT_HELD;
    }
    if (exit_code == OPS_EXIT_OK && (cfg->email.enabled || o->dry_run)) {
        send_options_t so = { o->dry_run, false, false };
        ops_fault_point("deliver");
        if (send_period(cfg, rf.dir, o->period, &so, &err) != OPS_OK)
            exit_code = report_error(&err);
    }
    if (exit_code == OPS_EXIT_OK) {
        uint64_t read = 0, rejected = 0;
        for (size_t i = 0; i < cfg->n_inputs; i++) {
            read += stats[i].rows_read;
            rejected += stats[i].rows_rejected;
        }
        char names[1024] = "";
        size_t used = 0;
        for (size_t i = 0; i < rf.n_outputs && used < sizeof names; i++)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s, ", rf.outputs[i].name);
        log_msg(1, "%s: %llu rows read, %llu rejected; wrote %s/: %smanifest.json", period,
                (unsigned long long)read, (unsigned long long)rejected, rf.dir, names);
    }
    goto cleanup;

fail:
    render_abandon(renders); /* its early renders end before the run folder goes */
    renders = NULL;
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
    fanout_free(&fan);
    freshness_free(&fresh);
    free(pieces);
    free(sliced);
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

int cli_merge_main(int argc, char **argv)
{
    run_options_t o;
    int rc = parse_run_options(argc, argv, &o);
    if (rc)
        return rc < 0 ? OPS_EXIT_OK : rc;
    return run_pipeline(&o, false);
}
