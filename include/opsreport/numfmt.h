/*
 * numfmt.h - numbers formatted for people, locale-independent and deterministic.
 *
 * Every function writes a NUL-terminated UTF-8 string into buf (size bytes,
 * truncated if too small; 64 bytes is enough with a currency code of up to
 * 16 bytes) and returns buf, so a call can sit inside a printf argument
 * list. Nothing depends on setlocale(): the
 * decimal point is always '.', the thousands separator always ','.
 *
 * Conventions shared by every function:
 *   - negative numbers use the Unicode minus sign U+2212 ("−"), which the
 *     report fonts (DejaVu) carry; NUMFMT_MINUS is that sign as UTF-8;
 *   - rounding is half away from zero on the decimal value a person would
 *     write (7.25 with one decimal is "7.3"), and a value that rounds to zero
 *     never shows a sign ("0.0", not "−0.0");
 *   - NaN and infinities print as NUMFMT_NA ("n/a").
 *
 * Money is taken as int64 minor units (cents) plus the number of minor digits
 * of the currency (2 for EUR/USD, 0 for JPY) and is rounded with integer
 * arithmetic, so no float error can reach a money figure.
 *
 * Short forms use k (thousand), M (million) and bn (billion): one decimal
 * below 10 of the unit, none from 10 up ("4.5k", "184k", "1.2M", "45M"), and
 * a value that rounds up to 1000 of a unit moves to the next one (999,950 is
 * "1.0M", never "1000k").
 */
#ifndef OPSREPORT_NUMFMT_H
#define OPSREPORT_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

#define NUMFMT_MINUS "\xE2\x88\x92" /* U+2212 MINUS SIGN */
#define NUMFMT_NA "n/a"

/* Flags for the money and delta formatters. */
enum {
    NUMFMT_SIGNED = 1u << 0, /* show "+" on positive values (changes, variances) */
};

/* "EUR 1,234,567.89", "−EUR 1,234.50"; currency is a code or symbol printed
 * before the number followed by a space ("" prints no prefix). minor_digits
 * is 0..4. */
char *numfmt_money(char *buf, size_t size, int64_t minor, const char *currency,
                   int minor_digits, unsigned flags);

/* "EUR 184k", "−EUR 1.2M", "EUR 950", "EUR 3.4bn" (rules in the file comment). */
char *numfmt_money_short(char *buf, size_t size, int64_t minor, const char *currency,
                         int minor_digits, unsigned flags);

/* A plain number with thousands separators and the given decimals (0..6):
 * "1,234.5". NUMFMT_SIGNED gives "+1,234.5" / "−12" / "0" (a signed delta). */
char *numfmt_number(char *buf, size_t size, double value, int decimals, unsigned flags);

/* A whole count with thousands separators: "1,234,567". */
char *numfmt_count(char *buf, size_t size, int64_t count);

/* Short form of a plain number: "950", "4.5k", "184k", "1.2M", "3.4bn";
 * below 1,000 a whole number (0.4 is "0"): use numfmt_number for small values. */
char *numfmt_short(char *buf, size_t size, double value, unsigned flags);

/* A percentage; the value is in percent (7.2 means 7.2%): "7.2%". */
char *numfmt_percent(char *buf, size_t size, double percent, int decimals);

/* A change in percentage points, always signed unless zero: "+1.3 pp", "−0.4 pp". */
char *numfmt_pp_change(char *buf, size_t size, double points, int decimals);

/* Days with one decimal: "4.5 d". */
char *numfmt_days(char *buf, size_t size, double days);

/* An axis tick label. All ticks of one axis share the unit picked from
 * max_abs (the largest |tick|) and the decimals needed to tell ticks `step`
 * apart: ticks 0, 2500, 5000 give "0", "2.5k", "5k"; 0.02, 0.04 give "0.02",
 * "0.04". Trailing zeros are not padded ("5k", not "5.0k"). */
char *numfmt_tick(char *buf, size_t size, double value, double step, double max_abs);

#endif
