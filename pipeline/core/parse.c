/*
 * parse.c - typed field parsers.
 *
 * Numbers are hand-parsed: no Debian library reads amounts with a
 * configurable decimal/thousands separator, parentheses, trailing minus and
 * a configured currency symbol into exact integer minor units, rounding
 * extra decimals half to even and keeping what the rounding took away.
 *
 * Dates are hand-parsed too. The `iso` format has its own fixed-layout
 * reader, and patterns go through a small strptime work-alike: strptime
 * runs through the locale machinery for every value (slow on million-row
 * files), has no directive for fractions of a second, and reads month names
 * in the process locale where ours are always English. Day numbers come from
 * date_from_ymd, and a date that does not exist (31.02.2026) is refused.
 *
 * Failure reasons that quote the value are formatted into a per-thread
 * buffer (see parse.h for its lifetime).
 */
#include "opsreport/parse.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_NUMBER_DIGITS 64
#define RESIDUAL_PLACES 6        /* residual in millionths of a minor unit */
#define RESIDUAL_UNIT 1000000

static _Thread_local char why_text[256];

__attribute__((format(printf, 1, 2))) static const char *why_format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why_text, sizeof why_text, fmt, ap);
    va_end(ap);
    return why_text;
}

/* ASCII digit without isdigit's locale table lookup (hot on every value). */
static inline bool is_digit(char c) { return (unsigned char)(c - '0') < 10; }

/* ---- numbers ---- */

typedef struct {
    bool negative;
    bool has_decimal;
    size_t n_int, n_frac;          /* digits[0..n_int) integer, then n_frac fraction digits */
    char digits[MAX_NUMBER_DIGITS];
} number_t;

typedef struct {
    const char *noun;              /* "an amount" */
    bool whole;                    /* example without decimals */
} number_kind_t;

static const number_kind_t KIND_MONEY = { "an amount", false };
static const number_kind_t KIND_DECIMAL = { "a number", false };
static const number_kind_t KIND_INTEGER = { "a whole number", true };

/* "expected an amount like 1,234.56: <detail>" in why_text. */
__attribute__((format(printf, 3, 4))) static const char *
number_why(const number_format_t *fmt, const number_kind_t *kind, const char *detail, ...)
{
    char example[16];
    size_t n = 0;
    example[n++] = '1';
    if (fmt->thousands)
        example[n++] = fmt->thousands;
    memcpy(example + n, "234", 3);
    n += 3;
    if (!kind->whole) {
        example[n++] = fmt->decimal;
        example[n++] = '5';
        example[n++] = '6';
    }
    example[n] = '\0';
    int k = snprintf(why_text, sizeof why_text, "expected %s like %s: ", kind->noun, example);
    if (k < 0 || (size_t)k >= sizeof why_text)
        return why_text;
    va_list ap;
    va_start(ap, detail);
    vsnprintf(why_text + k, sizeof why_text - (size_t)k, detail, ap);
    va_end(ap);
    return why_text;
}

static bool is_word_byte(unsigned char c) { return isalpha(c) || c >= 0x80 || c == '$'; }

/* Longest configured currency symbol at the start (or end) of [p, end). */
static size_t currency_match(const char *p, const char *end, const config_list_t *cur, bool at_end)
{
    size_t best = 0;
    if (!cur)
        return 0;
    for (size_t i = 0; i < cur->count; i++) {
        size_t n = strlen(cur->items[i]);
        if (n == 0 || n > (size_t)(end - p) || n <= best)
            continue;
        const char *at = at_end ? end - n : p;
        if (strncasecmp(at, cur->items[i], n) == 0)
            best = n;
    }
    return best;
}

/* Peels signs and one currency symbol off both ends, then reads the digits
 * with their separators. Accepted sign forms: -x, +x, (x), x-; at most one. */
