/* Unit tests of the ccat CLI's output (JSON, exit codes, failure phrases)
 * and --token-file reading (boards/linux/output.c, token.c). */
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../test.h"
#include "cli.h"

/* Prints @p tok into a temporary file and reads the text back into @p out. */
static int print_to_text(const ccat_access_token_t *tok, char *out, size_t cap)
{
    FILE *f = tmpfile();
    int rc;
    size_t n;
    if (f == NULL)
        return -2;
    rc = ccat_cli_token_print(fileno(f), tok);
    rewind(f);
    n = fread(out, 1, cap - 1, f);
    out[n] = '\0';
    fclose(f);
    return rc;
}

static void test_token_json(void)
{
    ccat_access_token_t tok = {"s3cr\"t", 6, "my-device", "id-1", 1893553445LL * 1000000};
    char text[4096];
    CHECK_EQ_INT(print_to_text(&tok, text, sizeof text), 0);
    CHECK_EQ_STR(text, "{\n"
                       "    \"secret\": \"s3cr\\\"t\",\n"
                       "    \"name\": \"my-device\",\n"
                       "    \"expiresTime\": \"2030-01-02T03:04:05Z\",\n"
                       "    \"accessTokenId\": \"id-1\"\n"
                       "}\n");
    tok.expires_time += 123456;
    CHECK_EQ_INT(print_to_text(&tok, text, sizeof text), 0);
    CHECK(strstr(text, "\"expiresTime\": \"2030-01-02T03:04:05.123456Z\",\n") != NULL);
}

/* Same escaping as Python's json.dumps(ensure_ascii=False), which the AWS CLI uses. */
static void test_escaping(void)
{
    char raw[40], want[400], text[4096];
    ccat_access_token_t tok = {"x", 1, raw, "i", 0};
    size_t w = 0;
    for (int c = 1; c < 0x20; c++)
        raw[c - 1] = (char)c;
    memcpy(raw + 31, "\\\"\x7f\xc3\xa9/", 7); /* backslash quote DEL é slash */
    raw[38] = '\0';
    for (int c = 1; c < 0x20; c++) {
        const char *s = c == '\b' ? "\\b" : c == '\f' ? "\\f" : c == '\n' ? "\\n"
                      : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
        if (s)
            w += (size_t)sprintf(want + w, "%s", s);
        else
            w += (size_t)sprintf(want + w, "\\u%04x", (unsigned)c);
    }
    sprintf(want + w, "\\\\\\\"\x7f\xc3\xa9/");
    CHECK_EQ_INT(print_to_text(&tok, text, sizeof text), 0);
    CHECK(strstr(text, want) != NULL);
    CHECK(strstr(text, "\\u001f") != NULL && strstr(text, "\\u001F") == NULL);
}

/* A secret with an embedded NUL is printed whole (secret_len, not strlen). */
static void test_secret_len_and_long(void)
{
    static char big[20001];
    char *text = malloc(30000);
    ccat_access_token_t tok = {"a\0b", 3, "n", "i", 0};
    CHECK_EQ_INT(print_to_text(&tok, text, 30000), 0);
    CHECK(strstr(text, "\"secret\": \"a\\u0000b\"") != NULL);
    memset(big, 'k', 20000); /* larger than the writer's buffer: flushed in pieces */
    tok.secret = big;
    tok.secret_len = 20000;
    CHECK_EQ_INT(print_to_text(&tok, text, 30000), 0);
    CHECK_EQ_INT(strlen(text), 20000 + 107);
    CHECK(strstr(text, "kkk\",\n    \"name\"") != NULL);
    free(text);
}

static void test_write_failure(void)
{
    ccat_access_token_t tok = {"x", 1, "n", "i", 0};
    int p[2];
    CHECK_EQ_INT(ccat_cli_token_print(-1, &tok), -1);
    CHECK(pipe(p) == 0);
    close(p[0]);
    CHECK_EQ_INT(ccat_cli_token_print(p[1], &tok), -1); /* EPIPE, SIGPIPE ignored */
    close(p[1]);
    tok.expires_time = INT64_MAX; /* cannot be formatted: nothing printed */
    CHECK_EQ_INT(ccat_cli_token_print(-1, &tok), -1);
}

