/**
 * @file args.c
 * @brief Command line and environment of `ccat`, parsed like the AWS CLI v2.
 *
 * Pure functions (argv and an environment getter in, a struct out) so the
 * whole grammar is unit tested without a process or a network. Error
 * messages name the option but never repeat its value: a value may be a
 * secret pasted in the wrong place.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

/** @brief Options; the order is the lookup order. */
typedef enum cli_opt_id {
    OPT_NAME,
    OPT_EXPIRES_TIME,
    OPT_ID,
    OPT_MAX_RESULTS,
    OPT_NEXT_TOKEN,
    OPT_STARTING_TOKEN,
    OPT_PAGE_SIZE,
    OPT_MAX_ITEMS,
    OPT_NO_PAGINATE,
    OPT_STATE_FILE, /* the five rotate-access-token options, in ccat_cli_args_t.rotate order */
    OPT_NAME_PREFIX,
    OPT_LIFETIME_DAYS,
    OPT_RENEW_BEFORE_DAYS,
    OPT_ACCESS_TOKEN_ID,
    OPT_ENDPOINT_URL,
    OPT_CA_BUNDLE,
    OPT_TOKEN_FILE,
    OPT_CONNECT_TIMEOUT,
    OPT_READ_TIMEOUT,
    OPT_MAX_ATTEMPTS,
    OPT_DEBUG,
    OPT_VERSION,
    OPT_HELP
} cli_opt_id_t;

/** @brief One option of the table. */
typedef struct cli_opt {
    const char *name;      /**< Spelling, with the leading "--". */
    uint8_t id;            /**< ::cli_opt_id_t. */
    uint8_t takes_value;   /**< 1: `--opt value` / `--opt=value`; 0: a flag. */
    uint8_t command;       /**< The ::ccat_cli_command_t it belongs to (only valid after it); 0: global. */
} cli_opt_t;

static const cli_opt_t cli_opts[] = {
    {"--name", OPT_NAME, 1, CCAT_CLI_CMD_CREATE},
    {"--expires-time", OPT_EXPIRES_TIME, 1, CCAT_CLI_CMD_CREATE},
    {"--id", OPT_ID, 1, CCAT_CLI_CMD_DELETE},
    {"--max-results", OPT_MAX_RESULTS, 1, CCAT_CLI_CMD_LIST},
    {"--next-token", OPT_NEXT_TOKEN, 1, CCAT_CLI_CMD_LIST},
    {"--starting-token", OPT_STARTING_TOKEN, 1, CCAT_CLI_CMD_LIST},
    {"--page-size", OPT_PAGE_SIZE, 1, CCAT_CLI_CMD_LIST},
    {"--max-items", OPT_MAX_ITEMS, 1, CCAT_CLI_CMD_LIST},
    {"--no-paginate", OPT_NO_PAGINATE, 0, CCAT_CLI_CMD_LIST},
    {"--state-file", OPT_STATE_FILE, 1, CCAT_CLI_CMD_ROTATE},
    {"--name-prefix", OPT_NAME_PREFIX, 1, CCAT_CLI_CMD_ROTATE},
    {"--lifetime-days", OPT_LIFETIME_DAYS, 1, CCAT_CLI_CMD_ROTATE},
    {"--renew-before-days", OPT_RENEW_BEFORE_DAYS, 1, CCAT_CLI_CMD_ROTATE},
    {"--access-token-id", OPT_ACCESS_TOKEN_ID, 1, CCAT_CLI_CMD_ROTATE},
    {"--endpoint-url", OPT_ENDPOINT_URL, 1, 0},
    {"--ca-bundle", OPT_CA_BUNDLE, 1, 0},
    {"--token-file", OPT_TOKEN_FILE, 1, 0},
    {"--cli-connect-timeout", OPT_CONNECT_TIMEOUT, 1, 0},
    {"--cli-read-timeout", OPT_READ_TIMEOUT, 1, 0},
    {"--max-attempts", OPT_MAX_ATTEMPTS, 1, 0},
    {"--debug", OPT_DEBUG, 0, 0},
    {"--version", OPT_VERSION, 0, 0},
    {"--help", OPT_HELP, 0, 0},
};

