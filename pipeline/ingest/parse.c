/*
 * parse.c - typed field parsers.
 *
 * Numbers are hand-parsed: no Debian library reads amounts with a
 * configurable decimal/thousands separator, parentheses and trailing minus
 * into exact integer minor units. Dates use strptime/timegm from libc; we
 * only add the Excel serial and the round-trip check that rejects dates like
 * 31.02.2026 that strptime accepts.
 */
#include "ingest/parse.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_NUMBER_LEN 64

/* Normalise a number into "[-]digits[.digits]" in buf.
 * Accepts sign forms -x, +x, (x), x-, and a currency code or symbol on
 * either side. Thousands separators must group by three. */
static bool number_normalise(const char *s, size_t len, const number_format_t *fmt, char *buf,
                             size_t bufsize, bool *negative, const char **why)
{
    const char *p = s, *end = s + len;
    bool neg = false;
    /* strip currency codes / symbols and spaces at either end */
    for (int pass = 0; pass < 2; pass++) {
        while (p < end && (isspace((unsigned char)*p) || isalpha((unsigned char)*p) || *p == '$' ||
                           (unsigned char)*p >= 0x80))
            p++;
        while (end > p && (isspace((unsigned char)end[-1]) || isalpha((unsigned char)end[-1]) ||
                           end[-1] == '$' || (unsigned char)end[-1] >= 0x80))
            end--;
        if (p < end && *p == '(' && end[-1] == ')') {
            neg = !neg;
            p++;
            end--;
        } else if (p < end && (*p == '-' || *p == '+')) {
            neg = *p == '-' ? !neg : neg;
            p++;
        } else if (end > p && end[-1] == '-') {
            neg = !neg;
            end--;
        }
    }
    if (p == end) {
        *why = "expected a number";
        return false;
    }
    size_t n = 0;
    bool seen_decimal = false, seen_digit = false;
    int group_digits = -1; /* digits since last thousands separator; -1: none seen */
    int lead_digits = 0;
    for (const char *q = p; q < end; q++) {
        char c = *q;
        if (isdigit((unsigned char)c)) {
            if (n + 2 >= bufsize) {
                *why = "number too long";
                return false;
            }
            buf[n++] = c;
            seen_digit = true;
            if (!seen_decimal) {
                if (group_digits >= 0)
                    group_digits++;
                else
                    lead_digits++;
            }
        } else if (c == fmt->decimal && !seen_decimal) {
            if (group_digits >= 0 && group_digits != 3) {
                *why = "thousands separators must group digits by three";
                return false;
            }
            seen_decimal = true;
            buf[n++] = '.';
        } else if (fmt->thousands && c == fmt->thousands && !seen_decimal && seen_digit) {
            if ((group_digits >= 0 && group_digits != 3) || (group_digits < 0 && lead_digits > 3)) {
                *why = "thousands separators must group digits by three";
                return false;
            }
            group_digits = 0;
        } else {
            *why = fmt->decimal == ',' ? "expected a number like 1.234,56" : "expected a number like 1,234.56";
            if (!fmt->thousands)
                *why = fmt->decimal == ',' ? "expected a number like 1234,56" : "expected a number like 1234.56";
            return false;
        }
    }
    if (!seen_digit) {
        *why = "expected a number";
        return false;
    }
    if (!seen_decimal && group_digits >= 0 && group_digits != 3) {
        *why = "thousands separators must group digits by three";
        return false;
    }
    buf[n] = '\0';
    *negative = neg;
    return true;
}

bool parse_money(const char *s, size_t len, const number_format_t *fmt, int minor_units,
                 int64_t *out, const char **why)
{
    char buf[MAX_NUMBER_LEN];
    bool neg;
    if (!number_normalise(s, len, fmt, buf, sizeof buf, &neg, why))
        return false;
    int64_t value = 0;
    int frac_digits = -1;
    for (const char *q = buf; *q; q++) {
        if (*q == '.') {
            frac_digits = 0;
            continue;
        }
        int d = *q - '0';
        if (frac_digits >= 0) {
            if (frac_digits == minor_units) {
                if (d != 0) {
                    *why = minor_units == 2 ? "expected at most 2 decimals for money"
                                            : "too many decimals for money";
                    return false;
                }
                continue;
            }
            frac_digits++;
        }
        if (value > (INT64_MAX - 9) / 10) {
            *why = "amount too large";
            return false;
        }
        value = value * 10 + d;
    }
    if (frac_digits < 0)
        frac_digits = 0;
    for (; frac_digits < minor_units; frac_digits++) {
        if (value > INT64_MAX / 10) {
            *why = "amount too large";
            return false;
        }
        value *= 10;
    }
    *out = neg ? -value : value;
    return true;
}

