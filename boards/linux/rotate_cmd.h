/**
 * @file rotate_cmd.h
 * @brief `ccat rotate-access-token`: crash-safe rotation of the token kept in
 * a state file (ccat_rotate.h over boards/linux/storage.h).
 *
 * The state file holds the current token (and, mid-rotation, the next one);
 * it is created by provisioning: `--access-token-id ID` with the bearer token
 * of that id ($AWS_BEARER_TOKEN_CODECATALYST or --token-file) when the file
 * does not exist yet. Every later run rotates (or, with
 * --renew-before-days, only when the token expires within that many days),
 * finishing any rotation a crash interrupted. Nothing printed ever holds a
 * secret: the output is the new token's name, id and expiry.
 */
#ifndef CCAT_CLI_ROTATE_CMD_H
#define CCAT_CLI_ROTATE_CMD_H

#include <stdio.h>

#include "ccat/ccat_rotate.h"

/** @brief Options of rotate-access-token, as given on the command line. */
typedef struct ccat_cli_rotate_opts {
    const char *state_file;        /**< --state-file FILE (required). */
    const char *name_prefix;       /**< --name-prefix P (required; unique to the device). */
    const char *lifetime_days;     /**< --lifetime-days N (1..3650), NULL: the service's default. */
    const char *renew_before_days; /**< --renew-before-days N (0..3650), NULL: rotate now. */
    const char *access_token_id;   /**< --access-token-id ID: provision when the state file is missing. */
    const char *token;             /**< The bearer token to provision (NULL without --access-token-id). */
} ccat_cli_rotate_opts_t;

/**
 * @brief Check the options without doing anything.
 * @param[out] why On failure: a message naming the option (never its value).
 * @return 0, or CCAT_CLI_EXIT_USAGE (252).
 */
int ccat_cli_rotate_check(const ccat_cli_rotate_opts_t *o, const char **why);

/**
 * @brief Provision if asked and needed, rotate, print the result as JSON on
 * @p out, or an error line on @p err. The client's bearer token is not used
 * (the state file holds it) and is cleared on return.
 * @return An exit code: 0; 252 bad option; 253 no state file and nothing to
 *         provision; 254 the service refused (also a refused new token,
 *         rolled back); 255 anything else (storage, network).
 */
int ccat_cli_rotate(ccat_client_t *client, const ccat_cli_rotate_opts_t *o, FILE *out, FILE *err);

#endif /* CCAT_CLI_ROTATE_CMD_H */