const ccat_cli_command_def_t ccat_cli_commands[] = {
    {"create-access-token", "CreateAccessToken", CCAT_CLI_CMD_CREATE, "--name"},
    {"list-access-tokens", "ListAccessTokens", CCAT_CLI_CMD_LIST, NULL},
    {"delete-access-token", "DeleteAccessToken", CCAT_CLI_CMD_DELETE, "--id"},
    {"verify-session", "VerifySession", CCAT_CLI_CMD_VERIFY, NULL},
    {"rotate-access-token", "RotateAccessToken", CCAT_CLI_CMD_ROTATE, NULL},
};
const size_t ccat_cli_command_count = sizeof ccat_cli_commands / sizeof ccat_cli_commands[0];

const ccat_cli_command_def_t *ccat_cli_command_find(ccat_cli_command_t id)
{
    for (size_t i = 0; i < ccat_cli_command_count; i++) {
        if (ccat_cli_commands[i].id == id)
            return &ccat_cli_commands[i];
    }
    return NULL;
}

/** @brief Largest --max-results / --page-size (the model's maxResults maximum). */
#define CLI_MAX_RESULTS 10

/** @brief Seconds above this are treated as "no timeout" (the cap in ms / 1000). */
#define CLI_TIMEOUT_MAX_S (CCAT_CLI_TIMEOUT_NONE_MS / 1000u)

/** @brief Largest epoch-seconds value accepted for --expires-time (9999-12-31T23:59:59Z). */
#define CLI_EPOCH_MAX_S 253402300799LL

#define CLI_SYNOPSIS                                                                         \
    "usage: ccat [options] create-access-token --name NAME [--expires-time TIME] [options]\n"   \
    "       ccat [options] list-access-tokens [--max-results N] [--starting-token T] [options]\n" \
    "       ccat [options] delete-access-token --id ID [options]\n"                              \
    "       ccat [options] verify-session [options]\n"                                          \
    "       ccat [options] rotate-access-token --state-file FILE --name-prefix PREFIX [options]\n"

const char ccat_cli_usage_line[] = CLI_SYNOPSIS "To see help text, you can run: ccat help\n";

const char ccat_cli_usage[] =
    CLI_SYNOPSIS
    "       ccat help | --help | --version\n"
    "\n"
    "Amazon CodeCatalyst personal access tokens, as `aws codecatalyst` does it.\n"
    "\n"
    "create-access-token: creates a token (CreateAccessToken) and prints it as\n"
    "JSON: secret, name, expiresTime, accessTokenId.\n"
    "  --name NAME                      friendly name of the token (1-100 characters)\n"
    "  --expires-time TIME              RFC 3339 (2030-12-31T23:59:59Z) or epoch seconds;\n"
    "                                   default: one year, chosen by the service\n"
    "list-access-tokens: lists the tokens (ListAccessTokens) as\n"
    "{\"items\": [{\"id\", \"name\", \"expiresTime\"}...]}, every page unless told otherwise.\n"
    "  --starting-token T               resume from a NextToken printed before\n"
    "  --max-items N                    stop after N items; prints a NextToken to resume\n"
    "  --page-size N                    items per call (1-10)\n"
    "  --max-results N, --next-token T  one call only (no paging), printing the\n"
    "  --no-paginate                    service's nextToken; not with the three above\n"
    "delete-access-token: deletes a token (DeleteAccessToken); prints nothing.\n"
    "  --id ID                          the token's id (1-36 characters)\n"
    "verify-session: checks the bearer token (VerifySession); prints {\"identity\"}.\n"
    "rotate-access-token: replaces the token kept in a state file with a new one,\n"
    "crash-safe (docs/ROTATION.md); prints its name, id and expiry, never the secret.\n"
    "  --state-file FILE                the device's token state (created mode 0600)\n"
    "  --name-prefix PREFIX             new tokens are PREFIX + number; unique per device:\n"
    "                                   other tokens so named are deleted as orphans\n"
    "  --lifetime-days N                lifetime of new tokens; default: the service's\n"
    "  --renew-before-days N            only rotate when the token expires within N days\n"
    "  --access-token-id ID             first run: store the bearer token (id ID) given\n"
    "                                   by $" CCAT_CLI_ENV_TOKEN " or --token-file\n"
    "\n"
    "Global options (before or after the command):\n"
    "  --endpoint-url URL               default: $AWS_ENDPOINT_URL_CODECATALYST, else\n"
    "                                   $AWS_ENDPOINT_URL, else " CCAT_ENDPOINT_DEFAULT "\n"
    "                                   (" CCAT_ENDPOINT_FIPS " if\n"
    "                                   $AWS_USE_FIPS_ENDPOINT is true)\n"
    "  --ca-bundle FILE                 PEM trust anchors; default: $AWS_CA_BUNDLE, else\n"
    "                                   the built-in AWS roots\n"
    "  --token-file FILE                bearer token file (one trailing newline removed);\n"
    "                                   default: $" CCAT_CLI_ENV_TOKEN "\n"
    "  --cli-connect-timeout SECONDS    default 60; 0 means no timeout\n"
    "  --cli-read-timeout SECONDS       default 60; 0 means no timeout\n"
    "  --max-attempts N                 1-255; default: $AWS_MAX_ATTEMPTS, else 3\n"
    "  --debug                          progress on stderr (never a token or a secret)\n"
    "  --version                        print the version and exit\n"
    "  --help                           print this help and exit\n"
    "\n"
    "Exit status: 0 success, 252 bad command line or parameter, 253 no token,\n"
    "254 the service returned an error, 255 any other failure (as the AWS CLI:\n"
    "also --no-paginate mixed with paging options, and a repeated nextToken).\n";

