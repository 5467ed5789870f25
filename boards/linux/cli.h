/**
 * @file cli.h
 * @brief Internal pieces of the `ccat` command line tool (Linux board).
 *
 * Split so that everything but the network wiring can be unit tested:
 * argument parsing (args.c), the token file (token.c) and the JSON / error
 * output (output.c). main.c only wires the library to the POSIX and mbedTLS
 * ports. The tool follows the AWS CLI v2: same options, output and exit codes.
 */
#ifndef CCAT_CLI_H
#define CCAT_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ccat/ccat.h"

/** @name Exit codes (those of the AWS CLI v2) */
/**@{*/
#define CCAT_CLI_EXIT_OK 0         /**< Success. */
#define CCAT_CLI_EXIT_USAGE 252    /**< Bad command line or parameter; nothing sent. */
#define CCAT_CLI_EXIT_NO_TOKEN 253 /**< No bearer token configured; nothing sent. */
#define CCAT_CLI_EXIT_SERVICE 254  /**< The service answered with an error. */
#define CCAT_CLI_EXIT_FAILURE 255  /**< Anything else (network, TLS, bad response). */
/**@}*/

/** @brief Timeout used for "0 = no timeout" (about 23 days: fits poll()'s int). */
#define CCAT_CLI_TIMEOUT_NONE_MS 2000000000u

/** @brief Request and response buffer given to the client (bytes). */
#define CCAT_CLI_BUFFER_SIZE 16384

/** @brief Largest token file accepted, in bytes (without the final newline). */
#define CCAT_CLI_TOKEN_MAX 8192

/** @brief Size of the buffer ccat_cli_token_file_read() needs: the longest
 * token, "\r\n", one byte to detect an over-long file, and the NUL. */
#define CCAT_CLI_TOKEN_BUF (CCAT_CLI_TOKEN_MAX + 4)

/** @brief Environment variable holding the bearer token (botocore's name). */
#define CCAT_CLI_ENV_TOKEN "AWS_BEARER_TOKEN_CODECATALYST"

/** @brief What the command line asks for. */
typedef enum ccat_cli_command {
    CCAT_CLI_CMD_NONE = 0,   /**< No command given (a usage error). */
    CCAT_CLI_CMD_CREATE,     /**< create-access-token. */
    CCAT_CLI_CMD_HELP,       /**< --help or help: usage on stdout. */
    CCAT_CLI_CMD_VERSION     /**< --version. */
} ccat_cli_command_t;

/** @brief The parsed command line; strings point into argv or the environment. */
typedef struct ccat_cli_args {
    ccat_cli_command_t command;  /**< What to do. */
    const char *name;            /**< --name, or NULL. */
    const char *expires_time;    /**< --expires-time text, or NULL. */
    const char *endpoint_url;    /**< --endpoint-url (or from the environment after resolve). */
    const char *ca_bundle;       /**< --ca-bundle (or $AWS_CA_BUNDLE after resolve). */
    const char *token_file;      /**< --token-file, or NULL. */
    uint32_t connect_timeout_ms; /**< --cli-connect-timeout in ms (0: not given). */
    uint32_t read_timeout_ms;    /**< --cli-read-timeout in ms (0: not given). */
    uint8_t max_attempts;        /**< --max-attempts (0: not given). */
    uint8_t debug;               /**< --debug. */
    char error[160];             /**< Why parsing failed (never holds an option's value text). */
} ccat_cli_args_t;

/** @brief Reads an environment variable (getenv, or a test double). */
typedef const char *(*ccat_cli_getenv_fn)(const char *name);

/**
 * @brief Parse argv (global options before or after the command,
 * `--opt value` and `--opt=value`). A later option overrides an earlier one.
 * @return 0, or CCAT_CLI_EXIT_USAGE with a message in @c args->error.
 */
int ccat_cli_args_parse(int argc, char *const argv[], ccat_cli_args_t *args);

/**
 * @brief Fill what the command line left unset from the environment:
 * endpoint ($AWS_ENDPOINT_URL_CODECATALYST, then $AWS_ENDPOINT_URL, then the
 * default), $AWS_CA_BUNDLE, $AWS_MAX_ATTEMPTS (else 3) and the default timeouts.
 * Empty variables count as unset.
 * @return 0, or CCAT_CLI_EXIT_USAGE (bad $AWS_MAX_ATTEMPTS) with @c args->error set.
 */
int ccat_cli_args_resolve(ccat_cli_args_t *args, ccat_cli_getenv_fn get);

/**
 * @brief Turn --name / --expires-time into checked request parameters.
 * Accepts RFC 3339 or, like the AWS CLI, whole seconds since the epoch.
 * @return 0, or CCAT_CLI_EXIT_USAGE with @c args->error set.
 */
int ccat_cli_params_build(ccat_cli_args_t *args, ccat_create_params_t *params);

/** @brief Full help text, printed on stdout by --help and `help`. */
extern const char ccat_cli_usage[];

/** @brief One-line synopsis, printed on stderr before a usage error. */
extern const char ccat_cli_usage_line[];

/**
 * @brief Read a bearer token file into @p buf: at most CCAT_CLI_TOKEN_MAX
 * bytes, one trailing "\n" or "\r\n" removed, NUL-terminated. Uses read(2)
 * only, so no stdio buffer ever holds the token. @p buf is wiped on failure.
 * @param cap Size of @p buf; at least CCAT_CLI_TOKEN_BUF.
 * @param[out] why On failure: a short reason (no token content).
 * @return 0, or CCAT_CLI_EXIT_USAGE (unreadable, too long, holds NUL).
 */
int ccat_cli_token_file_read(const char *path, char *buf, size_t cap, const char **why);

/**
 * @brief Print the token as the AWS CLI does (4-space indented JSON with
 * secret, name, expiresTime, accessTokenId) on file descriptor @p fd.
 * Every buffer that held the secret is wiped before returning.
 * @return 0, or -1 if writing failed.
 */
int ccat_cli_token_print(int fd, const ccat_access_token_t *tok);

/**
 * @brief Print text that came from the network with every control character
 * replaced by '?', so a response cannot forge lines or drive the terminal.
 * @param s May be NULL (prints nothing).
 */
void ccat_cli_put_clean(FILE *f, const char *s);

/**
 * @brief Print the AWS CLI's line for a service error:
 * `An error occurred (CODE) when calling the CreateAccessToken operation: MESSAGE`.
 *
 * As botocore: CODE is the HTTP status when the service sent none; a 5xx
 * whose body is empty or an HTML page is a "generic" error (CODE the status,
 * MESSAGE its standard reason phrase); ` (reached max retries: N)` follows
 * the operation name when every allowed attempt was used.
 * @param resp    The last response (for the generic-error rule).
 * @param retries Retries made when all attempts were used, else -1.
 */
void ccat_cli_service_error_print(FILE *f, const ccat_error_t *e,
                                  const ccat_http_response_t *resp, int retries);

/**
 * @brief Exit code for a status returned by the library.
 * @return One of the CCAT_CLI_EXIT_* values (0 for CCAT_OK).
 */
int ccat_cli_exit_code(ccat_status_t status);

/**
 * @brief Human phrase for a failure, e.g. "Read timeout on endpoint URL".
 * @return A static string, never NULL.
 */
const char *ccat_cli_failure_phrase(ccat_status_t status);

#endif /* CCAT_CLI_H */
