/*
 * Unit tests for the typed field parsers (pipeline/core/parse.c).
 *
 * Each test is a table of cases: the input, the format, and either the
 * expected value or a substring of the expected reason. Day numbers are
 * written as date_from_ymd(y, m, d), which test_civil_dates pins to known
 * values (1970-01-01 is 0, 2000-01-01 is 10957).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsreport/parse.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static config_list_t USD_SYMBOLS = { { (char *)"$", (char *)"USD" }, 2 };
static config_list_t EUR_SYMBOLS = { { (char *)"\xE2\x82\xAC", (char *)"EUR" }, 2 }; /* € */

static const number_format_t DOT = { '.', ',', NULL };
static const number_format_t COMMA = { ',', '.', NULL };
static const number_format_t PLAIN = { '.', 0, NULL };
static const number_format_t COMMA_PLAIN = { ',', 0, NULL };
static const number_format_t DOT_USD = { '.', ',', &USD_SYMBOLS };
static const number_format_t COMMA_EUR = { ',', '.', &EUR_SYMBOLS };

/* ---- money ---- */

typedef struct {
    const char *in;
    const number_format_t *fmt;
    int minor;
    int64_t value;
    int64_t residual; /* millionths of a minor unit */
} money_case_t;

Test(parse_money, accepted_values)
{
    static const money_case_t cases[] = {
        { "1234.56", &DOT, 2, 123456, 0 },
        { "1,234.56", &DOT, 2, 123456, 0 },
        { "1,234,567.8", &DOT, 2, 123456780, 0 },
        { "7", &DOT, 2, 700, 0 },
        { "0.05", &DOT, 2, 5, 0 },
        { ".5", &PLAIN, 2, 50, 0 },
        { "5.", &PLAIN, 2, 500, 0 },
        { "007", &PLAIN, 2, 700, 0 },
        { "1.234,56", &COMMA, 2, 123456, 0 },
        { "12,5", &COMMA, 2, 1250, 0 },
        { "1.234.567,89", &COMMA, 2, 123456789, 0 },
        { "1,5", &COMMA_PLAIN, 2, 150, 0 }, /* decimal comma, no thousands */
        { "-12.50", &DOT, 2, -1250, 0 },
        { "(12.50)", &DOT, 2, -1250, 0 },
        { "12.50-", &DOT, 2, -1250, 0 },
        { "1.234,56-", &COMMA, 2, -123456, 0 },
        { "(1,000.00)", &DOT, 2, -100000, 0 },
        { "( 1,000.00 )", &DOT, 2, -100000, 0 },
        { "+3.00", &DOT, 2, 300, 0 },
        { "12.3400", &DOT, 2, 1234, 0 }, /* zeros past the cents: exact */
        { "5", &DOT, 0, 5, 0 },
        { "1.234", &DOT, 3, 1234, 0 },
        /* currency symbols, only those listed, before or after, sign inside or out */
        { "-$5.00", &DOT_USD, 2, -500, 0 },
        { "$-5.00", &DOT_USD, 2, -500, 0 },
        { "($5.00)", &DOT_USD, 2, -500, 0 },
        { "$(5.00)", &DOT_USD, 2, -500, 0 },
        { "$5.00-", &DOT_USD, 2, -500, 0 },
        { "5.00 USD", &DOT_USD, 2, 500, 0 },
        { "5.00USD", &DOT_USD, 2, 500, 0 },
        { "USD 5.00", &DOT_USD, 2, 500, 0 },
        { "usd 5.00", &DOT_USD, 2, 500, 0 },
        { "-5.00 USD", &DOT_USD, 2, -500, 0 },
        { "5.00- USD", &DOT_USD, 2, -500, 0 },
        { "$ 1,000.25", &DOT_USD, 2, 100025, 0 },
        { "$5,227,100.00", &DOT_USD, 2, 522710000, 0 }, /* Philadelphia contracts */
        { "500000", &DOT_USD, 2, 50000000, 0 },
        { "\xE2\x82\xAC 3,50", &COMMA_EUR, 2, 350, 0 }, /* "€ 3,50" */
        { "3,50\xE2\x82\xAC", &COMMA_EUR, 2, 350, 0 },
        { "EUR 1.005,00", &COMMA_EUR, 2, 100500, 0 },
        /* extra decimals round half to even; residual = as written - rounded */
        { "957.5775", &DOT, 2, 95758, -250000 },  /* 957.5775 - 957.58 = -0.25 cent */
        { "0.125", &DOT, 2, 12, 500000 },         /* tie, 12 even: stays */
        { "0.135", &DOT, 2, 14, -500000 },        /* tie, 13 odd: up */
        { "0.115", &DOT, 2, 12, -500000 },
        { "-0.125", &DOT, 2, -12, -500000 },      /* symmetric: -0.125 - -0.12 */
        { "(0.135)", &DOT, 2, -14, 500000 },
        { "0.1251", &DOT, 2, 13, -490000 },       /* past the half: up; 0.51 - 1 cent */
        { "0.12499999", &DOT, 2, 12, 499999 },    /* residual from 6 places: 0.499999 */
        /* 0.99999999 cent over 2066075.58: up; the residual reads only the first 6
         * extra places, 0.999999 - 1 = -0.000001 cent */
        { "2066075.5899999999", &DOT, 2, 206607559, -1 },
        { "2.5", &DOT, 0, 2, 500000 },
        { "3.5", &DOT, 0, 4, -500000 },
        { "1.2345", &DOT, 3, 1234, 500000 },
        { "1.2355", &DOT, 3, 1236, -500000 },
        { "1.0000001", &DOT, 0, 1, 0 },           /* 7th place: rounding only */
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        const money_case_t *c = &cases[i];
        int64_t v = 0, r = 42;
        const char *why = "";
        bool ok = parse_money(c->in, strlen(c->in), c->fmt, c->minor, &v, &r, &why);
        cr_expect(ok, "'%s' should parse: %s", c->in, why);
        if (!ok)
            continue;
        cr_expect_eq(v, c->value, "'%s': %lld, expected %lld", c->in, (long long)v,
                     (long long)c->value);
        cr_expect_eq(r, c->residual, "'%s' residual: %lld, expected %lld", c->in, (long long)r,
                     (long long)c->residual);
    }
}