static void test_exit_codes(void)
{
    CHECK_EQ_INT(ccat_cli_exit_code(CCAT_OK), 0);
    CHECK_EQ_INT(ccat_cli_exit_code(CCAT_ERR_TOKEN_MISSING), 253);
    CHECK_EQ_INT(ccat_cli_exit_code(CCAT_ERR_TOKEN_INVALID), 252);
    CHECK_EQ_INT(ccat_cli_exit_code(CCAT_ERR_NAME_LENGTH), 252);
    CHECK_EQ_INT(ccat_cli_exit_code(CCAT_ERR_NAME_UTF8), 252);
    CHECK_EQ_INT(ccat_cli_exit_code(CCAT_ERR_EXPIRES_RANGE), 252);
    CHECK_EQ_INT(ccat_cli_exit_code(CCAT_ERR_ENDPOINT), 252);
    CHECK_EQ_INT(ccat_cli_exit_code(CCAT_ERR_TIME_FORMAT), 252);
    CHECK_EQ_INT(ccat_cli_exit_code(CCAT_ERR_ID_INVALID), 252);
    CHECK_EQ_INT(ccat_cli_exit_code(CCAT_ERR_MAX_RESULTS), 252);
    CHECK_EQ_INT(ccat_cli_exit_code(CCAT_ERR_NEXT_TOKEN), 252);
    for (int s = CCAT_ERR_SVC_ACCESS_DENIED; s >= CCAT_ERR_SVC_OTHER; s--)
        CHECK_EQ_INT(ccat_cli_exit_code((ccat_status_t)s), 254);
    for (int s = CCAT_ERR_DNS; s >= CCAT_ERR_RESPONSE_STATUS; s--) {
        if (strcmp(ccat_status_name((ccat_status_t)s), "ERR_UNKNOWN") != 0)
            CHECK_EQ_INT(ccat_cli_exit_code((ccat_status_t)s), 255);
    }
    CHECK_EQ_INT(ccat_cli_exit_code(CCAT_ERR_BUFFER_TOO_SMALL), 255);
    CHECK_EQ_INT(ccat_cli_exit_code(CCAT_ERR_ARGUMENT), 255);
}

static void test_failure_phrases(void)
{
    CHECK_EQ_STR(ccat_cli_failure_phrase(CCAT_ERR_CONNECT), "Could not connect to the endpoint URL");
    CHECK_EQ_STR(ccat_cli_failure_phrase(CCAT_ERR_CONNECT_TIMEOUT), "Connect timeout on endpoint URL");
    CHECK_EQ_STR(ccat_cli_failure_phrase(CCAT_ERR_READ_TIMEOUT), "Read timeout on endpoint URL");
    CHECK(strstr(ccat_cli_failure_phrase(CCAT_ERR_TLS_CERT), "SSL validation failed") != NULL);
    CHECK(strstr(ccat_cli_failure_phrase(CCAT_ERR_HTTP_CHUNK_SIZE), "Malformed HTTP") != NULL);
    CHECK(strstr(ccat_cli_failure_phrase(CCAT_ERR_JSON_SYNTAX), "not valid JSON") != NULL);
    CHECK(strstr(ccat_cli_failure_phrase(CCAT_ERR_RESPONSE_STATUS), "Unexpected HTTP status") != NULL);
    CHECK(strstr(ccat_cli_failure_phrase((ccat_status_t)-999), "Unexpected failure") != NULL);
    /* The network failures are told apart. */
    for (int a = CCAT_ERR_DNS; a >= CCAT_ERR_SEND_TIMEOUT; a--) {
        for (int b = a - 1; b >= CCAT_ERR_SEND_TIMEOUT; b--)
            CHECK(strcmp(ccat_cli_failure_phrase((ccat_status_t)a),
                         ccat_cli_failure_phrase((ccat_status_t)b)) != 0);
    }
}

/* The service error line for response @p status / @p body and error @p e. */
static void error_line(const ccat_error_t *e, int status, const char *body, int retries,
                       char *out, size_t cap)
{
    char buf[256];
    ccat_http_response_t resp;
    FILE *f = tmpfile();
    size_t n = 0;
    memset(&resp, 0, sizeof resp);
    snprintf(buf, sizeof buf, "%s", body);
    resp.status = status;
    resp.body = buf;
    resp.body_len = strlen(buf);
    if (f != NULL) {
        ccat_cli_service_error_print(f, "CreateAccessToken", e, &resp, retries);
        rewind(f);
        n = fread(out, 1, cap - 1, f);
        fclose(f);
    }
    out[n] = '\0';
}

#define OP "when calling the CreateAccessToken operation"

