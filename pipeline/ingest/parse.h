/*
 * parse.h - typed field parsers for ingest (private to pipeline/ingest).
 *
 * Each parser takes a value that is already trimmed and known not to be a
 * missing-value token, as (pointer, length) — not NUL-terminated — and
 * returns true with the result, or false with a short reason of what was
 * expected in `why` (a static string). They never allocate.
 */
#ifndef OPSREPORT_INGEST_PARSE_H
#define OPSREPORT_INGEST_PARSE_H

#include "opsreport/config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char decimal;    /* '.' or ',' */
    char thousands;  /* 0 for none */
} number_format_t;

/* Money into minor units: "1.234,56", "(12.50)", "12.50-", "-3", "EUR 5.00".
 * More decimals than minor_units are rejected unless they are zeros. */
bool parse_money(const char *s, size_t len, const number_format_t *fmt, int minor_units,
                 int64_t *out, const char **why);
bool parse_decimal(const char *s, size_t len, const number_format_t *fmt, double *out,
                   const char **why);
bool parse_integer(const char *s, size_t len, const number_format_t *fmt, int64_t *out,
                   const char **why);

/* Days since 1970-01-01. formats: "iso", "excel", "rfc2822" or strptime patterns. */
bool parse_date(const char *s, size_t len, const config_list_t *formats, int32_t *out,
                const char **why);
/* Seconds since 1970-01-01 UTC. */
bool parse_timestamp(const char *s, size_t len, const config_list_t *formats, int64_t *out,
                     const char **why);
bool parse_bool_value(const char *s, size_t len, const config_list_t *true_values,
                      const config_list_t *false_values, bool *out, const char **why);
/* Case-insensitive; spaces and '-' match '_'. Index into values. */
bool parse_enum(const char *s, size_t len, const char *const *values, int *out, const char **why);

/* Civil date helpers (proleptic Gregorian). */
int32_t date_from_ymd(int y, int m, int d);
void date_to_ymd(int32_t days, int *y, int *m, int *d);

#endif
