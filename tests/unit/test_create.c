/* CreateAccessToken, sans-I/O: parameter checks, request bytes, response reading. */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>

#include "ccat/ccat.h"
#include "internal.h"
#include "test.h"

#define BENCH_TOKEN "eyJraWQiOiJrZXktMSIsImFsZyI6IkVTMjU2In0.payload.sig"

static void check_params(void)
{
    ccat_create_params_t p = {"device-42", 0, 0};
    CHECK_EQ_INT(ccat_create_params_check(&p), CCAT_OK);
    p.name = "";
    CHECK_EQ_INT(ccat_create_params_check(&p), CCAT_ERR_NAME_LENGTH);
    char name[512];
    /* 100 two-byte code points pass, 101 do not: the limit counts characters. */
    for (int i = 0; i < 101; i++) {
        memcpy(name + 2 * i, "\xc3\xa9", 2);
    }
    name[200] = '\0';
    p.name = name;
    CHECK_EQ_INT(ccat_create_params_check(&p), CCAT_OK);
    name[200] = '\xc3';
    name[202] = '\0';
    CHECK_EQ_INT(ccat_create_params_check(&p), CCAT_ERR_NAME_LENGTH);
    /* 25 four-byte emoji = 100 bytes of 4-byte UTF-8, 25 code points. */
    for (int i = 0; i < 25; i++) {
        memcpy(name + 4 * i, "\xf0\x9f\x98\x80", 4);
    }
    name[100] = '\0';
    CHECK_EQ_INT(ccat_create_params_check(&p), CCAT_OK);
    const char *bad_utf8[] = {"\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80"};
    for (size_t i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
        p.name = bad_utf8[i];
        CHECK_EQ_INT(ccat_create_params_check(&p), CCAT_ERR_NAME_UTF8);
    }
    p.name = "x";
    p.has_expires_time = 1;
    p.expires_time = 253402300800LL * 1000000LL;
    CHECK_EQ_INT(ccat_create_params_check(&p), CCAT_ERR_EXPIRES_RANGE);
    p.expires_time = 0;
    CHECK_EQ_INT(ccat_create_params_check(&p), CCAT_OK);
    p.name = NULL;
    CHECK_EQ_INT(ccat_create_params_check(&p), CCAT_ERR_ARGUMENT);

    CHECK_EQ_INT(ccat_bearer_token_check(NULL), CCAT_ERR_TOKEN_MISSING);
    CHECK_EQ_INT(ccat_bearer_token_check(""), CCAT_ERR_TOKEN_MISSING);
    CHECK_EQ_INT(ccat_bearer_token_check(BENCH_TOKEN), CCAT_OK);
    const char *bad_tokens[] = {"a\rb", "a\nb", "a\tb", "\x01", "a\x7f"};
    for (size_t i = 0; i < 5; i++) {
        CHECK_EQ_INT(ccat_bearer_token_check(bad_tokens[i]), CCAT_ERR_TOKEN_INVALID);
    }
    /* Every control character at every offset of a word-sized scan is found;
     * printable ASCII and UTF-8 bytes >= 0x80 are not refused. */
    char tok[40];
    int found = 1;
    for (int pos = 0; pos < 37; pos++) {
        for (int c = 1; c < 0x100; c++) {
            memset(tok, 'A', 37);
            tok[37] = '\0';
            tok[pos] = (char)c;
            int control = c < 0x20 || c == 0x7f;
            found &= ccat_bearer_token_check(tok) == (control ? CCAT_ERR_TOKEN_INVALID : CCAT_OK);
        }
    }
    CHECK(found);
}

static const char bench_request[] =
    "PUT /v1/accessTokens HTTP/1.1\r\n"
    "Host: codecatalyst.global.api.aws\r\n"
    "User-Agent: ccat/" CCAT_VERSION_STRING " test/1\r\n"
    "Authorization: Bearer " BENCH_TOKEN "\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 57\r\n"
    "\r\n"
    "{\"name\":\"device-42\",\"expiresTime\":\"2027-11-27T18:51:53Z\"}";


