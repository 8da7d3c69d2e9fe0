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

#endif
