/*
 * ListAccessTokens, DeleteAccessToken and VerifySession: request bytes
 * (exact, every too-small buffer, validation), response reading (decoys,
 * optional and null members, every bad page), and the blocking calls over
 * the fake world (paging on one kept-alive connection, retries, faults).
 */
#include "fake_world.h" /* first: it defines _GNU_SOURCE */
#include "ccat/ccat_tokens.h"

#define BT "bearer-TOKENVALUE-123"

/* Writes with every capacity below the request's length: each must fail
 * cleanly, leaving the buffer wiped and nothing past it touched. */
typedef ccat_status_t (*write_fn)(const ccat_request_ctx_t *ctx, const void *in, char *buf,
                                  size_t cap, size_t *len);

static int all_short_caps_fail(write_fn w, const ccat_request_ctx_t *ctx, const void *in,
                               size_t need)
{
    static char buf[16384];
    int clean = 1;
    for (size_t cap = 0; cap < need; cap++) {
        memset(buf, 'x', sizeof(buf));
        size_t out = 99;
        if (w(ctx, in, buf, cap, &out) != CCAT_ERR_BUFFER_TOO_SMALL || out != 0 ||
            !all_zero(buf, cap) || buf[cap] != 'x') {
            clean = 0;
        }
    }
    size_t out = 0;
    return clean && w(ctx, in, buf, need, &out) == CCAT_OK && out == need;
}

static ccat_status_t w_list(const ccat_request_ctx_t *ctx, const void *in, char *buf, size_t cap,
                            size_t *len)
{
    return ccat_list_request_write(ctx, in, buf, cap, len);
}

static ccat_status_t w_delete(const ccat_request_ctx_t *ctx, const void *in, char *buf, size_t cap,
                              size_t *len)
{
    return ccat_delete_request_write(ctx, in, buf, cap, len);
}

static ccat_status_t w_verify(const ccat_request_ctx_t *ctx, const void *in, char *buf, size_t cap,
                              size_t *len)
{
    (void)in;
    return ccat_verify_request_write(ctx, buf, cap, len);
}

/* The request written for @p in, NUL-terminated in a static buffer. */
static const char *written(write_fn w, const ccat_request_ctx_t *ctx, const void *in,
                           ccat_status_t *st)
{
    static char buf[32768];
    size_t len = 0;
    *st = w(ctx, in, buf, sizeof(buf) - 1, &len);
    buf[len] = '\0';
    return buf;
}

#define HEAD(method_path, host)                                                    \
    method_path " HTTP/1.1\r\nHost: " host "\r\nUser-Agent: ccat/" CCAT_VERSION_STRING \
    " test/1\r\nAuthorization: Bearer " BT "\r\n"

