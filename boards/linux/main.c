/**
 * @file main.c
 * @brief `ccat`: CodeCatalyst access tokens from the Linux command line,
 * behaving like `aws codecatalyst create-access-token`, `list-access-tokens`,
 * `delete-access-token` and `verify-session` (options, output, exit codes).
 *
 * This file only wires things together: the command line (args.c), the
 * token (token.c or the environment), the POSIX socket transport, mbedTLS
 * for https endpoints, the blocking client, and the output (output.c).
 * Secrets: the token and the returned secret live in static buffers that
 * are wiped before exit; --debug never prints either.
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ccat/ccat.h"
#include "ccat_mbedtls.h"
#include "ccat_posix.h"
#include "cli.h"
#include "rotate_cmd.h"

/** @brief The network stack of one run: TCP, and TLS above it for https. */
typedef struct cli_net {
    ccat_posix_t sock;          /**< Socket state. */
    ccat_transport_t tcp;       /**< Plain TCP transport. */
    ccat_mbedtls_t tls;         /**< TLS layer state (https only). */
    ccat_transport_t tls_tr;    /**< TLS transport over @c tcp. */
    ccat_platform_t platform;   /**< Clock, sleep, randomness. */
    uint8_t tls_on;             /**< @c tls was initialised. */
} cli_net_t;

/** @brief Everything one run needs. */
typedef struct cli_run {
    ccat_cli_args_t *args;      /**< Parsed, resolved command line. */
    const ccat_cli_command_def_t *cmd; /**< The command (its operation name). */
    ccat_create_params_t params;/**< create: checked request parameters. */
    uint32_t skip;              /**< list: items of the first page to skip (--starting-token). */
    ccat_endpoint_t endpoint;   /**< Parsed endpoint (TLS or not, host, port). */
    const char *token;          /**< Bearer token (environment or cli_token). */
} cli_run_t;

/* Large or secret state is static: main's stack stays small, and the secret
 * buffers are in one known place to wipe. */
static char cli_buffer[CCAT_CLI_BUFFER_SIZE]; /**< Client request/response memory. */
static char cli_token[CCAT_CLI_TOKEN_BUF];    /**< Token read from --token-file. */
static char cli_platform[64];                 /**< User-Agent platform, e.g. "linux/x86_64". */
static cli_net_t cli_net;                     /**< Transports (mbedTLS state is several KiB). */
static int cli_debug_on;                      /**< --debug given. */
/* list-access-tokens: the token of the page being fetched and the one it returned. */
static char cli_next[CCAT_CLI_NEXT_TOKEN_MAX + 1];
static char cli_next_out[CCAT_CLI_NEXT_TOKEN_MAX + 1];
static char cli_resume[CCAT_CLI_PAGING_TOKEN_MAX]; /**< NextToken printed after --max-items. */