/** @brief Record a usage error; always returns CCAT_CLI_EXIT_USAGE. */
static int cli_fail(ccat_cli_args_t *a, const char *what, const char *detail)
{
    (void)snprintf(a->error, sizeof a->error, "%s%s", what, detail);
    return CCAT_CLI_EXIT_USAGE;
}

/** @brief Same, naming the option (at most 40 characters of its spelling). */
static int cli_fail_opt(ccat_cli_args_t *a, const char *opt, size_t opt_len, const char *detail)
{
    int n = opt_len > 40 ? 40 : (int)opt_len;
    (void)snprintf(a->error, sizeof a->error, "argument %.*s: %s", n, opt, detail);
    return CCAT_CLI_EXIT_USAGE;
}

/**
 * @brief Strict unsigned decimal: 1..18 digits, nothing else (no sign, no
 * space), so the value cannot overflow.
 * @return 0 and *out, or -1.
 */
static int cli_parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        if (i == 18)
            return -1;
        v = v * 10u + (uint64_t)(s[i] - '0');
    }
    if (i == 0 || s[i] != '\0')
        return -1;
    *out = v;
    return 0;
}

/** @brief Seconds as the AWS CLI takes them: 0 or huge means "no timeout". */
static int cli_parse_timeout(const char *s, uint32_t *ms)
{
    uint64_t v;
    if (cli_parse_u64(s, &v) != 0)
        return -1;
    *ms = (v == 0 || v > CLI_TIMEOUT_MAX_S) ? CCAT_CLI_TIMEOUT_NONE_MS : (uint32_t)v * 1000u;
    return 0;
}

/** @brief An attempt count: 1..255. */
static int cli_parse_attempts(const char *s, uint8_t *out)
{
    uint64_t v;
    if (cli_parse_u64(s, &v) != 0 || v < 1 || v > 255)
        return -1;
    *out = (uint8_t)v;
    return 0;
}

/** @brief Find an option by its spelling (up to '=' when present). */
static const cli_opt_t *cli_opt_find(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof cli_opts / sizeof cli_opts[0]; i++) {
        if (strlen(cli_opts[i].name) == len && memcmp(cli_opts[i].name, s, len) == 0)
            return &cli_opts[i];
    }
    return NULL;
}