static void check_requests(void)
{
    ccat_endpoint_t ep;
    CHECK_EQ_INT(ccat_endpoint_parse(CCAT_ENDPOINT_DEFAULT, &ep), CCAT_OK);
    ccat_request_ctx_t ctx = {&ep, BT, "test/1"};
    ccat_status_t st;

    /* ListAccessTokens: botocore's body ("{}" when empty), members in its order. */
    ccat_list_params_t lp = {0, NULL};
    CHECK_EQ_STR(written(w_list, &ctx, &lp, &st),
                 HEAD("POST /v1/accessTokens", "codecatalyst.global.api.aws")
                 "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    CHECK(all_short_caps_fail(w_list, &ctx, &lp, strlen(written(w_list, &ctx, &lp, &st))));
    lp.next_token = ""; /* "" is the first page too */
    CHECK(strstr(written(w_list, &ctx, &lp, &st), "\r\n\r\n{}") != NULL);
    lp.max_results = 10;
    CHECK(strstr(written(w_list, &ctx, &lp, &st), "Content-Length: 17\r\n\r\n{\"maxResults\":10}") != NULL);
    lp.next_token = "a\"b\\c/\xc3\xa9";
    CHECK(strstr(written(w_list, &ctx, &lp, &st),
                 "Content-Length: 42\r\n\r\n{\"maxResults\":10,\"nextToken\":\"a\\\"b\\\\c/\xc3\xa9\"}") != NULL);
    CHECK(all_short_caps_fail(w_list, &ctx, &lp, strlen(written(w_list, &ctx, &lp, &st))));
    lp.max_results = 0;
    lp.next_token = "tok";
    CHECK(strstr(written(w_list, &ctx, &lp, &st), "\r\n\r\n{\"nextToken\":\"tok\"}") != NULL);
    lp.max_results = 1;
    CHECK(strstr(written(w_list, &ctx, &lp, &st), "\r\n\r\n{\"maxResults\":1,\"nextToken\":\"tok\"}") != NULL);
    /* Bodies of 17 to 10,016 bytes: their length has 2 to 5 digits (the body
     * is written after room for one, "{}"'s, and moves for more), every
     * capacity short of the request failing cleanly. */
    static char tok[10001];
    static const size_t tok_lens[] = {1, 2, 79, 80, 81, 979, 980, 981, 9979, 9980, 10000};
    for (size_t i = 0; i < sizeof(tok_lens) / sizeof(tok_lens[0]); i++) {
        size_t n = tok_lens[i];
        memset(tok, 'k', n);
        tok[n] = '\0';
        lp.next_token = tok;
        lp.max_results = 0;
        char want[64];
        snprintf(want, sizeof(want), "Content-Length: %zu\r\n\r\n{\"nextToken\":\"kk", 16 + n);
        const char *req = written(w_list, &ctx, &lp, &st);
        CHECK(st == CCAT_OK && (n < 2 || strstr(req, want) != NULL));
        CHECK(strlen(req) > n && strcmp(req + strlen(req) - 3, "k\"}") == 0);
        if (n < 1000) {
            CHECK(all_short_caps_fail(w_list, &ctx, &lp, strlen(req)));
        }
    }

    /* Validation: nothing is written. */
    char buf[64];
    size_t len;
    lp.max_results = 11;
    CHECK_EQ_INT(ccat_list_request_write(&ctx, &lp, buf, sizeof(buf), &len), CCAT_ERR_MAX_RESULTS);
    lp.max_results = 255;
    CHECK_EQ_INT(ccat_list_request_write(&ctx, &lp, buf, sizeof(buf), &len), CCAT_ERR_MAX_RESULTS);
    lp.max_results = 0;
    const char *bad_next[] = {"a\nb", "\x7f", "\t", "\xff", "a\xc3"};
    for (size_t i = 0; i < sizeof(bad_next) / sizeof(bad_next[0]); i++) {
        lp.next_token = bad_next[i];
        CHECK_EQ_INT(ccat_list_request_write(&ctx, &lp, buf, sizeof(buf), &len), CCAT_ERR_NEXT_TOKEN);
    }
    static char longest[10002];
    memset(longest, 'n', 10001);
    lp.next_token = longest; /* 10,001 characters: one too many */
    CHECK_EQ_INT(ccat_list_request_write(&ctx, &lp, buf, sizeof(buf), &len), CCAT_ERR_NEXT_TOKEN);
    longest[10000] = '\0';
    written(w_list, &ctx, &lp, &st);
    CHECK_EQ_INT(st, CCAT_OK);
    CHECK_EQ_INT(ccat_list_request_write(&ctx, NULL, buf, sizeof(buf), &len), CCAT_ERR_ARGUMENT);
    lp.next_token = NULL;
    ctx.bearer_token = "bad\ntoken";
    CHECK_EQ_INT(ccat_list_request_write(&ctx, &lp, buf, sizeof(buf), &len), CCAT_ERR_TOKEN_INVALID);
    ctx.bearer_token = BT;

    /* DeleteAccessToken: no body, Content-Length: 0, the id percent-encoded
     * as botocore does (tests/cli compares with botocore itself). */
    const char *id = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
    CHECK_EQ_STR(written(w_delete, &ctx, id, &st),
                 HEAD("DELETE /v1/accessTokens/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
                      "codecatalyst.global.api.aws")
                 "Content-Length: 0\r\n\r\n");
    CHECK(all_short_caps_fail(w_delete, &ctx, id, strlen(written(w_delete, &ctx, id, &st))));
    CHECK(strncmp(written(w_delete, &ctx, "a b/c?d#e%f~g_h.i-j+k\xc3\xa9", &st),
                  "DELETE /v1/accessTokens/a%20b%2Fc%3Fd%23e%25f~g_h.i-j%2Bk%C3%A9 HTTP/1.1\r\n",
                  70) == 0);
    CHECK(strncmp(written(w_delete, &ctx, "AZaz09@:[]", &st),
                  "DELETE /v1/accessTokens/AZaz09%40%3A%5B%5D HTTP/1.1\r\n", 53) == 0);
    /* 1..36 characters (code points), valid UTF-8. */
    char id36[80];
    for (int i = 0; i < 36; i++) {
        memcpy(id36 + 2 * i, "\xc3\xa9", 2);
    }
    id36[72] = '\0';
    CHECK_EQ_INT(ccat_delete_request_write(&ctx, id36, buf, sizeof(buf), &len), CCAT_ERR_BUFFER_TOO_SMALL);
    written(w_delete, &ctx, id36, &st);
    CHECK_EQ_INT(st, CCAT_OK);
    memcpy(id36 + 72, "x", 2);
    CHECK_EQ_INT(ccat_delete_request_write(&ctx, id36, buf, sizeof(buf), &len), CCAT_ERR_ID_INVALID);
    CHECK_EQ_INT(ccat_delete_request_write(&ctx, "", buf, sizeof(buf), &len), CCAT_ERR_ID_INVALID);
    CHECK_EQ_INT(ccat_delete_request_write(&ctx, "a\xff", buf, sizeof(buf), &len), CCAT_ERR_ID_INVALID);
    CHECK_EQ_INT(ccat_delete_request_write(&ctx, NULL, buf, sizeof(buf), &len), CCAT_ERR_ARGUMENT);

    /* VerifySession: a GET with neither body nor Content-Length; base path, port, IPv6. */
    CHECK_EQ_STR(written(w_verify, &ctx, NULL, &st),
                 HEAD("GET /session", "codecatalyst.global.api.aws") "\r\n");
    CHECK(all_short_caps_fail(w_verify, &ctx, NULL, strlen(written(w_verify, &ctx, NULL, &st))));
    CHECK_EQ_INT(ccat_endpoint_parse("http://[::1]:8080/api/", &ep), CCAT_OK);
    CHECK_EQ_STR(written(w_verify, &ctx, NULL, &st), HEAD("GET /api/session", "[::1]:8080") "\r\n");
    CHECK(strncmp(written(w_delete, &ctx, "i", &st), "DELETE /api/v1/accessTokens/i HTTP/1.1\r\nHost: [::1]:8080\r\n", 58) == 0);
    CHECK(strncmp(written(w_list, &ctx, &lp, &st), "POST /api/v1/accessTokens HTTP/1.1\r\n", 36) == 0);
    ctx.bearer_token = NULL;
    CHECK_EQ_INT(ccat_verify_request_write(&ctx, buf, sizeof(buf), &len), CCAT_ERR_TOKEN_MISSING);
    CHECK_EQ_INT(ccat_verify_request_write(NULL, buf, sizeof(buf), &len), CCAT_ERR_ARGUMENT);
}

/* ---- responses ------------------------------------------------------------------ */

static char rbuf[8192];
static ccat_http_response_t resp;

/* Parses a whole response with this body into rbuf (cap bytes of it). */
static ccat_status_t feed(const char *status_line, const char *headers, const char *body, size_t cap)
{
    static char text[8192];
    snprintf(text, sizeof(text), "HTTP/1.1 %s\r\n%sContent-Length: %zu\r\n\r\n%s", status_line,
             headers, strlen(body), body);
    memset(rbuf, 0, sizeof(rbuf));
    ccat_http_response_init(&resp, rbuf, cap);
    return ccat_http_response_feed(&resp, text, strlen(text));
}

/* What the list callback saw, flattened: "id|name|expires;..." */
typedef struct seen {
    char text[1024];
    int calls, stop_after;
} seen_t;

static int collect(void *ctx, const ccat_access_token_summary_t *it)
{
    seen_t *s = ctx;
    size_t n = strlen(s->text);
    if (it->has_expires_time) {
        char t[CCAT_TIME_TEXT_MAX];
        ccat_time_format(it->expires_time, t);
        snprintf(s->text + n, sizeof(s->text) - n, "%s|%s|%s;", it->id, it->name, t);
    } else {
        snprintf(s->text + n, sizeof(s->text) - n, "%s|%s|-;", it->id, it->name);
    }
    s->calls++;
    return s->stop_after != 0 && s->calls >= s->stop_after;
}

static char next[64];

/* Reads rbuf's response as a page; the callback's view lands in *s. */
static ccat_status_t list(const char *status, const char *body, seen_t *s, ccat_list_page_t *page,
                          ccat_error_t *err)
{
    memset(s, 0, sizeof(*s));
    CHECK_EQ_INT(feed(status, "x-amzn-RequestId: r-1\r\n", body, sizeof(rbuf)), CCAT_OK);
    strcpy(next, "kept"); /* what a failure must leave alone */
    return ccat_list_response_read(&resp, collect, s, page, err);
}

#define T1 "\"expiresTime\":\"2027-11-27T18:51:53Z\""

static void check_list_pages(void)
{
    seen_t s;
    ccat_error_t err;
    ccat_list_page_t page = {next, sizeof(next), 99};

    CHECK_EQ_INT(list("200 OK",
                      "{\"items\":[{\"id\":\"i1\",\"name\":\"n1\"," T1 "},"
                      "{\"name\":\"n\\u00e9\\\"2\",\"id\":\"i\\/2\",\"extra\":{\"id\":\"NO\",\"name\":[\"NO\"]}},"
                      "{\"id\":\"i3\",\"name\":\"n3\",\"expiresTime\":null,\"x\":[{\"expiresTime\":\"NO\"}]},"
                      "{\"id\":\"i4\",\"name\":\"n4\",\"expiresTime\":\"2027-11-27T20:51:53.25+02:00\"}],"
                      "\"decoy\":{\"nextToken\":\"NO\",\"items\":[]},\"nextToken\":\"p\\u0032\"}",
                      &s, &page, &err),
                 CCAT_OK);
    CHECK_EQ_STR(s.text, "i1|n1|2027-11-27T18:51:53Z;i/2|n\xc3\xa9\"2|-;i3|n3|-;"
                         "i4|n4|2027-11-27T18:51:53.250000Z;");
    CHECK_EQ_INT(page.items, 4);
    CHECK_EQ_STR(next, "p2");
    CHECK_EQ_INT(err.http_status, 200);
    CHECK_EQ_STR(err.request_id, "r-1");

    /* The last page: no nextToken, a null one, or "" all read as "". */
    const char *last[] = {"{\"items\":[]}", "{\"nextToken\":null,\"items\":[]}",
                          "{\"items\":[],\"nextToken\":\"\"}"};
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(list("200 OK", last[i], &s, &page, NULL), CCAT_OK);
        CHECK_EQ_STR(next, "");
        CHECK_EQ_INT(page.items, 0);
        CHECK_EQ_INT(s.calls, 0);
    }
    /* Duplicate members: the last wins, as in botocore. */
    CHECK_EQ_INT(list("200 OK", "{\"nextToken\":\"a\",\"items\":[{\"id\":\"x\",\"id\":\"y\",\"name\":\"n\"}],"
                      "\"nextToken\":\"b\"}", &s, &page, NULL), CCAT_OK);
    CHECK_EQ_STR(s.text, "y|n|-;");
    CHECK_EQ_STR(next, "b");

    /* The callback may stop early: the page still succeeds with its token. */
    memset(&s, 0, sizeof(s));
    CHECK_EQ_INT(feed("200 OK", "", "{\"items\":[{\"id\":\"1\",\"name\":\"a\"},{\"id\":\"2\",\"name\":\"b\"},"
                      "{\"id\":\"3\",\"name\":\"c\"}],\"nextToken\":\"t\"}", sizeof(rbuf)), CCAT_OK);
    s.stop_after = 2;
    CHECK_EQ_INT(ccat_list_response_read(&resp, collect, &s, &page, NULL), CCAT_OK);
    CHECK_EQ_INT(s.calls, 2);
    CHECK_EQ_INT(page.items, 2);
    CHECK_EQ_STR(next, "t");

    /* Without a page (or a callback) the items are still checked. */
    CHECK_EQ_INT(list("200 OK", "{\"items\":[{\"id\":\"1\",\"name\":\"a\"}],\"nextToken\":\"t\"}", &s, NULL, NULL),
                 CCAT_OK);
    CHECK_EQ_INT(s.calls, 1);
    CHECK_EQ_INT(feed("200 OK", "", "{\"items\":[{\"id\":\"1\"}]}", sizeof(rbuf)), CCAT_OK);
    CHECK_EQ_INT(ccat_list_response_read(&resp, NULL, NULL, NULL, NULL), CCAT_ERR_RESPONSE_MISSING);

    /* A token that does not fit the caller's storage: refused, storage left "". */
    char small[3] = "xy";
    ccat_list_page_t tight = {small, sizeof(small), 0};
    CHECK_EQ_INT(list("200 OK", "{\"items\":[{\"id\":\"1\",\"name\":\"a\"}],\"nextToken\":\"abc\"}", &s, &tight, NULL),
                 CCAT_ERR_RESPONSE_TOO_LARGE);
    CHECK_EQ_INT(s.calls, 0);
    CHECK_EQ_STR(small, "xy"); /* untouched */
    CHECK_EQ_INT(list("200 OK", "{\"items\":[],\"nextToken\":\"ab\"}", &s, &tight, NULL), CCAT_OK);
    CHECK_EQ_STR(small, "ab");
    ccat_list_page_t none = {NULL, 0, 0};
    CHECK_EQ_INT(list("200 OK", "{\"items\":[],\"nextToken\":\"ab\"}", &s, &none, NULL),
                 CCAT_ERR_RESPONSE_TOO_LARGE);
    CHECK_EQ_INT(list("200 OK", "{\"items\":[]}", &s, &none, NULL), CCAT_OK);
}