static void check_request(void)
{
    ccat_endpoint_t ep;
    CHECK_EQ_INT(ccat_endpoint_parse(CCAT_ENDPOINT_DEFAULT, &ep), CCAT_OK);
    ccat_request_ctx_t ctx = {&ep, BENCH_TOKEN, "test/1"};
    ccat_create_params_t p = {"device-42", 1827341513LL * 1000000LL, 1};
    char buf[1024];
    size_t len = 0;
    CHECK_EQ_INT(ccat_create_request_write(&ctx, &p, buf, sizeof(buf), &len), CCAT_OK);
    CHECK_EQ_INT(len, sizeof(bench_request) - 1);
    CHECK(memcmp(buf, bench_request, sizeof(bench_request) - 1) == 0);

    /* Every capacity short of the request fails cleanly and leaves no token behind. */
    size_t need = len;
    int clean = 1;
    for (size_t cap = 0; cap < need; cap++) {
        memset(buf, 'x', sizeof(buf));
        size_t out = 99;
        if (ccat_create_request_write(&ctx, &p, buf, cap, &out) != CCAT_ERR_BUFFER_TOO_SMALL ||
            out != 0 || !all_zero(buf, cap) || buf[cap] != 'x') {
            clean = 0;
        }
    }
    CHECK(clean);
    CHECK_EQ_INT(ccat_create_request_write(&ctx, &p, buf, need, &len), CCAT_OK);

    /* Port, base path, IPv6 literal, no expiry, escaping. */
    CHECK_EQ_INT(ccat_endpoint_parse("http://[::1]:8080/api/", &ep), CCAT_OK);
    ccat_create_params_t q = {"a\"b\\c\n\x01\xc3\xa9", 0, 0};
    CHECK_EQ_INT(ccat_create_request_write(&ctx, &q, buf, sizeof(buf), &len), CCAT_OK);
    buf[len] = '\0';
    CHECK(strncmp(buf, "PUT /api/v1/accessTokens HTTP/1.1\r\nHost: [::1]:8080\r\n", 52) == 0);
    const char *body = strstr(buf, "\r\n\r\n");
    CHECK(body != NULL);
    CHECK_EQ_STR(body ? body + 4 : NULL, "{\"name\":\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\"}");
    CHECK(strstr(buf, "Content-Length: 28\r\n") != NULL);

    /* Validation comes first: nothing is written for bad input. */
    ctx.bearer_token = "bad\ntoken";
    CHECK_EQ_INT(ccat_create_request_write(&ctx, &q, buf, sizeof(buf), &len), CCAT_ERR_TOKEN_INVALID);
    ctx.bearer_token = NULL;
    CHECK_EQ_INT(ccat_create_request_write(&ctx, &q, buf, sizeof(buf), &len), CCAT_ERR_TOKEN_MISSING);
}

/* botocore's escaping of a JSON string (json.dumps with ensure_ascii=False),
 * written out here independently of the core's: quotes included. */
static size_t ref_json(char *out, const char *s)
{
    char *o = out;
    *o++ = '"';
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        const char *esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b"
                        : c == '\f' ? "\\f" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                        : c == '\t' ? "\\t" : NULL;
        if (esc != NULL) {
            o += sprintf(o, "%s", esc);
        } else if (c < 0x20 || c == 0x7f) {
            o += sprintf(o, "\\u%04x", c);
        } else {
            *o++ = (char)c;
        }
    }
    *o++ = '"';
    *o = '\0';
    return (size_t)(o - out);
}

/* The whole CreateAccessToken request, built with snprintf. */
static size_t ref_request(char *out, size_t cap, const char *platform, const char *name,
                          const char *expires)
{
    char esc[1024], body[1200];
    ref_json(esc, name);
    int blen = expires != NULL
                   ? snprintf(body, sizeof(body), "{\"name\":%s,\"expiresTime\":\"%s\"}", esc, expires)
                   : snprintf(body, sizeof(body), "{\"name\":%s}", esc);
    return (size_t)snprintf(out, cap,
                            "PUT /v1/accessTokens HTTP/1.1\r\nHost: codecatalyst.global.api.aws\r\n"
                            "User-Agent: ccat/" CCAT_VERSION_STRING " %s\r\n"
                            "Authorization: Bearer " BENCH_TOKEN "\r\n"
                            "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
                            platform != NULL ? platform : CCAT_PLATFORM_STRING, blen, body);
}

/* Writes the request for name (and expiry) and compares it with ref_request();
 * every capacity short of it must fail cleanly when sweep is set, else the
 * one just short. Returns 1 when all holds. */