static void test_service_error_line(void)
{
    ccat_error_t e = {409, "ConflictException", "in use \xc3\xa9", "rid"};
    ccat_error_t none = {503, NULL, NULL, NULL};
    ccat_error_t html = {502, "FromHeader", "<html><body>Bad Gateway</body></html>", NULL};
    ccat_error_t json500 = {500, NULL, "json, no code", NULL};
    ccat_error_t ctl = {400, "Bad\nCode", "line1\nline2\r\x1b[31m", NULL};
    char out[512];

    error_line(&e, 409, "{}", -1, out, sizeof out);
    CHECK_EQ_STR(out, "An error occurred (ConflictException) " OP ": in use \xc3\xa9\n");
    error_line(&e, 409, "{}", 2, out, sizeof out);
    CHECK_EQ_STR(out, "An error occurred (ConflictException) " OP
                      " (reached max retries: 2): in use \xc3\xa9\n");
    /* botocore's generic 5xx: empty, blank or HTML body -> status and reason phrase. */
    error_line(&none, 503, "", -1, out, sizeof out);
    CHECK_EQ_STR(out, "An error occurred (503) " OP ": Service Unavailable\n");
    error_line(&none, 503, " \r\n\t", -1, out, sizeof out);
    CHECK_EQ_STR(out, "An error occurred (503) " OP ": Service Unavailable\n");
    error_line(&html, 502, "\n<html><body>Bad Gateway</body></html>", -1, out, sizeof out);
    CHECK_EQ_STR(out, "An error occurred (502) " OP ": Bad Gateway\n");
    none.http_status = 599;
    error_line(&none, 599, "", 0, out, sizeof out);
    CHECK_EQ_STR(out, "An error occurred (599) " OP " (reached max retries: 0): \n");
    none.http_status = 511;
    error_line(&none, 511, "", -1, out, sizeof out);
    CHECK_EQ_STR(out, "An error occurred (511) " OP ": Network Authentication Required\n");
    /* Not generic: a 5xx with a JSON body, and HTML below 500. */
    error_line(&json500, 500, "{\"message\": \"json, no code\"}", -1, out, sizeof out);
    CHECK_EQ_STR(out, "An error occurred (500) " OP ": json, no code\n");
    html.http_status = 404;
    error_line(&html, 404, "<html></html>", -1, out, sizeof out);
    CHECK_EQ_STR(out, "An error occurred (FromHeader) " OP
                      ": <html><body>Bad Gateway</body></html>\n");
    /* The operation is named as given. */
    {
        FILE *f = tmpfile();
        char line[256] = "";
        ccat_http_response_t resp;
        memset(&resp, 0, sizeof resp);
        resp.status = 409;
        if (f != NULL) {
            ccat_cli_service_error_print(f, "DeleteAccessToken", &e, &resp, -1);
            rewind(f);
            line[fread(line, 1, sizeof line - 1, f)] = '\0';
            fclose(f);
        }
        CHECK_EQ_STR(line, "An error occurred (ConflictException) when calling the "
                           "DeleteAccessToken operation: in use \xc3\xa9\n");
    }
    /* Network text cannot forge lines or escape sequences. */
    error_line(&ctl, 400, "{}", -1, out, sizeof out);
    CHECK_EQ_STR(out, "An error occurred (Bad?Code) " OP ": line1?line2??[31m\n");
}

/* Everything @p fn prints on a temporary FILE, as a string. */
static const char *printed(void (*fn)(FILE *, const void *), const void *arg)
{
    static char out[2048];
    FILE *f = tmpfile();
    size_t n = 0;
    if (f != NULL) {
        fn(f, arg);
        rewind(f);
        n = fread(out, 1, sizeof out - 1, f);
        fclose(f);
    }
    out[n] = '\0';
    return out;
}

/* A page of list output: items[0..n), then the token line. */
typedef struct list_case {
    const ccat_access_token_summary_t *items;
    unsigned n;
    const char *key, *token;
} list_case_t;

static void print_list(FILE *f, const void *arg)
{
    const list_case_t *c = arg;
    ccat_cli_list_begin(f);
    for (unsigned i = 0; i < c->n; i++)
        ccat_cli_list_item(f, &c->items[i], i);
    ccat_cli_list_end(f, c->n, c->key, c->token);
}

static void print_identity(FILE *f, const void *arg)
{
    ccat_cli_identity_print(f, arg);
}

