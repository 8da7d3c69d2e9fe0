/*
 * test_analyse_merge.c - analyse_merge: the sample month's rows split into
 * parts, each part analysed on its own and the parts merged, give the model
 * (and the workbook bytes) of one pass over all rows. Each part holds
 * consecutive accepted rows of every input (part k of N: rows
 * [k*n/N, (k+1)*n/N) of an input of n rows), merged in part order.
 * Run from the repository root (sample-data/, config/, templates/).
 */
#include "opsreport/analyse.h"
#include "opsreport/outlook.h"
#include "opsreport/render.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARTS 8

typedef struct {
    analyse_t *parts[MAX_PARTS];
    size_t n_parts;
    uint64_t total; /* accepted rows of the input being read */
    uint64_t seen;
} split_t;

/* The ingest sink of a split read: row i of n goes to part i*N/n. */
static ops_status_t split_record(void *ctx, const ingest_record_t *rec, ops_error_t *err)
{
    split_t *s = ctx;
    size_t part = s->total ? (size_t)(s->seen * s->n_parts / s->total) : 0;
    s->seen++;
    return analyse_record(s->parts[part], rec, err);
}

typedef struct {
    config_t *cfg;
    period_t period;
    ingest_stats_t *stats;
} sample_t;

static void sample_load(sample_t *s)
{
    ops_error_t err = { 0 };
    cr_assert_eq(config_load("config/opsreport.ini", &s->cfg, &err), OPS_OK, "%s", err.message);
    cr_assert(period_parse("2026-10", &s->period));
    s->stats = calloc(s->cfg->n_inputs ? s->cfg->n_inputs : 1, sizeof *s->stats);
    cr_assert_not_null(s->stats);
}

static void sample_free(sample_t *s)
{
    free(s->stats);
    config_free(s->cfg);
}

