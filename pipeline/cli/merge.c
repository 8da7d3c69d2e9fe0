/*
 * merge.c - run partials: which inputs a shard reads, writing a shard's
 * partial, and merging partials back into one run's state (shard.h).
 */
#include "cli/shard.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SHARD_MAGIC "opsreport-partial\n"
#define SHARD_VERSION 2u
#define SHARD_BYTE_ORDER 0x01020304u
#define SHARD_END 0x21444e45u /* "END!" */
#define SHARD_KIND 'R'

static bool people_kind(input_kind_t k)
{
    return k == KIND_EMPLOYEES || k == KIND_TRAINING || k == KIND_TIMESHEETS;
}

bool shard_takes(const config_t *cfg, const bool *sliced, size_t i, int k, int n)
{
    if (sliced && sliced[i])
        return false;
    if (n <= 0)
        return true;
    size_t units = 0, unit_of_i = 0;
    long people_unit = -1;
    for (size_t j = 0; j < cfg->n_inputs; j++) {
        size_t u;
        if (sliced && sliced[j])
            continue;
        if (people_kind(cfg->inputs[j].schema->kind)) {
            if (people_unit < 0)
                people_unit = (long)units++;
            u = (size_t)people_unit;
        } else {
            u = units++;
        }
        if (j == i)
            unit_of_i = u;
    }
    return units && (int)(unit_of_i * (size_t)n / units) == k - 1;
}

bool shard_parse(const char *text, int *k, int *n)
{
    char tail;
    return sscanf(text, "%d/%d%c", k, n, &tail) == 2 && *n >= 1 && *n <= 100000 && *k >= 1 && *k <= *n;
}

void shard_rejects_path(const char *partial, size_t i, char *buf, size_t size)
{
    snprintf(buf, size, "%s.rejects-%zu.tmp", partial, i);
}

/* ---- writing ------------------------------------------------------------------ */

static bool put(FILE *f, const void *p, size_t n) { return !n || fwrite(p, 1, n, f) == n; }
static bool put_u32(FILE *f, uint32_t v) { return put(f, &v, sizeof v); }
static bool put_u64(FILE *f, uint64_t v) { return put(f, &v, sizeof v); }
static bool put_text(FILE *f, const char *s) { return put_u64(f, strlen(s)) && put(f, s, strlen(s)); }

static bool put_fresh(FILE *f, const freshness_input_t *fi)
{
    uint8_t flags = (uint8_t)(fi->dated | fi->after_end << 1);
    return put(f, &flags, 1) && put(f, &fi->latest, sizeof fi->latest) && put_u64(f, fi->rows_period) &&
           put_u64(f, fi->rows_previous) && put_u64(f, fi->rows_earlier);
}

/* The rows of a rejects file after its header line, appended to out. */
static bool put_rejects(FILE *out, const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return false;
    int c;
    while ((c = fgetc(in)) != EOF && c != '\n')
        ;
    long start = ftell(in);
    fseek(in, 0, SEEK_END);
    long end = ftell(in);
    bool ok = start >= 0 && end >= start && put_u64(out, (uint64_t)(end - start)) && fseek(in, start, SEEK_SET) == 0;
    char buf[65536];
    for (long left = end - start; ok && left > 0;) {
        size_t want = left < (long)sizeof buf ? (size_t)left : sizeof buf;
        ok = fread(buf, 1, want, in) == want && put(out, buf, want);
        left -= (long)want;
    }
    fclose(in);
    return ok;
}

static bool put_i64(FILE *f, int64_t v) { return put(f, &v, sizeof v); }

