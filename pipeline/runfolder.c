/*
 * runfolder.c - run folder lifecycle. flock(2) guards against two scheduled
 * runs of the same period overlapping; temp-then-rename keeps outputs whole.
 */
#include "opsreport/runfolder.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

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

void runfolder_temp_path(runfolder_t *rf, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/.%s.tmp", rf->dir, name);
    for (size_t i = 0; i < rf->n_pending; i++)
        if (!strcmp(rf->pending[i], name))
            return;
    if (rf->n_pending < RUNFOLDER_MAX_OUTPUTS)
        snprintf(rf->pending[rf->n_pending++], sizeof rf->pending[0], "%s", name);
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
    for (size_t i = 0; i < rf->n_pending; i++) {
        char tmp[1200], final[1200];
        snprintf(tmp, sizeof tmp, "%s/.%s.tmp", rf->dir, rf->pending[i]);
        snprintf(final, sizeof final, "%s/%s", rf->dir, rf->pending[i]);
        ops_status_t rc = fsync_path(tmp, err);
        if (rc != OPS_OK)
            return rc;
        if (rename(tmp, final) != 0)
            return ops_error_set(err, OPS_ERR_OUTPUT, final, 0, NULL, "cannot rename into place: %s",
                                 strerror(errno));
        if (rf->n_outputs < RUNFOLDER_MAX_OUTPUTS) {
            output_info_t *o = &rf->outputs[rf->n_outputs++];
            snprintf(o->name, sizeof o->name, "%s", rf->pending[i]);
            rc = file_digest(final, o->sha256, &o->bytes, err);
            if (rc != OPS_OK)
                return rc;
        }
    }
    rf->n_pending = 0;
    int dfd = open(rf->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return OPS_OK;
}

void runfolder_abort(runfolder_t *rf)
{
    for (size_t i = 0; i < rf->n_pending; i++) {
        char tmp[1200];
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
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *fp = fopen(tmp, "wb");
    if (!fp)
        return ops_error_set(err, OPS_ERR_OUTPUT, tmp, 0, NULL, "cannot create: %s", strerror(errno));
    bool ok = fwrite(data, 1, len, fp) == len && fflush(fp) == 0 && fsync(fileno(fp)) == 0;
    ok = (fclose(fp) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return ops_error_set(err, OPS_ERR_OUTPUT, path, 0, NULL, "cannot write: %s", strerror(errno));
    }
    return OPS_OK;
}
