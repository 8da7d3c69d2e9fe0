/*
 * freshness.h - the freshness and completeness gate of a run.
 *
 * An export that stopped early looks like a quiet month: every KPI computes,
 * and nothing says that the last ten days are missing. The gate watches the
 * accepted rows of every input as they stream by (one date field per kind,
 * see the table in freshness.c) and, after ingest, runs three checks per
 * input:
 *   latest_date     the latest date on or before the period end reaches
 *                   [input.NAME] expect_through (default: the period end)
 *                   less max_staleness_days (default 3);
 *   rows_in_period  the period has rows when earlier months had some;
 *   row_count_drop  the period's rows fell by no more than max_row_drop_pct
 *                   (default 50) from the month before.
 * A failed check is a data-quality finding: listed in the manifest with
 * every other check and its outcome, shown first in the attention list, and
 * it holds the email (exit code 9) unless `run --force` or [email]
 * send_when_incomplete = true. Kinds without a date that says how far an
 * export reaches (budgets, registers, master data) are not checked.
 */
#ifndef OPSREPORT_FRESHNESS_H
#define OPSREPORT_FRESHNESS_H

#include "opsreport/config.h"
#include "opsreport/ingest.h"
#include "opsreport/period.h"

#define FRESHNESS_CHECKS 3
#define FRESHNESS_TEXT 300

typedef struct {
    const char *name;            /* "latest_date", "rows_in_period", "row_count_drop" */
    const char *outcome;         /* "pass", "fail", "not_applicable" */
    char detail[FRESHNESS_TEXT]; /* what was found, in words */
} freshness_check_t;

typedef struct {
    const input_config_t *input;
    int field;                   /* date field index checked, -1: the kind has none */
    bool dated;                  /* some accepted row had the field */
    int32_t latest;              /* latest day on or before the period end */
    bool after_end;              /* some row is dated after the period end */
    uint64_t rows_period, rows_previous, rows_earlier; /* earlier: any month before */
    freshness_check_t checks[FRESHNESS_CHECKS];
} freshness_input_t;

typedef struct {
    period_t period;
    freshness_input_t *inputs;   /* one per cfg->inputs, same order */
    size_t n_inputs;
    size_t n_failed;             /* failed checks after freshness_finish */
} freshness_t;

/* Zeroed gate for cfg's inputs; OPS_ERR_NOMEM. Free with freshness_free. */
ops_status_t freshness_init(freshness_t *f, const config_t *cfg, period_t period, ops_error_t *err);
void freshness_free(freshness_t *f);
/* Notes one accepted row (rec->input must be one of cfg->inputs). */
void freshness_record(freshness_t *f, const config_t *cfg, const ingest_record_t *rec);
/* Adds what src saw of an input to dst's entry for it (the counts of rows
 * read elsewhere: a shard, or a part of the file). */
void freshness_merge_input(freshness_input_t *dst, const freshness_input_t *src);
/* Runs the checks; stats gives each input's presence (same order). */
void freshness_finish(freshness_t *f, const ingest_stats_t *stats);
/* The failed checks as sentences, at most max, each FRESHNESS_TEXT bytes;
 * returns how many. One per input and problem: a period without rows is not
 * also reported as stale. */
size_t freshness_findings(const freshness_t *f, char out[][FRESHNESS_TEXT], size_t max);

#endif
