/*
 * inspect.h - sniffing a CSV export and drafting its [input.NAME] section.
 *
 * `opsreport inspect FILE` reads an export it has never seen and works out
 * how to read it: the encoding (BOM, UTF-8 validity, else Windows-1252),
 * the dialect (delimiter, quote, decimal and thousands separators, header
 * row) and, per column, a type and the date or timestamp formats that parse
 * its values. The dialect is chosen as DuckDB's sniffer does: every
 * candidate is parsed with libcsv over a sample of records and the one whose
 * field counts agree best wins. Values are then checked with the pipeline's
 * own parsers (pipeline/core/parse.c, pipeline/validate), so what inspect
 * proposes is what validate accepts.
 *
 * With a kind, inspect matches columns to the kind's logical fields by
 * meaning (the schema's synonyms, normalised; then type compatibility; for
 * enum fields also by how many values the built-in vocabulary resolves) and
 * writes a ready-to-paste config section: dialect keys, col./const./default.
 * lines, value maps for enum spellings the vocabulary does not know, and a
 * row filter for budget files that mix plan and actual lines.
 *
 * Nothing here prints on its own: output goes to the FILE* the caller
 * passes (a memory stream in the unit tests).
 */
#ifndef OPSREPORT_INSPECT_H
#define OPSREPORT_INSPECT_H

#include "opsreport/common.h"
#include "opsreport/config.h"
#include "opsreport/schema.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define INSPECT_SAMPLE_RECORDS 2000   /* records typed per column */
#define INSPECT_MAX_COLUMNS 256
#define INSPECT_MAX_DISTINCT 64       /* distinct values kept per column */
#define INSPECT_MAX_FORMATS 3         /* date formats kept per column */
#define INSPECT_MAX_SENTINELS 4

typedef enum {
    INSPECT_UTF8,
    INSPECT_UTF8_BOM,
    INSPECT_CP1252,
    INSPECT_UTF16LE,
    INSPECT_UTF16BE
} inspect_encoding_t;

typedef struct {
    inspect_encoding_t encoding;
    char delimiter;
    char quote;               /* 0: none */
    char decimal;             /* '.' or ',' */
    char thousands;           /* 0: none */
    bool header;
    char currency[16];        /* symbols seen around amounts ("$" or "$, €"), "" if none */
    size_t n_columns;         /* the most common field count */
    double consistency;       /* share of sampled records with n_columns fields */
} inspect_dialect_t;

typedef enum {
    INSPECT_EMPTY,
    INSPECT_TEXT,
    INSPECT_BOOL,
    INSPECT_INT,
    INSPECT_DECIMAL,
    INSPECT_DATE,
    INSPECT_TIMESTAMP
} inspect_type_t;

typedef struct {
    char *value;
    size_t count;
} inspect_value_t;

typedef struct {
    char *name;               /* header text (trimmed), or the column number without a header */
    inspect_type_t type;
    char *samples[3];         /* first distinct non-empty values */
    size_t n_samples;
    /* the first INSPECT_SAMPLE_RECORDS values, for typing and matching */
    char **values;
    size_t n_values;
    size_t n_values_empty;    /* empty or a missing token */
    /* formats covering the sampled values, the one covering most first */
    config_list_t date_formats, ts_formats;
    double date_cover, ts_cover; /* share of non-empty sampled values they parse */
    bool dm_ambiguous;        /* every value fits both day-first and month-first */
    bool has_time;            /* values carry a time of day */
    /* whole file */
    size_t n_empty;           /* records where the value is empty or a missing token */
    inspect_value_t distinct[INSPECT_MAX_DISTINCT];
    size_t n_distinct;
    bool many_values;         /* more distinct values than kept */
    size_t n_duplicates;      /* records repeating an earlier value (non-empty) */
    char *sentinels[INSPECT_MAX_SENTINELS]; /* repeated words in a date/number column ("Not Stated") */
    size_t n_sentinels;
} inspect_column_t;

typedef struct {
    char *path;               /* as given */
    char *stem;               /* file name without folder and extension */
    inspect_dialect_t dialect;
    inspect_column_t *columns;
    size_t n_columns;
    size_t n_records;         /* non-blank data records of the whole file (header excluded) */
    size_t n_ragged;          /* records whose field count differs from n_columns */
} inspect_result_t;

/* Sniffs data (the raw bytes of a whole export). name is used for the
 * stem and the file = line. Free *out with inspect_free. */
ops_status_t inspect_buffer(const char *data, size_t len, const char *name,
                            inspect_result_t **out, ops_error_t *err);
/* Reads and sniffs the file at path. OPS_ERR_INPUT if it cannot be read. */
ops_status_t inspect_file(const char *path, inspect_result_t **out, ops_error_t *err);
void inspect_free(inspect_result_t *r);

const char *inspect_type_name(inspect_type_t type);
const char *inspect_encoding_name(inspect_encoding_t enc);

/* Lower case, Latin-1 letters folded, every run of other characters one
 * space, trimmed: "Expenditure_Code." -> "expenditure code". */
void inspect_normalise(const char *s, char *buf, size_t size);

/* How a field is filled in the drafted section. */
typedef enum {
    FILL_NONE,                /* required and not found: commented hint only */
    FILL_COLUMN,              /* col.FIELD = column (| fallback) */
    FILL_CONST                /* const.FIELD = value */
} inspect_fill_t;

typedef struct {
    inspect_fill_t fill[CONFIG_MAX_FIELDS];
    int column[CONFIG_MAX_FIELDS];     /* FILL_COLUMN: index into columns */
    int fallback[CONFIG_MAX_FIELDS];   /* second column for empty cells, -1: none */
    int score[CONFIG_MAX_FIELDS];      /* 0..200; below 60 is a guess and says so */
    const char *how[CONFIG_MAX_FIELDS];/* why this column: "name", "values", "type", ... */
    char const_value[CONFIG_MAX_FIELDS][96];
    bool default_stem[CONFIG_MAX_FIELDS]; /* default.FIELD = stem for empty cells */
} inspect_match_t;

/* Score of column col for field def: 0 (no match) to 200. Name evidence
 * (synonyms) and value evidence (type compatibility, vocabulary) combine. */
int inspect_score(const inspect_result_t *r, const inspect_column_t *col, const field_def_t *def);
/* Share (0..1) of the column's non-empty sampled values that validate as def. */
double inspect_compatibility(const inspect_result_t *r, const inspect_column_t *col,
                             const field_def_t *def);
/* Assigns columns to the fields of schema, then fallbacks and constants. */
void inspect_match(const inspect_result_t *r, const input_schema_t *schema, inspect_match_t *m);

/* The dialect and one line per column: header, type, 3 sample values. */
void inspect_print_columns(const inspect_result_t *r, FILE *out);
/* The [input.NAME] section for schema, ready to paste into a config. */
void inspect_print_section(const inspect_result_t *r, const input_schema_t *schema,
                           const char *name, FILE *out);

/* `opsreport kinds`: every field of one kind (or all kinds when NULL). */
void kinds_print(const input_schema_t *schema, FILE *out);
/* The README table: kind | required fields | optional fields. */
void kinds_print_markdown(FILE *out);

#endif
