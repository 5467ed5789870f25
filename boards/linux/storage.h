/**
 * @file storage.h
 * @brief Rotation storage (ccat_rotate.h) in one file, for Linux and any POSIX
 * system: the contract's atomic commit by write-temp, fsync, rename, fsync
 * of the directory.
 *
 * write() writes the record to `PATH.tmp` (mode 0600: it holds secrets) and
 * fsyncs it; commit() renames it over `PATH`, which POSIX makes atomic, and
 * fsyncs the directory so that the rename itself survives a power loss.
 * read() returns `PATH` whole. A reset at any moment leaves `PATH` either
 * the old or the new record; a leftover `PATH.tmp` is removed and created
 * afresh (never reused: its mode or a symlink there could expose secrets).
 *
 * Rotation must never run twice at once on the same state (two runs would
 * each commit over the other's record): ccat_file_storage_lock() takes an
 * exclusive lock on `PATH.lock` for the whole run.
 *
 * To port to another board, keep the contract, not the code: on raw flash,
 * two slots and ccat_rotate_record_check() (see docs/ROTATION.md).
 */
#ifndef CCAT_LINUX_STORAGE_H
#define CCAT_LINUX_STORAGE_H

#include <stdint.h>

#include "ccat/ccat_rotate.h"

/** @brief Longest state file path accepted (bytes, without the NUL). */
#define CCAT_FILE_STORAGE_PATH_MAX 1000

/** @brief State of one file storage. */
typedef struct ccat_file_storage {
    char path[CCAT_FILE_STORAGE_PATH_MAX + 1];    /**< The state file. */
    char tmp[CCAT_FILE_STORAGE_PATH_MAX + 5];     /**< The staging file, PATH.tmp. */
    char dir[CCAT_FILE_STORAGE_PATH_MAX + 1];     /**< Directory to fsync after rename. */
    char lock[CCAT_FILE_STORAGE_PATH_MAX + 6];    /**< The lock file, PATH.lock. */
    int lock_fd;                                  /**< Open lock file, or -1. */
    uint8_t staged;                               /**< A write() awaits its commit(). */
} ccat_file_storage_t;

/**
 * @brief Bind @p fs to the state file @p path and fill @p out with the
 * storage functions. Nothing is opened yet.
 * @return 0, or -1 when @p path is empty or longer than CCAT_FILE_STORAGE_PATH_MAX.
 */
int ccat_file_storage_init(ccat_file_storage_t *fs, const char *path, ccat_rotate_storage_t *out);

/**
 * @brief Take the exclusive, non-blocking lock of the state (POSIX record
 * lock on `PATH.lock`, released when the process ends, even by a crash).
 * @return 0 locked, 1 another process holds it, -1 the lock file cannot be used.
 */
int ccat_file_storage_lock(ccat_file_storage_t *fs);

/** @brief Release the lock of ccat_file_storage_lock() (nothing if not held). */
void ccat_file_storage_unlock(ccat_file_storage_t *fs);

/**
 * @brief Write @p len bytes to the staging file without committing: a test
 * hook for a write torn by a power cut (same as the storage's write()).
 */
int32_t ccat_file_storage_write(void *ctx, const uint8_t *data, size_t len);

#endif /* CCAT_LINUX_STORAGE_H */
