/*
 * check.c - the `check` command: is everything a run needs in place?
 *
 * The loader (config.c) stops at the first problem, which is right for a
 * run but slow to fix a config by: one problem per try. So check_all()
 * loads the file, and when that fails it comments the offending line out in
 * a private copy held in memory (memfd; line numbers unchanged) and loads
 * the copy again, until it loads. A problem that would cascade (an unknown
 * section, a wrong kind) drops its whole section instead of one line, and a
 * section with a problem is left out of the later checks, so one mistake is
 * reported once.
 *
 * The later checks are the ones the loader cannot make: [email]'s URL and
 * password source through deliver_smtp_check (the code a send runs), KPI
 * bands against their direction, forecast series without the input they
 * come from, the output folder, the templates folder (template_places: the
 * places a run looks in), and each input file with its header row
 * (ingest_check_header: the first record only, mapped by the code a run
 * uses). Nothing is written; no row is read.
 */
#include "opsreport/check.h"
#include "opsreport/cli.h"
#include "opsreport/config.h"
#include "opsreport/deliver.h"
#include "opsreport/ingest.h"
#include "opsreport/template.h"

#include "cli/cli_internal.h"

#include <errno.h>
#include <getopt.h>
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    const check_options_t *opt;
    check_result_t *res;
    GHashTable *bad_sections; /* "input.NAME", "email", ...: a config problem was reported there */
    bool nomem;
} check_ctx_t;

static void problem_add(check_ctx_t *cx, const ops_error_t *e)
{
    check_result_t *res = cx->res;
    if (e->status == OPS_ERR_NOMEM)
        cx->nomem = true;
    if (res->n_problems == CHECK_MAX_PROBLEMS) {
        res->n_dropped++;
        return;
    }
    res->problems[res->n_problems++] = *e;
}

static void note_add(check_ctx_t *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note_add(check_ctx_t *cx, const char *fmt, ...)
{
    check_result_t *res = cx->res;
    char **grown = realloc(res->notes, (res->n_notes + 1) * sizeof *grown);
    if (!grown) {
        cx->nomem = true;
        return;
    }
    res->notes = grown;
    va_list ap;
    va_start(ap, fmt);
    res->notes[res->n_notes] = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    res->n_notes++;
}

static bool section_bad(const check_ctx_t *cx, const char *prefix, const char *name)
{
    char key[300];
    snprintf(key, sizeof key, "%s%s", prefix, name);
    return g_hash_table_contains(cx->bad_sections, key);
}

/* ---- the config, every problem at once ----------------------------------------- */

typedef struct {
    gchar **lines;  /* the file split at '\n'; commented lines replaced */
    GPtrArray *left_out; /* "section key" of each key line left out */
    size_t n;
    int fd;         /* memfd with the patched text, -1: none */
    char path[64];  /* /proc/self/fd/N: config_load opens it like a file */
} config_copy_t;

static bool copy_open(config_copy_t *c, const char *path)
{
    gchar *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return false;
    c->lines = g_strsplit(text, "\n", -1);
    c->n = g_strv_length(c->lines);
    c->left_out = g_ptr_array_new_with_free_func(g_free);
    g_free(text);
    c->fd = memfd_create("opsreport-check", MFD_CLOEXEC);
    snprintf(c->path, sizeof c->path, "/proc/self/fd/%d", c->fd);
    return c->fd >= 0;
}

static bool copy_write(config_copy_t *c)
{
    gchar *text = g_strjoinv("\n", c->lines);
    size_t len = strlen(text), done = 0;
    bool ok = ftruncate(c->fd, 0) == 0;
    while (ok && done < len) {
        ssize_t w = pwrite(c->fd, text + done, len - done, (off_t)done);
        ok = w > 0;
        done += ok ? (size_t)w : 0;
    }
    g_free(text);
    return ok;
}

static void copy_close(config_copy_t *c)
{
    g_strfreev(c->lines);
    if (c->left_out)
        g_ptr_array_free(c->left_out, TRUE);
    if (c->fd >= 0)
        close(c->fd);
}

static bool line_is_header(const config_copy_t *c, long line)
{
    const char *s = c->lines[line - 1];
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '[';
}

/* 1-based line of the [section] header at or above line; 0 if none. */
static long section_start(const config_copy_t *c, long line)
{
    for (long l = line; l >= 1; l--)
        if (line_is_header(c, l))
            return l;
    return 0;
}

/* "input.gl_actuals" from the header "[input.gl_actuals] ; comment". */
static void section_name(const config_copy_t *c, long header, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!header)
        return;
    const char *s = strchr(c->lines[header - 1], '[') + 1, *end = strchr(s, ']');
    size_t n = end ? (size_t)(end - s) : strlen(s);
    snprintf(buf, size, "%.*s", (int)n, s);
    g_strstrip(buf);
}

