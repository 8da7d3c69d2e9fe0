/* manifest.c - manifest.json with jansson (keys in insertion order, 2-space indent). */
#include "opsreport/manifest.h"

#include "opsreport/parse.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void money_to_text(int64_t minor, int minor_units, char *buf, size_t size)
{
    uint64_t mag = minor < 0 ? (uint64_t)(-(minor + 1)) + 1 : (uint64_t)minor;
    uint64_t scale = 1;
    for (int i = 0; i < minor_units; i++)
        scale *= 10;
    if (minor_units == 0)
        snprintf(buf, size, "%s%" PRIu64, minor < 0 ? "-" : "", mag);
    else
        snprintf(buf, size, "%s%" PRIu64 ".%0*" PRIu64, minor < 0 ? "-" : "", mag / scale,
                 minor_units, mag % scale);
}

static json_t *input_json(const ingest_stats_t *s, int minor_units)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(s->name));
    json_object_set_new(o, "kind", json_string(s->kind));
    json_object_set_new(o, "path", json_string(s->path));
    json_object_set_new(o, "present", json_boolean(s->present));
    json_object_set_new(o, "bytes", json_integer((json_int_t)s->bytes));
    json_object_set_new(o, "sha256", s->present ? json_string(s->sha256) : json_null());
    json_object_set_new(o, "rows_read", json_integer((json_int_t)s->rows_read));
    json_object_set_new(o, "rows_accepted", json_integer((json_int_t)s->rows_accepted));
    json_object_set_new(o, "rows_rejected", json_integer((json_int_t)s->rows_rejected));
    json_object_set_new(o, "rows_filtered", json_integer((json_int_t)s->rows_filtered));
    json_object_set_new(o, "rows_superseded", json_integer((json_int_t)s->rows_superseded));
    json_object_set_new(o, "reconciles", json_boolean(ingest_stats_reconciles(s)));
    /* what the reader saw, so a merged or swallowed record cannot hide */
    json_object_set_new(o, "physical_lines", json_integer((json_int_t)s->physical_lines));
    json_object_set_new(o, "multiline_records", json_integer((json_int_t)s->multiline_records));
    json_t *ranges = json_array();
    for (size_t k = 0; k < s->n_multiline_ranges; k++)
        json_array_append_new(ranges, json_pack("[II]", (json_int_t)s->multiline_ranges[k][0],
                                                (json_int_t)s->multiline_ranges[k][1]));
    json_object_set_new(o, "multiline_ranges", ranges);
    json_object_set_new(o, "overlong_records", json_integer((json_int_t)s->overlong_records));
    json_object_set_new(o, "invalid_bytes", json_integer((json_int_t)s->invalid_bytes));
    json_object_set_new(o, "rounded_amounts", json_integer((json_int_t)s->rounded_amounts));
    json_object_set_new(o, "rounding_residual", json_integer((json_int_t)s->rounding_residual));
    json_t *totals = json_array();
    for (size_t k = 0; k < s->n_money; k++) {
        char a[48], r[48];
        money_to_text(s->money[k].total_accepted, minor_units, a, sizeof a);
        money_to_text(s->money[k].total_rejected, minor_units, r, sizeof r);
        json_t *t = json_object();
        json_object_set_new(t, "field", json_string(s->money[k].field));
        json_object_set_new(t, "accepted", json_string(a));
        json_object_set_new(t, "rejected", json_string(r));
        json_object_set_new(t, "accepted_minor", json_integer(s->money[k].total_accepted));
        json_object_set_new(t, "rejected_minor", json_integer(s->money[k].total_rejected));
        json_object_set_new(t, "rejected_unparsed_rows", json_integer((json_int_t)s->money[k].unparsed));
        json_array_append_new(totals, t);
    }
    json_object_set_new(o, "control_totals", totals);
    json_object_set_new(o, "seconds", json_real(s->seconds));
    return o;
}

