/*
 * risk.c - risk register and compliance controls.
 *
 * The register is a snapshot: a risk is open unless its status is closed.
 * The exposure trend counts open risks raised by each month end (closure
 * dates are not exported, so closed risks are left out of the whole trend).
 * Controls are organisation-wide and not split by site.
 */
#include "analyse/analyse_internal.h"

#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char id[32], title[120], owner[64];
    int likelihood, impact;
    double exposure;
    int32_t due;
    bool has_due;
} risk_t;

typedef struct {
    char id[32], area[64], owner[64];
    int32_t due;
} audit_t;

typedef struct {
    const analyse_ctx_t *ctx;
    GArray *risks;  /* open risks */
    double exposure[MODEL_WINDOW], open_count[MODEL_WINDOW];
    int heat[5][5];
    double compliant, non_compliant, not_tested, findings;
    double finding_age[4]; /* <=30, 31-90, 91-180, >180 days */
    GArray *audits; /* overdue */
} risk_state_t;

static void *risk_create(const analyse_ctx_t *ctx)
{
    risk_state_t *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->ctx = ctx;
    r->risks = g_array_new(FALSE, TRUE, sizeof(risk_t));
    r->audits = g_array_new(FALSE, TRUE, sizeof(audit_t));
    return r;
}

static ops_status_t risk_record(void *state, const ingest_record_t *rec, ops_error_t *err)
{
    (void)err;
    risk_state_t *r = state;
    const analyse_ctx_t *ctx = r->ctx;
    const field_value_t *v = rec->values;
    if (rec->input->schema->kind == KIND_RISKS) {
        if (!ctx_in_scope(ctx, &v[RISK_SITE]) || v[RISK_STATUS].v.enum_index == RISK_STATUS_CLOSED)
            return OPS_OK;
        risk_t k = { 0 };
        field_text_copy(&v[RISK_ID], k.id, sizeof k.id);
        field_text_copy(&v[RISK_TITLE], k.title, sizeof k.title);
        field_text_copy(&v[RISK_OWNER], k.owner, sizeof k.owner);
        k.likelihood = (int)v[RISK_LIKELIHOOD].v.i;
        k.impact = (int)v[RISK_IMPACT].v.i;
        k.exposure = v[RISK_EXPOSURE].present ? (double)v[RISK_EXPOSURE].v.money : 0;
        k.has_due = v[RISK_MITIGATION_DUE].present;
        k.due = v[RISK_MITIGATION_DUE].v.date;
        int32_t raised = v[RISK_RAISED_DATE].v.date;
        if (raised > ctx->period_last_day)
            return OPS_OK;
        for (int s = 0; s < MODEL_WINDOW; s++)
            if (raised <= ctx_slot_last_day(ctx, s)) {
                r->exposure[s] += k.exposure;
                r->open_count[s]++;
            }
        r->heat[k.likelihood - 1][k.impact - 1]++;
        g_array_append_val(r->risks, k);
    } else if (rec->input->schema->kind == KIND_CONTROLS) {
        int st = v[CTL_STATUS].v.enum_index;
        r->compliant += st == CTL_STATUS_COMPLIANT;
        r->non_compliant += st == CTL_STATUS_NON_COMPLIANT;
        r->not_tested += st == CTL_STATUS_NOT_TESTED;
        double findings = v[CTL_OPEN_FINDINGS].present ? (double)v[CTL_OPEN_FINDINGS].v.i : 0;
        r->findings += findings;
        if (findings > 0 && v[CTL_OLDEST_FINDING_DATE].present) {
            int32_t age = ctx->period_last_day - v[CTL_OLDEST_FINDING_DATE].v.date;
            r->finding_age[age <= 30 ? 0 : age <= 90 ? 1 : age <= 180 ? 2 : 3] += findings;
        }
        if (v[CTL_NEXT_AUDIT_DUE].v.date < ctx->period_last_day) {
            audit_t a = { .due = v[CTL_NEXT_AUDIT_DUE].v.date };
            field_text_copy(&v[CTL_ID], a.id, sizeof a.id);
            field_text_copy(&v[CTL_AREA], a.area, sizeof a.area);
            field_text_copy(&v[CTL_OWNER], a.owner, sizeof a.owner);
            g_array_append_val(r->audits, a);
        }
    }
    return OPS_OK;
}

