/* Unit tests for reporting months (pipeline/core/period.c): tables of cases
 * with answers checkable against a calendar. */
#include <criterion/criterion.h>
#include <string.h>

#include "opsreport/period.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

Test(period, parse_table)
{
    static const struct {
        const char *text;
        bool ok;
        int year, month;
    } cases[] = {
        { "2026-10", true, 2026, 10 }, { "1999-01", true, 1999, 1 }, { "2026-12", true, 2026, 12 },
        { "2026-13", false, 0, 0 },    { "2026-00", false, 0, 0 },   { "2026-1", false, 0, 0 },
        { "26-10", false, 0, 0 },      { "2026/10", false, 0, 0 },   { "2026-10-01", false, 0, 0 },
        { "", false, 0, 0 },           { "2026-1x", false, 0, 0 },   { " 2026-10", false, 0, 0 },
    };
    for (size_t i = 0; i < N(cases); i++) {
        period_t p = { 0, 0 };
        bool ok = period_parse(cases[i].text, &p);
        cr_expect_eq(ok, cases[i].ok, "'%s' parsed %d", cases[i].text, ok);
        if (ok && cases[i].ok) {
            cr_expect_eq(p.year, cases[i].year, "'%s'", cases[i].text);
            cr_expect_eq(p.month, cases[i].month, "'%s'", cases[i].text);
        }
    }
}

Test(period, format_and_labels)
{
    char buf[8], label[40];
    period_format((period_t){ 2026, 3 }, buf);
    cr_expect_str_eq(buf, "2026-03");
    period_label((period_t){ 2026, 10 }, label, sizeof label);
    cr_expect_str_eq(label, "October 2026");
    period_short_label((period_t){ 2027, 1 }, label, sizeof label);
    cr_expect_str_eq(label, "Jan 27");
}

Test(period, arithmetic_table)
{
    static const struct {
        period_t from;
        int months;
        period_t to;
    } cases[] = {
        { { 2026, 10 }, 0, { 2026, 10 } }, { { 2026, 10 }, 2, { 2026, 12 } }, { { 2026, 10 }, 3, { 2027, 1 } },
        { { 2026, 1 }, -1, { 2025, 12 } }, { { 2026, 1 }, -13, { 2024, 12 } }, { { 2026, 6 }, 24, { 2028, 6 } },
    };
    for (size_t i = 0; i < N(cases); i++) {
        period_t r = period_add(cases[i].from, cases[i].months);
        cr_expect(r.year == cases[i].to.year && r.month == cases[i].to.month, "case %zu: %d-%02d", i, r.year,
                  r.month);
        cr_expect_eq(period_index(r) - period_index(cases[i].from), cases[i].months, "case %zu", i);
        period_t back = period_from_index(period_index(r));
        cr_expect(back.year == r.year && back.month == r.month);
    }
}

Test(period, fiscal_year_start_table)
{
    static const struct {
        period_t p;
        int fy_start;
        period_t start;
    } cases[] = {
        { { 2026, 10 }, 1, { 2026, 1 } }, { { 2026, 10 }, 4, { 2026, 4 } }, { { 2026, 3 }, 4, { 2025, 4 } },
        { { 2026, 4 }, 4, { 2026, 4 } },  { { 2026, 6 }, 7, { 2025, 7 } },  { { 2026, 12 }, 12, { 2026, 12 } },
    };
    for (size_t i = 0; i < N(cases); i++) {
        period_t s = period_fiscal_year_start(cases[i].p, cases[i].fy_start);
        cr_expect(s.year == cases[i].start.year && s.month == cases[i].start.month, "case %zu: %d-%02d", i,
                  s.year, s.month);
    }
}

Test(period, days_table)
{
    /* day numbers since 1970-01-01 (date -d 2026-10-01 +%s / 86400 = 20727); 2100 is not a leap year */
    static const struct {
        period_t p;
        int32_t first;
        int days;
    } cases[] = {
        { { 1970, 1 }, 0, 31 },      { { 2024, 2 }, 19754, 29 }, { { 2023, 2 }, 19389, 28 },
        { { 2000, 2 }, 10988, 29 },  { { 2100, 2 }, 47513, 28 }, { { 2026, 10 }, 20727, 31 },
        { { 2026, 11 }, 20758, 30 },
    };
    for (size_t i = 0; i < N(cases); i++) {
        cr_expect_eq(period_first_day(cases[i].p), cases[i].first, "case %zu: %d", i, period_first_day(cases[i].p));
        cr_expect_eq(period_days(cases[i].p), cases[i].days, "case %zu", i);
        cr_expect_eq(period_last_day(cases[i].p), cases[i].first + cases[i].days - 1, "case %zu", i);
        period_t back = period_of_day(cases[i].first + cases[i].days - 1);
        cr_expect(back.year == cases[i].p.year && back.month == cases[i].p.month, "case %zu", i);
        cr_expect_eq(period_end_epoch(cases[i].p), ((int64_t)cases[i].first + cases[i].days) * 86400, "case %zu", i);
    }
}

Test(period, last_closed_is_the_month_before_today)
{
    /* 2026-11-29 12:00 UTC = 20786 days + 12 h; 2026-01-01 00:00 UTC = 20454 days */
    period_t p = period_last_closed((time_t)20786 * 86400 + 43200);
    cr_expect(p.year == 2026 && p.month == 10, "%d-%02d", p.year, p.month);
    p = period_last_closed((time_t)20454 * 86400);
    cr_expect(p.year == 2025 && p.month == 12, "%d-%02d", p.year, p.month);
}
