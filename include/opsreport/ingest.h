/*
 * ingest.h - streaming, audited reading of one CSV export.
 *
 * ingest_input() reads the file named by an [input.NAME] section with libcsv,
 * decodes it to UTF-8, maps the header row to the kind's logical fields,
 * parses and validates every row (pipeline/validate), and hands each accepted
 * row to a sink callback as typed values. Bad rows go to the rejects writer.
 * Memory does not grow with the number of rows: only with the number of
 * distinct keys (duplicate detection, event-log latest rows).
 */
#ifndef OPSREPORT_INGEST_H
#define OPSREPORT_INGEST_H

#include "opsreport/common.h"
#include "opsreport/config.h"
#include "opsreport/rejects.h"

#include <stdio.h>

typedef struct {
    bool present;            /* false: empty, a missing token, or column absent */
    const char *text;        /* raw UTF-8 text, trimmed; valid during the callback only */
    size_t len;
    union {
        int64_t i;           /* FT_INT */
        int64_t money;       /* FT_MONEY, minor units */
        double num;          /* FT_DECIMAL */
        int32_t date;        /* FT_DATE, days since 1970-01-01 */
        int64_t ts;          /* FT_TIMESTAMP, seconds since 1970-01-01 UTC */
        int enum_index;      /* FT_ENUM */
        bool b;              /* FT_BOOL */
    } v;
    int64_t residual;        /* FT_MONEY: as written - rounded, millionths of a minor unit */
    uint8_t grain;           /* FT_DATE: 0 day, 1 month, 2 year (year-only budget lines) */
} field_value_t;

typedef struct {
    const input_config_t *input;
    const field_value_t *values; /* schema->n_fields values */
    long line;                   /* physical line where the row starts */
} ingest_record_t;

/* Called for each accepted row; returning non-OK stops the ingest. */
typedef ops_status_t (*ingest_record_fn)(void *ctx, const ingest_record_t *rec, ops_error_t *err);

#define INGEST_MAX_MONEY 4
#define INGEST_FIRST_REJECTS 10

typedef struct {
    long line;
    char column[64];
    char value[96];
    char reason[160];
} reject_summary_t;

typedef struct {
    char name[64];               /* input name */
    char kind[32];
    char path[1024];
    bool present;                /* false: optional input not found */
    uint64_t bytes;
    char sha256[65];
    /* rows_read = rows_accepted + rows_rejected + rows_filtered + rows_superseded */
    uint64_t rows_read;          /* data records (header excluded) */
    uint64_t rows_accepted;      /* passed validation and handed on */
    uint64_t rows_rejected;
    uint64_t rows_filtered;      /* left out by where./skip. filters */
    uint64_t rows_superseded;    /* event log rows replaced by a later update */
    /* the reader's own counts: nothing merged silently */
    uint64_t physical_lines;     /* lines of the file, blank ones included */
    uint64_t multiline_records;  /* records with a quoted field spanning lines */
    size_t n_multiline_ranges;
    long multiline_ranges[INGEST_FIRST_REJECTS][2]; /* first line ranges, inclusive */
    uint64_t overlong_records;   /* records rejected for spanning > max_field_lines */
    uint64_t invalid_bytes;      /* bytes not valid in the input's encoding, read as U+FFFD */
    /* amounts with more decimals than minor_units, rounded half to even */
    uint64_t rounded_amounts;
    int64_t rounding_residual;   /* sum of (as written - rounded), millionths of a minor unit */
    /* true where the field has a source (a column, const., default. or derived);
     * a KPI whose fields are all unmapped is n/a, never 0 */
    bool field_mapped[CONFIG_MAX_FIELDS];
    size_t n_money;
    struct {
        char field[32];
        int64_t total_accepted;  /* sum over accepted rows */
        int64_t total_rejected;  /* sum over rejected rows where the amount parsed */
        uint64_t unparsed;       /* rejected rows whose amount itself was bad or missing */
    } money[INGEST_MAX_MONEY];
    size_t n_first_rejects;
    reject_summary_t first_rejects[INGEST_FIRST_REJECTS];
    double seconds;
} ingest_stats_t;

/* rows read = accepted + rejected + filtered + superseded */
bool ingest_stats_reconciles(const ingest_stats_t *s);