/** @brief One "ccat: debug: ..." line on stderr (when --debug). */
__attribute__((format(printf, 1, 2)))
static void cli_debug(const char *fmt, ...)
{
    va_list ap;
    if (!cli_debug_on)
        return;
    fputs("ccat: debug: ", stderr);
    va_start(ap, fmt);
    (void)vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/** @brief getenv() with the const-correct type ccat_cli_args_resolve() takes. */
static const char *cli_getenv(const char *name)
{
    return getenv(name);
}

/** @brief The client's trace hook: every event it reports, one line each. */
static void cli_trace(void *ctx, const char *event, long value)
{
    (void)ctx;
    cli_debug("%s %ld", event, value);
}

/** @brief "linux/x86_64" from uname(), for the User-Agent. */
static void cli_platform_init(void)
{
    struct utsname u;
    if (uname(&u) != 0) {
        (void)snprintf(cli_platform, sizeof cli_platform, "linux");
        return;
    }
    (void)snprintf(cli_platform, sizeof cli_platform, "%.31s/%.31s", u.sysname, u.machine);
    for (char *p = cli_platform; *p != '\0' && *p != '/'; p++)
        *p = (char)tolower((unsigned char)*p);
}

/** @brief A grammar error: synopsis and reason on stderr. */
static int cli_usage_error(const ccat_cli_args_t *a)
{
    fputs(ccat_cli_usage_line, stderr);
    fprintf(stderr, "\nccat: error: %s\n", a->error);
    return CCAT_CLI_EXIT_USAGE;
}

/** @brief Any other error found before sending: one line, given exit code. */
static int cli_error(int code, const char *what)
{
    fprintf(stderr, "ccat: error: %s\n", what);
    return code;
}

/** @brief The token: --token-file wins over $AWS_BEARER_TOKEN_CODECATALYST. */
static int cli_token_load(cli_run_t *r)
{
    const char *why = NULL;
    ccat_status_t st;

    if (r->args->token_file != NULL) {
        if (ccat_cli_token_file_read(r->args->token_file, cli_token, sizeof cli_token, &why)) {
            fprintf(stderr, "ccat: error: --token-file \"%s\": %s\n", r->args->token_file, why);
            return CCAT_CLI_EXIT_USAGE;
        }
        r->token = cli_token;
    } else {
        r->token = getenv(CCAT_CLI_ENV_TOKEN);
    }
    st = ccat_bearer_token_check(r->token);
    if (st == CCAT_ERR_TOKEN_MISSING)
        return cli_error(CCAT_CLI_EXIT_NO_TOKEN,
                         r->args->token_file ? "the --token-file is empty: no bearer token"
                                             : "no bearer token: set $" CCAT_CLI_ENV_TOKEN
                                               " or use --token-file FILE");
    if (st != CCAT_OK)
        return cli_error(CCAT_CLI_EXIT_USAGE,
                         "the bearer token contains a control character (CR, LF, ...)");
    cli_debug("bearer token from %s", r->args->token_file ? "--token-file" : "$" CCAT_CLI_ENV_TOKEN);
    return 0;
}

/** @brief Sockets, platform hooks and, for https, TLS over them. */
static int cli_net_open(cli_net_t *n, const cli_run_t *r)
{
    ccat_mbedtls_config_t tls_cfg;

    ccat_posix_transport_init(&n->sock, &n->tcp);
    ccat_posix_platform_init(&n->platform);
    if (!r->endpoint.tls)
        return 0;
    memset(&tls_cfg, 0, sizeof tls_cfg);
    tls_cfg.ca_file = r->args->ca_bundle;
    if (ccat_mbedtls_init(&n->tls, &n->tcp, &tls_cfg, &n->tls_tr) != CCAT_OK) {
        if (r->args->ca_bundle != NULL)
            fprintf(stderr, "ccat: error: cannot load the CA bundle \"%s\" (CCAT_ERR_TLS)\n",
                    r->args->ca_bundle);
        else
            fputs("ccat: error: cannot set up TLS (CCAT_ERR_TLS)\n", stderr);
        return CCAT_CLI_EXIT_FAILURE;
    }
    n->tls_on = 1;
    return 0;
}

/** @brief Release the TLS layer (the client already closed the connection). */
static void cli_net_close(cli_net_t *n)
{
    if (n->tls_on)
        ccat_mbedtls_free(&n->tls);
    n->tls_on = 0;
}

/** @brief What --debug shows before the call. */
static void cli_debug_setup(const cli_run_t *r)
{
    const ccat_cli_args_t *a = r->args;
    cli_debug("endpoint %s host=%s port=%u tls=%s", a->endpoint_url, r->endpoint.host,
              (unsigned)r->endpoint.port, r->endpoint.tls ? "yes" : "no");
    if (r->endpoint.tls)
        cli_debug("trust anchors: %s", a->ca_bundle ? a->ca_bundle : "built-in AWS roots");
    cli_debug("connect-timeout=%lums read-timeout=%lums max-attempts=%u user-agent platform=%s",
              (unsigned long)a->connect_timeout_ms, (unsigned long)a->read_timeout_ms,
              (unsigned)a->max_attempts, cli_platform);
}

/** @brief What --debug shows after the call: outcome, HTTP status, request id. */
static void cli_debug_result(const ccat_client_t *c, ccat_status_t st)
{
    const ccat_error_t *e = ccat_client_last_error(c);
    const char *rid = st == CCAT_OK ? c->resp.request_id : e->request_id;
    int http = st == CCAT_OK ? c->resp.status : e->http_status;

    if (!cli_debug_on)
        return;
    cli_debug("result CCAT_%s http-status=%d attempts=%u", ccat_status_name(st), http,
              (unsigned)c->attempts);
    fputs("ccat: debug: x-amzn-RequestId: ", stderr);
    ccat_cli_put_clean(stderr, rid ? rid : "(none)");
    fputc('\n', stderr);
}

/** @brief Explain a failed call on stderr; returns its exit code. */
static int cli_report_failure(const cli_run_t *r, const ccat_client_t *c, ccat_status_t st)
{
    const ccat_error_t *e = ccat_client_last_error(c);
    int code = ccat_cli_exit_code(st);

    if (code == CCAT_CLI_EXIT_SERVICE) {
        int all_used = c->attempts >= r->args->max_attempts;
        ccat_cli_service_error_print(stderr, r->cmd->operation, e, &c->resp,
                                     all_used ? c->attempts - 1 : -1);
        return code;
    }
    fprintf(stderr, "ccat: error: %s: \"%s\" (CCAT_%s", ccat_cli_failure_phrase(st),
            r->args->endpoint_url, ccat_status_name(st));
    if (e->http_status != 0)
        fprintf(stderr, ", HTTP %d", e->http_status);
    fputs(")\n", stderr);
    return code;
}

/** @brief Client configuration for this run. */
static void cli_config(const cli_run_t *r, const cli_net_t *n, ccat_client_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->endpoint_url = r->args->endpoint_url;
    cfg->bearer_token = r->token;
    cfg->platform = cli_platform;
    cfg->buffer = cli_buffer;
    cfg->buffer_size = sizeof cli_buffer;
    cfg->transport = n->tls_on ? &n->tls_tr : &n->tcp;
    cfg->platform_hooks = &n->platform;
    cfg->connect_timeout_ms = r->args->connect_timeout_ms;
    cfg->read_timeout_ms = r->args->read_timeout_ms;
    cfg->max_attempts = r->args->max_attempts;
}

/** @brief A command's work on an initialised client: call, print; returns the exit code. */
typedef int (*cli_handler_fn)(cli_run_t *r, ccat_client_t *client);

/** @brief Output accumulated in memory: printed only when the whole command
 * succeeded, so a failure leaves stdout empty, as with the AWS CLI. */
typedef struct cli_out {
    char *text;   /**< open_memstream() buffer. */
    size_t len;   /**< Its length. */
    FILE *f;      /**< The stream writing it. */
} cli_out_t;

/** @brief Finish @p o: on success write it to stdout; free it either way. */
static int cli_out_finish(cli_out_t *o, int code)
{
    if (fclose(o->f) != 0 && code == CCAT_CLI_EXIT_OK) {
        fputs("ccat: error: out of memory for the output\n", stderr);
        code = CCAT_CLI_EXIT_FAILURE;
    }
    if (code == CCAT_CLI_EXIT_OK && fwrite(o->text, 1, o->len, stdout) != o->len) {
        fputs("ccat: error: cannot write the result to stdout\n", stderr);
        code = CCAT_CLI_EXIT_FAILURE;
    }
    free(o->text);
    return code;
}

/** @brief create-access-token: print the token; every copy of the secret wiped. */
static int cli_cmd_create(cli_run_t *r, ccat_client_t *client)
{
    ccat_access_token_t tok;
    ccat_status_t st;
    int code;

    memset(&tok, 0, sizeof tok);
    st = ccat_create_access_token(client, &r->params, &tok);
    cli_debug_result(client, st);
    if (st != CCAT_OK)
        return cli_report_failure(r, client, st);
    code = ccat_cli_token_print(STDOUT_FILENO, &tok) == 0 ? CCAT_CLI_EXIT_OK : CCAT_CLI_EXIT_FAILURE;
    if (code != CCAT_CLI_EXIT_OK)
        fputs("ccat: error: cannot write the result to stdout\n", stderr);
    ccat_access_token_wipe(&tok);
    return code;
}

/** @brief Where list-access-tokens stands: what --starting-token and
 * --max-items ask for, applied item by item as pages arrive. */
typedef struct cli_list {
    FILE *f;            /**< Output. */
    unsigned printed;   /**< Items printed, all pages. */
    unsigned kept;      /**< Items printed from the current page. */
    uint32_t skip;      /**< Items of the current page still to skip. */
    uint32_t left;      /**< Items --max-items still allows (UINT32_MAX: no limit). */
    int truncated;      /**< An item beyond --max-items was seen on this page. */
} cli_list_t;

/** @brief The library's item callback: skip, print, or stop at the limit. */
static int cli_list_item(void *ctx, const ccat_access_token_summary_t *it)
{
    cli_list_t *l = ctx;
    if (l->skip > 0) {
        l->skip--;
        return 0;
    }
    if (l->left == 0) {
        l->truncated = 1;
        return 1;
    }
    ccat_cli_list_item(l->f, it, l->printed++);
    l->kept++;
    l->left--;
    return 0;
}

/** @brief A repeated nextToken: botocore's PaginationError (exit 255). */
static int cli_list_loop_error(void)
{
    fputs("ccat: error: The same next token was received twice: {'nextToken': '", stderr);
    ccat_cli_put_clean(stderr, cli_next_out);
    fputs("'}\n", stderr);
    return CCAT_CLI_EXIT_FAILURE;
}

/**
 * @brief Page through ListAccessTokens as botocore's paginator does:
 * --starting-token skips into its first page, --max-items stops mid-way
 * and leaves a resume token in cli_resume; --no-paginate (or the
 * operation's own --max-results / --next-token) makes one call.
 */
static int cli_list_pages(cli_run_t *r, ccat_client_t *client, cli_list_t *l)
{
    const ccat_cli_args_t *a = r->args;
    ccat_list_params_t params;
    ccat_list_page_t page;

    for (unsigned n = 0;; n++) {
        ccat_status_t st;
        params.max_results = (uint8_t)(a->no_paginate ? a->max_results : a->page_size);
        params.next_token = cli_next;
        page.next_token = cli_next_out;
        page.next_token_size = sizeof cli_next_out;
        l->kept = 0;
        st = ccat_list_access_tokens(client, &params, cli_list_item, l, &page);
        cli_debug_result(client, st);
        if (st != CCAT_OK)
            return cli_report_failure(r, client, st);
        if (l->truncated) {
            long done = (long)l->kept + (n == 0 ? (long)r->skip : 0);
            ccat_cli_paging_token_encode(cli_next, done, cli_resume, sizeof cli_resume);
            return CCAT_CLI_EXIT_OK;
        }
        if (a->no_paginate || cli_next_out[0] == '\0')
            return CCAT_CLI_EXIT_OK;
        if (l->left == 0) {
            ccat_cli_paging_token_encode(cli_next_out, -1, cli_resume, sizeof cli_resume);
            return CCAT_CLI_EXIT_OK;
        }
        if (n > 0 && strcmp(cli_next_out, cli_next) == 0)
            return cli_list_loop_error();
        memcpy(cli_next, cli_next_out, sizeof cli_next);
        l->skip = 0;
    }
}

/** @brief list-access-tokens: {"items": [...]} with the token to go on, if any. */
static int cli_cmd_list(cli_run_t *r, ccat_client_t *client)
{
    cli_out_t o = {NULL, 0, NULL};
    cli_list_t l;
    int code;

    o.f = open_memstream(&o.text, &o.len);
    if (o.f == NULL)
        return cli_error(CCAT_CLI_EXIT_FAILURE, "out of memory for the output");
    memset(&l, 0, sizeof l);
    l.f = o.f;
    l.skip = r->skip;
    l.left = r->args->max_items != CCAT_CLI_UNSET ? r->args->max_items : UINT32_MAX;
    cli_resume[0] = '\0';
    ccat_cli_list_begin(o.f);
    code = cli_list_pages(r, client, &l);
    if (r->args->no_paginate)
        ccat_cli_list_end(o.f, l.printed, "nextToken", cli_next_out);
    else
        ccat_cli_list_end(o.f, l.printed, "NextToken", cli_resume);
    return cli_out_finish(&o, code);
}

/** @brief delete-access-token: no output, as the AWS CLI for an empty result. */
static int cli_cmd_delete(cli_run_t *r, ccat_client_t *client)
{
    ccat_status_t st = ccat_delete_access_token(client, r->args->id);
    cli_debug_result(client, st);
    return st == CCAT_OK ? CCAT_CLI_EXIT_OK : cli_report_failure(r, client, st);
}

/** @brief verify-session: {"identity": ...}, or nothing when there is none. */
static int cli_cmd_verify(cli_run_t *r, ccat_client_t *client)
{
    const char *identity = NULL;
    ccat_status_t st = ccat_verify_session(client, &identity);
    cli_debug_result(client, st);
    if (st != CCAT_OK)
        return cli_report_failure(r, client, st);
    ccat_cli_identity_print(stdout, identity);
    return fflush(stdout) == 0 ? CCAT_CLI_EXIT_OK : CCAT_CLI_EXIT_FAILURE;
}

/** @brief rotate-access-token (rotate_cmd.h): the state file holds the token;
 * the bearer token (r->token) is only there to provision it. */
static int cli_cmd_rotate(cli_run_t *r, ccat_client_t *client)
{
    const char *const *v = r->args->rotate;
    ccat_cli_rotate_opts_t o = {v[0], v[1], v[2], v[3], v[4], r->token};
    return ccat_cli_rotate(client, &o, stdout, stderr);
}

/** @brief The handler of each service command (the grammar is in args.c's table). */
static const struct cli_handler {
    ccat_cli_command_t id;  /**< Command. */
    cli_handler_fn run;     /**< Its work. */
} cli_handlers[] = {
    {CCAT_CLI_CMD_CREATE, cli_cmd_create},
    {CCAT_CLI_CMD_LIST, cli_cmd_list},
    {CCAT_CLI_CMD_DELETE, cli_cmd_delete},
    {CCAT_CLI_CMD_VERIFY, cli_cmd_verify},
    {CCAT_CLI_CMD_ROTATE, cli_cmd_rotate},
};

/** @brief The handler of @p id (every command of the table has one). */
static cli_handler_fn cli_handler(ccat_cli_command_t id)
{
    for (size_t i = 0; i < sizeof cli_handlers / sizeof cli_handlers[0]; i++) {
        if (cli_handlers[i].id == id)
            return cli_handlers[i].run;
    }
    return NULL;
}

/** @brief Open the network, run the command, wipe everything. */
static int cli_send(cli_run_t *r)
{
    ccat_client_config_t cfg;
    ccat_client_t client;
    ccat_status_t st;
    int code = cli_net_open(&cli_net, r);

    if (code != 0)
        return code;
    cli_config(r, &cli_net, &cfg);
    st = ccat_client_init(&client, &cfg);
    if (st == CCAT_OK) {
        client.trace = cli_debug_on ? cli_trace : NULL;
        client.trace_ctx = NULL;
        code = cli_handler(r->cmd->id)(r, &client);
        ccat_client_wipe(&client);
    } else {
        fprintf(stderr, "ccat: error: CCAT_%s\n", ccat_status_name(st));
        code = ccat_cli_exit_code(st);
    }
    cli_net_close(&cli_net);
    ccat_wipe(cli_buffer, sizeof cli_buffer);
    return code;
}

/** @brief A parameter the library refuses: the AWS CLI's exit code 252. */
static int cli_param_error(ccat_cli_args_t *a, const char *what)
{
    (void)snprintf(a->error, sizeof a->error, "%s", what);
    return CCAT_CLI_EXIT_USAGE;
}

/** @brief Check the command's parameters with the library's own checks, so
 * that nothing is sent (and no token needed) when they are bad. */
static int cli_params(cli_run_t *r)
{
    ccat_cli_args_t *a = r->args;
    ccat_list_params_t lp = {0, cli_next};

    switch (r->cmd->id) {
    case CCAT_CLI_CMD_CREATE:
        return ccat_cli_params_build(a, &r->params);
    case CCAT_CLI_CMD_DELETE:
        return ccat_access_token_id_check(a->id) == CCAT_OK
                   ? 0 : cli_param_error(a, "argument --id: must be 1 to 36 characters of valid UTF-8");
    case CCAT_CLI_CMD_LIST:
        cli_next[0] = '\0';
        cli_next_out[0] = '\0';
        if (a->starting_token != NULL &&
            ccat_cli_paging_token_decode(a->starting_token, cli_next, sizeof cli_next, &r->skip) != 0)
            return cli_param_error(a, "argument --starting-token: not a token this command printed");
        if (a->next_token != NULL) {
            if (strlen(a->next_token) >= sizeof cli_next)
                return cli_param_error(a, "argument --next-token: longer than 10000 characters");
            memcpy(cli_next, a->next_token, strlen(a->next_token) + 1);
        }
        return ccat_list_params_check(&lp) == CCAT_OK
                   ? 0 : cli_param_error(a, a->next_token != NULL
                                                ? "argument --next-token: must be 1 to 10000 characters "
                                                  "of valid UTF-8 without control characters"
                                                : "argument --starting-token: holds an invalid token");
    default:
        return 0;
    }
}

/** @brief A service command: validate everything, then send. */
static int cli_run(ccat_cli_args_t *a)
{
    cli_run_t r;
    int code;

    memset(&r, 0, sizeof r);
    r.args = a;
    r.cmd = ccat_cli_command_find(a->command);
    if (ccat_cli_args_resolve(a, cli_getenv) != 0 || cli_params(&r) != 0)
        return cli_error(CCAT_CLI_EXIT_USAGE, a->error);
    if (ccat_endpoint_parse(a->endpoint_url, &r.endpoint) != CCAT_OK)
        return cli_error(CCAT_CLI_EXIT_USAGE,
                         "invalid endpoint URL (from --endpoint-url or $AWS_ENDPOINT_URL*): "
                         "expected http[s]://host[:port][/path]");
    cli_debug_setup(&r);
    /* rotate-access-token needs a token only to provision (--access-token-id). */
    code = a->command == CCAT_CLI_CMD_ROTATE && a->rotate[4] == NULL ? 0 : cli_token_load(&r);
    if (code == 0)
        code = cli_send(&r);
    ccat_wipe(cli_token, sizeof cli_token);
    return code;
}

int main(int argc, char **argv)
{
    ccat_cli_args_t args;

    (void)signal(SIGPIPE, SIG_IGN); /* a closed pipe is an error return, not a kill */
    cli_platform_init();
    int rc = ccat_cli_args_parse(argc, argv, &args);
    if (rc == CCAT_CLI_EXIT_USAGE)
        return cli_usage_error(&args);
    if (rc != 0)
        return cli_error(rc, args.error);
    switch (args.command) {
    case CCAT_CLI_CMD_HELP:
        fputs(ccat_cli_usage, stdout);
        return CCAT_CLI_EXIT_OK;
    case CCAT_CLI_CMD_VERSION:
        printf("ccat/%s %s\n", CCAT_VERSION_STRING, cli_platform);
        return CCAT_CLI_EXIT_OK;
    default:
        cli_debug_on = args.debug;
        return cli_run(&args);
    }
}