/** @brief A count from 1 to @p max. */
static int cli_parse_count(const char *s, uint32_t max, uint32_t *out)
{
    uint64_t v;
    if (cli_parse_u64(s, &v) != 0 || v < 1 || v > max)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/** @brief Store the value of a list-access-tokens count option. */
static int cli_apply_count(ccat_cli_args_t *a, const cli_opt_t *o, const char *v)
{
    uint32_t max = o->id == OPT_MAX_ITEMS ? INT32_MAX : CLI_MAX_RESULTS;
    uint32_t *dst = o->id == OPT_MAX_ITEMS ? &a->max_items
                    : o->id == OPT_PAGE_SIZE ? &a->page_size : &a->max_results;
    if (cli_parse_count(v, max, dst) == 0)
        return 0;
    return cli_fail_opt(a, o->name, strlen(o->name),
                        o->id == OPT_MAX_ITEMS ? "expected a positive integer"
                                               : "expected an integer from 1 to 10");
}

/** @brief Store the value of a numeric option. */
static int cli_apply_number(ccat_cli_args_t *a, const cli_opt_t *o, const char *v)
{
    int bad;
    if (o->id == OPT_MAX_RESULTS || o->id == OPT_PAGE_SIZE || o->id == OPT_MAX_ITEMS)
        return cli_apply_count(a, o, v);
    if (o->id == OPT_MAX_ATTEMPTS)
        bad = cli_parse_attempts(v, &a->max_attempts);
    else if (o->id == OPT_CONNECT_TIMEOUT)
        bad = cli_parse_timeout(v, &a->connect_timeout_ms);
    else
        bad = cli_parse_timeout(v, &a->read_timeout_ms);
    if (bad == 0)
        return 0;
    return cli_fail_opt(a, o->name, strlen(o->name),
                        o->id == OPT_MAX_ATTEMPTS ? "expected an integer from 1 to 255"
                                                  : "expected a whole number of seconds");
}

/** @brief Store the value of an option that takes one. */
static int cli_apply_value(ccat_cli_args_t *a, const cli_opt_t *o, const char *v)
{
    if (v[0] == '\0')
        return cli_fail_opt(a, o->name, strlen(o->name), "expected one argument");
    switch (o->id) {
    case OPT_NAME: a->name = v; return 0;
    case OPT_EXPIRES_TIME: a->expires_time = v; return 0;
    case OPT_ID: a->id = v; return 0;
    case OPT_NEXT_TOKEN: a->next_token = v; return 0;
    case OPT_STARTING_TOKEN: a->starting_token = v; return 0;
    case OPT_ENDPOINT_URL: a->endpoint_url = v; return 0;
    case OPT_CA_BUNDLE: a->ca_bundle = v; return 0;
    case OPT_TOKEN_FILE: a->token_file = v; return 0;
    case OPT_STATE_FILE: case OPT_NAME_PREFIX: case OPT_LIFETIME_DAYS:
    case OPT_RENEW_BEFORE_DAYS: case OPT_ACCESS_TOKEN_ID:
        a->rotate[o->id - OPT_STATE_FILE] = v;
        return 0;
    default: return cli_apply_number(a, o, v);
    }
}

/** @brief Apply a flag. --help and --version end parsing (returned as -1). */
static int cli_apply_flag(ccat_cli_args_t *a, const cli_opt_t *o)
{
    if (o->id == OPT_DEBUG || o->id == OPT_NO_PAGINATE) {
        *(o->id == OPT_DEBUG ? &a->debug : &a->no_paginate) = 1;
        return 0;
    }
    a->command = o->id == OPT_HELP ? CCAT_CLI_CMD_HELP : CCAT_CLI_CMD_VERSION;
    return -1;
}

/**
 * @brief Parse argv[*i], an argument starting with "--"; may consume the
 * next one as its value.
 * @return 0, -1 (help/version: stop), or CCAT_CLI_EXIT_USAGE.
 */
static int cli_parse_option(int argc, char *const argv[], int *i, ccat_cli_args_t *a)
{
    const char *arg = argv[*i];
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const cli_opt_t *o = cli_opt_find(arg, len);

    if (o == NULL)
        return cli_fail_opt(a, arg, len, "unknown option");
    if (o->command != CCAT_CLI_CMD_NONE && a->command != o->command) {
        int n = len > 40 ? 40 : (int)len;
        (void)snprintf(a->error, sizeof a->error, "argument %.*s: only valid after %s", n, arg,
                       ccat_cli_command_find((ccat_cli_command_t)o->command)->name);
        return CCAT_CLI_EXIT_USAGE;
    }
    if (!o->takes_value) {
        if (eq)
            return cli_fail_opt(a, arg, len, "ignored explicit argument");
        return cli_apply_flag(a, o);
    }
    if (eq)
        return cli_apply_value(a, o, eq + 1);
    if (*i + 1 >= argc || strncmp(argv[*i + 1], "--", 2) == 0)
        return cli_fail_opt(a, arg, len, "expected one argument");
    *i += 1;
    return cli_apply_value(a, o, argv[*i]);
}

/** @brief A word that is not an option: the command, or `help`. */
static int cli_parse_word(const char *w, ccat_cli_args_t *a)
{
    if (strcmp(w, "help") == 0) {
        a->command = CCAT_CLI_CMD_HELP;
        return -1;
    }
    if (a->command != CCAT_CLI_CMD_NONE)
        return cli_fail(a, "unexpected extra argument after ",
                        ccat_cli_command_find(a->command)->name);
    for (size_t i = 0; i < ccat_cli_command_count; i++) {
        if (strcmp(w, ccat_cli_commands[i].name) == 0) {
            a->command = ccat_cli_commands[i].id;
            return 0;
        }
    }
    (void)snprintf(a->error, sizeof a->error, "argument command: invalid choice: '%.40s' (choose from ",
                   w);
    for (size_t i = 0; i < ccat_cli_command_count; i++) {
        size_t n = strlen(a->error);
        (void)snprintf(a->error + n, sizeof a->error - n, "'%s', ", ccat_cli_commands[i].name);
    }
    size_t n = strlen(a->error);
    (void)snprintf(a->error + n, sizeof a->error - n, "'help')");
    return CCAT_CLI_EXIT_USAGE;
}

/**
 * @brief As the AWS CLI: --max-results or --next-token (the operation's own
 * paging parameters) turn paging off, like --no-paginate, and none of them
 * goes with the paginator's --starting-token, --page-size or --max-items
 * (a PaginationError there: exit 255, not 252).
 */
static int cli_check_paging(ccat_cli_args_t *a)
{
    const char *used[3] = {a->starting_token ? "--starting-token" : NULL,
                           a->page_size ? "--page-size" : NULL,
                           a->max_items ? "--max-items" : NULL};
    if (a->max_results != CCAT_CLI_UNSET || a->next_token != NULL)
        a->no_paginate = 1;
    if (!a->no_paginate || (!used[0] && !used[1] && !used[2]))
        return 0;
    (void)snprintf(a->error, sizeof a->error,
                   "Cannot specify --no-paginate along with pagination arguments: ");
    for (int i = 0, first = 1; i < 3; i++) {
        size_t n = strlen(a->error);
        if (used[i] != NULL)
            (void)snprintf(a->error + n, sizeof a->error - n, "%s%s", first ? "" : ", ", used[i]);
        first &= used[i] == NULL;
    }
    return CCAT_CLI_EXIT_FAILURE;
}

int ccat_cli_args_parse(int argc, char *const argv[], ccat_cli_args_t *args)
{
    memset(args, 0, sizeof *args);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int rc = strncmp(arg, "--", 2) == 0 ? cli_parse_option(argc, argv, &i, args)
                                             : cli_parse_word(arg, args);
        if (rc == -1)
            return 0;
        if (rc != 0)
            return rc;
    }
    if (args->command == CCAT_CLI_CMD_NONE)
        return cli_fail(args, "the following arguments are required: command", "");
    const char *required = ccat_cli_command_find(args->command)->required;
    const char *given = args->command == CCAT_CLI_CMD_CREATE ? args->name : args->id;
    if (required != NULL && given == NULL)
        return cli_fail(args, "the following arguments are required: ", required);
    return args->command == CCAT_CLI_CMD_LIST ? cli_check_paging(args) : 0;
}