ops_status_t manifest_write(const manifest_t *m, const char *dir, ops_error_t *err)
{
    json_t *root = json_object();
    json_object_set_new(root, "opsreport_version", json_string(OPSREPORT_VERSION));
    json_object_set_new(root, "run_id", json_string(m->run_id));
    json_object_set_new(root, "period", json_string(m->period));
    json_object_set_new(root, "status", json_string(m->status));
    json_t *cfg = json_object();
    json_object_set_new(cfg, "path", json_string(m->cfg->path));
    json_object_set_new(cfg, "sha256", json_string(m->cfg->sha256));
    json_object_set_new(root, "config", cfg);
    json_t *inputs = json_array();
    for (size_t i = 0; i < m->n_inputs; i++)
        json_array_append_new(inputs, input_json(&m->inputs[i], m->cfg->minor_units));
    json_object_set_new(root, "inputs", inputs);
    json_t *stages = json_object();
    for (size_t i = 0; i < m->n_stages; i++)
        json_object_set_new(stages, m->stages[i].name, json_real(m->stages[i].seconds));
    json_object_set_new(root, "stage_seconds", stages);
    /* the freshness gate: every check and its outcome, failed or not */
    json_t *fresh = json_array();
    for (size_t i = 0; m->freshness && i < m->freshness->n_inputs; i++) {
        const freshness_input_t *fi = &m->freshness->inputs[i];
        json_t *o = json_object(), *checks = json_array();
        json_object_set_new(o, "input", json_string(fi->input->name));
        json_object_set_new(o, "date_field", fi->field >= 0
                            ? json_string(fi->input->schema->fields[fi->field].name) : json_null());
        if (fi->dated) {
            int y, mo, d;
            char day[16];
            date_to_ymd(fi->latest, &y, &mo, &d);
            snprintf(day, sizeof day, "%04d-%02d-%02d", y, mo, d);
            json_object_set_new(o, "latest", json_string(day));
        } else
            json_object_set_new(o, "latest", json_null());
        json_object_set_new(o, "rows_in_period", json_integer((json_int_t)fi->rows_period));
        json_object_set_new(o, "rows_previous_month", json_integer((json_int_t)fi->rows_previous));
        for (int k = 0; k < FRESHNESS_CHECKS; k++) {
            if (!fi->checks[k].name)
                continue;
            json_t *c = json_object();
            json_object_set_new(c, "check", json_string(fi->checks[k].name));
            json_object_set_new(c, "outcome", json_string(fi->checks[k].outcome));
            json_object_set_new(c, "detail", json_string(fi->checks[k].detail));
            json_array_append_new(checks, c);
        }
        json_object_set_new(o, "checks", checks);
        json_array_append_new(fresh, o);
    }
    json_object_set_new(root, "freshness", fresh);
    if (m->forecast_archive) { /* which earlier forecasts.csv the review read (review.c) */
        json_t *fa = json_object(), *found = json_array(), *missing = json_array();
        for (size_t i = 0; i < m->forecast_archive->n_found; i++)
            json_array_append_new(found, json_string(m->forecast_archive->found[i]));
        for (size_t i = 0; i < m->forecast_archive->n_missing; i++)
            json_array_append_new(missing, json_string(m->forecast_archive->missing[i]));
        json_object_set_new(fa, "dir", json_string(m->forecast_archive->dir));
        json_object_set_new(fa, "found", found);
        json_object_set_new(fa, "missing", missing);
        json_object_set_new(root, "forecast_archive", fa);
    }
    json_t *outs = json_array();
    for (size_t i = 0; m->rf && i < m->rf->n_outputs; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(m->rf->outputs[i].name));
        json_object_set_new(o, "bytes", json_integer((json_int_t)m->rf->outputs[i].bytes));
        json_object_set_new(o, "sha256", json_string(m->rf->outputs[i].sha256));
        json_array_append_new(outs, o);
    }
    json_object_set_new(root, "outputs", outs);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(root);
    if (!text)
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    char path[1200];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    size_t len = strlen(text);
    text[len] = '\0';
    char *with_nl = malloc(len + 2);
    if (!with_nl) {
        free(text);
        return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    memcpy(with_nl, text, len);
    with_nl[len] = '\n';
    ops_status_t rc = file_write_atomic(path, with_nl, len + 1, err);
    free(with_nl);
    free(text);
    return rc;
}
