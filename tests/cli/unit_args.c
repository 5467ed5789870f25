/* Unit tests of the ccat CLI's command line, environment and parameters
 * (boards/linux/args.c): no process, no network. */
#include <stdint.h>
#include <string.h>

#include "../test.h"
#include "cli.h"

#define ARGC(v) ((int)(sizeof(v) / sizeof((v)[0])))

static int parse(int argc, char *const argv[], ccat_cli_args_t *a)
{
    return ccat_cli_args_parse(argc, argv, a);
}

static void test_minimal(void)
{
    char *v[] = {"ccat", "create-access-token", "--name", "dev"};
    ccat_cli_args_t a;
    CHECK_EQ_INT(parse(ARGC(v), v, &a), 0);
    CHECK_EQ_INT(a.command, CCAT_CLI_CMD_CREATE);
    CHECK_EQ_STR(a.name, "dev");
    CHECK(a.expires_time == NULL && a.endpoint_url == NULL && a.ca_bundle == NULL);
    CHECK(a.token_file == NULL && a.debug == 0 && a.max_attempts == 0);
    CHECK_EQ_INT(a.connect_timeout_ms, 0);
    CHECK_EQ_INT(a.read_timeout_ms, 0);
}

static void test_globals_before_and_after(void)
{
    char *v[] = {"ccat", "--debug", "--endpoint-url", "https://h:1", "--ca-bundle=/c.pem",
                 "create-access-token", "--name=n=1", "--expires-time", "2030-01-01T00:00:00Z",
                 "--token-file", "/t", "--cli-connect-timeout=7", "--cli-read-timeout", "9",
                 "--max-attempts", "5"};
    ccat_cli_args_t a;
    CHECK_EQ_INT(parse(ARGC(v), v, &a), 0);
    CHECK_EQ_INT(a.debug, 1);
    CHECK_EQ_STR(a.endpoint_url, "https://h:1");
    CHECK_EQ_STR(a.ca_bundle, "/c.pem");
    CHECK_EQ_STR(a.name, "n=1"); /* only the first '=' splits */
    CHECK_EQ_STR(a.expires_time, "2030-01-01T00:00:00Z");
    CHECK_EQ_STR(a.token_file, "/t");
    CHECK_EQ_INT(a.connect_timeout_ms, 7000);
    CHECK_EQ_INT(a.read_timeout_ms, 9000);
    CHECK_EQ_INT(a.max_attempts, 5);
}

static void test_later_wins_and_dash_values(void)
{
    char *v[] = {"ccat", "create-access-token", "--name", "a", "--name", "-b",
                 "--max-attempts", "2", "--max-attempts=1"};
    ccat_cli_args_t a;
    CHECK_EQ_INT(parse(ARGC(v), v, &a), 0);
    CHECK_EQ_STR(a.name, "-b"); /* a single dash is a value, not an option */
    CHECK_EQ_INT(a.max_attempts, 1);
}

/* Parses and expects a usage error whose message contains @p want. */
static void expect_usage(int argc, char *const argv[], const char *want)
{
    ccat_cli_args_t a;
    CHECK_EQ_INT(parse(argc, argv, &a), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(a.error, want) != NULL);
    if (strstr(a.error, want) == NULL)
        fprintf(stderr, "  message was: %s (wanted %s)\n", a.error, want);
}

static void test_usage_errors(void)
{
    char *none[] = {"ccat"};
    char *debug_only[] = {"ccat", "--debug"};
    char *bad_cmd[] = {"ccat", "create-token", "--name", "x"};
    char *no_name[] = {"ccat", "create-access-token"};
    char *name_first[] = {"ccat", "--name", "x", "create-access-token"};
    char *missing[] = {"ccat", "create-access-token", "--name"};
    char *opt_as_value[] = {"ccat", "create-access-token", "--name", "--debug"};
    char *empty[] = {"ccat", "create-access-token", "--name", "x", "--endpoint-url="};
    char *unknown[] = {"ccat", "create-access-token", "--name", "x", "--region", "y"};
    char *flag_value[] = {"ccat", "create-access-token", "--name", "x", "--debug=1"};
    char *extra[] = {"ccat", "create-access-token", "--name", "x", "stray"};
    char *single[] = {"ccat", "-h"};
    expect_usage(ARGC(none), none, "required: command");
    expect_usage(ARGC(debug_only), debug_only, "required: command");
    expect_usage(ARGC(bad_cmd), bad_cmd, "invalid choice: 'create-token'");
    expect_usage(ARGC(no_name), no_name, "required: --name");
    expect_usage(ARGC(name_first), name_first, "--name: only valid after");
    expect_usage(ARGC(missing), missing, "--name: expected one argument");
    expect_usage(ARGC(opt_as_value), opt_as_value, "--name: expected one argument");
    expect_usage(ARGC(empty), empty, "--endpoint-url: expected one argument");
    expect_usage(ARGC(unknown), unknown, "--region: unknown option");
    expect_usage(ARGC(flag_value), flag_value, "--debug: ignored explicit argument");
    expect_usage(ARGC(extra), extra, "unexpected extra argument");
    expect_usage(ARGC(single), single, "invalid choice: '-h'");
}