ops_status_t shard_write(const char *path, const config_t *cfg, period_t period, int k, int n,
                         analyse_t *const *scopes, size_t n_scopes, const shard_piece_t *pieces,
                         const ingest_stats_t *stats, const freshness_t *fresh, ops_error_t *err)
{
    char tmp[4096], per[8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    period_format(period, per);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot create the partial file");
    uint8_t kind = SHARD_KIND;
    bool ok = put(f, SHARD_MAGIC, strlen(SHARD_MAGIC)) && put_u32(f, SHARD_VERSION) && put_u32(f, SHARD_BYTE_ORDER) &&
              put(f, &kind, 1) && put_text(f, cfg->sha256) && put_text(f, per) && put_u32(f, (uint32_t)(n ? k : 1)) &&
              put_u32(f, (uint32_t)(n ? n : 1)) && put_u64(f, cfg->n_inputs);
    for (size_t i = 0; ok && i < cfg->n_inputs; i++) {
        const shard_piece_t *pc = &pieces[i];
        uint8_t taken = pc->taken, eof = pc->span.hit_eof;
        ok = put(f, &taken, 1);
        if (ok && taken == 2)
            ok = put_u32(f, pc->slice) && put_u32(f, pc->n_slices) && put_i64(f, pc->span.size) &&
                 put_i64(f, pc->span.start) && put_i64(f, pc->span.start_line) && put_i64(f, pc->span.end) &&
                 put_i64(f, pc->span.end_line) && put(f, &eof, 1);
        if (!ok || !taken)
            continue;
        char rpath[4200];
        shard_rejects_path(path, i, rpath, sizeof rpath);
        ok = put_u64(f, sizeof stats[i]) && put(f, &stats[i], sizeof stats[i]) && put_fresh(f, &fresh->inputs[i]) &&
             put_rejects(f, rpath);
    }
    ok = ok && put_u64(f, n_scopes);
    ops_status_t rc = OPS_OK;
    for (size_t s = 0; ok && s < n_scopes; s++)
        if ((rc = analyse_save(scopes[s], f, err)) != OPS_OK)
            ok = false;
    ok = ok && put_u32(f, SHARD_END);
    if (fflush(f) != 0 || ferror(f))
        ok = false;
    if (fclose(f) != 0)
        ok = false;
    if (ok && rename(tmp, path) != 0)
        ok = false;
    for (size_t i = 0; i < cfg->n_inputs; i++) {
        char rpath[4200];
        shard_rejects_path(path, i, rpath, sizeof rpath);
        unlink(rpath);
    }
    if (!ok) {
        unlink(tmp);
        return rc != OPS_OK ? rc : ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot write the partial file (disk full?)");
    }
    return OPS_OK;
}

/* ---- reading and merging ---------------------------------------------------- */

typedef struct {
    const char *path;
    size_t arg;                  /* position on the command line: the order of equal shards */
    int k, n;
    shard_piece_t *pieces;       /* per input */
    ingest_stats_t *stats;       /* per input (taken ones) */
    freshness_input_t *fresh;    /* per input (counts only) */
    GString **rejects;           /* per input (taken ones) */
    analyse_t **scopes;
    size_t n_scopes;
} shard_t;

static bool get(FILE *f, void *p, size_t n) { return !n || fread(p, 1, n, f) == n; }
static bool get_u32(FILE *f, uint32_t *v) { return get(f, v, sizeof *v); }
static bool get_u64(FILE *f, uint64_t *v) { return get(f, v, sizeof *v); }
static bool get_i64(FILE *f, int64_t *v) { return get(f, v, sizeof *v); }
static bool get_text(FILE *f, char *buf, size_t size)
{
    uint64_t len;
    if (!get_u64(f, &len) || len >= size)
        return false;
    buf[len] = '\0';
    return get(f, buf, (size_t)len);
}

static void shard_free(shard_t *s, size_t n_inputs)
{
    for (size_t i = 0; s->rejects && i < n_inputs; i++)
        if (s->rejects[i])
            g_string_free(s->rejects[i], TRUE);
    for (size_t j = 0; j < s->n_scopes; j++)
        analyse_free(s->scopes[j]);
    free(s->scopes);
    free(s->rejects);
    free(s->pieces);
    free(s->stats);
    free(s->fresh);
}

#define BAD(...) (rc = ops_error_set(err, OPS_ERR_INPUT, s->path, 0, NULL, __VA_ARGS__))

static ops_status_t shard_read(shard_t *s, const config_t *cfg, period_t period, ops_error_t *err)
{
    ops_status_t rc = OPS_OK;
    FILE *f = fopen(s->path, "rb");
    if (!f)
        return ops_error_set(err, OPS_ERR_INPUT, s->path, 0, NULL, "cannot open the partial file");
    char magic[sizeof SHARD_MAGIC] = "", sha[65], per[8], want[8];
    uint32_t version = 0, order = 0, k = 0, n = 0, end = 0;
    uint8_t kind = 0;
    uint64_t n_inputs = 0, n_scopes = 0;
    period_format(period, want);
    if (!get(f, magic, strlen(SHARD_MAGIC)) || strcmp(magic, SHARD_MAGIC)) {
        BAD("not an opsreport partial file");
        goto done;
    }
    if (!get_u32(f, &version) || !get_u32(f, &order) || version != SHARD_VERSION) {
        BAD("opsreport-partial version %u; this opsreport reads version %u", version, SHARD_VERSION);
        goto done;
    }
    if (order != SHARD_BYTE_ORDER) {
        BAD("written on a machine of another byte order");
        goto done;
    }
    if (!get(f, &kind, 1) || kind != SHARD_KIND || !get_text(f, sha, sizeof sha) || !get_text(f, per, sizeof per) ||
        !get_u32(f, &k) || !get_u32(f, &n) || !get_u64(f, &n_inputs) || k < 1 || k > n) {
        BAD("not the partial of a run (opsreport run --partial), or cut short");
        goto done;
    }
    if (strcmp(sha, cfg->sha256) || strcmp(per, want)) {
        BAD("partial of config sha256 %.12s, period %s; this merge has %s (sha256 %.12s), period %s", sha, per,
            cfg->path, cfg->sha256, want);
        goto done;
    }
    if (n_inputs != cfg->n_inputs) {
        BAD("partial of %llu inputs; the config has %zu", (unsigned long long)n_inputs, cfg->n_inputs);
        goto done;
    }
    s->k = (int)k;
    s->n = (int)n;
    size_t ni = cfg->n_inputs ? cfg->n_inputs : 1;
    s->pieces = calloc(ni, sizeof *s->pieces);
    s->stats = calloc(ni, sizeof *s->stats);
    s->fresh = calloc(ni, sizeof *s->fresh);
    s->rejects = calloc(ni, sizeof *s->rejects);
    if (!s->pieces || !s->stats || !s->fresh || !s->rejects) {
        rc = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < cfg->n_inputs; i++) {
        uint8_t taken = 0, flags = 0;
        uint64_t size = 0, len = 0;
        freshness_input_t *fi = &s->fresh[i];
        shard_piece_t *pc = &s->pieces[i];
        uint8_t eof = 0;
        if (!get(f, &taken, 1) || taken > 2)
            goto short_read;
        pc->taken = taken;
        if (taken == 2 &&
            (!get_u32(f, &pc->slice) || !get_u32(f, &pc->n_slices) || !get_i64(f, &pc->span.size) ||
             !get_i64(f, &pc->span.start) || !get_i64(f, &pc->span.start_line) || !get_i64(f, &pc->span.end) ||
             !get_i64(f, &pc->span.end_line) || !get(f, &eof, 1) || pc->slice >= pc->n_slices))
            goto short_read;
        pc->span.hit_eof = eof;
        if (!taken)
            continue;
        if (!get_u64(f, &size) || size != sizeof s->stats[i]) {
            BAD("written by an opsreport of another build (input counts of %llu bytes, here %zu)",
                (unsigned long long)size, sizeof s->stats[i]);
            goto done;
        }
        if (!get(f, &s->stats[i], sizeof s->stats[i]) || !get(f, &flags, 1) ||
            !get(f, &fi->latest, sizeof fi->latest) || !get_u64(f, &fi->rows_period) ||
            !get_u64(f, &fi->rows_previous) || !get_u64(f, &fi->rows_earlier) || !get_u64(f, &len) ||
            len > ((uint64_t)1 << 36))
            goto short_read;
        fi->dated = flags & 1;
        fi->after_end = flags >> 1 & 1;
        s->rejects[i] = g_string_sized_new((gsize)len);
        g_string_set_size(s->rejects[i], (gsize)len);
        if (!get(f, s->rejects[i]->str, (size_t)len))
            goto short_read;
    }
    if (!get_u64(f, &n_scopes) || n_scopes > 1024)
        goto short_read;
    s->scopes = calloc(n_scopes ? n_scopes : 1, sizeof *s->scopes);
    if (!s->scopes) {
        rc = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto done;
    }
    for (size_t j = 0; j < n_scopes; j++) {
        if ((rc = analyse_load(f, cfg, period, &s->scopes[j], err)) != OPS_OK) {
            char msg[sizeof err->message];
            snprintf(msg, sizeof msg, "%s", err->message);
            BAD("%s", msg);
            goto done;
        }
        s->n_scopes++;
    }
    if (!get_u32(f, &end) || end != SHARD_END)
        goto short_read;
    goto done;
short_read:
    BAD("the partial file is damaged or cut short");
done:
    fclose(f);
    return rc;
}

static int by_shard(const void *a, const void *b)
{
    const shard_t *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    if (x->k != y->k)
        return x->k < y->k ? -1 : 1;
    return x->arg < y->arg ? -1 : x->arg > y->arg;
}

/* The slices of each input (sh in shard order): all there, once each, in
 * order, each beginning where the one before ended in the same file. */
static ops_status_t slices_check(const config_t *cfg, const shard_t *sh, size_t n_paths, ops_error_t *err)
{
    for (size_t i = 0; i < cfg->n_inputs; i++) {
        const shard_piece_t *prev = NULL;
        const char *prev_path = NULL;
        uint32_t want = 0, n = 0;
        for (size_t p = 0; p < n_paths; p++) {
            const shard_piece_t *pc = &sh[p].pieces[i];
            if (pc->taken != 2)
                continue;
            const char *name = cfg->inputs[i].name;
            if (prev && pc->n_slices != n)
                return ops_error_set(err, OPS_ERR_INPUT, sh[p].path, 0, NULL,
                                     "input %s: a slice of %u where %s has a slice of %u: shards of two runs?", name,
                                     pc->n_slices, prev_path, n);
            if (pc->slice != want)
                return ops_error_set(err, OPS_ERR_INPUT, sh[p].path, 0, NULL,
                                     "input %s: slice %u of %u where slice %u was due: %s", name, pc->slice + 1,
                                     pc->n_slices, want + 1,
                                     pc->slice < want ? "a shard given twice?" : "a shard is missing");
            if (prev && (pc->span.size != prev->span.size || pc->span.start != prev->span.end ||
                         pc->span.start_line != prev->span.end_line))
                return ops_error_set(err, OPS_ERR_INPUT, sh[p].path, 0, NULL,
                                     "input %s: slice %u begins at byte %lld (line %lld) of a %lld-byte file, but "
                                     "slice %u in %s ended at byte %lld (line %lld) of a %lld-byte file: were the "
                                     "shards given the same file?",
                                     name, pc->slice + 1, (long long)pc->span.start, (long long)pc->span.start_line,
                                     (long long)pc->span.size, want, prev_path, (long long)prev->span.end,
                                     (long long)prev->span.end_line, (long long)prev->span.size);
            prev = pc;
            prev_path = sh[p].path;
            n = pc->n_slices;
            want++;
        }
        if (prev && want != n)
            return ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL,
                                 "input %s: slices %u to %u of %u are in none of the %zu partials: a shard is missing",
                                 cfg->inputs[i].name, want + 1, n, n, n_paths);
        if (prev && prev->span.end != prev->span.size)
            return ops_error_set(err, OPS_ERR_INPUT, prev_path, 0, NULL,
                                 "input %s: the last slice ends at byte %lld of %lld", cfg->inputs[i].name,
                                 (long long)prev->span.end, (long long)prev->span.size);
    }
    return OPS_OK;
}