static void test_list_output(void)
{
    /* Python's json.dumps(indent=4, ensure_ascii=False) of the parsed page. */
    ccat_access_token_summary_t it[2] = {
        {"id-1", "n\"\xc3\xa9\x01", 1827341513LL * 1000000 + 250000, 1},
        {"id-2", "plain", 0, 0},
    };
    list_case_t empty = {it, 0, "NextToken", ""}, two = {it, 2, "nextToken", "t/+=="};
    CHECK_EQ_STR(printed(print_list, &empty), "{\n    \"items\": []\n}\n");
    CHECK_EQ_STR(printed(print_list, &two),
                 "{\n    \"items\": [\n        {\n            \"id\": \"id-1\",\n"
                 "            \"name\": \"n\\\"\xc3\xa9\\u0001\",\n"
                 "            \"expiresTime\": \"2027-11-27T18:51:53.250000Z\"\n        },\n"
                 "        {\n            \"id\": \"id-2\",\n            \"name\": \"plain\"\n        }\n"
                 "    ],\n    \"nextToken\": \"t/+==\"\n}\n");
    CHECK_EQ_STR(printed(print_identity, "u-1"), "{\n    \"identity\": \"u-1\"\n}\n");
    CHECK_EQ_STR(printed(print_identity, NULL), ""); /* the AWS CLI prints no empty output */
}

static void test_paging_tokens(void)
{
    /* What botocore's TokenEncoder writes (base64 of json.dumps, ensure_ascii). */
    static char out[CCAT_CLI_PAGING_TOKEN_MAX], next[64];
    uint32_t skip = 99;
    CHECK(ccat_cli_paging_token_encode(NULL, 2, out, sizeof out) > 0);
    CHECK_EQ_STR(out, "eyJuZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ==");
    CHECK(ccat_cli_paging_token_encode("abc", -1, out, sizeof out) > 0);
    CHECK_EQ_STR(out, "eyJuZXh0VG9rZW4iOiAiYWJjIn0=");
    CHECK(ccat_cli_paging_token_encode("a\"\\/\xc3\xa9\xf0\x9f\x98\x80\n\x01", 0, out, sizeof out) > 0);
    CHECK_EQ_STR(out, "eyJuZXh0VG9rZW4iOiAiYVwiXFwvXHUwMGU5XHVkODNkXHVkZTAwXG5cdTAwMDEiLCAiYm90b190"
                      "cnVuY2F0ZV9hbW91bnQiOiAwfQ==");
    CHECK_EQ_INT(ccat_cli_paging_token_encode("abc", -1, out, 28), 0); /* no room for the NUL */
    CHECK_EQ_INT(ccat_cli_paging_token_encode("abc", -1, out, 29), 28);

    /* Read back, members in any order, escapes decoded. */
    CHECK_EQ_INT(ccat_cli_paging_token_decode("eyJuZXh0VG9rZW4iOiAiYVwiXFwvXHUwMGU5XHVkODNkXHVkZTAwXG5cdTAw"
                                              "MDEiLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAwfQ==",
                                              next, sizeof next, &skip), 0);
    CHECK_EQ_STR(next, "a\"\\/\xc3\xa9\xf0\x9f\x98\x80\n\x01");
    CHECK_EQ_INT(skip, 0);
    CHECK_EQ_INT(ccat_cli_paging_token_decode("eyJib3RvX3RydW5jYXRlX2Ftb3VudCI6IDcsICJuZXh0VG9rZW4iOiAieFx1MDBlOSJ9",
                                              next, sizeof next, &skip), 0);
    CHECK_EQ_STR(next, "x\xc3\xa9");
    CHECK_EQ_INT(skip, 7);
    CHECK_EQ_INT(ccat_cli_paging_token_decode("eyJuZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ==",
                                              next, sizeof next, &skip), 0);
    CHECK(next[0] == '\0' && skip == 2);
    /* botocore's fallbacks: a plain service token, TOKEN___N, None. */
    CHECK(ccat_cli_paging_token_decode("plain/token+x", next, sizeof next, &skip) == 0 &&
          strcmp(next, "plain/token+x") == 0 && skip == 0);
    CHECK(ccat_cli_paging_token_decode("WzFd", next, sizeof next, &skip) == 0 && /* base64 of [1] */
          strcmp(next, "WzFd") == 0);
    CHECK(ccat_cli_paging_token_decode("tok___3", next, sizeof next, &skip) == 0 &&
          strcmp(next, "tok") == 0 && skip == 3);
    CHECK(ccat_cli_paging_token_decode("None___4", next, sizeof next, &skip) == 0 &&
          next[0] == '\0' && skip == 4);
    CHECK(ccat_cli_paging_token_decode("tok___x", next, sizeof next, &skip) == 0 &&
          strcmp(next, "tok___x") == 0 && skip == 0);
    /* A JSON object of another form, or a token that does not fit: refused. */
    CHECK_EQ_INT(ccat_cli_paging_token_decode("eyJuZXh0VG9rZW4iOiAieCIsICJvdGhlciI6IDF9", next, sizeof next, &skip), -1);
    memset(out, 'a', 100);
    out[100] = '\0';
    CHECK_EQ_INT(ccat_cli_paging_token_decode(out, next, sizeof next, &skip), -1);
    /* Every token this CLI writes reads back as written. */
    int same = 1;
    for (int c = 1; c < 0x80; c++) {
        char tok[4] = {'x', (char)c, 'y', '\0'};
        ccat_cli_paging_token_encode(tok, c, out, sizeof out);
        same &= ccat_cli_paging_token_decode(out, next, sizeof next, &skip) == 0 &&
                strcmp(next, tok) == 0 && skip == (uint32_t)c;
    }
    CHECK(same);
}

