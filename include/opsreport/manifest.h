/*
 * manifest.h - manifest.json of a run: what went in (paths, bytes, SHA-256,
 * row counts, control totals), how long each stage took, what came out.
 */
#ifndef OPSREPORT_MANIFEST_H
#define OPSREPORT_MANIFEST_H

#include "opsreport/config.h"
#include "opsreport/ingest.h"
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
} manifest_t;

/* Writes dir/manifest.json atomically. */
ops_status_t manifest_write(const manifest_t *m, const char *dir, ops_error_t *err);
/* Formats minor units as a decimal string "-1234.56" (exact, no floating point). */
void money_to_text(int64_t minor, int minor_units, char *buf, size_t size);

#endif
