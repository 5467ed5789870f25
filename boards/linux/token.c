/**
 * @file token.c
 * @brief Reading the bearer token from --token-file.
 *
 * Only open(2)/read(2) into the caller's buffer: stdio would keep a copy of
 * the token in a heap buffer nobody wipes.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/**
 * @brief Read the whole file into buf[0..cap-1) (one byte kept for the NUL).
 * @return Bytes read, or -1 on a read error.
 */
static long token_read_all(int fd, char *buf, size_t cap)
{
    size_t used = 0;
    while (used < cap - 1) {
        ssize_t n = read(fd, buf + used, cap - 1 - used);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        used += (size_t)n;
    }
    return (long)used;
}

/** @brief Remove one trailing "\n" or "\r\n"; returns the new length. */
static size_t token_strip_newline(char *buf, size_t len)
{
    if (len > 0 && buf[len - 1] == '\n') {
        buf[--len] = '\0';
        if (len > 0 && buf[len - 1] == '\r')
            buf[--len] = '\0';
    }
    return len;
}

/** @brief Fail: wipe what was read and say why. */
static int token_fail(char *buf, size_t cap, const char **why, const char *reason)
{
    ccat_wipe(buf, cap);
    *why = reason;
    return CCAT_CLI_EXIT_USAGE;
}

int ccat_cli_token_file_read(const char *path, char *buf, size_t cap, const char **why)
{
    long got;
    size_t len;
    int fd;

    if (cap < CCAT_CLI_TOKEN_BUF)
        return token_fail(buf, cap, why, "internal error: token buffer too small");
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return token_fail(buf, cap, why, "cannot open the file");
    got = token_read_all(fd, buf, CCAT_CLI_TOKEN_BUF);
    (void)close(fd);
    if (got < 0)
        return token_fail(buf, cap, why, "cannot read the file");
    len = token_strip_newline(buf, (size_t)got);
    if (len > CCAT_CLI_TOKEN_MAX)
        return token_fail(buf, cap, why, "the token is longer than 8192 bytes");
    buf[len] = '\0';
    if (memchr(buf, '\0', len) != NULL)
        return token_fail(buf, cap, why, "the token contains a NUL byte");
    return 0;
}