typedef struct {
    const char *in;
    const number_format_t *fmt;
    const char *why; /* substring of the reason */
} reject_case_t;

static const char CURRENCY_HINT[] = "(currency symbols are accepted only through currency_symbols)";

Test(parse_money, rejected_values)
{
    static const reject_case_t cases[] = {
        { "", &DOT, "no digits" },
        { "-", &DOT, "no digits in '-'" },
        { "()", &DOT, "no digits" },
        { "abc", &DOT, "'abc' is not part of a number" },
        { "1.2.3", &DOT, "more than one decimal separator '.'" },
        { "1,23,456.00", &DOT, "thousands separators must group digits by three" },
        { "12,34", &DOT, "thousands separators must group digits by three" },
        { "1,234,", &DOT, "thousands separators must group digits by three" },
        { "1234,567", &DOT, "thousands separators must group digits by three" },
        { "1.2", &COMMA, "thousands separators must group digits by three" },
        { "1,234.5,6", &DOT, "thousands separator ',' after the decimal separator '.'" },
        { "1 234", &PLAIN, "' ' is not part of a number" },
        { "1,5", &PLAIN, "',' is not part of a number" },
        /* letters are no longer dropped: these used to read as 1.50, 2.00, 12.00 */
        { "1.5k", &DOT,
          "expected an amount like 1,234.56: 'k' is not part of a number (currency symbols are "
          "accepted only through currency_symbols)" },
        { "2M", &DOT, "'M' is not part of a number" },
        { "12abc", &DOT, "'abc' is not part of a number" },
        { "1e5", &DOT, "'e' is not part of a number" },
        /* symbols only through currency_symbols */
        { "USD 5.00", &DOT, "'USD' is not part of a number" },
        { "$5.00", &DOT, "'$' is not part of a number" },
        { "\xE2\x82\xAC 3,50", &COMMA, "'\xE2\x82\xAC' is not part of a number" },
        { "USD 5,00", &COMMA_EUR, "'USD' is not part of a number (currency_symbols: \xE2\x82\xAC, EUR)" },
        { "$5.00 USD", &DOT_USD, "'USD' is not part of a number" }, /* one symbol at most */
        { "5$00", &DOT_USD, "'$' is not part of a number" },
        { "1.5k", &DOT_USD, "'k' is not part of a number" },
        { "--5", &DOT, "more than one sign in '--5'" },
        { "(-5.00)", &DOT, "more than one sign" },
        { "-5.00-", &DOT, "more than one sign" },
        { "-$-5", &DOT_USD, "more than one sign" },
        { "(5.00", &DOT, "'(' is not part of a number" },
        { "99999999999999999999", &DOT, "amount too large" },
        { "1.234,56", &DOT, "expected an amount like 1,234.56" },
        { "1,234.56", &COMMA, "expected an amount like 1.234,56" },
        { "x", &COMMA_PLAIN, "expected an amount like 1234,56" },
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        const reject_case_t *c = &cases[i];
        int64_t v, r;
        const char *why = NULL;
        cr_expect_not(parse_money(c->in, strlen(c->in), c->fmt, 2, &v, &r, &why),
                      "'%s' should be rejected", c->in);
        cr_expect(why && strstr(why, c->why), "'%s': reason '%s' lacks '%s'", c->in,
                  why ? why : "(none)", c->why);
    }
    /* the hint names the config key only where no symbols are configured */
    int64_t v, r;
    const char *why = NULL;
    cr_assert_not(parse_money("USD 5.00", 8, &DOT, 2, &v, &r, &why));
    cr_expect(strstr(why, CURRENCY_HINT) != NULL, "%s", why);
}

Test(parse_money, residual_may_be_null)
{
    int64_t v;
    const char *why;
    cr_assert(parse_money("0.125", 5, &DOT, 2, &v, NULL, &why));
    cr_expect_eq(v, 12);
}

/* ---- decimals and integers ---- */

typedef struct {
    const char *in;
    const number_format_t *fmt;
    double value;
} decimal_case_t;

Test(parse_decimal, accepted_values)
{
    static const decimal_case_t cases[] = {
        { "1.234,5", &COMMA, 1234.5 },     { "-0.25", &DOT, -0.25 },
        { "1,5", &COMMA_PLAIN, 1.5 },      { "0.940725424", &DOT, 0.940725424 },
        { "(2.5)", &DOT, -2.5 },           { "$3.5", &DOT_USD, 3.5 },
        { "1,234,567", &DOT, 1234567.0 },  { "26.16", &PLAIN, 26.16 },
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        double d = 0;
        const char *why = "";
        cr_expect(parse_decimal(cases[i].in, strlen(cases[i].in), cases[i].fmt, &d, &why),
                  "'%s': %s", cases[i].in, why);
        cr_expect_float_eq(d, cases[i].value, 1e-12, "'%s': %g", cases[i].in, d);
    }
}

/* The fast path (up to 15 digits) must give exactly strtod's double: the
 * same bits for every length of integer and fraction part, signs, leading
 * and trailing zeros, and the longest strings that still take it. */
