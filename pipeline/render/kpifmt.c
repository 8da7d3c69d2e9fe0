/* kpifmt.c - KPI formatting on top of numfmt (locale-independent). */
#include "opsreport/kpifmt.h"

#include "opsreport/numfmt.h"

#include <math.h>
#include <stdio.h>

char *kpi_format_value(const kpi_t *k, double v, const char *currency, char *buf, size_t size)
{
    char n[64];
    if (!isfinite(v)) {
        snprintf(buf, size, "%s", NUMFMT_NA);
        return buf;
    }
    switch (k->unit) {
    case UNIT_MONEY:
        return numfmt_money_short(buf, size, (int64_t)llround(v * 100), currency, 2, 0);
    case UNIT_PERCENT: return numfmt_percent(buf, size, v, 1);
    case UNIT_COUNT: return numfmt_count(buf, size, (int64_t)llround(v));
    case UNIT_DAYS: return numfmt_days(buf, size, v);
    case UNIT_HOURS: snprintf(buf, size, "%s h", numfmt_number(n, sizeof n, v, 1, 0)); return buf;
    case UNIT_PPM: snprintf(buf, size, "%s ppm", numfmt_number(n, sizeof n, v, 0, 0)); return buf;
    case UNIT_FTE: return numfmt_number(buf, size, v, 1, 0);
    case UNIT_RATIO:
    case UNIT_SCORE: return numfmt_number(buf, size, v, 2, 0);
    }
    return numfmt_number(buf, size, v, 1, 0);
}

char *kpi_format_delta(const kpi_t *k, double delta, const char *currency, char *buf, size_t size)
{
    char n[64];
    if (!isfinite(delta)) {
        snprintf(buf, size, "%s", NUMFMT_NA);
        return buf;
    }
    switch (k->unit) {
    case UNIT_MONEY:
        return numfmt_money_short(buf, size, (int64_t)llround(delta * 100), currency, 2, NUMFMT_SIGNED);
    case UNIT_PERCENT: return numfmt_pp_change(buf, size, delta, 1);
    case UNIT_COUNT: return numfmt_number(buf, size, delta, 0, NUMFMT_SIGNED);
    case UNIT_HOURS: snprintf(buf, size, "%s h", numfmt_number(n, sizeof n, delta, 1, NUMFMT_SIGNED)); return buf;
    case UNIT_DAYS: snprintf(buf, size, "%s d", numfmt_number(n, sizeof n, delta, 1, NUMFMT_SIGNED)); return buf;
    case UNIT_PPM: snprintf(buf, size, "%s ppm", numfmt_number(n, sizeof n, delta, 0, NUMFMT_SIGNED)); return buf;
    case UNIT_RATIO:
    case UNIT_SCORE: return numfmt_number(buf, size, delta, 2, NUMFMT_SIGNED);
    default: return numfmt_number(buf, size, delta, 1, NUMFMT_SIGNED);
    }
}

const char *kpi_status_word(rag_t status)
{
    static const char *const words[] = { "", "Green", "Amber", "Red" };
    return words[status];
}
