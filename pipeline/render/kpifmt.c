/* kpifmt.c - KPI formatting on top of numfmt (locale-independent). */
#include "opsreport/kpifmt.h"

#include "opsreport/numfmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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

void kpi_rating(const report_model_t *m, kpi_rating_t *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < m->n_kpis; i++) {
        const kpi_t *k = &m->kpis[i];
        out->with_target += k->has_target;
        out->rated += k->has_target && k->status != RAG_NONE;
        out->red_amber += k->status == RAG_RED || k->status == RAG_AMBER;
        out->na += k->na != KPI_NA_NONE;
    }
}

/* n/a for a reason kpi_na_groups lists (rejected inputs get their own sentence, naming them). */
static bool grouped_na(const kpi_t *k) { return k->na != KPI_NA_NONE && k->na != KPI_NA_REJECTED; }

size_t kpi_na_groups(const report_model_t *m, kpi_na_group_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_kpis; i++) {
        const kpi_t *k = &m->kpis[i];
        bool first = grouped_na(k);
        for (size_t j = 0; j < i && first; j++)
            first = !(grouped_na(&m->kpis[j]) && !strcmp(m->kpis[j].na_reason, k->na_reason));
        if (!first)
            continue;
        if (n < max) {
            kpi_na_group_t *g = &out[n];
            g->reason = k->na_reason;
            g->count = 0;
            for (size_t j = i; j < m->n_kpis; j++)
                g->count += grouped_na(&m->kpis[j]) && !strcmp(m->kpis[j].na_reason, k->na_reason);
            /* "A; B; C" */
            size_t used = 0, at = 0;
            g->labels[0] = '\0';
            for (size_t j = i; j < m->n_kpis && used < sizeof g->labels; j++) {
                if (!grouped_na(&m->kpis[j]) || strcmp(m->kpis[j].na_reason, k->na_reason))
                    continue;
                const char *sep = at == 0 ? "" : "; "; /* labels may hold commas */
                used += (size_t)snprintf(g->labels + used, sizeof g->labels - used, "%s%s", sep, m->kpis[j].label);
                at++;
            }
        }
        n++;
    }
    return n;
}

size_t kpi_inputs_rejected(const report_model_t *m, char *buf, size_t size)
{
    size_t n = 0, used = 0;
    if (size)
        buf[0] = '\0';
    for (size_t i = 0; i < m->n_inputs; i++) {
        const ingest_stats_t *s = &m->inputs[i];
        if (!s->present || s->rows_accepted || !s->rows_rejected)
            continue;
        if (used < size)
            used += (size_t)snprintf(buf + used, size - used, "%s%s", n ? ", " : "", s->name);
        n++;
    }
    return n;
}