ops_status_t shard_merge_all(const config_t *cfg, period_t period, char *const *paths, size_t n_paths,
                             analyse_t *const *scopes, const char *const *scope_names, size_t n_scopes,
                             ingest_stats_t *stats, freshness_t *fresh, const char *rejects_path,
                             ops_error_t *err)
{
    ops_status_t rc = OPS_OK;
    shard_t *sh = calloc(n_paths ? n_paths : 1, sizeof *sh);
    bool *covered = calloc(cfg->n_inputs ? cfg->n_inputs : 1, sizeof *covered);
    FILE *rej = NULL;
    if (!sh || !covered) {
        rc = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto done;
    }
    for (size_t p = 0; p < n_paths; p++) {
        sh[p].path = paths[p];
        sh[p].arg = p;
        if ((rc = shard_read(&sh[p], cfg, period, err)) != OPS_OK)
            goto done;
    }
    /* shard order is config order and slice order: merged so, rows of an
     * input meet the accumulators as in one run */
    qsort(sh, n_paths, sizeof *sh, by_shard);
    if ((rc = slices_check(cfg, sh, n_paths, err)) != OPS_OK)
        goto done;
    for (size_t p = 0; p < n_paths; p++) {
        const shard_t *s = &sh[p];
        if (s->n_scopes != n_scopes) {
            rc = ops_error_set(err, OPS_ERR_INPUT, s->path, 0, NULL,
                               "partial of %zu report scopes; the config's recipients make %zu", s->n_scopes,
                               n_scopes);
            goto done;
        }
        for (size_t j = 0; j < n_scopes; j++) {
            const char *a = analyse_scope(s->scopes[j]), *b = scope_names[j];
            if ((a == NULL) != (b == NULL) || (a && strcmp(a, b))) {
                rc = ops_error_set(err, OPS_ERR_INPUT, s->path, 0, NULL, "partial of scope '%s' where the config has '%s'",
                                   a ? a : "(all)", b ? b : "(all)");
                goto done;
            }
        }
        for (size_t i = 0; i < cfg->n_inputs; i++) {
            if (!s->pieces[i].taken)
                continue;
            if (covered[i] && s->pieces[i].taken == 2) { /* the next slice (slices_check) */
                ingest_stats_merge(&stats[i], &s->stats[i]);
            } else if (covered[i]) {
                if (!strcmp(stats[i].sha256, s->stats[i].sha256)) {
                    rc = ops_error_set(err, OPS_ERR_INPUT, s->path, 0, NULL,
                                       "input %s (sha256 %.12s) is in two partials: a shard given twice?",
                                       cfg->inputs[i].name, s->stats[i].sha256);
                    goto done;
                }
                ingest_stats_merge(&stats[i], &s->stats[i]);
            } else {
                stats[i] = s->stats[i];
            }
            covered[i] = true;
            freshness_merge_input(&fresh->inputs[i], &s->fresh[i]);
        }
        for (size_t j = 0; j < n_scopes; j++)
            if ((rc = analyse_merge(scopes[j], s->scopes[j], err)) != OPS_OK)
                goto done;
    }
    for (size_t i = 0; i < cfg->n_inputs; i++)
        if (!covered[i]) {
            rc = ops_error_set(err, OPS_ERR_INPUT, NULL, 0, NULL,
                               "input %s is in none of the %zu partials: a shard is missing", cfg->inputs[i].name,
                               n_paths);
            goto done;
        }
    /* rejects rows in config order, then shard order: as one run writes them */
    if (!(rej = fopen(rejects_path, "ab"))) {
        rc = ops_error_set(err, OPS_ERR_OUTPUT, rejects_path, 0, NULL, "cannot append to the rejects file");
        goto done;
    }
    for (size_t i = 0; i < cfg->n_inputs; i++)
        for (size_t p = 0; p < n_paths; p++)
            if (sh[p].pieces[i].taken && !put(rej, sh[p].rejects[i]->str, sh[p].rejects[i]->len)) {
                rc = ops_error_set(err, OPS_ERR_OUTPUT, rejects_path, 0, NULL, "cannot write the rejects file");
                goto done;
            }
done:
    if (rej && fclose(rej) != 0 && rc == OPS_OK)
        rc = ops_error_set(err, OPS_ERR_OUTPUT, rejects_path, 0, NULL, "cannot write the rejects file");
    for (size_t p = 0; sh && p < n_paths; p++)
        shard_free(&sh[p], cfg->n_inputs);
    free(sh);
    free(covered);
    return rc;
}
