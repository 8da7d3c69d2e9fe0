/* test_numfmt.c - hand-checked cases for pipeline/core/numfmt.c, one per line.
 * "−" below is U+2212 (NUMFMT_MINUS); every expected string is worked out by
 * hand from the rules in numfmt.h, never copied from the program. */
#include <criterion/criterion.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>

#include "opsreport/numfmt.h"

#define M NUMFMT_MINUS
static char b[64];

Test(numfmt, money_full)
{
    /* 123456789 cents = 1,234,567.89 */
    cr_expect_str_eq(numfmt_money(b, sizeof b, 123456789, "EUR", 2, 0), "EUR 1,234,567.89");
    cr_expect_str_eq(numfmt_money(b, sizeof b, -123450, "EUR", 2, 0), M "EUR 1,234.50");
    cr_expect_str_eq(numfmt_money(b, sizeof b, 0, "EUR", 2, 0), "EUR 0.00");
    cr_expect_str_eq(numfmt_money(b, sizeof b, 0, "EUR", 2, NUMFMT_SIGNED), "EUR 0.00");
    cr_expect_str_eq(numfmt_money(b, sizeof b, 5, "USD", 2, NUMFMT_SIGNED), "+USD 0.05");
    cr_expect_str_eq(numfmt_money(b, sizeof b, 99999, "", 2, 0), "999.99");
    /* JPY has no minor unit: 1234567 yen */
    cr_expect_str_eq(numfmt_money(b, sizeof b, 1234567, "JPY", 0, 0), "JPY 1,234,567");
    /* INT64_MIN = -9223372036854775808 cents, must not overflow */
    cr_expect_str_eq(numfmt_money(b, sizeof b, INT64_MIN, "EUR", 2, 0),
                     M "EUR 92,233,720,368,547,758.08");
}

Test(numfmt, money_short)
{
    /* 18,400,000 cents = 184,000.00 -> 184k (>= 10 of the unit: no decimal) */
    cr_expect_str_eq(numfmt_money_short(b, sizeof b, -18400000, "EUR", 2, 0), M "EUR 184k");
    /* 450,000 cents = 4,500 -> 4.5k */
    cr_expect_str_eq(numfmt_money_short(b, sizeof b, 450000, "EUR", 2, 0), "EUR 4.5k");
    /* 95,000 cents = 950 -> below 1k: whole units */
    cr_expect_str_eq(numfmt_money_short(b, sizeof b, 95000, "EUR", 2, 0), "EUR 950");
    /* 999,950.00 = 0.99995M: 999.95k rounds to 1000k, so move up: 1.0M */
    cr_expect_str_eq(numfmt_money_short(b, sizeof b, 99995000, "EUR", 2, 0), "EUR 1.0M");
    /* 999,949.99 = 999.95k: 10 and up shows no decimal, and 999.95 rounds to 1000k,
     * so it moves up to 1.0M as well */
    cr_expect_str_eq(numfmt_money_short(b, sizeof b, 99994999, "EUR", 2, 0), "EUR 1.0M");
    /* 999,400 -> 999k */
    cr_expect_str_eq(numfmt_money_short(b, sizeof b, 99940000, "EUR", 2, 0), "EUR 999k");
    /* 9,960 -> 9.96k: one decimal gives 10.0, so no decimal: 10k */
    cr_expect_str_eq(numfmt_money_short(b, sizeof b, 996000, "EUR", 2, 0), "EUR 10k");
    /* 9,949 -> 9.949k -> 9.9k */
    cr_expect_str_eq(numfmt_money_short(b, sizeof b, 994900, "EUR", 2, 0), "EUR 9.9k");
    /* 9,950 -> 9.95k: half away from zero -> 10.0 -> 10k */
    cr_expect_str_eq(numfmt_money_short(b, sizeof b, 995000, "EUR", 2, 0), "EUR 10k");
    /* 999.60 -> 1000 units -> 1.0k */
    cr_expect_str_eq(numfmt_money_short(b, sizeof b, 99960, "EUR", 2, 0), "EUR 1.0k");
    /* 1,250,000.00 -> 1.25M -> 1.3M (half away) */
    cr_expect_str_eq(numfmt_money_short(b, sizeof b, 125000000, "EUR", 2, 0), "EUR 1.3M");
    /* 45,400,000 -> 45M; 3,440,000,000 -> 3.4bn; 12,345,000,000,000 -> 12,345bn */
    cr_expect_str_eq(numfmt_money_short(b, sizeof b, 4540000000LL, "EUR", 2, 0), "EUR 45M");
    cr_expect_str_eq(numfmt_money_short(b, sizeof b, 344000000000LL, "EUR", 2, 0), "EUR 3.4bn");
    cr_expect_str_eq(numfmt_money_short(b, sizeof b, 1234500000000000LL, "EUR", 2, 0),
                     "EUR 12,345bn");
    cr_expect_str_eq(numfmt_money_short(b, sizeof b, 0, "EUR", 2, NUMFMT_SIGNED), "EUR 0");
    /* 0.40 rounds to 0: no sign */
    cr_expect_str_eq(numfmt_money_short(b, sizeof b, -40, "EUR", 2, 0), "EUR 0");
    cr_expect_str_eq(numfmt_money_short(b, sizeof b, 18400000, "EUR", 2, NUMFMT_SIGNED),
                     "+EUR 184k");
}

