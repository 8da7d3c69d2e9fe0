/*
 * fuzz_forecast_csv.c - the CSV reader of `opsreport forecast`
 * (pipeline/forecast/cli.c), through its command-line entry point.
 *
 * The input is the --input file; a short horizon keeps each run fast, since
 * the reader, not the models, is under test. Properties: the command
 * returns one of its documented exit codes, and never leaves an output file
 * behind when it fails to read the input.
 */
#include "fuzz_util.h"

#include "opsreport/cli.h"
#include "opsreport/common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* long series only make the models slower, not the reader more tested */
    if (size > 4096)
        return 0;
    char in[256], out[256];
    fuzz_write("series.csv", data, size, in, sizeof in);
    snprintf(out, sizeof out, "%s/forecast.csv", fuzz_scratch());
    unlink(out);
    char *argv[] = { "forecast", "--input", in, "--output", out, "--horizon", "3", NULL };
    int rc = forecast_cli_main(7, argv);
    FUZZ_CHECK(rc == OPS_EXIT_OK || rc == OPS_EXIT_INPUT || rc == OPS_EXIT_OUTPUT);
    if (rc == OPS_EXIT_INPUT)
        FUZZ_CHECK(access(out, F_OK) != 0);
    return 0;
}