static void test_error_never_echoes_a_value(void)
{
    char *v[] = {"ccat", "create-access-token", "--name", "x", "--tokn=SECRETSECRET"};
    char *w[] = {"ccat", "create-access-token", "--name", "x", "SECRETSECRET"};
    char *n[] = {"ccat", "create-access-token", "--name", "x", "--max-attempts", "SECRETSECRET"};
    ccat_cli_args_t a;
    CHECK_EQ_INT(parse(ARGC(v), v, &a), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(a.error, "--tokn") != NULL && strstr(a.error, "SECRET") == NULL);
    CHECK_EQ_INT(parse(ARGC(w), w, &a), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(a.error, "SECRET") == NULL);
    CHECK_EQ_INT(parse(ARGC(n), n, &a), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(a.error, "SECRET") == NULL);
}

static void test_help_and_version(void)
{
    char *h1[] = {"ccat", "--help"};
    char *h2[] = {"ccat", "help"};
    char *h3[] = {"ccat", "create-access-token", "--help"};
    char *h4[] = {"ccat", "create-access-token", "help"};
    char *h5[] = {"ccat", "--help", "--bogus"};
    char *v1[] = {"ccat", "--version"};
    char *bad_then_help[] = {"ccat", "--bogus", "--help"};
    ccat_cli_args_t a;
    CHECK(parse(ARGC(h1), h1, &a) == 0 && a.command == CCAT_CLI_CMD_HELP);
    CHECK(parse(ARGC(h2), h2, &a) == 0 && a.command == CCAT_CLI_CMD_HELP);
    CHECK(parse(ARGC(h3), h3, &a) == 0 && a.command == CCAT_CLI_CMD_HELP);
    CHECK(parse(ARGC(h4), h4, &a) == 0 && a.command == CCAT_CLI_CMD_HELP);
    CHECK(parse(ARGC(h5), h5, &a) == 0 && a.command == CCAT_CLI_CMD_HELP);
    CHECK(parse(ARGC(v1), v1, &a) == 0 && a.command == CCAT_CLI_CMD_VERSION);
    CHECK_EQ_INT(parse(ARGC(bad_then_help), bad_then_help, &a), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(ccat_cli_usage, "create-access-token --name NAME") != NULL);
    CHECK(strstr(ccat_cli_usage_line, "usage: ccat") == ccat_cli_usage_line);
}

/* Parses `create-access-token --name x OPT VALUE`; returns the exit code. */
static int parse_one(const char *opt, const char *value, ccat_cli_args_t *a)
{
    char *v[] = {"ccat", "create-access-token", "--name", "x", (char *)opt, (char *)value};
    return parse(ARGC(v), v, a);
}

static void test_numbers(void)
{
    static const char *const bad[] = {"-1", "1.5", " 5", "5 ", "+5", "0x10", "", "5s",
                                      "1234567890123456789"};
    ccat_cli_args_t a;
    CHECK(parse_one("--cli-connect-timeout", "0", &a) == 0 &&
          a.connect_timeout_ms == CCAT_CLI_TIMEOUT_NONE_MS);
    CHECK(parse_one("--cli-read-timeout", "0", &a) == 0 &&
          a.read_timeout_ms == CCAT_CLI_TIMEOUT_NONE_MS);
    CHECK(parse_one("--cli-read-timeout", "2000000", &a) == 0 &&
          a.read_timeout_ms == 2000000000u);
    CHECK(parse_one("--cli-read-timeout", "2000001", &a) == 0 &&
          a.read_timeout_ms == CCAT_CLI_TIMEOUT_NONE_MS);
    CHECK(parse_one("--cli-read-timeout", "99999999999999", &a) == 0 &&
          a.read_timeout_ms == CCAT_CLI_TIMEOUT_NONE_MS);
    CHECK(parse_one("--cli-connect-timeout", "007", &a) == 0 && a.connect_timeout_ms == 7000);
    CHECK(parse_one("--max-attempts", "1", &a) == 0 && a.max_attempts == 1);
    CHECK(parse_one("--max-attempts", "255", &a) == 0 && a.max_attempts == 255);
    CHECK_EQ_INT(parse_one("--max-attempts", "0", &a), CCAT_CLI_EXIT_USAGE);
    CHECK_EQ_INT(parse_one("--max-attempts", "256", &a), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(a.error, "from 1 to 255") != NULL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ_INT(parse_one("--cli-connect-timeout", bad[i], &a), CCAT_CLI_EXIT_USAGE);
        CHECK_EQ_INT(parse_one("--cli-read-timeout", bad[i], &a), CCAT_CLI_EXIT_USAGE);
        CHECK_EQ_INT(parse_one("--max-attempts", bad[i], &a), CCAT_CLI_EXIT_USAGE);
    }
}

