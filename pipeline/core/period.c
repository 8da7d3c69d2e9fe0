/* period.c - month arithmetic on period indices; dates via the civil-date helpers in parse.h. */
#include "opsreport/period.h"

#include "opsreport/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const month_names[12] = { "January", "February", "March", "April", "May", "June",
                                             "July", "August", "September", "October", "November",
                                             "December" };

bool period_parse(const char *text, period_t *out)
{
    int y, m;
    char tail;
    if (!text || strlen(text) != 7 || sscanf(text, "%4d-%2d%c", &y, &m, &tail) != 2)
        return false;
    if (y < 1900 || y > 2200 || m < 1 || m > 12)
        return false;
    out->year = y;
    out->month = m;
    return true;
}

void period_format(period_t p, char buf[8])
{
    snprintf(buf, 8, "%04u-%02u", (unsigned)p.year % 10000u, (unsigned)p.month % 100u);
}

void period_label(period_t p, char *buf, size_t size)
{
    snprintf(buf, size, "%s %d", month_names[p.month - 1], p.year);
}

void period_short_label(period_t p, char *buf, size_t size)
{
    snprintf(buf, size, "%.3s %02d", month_names[p.month - 1], p.year % 100);
}

period_t period_last_closed(time_t now)
{
    struct tm tm;
    gmtime_r(&now, &tm);
    period_t cur = { tm.tm_year + 1900, tm.tm_mon + 1 };
    return period_add(cur, -1);
}

int period_index(period_t p) { return p.year * 12 + (p.month - 1); }

period_t period_from_index(int index)
{
    period_t p = { index / 12, index % 12 + 1 };
    return p;
}

period_t period_add(period_t p, int months) { return period_from_index(period_index(p) + months); }

period_t period_fiscal_year_start(period_t p, int fy_start_month)
{
    int back = (p.month - fy_start_month + 12) % 12;
    return period_add(p, -back);
}

int32_t period_first_day(period_t p) { return date_from_ymd(p.year, p.month, 1); }

int32_t period_last_day(period_t p) { return period_first_day(period_add(p, 1)) - 1; }

int period_days(period_t p) { return (int)(period_last_day(p) - period_first_day(p) + 1); }

period_t period_of_day(int32_t day)
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    period_t p = { y, m };
    return p;
}

int64_t period_end_epoch(period_t p) { return (int64_t)period_first_day(period_add(p, 1)) * 86400; }
