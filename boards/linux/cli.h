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
#include "ccat/ccat_tokens.h"

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
    CCAT_CLI_CMD_LIST,       /**< list-access-tokens. */
    CCAT_CLI_CMD_DELETE,     /**< delete-access-token. */
    CCAT_CLI_CMD_VERIFY,     /**< verify-session. */
    CCAT_CLI_CMD_ROTATE,     /**< rotate-access-token (rotate_cmd.h). */
    CCAT_CLI_CMD_HELP,       /**< --help or help: usage on stdout. */
    CCAT_CLI_CMD_VERSION     /**< --version. */
} ccat_cli_command_t;

/**
 * @brief One service command of the dispatch table (args.c): its name on
 * the command line, the operation it calls (for error messages), and which
 * command options it takes. main.c has the matching table of handlers.
 * To add a command: a CCAT_CLI_CMD_* value (before HELP), a row here, its
 * options in args.c's option table, and a handler row in main.c.
 */
typedef struct ccat_cli_command_def {
    const char *name;        /**< e.g. "create-access-token". */
    const char *operation;   /**< e.g. "CreateAccessToken". */
    ccat_cli_command_t id;   /**< Its command value. */
    const char *required;    /**< Option it cannot do without (e.g. "--name"), or NULL. */
} ccat_cli_command_def_t;

/** @brief The service commands, in the order `help` lists them. */
extern const ccat_cli_command_def_t ccat_cli_commands[];
/** @brief Number of rows of ccat_cli_commands. */
extern const size_t ccat_cli_command_count;

/** @brief The table row of a command, or NULL (help, version, none). */
const ccat_cli_command_def_t *ccat_cli_command_find(ccat_cli_command_t id);

/** @brief "Not given" for the numeric list options. */
#define CCAT_CLI_UNSET 0u

/** @brief The parsed command line; strings point into argv or the environment. */
typedef struct ccat_cli_args {
    ccat_cli_command_t command;  /**< What to do. */
    const char *name;            /**< --name, or NULL. */
    const char *expires_time;    /**< --expires-time text, or NULL. */
    const char *id;              /**< delete-access-token --id, or NULL. */
    const char *next_token;      /**< list --next-token (one page only), or NULL. */
    const char *starting_token;  /**< list --starting-token, or NULL. */
    uint32_t max_results;        /**< list --max-results 1..10 (one page only), or CCAT_CLI_UNSET. */
    uint32_t page_size;          /**< list --page-size 1..10, or CCAT_CLI_UNSET. */
    uint32_t max_items;          /**< list --max-items >= 1, or CCAT_CLI_UNSET. */
    uint8_t no_paginate;         /**< list --no-paginate. */
    const char *rotate[5];       /**< rotate-access-token --state-file, --name-prefix, --lifetime-days,
                                      --renew-before-days, --access-token-id (rotate_cmd.h), or NULL. */
    const char *endpoint_url;    /**< --endpoint-url (or from the environment after resolve). */
    const char *ca_bundle;       /**< --ca-bundle (or $AWS_CA_BUNDLE after resolve). */
    const char *token_file;      /**< --token-file, or NULL. */
    uint32_t connect_timeout_ms; /**< --cli-connect-timeout in ms (0: not given). */
    uint32_t read_timeout_ms;    /**< --cli-read-timeout in ms (0: not given). */
    uint8_t max_attempts;        /**< --max-attempts (0: not given). */
    uint8_t debug;               /**< --debug. */
    char error[256];             /**< Why parsing failed (never holds an option's value text). */
} ccat_cli_args_t;

/** @brief Reads an environment variable (getenv, or a test double). */
typedef const char *(*ccat_cli_getenv_fn)(const char *name);