/** @brief An environment variable, NULL when unset or empty. */
static const char *cli_env(ccat_cli_getenv_fn get, const char *name)
{
    const char *v = get(name);
    return (v != NULL && v[0] != '\0') ? v : NULL;
}

int ccat_cli_args_resolve(ccat_cli_args_t *a, ccat_cli_getenv_fn get)
{
    const char *attempts = cli_env(get, "AWS_MAX_ATTEMPTS");

    if (a->endpoint_url == NULL)
        a->endpoint_url = cli_env(get, "AWS_ENDPOINT_URL_CODECATALYST");
    if (a->endpoint_url == NULL)
        a->endpoint_url = cli_env(get, "AWS_ENDPOINT_URL");
    if (a->endpoint_url == NULL) {
        /* As the AWS CLI: AWS_USE_FIPS_ENDPOINT=true picks the FIPS endpoint. */
        const char *fips = cli_env(get, "AWS_USE_FIPS_ENDPOINT");
        int use_fips = fips != NULL && strcasecmp(fips, "true") == 0;
        a->endpoint_url = use_fips ? CCAT_ENDPOINT_FIPS : CCAT_ENDPOINT_DEFAULT;
    }
    if (a->ca_bundle == NULL)
        a->ca_bundle = cli_env(get, "AWS_CA_BUNDLE");
    if (a->connect_timeout_ms == 0)
        a->connect_timeout_ms = CCAT_CONNECT_TIMEOUT_MS_DEFAULT;
    if (a->read_timeout_ms == 0)
        a->read_timeout_ms = CCAT_READ_TIMEOUT_MS_DEFAULT;
    if (a->max_attempts != 0)
        return 0;
    a->max_attempts = CCAT_MAX_ATTEMPTS_DEFAULT;
    if (attempts != NULL && cli_parse_attempts(attempts, &a->max_attempts) != 0)
        return cli_fail(a, "AWS_MAX_ATTEMPTS: expected an integer from 1 to 255", "");
    return 0;
}