static int by_score(const void *a, const void *b)
{
    const risk_t *x = a, *y = b;
    int sx = x->likelihood * x->impact, sy = y->likelihood * y->impact;
    if (sx != sy)
        return sy - sx;
    if (x->exposure != y->exposure)
        return x->exposure < y->exposure ? 1 : -1;
    return strcmp(x->id, y->id);
}

static int by_audit_due(const void *a, const void *b)
{
    const audit_t *x = a, *y = b;
    return x->due != y->due ? (x->due < y->due ? -1 : 1) : strcmp(x->id, y->id);
}

static ops_status_t risk_finish(void *state, report_model_t *m, ops_error_t *err)
{
    risk_state_t *r = state;
    const analyse_ctx_t *ctx = r->ctx;
    double scale = pow(10, m->minor_units);
    kpi_t *k;
    if (ctx_has_input(ctx, KIND_RISKS)) {
        memcpy(m->heat_map, r->heat, sizeof m->heat_map);
        double high = 0, overdue = 0;
        for (guint i = 0; i < r->risks->len; i++) {
            risk_t *x = &g_array_index(r->risks, risk_t, i);
            high += x->likelihood * x->impact >= 15;
            overdue += x->has_due && x->due < ctx->period_last_day;
        }
        double exposure[MODEL_WINDOW];
        for (int s = 0; s < MODEL_WINDOW; s++)
            exposure[s] = r->exposure[s] / scale;
        if (!(k = model_add_kpi(m, KPI_OPEN_RISKS, "Open risks", AREA_RISK, UNIT_COUNT)))
            goto nomem;
        kpi_fill_level(k, r->open_count);
        snprintf(k->note, sizeof k->note, "risks not closed, raised by the month end");
        kpi_needs(ctx, k, KIND_RISKS, NULL, 0);
        if (!(k = model_add_kpi(m, "high_risks", "High risks (score 15+)", AREA_RISK, UNIT_COUNT)))
            goto nomem;
        k->value = k->ytd = high;
        snprintf(k->note, sizeof k->note, "open risks with likelihood x impact >= 15");
        kpi_needs(ctx, k, KIND_RISKS, NULL, 0);
        if (!(k = model_add_kpi(m, "overdue_mitigations", "Overdue mitigations", AREA_RISK, UNIT_COUNT)))
            goto nomem;
        k->value = k->ytd = overdue;
        snprintf(k->note, sizeof k->note, "open risks whose mitigation_due is before the period end");
        kpi_needs(ctx, k, KIND_RISKS, FIELDS(RISK_MITIGATION_DUE)); /* else never overdue */
        if (!(k = model_add_kpi(m, "risk_exposure", "Open risk exposure", AREA_RISK, UNIT_MONEY)))
            goto nomem;
        kpi_fill_level(k, exposure);
        snprintf(k->note, sizeof k->note, "sum of exposure of open risks raised by the month end");
        kpi_needs(ctx, k, KIND_RISKS, FIELDS(RISK_EXPOSURE));
        static const char *const n[] = { "Risk", "Title", "Owner", "Score", "Likelihood", "Impact", "Exposure",
                                         "Mitigation due", "Overdue" };
        static const col_kind_t kd[] = { COL_TEXT, COL_TEXT, COL_TEXT, COL_COUNT, COL_COUNT, COL_COUNT,
                                         COL_MONEY, COL_DATE, COL_TEXT };
        model_table_t *t = model_add_table(m, TABLE_RISK_TOP_RISKS, "Top risks", 9, n, kd);
        if (!t)
            goto nomem;
        bool exposure_known = ctx_fields_mapped(ctx, KIND_RISKS, FIELDS(RISK_EXPOSURE));
        bool due_known = ctx_fields_mapped(ctx, KIND_RISKS, FIELDS(RISK_MITIGATION_DUE));
        g_array_sort(r->risks, by_score);
        for (guint i = 0; i < r->risks->len && i < (guint)ctx->settings->top_n; i++) {
            risk_t *x = &g_array_index(r->risks, risk_t, i);
            long row = model_table_add_row(t);
            if (row < 0)
                goto nomem;
            model_table_set_text(t, (size_t)row, 0, x->id, strlen(x->id));
            model_table_set_text(t, (size_t)row, 1, x->title, strlen(x->title));
            model_table_set_text(t, (size_t)row, 2, x->owner, strlen(x->owner));
            model_table_set_num(t, (size_t)row, 3, x->likelihood * x->impact);
            model_table_set_num(t, (size_t)row, 4, x->likelihood);
            model_table_set_num(t, (size_t)row, 5, x->impact);
            model_table_set_num(t, (size_t)row, 6, exposure_known ? x->exposure / scale : NAN);
            model_table_set_num(t, (size_t)row, 7, x->has_due ? x->due : NAN);
            const char *o = !due_known ? "n/a" : x->has_due && x->due < ctx->period_last_day ? "yes" : "no";
            model_table_set_text(t, (size_t)row, 8, o, strlen(o));
        }
        table_needs(ctx, t, KIND_RISKS, NULL, 0);
    }
    if (ctx_has_input(ctx, KIND_CONTROLS)) {
        double tested = r->compliant + r->non_compliant;
        if (!(k = model_add_kpi(m, "controls_compliant_pct", "Controls compliant", AREA_RISK, UNIT_PERCENT)))
            goto nomem;
        k->value = k->ytd = tested > 0 ? r->compliant / tested * 100 : NAN;
        snprintf(k->note, sizeof k->note, "compliant / (compliant + non-compliant); not-tested controls excluded");
        kpi_needs(ctx, k, KIND_CONTROLS, NULL, 0);
        if (!(k = model_add_kpi(m, "open_findings", "Open audit findings", AREA_RISK, UNIT_COUNT)))
            goto nomem;
        k->value = k->ytd = r->findings;
        snprintf(k->note, sizeof k->note, "sum of open_findings over all controls");
        kpi_needs(ctx, k, KIND_CONTROLS, FIELDS(CTL_OPEN_FINDINGS));
        if (!(k = model_add_kpi(m, "overdue_audits", "Overdue audits", AREA_RISK, UNIT_COUNT)))
            goto nomem;
        k->value = k->ytd = (double)r->audits->len;
        snprintf(k->note, sizeof k->note, "controls whose next_audit_due is before the period end");
        kpi_needs(ctx, k, KIND_CONTROLS, NULL, 0);
        static const char *const an[] = { "Age of oldest finding", "Open findings" };
        static const col_kind_t ak[] = { COL_TEXT, COL_COUNT };
        model_table_t *t = model_add_table(m, TABLE_RISK_FINDINGS_BY_AGE, "Open findings by age", 2, an, ak);
        if (!t)
            goto nomem;
        static const char *const buckets[] = { "0-30 days", "31-90 days", "91-180 days", "over 180 days" };
        for (int i = 0; i < 4; i++) {
            long row = model_table_add_row(t);
            if (row < 0)
                goto nomem;
            model_table_set_text(t, (size_t)row, 0, buckets[i], strlen(buckets[i]));
            model_table_set_num(t, (size_t)row, 1, r->finding_age[i]);
        }
        table_needs(ctx, t, KIND_CONTROLS, FIELDS(CTL_OPEN_FINDINGS, CTL_OLDEST_FINDING_DATE));
        static const char *const on[] = { "Control", "Area", "Owner", "Audit due", "Days overdue" };
        static const col_kind_t ok[] = { COL_TEXT, COL_TEXT, COL_TEXT, COL_DATE, COL_DAYS };
        if (!(t = model_add_table(m, TABLE_RISK_OVERDUE_AUDITS, "Overdue audits", 5, on, ok)))
            goto nomem;
        g_array_sort(r->audits, by_audit_due);
        for (guint i = 0; i < r->audits->len && i < (guint)ctx->settings->top_n; i++) {
            audit_t *a = &g_array_index(r->audits, audit_t, i);
            long row = model_table_add_row(t);
            if (row < 0)
                goto nomem;
            model_table_set_text(t, (size_t)row, 0, a->id, strlen(a->id));
            model_table_set_text(t, (size_t)row, 1, a->area, strlen(a->area));
            model_table_set_text(t, (size_t)row, 2, a->owner, strlen(a->owner));
            model_table_set_num(t, (size_t)row, 3, a->due);
            model_table_set_num(t, (size_t)row, 4, ctx->period_last_day - a->due);
        }
        table_needs(ctx, t, KIND_CONTROLS, NULL, 0);
    }
    return OPS_OK;
nomem:
    return ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

static void risk_destroy(void *state)
{
    risk_state_t *r = state;
    if (!r)
        return;
    g_array_free(r->risks, TRUE);
    g_array_free(r->audits, TRUE);
    free(r);
}

static ops_status_t risk_merge(void *dst, const void *src, ops_error_t *err)
{
    (void)err;
    risk_state_t *d = dst;
    const risk_state_t *s = src;
    g_array_append_vals(d->risks, s->risks->data, s->risks->len);
    sums_add(d->exposure, s->exposure, MODEL_WINDOW);
    sums_add(d->open_count, s->open_count, MODEL_WINDOW);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++)
            d->heat[i][j] += s->heat[i][j];
    d->compliant += s->compliant;
    d->non_compliant += s->non_compliant;
    d->not_tested += s->not_tested;
    d->findings += s->findings;
    sums_add(d->finding_age, s->finding_age, 4);
    g_array_append_vals(d->audits, s->audits->data, s->audits->len);
    return OPS_OK;
}