static bool number_read(const char *s, size_t len, const number_format_t *fmt,
                        const number_kind_t *kind, number_t *num, const char **why)
{
    const char *p = s, *end = s + len;
    bool has_sign = false, has_currency = false;
    num->negative = false;
    for (;;) {
        while (p < end && isspace((unsigned char)*p))
            p++;
        while (end > p && isspace((unsigned char)end[-1]))
            end--;
        if (p == end)
            break;
        bool sign = (*p == '(' && end - p >= 2 && end[-1] == ')') || *p == '-' || *p == '+' ||
                    end[-1] == '-';
        if (sign) {
            if (has_sign) {
                *why = number_why(fmt, kind, "more than one sign in '%.*s'", (int)len, s);
                return false;
            }
            has_sign = true;
            if (*p == '(' && end[-1] == ')') {
                num->negative = true;
                p++;
                end--;
            } else if (*p == '-' || *p == '+') {
                num->negative = *p == '-';
                p++;
            } else {
                num->negative = true;
                end--;
            }
            continue;
        }
        size_t n;
        if (!has_currency && (n = currency_match(p, end, fmt->currency, false)) > 0) {
            has_currency = true;
            p += n;
            continue;
        }
        if (!has_currency && (n = currency_match(p, end, fmt->currency, true)) > 0) {
            has_currency = true;
            end -= n;
            continue;
        }
        break;
    }

    size_t n = 0;
    bool seen_digit = false;
    int group = -1; /* digits since the last thousands separator; -1: none seen */
    int lead = 0;   /* integer digits before the first thousands separator */
    num->has_decimal = false;
    num->n_int = 0;
    for (const char *q = p; q < end; q++) {
        unsigned char c = (unsigned char)*q;
        if (is_digit((char)c)) {
            if (n >= MAX_NUMBER_DIGITS) {
                *why = number_why(fmt, kind, "more than %d digits", MAX_NUMBER_DIGITS);
                return false;
            }
            num->digits[n++] = (char)c;
            seen_digit = true;
            if (!num->has_decimal) {
                if (group >= 0)
                    group++;
                else
                    lead++;
            }
        } else if (c == (unsigned char)fmt->decimal) {
            if (num->has_decimal) {
                *why = number_why(fmt, kind, "more than one decimal separator '%c'", c);
                return false;
            }
            if (group >= 0 && group != 3) {
                *why = number_why(fmt, kind, "thousands separators must group digits by three");
                return false;
            }
            num->has_decimal = true;
            num->n_int = n;
        } else if (fmt->thousands && c == (unsigned char)fmt->thousands) {
            if (num->has_decimal) {
                *why = number_why(fmt, kind, "thousands separator '%c' after the decimal separator '%c'",
                                  c, fmt->decimal);
                return false;
            }
            if (!seen_digit || (group >= 0 && group != 3) || (group < 0 && lead > 3)) {
                *why = number_why(fmt, kind, "thousands separators must group digits by three");
                return false;
            }
            group = 0;
        } else {
            /* quote the whole word ("abc", "USD", a UTF-8 symbol), not one
             * byte, also where a space separates it from the digits */
            const char *w = q;
            while (w < end && isspace((unsigned char)*w))
                w++;
            if (w == end || !is_word_byte((unsigned char)*w)) {
                *why = number_why(fmt, kind, "'%c' is not part of a number", c);
                return false;
            }
            const char *word = w;
            while (w < end && is_word_byte((unsigned char)*w))
                w++;
            if (!fmt->currency || fmt->currency->count == 0) {
                *why = number_why(fmt, kind,
                                  "'%.*s' is not part of a number (currency symbols are accepted "
                                  "only through currency_symbols)",
                                  (int)(w - word), word);
                return false;
            }
            char listed[64];
            size_t n_listed = 0;
            listed[0] = '\0';
            for (size_t i = 0; i < fmt->currency->count && n_listed + 1 < sizeof listed; i++) {
                int k = snprintf(listed + n_listed, sizeof listed - n_listed, "%s%s", i ? ", " : "",
                                 fmt->currency->items[i]);
                if (k < 0)
                    break;
                n_listed += (size_t)k;
            }
            *why = number_why(fmt, kind, "'%.*s' is not part of a number (currency_symbols: %s)",
                              (int)(w - word), word, listed);
            return false;
        }
    }
    if (!seen_digit) {
        *why = number_why(fmt, kind, "no digits in '%.*s'", (int)len, s);
        return false;
    }
    if (!num->has_decimal) {
        num->n_int = n;
        if (group >= 0 && group != 3) {
            *why = number_why(fmt, kind, "thousands separators must group digits by three");
            return false;
        }
    }
    num->n_frac = n - num->n_int;
    return true;
}

/* The common forms, -1234.56, 1,234.56, 1.234,56- (SAP's trailing minus):
 * digits grouped by three with the thousands separator or not grouped at
 * all, no more decimals than minor_units, at most 15 integer digits, one
 * minus in front or behind: read straight into minor units, no rounding, no
 * residual. false: not such a form (the general reader decides, including
 * every reject reason). */