/* A bad page: its status, no callback at all (every item is checked first). */
static void bad_page(const char *body, ccat_status_t want)
{
    seen_t s;
    ccat_list_page_t page = {next, sizeof(next), 0};
    CHECK_EQ_INT(list("200 OK", body, &s, &page, NULL), want);
    CHECK_EQ_INT(s.calls, 0);
    CHECK_EQ_INT(page.items, 0);
    CHECK_EQ_STR(next, "kept"); /* untouched by a failure */
}

static void check_list_bad(void)
{
#define OK_ITEM "{\"id\":\"1\",\"name\":\"a\"}"
    bad_page("{}", CCAT_ERR_RESPONSE_MISSING);
    bad_page("{\"items\":null}", CCAT_ERR_RESPONSE_MISSING);
    bad_page("{\"items\":{}}", CCAT_ERR_RESPONSE_TYPE);
    bad_page("{\"items\":5}", CCAT_ERR_RESPONSE_TYPE);
    bad_page("{\"items\":\"x\"}", CCAT_ERR_RESPONSE_TYPE);
    bad_page("{\"items\":\"null\"}", CCAT_ERR_RESPONSE_TYPE);
    bad_page("{\"items\":true}", CCAT_ERR_RESPONSE_TYPE);
    bad_page("{\"items\":[" OK_ITEM ",null]}", CCAT_ERR_RESPONSE_TYPE);
    bad_page("{\"items\":[" OK_ITEM ",[]]}", CCAT_ERR_RESPONSE_TYPE);
    bad_page("{\"items\":[" OK_ITEM ",{\"name\":\"b\"}]}", CCAT_ERR_RESPONSE_MISSING);
    bad_page("{\"items\":[" OK_ITEM ",{\"id\":\"2\"}]}", CCAT_ERR_RESPONSE_MISSING);
    bad_page("{\"items\":[" OK_ITEM ",{\"id\":2,\"name\":\"b\"}]}", CCAT_ERR_RESPONSE_TYPE);
    bad_page("{\"items\":[" OK_ITEM ",{\"id\":\"\",\"name\":\"b\"}]}", CCAT_ERR_RESPONSE_TYPE);
    bad_page("{\"items\":[" OK_ITEM ",{\"id\":\"2\",\"name\":null}]}", CCAT_ERR_RESPONSE_TYPE);
    bad_page("{\"items\":[" OK_ITEM ",{\"id\":\"2\",\"name\":\"b\",\"expiresTime\":\"soon\"}]}",
             CCAT_ERR_RESPONSE_TYPE);
    bad_page("{\"items\":[" OK_ITEM ",{\"id\":\"2\",\"name\":\"b\",\"expiresTime\":1700000000}]}",
             CCAT_ERR_RESPONSE_TYPE);
    bad_page("{\"items\":[" OK_ITEM ",{\"id\":\"2\",\"name\":\"\\ud800\"}]}", CCAT_ERR_JSON_STRING);
    bad_page("{\"items\":[" OK_ITEM ",{\"id\":\"2\",\"name\":\"\xff\"}]}", CCAT_ERR_JSON_STRING);
    bad_page("{\"items\":[" OK_ITEM "],\"nextToken\":5}", CCAT_ERR_RESPONSE_TYPE);
    bad_page("{\"items\":[" OK_ITEM "],\"nextToken\":\"\\u0000\"}", CCAT_ERR_JSON_STRING);
    bad_page("{\"items\":[" OK_ITEM "],}", CCAT_ERR_JSON_SYNTAX);
    bad_page("[]", CCAT_ERR_RESPONSE_TYPE);
    bad_page("", CCAT_ERR_JSON_SYNTAX);

    /* Another success status is not a page; error statuses are service errors. */
    seen_t s;
    ccat_error_t err;
    ccat_list_page_t page = {next, sizeof(next), 0};
    CHECK_EQ_INT(list("201 Created", "{\"items\":[]}", &s, &page, &err), CCAT_ERR_RESPONSE_STATUS);
    CHECK_EQ_INT(list("403 Forbidden", "{\"message\":\"m\",\"__type\":\"AccessDeniedException\"}", &s,
                      &page, &err),
                 CCAT_ERR_SVC_ACCESS_DENIED);
    CHECK_EQ_STR(err.code, "AccessDeniedException");
    CHECK_EQ_STR(err.message, "m");
    CHECK_EQ_STR(err.request_id, "r-1");
    CHECK_EQ_INT(err.http_status, 403);
    CHECK_EQ_INT(list("400 Bad Request", "{\"code\":\"ValidationException\"}", &s, &page, NULL),
                 CCAT_ERR_SVC_VALIDATION);
    CHECK_EQ_INT(s.calls, 0);

    /* Room for the body but not its tokens: a clear error. */
    const char *body = "{\"items\":[" OK_ITEM "," OK_ITEM "]}";
    CHECK_EQ_INT(feed("200 OK", "", body, 60 + strlen(body)), CCAT_OK);
    CHECK_EQ_INT(ccat_list_response_read(&resp, collect, &s, &page, NULL), CCAT_ERR_RESPONSE_TOO_LARGE);
    CHECK_EQ_INT(ccat_list_response_read(NULL, collect, &s, &page, NULL), CCAT_ERR_ARGUMENT);
}