/* A fake environment: NULL-terminated name/value pairs. */
static const char *const *fake_env;

static const char *fake_getenv(const char *name)
{
    for (const char *const *p = fake_env; p[0] != NULL; p += 2) {
        if (strcmp(p[0], name) == 0)
            return p[1];
    }
    return NULL;
}

/* Resolve `create-access-token --name x` (plus @p opt/@p value if not NULL) in @p env. */
static int resolve(const char *const *env, const char *opt, const char *value, ccat_cli_args_t *a)
{
    int rc = opt ? parse_one(opt, value, a) : parse_one("--name", "x", a);
    fake_env = env;
    return rc != 0 ? -1 : ccat_cli_args_resolve(a, fake_getenv);
}

static void test_environment(void)
{
    static const char *const none[] = {NULL};
    static const char *const both[] = {"AWS_ENDPOINT_URL", "http://generic",
                                       "AWS_ENDPOINT_URL_CODECATALYST", "http://specific",
                                       "AWS_CA_BUNDLE", "/env.pem", "AWS_MAX_ATTEMPTS", "7", NULL};
    static const char *const generic[] = {"AWS_ENDPOINT_URL", "http://generic",
                                          "AWS_ENDPOINT_URL_CODECATALYST", "", NULL};
    static const char *const empty[] = {"AWS_ENDPOINT_URL", "", "AWS_CA_BUNDLE", "",
                                        "AWS_MAX_ATTEMPTS", "", NULL};
    static const char *const bad_attempts[] = {"AWS_MAX_ATTEMPTS", "0", NULL};
    static const char *const text_attempts[] = {"AWS_MAX_ATTEMPTS", "three", NULL};
    ccat_cli_args_t a;

    CHECK_EQ_INT(resolve(none, NULL, NULL, &a), 0);
    CHECK_EQ_STR(a.endpoint_url, CCAT_ENDPOINT_DEFAULT);
    CHECK(a.ca_bundle == NULL);
    CHECK_EQ_INT(a.max_attempts, 3);
    CHECK_EQ_INT(a.connect_timeout_ms, 60000);
    CHECK_EQ_INT(a.read_timeout_ms, 60000);

    CHECK_EQ_INT(resolve(both, NULL, NULL, &a), 0);
    CHECK_EQ_STR(a.endpoint_url, "http://specific");
    CHECK_EQ_STR(a.ca_bundle, "/env.pem");
    CHECK_EQ_INT(a.max_attempts, 7);

    CHECK_EQ_INT(resolve(generic, NULL, NULL, &a), 0);
    CHECK_EQ_STR(a.endpoint_url, "http://generic");

    static const char *const fips[] = {"AWS_USE_FIPS_ENDPOINT", "TRUE", NULL};
    static const char *const no_fips[] = {"AWS_USE_FIPS_ENDPOINT", "false", NULL};
    static const char *const fips_url[] = {"AWS_USE_FIPS_ENDPOINT", "true",
                                           "AWS_ENDPOINT_URL", "http://generic", NULL};
    CHECK_EQ_INT(resolve(fips, NULL, NULL, &a), 0);
    CHECK_EQ_STR(a.endpoint_url, CCAT_ENDPOINT_FIPS);
    CHECK_EQ_INT(resolve(no_fips, NULL, NULL, &a), 0);
    CHECK_EQ_STR(a.endpoint_url, CCAT_ENDPOINT_DEFAULT);
    CHECK_EQ_INT(resolve(fips_url, NULL, NULL, &a), 0); /* an explicit URL wins */
    CHECK_EQ_STR(a.endpoint_url, "http://generic");

    CHECK_EQ_INT(resolve(empty, NULL, NULL, &a), 0);
    CHECK_EQ_STR(a.endpoint_url, CCAT_ENDPOINT_DEFAULT);
    CHECK(a.ca_bundle == NULL);
    CHECK_EQ_INT(a.max_attempts, 3);

    CHECK_EQ_INT(resolve(both, "--endpoint-url", "http://cli", &a), 0);
    CHECK_EQ_STR(a.endpoint_url, "http://cli");
    CHECK_EQ_INT(resolve(both, "--ca-bundle", "/cli.pem", &a), 0);
    CHECK_EQ_STR(a.ca_bundle, "/cli.pem");
    CHECK_EQ_INT(resolve(both, "--max-attempts", "2", &a), 0);
    CHECK_EQ_INT(a.max_attempts, 2);
    CHECK_EQ_INT(resolve(bad_attempts, "--max-attempts", "2", &a), 0); /* env not consulted */

    CHECK_EQ_INT(resolve(bad_attempts, NULL, NULL, &a), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(a.error, "AWS_MAX_ATTEMPTS") != NULL);
    CHECK_EQ_INT(resolve(text_attempts, NULL, NULL, &a), CCAT_CLI_EXIT_USAGE);
}

