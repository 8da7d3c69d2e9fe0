/*
 * analyse_internal.h - what the area modules of pipeline/analyse share.
 *
 * Each area (finance, procurement, inventory, service, people, projects,
 * risk, quality) is an area_module_t: create() makes its accumulators,
 * record() sees every accepted row of every input (and ignores the kinds it
 * does not use), finish() adds its KPIs and tables to the model. Months are
 * "slots" of a window of MODEL_WINDOW months ending at the report period
 * (slot MODEL_WINDOW-1 is the period, slot MODEL_WINDOW-13 the same month
 * last year), so monthly series are plain arrays.
 */
#ifndef OPSREPORT_ANALYSE_INTERNAL_H
#define OPSREPORT_ANALYSE_INTERNAL_H

#include "opsreport/analyse.h"

#include <glib.h>


#define SLOT_PERIOD (MODEL_WINDOW - 1)
#define SLOT_PRIOR (MODEL_WINDOW - 2)
#define SLOT_LAST_YEAR (MODEL_WINDOW - 13)

typedef struct {
    const config_t *cfg;
    const analysis_settings_t *settings;
    period_t period;
    int idx_period;       /* period_index(period) */
    int idx_first;        /* period index of slot 0 */
    int slot_fy_start;    /* slot of the first month of the fiscal year (>= 0) */
    int32_t period_first_day, period_last_day;
    const char *scope;    /* NULL: all sites/entities */
    bool input_absent[KIND_COUNT]; /* optional input configured but not found */
    bool input_rejected[KIND_COUNT]; /* read, and every row was rejected (none accepted) */
    /* the export has no source for the field (ingest's field_mapped false):
     * every value is absent, so what needs it cannot be computed */
    bool field_unmapped[KIND_COUNT][CONFIG_MAX_FIELDS];
} analyse_ctx_t;

/* The input is configured and was present (a missing optional input hides its area). */
bool ctx_has_input(const analyse_ctx_t *ctx, input_kind_t kind);
/* Takes from ingest's stats what ctx keeps per kind: absent, every row
 * rejected, unmapped fields. Inputs of kinds no schema knows are skipped. */
void ctx_set_stats(analyse_ctx_t *ctx, const ingest_stats_t *stats, size_t n_stats);
/* The input has rows to count: configured, present, not rejected entirely. */
bool ctx_input_usable(const analyse_ctx_t *ctx, input_kind_t kind);

/* Why what needs the input of `kind` (and the n fields of it, indices into
 * its schema) cannot be computed, into reason ("" and KPI_NA_NONE when it
 * can): no such input, every row rejected, or fields not in the export.
 * brief (may be NULL) gets the few words a KPI tile has room for. */
kpi_na_t ctx_needs(const analyse_ctx_t *ctx, input_kind_t kind, const int *fields, size_t n, char *reason,
                   size_t size, char *brief, size_t brief_size);
/* Keeps k when ctx_needs finds nothing missing; otherwise makes it n/a: value,
 * prior, last year, YTD and trend NAN, na and na_reason set. A KPI already n/a
 * keeps its first reason. Call after filling k. Returns whether k has values. */
bool kpi_needs(const analyse_ctx_t *ctx, kpi_t *k, input_kind_t kind, const int *fields, size_t n);
/* The same for a table: an n/a table has na_reason set and its rows dropped. */
bool table_needs(const analyse_ctx_t *ctx, model_table_t *t, input_kind_t kind, const int *fields, size_t n);
/* Whether every one of the fields of kind has a source (a column blanked, not a 0). */
bool ctx_fields_mapped(const analyse_ctx_t *ctx, input_kind_t kind, const int *fields, size_t n);
#define FIELDS(...) (const int[]){ __VA_ARGS__ }, sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int)

/* Sets every field of ctx for the period (window slots, fiscal year start,
 * settings from cfg->analysis); scope may be NULL. */
void analyse_ctx_init(analyse_ctx_t *ctx, const config_t *cfg, period_t period, const char *scope);

/* Slot of a day / timestamp, or -1 outside the window (after the period too). */
int ctx_slot_of_day(const analyse_ctx_t *ctx, int32_t day);
int ctx_slot_of_ts(const analyse_ctx_t *ctx, int64_t ts);
int32_t ctx_slot_first_day(const analyse_ctx_t *ctx, int slot);
int32_t ctx_slot_last_day(const analyse_ctx_t *ctx, int slot);
/* True when there is no scope or the (site/entity) value equals it. An
 * absent value is in scope only when there is no scope. */
bool ctx_in_scope(const analyse_ctx_t *ctx, const field_value_t *site);