/* Comments out lines first..last (1-based, inclusive); false if all already were. */
static bool copy_comment(config_copy_t *c, long first, long last)
{
    bool changed = false;
    for (long l = first; l <= last && l <= (long)c->n; l++)
        if (strcmp(c->lines[l - 1], ";")) {
            g_free(c->lines[l - 1]);
            c->lines[l - 1] = g_strdup(";");
            changed = true;
        }
    return changed;
}

/* The last line of the section starting at header (the line before the next header). */
static long section_end(const config_copy_t *c, long header)
{
    long l = header + 1;
    while (l <= (long)c->n && !line_is_header(c, l))
        l++;
    return l - 1;
}

/* True if message names, as a word, a key left out of section: a problem
 * that only the copy has ("[email] enabled = true needs smtp_url and from"
 * once a bad from = line is left out). */
static bool copy_caused(const config_copy_t *c, const char *section, const char *message)
{
    size_t sl = strlen(section);
    for (guint i = 0; c->left_out && i < c->left_out->len; i++) {
        const char *entry = g_ptr_array_index(c->left_out, i);
        if (strncmp(entry, section, sl) || entry[sl] != ' ')
            continue;
        const char *key = entry + sl + 1;
        size_t kl = strlen(key);
        for (const char *p = strstr(message, key); p; p = strstr(p + 1, key)) {
            bool before = p == message || !(g_ascii_isalnum(p[-1]) || p[-1] == '_' || p[-1] == '.');
            bool after = !(g_ascii_isalnum(p[kl]) || p[kl] == '_' || p[kl] == '.');
            if (before && after)
                return true;
        }
    }
    return false;
}

/* Loads opt->config_path, collecting every problem; returns the config as
 * loaded with the bad lines left out (its path the real file's), or NULL if
 * even that does not load. */
static config_t *check_config_load(check_ctx_t *cx)
{
    const char *path = cx->opt->config_path;
    config_copy_t copy = { NULL, NULL, 0, -1, "" };
    bool copied = false;
    config_t *cfg = NULL;
    long prev_line = -1;
    char prev_msg[sizeof ((ops_error_t *)0)->message] = "";
    for (int round = 0; round < CHECK_MAX_PROBLEMS; round++) {
        ops_error_t e = { 0 };
        ops_status_t rc = config_load(copied ? copy.path : path, &cfg, &e);
        if (rc == OPS_OK)
            break;
        cfg = NULL;
        if (copied && !strcmp(e.file, copy.path))
            snprintf(e.file, sizeof e.file, "%s", path);
        /* an unreadable file or no memory: nothing to patch */
        if (rc != OPS_ERR_CONFIG || e.line <= 0 || (copied && e.line > (long)copy.n)) {
            problem_add(cx, &e);
            break;
        }
        if (!copied && !(copied = copy_open(&copy, path))) { /* no memfd: the first problem only */
            problem_add(cx, &e);
            break;
        }
        long head = section_start(&copy, e.line);
        char name[256];
        section_name(&copy, head, name, sizeof name);
        bool repeat = e.line == prev_line && !strcmp(e.message, prev_msg);
        bool cascade = copy_caused(&copy, name, e.message);
        if (!repeat && !cascade)
            problem_add(cx, &e);
        g_hash_table_add(cx->bad_sections, g_strdup(name));
        /* whole section when leaving one line out would only move the
         * problem: an unknown section fails on each of its keys, a section
         * without a known kind on each col., a problem the copy caused
         * would come back in another form, and a problem reported at a
         * section (a missing key) has no line of its own to leave out */
        bool whole = repeat || cascade || e.column[0] == '[' || !strcmp(e.column, "kind") ||
                     strstr(e.message, "has no known kind") || head == e.line ||
                     !strcmp(copy.lines[e.line - 1], ";");
        if (!whole && e.column[0])
            g_ptr_array_add(copy.left_out, g_strdup_printf("%s %s", name, e.column));
        bool changed = whole && head ? copy_comment(&copy, head, section_end(&copy, head))
                                     : copy_comment(&copy, e.line, e.line);
        if (!changed || !copy_write(&copy))
            break;
        prev_line = e.line;
        snprintf(prev_msg, sizeof prev_msg, "%s", e.message);
    }
    if (cfg && copied) {
        /* messages and relative paths ([output] dir) refer to the real file */
        char *real = strdup(path);
        if (real) {
            free(cfg->path);
            cfg->path = real;
        } else
            cx->nomem = true;
    }
    copy_close(&copy);
    return cfg;
}

