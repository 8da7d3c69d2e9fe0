/* Unit tests for the typed field parsers (pipeline/ingest/parse.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "ingest/parse.h"

static const number_format_t DOT = { '.', ',' };
static const number_format_t COMMA = { ',', '.' };
static const number_format_t PLAIN = { '.', 0 };

static int64_t money(const char *s, const number_format_t *f)
{
    int64_t v = 0;
    const char *why = NULL;
    cr_assert(parse_money(s, strlen(s), f, 2, &v, &why), "'%s' should parse: %s", s, why);
    return v;
}

static const char *money_fails(const char *s, const number_format_t *f)
{
    int64_t v;
    const char *why = NULL;
    cr_assert_not(parse_money(s, strlen(s), f, 2, &v, &why), "'%s' should be rejected", s);
    return why;
}

Test(parse_money, plain_and_grouped)
{
    cr_assert_eq(money("1234.56", &DOT), 123456);
    cr_assert_eq(money("1,234.56", &DOT), 123456);
    cr_assert_eq(money("1,234,567.8", &DOT), 123456780);
    cr_assert_eq(money("7", &DOT), 700);
    cr_assert_eq(money("0.05", &DOT), 5);
    cr_assert_eq(money(".5", &PLAIN), 50);
}

Test(parse_money, decimal_comma)
{
    cr_assert_eq(money("1.234,56", &COMMA), 123456);
    cr_assert_eq(money("12,5", &COMMA), 1250);
    cr_assert_eq(money("1.234.567,89", &COMMA), 123456789);
}

Test(parse_money, negative_forms)
{
    cr_assert_eq(money("-12.50", &DOT), -1250);
    cr_assert_eq(money("(12.50)", &DOT), -1250);
    cr_assert_eq(money("12.50-", &DOT), -1250);
    cr_assert_eq(money("1.234,56-", &COMMA), -123456);
    cr_assert_eq(money("(1,000.00)", &DOT), -100000);
    cr_assert_eq(money("+3.00", &DOT), 300);
}

Test(parse_money, currency_marks)
{
    cr_assert_eq(money("EUR 5.00", &DOT), 500);
    cr_assert_eq(money("5.00 EUR", &DOT), 500);
    cr_assert_eq(money("$1,000.25", &DOT), 100025);
    cr_assert_eq(money("\xE2\x82\xAC 3,50", &COMMA), 350); /* "€ 3,50" */
}

Test(parse_money, rejects)
{
    money_fails("", &DOT);
    money_fails("abc", &DOT);
    money_fails("1.2.3", &DOT);
    cr_assert_str_eq(money_fails("12.345", &DOT), "expected at most 2 decimals for money");
    cr_assert_str_eq(money_fails("1,23,456.00", &DOT), "thousands separators must group digits by three");
    money_fails("12,34", &DOT); /* comma is the thousands separator here */
    money_fails("1 234", &PLAIN);
    cr_assert_eq(money("12.3400", &DOT), 1234); /* trailing zeros beyond cents are exact */
}

Test(parse_decimal, separators)
{
    double d;
    const char *why;
    cr_assert(parse_decimal("1.234,5", 7, &COMMA, &d, &why));
    cr_assert_float_eq(d, 1234.5, 1e-9);
    cr_assert(parse_decimal("-0.25", 5, &DOT, &d, &why));
    cr_assert_float_eq(d, -0.25, 1e-12);
    cr_assert_not(parse_decimal("1e5", 3, &DOT, &d, &why));
}

Test(parse_integer, whole_only)
{
    int64_t v;
    const char *why;
    cr_assert(parse_integer("1,200", 5, &DOT, &v, &why));
    cr_assert_eq(v, 1200);
    cr_assert_not(parse_integer("3.5", 3, &DOT, &v, &why));
    cr_assert_str_eq(why, "expected a whole number");
}

static config_list_t list_of(const char *a, const char *b)
{
    config_list_t l = { { (char *)a, (char *)b }, b ? 2 : 1 };
    return l;
}

static int32_t date(const char *s, const char *fmt)
{
    config_list_t l = list_of(fmt, NULL);
    int32_t d = 0;
    const char *why = NULL;
    cr_assert(parse_date(s, strlen(s), &l, &d, &why), "'%s' with %s: %s", s, fmt, why);
    return d;
}

