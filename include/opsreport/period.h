/*
 * period.h - reporting months and the fiscal calendar.
 * A period is a calendar month; its index (year*12 + month-1) makes month
 * arithmetic plain integer arithmetic.
 */
#ifndef OPSREPORT_PERIOD_H
#define OPSREPORT_PERIOD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

typedef struct {
    int year;
    int month; /* 1..12 */
} period_t;

bool period_parse(const char *text, period_t *out);        /* "YYYY-MM" */
void period_format(period_t p, char buf[8]);                 /* "YYYY-MM" */
void period_label(period_t p, char *buf, size_t size);       /* "October 2026" */
void period_short_label(period_t p, char *buf, size_t size); /* "Oct 26" */
/* The last complete calendar month before the day of `now` (UTC). */
period_t period_last_closed(time_t now);
int period_index(period_t p);
period_t period_from_index(int index);
period_t period_add(period_t p, int months);
/* First month of the fiscal year that contains p. */
period_t period_fiscal_year_start(period_t p, int fy_start_month);
int32_t period_first_day(period_t p); /* days since 1970-01-01 */
int32_t period_last_day(period_t p);
int period_days(period_t p);
/* Period of a day number. */
period_t period_of_day(int32_t day);
/* Seconds since epoch of the first instant after the period (for fixed document dates). */
int64_t period_end_epoch(period_t p);

#endif