static bool money_fast(const char *s, size_t len, const number_format_t *fmt, int minor_units, int64_t *out)
{
    const char *p = s, *end = s + len;
    bool negative = false;
    if (p < end && *p == '-') {
        negative = true;
        p++;
    } else if (end > p && end[-1] == '-') {
        negative = true;
        end--;
    }
    int64_t value = 0;
    int n_int = 0, n_frac = 0;
    while (p < end && is_digit(*p) && n_int < 16) {
        value = value * 10 + (*p++ - '0');
        n_int++;
    }
    if (n_int == 0)
        return false;
    if (fmt->thousands && p < end && *p == fmt->thousands) {
        if (n_int > 3)
            return false;
        while (p < end && *p == fmt->thousands) {
            p++;
            if (end - p < 3 || !is_digit(p[0]) || !is_digit(p[1]) || !is_digit(p[2]))
                return false;
            value = value * 1000 + (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
            p += 3;
            n_int += 3;
            if (n_int > 15)
                return false;
        }
        if (p < end && is_digit(*p))
            return false;
    }
    if (n_int > 15)
        return false;
    if (p < end) {
        if (*p++ != fmt->decimal)
            return false;
        while (p < end && is_digit(*p) && n_frac < minor_units) {
            value = value * 10 + (*p++ - '0');
            n_frac++;
        }
        if (p != end || n_frac == 0)
            return false;
    }
    for (int i = n_frac; i < minor_units; i++)
        value *= 10;
    *out = negative ? -value : value;
    return true;
}

bool parse_money(const char *s, size_t len, const number_format_t *fmt, int minor_units,
                 int64_t *out, int64_t *residual, const char **why)
{
    if (minor_units >= 0 && minor_units <= 3 && money_fast(s, len, fmt, minor_units, out)) {
        if (residual)
            *residual = 0;
        return true;
    }
    number_t num;
    if (!number_read(s, len, fmt, &KIND_MONEY, &num, why))
        return false;
    if (minor_units < 0)
        minor_units = 0;
    const char *frac = num.digits + num.n_int;
    int64_t value = 0;
    for (size_t i = 0; i < num.n_int + (size_t)minor_units; i++) {
        int d = 0;
        if (i < num.n_int)
            d = num.digits[i] - '0';
        else if (i - num.n_int < num.n_frac)
            d = frac[i - num.n_int] - '0';
        if (value > (INT64_MAX - 9) / 10) {
            *why = "amount too large for this pipeline (over 92 quadrillion minor units)";
            return false;
        }
        value = value * 10 + d;
    }
    /* decimals past minor_units: the first RESIDUAL_PLACES give the residual,
     * all of them decide the rounding */
    const char *extra = frac + minor_units;
    size_t n_extra = num.n_frac > (size_t)minor_units ? num.n_frac - (size_t)minor_units : 0;
    int64_t part = 0;
    for (size_t i = 0; i < RESIDUAL_PLACES; i++)
        part = part * 10 + (i < n_extra ? extra[i] - '0' : 0);
    bool round_up = false;
    if (n_extra > 0) {
        int first = extra[0] - '0';
        bool beyond_half = false;
        for (size_t i = 1; i < n_extra && !beyond_half; i++)
            beyond_half = extra[i] != '0';
        /* half to even: an exact half goes to the even neighbour */
        round_up = first > 5 || (first == 5 && (beyond_half || (value & 1)));
    }
    if (round_up) {
        if (value == INT64_MAX) {
            *why = "amount too large for this pipeline (over 92 quadrillion minor units)";
            return false;
        }
        value++;
        part -= RESIDUAL_UNIT;
    }
    *out = num.negative ? -value : value;
    if (residual)
        *residual = num.negative ? -part : part;
    return true;
}

bool parse_decimal(const char *s, size_t len, const number_format_t *fmt, double *out,
                   const char **why)
{
    number_t num;
    if (!number_read(s, len, fmt, &KIND_DECIMAL, &num, why))
        return false;
    /* Clinger's fast path: up to 15 digits are an exact double m, 10^k is
     * exact up to k = 22, and IEEE division rounds m / 10^k correctly, so
     * this is the double strtod reads, without its cost (a tenth of the
     * ingest of a file of measurements) */
    static const double pow10[] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
    if (num.n_int + num.n_frac <= 15) {
        int64_t m = 0;
        for (size_t i = 0; i < num.n_int + num.n_frac; i++)
            m = m * 10 + (num.digits[i] - '0');
        double d = (double)m / pow10[num.n_frac];
        *out = num.negative ? -d : d;
        return true;
    }
    char buf[MAX_NUMBER_DIGITS + 3];
    size_t n = 0;
    memcpy(buf, num.digits, num.n_int);
    n += num.n_int;
    buf[n++] = '.';
    memcpy(buf + n, num.digits + num.n_int, num.n_frac);
    n += num.n_frac;
    buf[n] = '\0';
    /* buf is plain digits and '.', so strtod in the C locale reads it exactly */
    double d = strtod(buf, NULL);
    *out = num.negative ? -d : d;
    return true;
}

bool parse_integer(const char *s, size_t len, const number_format_t *fmt, int64_t *out,
                   const char **why)
{
    number_t num;
    if (!number_read(s, len, fmt, &KIND_INTEGER, &num, why))
        return false;
    if (num.has_decimal) {
        *why = number_why(fmt, &KIND_INTEGER, "'%.*s' has a decimal separator '%c'", (int)len, s,
                          fmt->decimal);
        return false;
    }
    if (num.n_int > 18) {
        *why = number_why(fmt, &KIND_INTEGER, "more than 18 digits");
        return false;
    }
    int64_t v = 0;
    for (size_t i = 0; i < num.n_int; i++)
        v = v * 10 + (num.digits[i] - '0');
    *out = num.negative ? -v : v;
    return true;
}

/* ---- civil dates ---- */

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

/* Hot: every GL row asks for its month two or three times (analyse,
 * freshness), and a few years of data hold few distinct days, so a small
 * direct-mapped cache per thread answers most calls without the divisions. */
#define YMD_CACHE 2048
typedef struct {
    int32_t days;
    int16_t y;
    int8_t m, d;
    bool valid;
} ymd_entry_t;
static _Thread_local ymd_entry_t ymd_cache[YMD_CACHE];

static void ymd_compute(int32_t days, int *y, int *m, int *d);

void date_to_ymd(int32_t days, int *y, int *m, int *d)
{
    ymd_entry_t *e = &ymd_cache[(uint32_t)days % YMD_CACHE];
    if (e->valid && e->days == days) {
        *y = e->y;
        *m = e->m;
        *d = e->d;
        return;
    }
    ymd_compute(days, y, m, d);
    if (*y >= INT16_MIN && *y <= INT16_MAX)
        *e = (ymd_entry_t){ days, (int16_t)*y, (int8_t)*m, (int8_t)*d, true };
}

static void ymd_compute(int32_t days, int *y, int *m, int *d)
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

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* ---- date and time readers ---- */

/* What a format read from a value, before it is checked as a calendar date. */
typedef struct {
    int year, month, day, yday;
    int hour, minute, second;
    int hour12;                  /* %I, 1..12; 0: not given */
    int pm;                      /* %p: -1 not given, 0 AM, 1 PM */
    int offset;                  /* seconds east of UTC */
    bool has_year, has_month, has_day, has_yday;
} when_t;

static const char *const month_names[12] = { "january", "february", "march",     "april",
                                             "may",     "june",     "july",      "august",
                                             "september", "october", "november", "december" };
static const char *const day_names[7] = { "sunday",   "monday", "tuesday", "wednesday",
                                          "thursday", "friday", "saturday" };

/* 1 to max_digits digits (unpadded values such as 9/18/2019 read too). */
static bool read_int(const char **pp, const char *end, int max_digits, int lo, int hi, int *out)
{
    const char *p = *pp;
    int v = 0, n = 0;
    while (p < end && n < max_digits && is_digit(*p)) {
        v = v * 10 + (*p - '0');
        p++;
        n++;
    }
    if (n == 0 || v < lo || v > hi)
        return false;
    *pp = p;
    *out = v;
    return true;
}

/* English full name or its first three letters, any case; index into names. */
static bool read_name(const char **pp, const char *end, const char *const *names, int count,
                      int *out)
{
    size_t avail = (size_t)(end - *pp);
    for (int i = 0; i < count; i++) {
        size_t n = strlen(names[i]);
        if (avail >= n && strncasecmp(*pp, names[i], n) == 0) {
            *pp += n;
            *out = i;
            return true;
        }
    }
    for (int i = 0; i < count; i++) {
        if (avail >= 3 && strncasecmp(*pp, names[i], 3) == 0) {
            *pp += 3;
            *out = i;
            return true;
        }
    }
    return false;
}

/* Z, z, UTC, GMT, UT, or +hh:mm, +hhmm, +hh (and -) into seconds east of UTC. */
static bool read_offset(const char **pp, const char *end, int *out)
{
    const char *p = *pp;
    if (p >= end)
        return false;
    if (*p != '+' && *p != '-') {
        static const char *const utc_names[] = { "UTC", "GMT", "UT", "Z" };
        for (size_t i = 0; i < sizeof utc_names / sizeof utc_names[0]; i++) {
            size_t n = strlen(utc_names[i]);
            if ((size_t)(end - p) >= n && strncasecmp(p, utc_names[i], n) == 0) {
                *pp = p + n;
                *out = 0;
                return true;
            }
        }
        return false;
    }
    int sign = *p == '-' ? -1 : 1;
    p++;
    if (end - p < 2 || !is_digit(p[0]) || !is_digit(p[1]))
        return false;
    int hh = (p[0] - '0') * 10 + (p[1] - '0'), mm = 0;
    p += 2;
    const char *q = p;
    if (q < end && *q == ':')
        q++;
    if (end - q >= 2 && is_digit(q[0]) && is_digit(q[1])) {
        mm = (q[0] - '0') * 10 + (q[1] - '0');
        p = q + 2;
    }
    if (hh > 23 || mm > 59)
        return false;
    *pp = p;
    *out = sign * (hh * 3600 + mm * 60);
    return true;
}

static void when_init(when_t *w)
{
    memset(w, 0, sizeof *w);
    w->pm = -1;
}

static void skip_spaces(const char **pp, const char *end)
{
    while (*pp < end && isspace((unsigned char)**pp))
        (*pp)++;
}

/* Fixed layout, no pattern interpretation: the fast path for most exports.
 * A fraction of a second is read and dropped (timestamps are whole seconds). */
static bool iso_read(const char *s, const char *end, when_t *w)
{
    const char *p = s;
    when_init(w);
    if (end - p < 4)
        return false;
    for (int i = 0; i < 4; i++)
        if (!is_digit(p[i]))
            return false;
    w->year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
    p += 4;
    if (p >= end || *p++ != '-' || !read_int(&p, end, 2, 1, 12, &w->month) || p >= end ||
        *p++ != '-' || !read_int(&p, end, 2, 1, 31, &w->day))
        return false;
    w->has_year = w->has_month = w->has_day = true;
    skip_spaces(&p, end);
    if (p == end)
        return true;
    if (*p == 'T' || *p == 't')
        p++;
    else if (!isspace((unsigned char)p[-1]))
        return false;
    if (!read_int(&p, end, 2, 0, 23, &w->hour) || p >= end || *p++ != ':' ||
        !read_int(&p, end, 2, 0, 59, &w->minute))
        return false;
    if (p < end && *p == ':') {
        p++;
        if (!read_int(&p, end, 2, 0, 60, &w->second))
            return false;
        if (p < end && (*p == '.' || *p == ',')) {
            p++;
            if (p >= end || !is_digit(*p))
                return false;
            while (p < end && is_digit(*p))
                p++;
        }
    }
    skip_spaces(&p, end);
    if (p < end && !read_offset(&p, end, &w->offset))
        return false;
    skip_spaces(&p, end);
    return p == end;
}

/* strptime work-alike for the directives parse_format_check accepts. A space
 * in the pattern matches any run of white space, including none. */
static bool pattern_read(const char *s, const char *end, const char *pattern, when_t *w)
{
    const char *p = s;
    int ignored;
    when_init(w);
    for (const char *f = pattern; *f; f++) {
        if (isspace((unsigned char)*f)) {
            skip_spaces(&p, end);
            continue;
        }
        if (*f != '%') {
            if (p >= end || *p != *f)
                return false;
            p++;
            continue;
        }
        bool ok;
        switch (*++f) {
        case 'Y':
            ok = w->has_year = read_int(&p, end, 4, 0, 9999, &w->year);
            break;
        case 'y':
            /* POSIX: 69-99 are 1969-1999, 00-68 are 2000-2068 */
            ok = w->has_year = read_int(&p, end, 2, 0, 99, &w->year);
            w->year += w->year < 69 ? 2000 : 1900;
            break;
        case 'm':
            ok = w->has_month = read_int(&p, end, 2, 1, 12, &w->month);
            break;
        case 'b':
        case 'B':
            ok = w->has_month = read_name(&p, end, month_names, 12, &w->month);
            w->month++;
            break;
        case 'e': /* %d padded with a space */
            skip_spaces(&p, end);
            ok = w->has_day = read_int(&p, end, 2, 1, 31, &w->day);
            break;
        case 'd':
            ok = w->has_day = read_int(&p, end, 2, 1, 31, &w->day);
            break;
        case 'j':
            ok = w->has_yday = read_int(&p, end, 3, 1, 366, &w->yday);
            break;
        case 'a':
        case 'A':
            ok = read_name(&p, end, day_names, 7, &ignored);
            break;
        case 'H':
            ok = read_int(&p, end, 2, 0, 23, &w->hour);
            break;
        case 'I':
            ok = read_int(&p, end, 2, 1, 12, &w->hour12);
            break;
        case 'M':
            ok = read_int(&p, end, 2, 0, 59, &w->minute);
            break;
        case 'S':
            ok = read_int(&p, end, 2, 0, 60, &w->second);
            break;
        case 'p':
            ok = end - p >= 2 && (p[1] == 'M' || p[1] == 'm') &&
                 (p[0] == 'A' || p[0] == 'a' || p[0] == 'P' || p[0] == 'p');
            if (ok) {
                w->pm = p[0] == 'P' || p[0] == 'p';
                p += 2;
            }
            break;
        case 'f':
            /* fraction of a second, any number of digits, dropped */
            ok = p < end && is_digit(*p);
            while (p < end && is_digit(*p))
                p++;
            break;
        case 'z':
            ok = read_offset(&p, end, &w->offset);
            break;
        case '%':
            ok = p < end && *p == '%';
            p++;
            break;
        default: /* unsupported, or a lone % at the end: parse_format_check refuses these */
            return false;
        }
        if (!ok)
            return false;
    }
    skip_spaces(&p, end);
    return p == end;
}

/* Calendar checks; fills the day number, seconds into the day (as written,
 * before the offset) and grain, or a reason. */
static bool when_resolve(when_t *w, int32_t *days, int *secs, int *grain, const char **why)
{
    if (!w->has_year) {
        *why = "the format has no year";
        return false;
    }
    if (w->year < 1900 || w->year > 2200) {
        *why = why_format("year %d is outside 1900..2200", w->year);
        return false;
    }
    if (w->has_day || w->has_yday)
        *grain = PARSE_GRAIN_DAY;
    else
        *grain = w->has_month ? PARSE_GRAIN_MONTH : PARSE_GRAIN_YEAR;
    if (!w->has_month)
        w->month = 1;
    if (w->has_day) {
        if (w->day > days_in_month(w->year, w->month)) {
            *why = why_format("day %d does not exist in %04d-%02d", w->day, w->year, w->month);
            return false;
        }
        *days = date_from_ymd(w->year, w->month, w->day);
    } else if (w->has_yday) {
        if (w->yday > (is_leap(w->year) ? 366 : 365)) {
            *why = why_format("day %d of the year does not exist in %d", w->yday, w->year);
            return false;
        }
        *days = date_from_ymd(w->year, 1, 1) + w->yday - 1;
    } else {
        *days = date_from_ymd(w->year, w->month, 1);
    }
    int hour = w->hour;
    if (w->hour12)
        hour = w->hour12 % 12 + (w->pm == 1 ? 12 : 0); /* 12 AM is 00, 12 PM is 12 */
    *secs = hour * 3600 + w->minute * 60 + w->second;
    return true;
}

#define EXCEL_EPOCH_OFFSET 25569 /* serial of 1970-01-01 */

/* digits[.digits] only (strtod alone would take hex, exponents and "inf"). */
static bool excel_read(const char *s, const char *end, double *serial)
{
    char buf[32];
    size_t len = (size_t)(end - s), dots = 0;
    if (len == 0 || len >= sizeof buf)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.')
            dots++;
        else if (!is_digit(s[i]))
            return false;
    }
    if (dots > 1 || len == dots)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    double d = strtod(buf, NULL);
    /* 1 = 1900-01-01 ... 2958465 = 9999-12-31; dates before 1900-03-01 are
     * off by Excel's phantom 1900-02-29, so refuse them rather than guess. */
    if (d < 61 || d > 2958465)
        return false;
    *serial = d;
    return true;
}