static char tmp_dir[] = "/tmp/ccat_cli_unit_XXXXXX";

/* Writes @p n bytes to a new file in tmp_dir and returns its path. */
static const char *make_file(const char *name, const char *data, size_t n)
{
    static char path[128];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    f = fopen(path, "wb");
    if (f != NULL) {
        fwrite(data, 1, n, f);
        fclose(f);
    }
    return path;
}

/* Reads the token file holding data[0..n); returns the exit code. */
static int read_token(const char *data, size_t n, char *buf, const char **why)
{
    return ccat_cli_token_file_read(make_file("token", data, n), buf, CCAT_CLI_TOKEN_BUF, why);
}

static void test_token_file(void)
{
    static char buf[CCAT_CLI_TOKEN_BUF], big[CCAT_CLI_TOKEN_MAX + 3];
    const char *why = NULL;

    CHECK(read_token("tok", 3, buf, &why) == 0 && strcmp(buf, "tok") == 0);
    CHECK(read_token("tok\n", 4, buf, &why) == 0 && strcmp(buf, "tok") == 0);
    CHECK(read_token("tok\r\n", 5, buf, &why) == 0 && strcmp(buf, "tok") == 0);
    CHECK(read_token("tok\n\n", 5, buf, &why) == 0 && strcmp(buf, "tok\n") == 0);
    CHECK(read_token("tok\r", 4, buf, &why) == 0 && strcmp(buf, "tok\r") == 0);
    CHECK(read_token("", 0, buf, &why) == 0 && buf[0] == '\0');
    CHECK(read_token("\n", 1, buf, &why) == 0 && buf[0] == '\0');

    memset(big, 'a', sizeof big);
    CHECK(read_token(big, CCAT_CLI_TOKEN_MAX, buf, &why) == 0 &&
          strlen(buf) == CCAT_CLI_TOKEN_MAX);
    memcpy(big + CCAT_CLI_TOKEN_MAX, "\r\n", 2);
    CHECK(read_token(big, CCAT_CLI_TOKEN_MAX + 2, buf, &why) == 0 &&
          strlen(buf) == CCAT_CLI_TOKEN_MAX);
    big[CCAT_CLI_TOKEN_MAX] = 'a';
    why = NULL;
    CHECK_EQ_INT(read_token(big, CCAT_CLI_TOKEN_MAX + 1, buf, &why), CCAT_CLI_EXIT_USAGE);
    CHECK(why != NULL && strstr(why, "longer") != NULL);
    CHECK(buf[0] == '\0' && buf[100] == '\0'); /* wiped */
    memset(big, 'a', sizeof big);
    CHECK_EQ_INT(read_token(big, sizeof big, buf, &why), CCAT_CLI_EXIT_USAGE);

    CHECK_EQ_INT(read_token("ab\0cd", 5, buf, &why), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(why, "NUL") != NULL && buf[0] == '\0');
    CHECK_EQ_INT(ccat_cli_token_file_read("/nonexistent/ccat", buf, sizeof buf, &why),
                 CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(why, "open") != NULL);
    CHECK_EQ_INT(ccat_cli_token_file_read(tmp_dir, buf, sizeof buf, &why), CCAT_CLI_EXIT_USAGE);
    CHECK(strstr(why, "read") != NULL);
    CHECK_EQ_INT(ccat_cli_token_file_read(tmp_dir, buf, 16, &why), CCAT_CLI_EXIT_USAGE);
    unlink(make_file("token", "", 0));
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (mkdtemp(tmp_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_token_json();
    test_escaping();
    test_secret_len_and_long();
    test_write_failure();
    test_exit_codes();
    test_failure_phrases();
    test_service_error_line();
    test_list_output();
    test_paging_tokens();
    test_token_file();
    rmdir(tmp_dir);
    return test_summary("cli_unit_output");
}