Test(parse_decimal, same_bits_as_strtod)
{
    unsigned long long x = 88172645463325252ULL; /* xorshift64: the same cases every run */
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int n_int = (int)(x % 10), n_frac = (int)((x >> 8) % 12);
        char text[40];
        size_t n = 0;
        if ((x >> 20) & 1)
            text[n++] = '-';
        unsigned long long y = x;
        for (int k = 0; k < n_int + n_frac + (n_int + n_frac == 0); k++) {
            if (k == (n_int ? n_int : 1) && n_frac)
                text[n++] = '.';
            text[n++] = (char)('0' + (y % 10));
            y = y / 10 ? y / 10 : x * 2654435761ULL;
        }
        text[n] = '\0';
        double got, want = strtod(text, NULL);
        const char *why = NULL;
        cr_assert(parse_decimal(text, n, &PLAIN, &got, &why), "%s: %s", text, why ? why : "");
        cr_assert(memcmp(&got, &want, sizeof got) == 0, "%s: %.17g, strtod %.17g", text, got, want);
    }
}

Test(parse_decimal, rejected_values)
{
    static const reject_case_t cases[] = {
        { "1e5", &DOT, "expected a number like 1,234.56: 'e' is not part of a number" },
        { "1.5k", &DOT, "'k' is not part of a number" },
        { "USD 3", &DOT, "'USD'" },
        { "1.2.3", &DOT, "more than one decimal separator" },
        { "nan", &DOT, "'nan'" },
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        double d;
        const char *why = NULL;
        cr_expect_not(parse_decimal(cases[i].in, strlen(cases[i].in), cases[i].fmt, &d, &why),
                      "'%s' should be rejected", cases[i].in);
        cr_expect(why && strstr(why, cases[i].why), "'%s': '%s'", cases[i].in, why);
    }
}

typedef struct {
    const char *in;
    const number_format_t *fmt;
    int64_t value;
} integer_case_t;

Test(parse_integer, accepted_values)
{
    static const integer_case_t cases[] = {
        { "1,200", &DOT, 1200 }, { "-7", &DOT, -7 },    { "(3)", &DOT, -3 },
        { "007", &PLAIN, 7 },    { "$12", &DOT_USD, 12 }, { "1.000", &COMMA, 1000 },
        { "999999999999999999", &PLAIN, 999999999999999999LL },
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        int64_t v = 0;
        const char *why = "";
        cr_expect(parse_integer(cases[i].in, strlen(cases[i].in), cases[i].fmt, &v, &why),
                  "'%s': %s", cases[i].in, why);
        cr_expect_eq(v, cases[i].value, "'%s': %lld", cases[i].in, (long long)v);
    }
}

Test(parse_integer, rejected_values)
{
    static const reject_case_t cases[] = {
        { "3.5", &DOT, "expected a whole number like 1,234: '3.5' has a decimal separator '.'" },
        { "3,0", &COMMA_PLAIN, "expected a whole number like 1234: '3,0' has a decimal separator" },
        { "12abc", &DOT, "'abc' is not part of a number" },
        { "1234567890123456789", &PLAIN, "more than 18 digits" },
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        int64_t v;
        const char *why = NULL;
        cr_expect_not(parse_integer(cases[i].in, strlen(cases[i].in), cases[i].fmt, &v, &why),
                      "'%s' should be rejected", cases[i].in);
        cr_expect(why && strstr(why, cases[i].why), "'%s': '%s'", cases[i].in, why);
    }
}

/* ---- civil dates ---- */

Test(parse_date, civil_dates)
{
    static const struct {
        int y, m, d;
        int32_t days;
    } cases[] = {
        { 1970, 1, 1, 0 },
        { 1969, 12, 31, -1 },
        { 2000, 1, 1, 10957 },   /* 30 years * 365 + 7 leap days (1972..1996) */
        { 2000, 3, 1, 11017 },   /* + 31 + 29: 2000 is a leap year */
        { 1900, 1, 1, -25567 },  /* 70 * 365 + 17 leap days (1904..1968) */
        { 1900, 3, 1, -25508 },  /* + 31 + 28: 1900 is not */
        /* 56 years incl. 14 leap days = 20454 to 2026-01-01, + 303 */
        { 2026, 10, 31, 20757 },
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        cr_expect_eq(date_from_ymd(cases[i].y, cases[i].m, cases[i].d), cases[i].days,
                     "%04d-%02d-%02d", cases[i].y, cases[i].m, cases[i].d);
        int y, m, d;
        date_to_ymd(cases[i].days, &y, &m, &d);
        cr_expect(y == cases[i].y && m == cases[i].m && d == cases[i].d, "day %d",
                  (int)cases[i].days);
    }
}

/* ---- dates ---- */

#define MAX_FORMATS 3

static config_list_t formats_of(const char *const *names)
{
    config_list_t l = { { NULL }, 0 };
    for (size_t i = 0; i < MAX_FORMATS && names[i]; i++)
        l.items[l.count++] = (char *)names[i];
    return l;
}

typedef struct {
    const char *in;
    const char *formats[MAX_FORMATS];
    int y, m, d;
    int grain;
} date_case_t;

enum { DAY = PARSE_GRAIN_DAY, MONTH = PARSE_GRAIN_MONTH, YEAR = PARSE_GRAIN_YEAR };

#define AMPM_DMY "%d/%m/%Y %I:%M:%S %p"
#define AMPM_MDY "%m/%d/%Y %I:%M:%S %p"