static void check_delete_verify_reads(void)
{
    ccat_error_t err;
    /* Delete: the 200's body is not read (botocore ignores it too). */
    const char *bodies[] = {"{}", "", "not json"};
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(feed("200 OK", "x-amzn-RequestId: r-2\r\n", bodies[i], sizeof(rbuf)), CCAT_OK);
        CHECK_EQ_INT(ccat_delete_response_read(&resp, &err), CCAT_OK);
        CHECK_EQ_STR(err.request_id, "r-2");
    }
    CHECK_EQ_INT(feed("204 No Content", "", "", sizeof(rbuf)), CCAT_OK);
    CHECK_EQ_INT(ccat_delete_response_read(&resp, NULL), CCAT_ERR_RESPONSE_STATUS);
    CHECK_EQ_INT(feed("404 Not Found", "x-amzn-ErrorType: ResourceNotFoundException\r\n",
                      "{\"message\":\"gone\"}", sizeof(rbuf)), CCAT_OK);
    CHECK_EQ_INT(ccat_delete_response_read(&resp, &err), CCAT_ERR_SVC_NOT_FOUND);
    CHECK_EQ_STR(err.message, "gone");
    CHECK_EQ_INT(ccat_delete_response_read(NULL, &err), CCAT_ERR_ARGUMENT);

    /* Verify: identity is optional; absent, null and an empty body give NULL. */
    const char *id = "x";
    CHECK_EQ_INT(feed("200 OK", "", "{\"x\":{\"identity\":\"NO\"},\"identity\":\"u-\\u00e9\"}", sizeof(rbuf)),
                 CCAT_OK);
    CHECK_EQ_INT(ccat_verify_response_read(&resp, &id, &err), CCAT_OK);
    CHECK_EQ_STR(id, "u-\xc3\xa9");
    const char *none[] = {"{}", "{\"identity\":null}", "", "{\"other\":1}"};
    for (int i = 0; i < 4; i++) {
        id = "x";
        CHECK_EQ_INT(feed("200 OK", "", none[i], sizeof(rbuf)), CCAT_OK);
        CHECK_EQ_INT(ccat_verify_response_read(&resp, &id, NULL), CCAT_OK);
        CHECK(id == NULL);
    }
    static const struct {
        const char *body;
        ccat_status_t st;
    } bad[] = {{"{\"identity\":5}", CCAT_ERR_RESPONSE_TYPE}, {"[]", CCAT_ERR_RESPONSE_TYPE},
               {"nope", CCAT_ERR_JSON_SYNTAX}, {"{\"identity\":\"\\ud800\"}", CCAT_ERR_JSON_STRING}};
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_INT(feed("200 OK", "", bad[i].body, sizeof(rbuf)), CCAT_OK);
        id = "x"; /* a failure must reset it */
        CHECK_EQ_INT(ccat_verify_response_read(&resp, &id, NULL), bad[i].st);
        CHECK(id == NULL);
    }
    CHECK_EQ_INT(feed("429 Too Many Requests", "", "{\"__type\":\"ThrottlingException\"}", sizeof(rbuf)),
                 CCAT_OK);
    CHECK_EQ_INT(ccat_verify_response_read(&resp, &id, &err), CCAT_ERR_SVC_THROTTLING);
    CHECK_EQ_INT(ccat_verify_response_read(&resp, NULL, &err), CCAT_ERR_ARGUMENT);
}

