/*
 * freshness.c - the freshness and completeness gate (see freshness.h).
 *
 * Memory is one small record per input: the latest date and three row
 * counts (this period, the month before, any month before), updated per
 * accepted row, so the gate adds nothing that grows with the file.
 */
#include "opsreport/freshness.h"

#include "opsreport/parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


ops_status_t freshness_init(freshness_t *f, const config_t *cfg, period_t period, ops_error_t *err)
{
    memset(f, 0, sizeof *f);
    f->period = period;
    f->inputs = calloc(cfg->n_inputs ? cfg->n_inputs : 1, sizeof *f->inputs);
    if (!f->inputs)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    f->n_inputs = cfg->n_inputs;
    for (size_t i = 0; i < cfg->n_inputs; i++) {
        freshness_input_t *fi = &f->inputs[i];
        const input_config_t *in = &cfg->inputs[i];
        fi->input = in;
        fi->field = in->schema->date_field; /* schema.h: the date that says how far it reaches */
    }
    return OPS_OK;
}

void freshness_free(freshness_t *f)
{
    free(f->inputs);
    f->inputs = NULL;
    f->n_inputs = 0;
}

void freshness_merge_input(freshness_input_t *dst, const freshness_input_t *src)
{
    if (src->dated && (!dst->dated || src->latest > dst->latest))
        dst->latest = src->latest;
    dst->dated |= src->dated;
    dst->after_end |= src->after_end;
    dst->rows_period += src->rows_period;
    dst->rows_previous += src->rows_previous;
    dst->rows_earlier += src->rows_earlier;
}

void freshness_record(freshness_t *f, const config_t *cfg, const ingest_record_t *rec)
{
    size_t i = (size_t)(rec->input - cfg->inputs);
    if (i >= f->n_inputs || f->inputs[i].field < 0)
        return;
    freshness_input_t *fi = &f->inputs[i];
    const field_value_t *v = &rec->values[fi->field];
    if (!v->present)
        return;
    int32_t day;
    if (rec->input->schema->fields[fi->field].type == FT_TIMESTAMP) {
        /* floor division: a time before 1970 still lands on its own day */
        day = (int32_t)(v->v.ts >= 0 ? v->v.ts / 86400 : -((-v->v.ts + 86399) / 86400));
    } else {
        day = v->v.date;
        /* "2026-10" covers the whole month: it reaches the month's last day */
        int y, m, d;
        date_to_ymd(day, &y, &m, &d);
        if (v->grain == PARSE_GRAIN_MONTH)
            day = period_last_day((period_t){ y, m });
        else if (v->grain == PARSE_GRAIN_YEAR)
            day = date_from_ymd(y, 12, 31);
    }
    int month = period_index(period_of_day(day)), this = period_index(f->period);
    if (month > this) {
        fi->after_end = true;
        return;
    }
    if (!fi->dated || day > fi->latest)
        fi->latest = day;
    fi->dated = true;
    if (month == this)
        fi->rows_period++;
    else {
        fi->rows_earlier++;
        if (month == this - 1)
            fi->rows_previous++;
    }
}

static void day_text(int32_t day, char buf[11])
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    snprintf(buf, 11, "%04d-%02d-%02d", y % 10000, m, d);
}

__attribute__((format(printf, 4, 5))) static void set_check(freshness_check_t *c, const char *name, const char *outcome, const char *fmt, ...)
{
    c->name = name;
    c->outcome = outcome;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->detail, sizeof c->detail, fmt, ap);
    va_end(ap);
}

void freshness_finish(freshness_t *f, const ingest_stats_t *stats)
{
    f->n_failed = 0;
    char plabel[40];
    period_label(f->period, plabel, sizeof plabel);
    int32_t end = period_last_day(f->period);
    for (size_t i = 0; i < f->n_inputs; i++) {
        freshness_input_t *fi = &f->inputs[i];
        const input_config_t *in = fi->input;
        freshness_check_t *c = fi->checks;
        const char *why_na = !stats[i].present ? "optional input not present"
                             : fi->field < 0   ? "this kind has no date that shows how far an export reaches"
                                               : NULL;
        if (why_na) {
            set_check(&c[0], "latest_date", "not_applicable", "%s", why_na);
            set_check(&c[1], "rows_in_period", "not_applicable", "%s", why_na);
            set_check(&c[2], "row_count_drop", "not_applicable", "%s", why_na);
            continue;
        }
        const char *field = in->schema->fields[fi->field].name;
        char latest[11], expect[11];
        /* rows dated after the period: the export reaches past its end */
        int32_t reach = fi->after_end ? end : fi->latest;
        day_text(reach, latest);
        if (in->expect_through_days < 0)
            set_check(&c[0], "latest_date", "not_applicable", "expect_through = none");
        else if (!fi->dated && !fi->after_end)
            set_check(&c[0], "latest_date", "not_applicable", "no row has a %s", field);
        else {
            int32_t want = end - in->expect_through_days;
            day_text(want, expect);
            int32_t short_by = want - reach;
            if (short_by > in->max_staleness_days)
                set_check(&c[0], "latest_date", "fail",
                          "%s: the latest %s is %s, %d days before %s (expect_through; "
                          "max_staleness_days %d)", in->name, field, latest, (int)short_by, expect,
                          in->max_staleness_days);
            else
                set_check(&c[0], "latest_date", "pass", "latest %s %s, expected through %s", field,
                          latest, expect);
        }
        if (fi->rows_period == 0 && fi->rows_earlier > 0 && !fi->after_end)
            set_check(&c[1], "rows_in_period", "fail",
                      "%s: no rows in %s (by %s), though %llu rows in earlier months", in->name,
                      plabel, field, (unsigned long long)fi->rows_earlier);
        else
            set_check(&c[1], "rows_in_period", "pass", "%llu rows in %s by %s",
                      (unsigned long long)fi->rows_period, plabel, field);
        if (fi->rows_previous == 0)
            set_check(&c[2], "row_count_drop", "not_applicable", "no rows the month before");
        else if ((double)fi->rows_period < (double)fi->rows_previous * (1 - in->max_row_drop) &&
                 fi->rows_period > 0)
            set_check(&c[2], "row_count_drop", "fail",
                      "%s: %llu rows in %s, down %.0f%% from %llu the month before "
                      "(max_row_drop_pct %.0f)", in->name, (unsigned long long)fi->rows_period,
                      plabel, 100.0 * (1 - (double)fi->rows_period / (double)fi->rows_previous),
                      (unsigned long long)fi->rows_previous, in->max_row_drop * 100);
        else
            set_check(&c[2], "row_count_drop", "pass", "%llu rows, %llu the month before",
                      (unsigned long long)fi->rows_period, (unsigned long long)fi->rows_previous);
        for (int k = 0; k < FRESHNESS_CHECKS; k++)
            f->n_failed += !strcmp(c[k].outcome, "fail");
    }
}

size_t freshness_findings(const freshness_t *f, char out[][FRESHNESS_TEXT], size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n_inputs; i++) {
        const freshness_check_t *c = f->inputs[i].checks;
        bool empty = c[1].outcome && !strcmp(c[1].outcome, "fail");
        for (int k = 0; k < FRESHNESS_CHECKS && n < max; k++) {
            if (!c[k].outcome || strcmp(c[k].outcome, "fail"))
                continue;
            /* a month without rows is stale too: say it once, the clearer way */
            if (empty && k == 0)
                continue;
            snprintf(out[n++], FRESHNESS_TEXT, "Data incomplete: %s.", c[k].detail);
        }
    }
    return n;
}
