/*
 * runfolder.h - the run folder out/<period>/: lock, atomic outputs, manifest.
 *
 * Outputs are written under a temporary name (runfolder_temp_path) and only
 * renamed into place by runfolder_commit once the whole run has succeeded,
 * so a failed run never leaves a half report beside the previous good one.
 */
#ifndef OPSREPORT_RUNFOLDER_H
#define OPSREPORT_RUNFOLDER_H

#include "opsreport/common.h"
#include "opsreport/ingest.h"

#define RUNFOLDER_MAX_OUTPUTS 64 /* room for every output at the most scopes: run.c asserts it */
/* An output's name, NUL included: a whole file name (NAME_MAX 255 + 1), so a
 * long recipient scope in "summary-<scope>.pdf" is kept, never cut short. */
#define RUNFOLDER_NAME_SIZE 256
/* The longest name runfolder_temp_path accepts: ".NAME.tmp" must still be one
 * file name of at most NAME_MAX (255) bytes. */
#define RUNFOLDER_NAME_MAX (RUNFOLDER_NAME_SIZE - 1 - 5)

typedef struct {
    char name[RUNFOLDER_NAME_SIZE];
    uint64_t bytes;
    char sha256[65];
} output_info_t;

typedef struct {
    char dir[1024];
    int lock_fd;
    size_t n_pending;
    char pending[RUNFOLDER_MAX_OUTPUTS][RUNFOLDER_NAME_SIZE]; /* names awaiting commit */
    size_t n_outputs;
    output_info_t outputs[RUNFOLDER_MAX_OUTPUTS];
} runfolder_t;

/* Room for any path runfolder_temp_path hands out: dir + "/." + name + ".tmp" + NUL. */
#define RUNFOLDER_PATH_SIZE (sizeof ((runfolder_t *)0)->dir + RUNFOLDER_NAME_SIZE + 8)

/* Creates out_dir/period (and parents) and takes an exclusive flock on
 * its .lock file; OPS_ERR_LOCKED if another run holds it. */
ops_status_t runfolder_open(runfolder_t *rf, const char *out_dir, const char *period,
                            ops_error_t *err);
/* Fills buf with dir/.name.tmp and remembers name for commit. OPS_ERR_OUTPUT
 * (buf "") when name is empty, holds a '/', is longer than RUNFOLDER_NAME_MAX
 * bytes, would be output RUNFOLDER_MAX_OUTPUTS + 1, or the path does not fit
 * in size: refused here, before anything is written, never found at commit. */
ops_status_t runfolder_temp_path(runfolder_t *rf, const char *name, char *buf, size_t size,
                                 ops_error_t *err);
/* Checks every pending temp file first (it exists and fsyncs), then renames
 * them all into place and records bytes and SHA-256. A run whose outputs are
 * not all there fails with none of them renamed (the temp files stay for
 * runfolder_abort). */
ops_status_t runfolder_commit(runfolder_t *rf, ops_error_t *err);
/* Removes pending temp files (failed run). */
void runfolder_abort(runfolder_t *rf);
void runfolder_close(runfolder_t *rf);

/* SHA-256 (hex) and size of a file. */
ops_status_t file_digest(const char *path, char sha256[65], uint64_t *bytes, ops_error_t *err);
/* Writes data to path atomically (path.tmp, fsync, rename). */
ops_status_t file_write_atomic(const char *path, const void *data, size_t len, ops_error_t *err);

#endif