/* Builds parameters for `--name NAME [--expires-time WHEN]`; returns the exit code. */
static int build(const char *name, const char *when, ccat_cli_args_t *a, ccat_create_params_t *p)
{
    char *v[] = {"ccat", "create-access-token", "--name", (char *)name,
                 "--expires-time", (char *)when};
    int rc = parse(when ? 6 : 4, v, a);
    return rc != 0 ? -1 : ccat_cli_params_build(a, p);
}

static void test_params(void)
{
    char long_name[102];
    ccat_cli_args_t a;
    ccat_create_params_t p;

    CHECK_EQ_INT(build("dev", NULL, &a, &p), 0);
    CHECK(p.name == a.name && p.has_expires_time == 0);
    CHECK_EQ_INT(build("dev", "2030-01-02T03:04:05Z", &a, &p), 0);
    CHECK(p.has_expires_time == 1 && p.expires_time == 1893553445LL * 1000000);
    CHECK_EQ_INT(build("dev", "2030-01-02T04:04:05.5+01:00", &a, &p), 0);
    CHECK(p.expires_time == 1893553445LL * 1000000 + 500000);
    CHECK_EQ_INT(build("dev", "1893553445", &a, &p), 0); /* epoch seconds, as the AWS CLI */
    CHECK(p.expires_time == 1893553445LL * 1000000);
    CHECK_EQ_INT(build("dev", "253402300799", &a, &p), 0);
    CHECK_EQ_INT(build("dev", "253402300800", &a, &p), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(a.error, "--expires-time") != NULL);
    CHECK_EQ_INT(build("dev", "tomorrow", &a, &p), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(a.error, "RFC 3339") != NULL);
    CHECK_EQ_INT(build("dev", "2030-01-02", &a, &p), CCAT_CLI_EXIT_USAGE);
    CHECK_EQ_INT(build("dev", "-5", &a, &p), CCAT_CLI_EXIT_USAGE);

    memset(long_name, 'a', 101);
    long_name[101] = '\0';
    CHECK_EQ_INT(build(long_name, NULL, &a, &p), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(a.error, "1 to 100") != NULL);
    long_name[100] = '\0';
    CHECK_EQ_INT(build(long_name, NULL, &a, &p), 0);
    CHECK_EQ_INT(build("\xc3\xa9t\xc3\xa9", NULL, &a, &p), 0);
    CHECK_EQ_INT(build("bad\xff", NULL, &a, &p), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(a.error, "UTF-8") != NULL);
}

/* Parses @p v; returns the exit code (the message is in a->error). */
#define PARSE(a, ...) parse_words((char *[]){"ccat", __VA_ARGS__, NULL}, (a))

static int parse_words(char **v, ccat_cli_args_t *a)
{
    int argc = 0;
    while (v[argc] != NULL)
        argc++;
    return parse(argc, v, a);
}

