/*
 * shard.h - run partials: `opsreport run --partial FILE [--shard K/N]` and
 * `opsreport merge PARTIAL...` (merge.c).
 *
 * Shard rule: a large input of a kind whose rows stand alone (ingest.h:
 * ingest_plan_new splits it in N) is read in slices, slice K - 1 by shard K
 * (shards past its last slice take none). The other inputs are dealt whole,
 * in config order, as contiguous blocks. A "unit" is one such input, except
 * that every employees, training and timesheets input joins the unit of the
 * first of them (training and timesheet rows are scoped by the employee's
 * site, so they must be read with the employees). Of U units, shard K of N
 * takes the units u (0-based) with u * N / U == K - 1. Merged in shard order,
 * rows of one input meet the accumulators in file order, as in one run, and
 * the rows of different inputs feed accumulators of their own.
 *
 * A run partial ("opsreport-partial" version 2, the writer's byte order):
 *   "opsreport-partial\n", u32 version, u32 0x01020304, u8 kind = 'R',
 *   text config sha256, text period, u32 K, u32 N, u64 inputs; per input:
 *   u8 taken (0 no, 1 whole, 2 a slice), and when a slice: u32 slice, u32
 *   slices, i64 file bytes, i64 start, i64 start line, i64 end, i64 end line,
 *   u8 reached the end; when taken: u64 sizeof(ingest_stats_t) + its bytes
 *   (a slice's own counts; the file's hash and bytes in slice 0's), its
 *   freshness counts, u64 length + its rejects.csv rows (no header);
 *   u64 scopes, then one analyse_save state per scope (the whole
 *   organisation first), then u32 "END!".
 */
#ifndef OPSREPORT_CLI_SHARD_H
#define OPSREPORT_CLI_SHARD_H

#include "opsreport/analyse.h"
#include "opsreport/freshness.h"
#include "opsreport/ingest.h"
#include "opsreport/rejects.h"

/* What a shard read of one input. */
typedef struct {
    uint8_t taken;               /* 0: nothing, 1: the whole input, 2: a slice */
    uint32_t slice, n_slices;    /* taken 2: which */
    ingest_span_t span;          /* taken 2: where it lay in the file */
} shard_piece_t;

/* Whether shard k of n (1-based) reads input i whole (n 0: every input).
 * sliced (per input, may be NULL) marks the inputs read in slices instead:
 * never taken whole, and no unit. */
bool shard_takes(const config_t *cfg, const bool *sliced, size_t i, int k, int n);
/* "K/N" with 1 <= K <= N; false on anything else. */
bool shard_parse(const char *text, int *k, int *n);

/* The path of input i's rejects rows while partial is being made. */
void shard_rejects_path(const char *partial, size_t i, char *buf, size_t size);

/* Writes the partial atomically (temp + rename); reads and removes the
 * rejects files of the taken inputs. */
/* pieces: per input, what this shard read of it. */
ops_status_t shard_write(const char *path, const config_t *cfg, period_t period, int k, int n,
                         analyse_t *const *scopes, size_t n_scopes, const shard_piece_t *pieces,
                         const ingest_stats_t *stats, const freshness_t *fresh, ops_error_t *err);

/* Reads every partial, sorts them by shard, checks that they are of cfg and
 * period and together cover every input once, and merges them into the
 * (empty) analyses of the run's scopes, stats, fresh, and the rows of the
 * rejects file at rejects_path (which has its header). */
ops_status_t shard_merge_all(const config_t *cfg, period_t period, char *const *paths, size_t n_paths,
                             analyse_t *const *scopes, const char *const *scope_names, size_t n_scopes,
                             ingest_stats_t *stats, freshness_t *fresh, const char *rejects_path,
                             ops_error_t *err);

#endif
