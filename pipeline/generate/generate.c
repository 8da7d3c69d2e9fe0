/*
 * generate.c - `opsreport generate`: deterministic sample CSV exports.
 *
 * Writes one CSV per input kind for the fictional Kestrel Packaging Group
 * (sites Łódź, Leeds, Lyon; ~400 staff; EUR), 36 months of history ending at
 * --period by default. Same options give byte-identical files: all randomness
 * comes from gsl_rng_mt19937 seeded from --seed (one stream per kind, one for
 * the shared master data), no clock, no locale-dependent formatting. Rows are
 * streamed to DIR/NAME.tmp, which is renamed into place when complete.
 *
 * Deliberate bad rows (7 in all, so a sample run shows rejects), all in the
 * last month of history:
 *   gl_actuals.csv       1. Posting Date "31.13.YYYY" (month 13: unparseable)
 *                        2. Account Type "Capex" (not revenue/cogs/opex)
 *   purchase_orders.csv  3. a PO line written twice (duplicate key)
 *                        4. Qty Ordered "-5.0" (below the range minimum 0)
 *                        5. Order Date "13/45/YYYY" (unparseable)
 *   tickets.csv          6. Priority "P5"   7. Priority "P0" (not P1..P4)
 * Incidents a report should catch: Logistics opex 7% over budget in the
 * current fiscal year; supplier Baltic Board late in the last 3 months;
 * tickets 2.2x with SLA misses in the last month; a +5 g weight shift on
 * Leeds Line 2 in the last month; project PRJ-107 ~32% over on cost.
 */
#include "opsreport/cli.h"
#include "generate/gen.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const gen_dialect_t dialect_plain = { ',', false, false, false };
static const gen_dialect_t dialect_erp = { ';', false, true, false };   /* European ERP */
static const gen_dialect_t dialect_us = { ',', true, false, false };    /* US procurement */
static const gen_dialect_t dialect_hr = { ',', true, false, true };     /* HR, Windows-1252 */
static const gen_dialect_t dialect_mes = { '\t', false, false, false }; /* MES */

/* one writer per kind, in the gen_*.c file of its area */
ops_status_t gen_gl_actuals(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err);
ops_status_t gen_gl_budget(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err);
ops_status_t gen_purchase_orders(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err);
ops_status_t gen_items(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err);
ops_status_t gen_inventory(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err);
ops_status_t gen_shipments(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err);
ops_status_t gen_tickets(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err);
ops_status_t gen_employees(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err);
ops_status_t gen_training(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err);
ops_status_t gen_projects(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err);
ops_status_t gen_tasks(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err);
ops_status_t gen_timesheets(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err);
ops_status_t gen_risks(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err);
ops_status_t gen_controls(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err);
ops_status_t gen_production(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err);
ops_status_t gen_quality(const gen_world_t *w, gen_writer_t *out, gsl_rng *r, ops_error_t *err);

typedef struct {
    input_kind_t kind;
    gen_kind_fn fn;
    const gen_dialect_t *dialect;
} kind_entry_t;

/* In the order of schema.h; the file is NAME.csv, the random stream kind + 1.
 * Unsized, so that a kind added to schema.h without a line here fails the
 * assert below instead of leaving a zeroed entry (a NULL generator call). */
static const kind_entry_t kinds[] = {
    { KIND_GL_ACTUALS, gen_gl_actuals, &dialect_erp },
    { KIND_GL_BUDGET, gen_gl_budget, &dialect_erp },
    { KIND_PURCHASE_ORDERS, gen_purchase_orders, &dialect_us },
    { KIND_ITEMS, gen_items, &dialect_plain },
    { KIND_INVENTORY, gen_inventory, &dialect_plain },
    { KIND_SHIPMENTS, gen_shipments, &dialect_plain },
    { KIND_TICKETS, gen_tickets, &dialect_plain },
    { KIND_EMPLOYEES, gen_employees, &dialect_hr },
    { KIND_TRAINING, gen_training, &dialect_hr },
    { KIND_PROJECTS, gen_projects, &dialect_plain },
    { KIND_TASKS, gen_tasks, &dialect_plain },
    { KIND_TIMESHEETS, gen_timesheets, &dialect_plain },
    { KIND_RISKS, gen_risks, &dialect_plain },
    { KIND_CONTROLS, gen_controls, &dialect_plain },
    { KIND_PRODUCTION, gen_production, &dialect_plain },
    { KIND_QUALITY, gen_quality, &dialect_mes },
};
_Static_assert(sizeof kinds / sizeof kinds[0] == KIND_COUNT, "one generator per input kind");

static void usage(FILE *out)
{
    fprintf(out,
            "usage: opsreport generate --out DIR [--period YYYY-MM] [--months N]\n"
            "                          [--scale X] [--seed S] [--only KIND]\n\n"
            "Writes deterministic sample CSV exports of the fictional Kestrel Packaging\n"
            "Group, one per input kind, each in the dialect of a different tool.\n\n"
            "  --out DIR        directory to write to (created if missing)\n"
            "  --period YYYY-MM last month of history (default 2026-10)\n"
            "  --months N       months of history (default 36)\n"
            "  --scale X        multiply the rows of the high-volume files (GL lines, PO\n"
            "                   lines, shipments, tickets, timesheets, production, quality)\n"
            "                   by X, e.g. 10 or 100 for benchmarks (default 1)\n"
            "  --seed S         random seed (default 20261031)\n"
            "  --only KIND      write one kind only, e.g. gl_actuals\n"
            "  --help           this text\n");
}