/* KPI series helpers: value = slot period, prior, last year, 13-month trend. */
void kpi_fill_monthly(kpi_t *k, const double monthly[MODEL_WINDOW]);
/* ytd = sum of the fiscal-year slots (flows: revenue, counts). */
void kpi_fill_sum(kpi_t *k, const analyse_ctx_t *ctx, const double monthly[MODEL_WINDOW]);
/* value[s] = num[s] / den[s] * scale (NAN when den is 0); ytd = sum num / sum den * scale. */
void kpi_fill_ratio(kpi_t *k, const analyse_ctx_t *ctx, const double num[MODEL_WINDOW],
                    const double den[MODEL_WINDOW], double scale);
/* ytd = the period value (stocks: headcount, inventory value, backlog). */
void kpi_fill_level(kpi_t *k, const double monthly[MODEL_WINDOW]);

/* Publishes a window series for forecasting, from its first non-zero month. */
bool ctx_publish_series(const analyse_ctx_t *ctx, report_model_t *m, const char *id, const char *label,
                        kpi_unit_t unit, const double monthly[MODEL_WINDOW]);

/* Growable vector of doubles for percentiles (GSL sorts and reads them). */
typedef struct {
    double *v;
    size_t n, cap;
} dvec_t;
bool dvec_push(dvec_t *d, double x);
void dvec_free(dvec_t *d);
/* Median, quantile (0..1), mean and standard deviation via GSL; NAN if empty. */
double dvec_quantile(dvec_t *d, double q);
double dvec_mean(const dvec_t *d);
double dvec_sd(const dvec_t *d);
/* Appends src's values after dst's (merge keeps input order: the values of
 * the earlier part first). */
bool dvec_append(dvec_t *dst, const dvec_t *src);
/* dst[i] += src[i]: counts and integer-valued sums add exactly. */
void sums_add(double *dst, const double *src, size_t n);
/* An exact sum of doubles (Shewchuk's non-overlapping partials, as Python's
 * math.fsum): the value is the exact sum correctly rounded, so it does not
 * depend on the order of the additions nor on how the values were split
 * into parts and merged. For the sums of fractional values (fte, hours,
 * efficiencies, price variances); counts and money in minor units are
 * integers a double adds exactly. Beyond XSUM_PARTS partials (values
 * spanning hundreds of binary orders of magnitude) the two smallest are
 * folded, and that one sum is no longer exact. */
#define XSUM_PARTS 8
typedef struct {
    double p[XSUM_PARTS];
    unsigned n;
} xsum_t;
void xsum_add(xsum_t *s, double x);
void xsum_merge(xsum_t *dst, const xsum_t *src);
double xsum_value(const xsum_t *s);
/* out[i] = xsum_value(&s[i]) */
void xsum_values(const xsum_t *s, double *out, size_t n);
void xsum_merge_n(xsum_t *dst, const xsum_t *src, size_t n);

/* Count, mean and standard deviation that merge exactly in constant memory:
 * exact sums of x and x*x (xsum_t), so the result does not depend on the
 * order the values arrive nor on how they were split into parts. (gsl_rstat's
 * running mean does, and keeping every value to replay it would grow with the
 * rows.) */
typedef struct {
    uint64_t n;
    xsum_t sum, sumsq;
} moments_t;
void moments_add(moments_t *m, double x);
void moments_merge(moments_t *dst, const moments_t *src);
double moments_mean(const moments_t *m);   /* NAN when empty */
double moments_sd(const moments_t *m);     /* sample sd (n - 1); NAN below 2 values */

/* An open-addressing index of dense ids 0..n-1 whose keys live elsewhere
 * (a dict's entries, an array of groups): 4 bytes a slot, linear probing,
 * never more than half full. A lookup of a key with hash h (id_index_mix'd:
 * the low bits pick the slot) walks from slot h & mask to the first empty
 * slot, comparing the key of each id there; a new key's id + 1 goes into
 * that empty slot. The index owns its slots; free with id_index_free. */
typedef struct {
    uint32_t *slots; /* id + 1; 0: empty. NULL until the first reserve */
    size_t mask;     /* number of slots - 1 (a power of two) */
} id_index_t;
/* Makes room before a lookup when n ids are indexed, so that a miss can be
 * added: when n reaches half the slots, they are doubled and every id is put
 * back by hash_of(owner, id). false: out of memory (or 2^32 - 1 ids). */
bool id_index_reserve(id_index_t *ix, size_t n, uint32_t (*hash_of)(const void *owner, uint32_t id),
                      const void *owner);