/* ---- what the loader cannot see ------------------------------------------------ */

static void check_problem(check_ctx_t *cx, const config_t *cfg, long line, const char *key,
                           const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void check_problem(check_ctx_t *cx, const config_t *cfg, long line, const char *key,
                           const char *fmt, ...)
{
    ops_error_t e = { 0 };
    char msg[sizeof e.message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ops_error_set(&e, OPS_ERR_CONFIG, cfg->path, line, key, "%s", msg);
    problem_add(cx, &e);
}

static void check_email(check_ctx_t *cx, const config_t *cfg)
{
    const email_config_t *e = &cfg->email;
    size_t n_rcpt = 0;
    /* the loader has checked every address; what is left is whether the
     * sender can log in and connect as configured */
    for (size_t i = 0; i < cfg->n_recipients; i++)
        n_rcpt += !section_bad(cx, "recipient.", cfg->recipients[i].name);
    if (section_bad(cx, "", "email"))
        return;
    for (size_t i = 0; i < e->to.count; i++)
        n_rcpt += e->to.items[i][0] != '\0';
    if (!e->enabled && !e->smtp_url) {
        note_add(cx, "email      off");
        return;
    }
    deliver_smtp_t s;
    send_settings_from_config(cfg, &s);
    /* deliver_smtp_check stops at its first problem; a stand-in for each
     * value found wrong lets it go on to the next (the password source last) */
    for (int round = 0; round < 4; round++) {
        ops_error_t err = { 0 };
        if (deliver_smtp_check(&s, &err) == OPS_OK)
            break;
        if (!err.file[0]) {
            snprintf(err.file, sizeof err.file, "%s", cfg->path);
            err.line = e->line;
        }
        problem_add(cx, &err);
        if (!strcmp(err.column, "smtp_url"))
            s.smtp_url = "smtp://localhost";
        else if (!strcmp(err.column, "from"))
            s.from = "check@localhost";
        else if (!strcmp(err.column, "max_attempts")) {
            deliver_smtp_t d;
            deliver_smtp_init(&d);
            s.max_attempts = d.max_attempts;
            s.connect_timeout_ms = d.connect_timeout_ms;
            s.timeout_ms = d.timeout_ms;
            s.initial_backoff_ms = d.initial_backoff_ms;
            s.retry_budget_s = d.retry_budget_s;
        } else
            break;
    }
    const char *login = !e->username || !e->username[0] ? "no login"
                        : e->password_env && e->password_env[0] ? "password from environment variable "
                                                                : "password from file ";
    note_add(cx, "email      %s%s, %s%s, %zu recipient%s", e->enabled ? "" : "(enabled = false) ",
             e->smtp_url ? e->smtp_url : "no smtp_url", login,
             !e->username || !e->username[0] ? ""
             : e->password_env && e->password_env[0] ? e->password_env
                                                     : e->password_file ? e->password_file : "",
             n_rcpt, n_rcpt == 1 ? "" : "s");
    if (e->enabled && n_rcpt == 0)
        note_add(cx, "email      no recipients ([email] to or [recipient.NAME]): a run sends nothing");
}

static void check_kpis(check_ctx_t *cx, const config_t *cfg)
{
    for (size_t i = 0; i < cfg->n_kpis; i++) {
        const kpi_config_t *k = &cfg->kpis[i];
        if (section_bad(cx, "kpi.", k->id) || !k->has_target || !k->has_amber || !k->has_direction)
            continue;
        bool higher = k->direction == KPI_HIGHER_IS_BETTER;
        if (higher ? k->amber > k->target : k->amber < k->target)
            check_problem(cx, cfg, k->line, "amber",
                           "[kpi.%s] direction = %s: amber (%g) must be %s target (%g); it is the "
                           "worse end of the amber band", k->id, higher ? "higher" : "lower", k->amber,
                           higher ? "at or below" : "at or above", k->target);
    }
}

/* Each forecast series is built from one input kind; without it the forecast is silently empty. */
static void check_forecasts(check_ctx_t *cx, const config_t *cfg)
{
    for (size_t i = 0; i < cfg->n_forecasts; i++) {
        const forecast_config_t *f = &cfg->forecasts[i];
        if (section_bad(cx, "forecast.", f->name) || !f->series)
            continue;
        input_kind_t kind = !strncmp(f->series, "gl_", 3) ? KIND_GL_ACTUALS
                            : !strcmp(f->series, "tickets_created") ? KIND_TICKETS
                                                                    : KIND_EMPLOYEES;
        if (!config_find_input(cfg, kind)) {
            const char *name = schema_for_kind(kind)->name;
            check_problem(cx, cfg, f->line, "series",
                           "[forecast.%s] series = %s is built from the %s input, and no [input.NAME] "
                           "has kind = %s", f->name, f->series, name, name);
        }
    }
}

static void check_output(check_ctx_t *cx, const config_t *cfg)
{
    char out[1024];
    cli_out_dir(cx->opt->out_dir, cfg, out, sizeof out);
    ops_error_t e = { 0 };
    struct stat sb;
    if (stat(out, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode))
            ops_error_set(&e, OPS_ERR_OUTPUT, out, 0, NULL, "the output folder is not a folder");
        else if (access(out, W_OK | X_OK) != 0)
            ops_error_set(&e, OPS_ERR_OUTPUT, out, 0, NULL,
                          "this user (uid %u) cannot write run folders into the output folder",
                          (unsigned)geteuid());
        else
            note_add(cx, "output     %s", out);
    } else {
        /* the run creates it: the nearest folder that exists must let it */
        gchar *parent = g_path_get_dirname(out);
        while (stat(parent, &sb) != 0 && strcmp(parent, "/") && strcmp(parent, ".")) {
            gchar *up = g_path_get_dirname(parent);
            g_free(parent);
            parent = up;
        }
        if (stat(parent, &sb) != 0 || !S_ISDIR(sb.st_mode) || access(parent, W_OK | X_OK) != 0)
            ops_error_set(&e, OPS_ERR_OUTPUT, out, 0, NULL,
                          "the output folder does not exist and this user (uid %u) cannot create it in %s",
                          (unsigned)geteuid(), parent);
        else
            note_add(cx, "output     %s (created by the first run)", out);
        g_free(parent);
    }
    if (e.status != OPS_OK)
        problem_add(cx, &e);
}

/* The templates folder a run would word its report from, found as a run finds it. */
static void check_templates(check_ctx_t *cx, const config_t *cfg)
{
    if (section_bad(cx, "", "report"))
        return; /* [report] templates_dir may be the bad line */
    template_places_t places;
    char found[sizeof places.dir[0]];
    ops_error_t e = { 0 };
    template_places(&places, cx->opt->templates_dir, cfg->templates_dir, cfg->path, NULL);
    if (template_places_find(&places, found, sizeof found, &e) != OPS_OK) {
        problem_add(cx, &e);
        return;
    }
    bool chosen = cx->opt->templates_dir || cfg->templates_dir;
    if (chosen && strcmp(found, places.dir[0]))
        note_add(cx, "templates  %s (%s %s lacks a template file)", found, places.what[0], places.dir[0]);
    else
        note_add(cx, "templates  %s", found);
}

static void check_inputs(check_ctx_t *cx, const config_t *cfg)
{
    const char *data_dir = cx->opt->data_dir ? cx->opt->data_dir : ".";
    ingest_stats_t *st = malloc(sizeof *st);
    if (!st) {
        cx->nomem = true;
        return;
    }
    for (size_t i = 0; i < cfg->n_inputs; i++) {
        const input_config_t *in = &cfg->inputs[i];
        if (section_bad(cx, "input.", in->name))
            continue;
        ops_error_t e = { 0 };
        if (ingest_check_header(in, data_dir, st, &e) != OPS_OK) {
            problem_add(cx, &e);
            continue;
        }
        if (!st->present) {
            note_add(cx, "input      %-16s %s: optional, not present", in->name, st->path);
            continue;
        }
        size_t mapped = 0;
        for (size_t f = 0; f < in->schema->n_fields; f++)
            mapped += st->field_mapped[f];
        note_add(cx, "input      %-16s %s: header maps %zu of %zu fields", in->name, st->path, mapped,
                 in->schema->n_fields);
    }
    free(st);
}

ops_status_t check_all(const check_options_t *opt, check_result_t *res)
{
    memset(res, 0, sizeof *res);
    check_ctx_t cx = { opt, res, g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL), false };
    res->problems = calloc(CHECK_MAX_PROBLEMS, sizeof *res->problems);
    if (!res->problems) {
        g_hash_table_destroy(cx.bad_sections);
        return OPS_ERR_NOMEM;
    }
    config_t *cfg = check_config_load(&cx);
    if (cfg) {
        note_add(&cx, "config     %s: %zu inputs, %zu [kpi] sections, %zu forecasts, %zu [recipient] sections",
                 cfg->path, cfg->n_inputs, cfg->n_kpis, cfg->n_forecasts, cfg->n_recipients);
        check_kpis(&cx, cfg);
        check_forecasts(&cx, cfg);
        check_email(&cx, cfg);
        check_output(&cx, cfg);
        check_templates(&cx, cfg);
        check_inputs(&cx, cfg);
    }
    config_free(cfg);
    g_hash_table_destroy(cx.bad_sections);
    return cx.nomem ? OPS_ERR_NOMEM : OPS_OK;
}