Test(parse_date, accepted_values)
{
    static const date_case_t cases[] = {
        { "2026-10-31", { "iso" }, 2026, 10, 31, DAY },
        { "1970-01-01", { "ISO" }, 1970, 1, 1, DAY },
        { "2024-02-29", { "iso" }, 2024, 2, 29, DAY },
        { "2026-1-5", { "iso" }, 2026, 1, 5, DAY },
        /* iso date-times in date columns: the calendar date as written */
        { "2017-02-16 00:00:00", { "iso" }, 2017, 2, 16, DAY },
        { "2024-04-16T03:03:15.000", { "iso" }, 2024, 4, 16, DAY },
        { "2020-01-01T23:30:00-05:00", { "iso" }, 2020, 1, 1, DAY },
        { "2021-02-17T02:45:29Z", { "iso" }, 2021, 2, 17, DAY },
        { "10/31/2026", { "%m/%d/%Y" }, 2026, 10, 31, DAY },
        { "31.10.2026", { "%d.%m.%Y" }, 2026, 10, 31, DAY },
        { "31-10-26", { "%d-%m-%y" }, 2026, 10, 31, DAY },
        { "31-10-70", { "%d-%m-%y" }, 1970, 10, 31, DAY },
        { "46326", { "excel" }, 2026, 10, 31, DAY },      /* 25569 + 20757 */
        { "46326.75", { "excel" }, 2026, 10, 31, DAY },
        { "Sat, 31 Oct 2026 10:00:00 +0000", { "rfc2822" }, 2026, 10, 31, DAY },
        { "31 Oct 2026 10:00 GMT", { "rfc2822" }, 2026, 10, 31, DAY },
        /* unpadded month and day (Philadelphia, the garment factory) */
        { "9/18/2019", { "%m/%d/%Y" }, 2019, 9, 18, DAY },
        { "1/13/2015", { "%m/%d/%Y" }, 2015, 1, 13, DAY },
        { "01/03/2015", { "%m/%d/%Y" }, 2015, 1, 3, DAY },
        { "20130215", { "%Y%m%d" }, 2013, 2, 15, DAY },
        /* date-times with AM/PM in date columns (Baltimore, Melbourne Water) */
        { "02/11/2019 12:00:00 AM", { AMPM_MDY }, 2019, 2, 11, DAY },
        { "5/02/2016 5:00:00 PM", { AMPM_DMY }, 2016, 2, 5, DAY },
        { "24/10/2016", { AMPM_DMY, "%d/%m/%Y" }, 2016, 10, 24, DAY },
        { "2026-10-31", { "%d.%m.%Y", "iso" }, 2026, 10, 31, DAY }, /* tried in order */
        { "2026-304", { "%Y-%j" }, 2026, 10, 31, DAY },
        { "2024-060", { "%Y-%j" }, 2024, 2, 29, DAY },
        { "31 October 2026", { "%d %B %Y" }, 2026, 10, 31, DAY },
        { "31 oct 2026", { "%d %b %Y" }, 2026, 10, 31, DAY },
        { "Saturday, 31 October 2026", { "%A, %d %B %Y" }, 2026, 10, 31, DAY },
        { "5/10/2026", { "%e/%m/%Y" }, 2026, 10, 5, DAY },
        { "31.10.2026 ", { "%d.%m.%Y" }, 2026, 10, 31, DAY },
        /* month grain: no day directive, the 1st of the month */
        { "2026-10", { "%Y-%m" }, 2026, 10, 1, MONTH },
        { "10/2026", { "%m/%Y" }, 2026, 10, 1, MONTH },
        { "Oct 2026", { "%b %Y" }, 2026, 10, 1, MONTH },
        { "13-Dec", { "%y-%b" }, 2013, 12, 1, MONTH },    /* DETE cease dates */
        { "14-Jan", { "%y-%b", "%Y" }, 2014, 1, 1, MONTH },
        /* year grain: neither day nor month, 1 January */
        { "2012", { "%y-%b", "%Y" }, 2012, 1, 1, YEAR },
        { "2019", { "%Y" }, 2019, 1, 1, YEAR },
        { "FY26", { "FY%y" }, 2026, 1, 1, YEAR },
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        const date_case_t *c = &cases[i];
        config_list_t l = formats_of(c->formats);
        int32_t d = 0;
        int grain = -1;
        const char *why = "";
        bool ok = parse_date(c->in, strlen(c->in), &l, &d, &grain, &why);
        cr_expect(ok, "'%s' with %s: %s", c->in, c->formats[0], why);
        if (!ok)
            continue;
        int32_t want = date_from_ymd(c->y, c->m, c->d);
        cr_expect_eq(d, want, "'%s' with %s: day %d, expected %d", c->in, c->formats[0], (int)d,
                     (int)want);
        cr_expect_eq(grain, c->grain, "'%s' with %s: grain %d, expected %d", c->in,
                     c->formats[0], grain, c->grain);
    }
}

typedef struct {
    const char *in;
    const char *formats[MAX_FORMATS];
    const char *why; /* substring of the reason */
} date_reject_t;