static const char *const rfc2822_patterns[] = { "%a, %d %b %Y %H:%M:%S %z", "%a, %d %b %Y %H:%M %z",
                                                "%d %b %Y %H:%M:%S %z", "%d %b %Y %H:%M %z" };

/* One format against the value. Returns false if the format does not read
 * it; otherwise true with *is_excel, *serial or w filled. */
/* The common numeric patterns, "%d.%m.%Y", "%Y-%m-%d", "%m/%d/%Y" (any one
 * separator byte), against a value of exactly that shape (two-digit day and
 * month): read without interpreting the pattern. false: not that shape, and
 * pattern_read decides (it reads the same values the same way). */
static bool numeric_read(const char *s, const char *end, const char *f, when_t *w)
{
    if (end - s != 10 || strnlen(f, 9) != 8 || f[0] != '%' || f[3] != '%' || f[6] != '%' || f[2] != f[5] ||
        f[2] == '%' || isspace((unsigned char)f[2]))
        return false;
    char sep = f[2];
    int at[3]; /* offset of each field in the value */
    int pos = 0;
    for (int k = 0; k < 3; k++) {
        char c = f[1 + 3 * k];
        at[k] = pos;
        pos += c == 'Y' ? 4 : 2;
        if (k < 2 && s[pos++] != sep)
            return false;
        if (c != 'Y' && c != 'm' && c != 'd')
            return false;
    }
    if (pos != 10)
        return false;
    when_init(w);
    for (int k = 0; k < 3; k++) {
        const char *p = s + at[k];
        char c = f[1 + 3 * k];
        int n = c == 'Y' ? 4 : 2, v = 0;
        for (int i = 0; i < n; i++) {
            if (!is_digit(p[i]))
                return false;
            v = v * 10 + (p[i] - '0');
        }
        if (c == 'Y') {
            w->year = v;
            w->has_year = true;
        } else if (c == 'm') {
            if (v < 1 || v > 12)
                return false;
            w->month = v;
            w->has_month = true;
        } else {
            if (v < 1 || v > 31)
                return false;
            w->day = v;
            w->has_day = true;
        }
    }
    return w->has_year && w->has_month && w->has_day;
}

