/*
 * fuzz_util.h - shared helpers of the libFuzzer harnesses in tests/fuzz.
 *
 * Several entry points under test read files (config_load, ingest_input,
 * template_set_add_file, the forecast command), so each harness writes the
 * fuzz input to a file in its own scratch folder, made once per process and
 * reused: creating a folder per input would cost more than the code under
 * test. The folder is removed at exit so short runs in `make test` leave
 * nothing behind.
 */
#ifndef OPSREPORT_FUZZ_UTIL_H
#define OPSREPORT_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUZZ_CHECK(cond)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond);   \
            abort();                                                                      \
        }                                                                                 \
    } while (0)

static char fuzz_dir[64];

__attribute__((unused)) static void fuzz_dir_remove(void)
{
    char cmd[128];
    /* the folder name comes from mkdtemp: no shell metacharacters */
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir);
}

/* The scratch folder, created on first use; aborts if it cannot be, since
 * a harness that silently tests nothing is worse than one that stops. */
__attribute__((unused)) static const char *fuzz_scratch(void)
{
    if (!fuzz_dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(fuzz_dir, sizeof fuzz_dir, "%s/opsfuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(fuzz_dir)) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(fuzz_dir_remove);
    }
    return fuzz_dir;
}

/* Writes len bytes to NAME in the scratch folder; path gets the full name. */
__attribute__((unused)) static void fuzz_write(const char *name, const void *data, size_t len, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", fuzz_scratch(), name);
    FILE *f = fopen(path, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
        perror("fuzz: write");
        abort();
    }
}

#endif
