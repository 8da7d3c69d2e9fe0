/*
 * fuzz_config.c - config_load on arbitrary INI text.
 *
 * Property: a load either fails with OPS_ERR_CONFIG and a message, or
 * succeeds with a config that config_free releases completely (LeakSanitizer
 * checks the latter, and the failure paths' partial configs too).
 */
#include "fuzz_util.h"

#include "opsreport/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[256];
    fuzz_write("opsreport.ini", data, size, path, sizeof path);
    config_t *cfg = NULL;
    ops_error_t err = { 0 };
    ops_status_t rc = config_load(path, &cfg, &err);
    if (rc == OPS_OK) {
        FUZZ_CHECK(cfg != NULL);
        for (size_t i = 0; i < cfg->n_inputs; i++)
            FUZZ_CHECK(cfg->inputs[i].name && cfg->inputs[i].schema);
        config_free(cfg);
    } else {
        FUZZ_CHECK(rc == OPS_ERR_CONFIG || rc == OPS_ERR_NOMEM);
        FUZZ_CHECK(cfg == NULL);
    }
    return 0;
}