static bool format_read(const char *s, const char *end, const char *format, when_t *w,
                        bool *is_excel, double *serial)
{
    *is_excel = false;
    if (format[0] == '%') /* a pattern: none of the named formats below */
        return numeric_read(s, end, format, w) || pattern_read(s, end, format, w);
    if (!strcasecmp(format, "iso"))
        return iso_read(s, end, w);
    if (!strcasecmp(format, "excel"))
        return (*is_excel = excel_read(s, end, serial));
    if (!strcasecmp(format, "rfc2822")) {
        for (size_t i = 0; i < sizeof rfc2822_patterns / sizeof rfc2822_patterns[0]; i++)
            if (pattern_read(s, end, rfc2822_patterns[i], w))
                return true;
        return false;
    }
    return pattern_read(s, end, format, w);
}

bool parse_date(const char *s, size_t len, const config_list_t *formats, int32_t *out,
                int *grain, const char **why)
{
    const char *reason = PARSE_WHY_NO_FORMAT;
    for (size_t i = 0; i < formats->count; i++) {
        when_t w;
        bool is_excel;
        double serial;
        if (!format_read(s, s + len, formats->items[i], &w, &is_excel, &serial))
            continue;
        int32_t days;
        int secs, g = PARSE_GRAIN_DAY;
        if (is_excel) {
            days = (int32_t)floor(serial) - EXCEL_EPOCH_OFFSET;
        } else if (!when_resolve(&w, &days, &secs, &g, &reason)) {
            continue; /* a later format may still read it */
        }
        *out = days;
        if (grain)
            *grain = g;
        return true;
    }
    *why = reason;
    return false;
}

