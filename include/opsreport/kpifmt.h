/*
 * kpifmt.h - KPI values and changes as people read them ("94.2%", "EUR 1.2M",
 * "+1.3 pp", "12.5 h"), shared by the PDF and the email body.
 */
#ifndef OPSREPORT_KPIFMT_H
#define OPSREPORT_KPIFMT_H

#include "opsreport/model.h"

/* A value in the KPI's unit; "n/a" for NAN. Returns buf. */
char *kpi_format_value(const kpi_t *k, double v, const char *currency, char *buf, size_t size);
/* A signed change (percent KPIs in percentage points). Returns buf. */
char *kpi_format_delta(const kpi_t *k, double delta, const char *currency, char *buf, size_t size);
/* "Red", "Amber", "Green" or "". */
const char *kpi_status_word(rag_t status);

/* How far the targets could judge this month, for the "nothing is red"
 * sentences: never claim all is well when nothing could be rated. */
typedef struct {
    size_t with_target;  /* KPIs with a target */
    size_t rated;        /* ... and a status (a value to judge) */
    size_t red_amber;
    size_t na;           /* KPIs that are n/a (kpi_t.na), with or without a target */
} kpi_rating_t;
void kpi_rating(const report_model_t *m, kpi_rating_t *out);

/* The KPIs that are n/a for one reason other than a rejected input, in model
 * order: labels joined as "A; B; C" (a label may hold a comma). */
typedef struct {
    const char *reason;  /* kpi_t.na_reason of the first, points into the model */
    size_t count;
    char labels[700];
} kpi_na_group_t;
/* Fills up to max groups; returns how many there are (may exceed max). */
size_t kpi_na_groups(const report_model_t *m, kpi_na_group_t *out, size_t max);

/* The inputs read whose every row was rejected (none accepted): their names
 * joined by ", " into buf; returns how many. */
size_t kpi_inputs_rejected(const report_model_t *m, char *buf, size_t size);

#endif