/** @brief --expires-time: RFC 3339, or whole seconds since the epoch as the AWS CLI allows. */
static int cli_expires_parse(ccat_cli_args_t *a, ccat_time_t *t)
{
    uint64_t secs;
    if (cli_parse_u64(a->expires_time, &secs) == 0) {
        if (secs > (uint64_t)CLI_EPOCH_MAX_S)
            return cli_fail(a, "argument --expires-time: ",
                            "must be between years 0001 and 9999");
        *t = (ccat_time_t)secs * 1000000;
        return 0;
    }
    if (ccat_time_parse(a->expires_time, strlen(a->expires_time), t) == CCAT_OK)
        return 0;
    return cli_fail(a, "argument --expires-time: ",
                    "expected an RFC 3339 time such as 2030-12-31T23:59:59Z, or epoch seconds");
}

int ccat_cli_params_build(ccat_cli_args_t *a, ccat_create_params_t *params)
{
    memset(params, 0, sizeof *params);
    params->name = a->name;
    if (a->expires_time != NULL) {
        if (cli_expires_parse(a, &params->expires_time) != 0)
            return CCAT_CLI_EXIT_USAGE;
        params->has_expires_time = 1;
    }
    switch (ccat_create_params_check(params)) {
    case CCAT_OK: return 0;
    case CCAT_ERR_NAME_LENGTH:
        return cli_fail(a, "argument --name: ", "must be 1 to 100 characters");
    case CCAT_ERR_NAME_UTF8:
        return cli_fail(a, "argument --name: ", "must be valid UTF-8 without NUL");
    case CCAT_ERR_EXPIRES_RANGE:
        return cli_fail(a, "argument --expires-time: ", "must be between years 0001 and 9999");
    default:
        return cli_fail(a, "invalid parameters", "");
    }
}