bool parse_timestamp(const char *s, size_t len, const config_list_t *formats, int64_t *out,
                     const char **why)
{
    const char *reason = PARSE_WHY_NO_FORMAT;
    for (size_t i = 0; i < formats->count; i++) {
        when_t w;
        bool is_excel;
        double serial;
        if (!format_read(s, s + len, formats->items[i], &w, &is_excel, &serial))
            continue;
        if (is_excel) {
            *out = (int64_t)llround((serial - EXCEL_EPOCH_OFFSET) * 86400.0);
            return true;
        }
        int32_t days;
        int secs, grain;
        if (!when_resolve(&w, &days, &secs, &grain, &reason))
            continue;
        *out = (int64_t)days * 86400 + secs - w.offset;
        return true;
    }
    *why = reason;
    return false;
}

/* ---- format checks and examples ---- */

#define SUPPORTED_DIRECTIVES "%Y %y %m %d %e %b %B %a %A %H %I %M %S %p %f %z %j %%"

bool parse_format_check(const char *format, bool timestamp, char *why, size_t size)
{
    const char *suggest = timestamp ? "%d/%m/%Y %H:%M" : "%d/%m/%Y";
    if (!format || !*format) {
        snprintf(why, size, "empty format; use iso, excel, rfc2822 or a pattern such as %s",
                 suggest);
        return false;
    }
    if (!strcasecmp(format, "iso") || !strcasecmp(format, "excel") ||
        !strcasecmp(format, "rfc2822"))
        return true;
    int directives = 0;
    bool year = false, hour12 = false, ampm = false;
    for (const char *f = format; *f; f++) {
        if (*f != '%')
            continue;
        char c = *++f;
        if (!c) {
            snprintf(why, size, "'%s' ends with a lone %%; write %%%% for a literal %%", format);
            return false;
        }
        if (c == '%')
            continue;
        if (!strchr("YymdebBaAHIMSpfzj", c)) {
            /* quote a whole UTF-8 character, not its first byte */
            int n = 1;
            while ((unsigned char)c >= 0xC0 && (f[n] & 0xC0) == 0x80)
                n++;
            snprintf(why, size, "unknown directive %%%.*s in '%s'; supported: %s", n, f, format,
                     SUPPORTED_DIRECTIVES);
            return false;
        }
        /* %f takes every digit there is, so a number right after it could
         * never be read: "%f%d" or "%f12" would accept no value at all */
        if (c == 'f' && ((f[1] >= '0' && f[1] <= '9') ||
                         (f[1] == '%' && f[2] && strchr("YymdejHIMSf", f[2])))) {
            snprintf(why, size, "'%s' has a number right after %%f, which reads every digit; put "
                                "a separator between them", format);
            return false;
        }
        /* a name reads letters as far as a name goes ("Saturday" for %a), so a
         * letter right after it would be swallowed: "%aurday" matches nothing */
        if (strchr("aAbBp", c) && (isalpha((unsigned char)f[1]) || (f[1] == '%' && f[2] && strchr("aAbBp", f[2])))) {
            snprintf(why, size, "'%s' has a letter right after %%%c, which reads a whole name; put a "
                                "separator between them", format, c);
            return false;
        }
        directives++;
        year |= c == 'Y' || c == 'y';
        hour12 |= c == 'I';
        ampm |= c == 'p';
    }
    if (directives == 0) {
        snprintf(why, size,
                 "'%s' has no %% directive; use iso, excel, rfc2822 or a pattern such as %s "
                 "(supported: %s)",
                 format, suggest, SUPPORTED_DIRECTIVES);
        return false;
    }
    if (!year) {
        snprintf(why, size, "'%s' has no year: add %%Y (2026) or %%y (26)", format);
        return false;
    }
    if (hour12 && !ampm) {
        snprintf(why, size, "'%s' has %%I (12-hour clock) without %%p (AM/PM); use %%H for 0-23",
                 format);
        return false;
    }
    return true;
}