/* Items seen by the mutation test: each must be whole strings inside rbuf. */
static int inside(void *ctx, const ccat_access_token_summary_t *it)
{
    int *ok = ctx;
    const char *lo = rbuf, *hi = rbuf + sizeof(rbuf);
    *ok &= it->id >= lo && it->id < hi && it->name >= lo && it->name < hi &&
           memchr(it->id, '\0', (size_t)(hi - it->id)) != NULL && it->id[0] != '\0' &&
           memchr(it->name, '\0', (size_t)(hi - it->name)) != NULL && it->name[0] != '\0';
    return 0;
}

/* A good page with 1-4 bytes changed and a random length, many times over:
 * every outcome is a status (no crash, no read outside the buffer under
 * ASan), and what a success delivers is sound. */
static void check_list_mutations(void)
{
    const char *good = "{\"items\":[{\"id\":\"i\\u00e91\",\"name\":\"n1\"," T1 "},"
                       "{\"name\":\"n2\",\"id\":\"i2\",\"x\":[null,{\"id\":\"d\"}]}],"
                       "\"nextToken\":\"t\\/2\"}";
    size_t n = strlen(good);
    uint32_t seed = 12345;
    int ok = 1, successes = 0;
    char body[256];
    for (int round = 0; round < 20000; round++) {
        memcpy(body, good, n + 1);
        for (int k = (int)(seed % 4); k >= 0; k--) {
            seed = seed * 1103515245u + 12345u;
            /* Half the time a letter (often harmless inside a string), else any byte. */
            body[(seed >> 8) % n] = (char)(seed & 0x80 ? 'a' + (seed >> 24) % 26 : seed >> 24);
        }
        seed = seed * 1103515245u + 12345u;
        size_t len = (seed >> 16) % 8 == 0 ? (seed >> 4) % n : n; /* sometimes truncated */
        char text[400];
        int head = snprintf(text, sizeof(text), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", len);
        memcpy(text + head, body, len);
        memset(rbuf, 0, sizeof(rbuf));
        ccat_http_response_init(&resp, rbuf, 1024);
        if (ccat_http_response_feed(&resp, text, (size_t)head + len) != CCAT_OK) {
            continue;
        }
        char tok[16] = "";
        ccat_list_page_t page = {tok, sizeof(tok), 0};
        ccat_status_t st = ccat_list_response_read(&resp, inside, &ok, &page, NULL);
        ok &= st == CCAT_OK || (st < 0 && page.items == 0);
        ok &= memchr(tok, '\0', sizeof(tok)) != NULL;
        successes += st == CCAT_OK;
    }
    CHECK(ok);
    CHECK(successes > 200); /* some mutations keep the page valid (letters inside strings) */
}

/* ---- the blocking calls over the fake world --------------------------------------- */

#define PAGE(body) "HTTP/1.1 200 OK\r\nContent-Length: " body
#define P1 "83\r\n\r\n{\"items\":[{\"id\":\"a\",\"name\":\"A\"},{\"id\":\"b\",\"name\":\"B\"}],\"nextToken\":\"page+2/\\u00e9\"}"
#define P2 "70\r\n\r\n{\"items\":[{\"id\":\"c\",\"name\":\"C\"," T1 "}]}"
#define R200_EMPTY "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
#define R200_NOBODY "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
#define R200_VERIFY "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 21\r\n\r\n{\"identity\":\"user-1\"}"

static void check_blocking(void)
{
    ccat_client_t c;
    seen_t s;
    memset(&s, 0, sizeof(s));

    /* Walk every page on one kept-alive connection, feeding nextToken back. */
    setup(&c, 0, PAGE(P1), PAGE(P2), NULL);
    char tok[64];
    ccat_list_page_t page = {tok, sizeof(tok), 0};
    ccat_list_params_t lp = {2, NULL};
    int pages = 0;
    do {
        CHECK_EQ_INT(ccat_list_access_tokens(&c, &lp, collect, &s, &page), CCAT_OK);
        lp.next_token = page.next_token;
        pages++;
    } while (tok[0] != '\0' && pages < 5);
    CHECK_EQ_INT(pages, 2);
    CHECK_EQ_STR(s.text, "a|A|-;b|B|-;c|C|2027-11-27T18:51:53Z;");
    CHECK_EQ_INT(W.connects, 1);
    CHECK_EQ_INT(W.requests, 2);
    W.last[W.last_len] = '\0';
    CHECK(strstr(W.last, "POST /v1/accessTokens HTTP/1.1\r\n") == W.last);
    CHECK(strstr(W.last, "\r\n\r\n{\"maxResults\":2,\"nextToken\":\"page+2/\xc3\xa9\"}") != NULL);
    CHECK(memmem(buffer, sizeof(buffer), "TOKENVALUE", 10) == NULL); /* request wiped */

    /* The page's storage may be the request's token: a retried page sends it again. */
    setup(&c, 3, PAGE(P1), R503, PAGE(P2));
    memset(&s, 0, sizeof(s));
    lp.next_token = NULL;
    CHECK_EQ_INT(ccat_list_access_tokens(&c, &lp, collect, &s, &page), CCAT_OK);
    lp.next_token = tok; /* the same memory as page.next_token */
    CHECK_EQ_INT(ccat_list_access_tokens(&c, &lp, collect, &s, &page), CCAT_OK);
    CHECK_EQ_INT(c.attempts, 2);
    W.last[W.last_len] = '\0';
    CHECK(strstr(W.last, "\"nextToken\":\"page+2/\xc3\xa9\"}") != NULL);
    CHECK_EQ_STR(tok, "");
    CHECK_EQ_STR(s.text, "a|A|-;b|B|-;c|C|2027-11-27T18:51:53Z;");

    /* Delete, retried through a 503 (idempotent); then verify on the same connection. */
    setup(&c, 0, R503, R200_EMPTY, R200_VERIFY);
    CHECK_EQ_INT(ccat_delete_access_token(&c, "a b"), CCAT_OK);
    CHECK_EQ_INT(c.attempts, 2);
    W.last[W.last_len] = '\0';
    CHECK(strstr(W.last, "DELETE /v1/accessTokens/a%20b HTTP/1.1\r\n") == W.last);
    CHECK(strstr(W.last, "\r\nContent-Length: 0\r\n\r\n") != NULL);
    const char *identity = NULL;
    CHECK_EQ_INT(ccat_verify_session(&c, &identity), CCAT_OK);
    CHECK_EQ_STR(identity, "user-1");
    W.last[W.last_len] = '\0';
    CHECK(strstr(W.last, "GET /session HTTP/1.1\r\n") == W.last);
    CHECK(strstr(W.last, "Content-") == NULL);
    CHECK_EQ_INT(W.requests, 3);
    ccat_client_wipe(&c);
    CHECK(all_zero(buffer, sizeof(buffer)));

    /* Service errors, and validation that sends nothing. */
    setup(&c, 3, "HTTP/1.1 404 Not Found\r\nx-amzn-ErrorType: ResourceNotFoundException\r\n"
                 "Content-Length: 0\r\n\r\n", NULL, NULL);
    CHECK_EQ_INT(ccat_delete_access_token(&c, "gone"), CCAT_ERR_SVC_NOT_FOUND);
    CHECK_EQ_INT(W.requests, 1); /* not retryable */
    CHECK_EQ_STR(ccat_client_last_error(&c)->code, "ResourceNotFoundException");
    W.requests = 0;
    CHECK_EQ_INT(ccat_delete_access_token(&c, ""), CCAT_ERR_ID_INVALID);
    lp.max_results = 11;
    CHECK_EQ_INT(ccat_list_access_tokens(&c, &lp, collect, &s, &page), CCAT_ERR_MAX_RESULTS);
    CHECK_EQ_INT(W.requests, 0);
    CHECK_EQ_INT(ccat_verify_session(&c, NULL), CCAT_ERR_ARGUMENT);
    CHECK_EQ_INT(ccat_verify_session(NULL, &identity), CCAT_ERR_ARGUMENT);
    CHECK_EQ_INT(ccat_delete_access_token(NULL, "x"), CCAT_ERR_ARGUMENT);
    CHECK_EQ_INT(ccat_list_access_tokens(NULL, &lp, NULL, NULL, NULL), CCAT_ERR_ARGUMENT);

    /* A fault at every transport call of a verify: a clean failure or success, never a hang. */
    setup(&c, 1, R200_VERIFY, NULL, NULL);
    CHECK_EQ_INT(ccat_verify_session(&c, &identity), CCAT_OK);
    int calls = W.calls, ok = 1;
    for (int k = 1; k <= calls; k++) {
        for (int f = F_ERROR; f <= F_STALL; f++) {
            setup(&c, 1, R200_VERIFY, NULL, NULL);
            W.fault_call = k;
            W.fault = (enum fault)f;
            W.fault_error = CCAT_TRANSPORT_ERR_IO;
            ccat_status_t st = ccat_verify_session(&c, &identity);
            ok &= st != CCAT_OK && identity == NULL && W.open == 0 &&
                  memmem(buffer, sizeof(buffer), "TOKENVALUE", 10) == NULL;
            /* With retries the fault heals. */
            setup(&c, 3, R200_VERIFY, NULL, NULL);
            W.fault_call = k;
            W.fault = F_ERROR;
            W.fault_error = CCAT_TRANSPORT_ERR_IO;
            ok &= ccat_verify_session(&c, &identity) == CCAT_OK && strcmp(identity, "user-1") == 0;
        }
    }
    CHECK(calls > 5);
    CHECK(ok);

    /* An empty 200 body is an identity-less success. */
    setup(&c, 1, R200_NOBODY, NULL, NULL);
    CHECK_EQ_INT(ccat_verify_session(&c, &identity), CCAT_OK);
    CHECK(identity == NULL);
}

int main(void)
{
    check_requests();
    check_list_pages();
    check_list_bad();
    check_delete_verify_reads();
    check_list_mutations();
    check_blocking();
    return test_summary("tokens");
}