/**
 * @brief Parse argv (global options before or after the command,
 * `--opt value` and `--opt=value`). A later option overrides an earlier one.
 * @return 0, CCAT_CLI_EXIT_USAGE with a message in @c args->error, or (as the
 *         AWS CLI, for --no-paginate mixed with paging options)
 *         CCAT_CLI_EXIT_FAILURE with the message.
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
 * `An error occurred (CODE) when calling the OPERATION operation: MESSAGE`.
 *
 * As botocore: CODE is the HTTP status when the service sent none; a 5xx
 * whose body is empty or an HTML page is a "generic" error (CODE the status,
 * MESSAGE its standard reason phrase); ` (reached max retries: N)` follows
 * the operation name when every allowed attempt was used.
 * @param operation The operation's name, e.g. "CreateAccessToken".
 * @param resp    The last response (for the generic-error rule).
 * @param retries Retries made when all attempts were used, else -1.
 */
void ccat_cli_service_error_print(FILE *f, const char *operation, const ccat_error_t *e,
                                  const ccat_http_response_t *resp, int retries);

/** @name list-access-tokens output and paging (output.c, paging.c) */
/**@{*/

/** @brief Largest service `nextToken` kept (the model allows 10,000 characters). */
#define CCAT_CLI_NEXT_TOKEN_MAX 10000

/** @brief Room for a --starting-token / NextToken the CLI reads or writes:
 * base64 of the JSON of a token of CCAT_CLI_NEXT_TOKEN_MAX bytes, where one
 * byte takes at most 6 (a control character as \\u00XX; a 4-byte UTF-8
 * sequence becomes 12, a surrogate pair), plus the members around it. */
#define CCAT_CLI_PAGING_TOKEN_MAX (4 * ((6 * CCAT_CLI_NEXT_TOKEN_MAX + 80) / 3 + 1))

/**
 * @brief A --starting-token, read as botocore's paginator reads it: base64 of
 * a JSON object `{"nextToken": STRING-or-null, "boto_truncate_amount": N}`
 * (the second member optional), which is what ccat_cli_paging_token_encode()
 * and the AWS CLI print as NextToken; anything else is taken as botocore's
 * "old style" token: `TOKEN___N` (N the items to skip) or a bare service token.
 * @param[out] next   Receives the service token ("" for null); @p cap bytes.
 * @param[out] skip   Items of the first page to skip.
 * @return 0, or -1 (an unusable token: too long, or a JSON object of another form).
 */
int ccat_cli_paging_token_decode(const char *text, char *next, size_t cap, uint32_t *skip);

/**
 * @brief botocore's resume token (the AWS CLI's NextToken): base64 of
 * Python's json.dumps({"nextToken": NEXT-or-null[, "boto_truncate_amount": SKIP]}).
 * @param next  The service token of the page to resume from; NULL or "" for null.
 * @param skip  Items of that page already printed; < 0 leaves the member out.
 * @return Length written (NUL-terminated), or 0 if @p cap is too small.
 */
size_t ccat_cli_paging_token_encode(const char *next, long skip, char *out, size_t cap);

/** @brief Start the list output: `{` and `"items": [`. */
void ccat_cli_list_begin(FILE *f);

/** @brief One item, as the AWS CLI prints it (id, name, expiresTime if any). */
void ccat_cli_list_item(FILE *f, const ccat_access_token_summary_t *it, unsigned index);

/**
 * @brief End the list: `]`, then `"KEY": "TOKEN"` when @p token is non-empty
 * (KEY "nextToken" for one page, "NextToken" for the paginator's resume token).
 * @param items Items printed (0 gives the `[]` of an empty list).
 */
void ccat_cli_list_end(FILE *f, unsigned items, const char *key, const char *token);

/** @brief verify-session's output: `{"identity": ...}` as the AWS CLI prints
 * it; nothing at all without an identity (the AWS CLI prints no empty output). */
void ccat_cli_identity_print(FILE *f, const char *identity);

/** @brief Print @p s as a JSON string literal on @p f, escaped as Python's
 * json module writes it (the AWS CLI's output). */
void ccat_cli_json_string_print(FILE *f, const char *s);
/**@}*/

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