bool parse_decimal(const char *s, size_t len, const number_format_t *fmt, double *out,
                   const char **why)
{
    char buf[MAX_NUMBER_LEN];
    bool neg;
    if (!number_normalise(s, len, fmt, buf, sizeof buf, &neg, why))
        return false;
    /* buf is plain digits and '.', so strtod in the C locale reads it exactly */
    double d = strtod(buf, NULL);
    *out = neg ? -d : d;
    return true;
}

bool parse_integer(const char *s, size_t len, const number_format_t *fmt, int64_t *out,
                   const char **why)
{
    char buf[MAX_NUMBER_LEN];
    bool neg;
    if (!number_normalise(s, len, fmt, buf, sizeof buf, &neg, why))
        return false;
    if (strchr(buf, '.')) {
        *why = "expected a whole number";
        return false;
    }
    if (strlen(buf) > 18) {
        *why = "number too large";
        return false;
    }
    int64_t v = strtoll(buf, NULL, 10);
    *out = neg ? -v : v;
    return true;
}

/* Civil date <-> day number, proleptic Gregorian (the well-known public-domain
 * "days from civil" algorithm). Hand-written on purpose: timegm()/gmtime_r()
 * go through libc's time-zone machinery and showed up at ~15% of ingest time. */
int32_t date_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void date_to_ymd(int32_t days, int *y, int *m, int *d)
{
    int z = days + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

/* strptime must consume the whole value, and the date must exist. */
static bool tm_from_pattern(const char *value, const char *pattern, struct tm *tm, long *gmtoff)
{
    memset(tm, 0, sizeof *tm);
    tm->tm_mday = 1;
    tm->tm_isdst = -1;
    const char *end = strptime(value, pattern, tm);
    if (!end)
        return false;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return false;
    *gmtoff = tm->tm_gmtoff;
    int y = tm->tm_year + 1900, m = tm->tm_mon + 1, d = tm->tm_mday;
    if (y < 1900 || y > 2200)
        return false;
    int32_t days = date_from_ymd(y, m, d);
    int y2, m2, d2;
    date_to_ymd(days, &y2, &m2, &d2);
    return y == y2 && m == m2 && d == d2;
}

static bool excel_serial(const char *v, double *serial)
{
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end || !isfinite(d))
        return false;
    /* 1 = 1900-01-01 ... 2958465 = 9999-12-31; dates before 1900-03-01 are
     * off by Excel's phantom 1900-02-29, so refuse them rather than guess. */
    if (d < 61 || d > 2958465)
        return false;
    *serial = d;
    return true;
}

#define EXCEL_EPOCH_OFFSET 25569 /* serial of 1970-01-01 */

static bool copy_value(const char *s, size_t len, char *buf, size_t size)
{
    if (len + 1 > size)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return true;
}

static const char *const iso_date_patterns[] = { "%Y-%m-%d", NULL };
static const char *const iso_ts_patterns[] = { "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S",
                                               "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S",
                                               "%Y-%m-%dT%H:%M%z", "%Y-%m-%dT%H:%M",
                                               "%Y-%m-%d %H:%M", NULL };
static const char *const rfc2822_patterns[] = { "%a, %d %b %Y %H:%M:%S %z", "%d %b %Y %H:%M:%S %z",
                                                "%a, %d %b %Y %H:%M %z", NULL };

static bool try_patterns(const char *value, const char *const *patterns, struct tm *tm,
                         long *gmtoff)
{
    for (size_t i = 0; patterns[i]; i++)
        if (tm_from_pattern(value, patterns[i], tm, gmtoff))
            return true;
    return false;
}

