/*
 * outlook.h - the forecast stage of the pipeline: runs each [forecast.NAME]
 * of the config on the monthly series analyse published, keeps the results
 * in the model for the reports, and adds the full-year outlook (YTD actual
 * plus the forecast of the remaining months) against the annual budget.
 */
#ifndef OPSREPORT_OUTLOOK_H
#define OPSREPORT_OUTLOOK_H

#include "opsreport/model.h"

ops_status_t outlook_run(const config_t *cfg, report_model_t *m, ops_error_t *err);

#endif
