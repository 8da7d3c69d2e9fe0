/*
 * numfmt.c - locale-independent number formatting for the report and e-mail.
 *
 * Hand-written: printf's %f follows LC_NUMERIC, has no thousands grouping in
 * C11 and rounds exact binary ties to even (7.25 -> "7.2"), and no library on
 * the stack formats money from minor units. So every formatter here first
 * turns the value into an integer count of the last shown decimal (rounded
 * half away from zero), then lays the digits out itself with fmt_digits().
 * Money never goes through a double: it is rounded with integer division.
 */
#include "opsreport/numfmt.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const short_units[] = {"", "k", "M", "bn"};
#define SHORT_UNIT_MAX 3

static uint64_t pow10u(int n)
{
    uint64_t p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

/* |v| as uint64 without overflow for INT64_MIN. */
static uint64_t abs_u64(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* Digits of r shown with `decimals` places (r = value * 10^decimals), with
 * ',' every three integer digits when group is set. */
static void fmt_digits(char *out, size_t size, uint64_t r, int decimals, bool group)
{
    char tmp[64];
    size_t n = 0;
    int pos = 0; /* digits emitted, from the right */
    do {
        if (pos == decimals && decimals > 0)
            tmp[n++] = '.';
        int int_pos = pos - decimals;
        if (group && int_pos > 0 && int_pos % 3 == 0)
            tmp[n++] = ',';
        tmp[n++] = (char)('0' + r % 10);
        r /= 10;
        pos++;
    } while (r > 0 || pos <= decimals);
    size_t i = 0;
    for (; i < n && i + 1 < size; i++)
        out[i] = tmp[n - 1 - i];
    if (size > 0)
        out[i] = '\0';
}

/* value * 10^decimals rounded half away from zero. The tiny relative nudge
 * makes decimal ties that binary cannot hold exactly (1.005) round the way a
 * person rounds them. False if the value does not fit. */
static bool round_scaled(double value, int decimals, uint64_t *mag, bool *neg)
{
    if (!isfinite(value))
        return false;
    double s = fabs(value) * (double)pow10u(decimals);
    s += s * 1e-12;
    if (s >= 9.0e18)
        return false;
    *mag = (uint64_t)floor(s + 0.5);
    *neg = value < 0 && *mag != 0;
    return true;
}

static char *put(char *buf, size_t size, const char *sign, const char *prefix,
                 const char *digits, const char *suffix)
{
    snprintf(buf, size, "%s%s%s%s%s", sign, prefix, prefix[0] ? " " : "", digits, suffix);
    return buf;
}

static const char *sign_of(bool neg, bool nonzero, unsigned flags)
{
    if (neg)
        return NUMFMT_MINUS;
    return (flags & NUMFMT_SIGNED) && nonzero ? "+" : "";
}

static int clamp_int(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

char *numfmt_money(char *buf, size_t size, int64_t minor, const char *currency,
                   int minor_digits, unsigned flags)
{
    char digits[40];
    minor_digits = clamp_int(minor_digits, 0, 4);
    uint64_t m = abs_u64(minor);
    fmt_digits(digits, sizeof digits, m, minor_digits, true);
    return put(buf, size, sign_of(minor < 0, m != 0, flags), currency ? currency : "",
               digits, "");
}

/* Picks unit k and decimals d for a magnitude, given a function that rounds
 * the magnitude to an integer count of 10^-d units of 1000^k. Shared by the
 * money (integer) and double short forms. */
typedef uint64_t (*scale_fn)(const void *ctx, int k, int d);

static void short_pick(const void *ctx, scale_fn scale, int k, int *k_out, int *d_out,
                       uint64_t *r_out)
{
    for (;;) {
        int d = k == 0 ? 0 : 1;
        uint64_t r = scale(ctx, k, d);
        if (d == 1 && r >= 100) { /* 10 and up: no decimal */
            d = 0;
            r = scale(ctx, k, 0);
        }
        if (r >= 1000 * pow10u(d) && k < SHORT_UNIT_MAX) { /* 999.96k -> 1.0M */
            k++;
            continue;
        }
        *k_out = k;
        *d_out = d;
        *r_out = r;
        return;
    }
}

typedef struct {
    uint64_t m;    /* magnitude in minor units */
    uint64_t base; /* minor units per major unit */
} money_ctx_t;

static uint64_t money_scale(const void *ctx, int k, int d)
{
    const money_ctx_t *c = ctx;
    /* one shown step in minor units: base * 1000^k / 10^d; for k == 0, d is 0 */
    uint64_t step = c->base * pow10u(3 * k) / pow10u(d);
    if (step == 0)
        step = 1;
    return (c->m + step / 2) / step;
}

char *numfmt_money_short(char *buf, size_t size, int64_t minor, const char *currency,
                         int minor_digits, unsigned flags)
{
    minor_digits = clamp_int(minor_digits, 0, 4);
    money_ctx_t c = {abs_u64(minor), pow10u(minor_digits)};
    int k = 0;
    while (k < SHORT_UNIT_MAX && c.m >= c.base * pow10u(3 * (k + 1)))
        k++;
    int d;
    uint64_t r;
    short_pick(&c, money_scale, k, &k, &d, &r);
    char digits[40];
    fmt_digits(digits, sizeof digits, r, d, true);
    return put(buf, size, sign_of(minor < 0 && r != 0, r != 0, flags),
               currency ? currency : "", digits, short_units[k]);
}

char *numfmt_number(char *buf, size_t size, double value, int decimals, unsigned flags)
{
    decimals = clamp_int(decimals, 0, 6);
    uint64_t r;
    bool neg;
    if (!round_scaled(value, decimals, &r, &neg))
        return put(buf, size, "", "", NUMFMT_NA, "");
    char digits[40];
    fmt_digits(digits, sizeof digits, r, decimals, true);
    return put(buf, size, sign_of(neg, r != 0, flags), "", digits, "");
}

char *numfmt_count(char *buf, size_t size, int64_t count)
{
    char digits[40];
    uint64_t m = abs_u64(count);
    fmt_digits(digits, sizeof digits, m, 0, true);
    return put(buf, size, sign_of(count < 0, m != 0, 0), "", digits, "");
}

static uint64_t double_scale(const void *ctx, int k, int d)
{
    double a = *(const double *)ctx / pow(1000.0, k);
    uint64_t r = 0;
    bool neg;
    round_scaled(a, d, &r, &neg); /* magnitude checked by the caller */
    return r;
}

char *numfmt_short(char *buf, size_t size, double value, unsigned flags)
{
    if (!isfinite(value) || fabs(value) >= 1e18)
        return put(buf, size, "", "", NUMFMT_NA, "");
    double a = fabs(value);
    int k = 0;
    while (k < SHORT_UNIT_MAX && a >= pow(1000.0, k + 1))
        k++;
    int d;
    uint64_t r;
    short_pick(&a, double_scale, k, &k, &d, &r);
    char digits[40];
    fmt_digits(digits, sizeof digits, r, d, true);
    return put(buf, size, sign_of(value < 0 && r != 0, r != 0, flags), "", digits,
               short_units[k]);
}

char *numfmt_percent(char *buf, size_t size, double percent, int decimals)
{
    if (!isfinite(percent))
        return put(buf, size, "", "", NUMFMT_NA, "");
    char num[48];
    numfmt_number(num, sizeof num, percent, decimals, 0);
    snprintf(buf, size, "%s%%", num);
    return buf;
}

char *numfmt_pp_change(char *buf, size_t size, double points, int decimals)
{
    if (!isfinite(points))
        return put(buf, size, "", "", NUMFMT_NA, "");
    char num[48];
    numfmt_number(num, sizeof num, points, decimals, NUMFMT_SIGNED);
    snprintf(buf, size, "%s pp", num);
    return buf;
}

char *numfmt_days(char *buf, size_t size, double days)
{
    if (!isfinite(days))
        return put(buf, size, "", "", NUMFMT_NA, "");
    char num[48];
    numfmt_number(num, sizeof num, days, 1, 0);
    snprintf(buf, size, "%s d", num);
    return buf;
}

char *numfmt_tick(char *buf, size_t size, double value, double step, double max_abs)
{
    if (!isfinite(value) || !isfinite(step) || !isfinite(max_abs) || step <= 0)
        return put(buf, size, "", "", NUMFMT_NA, "");
    int k = 0;
    while (k < SHORT_UNIT_MAX && fabs(max_abs) >= pow(1000.0, k + 1))
        k++;
    double unit = pow(1000.0, k);
    double s = step / unit;
    /* fewest decimals that show every multiple of the step exactly */
    int d = 0;
    while (d < 6) {
        double t = s * pow(10.0, d);
        if (fabs(t - round(t)) <= 1e-6 * t)
            break;
        d++;
    }
    uint64_t r;
    bool neg;
    if (!round_scaled(value / unit, d, &r, &neg))
        return put(buf, size, "", "", NUMFMT_NA, "");
    while (d > 0 && r % 10 == 0) { /* "5k", not "5.0k" */
        r /= 10;
        d--;
    }
    char digits[40];
    fmt_digits(digits, sizeof digits, r, d, true);
    return put(buf, size, neg ? NUMFMT_MINUS : "", "", digits, r ? short_units[k] : "");
}
