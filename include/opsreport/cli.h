/*
 * cli.h - entry points of the opsreport sub-commands.
 *
 * Each command takes the arguments after its own name (argv[0] is the
 * command name), prints its own usage on --help, and returns a process exit
 * code from common.h. Only these functions print to stdout/stderr.
 */
#ifndef OPSREPORT_CLI_H
#define OPSREPORT_CLI_H

int cli_run_main(int argc, char **argv);      /* opsreport run */
int cli_validate_main(int argc, char **argv); /* opsreport validate */
int cli_merge_main(int argc, char **argv);    /* opsreport merge: run partials into one run folder */
int cli_send_main(int argc, char **argv);     /* opsreport send */
int generate_main(int argc, char **argv);     /* opsreport generate (pipeline/generate/) */
int forecast_cli_main(int argc, char **argv); /* opsreport forecast (pipeline/forecast/) */
int cli_check_main(int argc, char **argv);    /* opsreport check (pipeline/cli/check.c) */
int cli_runs_main(int argc, char **argv);     /* opsreport runs (pipeline/cli/runs.c) */
int cli_inspect_main(int argc, char **argv);  /* opsreport inspect (pipeline/inspect/) */
int cli_kinds_main(int argc, char **argv);    /* opsreport kinds (pipeline/inspect/) */

#endif
