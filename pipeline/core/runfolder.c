/*
 * runfolder.c - run folder lifecycle. flock(2) guards against two scheduled
 * runs of the same period overlapping; temp-then-rename keeps outputs whole.
 *
 * Names are checked when a temp path is handed out and every temp file is
 * checked before the first rename, so a run either publishes all its outputs
 * or none: never renamed outputs beside leftover .tmp files.
 */
#include "opsreport/runfolder.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(RUNFOLDER_NAME_SIZE == NAME_MAX + 1, "an output name holds any one file name");
_Static_assert(RUNFOLDER_NAME_MAX + 5 == NAME_MAX, "\".NAME.tmp\" is still one file name");
_Static_assert(sizeof ((runfolder_t *)0)->pending[0] == sizeof ((output_info_t *)0)->name,
               "a pending name fits its output record whole");
_Static_assert(RUNFOLDER_PATH_SIZE >= sizeof ((runfolder_t *)0)->dir + 2 + RUNFOLDER_NAME_MAX + 4 + 1,
               "temp and final paths fit their buffers");

ops_status_t runfolder_open(runfolder_t *rf, const char *out_dir, const char *period,
                            ops_error_t *err)
{
    memset(rf, 0, sizeof *rf);
    rf->lock_fd = -1;
    snprintf(rf->dir, sizeof rf->dir, "%s/%s", out_dir, period);
    if (g_mkdir_with_parents(rf->dir, 0755) != 0)
        return ops_error_set(err, OPS_ERR_OUTPUT, rf->dir, 0, NULL, "cannot create run folder: %s",
                             strerror(errno));
    char lock[1100];
    /* a cut lock path would lock some other file: it must hold any dir */
    _Static_assert(sizeof lock >= sizeof rf->dir + sizeof "/.lock" - 1, "lock path holds the run folder + /.lock");
    snprintf(lock, sizeof lock, "%s/.lock", rf->dir);
    rf->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (rf->lock_fd < 0)
        return ops_error_set(err, OPS_ERR_OUTPUT, lock, 0, NULL, "cannot open lock file: %s",
                             strerror(errno));
    if (flock(rf->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        close(rf->lock_fd);
        rf->lock_fd = -1;
        return ops_error_set(err, OPS_ERR_LOCKED, rf->dir, 0, NULL,
                             "another opsreport run holds the lock on this run folder");
    }
    return OPS_OK;
}

ops_status_t runfolder_temp_path(runfolder_t *rf, const char *name, char *buf, size_t size,
                                 ops_error_t *err)
{
    if (size)
        buf[0] = '\0';
    size_t len = strlen(name);
    if (len == 0 || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
        return ops_error_set(err, OPS_ERR_OUTPUT, rf->dir, 0, NULL, "'%s' is not a file name for an output", name);
    if (len > RUNFOLDER_NAME_MAX)
        return ops_error_set(err, OPS_ERR_OUTPUT, rf->dir, 0, NULL,
                             "output name '%.60s...' is %zu bytes; at most %d fit in one file name with its .tmp",
                             name, len, RUNFOLDER_NAME_MAX);
    bool known = false;
    for (size_t i = 0; i < rf->n_pending && !known; i++)
        known = !strcmp(rf->pending[i], name);
    if (!known && rf->n_pending == RUNFOLDER_MAX_OUTPUTS)
        return ops_error_set(err, OPS_ERR_OUTPUT, rf->dir, 0, NULL, "more than %d outputs in one run folder ('%s')",
                             RUNFOLDER_MAX_OUTPUTS, name);
    int n = snprintf(buf, size, "%s/.%s.tmp", rf->dir, name);
    if (n < 0 || (size_t)n >= size) {
        if (size)
            buf[0] = '\0';
        return ops_error_set(err, OPS_ERR_OUTPUT, rf->dir, 0, NULL, "the temp path of output '%s' is too long", name);
    }
    if (!known)
        memcpy(rf->pending[rf->n_pending++], name, len + 1);
    return OPS_OK;
}

ops_status_t file_digest(const char *path, char sha256[65], uint64_t *bytes, ops_error_t *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot read: %s", strerror(errno));
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    unsigned char buf[65536];
    size_t n;
    *bytes = 0;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
        g_checksum_update(sum, buf, n);
        *bytes += n;
    }
    bool bad = ferror(fp);
    fclose(fp);
    snprintf(sha256, 65, "%s", g_checksum_get_string(sum));
    g_checksum_free(sum);
    if (bad)
        return ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "read error");
    return OPS_OK;
}