void parse_format_example(const char *format, bool timestamp, char *buf, size_t size)
{
    if (size == 0)
        return;
    if (!strcasecmp(format, "iso")) {
        snprintf(buf, size, "%s", timestamp ? "2026-10-31T14:05:00Z" : "2026-10-31");
        return;
    }
    if (!strcasecmp(format, "excel")) {
        snprintf(buf, size, "%s", timestamp ? "46326.5868" : "46326");
        return;
    }
    if (!strcasecmp(format, "rfc2822")) {
        snprintf(buf, size, "Sat, 31 Oct 2026 14:05:00 +0000");
        return;
    }
    /* 2026-10-31 14:05:00 UTC, a Saturday, day 304 of the year */
    size_t n = 0;
    buf[0] = '\0';
    for (const char *f = format; *f && n + 1 < size; f++) {
        const char *piece;
        char one[2] = { *f, '\0' };
        if (*f != '%') {
            piece = one;
        } else {
            switch (*++f) {
            case 'Y': piece = "2026"; break;
            case 'y': piece = "26"; break;
            case 'm': piece = "10"; break;
            case 'd':
            case 'e': piece = "31"; break;
            case 'b': piece = "Oct"; break;
            case 'B': piece = "October"; break;
            case 'a': piece = "Sat"; break;
            case 'A': piece = "Saturday"; break;
            case 'H': piece = "14"; break;
            case 'I': piece = "02"; break;
            case 'M': piece = "05"; break;
            case 'S': piece = "00"; break;
            case 'p': piece = "PM"; break;
            case 'f': piece = "000"; break;
            case 'z': piece = "+0000"; break;
            case 'j': piece = "304"; break;
            case '%': piece = "%"; break;
            case '\0': piece = "%"; f--; break;
            default: piece = "?"; break;
            }
        }
        int k = snprintf(buf + n, size - n, "%s", piece);
        if (k < 0)
            return;
        n += (size_t)k;
        if (n >= size)
            return;
    }
}

/* ---- yes/no and enumerations ---- */

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