static int request_matches(const char *platform, const char *name, int has_expires,
                           ccat_time_t expires, int sweep)
{
    static ccat_endpoint_t ep;
    if (ep.host[0] == '\0' && ccat_endpoint_parse(CCAT_ENDPOINT_DEFAULT, &ep) != CCAT_OK) {
        return 0;
    }
    ccat_request_ctx_t ctx = {&ep, BENCH_TOKEN, platform};
    ccat_create_params_t p = {name, expires, (uint8_t)has_expires};
    char text[CCAT_TIME_TEXT_MAX], want[2048], buf[2048];
    if (has_expires && ccat_time_format(expires, text) <= 0) {
        return 0;
    }
    size_t need = ref_request(want, sizeof(want), platform, name, has_expires ? text : NULL);
    size_t len = 0;
    if (ccat_create_request_write(&ctx, &p, buf, sizeof(buf), &len) != CCAT_OK || len != need ||
        memcmp(buf, want, need) != 0) {
        return 0;
    }
    for (size_t cap = sweep ? 0 : need - 1; cap <= need; cap++) {
        memset(buf, 'x', sizeof(buf));
        size_t out = 99;
        ccat_status_t st = ccat_create_request_write(&ctx, &p, buf, cap, &out);
        if (cap == need ? st != CCAT_OK || out != need || memcmp(buf, want, need) != 0
                        : st != CCAT_ERR_BUFFER_TOO_SMALL || out != 0 || !all_zero(buf, cap)) {
            return 0;
        }
        if (buf[cap] != 'x') {
            return 0;
        }
    }
    return 1;
}

/* The request's bytes for names that take the plain-copy path (printable
 * ASCII without '"' or '\\') and names that leave it at any byte, of every
 * length around the word size and the Content-Length digit counts (2 and 3:
 * the body moves for 3), with and without an expiry (with and without
 * microseconds) and with the default, a given and an empty platform. */