/* Reads data_dir/input->file. rejects may be NULL (validate-only counting).
 * Returns OPS_ERR_INPUT for a missing file (unless optional: then stats->present
 * is false and OPS_OK) or an unmapped required column; err lists the headers found. */
ops_status_t ingest_input(const input_config_t *input, const char *data_dir, int minor_units,
                          rejects_writer_t *rejects, ingest_record_fn sink, void *sink_ctx,
                          ingest_stats_t *stats, ops_error_t *err);

/* Checks that data_dir/input->file can be opened and that its header row
 * (the first record, read through the input's dialect and encoding) carries
 * every mapped column, exactly as ingest_input would map it; reads no rows.
 * Fills stats' name, kind, path, present and field_mapped only. Same errors
 * as ingest_input: OPS_ERR_INPUT for a missing file (an optional one: OPS_OK,
 * present false), an empty file or a header that cannot be mapped. */
ops_status_t ingest_check_header(const input_config_t *input, const char *data_dir,
                                 ingest_stats_t *stats, ops_error_t *err);

/* Reading one input in parts, each in its own thread (run --jobs N). A part
 * starts just after an LF: a guess at a record start, confirmed or corrected
 * once the part before it has been read (ingest_plan_joined). The rows of the
 * parts, taken in part order, are those of ingest_input, with the same line
 * numbers; the stats of ingest_plan_finish are ingest_input's. */
typedef struct ingest_plan ingest_plan_t;

/* Plans reading input in up to want parts. *plan stays NULL when the input is
 * better read whole by ingest_input: a kind with a key or an event log, an
 * encoding with multi-byte units, a file that is not regular, missing or
 * under 4 MB a part. Owned by the caller: ingest_plan_free. */
ops_status_t ingest_plan_new(const input_config_t *input, const char *data_dir, int minor_units, size_t want,
                             ingest_plan_t **plan, ops_error_t *err);
size_t ingest_plan_parts(const ingest_plan_t *plan);
/* Whether ingest_plan_new would split input (at want >= 2), by its kind,
 * encoding and the file's type and size alone: nothing is read. */
bool ingest_splits(const input_config_t *input, const char *data_dir);
/* Reads part k: its rows to sink, its bad rows to rejects (may be NULL).
 * Parts may be read at once by different threads. For k > 0 the outcome,
 * an error included, holds only once ingest_plan_joined(plan, k) is true. */
ops_status_t ingest_plan_read(ingest_plan_t *plan, size_t k, rejects_writer_t *rejects, ingest_record_fn sink,
                              void *sink_ctx, ops_error_t *err);
/* After parts k - 1 (joined) and k were read: true if part k began where
 * part k - 1 ended. false: its start has moved there; discard what it gave
 * the sink and the rejects and read it again (then it is joined). */
bool ingest_plan_joined(ingest_plan_t *plan, size_t k);
/* Makes part k's start certain without reading the parts before it in
 * full (a shard reads one slice of a file on its own): a guess with no
 * quote char before it starts a record; else the records of the parts
 * before are found (not read, a quarter of the cost) up to the one that
 * ends at or after it. Then reading part k gives its rows as one pass. */
ops_status_t ingest_plan_settle(ingest_plan_t *plan, size_t k, ops_error_t *err);
/* Where a part was read, for the merge of slices to check they join. */
typedef struct {
    int64_t size;                /* the file's bytes */
    int64_t start, start_line;   /* offset and line number where the part began */
    int64_t end, end_line;       /* where it stopped */
    bool hit_eof;
} ingest_span_t;
/* Part k's own stats (with the file's hash and bytes once ingest_plan_hash
 * ran) and its span. */
void ingest_plan_part(const ingest_plan_t *plan, size_t k, ingest_stats_t *stats, ingest_span_t *span);
/* SHA-256 of the whole file; may run beside the parts' reading. */
ops_status_t ingest_plan_hash(ingest_plan_t *plan, ops_error_t *err);
/* Once every part is read and joined and the file hashed: the input's stats,
 * and OPS_ERR_INPUT if the file changed while it was read. */
ops_status_t ingest_plan_finish(ingest_plan_t *plan, ingest_stats_t *stats, ops_error_t *err);
void ingest_plan_free(ingest_plan_t *plan);

#endif