Test(parse_date, formats)
{
    /* 2026-10-31 is day 20757 since 1970-01-01: 56 years incl. 14 leap days
     * = 56*365+14 = 20454 to 2026-01-01, + 303 (Jan..Oct 31 minus 1) = 20757 */
    cr_assert_eq(date("2026-10-31", "iso"), 20757);
    cr_assert_eq(date("10/31/2026", "%m/%d/%Y"), 20757);
    cr_assert_eq(date("31.10.2026", "%d.%m.%Y"), 20757);
    cr_assert_eq(date("31-10-26", "%d-%m-%y"), 20757);
    /* Excel serial 46326 = 2026-10-31 (serial 25569 is 1970-01-01; 25569+20757) */
    cr_assert_eq(date("46326", "excel"), 20757);
    cr_assert_eq(date("Sat, 31 Oct 2026 10:00:00 +0000", "rfc2822"), 20757);
    cr_assert_eq(date("1970-01-01", "iso"), 0);
}

Test(parse_date, leap_years_and_bad_dates)
{
    config_list_t iso = list_of("iso", NULL);
    int32_t d;
    const char *why;
    cr_assert_eq(date("2024-02-29", "iso") + 1, date("2024-03-01", "iso"));
    cr_assert_not(parse_date("2026-02-29", 10, &iso, &d, &why), "2026 is not a leap year");
    cr_assert_not(parse_date("2026-13-01", 10, &iso, &d, &why));
    config_list_t dmy = list_of("%d.%m.%Y", NULL);
    cr_assert_not(parse_date("31.02.2026", 10, &dmy, &d, &why));
    cr_assert_str_eq(why, "expected a date in one of the configured date_formats");
    cr_assert_not(parse_date("2026-10-31x", 11, &iso, &d, &why));
}

Test(parse_date, tries_formats_in_order)
{
    config_list_t two = list_of("%d.%m.%Y", "iso");
    int32_t d;
    const char *why;
    cr_assert(parse_date("2026-10-31", 10, &two, &d, &why));
    cr_assert_eq(d, 20757);
}

Test(parse_timestamp, iso_variants_and_zones)
{
    config_list_t iso = list_of("iso", NULL);
    int64_t t;
    const char *why;
    const int64_t base = 20757LL * 86400 + 14 * 3600 + 5 * 60; /* 2026-10-31 14:05 UTC */
    cr_assert(parse_timestamp("2026-10-31T14:05:00Z", 20, &iso, &t, &why));
    cr_assert_eq(t, base);
    cr_assert(parse_timestamp("2026-10-31 14:05:00", 19, &iso, &t, &why));
    cr_assert_eq(t, base);
    cr_assert(parse_timestamp("2026-10-31T16:05:00+0200", 24, &iso, &t, &why));
    cr_assert_eq(t, base);
    cr_assert(parse_timestamp("2026-10-31T14:05", 16, &iso, &t, &why));
    cr_assert_eq(t, base);
    config_list_t excel = list_of("excel", NULL);
    cr_assert(parse_timestamp("46326.5", 7, &excel, &t, &why));
    cr_assert_eq(t, 20757LL * 86400 + 12 * 3600);
    cr_assert_not(parse_timestamp("2026-10-31T25:00:00", 19, &iso, &t, &why));
}

Test(parse_enum, normalised_match)
{
    static const char *const vals[] = { "planned", "on_hold", "non_compliant", NULL };
    int i;
    const char *why;
    cr_assert(parse_enum("On Hold", 7, vals, &i, &why));
    cr_assert_eq(i, 1);
    cr_assert(parse_enum("NON-COMPLIANT", 13, vals, &i, &why));
    cr_assert_eq(i, 2);
    cr_assert_not(parse_enum("hold", 4, vals, &i, &why));
}

Test(parse_bool, configured_tokens)
{
    config_list_t t = list_of("yes", "x"), f = list_of("no", NULL);
    bool b;
    const char *why;
    cr_assert(parse_bool_value("X", 1, &t, &f, &b, &why) && b);
    cr_assert(parse_bool_value("No", 2, &t, &f, &b, &why) && !b);
    cr_assert_not(parse_bool_value("maybe", 5, &t, &f, &b, &why));
}