int check_exit_code(const check_result_t *res)
{
    static const ops_status_t order[] = { OPS_ERR_NOMEM, OPS_ERR_CONFIG, OPS_ERR_INPUT, OPS_ERR_OUTPUT };
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
        for (size_t i = 0; i < res->n_problems; i++)
            if (res->problems[i].status == order[k])
                return ops_status_exit_code(order[k]);
    return res->n_problems ? OPS_EXIT_INTERNAL : OPS_EXIT_OK;
}

void check_result_free(check_result_t *res)
{
    for (size_t i = 0; i < res->n_notes; i++)
        g_free(res->notes[i]);
    free(res->notes);
    free(res->problems);
    memset(res, 0, sizeof *res);
}

/* ---- the command ------------------------------------------------------------- */

static void usage_check(FILE *out)
{
    fprintf(out,
            "usage: opsreport check [--config FILE] [--data DIR] [--out DIR] [--templates DIR]\n"
            "                       [--log-format FMT] [-q]\n\n"
            "Check that a run would find everything it needs, without running: the config\n"
            "(every key, mapping, format, KPI target, forecast series, recipient, [email]\n"
            "with its password source: the environment variable set, or the file present\n"
            "and readable by its owner only), the output folder, the templates folder, and\n"
            "every input file with the mapped columns in its header row. Reads only the\n"
            "header rows, writes nothing, and lists every problem at once. The systemd\n"
            "unit runs it before each run.\n\n"
            "  --config FILE     configuration (default config/opsreport.ini if present,\n"
            "                    else the installed one)\n"
            "  --data DIR        folder the input files are relative to (default .)\n"
            "  --out DIR         output folder to check (default [output] dir, else out)\n"
            "  --templates DIR   templates folder to check (default: where a run looks)\n"
            "  --log-format FMT  text (default) or json: one JSON object per problem\n"
            "  -q, --quiet       print problems only\n"
            "  -h, --help        this help\n\n"
            "Exit codes: 0 no problems, 3 a config problem, 4 an input problem (missing\n"
            "file or templates, unmapped column) and no config problem, 6 only the output\n"
            "folder is not writable, 2 usage.\n");
}

