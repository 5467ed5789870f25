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
        ccat_cli_service_error_print(f, e, &resp, retries);
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
    /* Network text cannot forge lines or escape sequences. */
    error_line(&ctl, 400, "{}", -1, out, sizeof out);
    CHECK_EQ_STR(out, "An error occurred (Bad?Code) " OP ": line1?line2??[31m\n");
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
    test_token_file();
    rmdir(tmp_dir);
    return test_summary("cli_unit_output");
}
