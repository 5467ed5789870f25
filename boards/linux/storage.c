/* Rotation storage in a file: write-temp, fsync, rename, fsync dir (storage.h). */
#define _POSIX_C_SOURCE 200809L

#include "storage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Reads up to cap + 1 bytes, so that a longer file is noticed. */
static int32_t file_read(void *ctx, uint8_t *buf, size_t cap)
{
    ccat_file_storage_t *fs = (ccat_file_storage_t *)ctx;
    int fd = open(fs->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? 0 : CCAT_STORAGE_ERR_IO;
    }
    size_t got = 0;
    uint8_t extra;
    for (;;) {
        uint8_t *dst = got < cap ? buf + got : &extra;
        ssize_t r = read(fd, dst, got < cap ? cap - got : 1);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            close(fd);
            return r < 0 ? CCAT_STORAGE_ERR_IO : (int32_t)got;
        }
        if (got >= cap || got + (size_t)r > (size_t)INT32_MAX) {
            close(fd);
            return CCAT_STORAGE_ERR_TOO_LARGE;
        }
        got += (size_t)r;
    }
}

int32_t ccat_file_storage_write(void *ctx, const uint8_t *data, size_t len)
{
    ccat_file_storage_t *fs = (ccat_file_storage_t *)ctx;
    fs->staged = 0;
    /* A fresh file every time: O_CREAT on an existing PATH.tmp would keep its
     * mode (perhaps readable by others) and follow a symlink planted there. */
    if (unlink(fs->tmp) != 0 && errno != ENOENT) {
        return CCAT_STORAGE_ERR_IO;
    }
    int fd = open(fs->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        return CCAT_STORAGE_ERR_IO;
    }
    while (len > 0) {
        ssize_t r = write(fd, data, len);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            close(fd);
            return CCAT_STORAGE_ERR_IO;
        }
        data += r;
        len -= (size_t)r;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        return CCAT_STORAGE_ERR_IO;
    }
    fs->staged = 1;
    return 0;
}

static int32_t file_commit(void *ctx)
{
    ccat_file_storage_t *fs = (ccat_file_storage_t *)ctx;
    if (!fs->staged) {
        return CCAT_STORAGE_ERR_IO;
    }
    fs->staged = 0;
    if (rename(fs->tmp, fs->path) != 0) {
        return CCAT_STORAGE_ERR_IO;
    }
    /* The rename lives in the directory: without this fsync a power loss
     * could bring the old file back after commit() reported success. */
    int fd = open(fs->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return CCAT_STORAGE_ERR_IO;
    }
    int bad = fsync(fd) != 0;
    close(fd);
    return bad ? CCAT_STORAGE_ERR_IO : 0;
}

int ccat_file_storage_lock(ccat_file_storage_t *fs)
{
    if (fs->lock_fd < 0) {
        fs->lock_fd = open(fs->lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fs->lock_fd < 0) {
            return -1;
        }
    }
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fs->lock_fd, F_SETLK, &fl) == 0) {
        return 0;
    }
    int busy = errno == EACCES || errno == EAGAIN;
    ccat_file_storage_unlock(fs);
    return busy ? 1 : -1;
}

void ccat_file_storage_unlock(ccat_file_storage_t *fs)
{
    if (fs->lock_fd >= 0) {
        close(fs->lock_fd); /* closing releases the record lock */
        fs->lock_fd = -1;
    }
}

int ccat_file_storage_init(ccat_file_storage_t *fs, const char *path, ccat_rotate_storage_t *out)
{
    size_t n = path == NULL ? 0 : strlen(path);
    if (n == 0 || n > CCAT_FILE_STORAGE_PATH_MAX) {
        return -1;
    }
    memset(fs, 0, sizeof(*fs));
    memcpy(fs->path, path, n + 1);
    memcpy(fs->tmp, path, n);
    memcpy(fs->tmp + n, ".tmp", 5);
    memcpy(fs->lock, path, n);
    memcpy(fs->lock + n, ".lock", 6);
    fs->lock_fd = -1;
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        memcpy(fs->dir, ".", 2);
    } else if (slash == path) {
        memcpy(fs->dir, "/", 2);
    } else {
        memcpy(fs->dir, path, (size_t)(slash - path));
    }
    out->read = file_read;
    out->write = ccat_file_storage_write;
    out->commit = file_commit;
    out->ctx = fs;
    return 0;
}