static void risk_io(void *state, pio_t *io)
{
    risk_state_t *r = state;
    size_t n = r->risks->len;
    pio_count(io, &n, PIO_MAX_ITEMS);
    if (io->loading && !io->bad)
        g_array_set_size(r->risks, n);
    for (size_t i = 0; i < n && !io->bad; i++) {
        risk_t *k = &g_array_index(r->risks, risk_t, i);
        pio_text(io, k->id, sizeof k->id);
        pio_text(io, k->title, sizeof k->title);
        pio_text(io, k->owner, sizeof k->owner);
        pio_int(io, &k->likelihood);
        pio_int(io, &k->impact);
        pio_f64s(io, &k->exposure, 1);
        pio_i32(io, &k->due);
        pio_bool(io, &k->has_due);
    }
    pio_f64s(io, r->exposure, MODEL_WINDOW);
    pio_f64s(io, r->open_count, MODEL_WINDOW);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++)
            pio_int(io, &r->heat[i][j]);
    pio_f64s(io, &r->compliant, 1);
    pio_f64s(io, &r->non_compliant, 1);
    pio_f64s(io, &r->not_tested, 1);
    pio_f64s(io, &r->findings, 1);
    pio_f64s(io, r->finding_age, 4);
    n = r->audits->len;
    pio_count(io, &n, PIO_MAX_ITEMS);
    if (io->loading && !io->bad)
        g_array_set_size(r->audits, n);
    for (size_t i = 0; i < n && !io->bad; i++) {
        audit_t *a = &g_array_index(r->audits, audit_t, i);
        pio_text(io, a->id, sizeof a->id);
        pio_text(io, a->area, sizeof a->area);
        pio_text(io, a->owner, sizeof a->owner);
        pio_i32(io, &a->due);
    }
}

const area_module_t area_risk = { "risk", risk_create, risk_record, risk_finish, risk_destroy,
                                 risk_merge, risk_io, NULL };
