/* cli_internal.h - what the driver files (run.c, send.c) share. Only they print. */
#ifndef OPSREPORT_CLI_INTERNAL_H
#define OPSREPORT_CLI_INTERNAL_H

#include "opsreport/config.h"
#include "opsreport/period.h"

/* level 0: errors (always), 1: normal (not with -q), 2: verbose (-v). UTC timestamped, stderr. */
void cli_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_set_verbosity(int level);

/* File-name form of a scope: letters and digits kept, anything else '_'. */
void scope_slug(const char *scope, char *buf, size_t size);

typedef struct {
    bool dry_run;   /* write .eml files into the run folder instead of sending */
    bool resend;    /* send again to recipients already delivered */
    bool resend_unknown; /* send again to recipients whose delivery is unknown or pending */
} send_options_t;

/* Sends the period's summary from run_dir to every recipient not yet
 * delivered (exactly once, recorded in run_dir/deliveries.json and the
 * manifest). OPS_ERR_DELIVERY when some recipient was not reached. */
ops_status_t send_period(const config_t *cfg, const char *run_dir, period_t period,
                         const send_options_t *opt, ops_error_t *err);

#endif