static report_model_t *finish(sample_t *s, analyse_t *a)
{
    ops_error_t err = { 0 };
    report_model_t *m = NULL;
    cr_assert_eq(analyse_finish(a, s->stats, s->cfg->n_inputs, &m, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(outlook_run(s->cfg, m, &err), OPS_OK, "%s", err.message);
    model_apply_targets(m, s->cfg);
    return m;
}

/* One pass over every input, not finished; fills s->stats. */
static analyse_t *ingest_all(sample_t *s, const char *scope)
{
    ops_error_t err = { 0 };
    analyse_t *a = NULL;
    cr_assert_eq(analyse_new(s->cfg, s->period, scope, &a, &err), OPS_OK, "%s", err.message);
    for (size_t i = 0; i < s->cfg->n_inputs; i++)
        cr_assert_eq(ingest_input(&s->cfg->inputs[i], "sample-data", s->cfg->minor_units, NULL, analyse_record, a,
                                  &s->stats[i], &err),
                     OPS_OK, "%s", err.message);
    return a;
}

static report_model_t *single_pass(sample_t *s, const char *scope)
{
    analyse_t *a = ingest_all(s, scope);
    report_model_t *m = finish(s, a);
    analyse_free(a);
    return m;
}

/* Every input split into n_parts runs of consecutive rows; with save, each
 * part goes through analyse_save and analyse_load before the merge; with
 * absorb, the parts are merged by analyse_absorb (moved, as run --jobs does). */
static bool g_absorb;
static report_model_t *split_pass_io(sample_t *s, const char *scope, size_t n_parts, bool save)
{
    ops_error_t err = { 0 };
    split_t sp = { .n_parts = n_parts };
    for (size_t k = 0; k < n_parts; k++)
        cr_assert_eq(analyse_new(s->cfg, s->period, scope, &sp.parts[k], &err), OPS_OK, "%s", err.message);
    for (size_t i = 0; i < s->cfg->n_inputs; i++) {
        ingest_stats_t again = { 0 };
        sp.total = s->stats[i].rows_accepted;
        sp.seen = 0;
        cr_assert_eq(ingest_input(&s->cfg->inputs[i], "sample-data", s->cfg->minor_units, NULL, split_record, &sp,
                                  &again, &err),
                     OPS_OK, "%s", err.message);
        cr_assert_eq(sp.seen, sp.total, "%s: %lu rows, %lu the first time", s->cfg->inputs[i].name,
                     (unsigned long)sp.seen, (unsigned long)sp.total);
    }
    if (save) {
        FILE *f = tmpfile();
        cr_assert_not_null(f);
        for (size_t k = 0; k < n_parts; k++) {
            cr_assert_eq(analyse_save(sp.parts[k], f, &err), OPS_OK, "%s", err.message);
            analyse_free(sp.parts[k]);
        }
        rewind(f);
        for (size_t k = 0; k < n_parts; k++)
            cr_assert_eq(analyse_load(f, s->cfg, s->period, &sp.parts[k], &err), OPS_OK, "part %zu: %s", k,
                         err.message);
        cr_assert_eq(fgetc(f), EOF, "every part read back to the end");
        fclose(f);
    }
    for (size_t k = 1; k < n_parts; k++)
        cr_assert_eq(g_absorb ? analyse_absorb(sp.parts[0], sp.parts[k], &err)
                              : analyse_merge(sp.parts[0], sp.parts[k], &err),
                     OPS_OK, "%s", err.message);
    report_model_t *m = finish(s, sp.parts[0]);
    for (size_t k = 0; k < n_parts; k++)
        analyse_free(sp.parts[k]);
    return m;
}

static report_model_t *split_pass(sample_t *s, const char *scope, size_t n_parts)
{
    return split_pass_io(s, scope, n_parts, false);
}

static bool same_bits(double a, double b) { return !memcmp(&a, &b, sizeof a); }

static unsigned char *spool_bytes(FILE *f, long *len)
{
    *len = 0;
    if (!f)
        return NULL;
    long at = ftell(f);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    *len = ftell(f);
    unsigned char *buf = malloc(*len ? (size_t)*len : 1);
    cr_assert_not_null(buf);
    rewind(f);
    cr_assert_eq(fread(buf, 1, (size_t)*len, f), (size_t)*len);
    fseek(f, at, SEEK_SET);
    return buf;
}

/* Asserts a == b: every KPI, table cell, series, Budget vs Actual row, SPC
 * point, the GL detail spool and the workbook's bytes. */
static void assert_models_equal(const report_model_t *a, const report_model_t *b, const char *what)
{
    cr_assert_eq(a->n_kpis, b->n_kpis, "%s: KPI count", what);
    for (size_t i = 0; i < a->n_kpis; i++) {
        const kpi_t *x = &a->kpis[i], *y = &b->kpis[i];
        cr_assert_str_eq(x->id, y->id, "%s: KPI %zu", what, i);
        cr_assert(same_bits(x->value, y->value) && same_bits(x->prior, y->prior) &&
                      same_bits(x->last_year, y->last_year) && same_bits(x->ytd, y->ytd),
                  "%s: KPI %s: value %.17g/%.17g prior %.17g/%.17g last year %.17g/%.17g ytd %.17g/%.17g", what,
                  x->id, x->value, y->value, x->prior, y->prior, x->last_year, y->last_year, x->ytd, y->ytd);
        for (size_t t = 0; t < MODEL_TREND_MONTHS; t++)
            cr_assert(same_bits(x->trend[t], y->trend[t]), "%s: KPI %s trend[%zu] %.17g, merged %.17g", what, x->id,
                      t, x->trend[t], y->trend[t]);
        cr_assert_eq(memcmp(x, y, sizeof *x), 0, "%s: KPI %s differs (status, note or n/a)", what, x->id);
    }
    cr_assert_eq(a->n_tables, b->n_tables, "%s: table count", what);
    for (size_t i = 0; i < a->n_tables; i++) {
        const model_table_t *x = a->tables[i], *y = b->tables[i];
        cr_assert_eq(x->id, y->id);
        cr_assert_str_eq(x->na_reason, y->na_reason, "%s: table %s", what, x->title);
        cr_assert_eq(x->n_rows, y->n_rows, "%s: table %s rows", what, x->title);
        for (size_t c = 0; c < x->n_rows * x->n_cols; c++) {
            cr_assert_str_eq(x->text[c] ? x->text[c] : "(num)", y->text[c] ? y->text[c] : "(num)",
                             "%s: table %s cell %zu", what, x->title, c);
            cr_assert(same_bits(x->num[c], y->num[c]), "%s: table %s row %zu col %zu: %.17g, merged %.17g", what,
                      x->title, c / x->n_cols, c % x->n_cols, x->num[c], y->num[c]);
        }
    }
    cr_assert_eq(a->n_series, b->n_series, "%s: series count", what);
    for (size_t i = 0; i < a->n_series; i++) {
        cr_assert_str_eq(a->series[i].id, b->series[i].id);
        cr_assert_eq(a->series[i].n, b->series[i].n);
        cr_assert_eq(a->series[i].first_index, b->series[i].first_index);
        cr_assert_eq(memcmp(a->series[i].values, b->series[i].values, a->series[i].n * sizeof(double)), 0,
                     "%s: series %s", what, a->series[i].id);
    }
    cr_assert_eq(a->n_forecasts, b->n_forecasts, "%s: forecast count", what);
    cr_assert_eq(a->n_bva_lines, b->n_bva_lines, "%s: BvA lines", what);
    for (size_t i = 0; i < a->n_bva_lines; i++) {
        const bva_row_t *x = &a->bva_lines[i], *y = &b->bva_lines[i];
        cr_assert(!strcmp(x->cost_centre, y->cost_centre) && !strcmp(x->account, y->account) &&
                      x->actual_month == y->actual_month && x->budget_month == y->budget_month &&
                      x->actual_ytd == y->actual_ytd && x->budget_ytd == y->budget_ytd &&
                      x->budget_full_year == y->budget_full_year,
                  "%s: BvA line %zu (%s %s)", what, i, x->cost_centre, x->account);
    }
    cr_assert_eq(a->n_bva_cc, b->n_bva_cc);
    cr_assert_eq(memcmp(a->bva_by_type, b->bva_by_type, sizeof a->bva_by_type), 0);
    cr_assert_eq(memcmp(a->gl_actual_monthly, b->gl_actual_monthly, sizeof a->gl_actual_monthly), 0);
    cr_assert_eq(memcmp(a->gl_budget_monthly, b->gl_budget_monthly, sizeof a->gl_budget_monthly), 0);
    cr_assert_eq(memcmp(a->heat_map, b->heat_map, sizeof a->heat_map), 0);
    cr_assert_eq(memcmp(a->areas_present, b->areas_present, sizeof a->areas_present), 0);
    cr_assert_eq(a->n_spc, b->n_spc, "%s: SPC charts", what);
    for (size_t i = 0; i < a->n_spc; i++) {
        const spc_chart_t *x = &a->spc[i], *y = &b->spc[i];
        cr_assert_str_eq(x->line, y->line);
        cr_assert_eq(x->n_points, y->n_points, "%s: SPC %s points", what, x->line);
        cr_assert_eq(memcmp(x->xbar, y->xbar, x->n_points * sizeof(double)), 0, "%s: SPC %s x-bar", what, x->line);
        cr_assert_eq(memcmp(x->s, y->s, x->n_points * sizeof(double)), 0, "%s: SPC %s s", what, x->line);
        cr_assert_eq(memcmp(x->day, y->day, x->n_points * sizeof *x->day), 0);
        cr_assert(same_bits(x->centre, y->centre) && same_bits(x->ucl, y->ucl) && same_bits(x->cpk, y->cpk),
                  "%s: SPC %s limits", what, x->line);
    }
    cr_assert_eq(a->gl_detail.n_rows, b->gl_detail.n_rows, "%s: GL detail rows", what);
    long la, lb;
    unsigned char *sa = spool_bytes(a->gl_detail.spool, &la), *sb = spool_bytes(b->gl_detail.spool, &lb);
    cr_assert(la == lb && (!la || !memcmp(sa, sb, (size_t)la)), "%s: GL detail spool differs", what);
    free(sa);
    free(sb);

    ops_error_t err = { 0 };
    render_info_t info = { "test", "config/opsreport.ini", "0", "run", false, "templates", 1000 };
    unsigned char *xa = NULL, *xb = NULL;
    size_t na = 0, nb = 0;
    cr_assert_eq(render_xlsx_to_memory(a, &info, &xa, &na, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(render_xlsx_to_memory(b, &info, &xb, &nb, &err), OPS_OK, "%s", err.message);
    cr_assert(na > 1000 && na == nb && !memcmp(xa, xb, na), "%s: workbooks differ (%zu and %zu bytes)", what, na, nb);
    free(xa);
    free(xb);
}

static void check_split(const char *scope, size_t n_parts)
{
    sample_t s = { 0 };
    sample_load(&s);
    report_model_t *one = single_pass(&s, scope);
    report_model_t *merged = split_pass(&s, scope, n_parts);
    char what[64];
    snprintf(what, sizeof what, "%s in %zu parts", scope ? scope : "all", n_parts);
    assert_models_equal(one, merged, what);
    cr_assert_gt(one->n_kpis, 20, "the sample month has KPIs to compare");
    cr_assert_gt(one->n_bva_lines, 10);
    cr_assert_gt(one->gl_detail.n_rows, 10);
    report_model_free(one);
    report_model_free(merged);
    sample_free(&s);
}

Test(analyse_merge, two_parts_equal_one_pass, .timeout = 180) { check_split(NULL, 2); }
Test(analyse_merge, three_parts_equal_one_pass, .timeout = 180) { check_split(NULL, 3); }
Test(analyse_merge, seven_parts_equal_one_pass, .timeout = 180) { check_split(NULL, 7); }
/* moved instead of copied (the SPC subgroups and lines): the same model and workbook */
Test(analyse_merge, seven_parts_absorbed_equal_one_pass, .timeout = 180)
{
    g_absorb = true;
    check_split(NULL, 7);
    g_absorb = false;
}

/* A part with no rows at all merges as nothing. */
Test(analyse_merge, empty_part_changes_nothing, .timeout = 180)
{
    sample_t s = { 0 };
    sample_load(&s);
    ops_error_t err = { 0 };
    analyse_t *a = NULL, *empty = NULL;
    cr_assert_eq(analyse_new(s.cfg, s.period, NULL, &a, &err), OPS_OK);
    cr_assert_eq(analyse_new(s.cfg, s.period, NULL, &empty, &err), OPS_OK);
    for (size_t i = 0; i < s.cfg->n_inputs; i++)
        cr_assert_eq(ingest_input(&s.cfg->inputs[i], "sample-data", s.cfg->minor_units, NULL, analyse_record, a,
                                  &s.stats[i], &err),
                     OPS_OK, "%s", err.message);
    cr_assert_eq(analyse_merge(a, empty, &err), OPS_OK, "%s", err.message);
    report_model_t *merged = finish(&s, a);
    analyse_free(a);
    analyse_free(empty);
    report_model_t *one = single_pass(&s, NULL);
    assert_models_equal(one, merged, "with an empty part");
    report_model_free(one);
    report_model_free(merged);
    sample_free(&s);
}

/* Different periods never merge: the message says so. */
Test(analyse_merge, refuses_another_period)
{
    sample_t s = { 0 };
    sample_load(&s);
    ops_error_t err = { 0 };
    period_t other;
    cr_assert(period_parse("2026-09", &other));
    analyse_t *a = NULL, *b = NULL;
    cr_assert_eq(analyse_new(s.cfg, s.period, NULL, &a, &err), OPS_OK);
    cr_assert_eq(analyse_new(s.cfg, other, NULL, &b, &err), OPS_OK);
    cr_assert_neq(analyse_merge(a, b, &err), OPS_OK);
    cr_assert_not_null(strstr(err.message, "period"), "%s", err.message);
    analyse_free(a);
    analyse_free(b);
    sample_free(&s);
}

/* ingest_stats_merge: counts add, the first rejects keep the first part's first. */
Test(analyse_merge, ingest_stats_add_up)
{
    ingest_stats_t a = { .present = true, .rows_read = 10, .rows_accepted = 7, .rows_rejected = 2, .rows_filtered = 1,
                         .physical_lines = 11, .rounded_amounts = 1, .rounding_residual = -5, .n_money = 1 };
    ingest_stats_t b = { .present = true, .rows_read = 5, .rows_accepted = 5, .physical_lines = 5,
                         .rounding_residual = 3, .n_money = 1 };
    snprintf(a.name, sizeof a.name, "gl");
    snprintf(a.money[0].field, sizeof a.money[0].field, "amount");
    snprintf(b.money[0].field, sizeof b.money[0].field, "amount");
    a.money[0].total_accepted = 1000;
    b.money[0].total_accepted = -250;
    a.field_mapped[2] = true;
    b.field_mapped[3] = true;
    a.n_first_rejects = INGEST_FIRST_REJECTS - 1;
    for (size_t i = 0; i < a.n_first_rejects; i++)
        a.first_rejects[i].line = (long)i + 2;
    b.n_first_rejects = 2;
    b.first_rejects[0].line = 100;
    b.first_rejects[1].line = 101;
    ingest_stats_merge(&a, &b);
    cr_assert_eq(a.rows_read, 15);
    cr_assert_eq(a.rows_accepted, 12);
    cr_assert_eq(a.rows_rejected, 2);
    cr_assert_eq(a.physical_lines, 16);
    cr_assert_eq(a.rounding_residual, -2);
    cr_assert_eq(a.money[0].total_accepted, 750);
    cr_assert(a.field_mapped[2] && a.field_mapped[3] && !a.field_mapped[4]);
    cr_assert_eq(a.n_first_rejects, INGEST_FIRST_REJECTS);
    cr_assert_eq(a.first_rejects[INGEST_FIRST_REJECTS - 1].line, 100);
    cr_assert(ingest_stats_reconciles(&a));
}

/* ---- save / load ------------------------------------------------------------ */

/* save, load, finish == finish of the state saved */
Test(analyse_merge, save_load_round_trip, .timeout = 180)
{
    sample_t s = { 0 };
    sample_load(&s);
    ops_error_t err = { 0 };
    analyse_t *a = ingest_all(&s, NULL);
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    cr_assert_eq(analyse_save(a, f, &err), OPS_OK, "%s", err.message);
    cr_assert_gt(ftell(f), 1000);
    report_model_t *one = finish(&s, a); /* the spool keeps its rows after a save */
    analyse_free(a);
    rewind(f);
    analyse_t *b = NULL;
    cr_assert_eq(analyse_load(f, s.cfg, s.period, &b, &err), OPS_OK, "%s", err.message);
    cr_assert_null(analyse_scope(b));
    report_model_t *loaded = finish(&s, b);
    analyse_free(b);
    fclose(f);
    assert_models_equal(one, loaded, "saved and loaded");
    report_model_free(one);
    report_model_free(loaded);
    sample_free(&s);
}

/* three parts, each saved and loaded, then merged == one pass */
Test(analyse_merge, saved_parts_merge_to_one_pass, .timeout = 180)
{
    sample_t s = { 0 };
    sample_load(&s);
    report_model_t *one = single_pass(&s, NULL);
    report_model_t *merged = split_pass_io(&s, NULL, 3, true);
    assert_models_equal(one, merged, "3 saved parts");
    report_model_free(one);
    report_model_free(merged);
    sample_free(&s);
}

static analyse_t *empty_saved(sample_t *s, FILE *f)
{
    ops_error_t err = { 0 };
    analyse_t *a = NULL;
    cr_assert_eq(analyse_new(s->cfg, s->period, "North", &a, &err), OPS_OK);
    cr_assert_eq(analyse_save(a, f, &err), OPS_OK, "%s", err.message);
    rewind(f);
    return a;
}

/* another period or config: refused, naming both */
Test(analyse_merge, load_refuses_another_period_or_config)
{
    sample_t s = { 0 };
    sample_load(&s);
    ops_error_t err = { 0 };
    FILE *f = tmpfile();
    analyse_free(empty_saved(&s, f));
    period_t other;
    cr_assert(period_parse("2026-09", &other));
    analyse_t *b = NULL;
    cr_assert_neq(analyse_load(f, s.cfg, other, &b, &err), OPS_OK);
    cr_assert_null(b);
    cr_assert(strstr(err.message, "2026-10") && strstr(err.message, "2026-09"), "%s", err.message);
    rewind(f);
    char saved_sha[65];
    snprintf(saved_sha, sizeof saved_sha, "%s", s.cfg->sha256);
    snprintf(s.cfg->sha256, sizeof s.cfg->sha256, "%s", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    cr_assert_neq(analyse_load(f, s.cfg, s.period, &b, &err), OPS_OK);
    char want[16];
    snprintf(want, sizeof want, "%.12s", saved_sha);
    cr_assert(strstr(err.message, want) && strstr(err.message, "0123456789ab"), "%s", err.message);
    /* the same config and period: the scope comes back */
    snprintf(s.cfg->sha256, sizeof s.cfg->sha256, "%s", saved_sha);
    rewind(f);
    cr_assert_eq(analyse_load(f, s.cfg, s.period, &b, &err), OPS_OK, "%s", err.message);
    cr_assert_str_eq(analyse_scope(b), "North");
    analyse_free(b);
    fclose(f);
    sample_free(&s);
}

/* a file cut short, or not a partial at all, is refused */
Test(analyse_merge, load_refuses_damaged_files)
{
    sample_t s = { 0 };
    sample_load(&s);
    ops_error_t err = { 0 };
    FILE *f = tmpfile();
    analyse_free(empty_saved(&s, f));
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    unsigned char *bytes = malloc((size_t)len);
    rewind(f);
    cr_assert_eq(fread(bytes, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    long cuts[] = { 10, 40, len / 2, len - 1 };
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        FILE *g = tmpfile();
        cr_assert_eq(fwrite(bytes, 1, (size_t)cuts[i], g), (size_t)cuts[i]);
        rewind(g);
        analyse_t *b = NULL;
        cr_assert_neq(analyse_load(g, s.cfg, s.period, &b, &err), OPS_OK, "cut at %ld of %ld", cuts[i], len);
        cr_assert_null(b);
        fclose(g);
    }
    FILE *g = tmpfile();
    fputs("period,amount\n2026-10,1\n", g);
    rewind(g);
    analyse_t *b = NULL;
    cr_assert_neq(analyse_load(g, s.cfg, s.period, &b, &err), OPS_OK);
    cr_assert_not_null(strstr(err.message, "not an opsreport partial"), "%s", err.message);
    fclose(g);
    free(bytes);
    sample_free(&s);
}

/* ---- xsum: exact sums, whatever the order and the split ---------------------- */

#include "analyse/analyse_internal.h"

Test(analyse_merge, xsum_is_the_exact_sum_correctly_rounded)
{
    static const struct {
        double v[6];
        size_t n;
        double want;
    } cases[] = {
        { { 0.1, 0.1, 0.1, 0.1, 0.1, 0.1 }, 6, 0.6000000000000001 }, /* the exact sum of six 0.1 doubles, rounded */
        { { 1e16, 1.0, -1e16 }, 3, 1.0 },                            /* naive: 0 */
        { { 0.8, 0.8, 0.8 }, 3, 2.4000000000000004 },
        { { 1e100, 1.0, -1e100, 1e-100 }, 4, 1.0 },
        { { 0 }, 0, 0.0 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        xsum_t fwd = { 0 }, rev = { 0 }, a = { 0 }, b = { 0 };
        for (size_t i = 0; i < cases[c].n; i++) {
            xsum_add(&fwd, cases[c].v[i]);
            xsum_add(&rev, cases[c].v[cases[c].n - 1 - i]);
            xsum_add(i % 2 ? &b : &a, cases[c].v[i]);
        }
        xsum_merge(&a, &b);
        cr_assert(same_bits(xsum_value(&fwd), cases[c].want), "case %zu: %.17g, want %.17g", c, xsum_value(&fwd),
                  cases[c].want);
        cr_assert(same_bits(xsum_value(&rev), cases[c].want), "case %zu reversed", c);
        cr_assert(same_bits(xsum_value(&a), cases[c].want), "case %zu split and merged", c);
    }
}

/* moments_t by hand: 2 4 4 4 5 5 7 9 has mean 5 and sample sd sqrt(32/7);
 * any split, merged in any order, gives the same bits, in constant memory */
Test(merge, moments_exact_and_order_free)
{
    static const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
    moments_t all = { 0 }, a = { 0 }, b = { 0 }, rev = { 0 };
    for (size_t i = 0; i < 8; i++) {
        moments_add(&all, x[i]);
        moments_add(i % 3 ? &a : &b, x[i]);
        moments_add(&rev, x[7 - i]);
    }
    cr_expect_eq(all.n, 8);
    cr_expect_eq(moments_mean(&all), 5.0);
    cr_expect_float_eq(moments_sd(&all), sqrt(32.0 / 7.0), 1e-15);
    moments_t ba = b;
    moments_merge(&ba, &a);
    cr_expect_eq(moments_mean(&ba), moments_mean(&all));
    cr_expect_eq(moments_sd(&ba), moments_sd(&all));
    cr_expect_eq(moments_sd(&rev), moments_sd(&all));
    moments_t one = { 0 };
    cr_expect(isnan(moments_mean(&one)));
    moments_add(&one, 412.25);
    cr_expect_eq(moments_mean(&one), 412.25);
    cr_expect(isnan(moments_sd(&one)));
}

/* analyse_finish_ready: the hook sees the model's GL part complete (the
 * Budget vs Actual lines and the detail spool of the sample month, no KPI
 * of the areas yet), and the finished model keeps exactly that part. */
typedef struct {
    int calls;
    size_t n_bva_lines, n_kpis;
    const bva_row_t *bva_lines;
    FILE *spool;
    uint64_t detail_rows;
} ready_seen_t;

static ops_status_t ready_record(void *ctx, const report_model_t *m, ops_error_t *err)
{
    (void)err;
    ready_seen_t *r = ctx;
    r->calls++;
    r->n_bva_lines = m->n_bva_lines;
    r->bva_lines = m->bva_lines;
    r->n_kpis = m->n_kpis;
    r->spool = m->gl_detail.spool;
    r->detail_rows = m->gl_detail.n_rows;
    return OPS_OK;
}

Test(analyse_merge, ready_sees_the_gl_part_before_the_areas, .timeout = 180)
{
    sample_t s = { 0 };
    sample_load(&s);
    analyse_t *a = ingest_all(&s, NULL);
    ready_seen_t seen = { 0 };
    analyse_ready_t ready = { ready_record, NULL, &seen };
    ops_error_t err = { 0 };
    report_model_t *m = NULL;
    cr_assert_eq(analyse_finish_ready(a, s.stats, s.cfg->n_inputs, &ready, &m, &err), OPS_OK, "%s", err.message);
    cr_assert_eq(seen.calls, 1);
    cr_assert_eq(seen.n_kpis, 0, "the areas had not finished");
    cr_assert_gt(m->n_kpis, 0);
    cr_assert_gt(seen.n_bva_lines, 0);
    cr_assert_not_null(seen.spool);
    cr_assert_gt(seen.detail_rows, 0);
    cr_assert_eq(m->n_bva_lines, seen.n_bva_lines);
    cr_assert_eq(m->bva_lines, seen.bva_lines, "the lines the hook saw are the model's, not moved");
    cr_assert_eq(m->gl_detail.spool, seen.spool);
    cr_assert_eq(m->gl_detail.n_rows, seen.detail_rows);
    /* the sample GL's October lines, counted in the file, less the one
     * rejected for its account type Capex: what the spool holds */
    FILE *gl = fopen("sample-data/gl_actuals.csv", "r");
    cr_assert_not_null(gl);
    char line[4096];
    uint64_t october = 0;
    while (fgets(line, sizeof line, gl))
        october += strlen(line) > 11 && !memcmp(line + 2, ".10.2026;", 9) && !strstr(line, ";Capex;");
    fclose(gl);
    cr_assert_eq(seen.detail_rows, october, "spool %lu, file %lu", (unsigned long)seen.detail_rows,
                 (unsigned long)october);
    report_model_free(m);
    analyse_free(a);
    sample_free(&s);
}