static void test_token_commands(void)
{
    ccat_cli_args_t a;
    /* The dispatch table: (at least) these four commands, each with its operation's name. */
    CHECK(ccat_cli_command_count >= 4);
    CHECK_EQ_STR(ccat_cli_command_find(CCAT_CLI_CMD_CREATE)->name, "create-access-token");
    CHECK_EQ_STR(ccat_cli_command_find(CCAT_CLI_CMD_LIST)->operation, "ListAccessTokens");
    CHECK_EQ_STR(ccat_cli_command_find(CCAT_CLI_CMD_DELETE)->operation, "DeleteAccessToken");
    CHECK_EQ_STR(ccat_cli_command_find(CCAT_CLI_CMD_VERIFY)->operation, "VerifySession");
    CHECK(ccat_cli_command_find(CCAT_CLI_CMD_HELP) == NULL);

    CHECK(PARSE(&a, "list-access-tokens") == 0 && a.command == CCAT_CLI_CMD_LIST && !a.no_paginate);
    CHECK(PARSE(&a, "--debug", "verify-session", "--max-attempts", "2") == 0 &&
          a.command == CCAT_CLI_CMD_VERIFY && a.max_attempts == 2);
    CHECK(PARSE(&a, "delete-access-token", "--id", "a b") == 0 && a.command == CCAT_CLI_CMD_DELETE &&
          strcmp(a.id, "a b") == 0);
    CHECK_EQ_INT(PARSE(&a, "delete-access-token"), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(a.error, "required: --id") != NULL);
    CHECK_EQ_INT(PARSE(&a, "delete-access-token", "--name", "x"), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(a.error, "--name: only valid after create-access-token") != NULL);
    CHECK_EQ_INT(PARSE(&a, "create-access-token", "--name", "x", "--id", "y"), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(a.error, "--id: only valid after delete-access-token") != NULL);
    CHECK_EQ_INT(PARSE(&a, "verify-session", "--max-items", "1"), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(a.error, "only valid after list-access-tokens") != NULL);
    CHECK_EQ_INT(PARSE(&a, "verify-session", "list-access-tokens"), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(a.error, "extra argument after verify-session") != NULL);
    CHECK_EQ_INT(PARSE(&a, "rotate"), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(a.error, "(choose from 'create-access-token', 'list-access-tokens', "
                          "'delete-access-token', 'verify-session', ") != NULL);
    CHECK(strstr(a.error, "'help')") != NULL);

    /* Paging options, as the AWS CLI has them. */
    CHECK(PARSE(&a, "list-access-tokens", "--starting-token", "T", "--page-size", "3", "--max-items",
                "25") == 0 &&
          strcmp(a.starting_token, "T") == 0 && a.page_size == 3 && a.max_items == 25 && !a.no_paginate);
    CHECK(PARSE(&a, "list-access-tokens", "--max-results=10") == 0 && a.max_results == 10 && a.no_paginate);
    CHECK(PARSE(&a, "list-access-tokens", "--next-token", "n") == 0 && a.no_paginate);
    CHECK(PARSE(&a, "list-access-tokens", "--no-paginate") == 0 && a.no_paginate);
    CHECK_EQ_INT(PARSE(&a, "list-access-tokens", "--max-results", "11"), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(a.error, "--max-results: expected an integer from 1 to 10") != NULL);
    CHECK_EQ_INT(PARSE(&a, "list-access-tokens", "--page-size", "0"), CCAT_CLI_EXIT_USAGE);
    CHECK_EQ_INT(PARSE(&a, "list-access-tokens", "--max-items", "0"), CCAT_CLI_EXIT_USAGE);
    CHECK_EQ_INT(PARSE(&a, "list-access-tokens", "--max-items", "-1"), CCAT_CLI_EXIT_USAGE);
    CHECK_EQ_INT(PARSE(&a, "list-access-tokens", "--no-paginate=1"), CCAT_CLI_EXIT_USAGE);
    /* No paging (asked for, or implied by the operation's own parameters)
     * with the paginator's options: the AWS CLI's PaginationError, exit 255. */
    CHECK_EQ_INT(PARSE(&a, "list-access-tokens", "--max-results", "2", "--max-items", "1"),
                 CCAT_CLI_EXIT_FAILURE);
    CHECK_EQ_STR(a.error, "Cannot specify --no-paginate along with pagination arguments: --max-items");
    CHECK_EQ_INT(PARSE(&a, "list-access-tokens", "--no-paginate", "--starting-token", "t", "--page-size",
                       "1", "--max-items", "1"),
                 CCAT_CLI_EXIT_FAILURE);
    CHECK_EQ_STR(a.error, "Cannot specify --no-paginate along with pagination arguments: "
                          "--starting-token, --page-size, --max-items");
    CHECK_EQ_INT(PARSE(&a, "list-access-tokens", "--next-token", "n", "--page-size", "1"),
                 CCAT_CLI_EXIT_FAILURE);
    CHECK(strstr(ccat_cli_usage, "list-access-tokens [--max-results N] [--starting-token T]") != NULL);
    CHECK(strstr(ccat_cli_usage, "delete-access-token --id ID") != NULL);
}

int main(void)
{
    test_minimal();
    test_globals_before_and_after();
    test_later_wins_and_dash_values();
    test_usage_errors();
    test_error_never_echoes_a_value();
    test_help_and_version();
    test_numbers();
    test_environment();
    test_params();
    test_token_commands();
    return test_summary("cli_unit_args");
}