static ops_status_t fsync_path(const char *path, ops_error_t *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot open: %s", strerror(errno));
    int rc = fsync(fd);
    close(fd);
    if (rc != 0)
        return ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "fsync failed: %s", strerror(errno));
    return OPS_OK;
}

ops_status_t runfolder_commit(runfolder_t *rf, ops_error_t *err)
{
    char tmp[RUNFOLDER_PATH_SIZE], final[RUNFOLDER_PATH_SIZE];
    if (rf->n_outputs + rf->n_pending > RUNFOLDER_MAX_OUTPUTS)
        return ops_error_set(err, OPS_ERR_OUTPUT, rf->dir, 0, NULL, "more than %d outputs in one run folder",
                             RUNFOLDER_MAX_OUTPUTS);
    /* every output must be there and on disk before the first one is published */
    for (size_t i = 0; i < rf->n_pending; i++) {
        snprintf(tmp, sizeof tmp, "%s/.%s.tmp", rf->dir, rf->pending[i]);
        ops_status_t rc = fsync_path(tmp, err);
        if (rc != OPS_OK)
            return rc;
    }
    ops_fault_point("commit_fsynced");
    /* from the first rename to the manifest the folder mixes two runs: say so
     * on disk, so a kill in between leaves a folder `send` refuses */
    char mark[RUNFOLDER_PATH_SIZE];
    snprintf(mark, sizeof mark, "%s/" RUNFOLDER_PUBLISHING, rf->dir);
    int mfd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (mfd < 0 || fsync(mfd) != 0) {
        int e = errno;
        if (mfd >= 0)
            close(mfd);
        return ops_error_set(err, OPS_ERR_OUTPUT, mark, 0, NULL, "cannot create: %s", strerror(e));
    }
    close(mfd);
    for (size_t i = 0; i < rf->n_pending; i++) {
        snprintf(tmp, sizeof tmp, "%s/.%s.tmp", rf->dir, rf->pending[i]);
        snprintf(final, sizeof final, "%s/%s", rf->dir, rf->pending[i]);
        if (rename(tmp, final) != 0)
            return ops_error_set(err, OPS_ERR_OUTPUT, final, 0, NULL, "cannot rename into place: %s",
                                 strerror(errno));
        ops_fault_point("commit_renamed");
        output_info_t *o = &rf->outputs[rf->n_outputs++];
        memcpy(o->name, rf->pending[i], sizeof o->name);
        ops_status_t rc = file_digest(final, o->sha256, &o->bytes, err);
        if (rc != OPS_OK)
            return rc;
    }
    rf->n_pending = 0;
    int dfd = open(rf->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return OPS_OK;
}

void runfolder_published(runfolder_t *rf)
{
    char mark[RUNFOLDER_PATH_SIZE];
    snprintf(mark, sizeof mark, "%s/" RUNFOLDER_PUBLISHING, rf->dir);
    unlink(mark);
}

bool runfolder_is_publishing(const char *dir)
{
    char mark[RUNFOLDER_PATH_SIZE];
    snprintf(mark, sizeof mark, "%s/" RUNFOLDER_PUBLISHING, dir);
    return access(mark, F_OK) == 0;
}

void runfolder_abort(runfolder_t *rf)
{
    for (size_t i = 0; i < rf->n_pending; i++) {
        char tmp[RUNFOLDER_PATH_SIZE];
        snprintf(tmp, sizeof tmp, "%s/.%s.tmp", rf->dir, rf->pending[i]);
        unlink(tmp);
    }
    rf->n_pending = 0;
}

void runfolder_close(runfolder_t *rf)
{
    if (rf->lock_fd >= 0)
        close(rf->lock_fd);
    rf->lock_fd = -1;
}

ops_status_t file_write_atomic(const char *path, const void *data, size_t len, ops_error_t *err)
{
    /* a hidden temp name, like the outputs': a kill leaves no name that looks final */
    char tmp[1200];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    int n = snprintf(tmp, sizeof tmp, "%.*s.%s.tmp", (int)(base - path), path, base);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "path too long for its temp file");
    FILE *fp = fopen(tmp, "wb");
    if (!fp)
        return ops_error_set(err, OPS_ERR_OUTPUT, tmp, 0, NULL, "cannot create: %s", strerror(errno));
    bool ok = fwrite(data, 1, len, fp) == len && fflush(fp) == 0 && fsync(fileno(fp)) == 0;
    ok = (fclose(fp) == 0) && ok;
    ops_fault_point("atomic_written");
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot write: %s", strerror(errno));
    }
    ops_fault_point("atomic_renamed");
    return OPS_OK;
}