static bool parse_period(const char *s, int *y, int *m)
{
    char tail;
    return sscanf(s, "%4d-%2d%c", y, m, &tail) == 2 && *y >= 1971 && *y <= 9998 && *m >= 1 &&
           *m <= 12 && strlen(s) == 7;
}

static int fail_usage(const char *fmt, const char *value)
{
    fprintf(stderr, "opsreport generate: ");
    fprintf(stderr, fmt, value);
    fprintf(stderr, "\n\n");
    usage(stderr);
    return OPS_EXIT_USAGE;
}

/* Writes one kind. Returns OPS_OK or the error in err. */
static ops_status_t write_kind(const gen_world_t *world, const kind_entry_t *k, const char *dir,
                               long *rows, long *bytes, ops_error_t *err)
{
    const input_schema_t *schema = schema_for_kind(k->kind);
    char name[64];
    snprintf(name, sizeof name, "%s.csv", schema->name);
    gsl_rng *r = gen_rng_new(world->seed, (unsigned long)k->kind + 1);
    if (!r)
        return ops_error_set(err, OPS_ERR_NOMEM, name, 0, NULL, "out of memory");
    ops_status_t rc;
    gen_writer_t *w = gen_writer_open(dir, name, k->dialect, err);
    if (!w) {
        rc = err ? err->status : OPS_ERR_OUTPUT;
        goto cleanup;
    }
    rc = k->fn(world, w, r, err);
    if (rc != OPS_OK) {
        gen_writer_abort(w);
        goto cleanup;
    }
    rc = gen_writer_close(w, rows, bytes, err);
cleanup:
    gsl_rng_free(r);
    return rc;
}

int generate_main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "out", required_argument, NULL, 'o' },   { "period", required_argument, NULL, 'p' },
        { "months", required_argument, NULL, 'm' }, { "scale", required_argument, NULL, 's' },
        { "seed", required_argument, NULL, 'S' },  { "only", required_argument, NULL, 'O' },
        { "help", no_argument, NULL, 'h' },        { NULL, 0, NULL, 0 },
    };
    const char *out_dir = NULL;
    const input_schema_t *only = NULL;
    int py = 2026, pm = 10, months = 36;
    double scale = 1.0;
    unsigned long seed = 20261031UL;
    char *end;
    int c;
    optind = 0; /* glibc: full re-initialisation, so the command can run twice in one process */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out_dir = optarg;
            break;
        case 'p':
            if (!parse_period(optarg, &py, &pm))
                return fail_usage("--period: expected YYYY-MM, found '%s'", optarg);
            break;
        case 'm':
            errno = 0;
            months = (int)strtol(optarg, &end, 10);
            if (errno || *end || months < 1 || months > 240)
                return fail_usage("--months: expected a whole number from 1 to 240, found '%s'", optarg);
            break;
        case 's':
            errno = 0;
            scale = strtod(optarg, &end);
            if (errno || *end || !(scale > 0.0 && scale <= 10000.0))
                return fail_usage("--scale: expected a number above 0 and at most 10000, found '%s'", optarg);
            break;
        case 'S':
            errno = 0;
            seed = strtoul(optarg, &end, 10);
            if (errno || *end || optarg[0] == '-' || !optarg[0])
                return fail_usage("--seed: expected a non-negative whole number, found '%s'", optarg);
            break;
        case 'O':
            only = schema_find(optarg);
            if (!only)
                return fail_usage("--only: unknown input kind '%s' (e.g. gl_actuals, tickets)", optarg);
            break;
        case 'h':
            usage(stdout);
            return OPS_EXIT_OK;
        case ':':
            return fail_usage("option %s needs a value", argv[optind - 1]);
        default:
            return fail_usage("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return fail_usage("unexpected argument '%s'", argv[optind]);
    if (!out_dir)
        return fail_usage("%s", "--out DIR is required");
    if (mkdir(out_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "opsreport generate: %s: cannot create directory: %s\n", out_dir,
                strerror(errno));
        return OPS_EXIT_OUTPUT;
    }

    ops_error_t err = { 0 };
    char msg[2048];
    gen_world_t *world = malloc(sizeof *world);
    if (!world) {
        fprintf(stderr, "opsreport generate: out of memory\n");
        return OPS_EXIT_INTERNAL;
    }
    int exit_code = OPS_EXIT_OK;
    if (gen_world_build(world, seed, py, pm, months, scale, &err) != OPS_OK) {
        ops_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "opsreport generate: %s\n", msg);
        exit_code = ops_status_exit_code(err.status);
        goto cleanup;
    }
    long total_rows = 0, total_bytes = 0;
    printf("%-24s %10s %12s\n", "file", "rows", "bytes");
    for (int k = 0; k < KIND_COUNT; k++) {
        if (only && only->kind != kinds[k].kind)
            continue;
        long rows = 0, bytes = 0;
        if (write_kind(world, &kinds[k], out_dir, &rows, &bytes, &err) != OPS_OK) {
            ops_error_format(&err, msg, sizeof msg);
            fprintf(stderr, "opsreport generate: %s\n", msg);
            exit_code = ops_status_exit_code(err.status);
            goto cleanup;
        }
        char fname[64];
        snprintf(fname, sizeof fname, "%s.csv", schema_for_kind(kinds[k].kind)->name);
        printf("%-24s %10ld %12ld\n", fname, rows, bytes);
        fflush(stdout);
        total_rows += rows;
        total_bytes += bytes;
    }
    printf("%-24s %10ld %12ld\n", "total", total_rows, total_bytes);
cleanup:
    free(world);
    return exit_code;
}