Test(numfmt, number_and_count)
{
    cr_expect_str_eq(numfmt_number(b, sizeof b, 1234.5, 1, 0), "1,234.5");
    cr_expect_str_eq(numfmt_number(b, sizeof b, -1234.5, 0, 0), M "1,235");
    cr_expect_str_eq(numfmt_number(b, sizeof b, 7.25, 1, 0), "7.3");  /* exact tie: away */
    cr_expect_str_eq(numfmt_number(b, sizeof b, 1.005, 2, 0), "1.01"); /* decimal tie */
    cr_expect_str_eq(numfmt_number(b, sizeof b, -0.04, 1, 0), "0.0");  /* no "−0.0" */
    cr_expect_str_eq(numfmt_number(b, sizeof b, 12, 0, NUMFMT_SIGNED), "+12");
    cr_expect_str_eq(numfmt_number(b, sizeof b, -12, 0, NUMFMT_SIGNED), M "12");
    cr_expect_str_eq(numfmt_number(b, sizeof b, 0, 0, NUMFMT_SIGNED), "0");
    cr_expect_str_eq(numfmt_number(b, sizeof b, NAN, 1, 0), "n/a");
    cr_expect_str_eq(numfmt_number(b, sizeof b, INFINITY, 1, 0), "n/a");
    cr_expect_str_eq(numfmt_count(b, sizeof b, 1234567), "1,234,567");
    cr_expect_str_eq(numfmt_count(b, sizeof b, -1000), M "1,000");
    cr_expect_str_eq(numfmt_count(b, sizeof b, 999), "999");
    cr_expect_str_eq(numfmt_count(b, sizeof b, 0), "0");
}

Test(numfmt, short_double)
{
    cr_expect_str_eq(numfmt_short(b, sizeof b, 999950, 0), "1.0M");
    cr_expect_str_eq(numfmt_short(b, sizeof b, 184000, 0), "184k");
    cr_expect_str_eq(numfmt_short(b, sizeof b, -4500, 0), M "4.5k");
    cr_expect_str_eq(numfmt_short(b, sizeof b, 950, 0), "950");
    cr_expect_str_eq(numfmt_short(b, sizeof b, 0, 0), "0");
    cr_expect_str_eq(numfmt_short(b, sizeof b, 2.4e9, 0), "2.4bn");
    cr_expect_str_eq(numfmt_short(b, sizeof b, 1500, NUMFMT_SIGNED), "+1.5k");
    cr_expect_str_eq(numfmt_short(b, sizeof b, NAN, 0), "n/a");
}

Test(numfmt, percent_pp_days)
{
    cr_expect_str_eq(numfmt_percent(b, sizeof b, 7.2, 1), "7.2%");
    cr_expect_str_eq(numfmt_percent(b, sizeof b, -3.45, 1), M "3.5%");
    cr_expect_str_eq(numfmt_percent(b, sizeof b, 100, 0), "100%");
    cr_expect_str_eq(numfmt_percent(b, sizeof b, NAN, 1), "n/a");
    cr_expect_str_eq(numfmt_pp_change(b, sizeof b, 1.3, 1), "+1.3 pp");
    cr_expect_str_eq(numfmt_pp_change(b, sizeof b, -0.44, 1), M "0.4 pp");
    cr_expect_str_eq(numfmt_pp_change(b, sizeof b, 0.01, 1), "0.0 pp");
    cr_expect_str_eq(numfmt_days(b, sizeof b, 4.5), "4.5 d");
    cr_expect_str_eq(numfmt_days(b, sizeof b, 12), "12.0 d");
    cr_expect_str_eq(numfmt_days(b, sizeof b, NAN), "n/a");
}

Test(numfmt, tick_labels)
{
    /* ticks 0..10000 step 2500: unit k (max 10000 >= 1000), step 2.5k needs 1 decimal */
    cr_expect_str_eq(numfmt_tick(b, sizeof b, 0, 2500, 10000), "0");
    cr_expect_str_eq(numfmt_tick(b, sizeof b, 2500, 2500, 10000), "2.5k");
    cr_expect_str_eq(numfmt_tick(b, sizeof b, 5000, 2500, 10000), "5k");
    cr_expect_str_eq(numfmt_tick(b, sizeof b, -7500, 2500, 10000), M "7.5k");
    /* 0.02 steps: two decimals, no unit */
    cr_expect_str_eq(numfmt_tick(b, sizeof b, 0.06, 0.02, 0.1), "0.06");
    /* 3 * 0.1 is 0.30000000000000004 in binary: still "0.3" */
    cr_expect_str_eq(numfmt_tick(b, sizeof b, 3 * 0.1, 0.1, 1), "0.3");
    /* 1.5M in steps of 500k, axis max 2M: unit M */
    cr_expect_str_eq(numfmt_tick(b, sizeof b, 1.5e6, 5e5, 2e6), "1.5M");
    cr_expect_str_eq(numfmt_tick(b, sizeof b, 20, 20, 100), "20");
}

Test(numfmt, ignores_locale)
{
    /* Under de_DE printf("%.1f") writes "1234,5"; numfmt must not. Skipped (not
     * passed) where no such locale is installed, so it cannot pass vacuously. */
    const char *locs[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE.utf8", NULL};
    const char *got = NULL;
    for (int i = 0; locs[i] && !got; i++)
        got = setlocale(LC_ALL, locs[i]);
    if (!got)
        cr_skip_test("no locale with a decimal comma installed");
    char probe[16];
    snprintf(probe, sizeof probe, "%.1f", 1.5);
    cr_assert_str_eq(probe, "1,5", "locale %s did not switch the decimal point", got);
    cr_expect_str_eq(numfmt_number(b, sizeof b, 1234.5, 1, 0), "1,234.5");
    cr_expect_str_eq(numfmt_percent(b, sizeof b, 7.25, 1), "7.3%");
    setlocale(LC_ALL, "C");
}
