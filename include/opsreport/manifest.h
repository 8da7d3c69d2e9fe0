/*
 * manifest.h - manifest.json of a run: what went in (paths, bytes, SHA-256,
 * row counts, control totals), how long each stage took, what came out.
 *
 * Per input, besides the row counts (read, accepted, rejected, filtered,
 * superseded, and whether they reconcile): physical_lines, multiline_records
 * with the first multiline_ranges as [first, last] physical lines,
 * overlong_records (quoted fields over max_field_lines, their lines
 * rejected), invalid_bytes (not valid in the input's encoding),
 * rounded_amounts and rounding_residual (millionths of a minor unit).
 */
#ifndef OPSREPORT_MANIFEST_H
#define OPSREPORT_MANIFEST_H

#include "opsreport/config.h"
#include "opsreport/freshness.h"
#include "opsreport/ingest.h"
#include "opsreport/model.h"
#include "opsreport/runfolder.h"

#define MANIFEST_MAX_STAGES 12

typedef struct {
    const char *status;          /* "ok", "rejects_over_threshold", ... */
    const char *period;
    const char *run_id;
    const config_t *cfg;
    const ingest_stats_t *inputs;
    size_t n_inputs;
    size_t n_stages;
    struct { const char *name; double seconds; } stages[MANIFEST_MAX_STAGES];
    const runfolder_t *rf;
    const freshness_t *freshness; /* the gate's checks per input; NULL: not run */
    const model_archive_t *forecast_archive; /* earlier forecasts found / missing; NULL: no review */
} manifest_t;

/* Writes dir/manifest.json atomically. */
ops_status_t manifest_write(const manifest_t *m, const char *dir, ops_error_t *err);
/* Formats minor units as a decimal string "-1234.56" (exact, no floating point). */
void money_to_text(int64_t minor, int minor_units, char *buf, size_t size);

#endif