Test(parse_date, rejected_values)
{
    static const date_reject_t cases[] = {
        { "2026-02-29", { "iso" }, "day 29 does not exist in 2026-02" },
        { "31.02.2026", { "%d.%m.%Y" }, "day 31 does not exist in 2026-02" },
        { "31.04.2026", { "%d.%m.%Y", "iso" }, "day 31 does not exist in 2026-04" },
        { "2026-366", { "%Y-%j" }, "day 366 of the year does not exist in 2026" },
        { "1850-01-01", { "iso" }, "year 1850 is outside 1900..2200" },
        { "2026-13-01", { "iso" }, PARSE_WHY_NO_FORMAT },
        { "2026-10-31x", { "iso" }, PARSE_WHY_NO_FORMAT },
        { "2026/10/31", { "iso" }, PARSE_WHY_NO_FORMAT },
        { "26-10-31", { "iso" }, PARSE_WHY_NO_FORMAT },
        { "2026-10-31T25:00:00", { "iso" }, PARSE_WHY_NO_FORMAT },
        { "2026-10-3114:05", { "iso" }, PARSE_WHY_NO_FORMAT },
        { "13/31/2026", { "%m/%d/%Y" }, PARSE_WHY_NO_FORMAT },
        { "Not Stated", { "%y-%b", "%Y" }, PARSE_WHY_NO_FORMAT },
        { "13-Dez", { "%y-%b" }, PARSE_WHY_NO_FORMAT },
        { "46326", { "iso" }, PARSE_WHY_NO_FORMAT },
        { "60", { "excel" }, PARSE_WHY_NO_FORMAT }, /* before Excel's phantom 1900-02-29 */
        { "0xB4F6", { "excel" }, PARSE_WHY_NO_FORMAT },
        { "4.6e4", { "excel" }, PARSE_WHY_NO_FORMAT },
        { "31.10.2026", { "%d.%Q.%Y" }, PARSE_WHY_NO_FORMAT },
        { "31.10", { "%d.%m" }, "the format has no year" },
        { "02/11/2019 13:00:00 PM", { AMPM_MDY }, PARSE_WHY_NO_FORMAT },
        { "", { "iso" }, PARSE_WHY_NO_FORMAT },
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        const date_reject_t *c = &cases[i];
        config_list_t l = formats_of(c->formats);
        int32_t d;
        const char *why = NULL;
        cr_expect_not(parse_date(c->in, strlen(c->in), &l, &d, NULL, &why),
                      "'%s' with %s should be rejected", c->in, c->formats[0]);
        cr_expect(why && strstr(why, c->why), "'%s': reason '%s' lacks '%s'", c->in,
                  why ? why : "(none)", c->why);
    }
}

/* ---- timestamps ---- */

typedef struct {
    const char *in;
    const char *formats[MAX_FORMATS];
    int y, m, d, hh, mm, ss; /* expected, UTC */
} ts_case_t;