int cli_check_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' }, { "data", required_argument, NULL, 'd' },
        { "out", required_argument, NULL, 'o' },    { "log-format", required_argument, NULL, 'l' },
        { "templates", required_argument, NULL, 't' },
        { "quiet", no_argument, NULL, 'q' },        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    check_options_t opt = { NULL, ".", NULL, NULL };
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': opt.config_path = optarg; break;
        case 'd': opt.data_dir = optarg; break;
        case 'o': opt.out_dir = optarg; break;
        case 't': opt.templates_dir = optarg; break;
        case 'q': quiet = true; break;
        case 'l':
            if (!cli_set_log_format(optarg)) {
                fprintf(stderr, "opsreport: --log-format expects text or json, found '%s'\n", optarg);
                return OPS_EXIT_USAGE;
            }
            break;
        case 'h': usage_check(stdout); return OPS_EXIT_OK;
        default: usage_check(stderr); return OPS_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "opsreport: unexpected argument '%s'\n", argv[optind]);
        usage_check(stderr);
        return OPS_EXIT_USAGE;
    }
    opt.config_path = cli_config_path(opt.config_path);
    check_result_t res;
    if (check_all(&opt, &res) != OPS_OK) {
        cli_log(0, "error: out of memory");
        check_result_free(&res);
        return OPS_EXIT_INTERNAL;
    }
    for (size_t i = 0; !quiet && i < res.n_notes; i++)
        printf("%s\n", res.notes[i]);
    fflush(stdout);
    for (size_t i = 0; i < res.n_problems; i++) {
        char buf[sizeof res.problems[0].message + 800];
        ops_error_format(&res.problems[i], buf, sizeof buf);
        cli_log(0, "error: %s", buf);
    }
    size_t n = res.n_problems + res.n_dropped;
    if (res.n_dropped)
        cli_log(0, "error: %zu more problems not shown; fix the ones above and check again", res.n_dropped);
    if (!quiet && n)
        printf("check: %zu problem%s\n", n, n == 1 ? "" : "s");
    else if (!quiet)
        printf("check: no problems\n");
    int code = check_exit_code(&res);
    check_result_free(&res);
    return code;
}