/* One format name or pattern against the value; fills tm (UTC fields) and gmtoff. */
static bool try_format(const char *value, const char *format, bool timestamp, struct tm *tm,
                       long *gmtoff, double *serial, bool *is_serial)
{
    *is_serial = false;
    if (!strcasecmp(format, "iso"))
        return try_patterns(value, timestamp ? iso_ts_patterns : iso_date_patterns, tm, gmtoff) ||
               (timestamp && try_patterns(value, iso_date_patterns, tm, gmtoff));
    if (!strcasecmp(format, "rfc2822"))
        return try_patterns(value, rfc2822_patterns, tm, gmtoff);
    if (!strcasecmp(format, "excel"))
        return (*is_serial = excel_serial(value, serial));
    const char *single[] = { format, NULL };
    return try_patterns(value, single, tm, gmtoff);
}

static const char *formats_hint(bool timestamp)
{
    return timestamp ? "expected a timestamp in one of the configured timestamp_formats"
                     : "expected a date in one of the configured date_formats";
}

bool parse_date(const char *s, size_t len, const config_list_t *formats, int32_t *out,
                const char **why)
{
    char value[80];
    if (!copy_value(s, len, value, sizeof value)) {
        *why = "date too long";
        return false;
    }
    for (size_t i = 0; i < formats->count; i++) {
        struct tm tm;
        long gmtoff;
        double serial;
        bool is_serial;
        if (!try_format(value, formats->items[i], false, &tm, &gmtoff, &serial, &is_serial))
            continue;
        if (is_serial)
            *out = (int32_t)floor(serial) - EXCEL_EPOCH_OFFSET;
        else
            *out = date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        return true;
    }
    *why = formats_hint(false);
    return false;
}

bool parse_timestamp(const char *s, size_t len, const config_list_t *formats, int64_t *out,
                     const char **why)
{
    char value[80];
    if (!copy_value(s, len, value, sizeof value)) {
        *why = "timestamp too long";
        return false;
    }
    /* strptime's %z does not take a bare "Z"; treat it as +0000 */
    if (len > 0 && (value[len - 1] == 'Z' || value[len - 1] == 'z') && len + 5 < sizeof value)
        strcpy(value + len - 1, "+0000");
    for (size_t i = 0; i < formats->count; i++) {
        struct tm tm;
        long gmtoff;
        double serial;
        bool is_serial;
        if (!try_format(value, formats->items[i], true, &tm, &gmtoff, &serial, &is_serial))
            continue;
        if (is_serial) {
            *out = (int64_t)llround((serial - EXCEL_EPOCH_OFFSET) * 86400.0);
            return true;
        }
        if (tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
            continue;
        int64_t days = date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        *out = days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec - gmtoff;
        return true;
    }
    *why = formats_hint(true);
    return false;
}

static bool list_contains(const config_list_t *list, const char *s, size_t len)
{
    for (size_t i = 0; i < list->count; i++)
        if (strlen(list->items[i]) == len && strncasecmp(list->items[i], s, len) == 0)
            return true;
    return false;
}

bool parse_bool_value(const char *s, size_t len, const config_list_t *true_values,
                      const config_list_t *false_values, bool *out, const char **why)
{
    if (list_contains(true_values, s, len)) {
        *out = true;
        return true;
    }
    if (list_contains(false_values, s, len)) {
        *out = false;
        return true;
    }
    *why = "expected a yes/no value from true_values or false_values";
    return false;
}

bool parse_enum(const char *s, size_t len, const char *const *values, int *out, const char **why)
{
    for (int i = 0; values[i]; i++) {
        const char *v = values[i];
        size_t vl = strlen(v);
        if (vl != len)
            continue;
        size_t k = 0;
        for (; k < len; k++) {
            char a = (char)tolower((unsigned char)s[k]);
            if (a == ' ' || a == '-')
                a = '_';
            if (a != tolower((unsigned char)v[k]))
                break;
        }
        if (k == len) {
            *out = i;
            return true;
        }
    }
    *why = "expected one of the allowed values";
    return false;
}