static int64_t utc(int y, int m, int d, int hh, int mm, int ss)
{
    return (int64_t)date_from_ymd(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

Test(parse_timestamp, accepted_values)
{
    static const ts_case_t cases[] = {
        /* iso: fractions truncated, offsets applied, none = UTC */
        { "2013-07-02T02:33:35.279+0000", { "iso" }, 2013, 7, 2, 2, 33, 35 },
        { "2024-04-16T03:03:15.000", { "iso" }, 2024, 4, 16, 3, 3, 15 },
        { "2021-02-17T02:45:29Z", { "iso" }, 2021, 2, 17, 2, 45, 29 },
        { "2021-02-17t02:45:29z", { "iso" }, 2021, 2, 17, 2, 45, 29 },
        { "2017-02-16 00:00:00", { "iso" }, 2017, 2, 16, 0, 0, 0 },
        { "2020-01-01T10:00:00+05:30", { "iso" }, 2020, 1, 1, 4, 30, 0 },
        { "2020-01-01T10:00:00+0530", { "iso" }, 2020, 1, 1, 4, 30, 0 },
        { "2020-01-01T10:00:00+05", { "iso" }, 2020, 1, 1, 5, 0, 0 },
        { "2020-01-01T10:00:00-08:00", { "iso" }, 2020, 1, 1, 18, 0, 0 },
        { "2020-01-01T02:00:00+05:00", { "iso" }, 2019, 12, 31, 21, 0, 0 },
        { "2026-10-31T14:05", { "iso" }, 2026, 10, 31, 14, 5, 0 },
        { "2026-10-31 14:05:00 +02:00", { "iso" }, 2026, 10, 31, 12, 5, 0 },
        { "2026-10-31T14:05:59.999999999", { "iso" }, 2026, 10, 31, 14, 5, 59 },
        { "2026-10-31T14:05:59,5", { "iso" }, 2026, 10, 31, 14, 5, 59 },
        { "2026-10-31", { "iso" }, 2026, 10, 31, 0, 0, 0 },
        /* %p: 12 AM is midnight, 12 PM is noon */
        { "02/11/2019 12:00:00 AM", { AMPM_MDY }, 2019, 2, 11, 0, 0, 0 },
        { "02/11/2019 12:00:00 PM", { AMPM_MDY }, 2019, 2, 11, 12, 0, 0 },
        { "02/11/2019 12:30:00 am", { AMPM_MDY }, 2019, 2, 11, 0, 30, 0 },
        { "02/11/2019 01:15:00 PM", { AMPM_MDY }, 2019, 2, 11, 13, 15, 0 },
        { "5/02/2016 5:00:00 PM", { AMPM_DMY }, 2016, 2, 5, 17, 0, 0 },
        { "19/07/2008 11:55:00", { "%d/%m/%Y %H:%M:%S" }, 2008, 7, 19, 11, 55, 0 },
        /* %f: fraction of a second, truncated */
        { "2026-10-31 14:05:07.123456", { "%Y-%m-%d %H:%M:%S.%f" }, 2026, 10, 31, 14, 5, 7 },
        { "2026-10-31 14:05:07.9", { "%Y-%m-%d %H:%M:%S.%f" }, 2026, 10, 31, 14, 5, 7 },
        { "2026-10-31T16:05:00+0200", { "%Y-%m-%dT%H:%M:%S%z" }, 2026, 10, 31, 14, 5, 0 },
        { "2026-10-31T14:05:00Z", { "%Y-%m-%dT%H:%M:%S%z" }, 2026, 10, 31, 14, 5, 0 },
        { "20130215", { "%Y%m%d" }, 2013, 2, 15, 0, 0, 0 },
        { "2026-10", { "%Y-%m" }, 2026, 10, 1, 0, 0, 0 },
        { "2026 100%", { "%Y 100%%" }, 2026, 1, 1, 0, 0, 0 },
        { "46326.5", { "excel" }, 2026, 10, 31, 12, 0, 0 },
        { "Sat, 31 Oct 2026 16:05:00 +0200", { "rfc2822" }, 2026, 10, 31, 14, 5, 0 },
        { "31 Oct 2026 14:05 GMT", { "rfc2822" }, 2026, 10, 31, 14, 5, 0 },
        { "2026-10-31 14:05", { "%d/%m/%Y %H:%M", "iso" }, 2026, 10, 31, 14, 5, 0 },
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        const ts_case_t *c = &cases[i];
        config_list_t l = formats_of(c->formats);
        int64_t t = 0;
        const char *why = "";
        bool ok = parse_timestamp(c->in, strlen(c->in), &l, &t, &why);
        cr_expect(ok, "'%s' with %s: %s", c->in, c->formats[0], why);
        if (!ok)
            continue;
        int64_t want = utc(c->y, c->m, c->d, c->hh, c->mm, c->ss);
        cr_expect_eq(t, want, "'%s' with %s: %lld, expected %lld (off by %lld s)", c->in,
                     c->formats[0], (long long)t, (long long)want, (long long)(t - want));
    }
}

Test(parse_timestamp, rejected_values)
{
    static const date_reject_t cases[] = {
        { "2026-10-31T25:00:00", { "iso" }, PARSE_WHY_NO_FORMAT },
        { "2026-10-31T14:60", { "iso" }, PARSE_WHY_NO_FORMAT },
        { "2026-10-31T14", { "iso" }, PARSE_WHY_NO_FORMAT },
        { "2026-10-31T14:05:00+2400", { "iso" }, PARSE_WHY_NO_FORMAT },
        { "2026-10-31T14:05:00+5", { "iso" }, PARSE_WHY_NO_FORMAT },
        { "2026-10-31T14:05:00.", { "iso" }, PARSE_WHY_NO_FORMAT },
        { "2026-10-31T14:05:00 PST", { "iso" }, PARSE_WHY_NO_FORMAT },
        { "2026-02-30T00:00:00Z", { "iso" }, "day 30 does not exist in 2026-02" },
        { "02/11/2019 00:00:00 AM", { AMPM_MDY }, PARSE_WHY_NO_FORMAT }, /* %I is 1..12 */
        { "02/11/2019 10:00:00", { AMPM_MDY }, PARSE_WHY_NO_FORMAT },
        { "2026-10-31 14:05:00", { "%Y-%m-%d %H:%M:%S.%f" }, PARSE_WHY_NO_FORMAT },
        { "Sun, 31 Oct 2026", { "rfc2822" }, PARSE_WHY_NO_FORMAT },
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        const date_reject_t *c = &cases[i];
        config_list_t l = formats_of(c->formats);
        int64_t t;
        const char *why = NULL;
        cr_expect_not(parse_timestamp(c->in, strlen(c->in), &l, &t, &why),
                      "'%s' with %s should be rejected", c->in, c->formats[0]);
        cr_expect(why && strstr(why, c->why), "'%s': reason '%s' lacks '%s'", c->in,
                  why ? why : "(none)", c->why);
    }
}

/* ---- format checks and examples ---- */

#define SUPPORTED "supported: %Y %y %m %d %e %b %B %a %A %H %I %M %S %p %f %z %j %%"

typedef struct {
    const char *format;
    bool timestamp;
    const char *why; /* NULL: accepted; else a substring of the reason */
} check_case_t;

Test(parse_format_check, formats)
{
    static const check_case_t cases[] = {
        { "iso", false, NULL },
        { "ISO", true, NULL },
        { "excel", false, NULL },
        { "rfc2822", true, NULL },
        { "%d/%m/%Y", false, NULL },
        { "%d.%m.%Y", true, NULL }, /* a timestamp format without time: midnight */
        { "%Y-%m-%d %H:%M:%S.%f", true, NULL },
        { AMPM_MDY, true, NULL },
        { "%y-%b", false, NULL },
        { "%Y", false, NULL },
        { "%Y%m%d", false, NULL },
        { "%a, %e %B %Y %H:%M %z", true, NULL },
        { "%Y-%j", false, NULL },
        { "%Y 100%%", false, NULL },
        { "%d.%Q", false, "unknown directive %Q in '%d.%Q'; " SUPPORTED },
        { "%Y-%m-%dT%T", true, "unknown directive %T in '%Y-%m-%dT%T'" },
        { "%Y-%m-%d%\xC3\x84", false, "unknown directive %\xC3\x84 in" },
        { "dd.mm.yyyy", false, "'dd.mm.yyyy' has no % directive; use iso, excel, rfc2822 or a "
                               "pattern such as %d/%m/%Y" },
        { "100%%", false, "has no % directive" },
        { "", true, "empty format; use iso, excel, rfc2822 or a pattern such as %d/%m/%Y %H:%M" },
        { "%d.%m.%Y %", false, "'%d.%m.%Y %' ends with a lone %" },
        { "%d.%m", false, "'%d.%m' has no year: add %Y (2026) or %y (26)" },
        { "%H:%M", true, "has no year" },
        { "%Y-%m-%d %I:%M", true, "has %I (12-hour clock) without %p (AM/PM)" },
        /* fuzz finding: %f reads every digit, so these could match no value */
        { "%Y-%f%e", false, "'%Y-%f%e' has a number right after %f" },
        { "%Y-%m-%d %H:%M:%S.%f12", true, "has a number right after %f" },
        /* a name reads letters as far as the name goes: %aurday never matches */
        { "%Y %aurday", false, "has a letter right after %a, which reads a whole name" },
        { "%d%b%Y", false, NULL },
        { "%d%B%p%Y", false, "has a letter right after %B" },
        { "%Y-%m-%d %H:%M:%S.%fZ", true, NULL },
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        const check_case_t *c = &cases[i];
        char why[300] = "";
        bool ok = parse_format_check(c->format, c->timestamp, why, sizeof why);
        if (!c->why) {
            cr_expect(ok, "'%s' should be accepted: %s", c->format, why);
            continue;
        }
        cr_expect_not(ok, "'%s' should be refused", c->format);
        cr_expect(strstr(why, c->why) != NULL, "'%s': reason '%s' lacks '%s'", c->format, why,
                  c->why);
    }
}

Test(parse_format_example, formats)
{
    static const struct {
        const char *format;
        bool timestamp;
        const char *example;
    } cases[] = {
        { "iso", false, "2026-10-31" },
        { "iso", true, "2026-10-31T14:05:00Z" },
        { "excel", false, "46326" },
        { "rfc2822", true, "Sat, 31 Oct 2026 14:05:00 +0000" },
        { "%d.%m.%Y", false, "31.10.2026" },
        { AMPM_MDY, true, "10/31/2026 02:05:00 PM" },
        { "%y-%b", false, "26-Oct" },
        { "%A %e %B %Y, day %j", false, "Saturday 31 October 2026, day 304" },
        { "%Y-%m-%d %H:%M:%S.%f%z", true, "2026-10-31 14:05:00.000+0000" },
        { "%Y 100%%", false, "2026 100%" },
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        char buf[64];
        parse_format_example(cases[i].format, cases[i].timestamp, buf, sizeof buf);
        cr_expect_str_eq(buf, cases[i].example, "%s", cases[i].format);
    }
    char tiny[5];
    parse_format_example("%d.%m.%Y", false, tiny, sizeof tiny);
    cr_expect_str_eq(tiny, "31.1");
}

/* Every example must read back as the moment it shows: the messages never
 * suggest a value the format would refuse. */
Test(parse_format_example, reads_back)
{
    static const char *const formats[] = {
        "iso", "excel", "rfc2822", AMPM_MDY, AMPM_DMY, "%Y-%m-%d %H:%M:%S.%f",
        "%a, %e %B %Y %H:%M %z", "%Y%m%d %H%M", "%d/%m/%y %H:%M",
    };
    for (size_t i = 0; i < N_OF(formats); i++) {
        char example[64];
        parse_format_example(formats[i], true, example, sizeof example);
        const char *names[MAX_FORMATS] = { formats[i] };
        config_list_t l = formats_of(names);
        int64_t t = 0;
        const char *why = "";
        cr_expect(parse_timestamp(example, strlen(example), &l, &t, &why), "%s: '%s': %s",
                  formats[i], example, why);
        /* excel's example 46326.5868: 0.5868 * 86400 = 50699.52 s rounds to 14:05:00 */
        int64_t want = utc(2026, 10, 31, 14, 5, 0);
        cr_expect_eq(t, want, "%s: '%s' read as %lld, expected %lld", formats[i], example,
                     (long long)t, (long long)want);
    }
}

/* ---- yes/no and enumerations ---- */

Test(parse_enum, normalised_match)
{
    static const char *const vals[] = { "planned", "on_hold", "non_compliant", NULL };
    static const struct {
        const char *in;
        int index; /* -1: rejected */
    } cases[] = {
        { "On Hold", 1 }, { "NON-COMPLIANT", 2 }, { "planned", 0 }, { "hold", -1 }, { "", -1 },
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        int idx = -1;
        const char *why = NULL;
        bool ok = parse_enum(cases[i].in, strlen(cases[i].in), vals, &idx, &why);
        cr_expect_eq(ok, cases[i].index >= 0, "'%s'", cases[i].in);
        if (ok)
            cr_expect_eq(idx, cases[i].index, "'%s'", cases[i].in);
    }
}

Test(parse_bool, configured_tokens)
{
    config_list_t t = { { (char *)"yes", (char *)"x" }, 2 }, f = { { (char *)"no" }, 1 };
    static const struct {
        const char *in;
        int value; /* -1: rejected */
    } cases[] = { { "X", 1 }, { "yes", 1 }, { "No", 0 }, { "maybe", -1 } };
    for (size_t i = 0; i < N_OF(cases); i++) {
        bool b = false;
        const char *why = NULL;
        bool ok = parse_bool_value(cases[i].in, strlen(cases[i].in), &t, &f, &b, &why);
        cr_expect_eq(ok, cases[i].value >= 0, "'%s'", cases[i].in);
        if (ok)
            cr_expect_eq(b, cases[i].value == 1, "'%s'", cases[i].in);
        else
            cr_expect_str_eq(why, "expected a yes/no value from true_values or false_values");
    }
}

/* ---- fast paths (money_fast, numeric_read) and their hand-over ----
 * Values at the edge of the common forms: the fast reader takes some, the
 * general one the rest; both must give the same exact answers and reasons. */
Test(parse_fast_paths, money_edges)
{
    static const money_case_t cases[] = {
        { "-0,05", &COMMA, 2, -5, 0 },
        { "-0", &COMMA, 2, 0, 0 },
        { "0,5", &COMMA, 2, 50, 0 },                          /* one decimal of two */
        { "123456789012345", &COMMA, 2, 12345678901234500, 0 }, /* 15 digits: fast */
        { "1234567890123456", &COMMA, 2, 123456789012345600, 0 }, /* 16: general */
        { "12,345", &COMMA, 2, 1234, 500000 },                /* 3 decimals: rounded */
        { "12,355", &COMMA, 2, 1236, -500000 },
        { "12,", &COMMA, 2, 1200, 0 },
        { ",5", &COMMA, 2, 50, 0 },
        { "12.345", &COMMA, 2, 1234500, 0 },                  /* thousands, not decimals */
        { "12,5", &COMMA, 0, 12, 500000 },                    /* no minor units */
        { "1,234", &COMMA_PLAIN, 3, 1234, 0 },
        { "-7", &DOT, 2, -700, 0 },
        { "2.566,11", &COMMA, 2, 256611, 0 },                 /* grouped */
        { "2.805,48-", &COMMA, 2, -280548, 0 },               /* SAP's trailing minus */
        { "-1.234.567", &COMMA, 2, -123456700, 0 },
        { "999.999.999.999.999,99", &COMMA, 2, 99999999999999999, 0 }, /* 15 digits */
        { "1.000.000.000.000.000", &COMMA, 2, 100000000000000000, 0 }, /* 16: general */
        { "1,234.5-", &DOT, 2, -123450, 0 },
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        const money_case_t *c = &cases[i];
        int64_t v = 0, r = 42;
        const char *why = "";
        bool ok = parse_money(c->in, strlen(c->in), c->fmt, c->minor, &v, &r, &why);
        cr_expect(ok, "'%s' should parse: %s", c->in, why);
        if (!ok)
            continue;
        cr_expect_eq(v, c->value, "'%s': %lld, expected %lld", c->in, (long long)v, (long long)c->value);
        cr_expect_eq(r, c->residual, "'%s' residual: %lld, expected %lld", c->in, (long long)r,
                     (long long)c->residual);
    }
    static const reject_case_t bad[] = {
        { "--5", &COMMA, "more than one sign" },
        { "5,5,5", &COMMA, "more than one decimal separator" },
        { "-", &COMMA, "no digits" },
        { "1,2x", &COMMA, "'x' is not part of a number" },
        { "-5-", &COMMA, "more than one sign" },
        { "1.23,5", &COMMA, "thousands separators must group digits by three" },
        { "1.2345", &COMMA, "thousands separators must group digits by three" },
        { "1234.567", &COMMA, "thousands separators must group digits by three" },
        { "1.234.", &COMMA, "thousands separators must group digits by three" },
    };
    for (size_t i = 0; i < N_OF(bad); i++) {
        int64_t v = 0;
        const char *why = "";
        cr_expect(!parse_money(bad[i].in, strlen(bad[i].in), bad[i].fmt, 2, &v, NULL, &why), "'%s' accepted", bad[i].in);
        cr_expect(strstr(why, bad[i].why), "'%s': reason '%s', expected '%s'", bad[i].in, why, bad[i].why);
    }
}

Test(parse_fast_paths, date_edges)
{
    static const date_case_t cases[] = {
        { "05.11.2023", { "%d.%m.%Y" }, 2023, 11, 5, DAY },
        { "5.11.2023", { "%d.%m.%Y" }, 2023, 11, 5, DAY },     /* unpadded: the pattern reader */
        { "29.02.2024", { "%d.%m.%Y" }, 2024, 2, 29, DAY },
        { "2023-11-05", { "%Y-%m-%d" }, 2023, 11, 5, DAY },
        { "11/05/2023", { "%m/%d/%Y" }, 2023, 11, 5, DAY },
        { "05.11.2023", { "%m/%d/%Y", "%d.%m.%Y" }, 2023, 11, 5, DAY }, /* second format */
        { "2023.11.05", { "%d.%m.%Y", "%Y.%m.%d" }, 2023, 11, 5, DAY },
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        const date_case_t *c = &cases[i];
        config_list_t l = formats_of(c->formats);
        int32_t d = 0;
        int grain = -1;
        const char *why = "";
        bool ok = parse_date(c->in, strlen(c->in), &l, &d, &grain, &why);
        cr_expect(ok, "'%s' with %s: %s", c->in, c->formats[0], why);
        if (ok)
            cr_expect_eq(d, date_from_ymd(c->y, c->m, c->d), "'%s' with %s", c->in, c->formats[0]);
    }
    static const date_reject_t bad[] = {
        { "29.02.2023", { "%d.%m.%Y" }, "day 29 does not exist in 2023-02" },
        { "05.13.2023", { "%d.%m.%Y" }, PARSE_WHY_NO_FORMAT },
        { "00.11.2023", { "%d.%m.%Y" }, PARSE_WHY_NO_FORMAT },
        { "05-11-2023", { "%d.%m.%Y" }, PARSE_WHY_NO_FORMAT },
        { "05.11.1850", { "%d.%m.%Y" }, "year 1850 is outside 1900..2200" },
        { "05.1a.2023", { "%d.%m.%Y" }, PARSE_WHY_NO_FORMAT },
    };
    for (size_t i = 0; i < N_OF(bad); i++) {
        config_list_t l = formats_of(bad[i].formats);
        int32_t d = 0;
        const char *why = "";
        cr_expect(!parse_date(bad[i].in, strlen(bad[i].in), &l, &d, NULL, &why), "'%s' accepted", bad[i].in);
        cr_expect(strstr(why, bad[i].why), "'%s': reason '%s', expected '%s'", bad[i].in, why, bad[i].why);
    }
}
