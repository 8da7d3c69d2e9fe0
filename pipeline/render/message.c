/*
 * message.c - the email text of a run, worded by templates/email_*.txt:
 * a subject line, a blank line, then the body listing the red and amber
 * KPIs and the headline numbers (the summary's tiles). A KPI that could not
 * be computed says n/a and why; "nothing is red or amber" is only said when
 * targets could judge something. It is written into
 * the run folder with the other outputs, so `opsreport send` can deliver a
 * period later without recomputing anything.
 */
#include "opsreport/render.h"

#include "opsreport/kpifmt.h"
#include "opsreport/template.h"

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ops_status_t append_item(const template_set_t *t, const char *key, const template_var_t *vars,
                                size_t n, GString *out, ops_error_t *err)
{
    char line[600];
    ops_status_t rc = template_fill(t, key, vars, n, line, sizeof line, err);
    if (rc == OPS_OK) {
        g_string_append(out, line);
        g_string_append_c(out, '\n');
    }
    return rc;
}

ops_status_t render_message(const report_model_t *m, const render_info_t *info, const char *path,
                            ops_error_t *err)
{
    ops_status_t rc;
    template_set_t *t = template_set_new();
    GString *red_amber = g_string_new(NULL), *headline = g_string_new(NULL);
    char *subject = NULL, *body = NULL, tpath[1100];
    char plabel[40], org[400];
    if (!t) {
        rc = ops_error_set(err, OPS_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto cleanup;
    }
    static const char *const files[] = { "email_subject.txt", "email_body.txt" };
    for (size_t i = 0; i < 2; i++) {
        snprintf(tpath, sizeof tpath, "%s/%s", info->templates_dir, files[i]);
        if ((rc = template_set_add_file(t, tpath, err)) != OPS_OK)
            goto cleanup;
    }
    period_label(m->period, plabel, sizeof plabel);
    snprintf(org, sizeof org, "%s%s%s", m->organisation, m->scope[0] ? " - " : "", m->scope);
    /* data the freshness gate found incomplete: first, so a forced send says so */
    for (size_t i = 0; i < m->n_dq_findings; i++)
        g_string_append_printf(red_amber, "- %s\n", m->dq_findings[i]);
    char rejected[600], count[24], total[24];
    size_t n_rejected = kpi_inputs_rejected(m, rejected, sizeof rejected);
    if (n_rejected) {
        snprintf(count, sizeof count, "%zu", n_rejected);
        snprintf(total, sizeof total, "%zu", m->n_inputs);
        template_var_t vars[] = { { "count", count }, { "total", total }, { "inputs", rejected } };
        if ((rc = append_item(t, "inputs_rejected_item", vars, 3, red_amber, err)) != OPS_OK)
            goto cleanup;
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < m->n_kpis; i++) {
            const kpi_t *k = &m->kpis[i];
            if (k->status != (pass == 0 ? RAG_RED : RAG_AMBER))
                continue;
            char v[64], tg[64];
            template_var_t vars[] = { { "status", kpi_status_word(k->status) }, { "label", k->label },
                                      { "value", kpi_format_value(k, k->value, m->currency, v, sizeof v) },
                                      { "target", kpi_format_value(k, k->target, m->currency, tg, sizeof tg) } };
            if ((rc = append_item(t, "red_amber_item", vars, 4, red_amber, err)) != OPS_OK)
                goto cleanup;
        }
    kpi_na_group_t groups[8];
    size_t n_groups = kpi_na_groups(m, groups, 8);
    for (size_t g = 0; g < n_groups && g < 8; g++) {
        template_var_t vars[] = { { "reason", groups[g].reason }, { "labels", groups[g].labels } };
        if ((rc = append_item(t, "unavailable_item", vars, 2, red_amber, err)) != OPS_OK)
            goto cleanup;
    }
    /* nothing red or amber: say how far the targets could judge, never more */
    kpi_rating_t rating;
    kpi_rating(m, &rating);
    if (rating.red_amber == 0) {
        const char *key = !rating.with_target ? "no_targets_item"
                          : !rating.rated     ? "none_rated_item"
                          : rating.na         ? "none_red_amber_with_na"
                                              : "none_red_amber";
        snprintf(count, sizeof count, "%zu", !rating.rated ? rating.with_target : rating.na);
        template_var_t vars[] = { { "count", count } };
        if ((rc = append_item(t, key, vars, 1, red_amber, err)) != OPS_OK)
            goto cleanup;
    }
    char prior[40];
    period_label(period_add(m->period, -1), prior, sizeof prior);
    for (size_t i = 0; i < m->n_kpis; i++) {
        const kpi_t *k = &m->kpis[i];
        if (!k->tile)
            continue;
        if (k->na != KPI_NA_NONE) {
            template_var_t vars[] = { { "label", k->label }, { "reason", k->na_reason } };
            if ((rc = append_item(t, "headline_na_item", vars, 2, headline, err)) != OPS_OK)
                goto cleanup;
            continue;
        }
        char v[64], d[64];
        template_var_t vars[] = { { "label", k->label },
                                  { "value", kpi_format_value(k, k->value, m->currency, v, sizeof v) },
                                  { "delta", kpi_format_delta(k, k->value - k->prior, m->currency, d, sizeof d) },
                                  { "comparison", prior } };
        if ((rc = append_item(t, "headline_item", vars, 4, headline, err)) != OPS_OK)
            goto cleanup;
    }
    /* the template adds its own line ends */
    if (red_amber->len)
        g_string_truncate(red_amber, red_amber->len - 1);
    if (headline->len)
        g_string_truncate(headline, headline->len - 1);
    template_var_t vars[] = { { "organisation", org }, { "period", plabel }, { "red_amber_list", red_amber->str },
                              { "headline", headline->len ? headline->str : "-" } };
    if ((rc = template_fill_dup(t, "subject", vars, 2, &subject, err)) != OPS_OK ||
        (rc = template_fill_dup(t, "body", vars, 4, &body, err)) != OPS_OK)
        goto cleanup;
    FILE *fp = fopen(path, "w");
    if (!fp) {
        rc = ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot create message file");
        goto cleanup;
    }
    fprintf(fp, "%s\n\n%s", subject, body);
    if (fclose(fp) != 0)
        rc = ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot write message file");
cleanup:
    free(subject);
    free(body);
    g_string_free(red_amber, TRUE);
    g_string_free(headline, TRUE);
    template_set_free(t);
    return rc;
}
