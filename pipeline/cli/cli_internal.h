/* cli_internal.h - what the driver files (run.c, send.c) share. Only they print. */
#ifndef OPSREPORT_CLI_INTERNAL_H
#define OPSREPORT_CLI_INTERNAL_H

#include "opsreport/config.h"
#include "opsreport/deliver.h"
#include "opsreport/period.h"

/* level 0: errors (always), 1: normal (not with -q), 2: verbose (-v). UTC timestamped, stderr.
 * With JSON logs each call is one line {"time", "level", "message"}; a text
 * "error: " or "warning: " prefix becomes the level (else error, info, debug). */
void cli_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_set_verbosity(int level);
/* "text" or "json" (--log-format); false for anything else. Until it is
 * called, OPSREPORT_LOG_FORMAT=json in the environment selects JSON. */
bool cli_set_log_format(const char *name);
bool cli_log_is_json(void);

/* The config to load: given (--config) if not NULL, else config/opsreport.ini
 * when it exists in the working directory, else the installed
 * OPSREPORT_SYSCONFDIR/opsreport/opsreport.ini. The result is given or static. */
const char *cli_config_path(const char *given);
/* Where run folders go: given (--out), else [output] dir (a relative one is
 * taken from the config file's folder), else "out". cfg may be NULL. */
void cli_out_dir(const char *given, const config_t *cfg, char *buf, size_t size);

/* File-name form of a scope: letters and digits kept, anything else '_'. */
void scope_slug(const char *scope, char *buf, size_t size);

typedef struct {
    bool dry_run;   /* write .eml files into the run folder instead of sending */
    bool resend;    /* send again to recipients already delivered */
    bool resend_unknown; /* send again to recipients whose delivery is unknown or pending */
} send_options_t;

/* The delivery settings of [email]; strings borrowed from cfg. Shared by
 * send and check, so check tests exactly what a send would use. */
void send_settings_from_config(const config_t *cfg, deliver_smtp_t *s);

/* Sends the period's summary from run_dir to every recipient not yet
 * delivered (exactly once, recorded in run_dir/deliveries.json and the
 * manifest). OPS_ERR_DELIVERY when some recipient was not reached. */
ops_status_t send_period(const config_t *cfg, const char *run_dir, period_t period,
                         const send_options_t *opt, ops_error_t *err);

#endif
