/* main.c - the opsreport driver: picks the sub-command and hands over argv. */
#include "opsreport/cli.h"
#include "opsreport/common.h"

#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *summary;
} command_t;

static const command_t commands[] = {
    /* command table: one line per sub-command */
    { "kinds", cli_kinds_main, "list every input kind's fields, types, allowed values and KPIs" },
    { "inspect", cli_inspect_main, "sniff an export and draft its [input.NAME] config section" },
    { "check", cli_check_main, "check config, password source, output folder and input headers; run nothing" },
    { "run", cli_run_main, "run the month-end pipeline and write the run folder" },
    { "merge", cli_merge_main, "merge the partial states of `run --partial` shards into one run folder" },
    { "validate", cli_validate_main, "ingest and validate only: counts, control totals, first rejects" },
    { "send", cli_send_main, "email an existing period's summary to recipients not yet delivered" },
    { "runs", cli_runs_main, "list the run folders: period, status, inputs, outputs, delivery" },
    { "forecast", forecast_cli_main, "forecast any monthly series from a long-form CSV" },
    { "generate", generate_main, "write deterministic sample CSV exports (--scale for benchmarks)" },
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: opsreport COMMAND [OPTIONS]\n"
            "       opsreport --version | --help\n\n"
            "Month-end operations reporting: ingest CSV exports, validate, analyse,\n"
            "forecast, render report.xlsx and summary.pdf, deliver by email.\n\n"
            "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\nRun 'opsreport COMMAND --help' for the options of one command.\n\n");
    ops_exit_codes_print(out);
}

int main(int argc, char **argv)
{
    /* GSL's default handler aborts; every GSL call site checks its return instead */
    gsl_set_error_handler_off();
    if (argc < 2) {
        usage(stderr);
        return OPS_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return OPS_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("opsreport %s\n", OPSREPORT_VERSION);
        return OPS_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].main(argc - 1, argv + 1);
    fprintf(stderr, "opsreport: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return OPS_EXIT_USAGE;
}