void id_index_free(id_index_t *ix);
/* Spreads a 32-bit hash so that its low bits depend on all of its bits. */
uint32_t id_index_mix(uint32_t h);

/* Interned strings: each distinct text gets a dense id (0, 1, ...) the first
 * time it is seen, so per-row aggregation keys are integers and a row costs
 * one hash of each dimension's bytes, with no copy and no key building. A
 * repeat of the last text (sorted exports) is a memcmp. The dict owns its
 * copies of the texts, packed in a string chunk, and an id_index_t over
 * them: 24 to 32 bytes a text beside its own bytes and NUL. */
typedef struct dict dict_t;
dict_t *dict_new(void);
void dict_free(dict_t *d);
/* Id of text[0..len) (NUL bytes allowed), added if new; -1: out of memory. */
int32_t dict_id(dict_t *d, const char *text, size_t len);
/* The NUL-terminated text of an id from dict_id. */
const char *dict_text(const dict_t *d, int32_t id);
/* Frees d but for its texts: the store they are in is returned (the caller
 * owns it: g_string_chunk_free), and what dict_text gave stays valid. NULL
 * for a NULL d. */
GStringChunk *dict_steal_texts(dict_t *d);
size_t dict_size(const dict_t *d);
/* Two ids as one 64-bit key (for g_int64_hash tables of groups). */
static inline int64_t dict_pair(int32_t a, int32_t b) { return (int64_t)(((uint64_t)(uint32_t)a << 32) | (uint32_t)b); }

/* Copies a field's text into a NUL-terminated buffer (truncating). */
void field_text_copy(const field_value_t *v, char *buf, size_t size);

/* Saving and loading accumulators (partial.c): one function per module
 * walks its state through a pio_t that writes each value (saving) or reads
 * it back in place (loading), so both directions share the field order.
 * Values are written in host byte order (the file's header says which);
 * a read past the end or a length beyond its limit sets bad and reads 0s. */
typedef struct {
    FILE *f;
    bool loading;
    bool bad;
} pio_t;
void pio_bytes(pio_t *io, void *p, size_t n);
void pio_f64s(pio_t *io, double *v, size_t n);
void pio_i64(pio_t *io, int64_t *v);
void pio_i32(pio_t *io, int32_t *v);
void pio_bool(pio_t *io, bool *v);
void pio_u64(pio_t *io, uint64_t *v);
/* A count: written as is, read back only when <= max (else bad, 0). */
void pio_count(pio_t *io, size_t *n, size_t max);
/* A fixed char array: its NUL-terminated text; a longer text read back is bad. */
void pio_text(pio_t *io, char *buf, size_t size);
/* A malloc'd string: saved as its text; loaded into a new malloc'd copy (*s NULL: absent). */
void pio_str(pio_t *io, char **s);
void pio_xsums(pio_t *io, xsum_t *s, size_t n);
/* A dvec: its values in order; loading appends to an empty one. */
void pio_dvec(pio_t *io, dvec_t *d);
void pio_int(pio_t *io, int *v);
void pio_moments(pio_t *io, moments_t *m);
/* An entry of a table keyed by its name. Saving: the iterator's next entry,
 * its name (the char * at name_offset in it) written. Loading: the name read
 * back and find(owner, name, len), which finds or adds the entry. NULL (and
 * io->bad) on a bad file or no memory. */
void *pio_named_entry(pio_t *io, GHashTableIter *it, size_t name_offset,
                      void *(*find)(void *owner, const char *text, size_t len), void *owner);
#define PIO_MAX_ITEMS ((size_t)1 << 30)

typedef struct {
    const char *name;
    void *(*create)(const analyse_ctx_t *ctx);
    ops_status_t (*record)(void *state, const ingest_record_t *rec, ops_error_t *err);
    ops_status_t (*finish)(void *state, report_model_t *m, ops_error_t *err);
    void (*destroy)(void *state);
    /* Adds src's accumulators into dst (src unchanged), as if dst's rows were
     * followed by src's: both made by create() with the same ctx settings. */
    ops_status_t (*merge)(void *dst, const void *src, ops_error_t *err);
    /* Saves the state through io, or loads it into a state fresh from create() */
    void (*io)(void *state, pio_t *io);
    /* merge, allowed to move src's contents into dst instead of copying
     * them (src is destroyed next): analyse_absorb. NULL: merge serves. */
    ops_status_t (*absorb)(void *dst, void *src, ops_error_t *err);
} area_module_t;

extern const area_module_t area_finance, area_procurement, area_inventory, area_service,
    area_people, area_projects, area_risk, area_quality;

#endif