static void check_request_shapes(void)
{
    const ccat_time_t bench = 1827341513LL * 1000000LL;
    char name[512];
    int ok = 1;
    for (size_t n = 1; n <= 100; n++) {
        for (size_t i = 0; i < n; i++) {
            name[i] = (char)(0x20 + (i * 7 + n) % 0x5f); /* all of 0x20..0x7e but for */
            if (name[i] == '"' || name[i] == '\\') {      /* the two escaped ones */
                name[i] = 'q';
            }
        }
        name[n] = '\0';
        ok &= request_matches(NULL, name, 1, bench, n == 1 || n == 51 || n == 52 || n == 100);
        ok &= request_matches(NULL, name, 0, 0, n == 88 || n == 89);
        ok &= request_matches("test/1", name, 1, bench + 123456, 0);
        ok &= request_matches("", name, 1, -1, 0);
    }
    CHECK(ok);

    /* One byte that is not plain, at every offset of names of 1..24 bytes:
     * escaped (each kind), or UTF-8 passed through. */
    static const char *const odd[] = {"\"", "\\", "\n", "\x01", "\x1f", "\x7f", "\t", "\xc3\xa9",
                                      "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    ok = 1;
    for (size_t k = 0; k < sizeof(odd) / sizeof(odd[0]); k++) {
        for (size_t n = 1; n <= 24; n++) {
            for (size_t at = 0; at < n; at++) {
                memset(name, 'n', n);
                size_t m = strlen(odd[k]);
                memcpy(name + at, odd[k], m);
                memset(name + at + m, 'z', n - at);
                name[n + m] = '\0';
                ok &= request_matches(NULL, name, at & 1, bench, n == 9 && at == 8);
            }
        }
    }
    CHECK(ok);
    /* 100 code points, the body past 99 bytes: its length has three digits. */
    memset(name, 'x', 99);
    memcpy(name + 99, "\xc3\xa9", 3);
    CHECK(request_matches(NULL, name, 1, bench, 1));

    /* The plain path counts bytes as code points: 100 pass, 101 do not; a
     * DEL is one code point (and escaped), not a reason to refuse. */
    ccat_create_params_t p = {name, 0, 0};
    memset(name, 'a', 101);
    name[100] = '\0';
    CHECK_EQ_INT(ccat_create_params_check(&p), CCAT_OK);
    name[100] = 'a';
    name[101] = '\0';
    CHECK_EQ_INT(ccat_create_params_check(&p), CCAT_ERR_NAME_LENGTH);
    name[50] = '\x7f';
    CHECK_EQ_INT(ccat_create_params_check(&p), CCAT_ERR_NAME_LENGTH);
    name[100] = '\0';
    CHECK_EQ_INT(ccat_create_params_check(&p), CCAT_OK);
    name[7] = '\xff'; /* leaves the plain path at the first word */
    CHECK_EQ_INT(ccat_create_params_check(&p), CCAT_ERR_NAME_UTF8);

    /* Which error wins: the name, then the context and token, then the buffer. */
    ccat_endpoint_t ep;
    CHECK_EQ_INT(ccat_endpoint_parse(CCAT_ENDPOINT_DEFAULT, &ep), CCAT_OK);
    ccat_request_ctx_t ctx = {&ep, "bad\ttoken", NULL};
    char buf[8];
    size_t len = 5;
    p.name = "\xc3";
    CHECK_EQ_INT(ccat_create_request_write(&ctx, &p, buf, 0, &len), CCAT_ERR_NAME_UTF8);
    p.name = "device-42";
    CHECK_EQ_INT(ccat_create_request_write(&ctx, &p, buf, 0, &len), CCAT_ERR_TOKEN_INVALID);
    CHECK_EQ_INT(ccat_create_request_write(NULL, &p, buf, 0, &len), CCAT_ERR_ARGUMENT);
    ctx.bearer_token = "";
    CHECK_EQ_INT(ccat_create_request_write(&ctx, &p, buf, sizeof(buf), &len), CCAT_ERR_TOKEN_MISSING);
    ctx.bearer_token = BENCH_TOKEN;
    memset(buf, 'x', sizeof(buf));
    CHECK_EQ_INT(ccat_create_request_write(&ctx, &p, buf, sizeof(buf), &len),
                 CCAT_ERR_BUFFER_TOO_SMALL);
    CHECK(all_zero(buf, sizeof(buf)));
    CHECK_EQ_INT(len, 0);

    /* A plain name with a base path, a port and an IPv6 literal. */
    CHECK_EQ_INT(ccat_endpoint_parse("http://[::1]:8080/api/", &ep), CCAT_OK);
    char out[1024];
    CHECK_EQ_INT(ccat_create_request_write(&ctx, &p, out, sizeof(out) - 1, &len), CCAT_OK);
    out[len] = '\0';
    CHECK(strncmp(out, "PUT /api/v1/accessTokens HTTP/1.1\r\nHost: [::1]:8080\r\n", 52) == 0);
    CHECK(strstr(out, "\r\nContent-Length: 20\r\n\r\n{\"name\":\"device-42\"}") != NULL);
    CHECK_EQ_INT(strlen(out), len);
}

/* Every control character (and only those) found in tokens of 1..80 bytes,
 * wherever it is: both sides of the 16-byte and word-sized scans, and the
 * request writer's own walk (-Os). */
static void check_token_scan(void)
{
    static const unsigned char bytes[] = {0x01, 0x09, 0x0a, 0x0d, 0x1f, 0x7f, /* controls */
                                          0x20, 0x7e, 0x80, 0xc3, 0xfe, 0xff};
    char tok[96], req[512];
    ccat_endpoint_t ep;
    CHECK_EQ_INT(ccat_endpoint_parse(CCAT_ENDPOINT_DEFAULT, &ep), CCAT_OK);
    ccat_create_params_t p = {"x", 0, 0};
    ccat_request_ctx_t ctx = {&ep, tok, NULL};
    size_t len;
    int ok = 1;
    for (size_t n = 1; n <= 80; n++) {
        for (size_t at = 0; at < n; at++) {
            for (size_t k = 0; k < sizeof(bytes); k++) {
                memset(tok, 'T', n);
                tok[n] = '\0';
                tok[at] = (char)bytes[k];
                ccat_status_t want = k < 6 ? CCAT_ERR_TOKEN_INVALID : CCAT_OK;
                ok &= ccat_bearer_token_check(tok) == want;
                ok &= ccat_has_control(tok, n) == (k < 6);
                ok &= ccat_create_request_write(&ctx, &p, req, sizeof(req), &len) == want;
            }
        }
    }
    CHECK(ok);
}

/* Parses a whole HTTP response text into buf, then reads it as CreateAccessToken. */
static ccat_status_t read_text(const char *text, char *buf, size_t cap, ccat_access_token_t *tok,
                               ccat_error_t *err)
{
    static ccat_http_response_t resp;
    ccat_http_response_init(&resp, buf, cap);
    ccat_status_t st = ccat_http_response_feed(&resp, text, strlen(text));
    if (st != CCAT_OK) {
        return st;
    }
    return ccat_create_response_read(&resp, tok, err);
}

static char *response(const char *status_line, const char *headers, const char *body)
{
    static char text[8192];
    snprintf(text, sizeof(text), "HTTP/1.1 %s\r\n%sContent-Length: %zu\r\n\r\n%s", status_line,
             headers, strlen(body), body);
    return text;
}

#define GOOD_BODY                                                                          \
    "{\"secret\":\"ccpat_SECRETVALUE\",\"name\":\"n\",\"expiresTime\":\"2027-11-27T18:51:53Z\"," \
    "\"accessTokenId\":\"id-1\"}"

static void check_success(void)
{
    char buf[2048];
    ccat_access_token_t tok;
    ccat_error_t err;
    CHECK_EQ_INT(read_text(response("201 Created", "x-amzn-RequestId: r-1\r\n", GOOD_BODY), buf,
                           sizeof(buf), &tok, &err),
                 CCAT_OK);
    CHECK_EQ_STR(tok.secret, "ccpat_SECRETVALUE");
    CHECK_EQ_INT(tok.secret_len, 17);
    CHECK_EQ_STR(tok.name, "n");
    CHECK_EQ_STR(tok.access_token_id, "id-1");
    CHECK_EQ_INT(tok.expires_time, 1827341513LL * 1000000LL);
    CHECK_EQ_INT(err.http_status, 201);
    CHECK_EQ_STR(err.request_id, "r-1");
    ccat_access_token_wipe(&tok);
    CHECK(tok.secret == NULL);
    CHECK(memmem(buf, sizeof(buf), "SECRETVALUE", 11) == NULL);

    /* Reordered, decoys nested at every depth, escapes, offsets. */
    const char *body =
        "{\"decoy\":{\"secret\":\"NO\",\"name\":[\"NO\",{\"accessTokenId\":\"NO\"}]},"
        "\"accessTokenId\" : \"id\\u002d2\", \"expiresTime\":\"2027-11-27T20:51:53.25+02:00\","
        "\"name\":\"\\ud83d\\ude00 \\\"q\\\" \\/\",\"secret\":\"s\\u00e9\",\"n\":[1,2,{\"secret\":null}]}";
    CHECK_EQ_INT(read_text(response("201 Created", "", body), buf, sizeof(buf), &tok, NULL), CCAT_OK);
    CHECK_EQ_STR(tok.secret, "s\xc3\xa9");
    CHECK_EQ_STR(tok.name, "\xf0\x9f\x98\x80 \"q\" /");
    CHECK_EQ_STR(tok.access_token_id, "id-2");
    CHECK_EQ_INT(tok.expires_time, 1827341513LL * 1000000LL + 250000);
}

/* A failed read must leave no byte of the secret in the buffer. */
static void check_bad_body(const char *body, ccat_status_t want)
{
    char buf[2048];
    ccat_access_token_t tok;
    memset(buf, 0, sizeof(buf)); /* only what this read leaves behind counts */
    CHECK_EQ_INT(read_text(response("201 Created", "", body), buf, sizeof(buf), &tok, NULL), want);
    CHECK(tok.secret == NULL);
    CHECK(memmem(buf, sizeof(buf), "SECRETVALUE", 11) == NULL);
}

static void check_bad_success(void)
{
    check_bad_body("{\"secret\":\"SECRETVALUE\",\"name\":\"n\",\"expiresTime\":\"2027-11-27T18:51:53Z\"}",
                   CCAT_ERR_RESPONSE_MISSING);
    check_bad_body("{\"secret\":\"SECRETVALUE\",\"name\":\"n\",\"expiresTime\":\"2027-11-27T18:51:53Z\","
                   "\"accessTokenId\":5}",
                   CCAT_ERR_RESPONSE_TYPE);
    check_bad_body("{\"secret\":\"SECRETVALUE\",\"name\":\"n\",\"expiresTime\":\"tomorrow\","
                   "\"accessTokenId\":\"i\"}",
                   CCAT_ERR_RESPONSE_TYPE);
    check_bad_body("{\"secret\":\"SECRETVALUE\\ud800\",\"name\":\"n\",\"expiresTime\":\"2027-11-27T18:51:53Z\","
                   "\"accessTokenId\":\"i\"}",
                   CCAT_ERR_JSON_STRING);
    check_bad_body("{\"secret\":\"SECRETVALUE\\u0000\",\"name\":\"n\",\"expiresTime\":\"2027-11-27T18:51:53Z\","
                   "\"accessTokenId\":\"i\"}",
                   CCAT_ERR_JSON_STRING);
    check_bad_body("{\"secret\":\"SECRETVALUE\",\"name\":\"\xff\",\"expiresTime\":\"2027-11-27T18:51:53Z\","
                   "\"accessTokenId\":\"i\"}",
                   CCAT_ERR_JSON_STRING);
    check_bad_body("{\"secret\":\"SECRETVALUE\",}", CCAT_ERR_JSON_SYNTAX);
    check_bad_body("[\"SECRETVALUE\"]", CCAT_ERR_RESPONSE_TYPE);
    check_bad_body("", CCAT_ERR_JSON_SYNTAX);

    /* The modeled success is 201: another 2xx is not taken as a token. */
    char buf[2048];
    ccat_access_token_t tok;
    CHECK_EQ_INT(read_text(response("200 OK", "", GOOD_BODY), buf, sizeof(buf), &tok, NULL),
                 CCAT_ERR_RESPONSE_STATUS);
    CHECK(memmem(buf, sizeof(buf), "SECRETVALUE", 11) == NULL);

    /* Room for the body but not for its JSON tokens: a clear error, nothing half-read. */
    const char *text = response("201 Created", "", GOOD_BODY);
    size_t head = strstr(text, "\r\n\r\n") + 4 - text;
    CHECK_EQ_INT(read_text(text, buf, head + strlen(GOOD_BODY) + 8, &tok, NULL),
                 CCAT_ERR_RESPONSE_TOO_LARGE);
    CHECK(memmem(buf, sizeof(buf), "SECRETVALUE", 11) == NULL);
}

static void check_error(const char *status, const char *headers, const char *body,
                        ccat_status_t want, const char *code, const char *message)
{
    char buf[2048];
    ccat_access_token_t tok;
    ccat_error_t err;
    CHECK_EQ_INT(read_text(response(status, headers, body), buf, sizeof(buf), &tok, &err), want);
    CHECK_EQ_INT(err.http_status, atoi(status));
    if (code) {
        CHECK_EQ_STR(err.code, code);
    } else {
        CHECK(err.code == NULL);
    }
    if (message) {
        CHECK_EQ_STR(err.message, message);
    } else {
        CHECK(err.message == NULL);
    }
}

static void check_errors(void)
{
    static const struct {
        const char *status, *code;
        ccat_status_t st;
    } modeled[] = {
        {"403 Forbidden", "AccessDeniedException", CCAT_ERR_SVC_ACCESS_DENIED},
        {"409 Conflict", "ConflictException", CCAT_ERR_SVC_CONFLICT},
        {"404 Not Found", "ResourceNotFoundException", CCAT_ERR_SVC_NOT_FOUND},
        {"402 Payment Required", "ServiceQuotaExceededException", CCAT_ERR_SVC_QUOTA},
        {"429 Too Many Requests", "ThrottlingException", CCAT_ERR_SVC_THROTTLING},
        {"400 Bad Request", "ValidationException", CCAT_ERR_SVC_VALIDATION},
    };
    char hdr[256], body[256];
    for (size_t i = 0; i < 6; i++) {
        snprintf(hdr, sizeof(hdr), "x-amzn-ErrorType: %s:http://internal.amazon.com/coral/\r\n",
                 modeled[i].code);
        check_error(modeled[i].status, hdr, "{\"message\":\"m\"}", modeled[i].st, modeled[i].code, "m");
        snprintf(body, sizeof(body), "{\"Message\":\"M\",\"code\":\"%s\"}", modeled[i].code);
        check_error(modeled[i].status, "", body, modeled[i].st, modeled[i].code, "M");
        snprintf(body, sizeof(body), "{\"__type\":\"aws.codecatalyst#%s:x\"}", modeled[i].code);
        check_error(modeled[i].status, "", body, modeled[i].st, modeled[i].code, NULL);
    }
    /* Header beats body; "code" beats "Code" beats "__type"; "message" beats "Message". */
    check_error("400 Bad Request", "X-AMZN-ERRORTYPE: ValidationException\r\n",
                "{\"code\":\"ConflictException\",\"message\":\"a\",\"Message\":\"b\"}",
                CCAT_ERR_SVC_VALIDATION, "ValidationException", "a");
    check_error("400 Bad Request", "", "{\"Code\":\"B\",\"__type\":\"C\",\"code\":\"A\"}",
                CCAT_ERR_SVC_OTHER, "A", NULL);
    check_error("400 Bad Request", "", "{\"__type\":\"C\",\"Code\":\"B\"}", CCAT_ERR_SVC_OTHER, "B", NULL);
    /* Unknown codes stay visible by name; none at all leaves the status to speak. */
    check_error("418 Teapot", "", "{\"code\":\"TeapotException\"}", CCAT_ERR_SVC_OTHER,
                "TeapotException", NULL);
    check_error("503 Service Unavailable", "", "", CCAT_ERR_SVC_OTHER, NULL, NULL);
    /* Names match exactly: the list's marks, a prefix or a longer name are no match. */
    static const char *const near[] = {"AccessDenied+", "AccessDenied", "AccessDeniedExceptionX",
                                       "AccessDeniedException+", "ThrottlingExceptio",
                                       "Throttling*", "Validation+Exception", "Conflict"};
    for (size_t i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
        snprintf(body, sizeof(body), "{\"code\":\"%s\"}", near[i]);
        check_error("400 Bad Request", "", body, CCAT_ERR_SVC_OTHER, near[i], NULL);
    }
    /* "__type": what follows the last '#' before the first ':'. */
    check_error("400 Bad Request", "", "{\"__type\":\"a#b#ConflictException:c#d\"}",
                CCAT_ERR_SVC_CONFLICT, "ConflictException", NULL);
    check_error("400 Bad Request", "", "{\"__type\":\"a#:b\"}", CCAT_ERR_SVC_OTHER, NULL, NULL);
    /* A "code" that is no string leaves "__type" to speak, not "Code". */
    check_error("400 Bad Request", "", "{\"code\":1,\"Code\":\"B\",\"__type\":\"C\"}",
                CCAT_ERR_SVC_OTHER, "C", NULL);
    check_error("502 Bad Gateway", "", "<html>bad gateway</html>", CCAT_ERR_SVC_OTHER, NULL,
                "<html>bad gateway</html>");
    check_error("400 Bad Request", "", "{\"code\":5,\"message\":7}", CCAT_ERR_SVC_OTHER, NULL, NULL);
}

/* Which error wins when several members are bad: secret, then name, then
 * accessTokenId, then expiresTime; each fault alone and every pair, in
 * plain texts and in texts with an escape elsewhere (decoded member by
 * member). */
static void check_member_precedence(void)
{
    static const char *const names[4] = {"secret", "name", "accessTokenId", "expiresTime"};
    static const char *const good[4] = {"\"SECRETVALUE\"", "\"n\"", "\"id\"", "\"2027-11-27T18:51:53Z\""};
    /* Faults: absent, a number, an empty string; a bad time for expiresTime. */
    static const char *const bad[3] = {NULL, "5", "\"\""};
    static const ccat_status_t bad_st[3] = {CCAT_ERR_RESPONSE_MISSING, CCAT_ERR_RESPONSE_TYPE,
                                            CCAT_ERR_RESPONSE_TYPE};
    for (int extra = 0; extra < 2; extra++) {
        for (int f1 = 0; f1 < 4 * 4; f1++) {
            for (int f2 = 0; f2 < 4 * 4; f2++) {
                int m1 = f1 / 4, k1 = f1 % 4, m2 = f2 / 4, k2 = f2 % 4;
                if (k1 == 3 && m1 != 3) {
                    continue; /* a bad time only for expiresTime */
                }
                if ((k2 == 3 && m2 != 3) || (m1 == m2 && k1 != k2)) {
                    continue; /* one value per member: one fault (f1 == f2) */
                }
                char body[512];
                size_t o = (size_t)snprintf(body, sizeof(body), "{%s", extra ? "\"x\":\"\\u0041\"" : "");
                for (int m = 0; m < 4; m++) {
                    const char *v = good[m];
                    if ((m == m1 && k1 == 3) || (m == m2 && k2 == 3)) {
                        v = "\"2027-11-27T18:51:5Z\"";
                    } else if (m == m1 && k1 < 3) {
                        v = bad[k1];
                    } else if (m == m2 && k2 < 3) {
                        v = bad[k2];
                    }
                    if (v != NULL) {
                        o += (size_t)snprintf(body + o, sizeof(body) - o, "%s\"%s\":%s",
                                              o > 1 ? "," : "", names[m], v);
                    }
                }
                snprintf(body + o, sizeof(body) - o, "}");
                int first = m1 <= m2 ? f1 : f2;
                int k = first % 4;
                ccat_status_t want = k == 3 ? CCAT_ERR_RESPONSE_TYPE : bad_st[k];
                check_bad_body(body, want);
            }
        }
    }
}

/* Reads body (201) and checks the outcome; the same body with an escape in
 * an extra member (read by the general lookup and decoder, where the plain
 * body takes the -O2 plain path) must give the same. */
static void check_read_both(const char *body, ccat_status_t want, const char *secret,
                            const char *name, const char *id)
{
    char escaped[1024];
    size_t n = strlen(body);
    CHECK(n > 2 && n + 16 < sizeof(escaped) && body[n - 1] == '}');
    snprintf(escaped, sizeof(escaped), "%.*s,\"z\":\"\\u0041\"}", (int)(n - 1), body);
    for (int pass = 0; pass < 2; pass++) {
        char buf[2048];
        ccat_access_token_t tok;
        ccat_status_t st = read_text(response("201 Created", "", pass ? escaped : body), buf,
                                     sizeof(buf), &tok, NULL);
        CHECK_EQ_INT(st, want);
        if (st == CCAT_OK && want == CCAT_OK) {
            CHECK_EQ_STR(tok.secret, secret);
            CHECK_EQ_STR(tok.name, name);
            CHECK_EQ_STR(tok.access_token_id, id);
            CHECK_EQ_INT(tok.expires_time, 1827341513LL * 1000000LL);
        }
    }
}

#define EXP "\"expiresTime\":\"2027-11-27T18:51:53Z\""

/* Member lookup in bodies without escapes: decoys nested at every depth,
 * duplicates (the last wins), near-miss names, members in any order. */
static void check_plain_lookup(void)
{
    check_read_both("{\"decoy\":{\"secret\":\"NO\",\"name\":[\"NO\",{\"accessTokenId\":\"NO\"}]},"
                    "\"accessTokenId\":\"id-2\"," EXP ",\"name\":\"nm\",\"secret\":\"s1\","
                    "\"n\":[1,2,{\"secret\":null}]}",
                    CCAT_OK, "s1", "nm", "id-2");
    check_read_both("{\"secret\":\"a\",\"name\":\"n\",\"secret\":\"b\"," EXP
                    ",\"accessTokenId\":\"i\",\"name\":\"m\"}",
                    CCAT_OK, "b", "m", "i");
    check_read_both("{\"secrets\":\"x\",\"secre\":\"x\",\"Secret\":\"x\",\"secreT\":\"x\",\"nam\":\"x\","
                    "\"names\":\"x\",\"nome\":\"x\",\"expiresTim\":\"x\",\"accessTokenID\":\"x\","
                    "\"accessTokenIdd\":\"x\",\"\":\"x\",\"secret\":\"s\",\"name\":\"n\"," EXP
                    ",\"accessTokenId\":\"i\",\"expiresTimf\":1}",
                    CCAT_OK, "s", "n", "i");
    check_read_both("{\"x\":[{\"secret\":\"NO\"},[[\"secret\"]]],\"y\":{\"z\":{\"name\":\"NO\"}},"
                    "\"secret\":\"ok\",\"name\":\"n\"," EXP ",\"accessTokenId\":\"i\",\"w\":{}}",
                    CCAT_OK, "ok", "n", "i");
    /* The member a nested decoy would satisfy is missing, or not a string. */
    check_read_both("{\"x\":{\"secret\":\"NO\"},\"name\":\"n\"," EXP ",\"accessTokenId\":\"i\"}",
                    CCAT_ERR_RESPONSE_MISSING, NULL, NULL, NULL);
    check_read_both("{\"secret\":{\"secret\":\"NO\"},\"name\":\"n\"," EXP ",\"accessTokenId\":\"i\"}",
                    CCAT_ERR_RESPONSE_TYPE, NULL, NULL, NULL);
    check_read_both("{\"secret\":\"s\",\"name\":[\"n\"]," EXP ",\"accessTokenId\":\"i\"}",
                    CCAT_ERR_RESPONSE_TYPE, NULL, NULL, NULL);
    check_read_both("{\"secret\":\"s\",\"name\":\"n\",\"expiresTime\":[],\"accessTokenId\":\"i\"}",
                    CCAT_ERR_RESPONSE_TYPE, NULL, NULL, NULL);
    check_read_both("{\"secret\":\"s\",\"name\":\"n\"," EXP ",\"accessTokenId\":null}",
                    CCAT_ERR_RESPONSE_TYPE, NULL, NULL, NULL);
}

int main(void)
{
    check_params();
    check_request();
    check_request_shapes();
    check_token_scan();
    check_success();
    check_bad_success();
    check_member_precedence();
    check_plain_lookup();
    check_errors();
    return test_summary("create");
}
