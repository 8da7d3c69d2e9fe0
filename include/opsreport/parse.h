/*
 * parse.h - typed field parsers for ingest (private to pipeline/ingest).
 *
 * Each parser takes a value that is already trimmed and known not to be a
 * missing-value token, as (pointer, length) — not NUL-terminated — and
 * returns true with the result, or false with a reason in `why` saying what
 * was expected. `why` points to a static string or to a per-thread buffer
 * that the next failing parse_ call in the same thread overwrites: copy it
 * before parsing the next value. They never allocate.
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
    /* symbols or codes allowed before or after a number ("$", "USD");
     * NULL or empty: none, so "USD 5.00" is rejected */
    const config_list_t *currency;
} number_format_t;

/* Money into minor units: "1.234,56", "(12.50)", "12.50-", "-3", and with
 * fmt->currency = {"$", "USD"} also "-$5.00", "$-5.00", "($5.00)", "5.00 USD".
 * More decimals than minor_units are rounded half to even (0.125 -> 0.12,
 * 0.135 -> 0.14); *residual gets (as written - rounded) in millionths of a
 * minor unit, from the first 6 decimals past minor_units: later digits only
 * decide the rounding (2066075.5899999999 -> 206607559 cents, residual -1).
 * Letters next to the number are rejected ("1.5k", "12abc"). */
bool parse_money(const char *s, size_t len, const number_format_t *fmt, int minor_units,
                 int64_t *out, int64_t *residual, const char **why);
/* Same number syntax as parse_money; no exponents. */
bool parse_decimal(const char *s, size_t len, const number_format_t *fmt, double *out,
                   const char **why);
/* Same number syntax, without a decimal part. */
bool parse_integer(const char *s, size_t len, const number_format_t *fmt, int64_t *out,
                   const char **why);

/* Date grains: a value that names only a month or a year ("2026-10",
 * "13-Dec", "2012") stands for the first day of that month or year. */
enum { PARSE_GRAIN_DAY = 0, PARSE_GRAIN_MONTH = 1, PARSE_GRAIN_YEAR = 2 };

/* Each format is tried in order; the first that reads the whole value wins.
 * Formats (case-insensitive names):
 *   iso      YYYY-MM-DD, optionally with a time: T, t or a space, HH:MM,
 *            :SS, .fraction of any length, then Z, z, +hh:mm, +hhmm, +hh or
 *            none (UTC). Hand-parsed: no locale machinery.
 *   excel    a spreadsheet serial number (46326 = 2026-10-31, .5 = noon).
 *   rfc2822  "Sat, 31 Oct 2026 14:05:00 +0000" (weekday and seconds optional).
 *   patterns strptime-like, see parse_format_check for the directives, plus
 *            %f for a fraction of a second. Unpadded numbers are read
 *            ("9/18/2019" with %m/%d/%Y); English month and day names.
 * Fractions of a second are truncated: a timestamp is whole seconds. */

/* Days since 1970-01-01. A date-time is accepted (iso, rfc2822, or a pattern
 * with time directives) and its calendar date taken as written, ignoring any
 * offset. *grain (may be NULL) gets PARSE_GRAIN_*: month when the matching
 * pattern has no day directive (%d %e %j), year when it has no month either. */
bool parse_date(const char *s, size_t len, const config_list_t *formats, int32_t *out,
                int *grain, const char **why);
/* Seconds since 1970-01-01 UTC; a value without offset is taken as UTC, a
 * value without time as midnight. */
bool parse_timestamp(const char *s, size_t len, const config_list_t *formats, int64_t *out,
                     const char **why);

/* The reason parse_date / parse_timestamp give when no format read the value
 * at all (as opposed to a value that fit a format but is not a real date). */
#define PARSE_WHY_NO_FORMAT "matches none of the formats"

/* Checks one date_formats (timestamp false) or timestamp_formats entry:
 * iso, excel, rfc2822, or a pattern whose directives are all supported, with
 * at least one directive and a year. %I needs %p. On failure writes a reason
 * naming the supported directives into why (size bytes). */
bool parse_format_check(const char *format, bool timestamp, char *why, size_t size);
/* Writes 2026-10-31 14:05:00 UTC as the format would show it ("31.10.2026"
 * for %d.%m.%Y), for messages that say what was expected. */
void parse_format_example(const char *format, bool timestamp, char *buf, size_t size);

bool parse_bool_value(const char *s, size_t len, const config_list_t *true_values,
                      const config_list_t *false_values, bool *out, const char **why);
/* Case-insensitive; spaces and '-' match '_'. Index into values. */
bool parse_enum(const char *s, size_t len, const char *const *values, int *out, const char **why);

/* Civil date helpers (proleptic Gregorian). */
int32_t date_from_ymd(int y, int m, int d);
void date_to_ymd(int32_t days, int *y, int *m, int *d);

#endif
