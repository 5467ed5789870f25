/*
 * ListAccessTokens, DeleteAccessToken and VerifySession: parameter checks,
 * requests (through CreateAccessToken's writer) and response reading
 * (through the same error model and member decoding).
 */
#include <string.h>

#include "internal.h"
#include "ccat/ccat_tokens.h"

#define ID_MAX_CODE_POINTS 36
#define MAX_RESULTS_MAX 10
#define NEXT_TOKEN_MAX_CODE_POINTS 10000

/* ---- ListAccessTokens ------------------------------------------------------ */

ccat_status_t ccat_list_params_check(const ccat_list_params_t *p)
{
    if (p == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    if (p->max_results > MAX_RESULTS_MAX) {
        return CCAT_ERR_MAX_RESULTS;
    }
    const char *t = p->next_token;
    size_t n = t != NULL ? strlen(t) : 0;
    long cps = n != 0 ? ccat_utf8_count(t, n) : 0;
    /* The model's limits (1..10000); JSON could carry a control character,
     * but no service token holds one: it is a caller's mistake. */
    if (cps < 0 || cps > NEXT_TOKEN_MAX_CODE_POINTS || ccat_has_control(t, n)) {
        return CCAT_ERR_NEXT_TOKEN;
    }
    return CCAT_OK;
}

/* botocore's order and form, without its blanks: {"maxResults":N,"nextToken":"T"}. */
static void list_body(ccat_writer_t *w, const void *in)
{
    const ccat_list_params_t *p = in;
    int token = p->next_token != NULL && p->next_token[0] != '\0';
    ccat_put(w, "{\"maxResults\":", p->max_results != 0 ? 14 : 1);
    if (p->max_results != 0) {
        ccat_put_uint(w, p->max_results);
        ccat_put(w, ",", token);
    }
    if (token) {
        ccat_put(w, "\"nextToken\":", 12);
        ccat_put_json(w, p->next_token, strlen(p->next_token));
    }
    ccat_put(w, "}", 1);
}

CCAT_OP_DEFINE(list_op, "POST ", "/v1/accessTokens HTTP/1.1\r\nHost: ",
               "\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n", NULL,
               list_body, 1);

ccat_status_t ccat_list_request_write(const ccat_request_ctx_t *ctx,
                                      const ccat_list_params_t *params,
                                      char *buf, size_t cap, size_t *out_len)
{
    ccat_status_t st = ccat_list_params_check(params);
    return st != CCAT_OK ? st : ccat_request_write(&list_op, ctx, params, buf, cap, out_len);
}

enum { I_ID, I_NAME, I_EXPIRES, I_COUNT };

/*
 * The item object at token o. First pass (@p check): decode its members in
 * place and check them. Second pass: read back what the first pass decoded
 * (a string decoded twice would be unescaped twice).
 */
static ccat_status_t item(char *js, const jsmntok_t *toks, int n, int o, int check,
                          ccat_access_token_summary_t *s)
{
    CCAT_TEXT(keys, "\2" "id" "\4" "name" "\13" "expiresTime");
    int at[I_COUNT];
    if (toks[o].type != JSMN_OBJECT) {
        return CCAT_ERR_RESPONSE_TYPE;
    }
    ccat_json_members(js, toks, n, o, keys, I_COUNT, at);
    const char *v[I_COUNT];
    size_t len[I_COUNT];
    for (int k = 0; k < I_COUNT; k++) {
        int i = at[k];
        if (!check) {
            v[k] = i >= 0 && toks[i].type == JSMN_STRING ? js + toks[i].start : NULL;
            len[k] = v[k] != NULL ? strlen(v[k]) : 0;
            continue;
        }
        ccat_status_t st = k == I_EXPIRES ? ccat_member_optional(js, toks, i, &v[k], &len[k])
                                          : ccat_member_string(js, toks, i, &v[k], &len[k]);
        if (st != CCAT_OK || (k != I_EXPIRES && len[k] == 0)) {
            return st != CCAT_OK ? st : CCAT_ERR_RESPONSE_TYPE;
        }
    }
    s->id = v[I_ID];
    s->name = v[I_NAME];
    s->has_expires_time = v[I_EXPIRES] != NULL;
    s->expires_time = 0;
    if (s->has_expires_time &&
        ccat_time_parse(v[I_EXPIRES], len[I_EXPIRES], &s->expires_time) != CCAT_OK) {
        return CCAT_ERR_RESPONSE_TYPE;
    }
    return CCAT_OK;
}

/* Copies `nextToken` (token i, -1 when absent) into the caller's page. */
static ccat_status_t next_token(char *js, const jsmntok_t *toks, int i, ccat_list_page_t *page)
{
    const char *t;
    size_t len;
    ccat_status_t st = ccat_member_optional(js, toks, i, &t, &len);
    if (st != CCAT_OK || page->next_token_size == SIZE_MAX ||
        (len == 0 && page->next_token_size == 0)) {
        return st; /* not asked for (SIZE_MAX), or nothing to keep and nowhere to */
    }
    if (page->next_token == NULL || len >= page->next_token_size) {
        return CCAT_ERR_RESPONSE_TOO_LARGE;
    }
    if (t != NULL) {
        memcpy(page->next_token, t, len);
    }
    page->next_token[len] = '\0'; /* absent: "" (no literal to keep for it) */
    return CCAT_OK;
}

/* Walks the elements of `items`: checks them all, then delivers them. */
static ccat_status_t read_page(ccat_http_response_t *resp, ccat_list_item_fn fn, void *fn_ctx,
                               ccat_list_page_t *page)
{
    CCAT_TEXT(keys, "\5" "items" "\11" "nextToken");
    jsmntok_t *toks;
    int at[2];
    int n = ccat_body_members(resp, &toks, keys, 2, at);
    if (n < 0) {
        return (ccat_status_t)n;
    }
    char *js = resp->body;
    int a = at[0];
    if (a < 0 || toks[a].type != JSMN_ARRAY) { /* required: null is as absent */
        return a < 0 || (toks[a].type == JSMN_PRIMITIVE && js[toks[a].start] == 'n')
                   ? CCAT_ERR_RESPONSE_MISSING
                   : CCAT_ERR_RESPONSE_TYPE;
    }
    ccat_access_token_summary_t s;
    ccat_status_t st = CCAT_OK;
    int stop = 0;
    for (int check = 1; check >= 0 && st == CCAT_OK; check--) {
        /* The array's elements are the tokens after it whose parent it is. */
        for (int i = a + 1, k = 0; k < toks[a].size && st == CCAT_OK && !stop; i++) {
            if (toks[i].parent == a) {
                k++;
                st = item(js, toks, n, i, check, &s);
                if (!check) {
                    page->items++;
                    stop = fn != NULL && fn(fn_ctx, &s) != 0;
                }
            }
        }
        if (check && st == CCAT_OK) {
            st = next_token(js, toks, at[1], page);
        }
    }
    return st;
}

ccat_status_t ccat_list_response_read(ccat_http_response_t *resp, ccat_list_item_fn fn,
                                      void *fn_ctx, ccat_list_page_t *page, ccat_error_t *err)
{
    ccat_list_page_t none = {NULL, SIZE_MAX, 0};
    if (resp == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    page = page != NULL ? page : &none;
    page->items = 0;
    /* page->next_token is only written once the page is good: it may be the
     * token this very request carried, which a retry sends again. */
    ccat_status_t st = ccat_response_begin(resp, err, 200);
    if (st == CCAT_OK) {
        st = read_page(resp, fn, fn_ctx, page);
    }
    if (st != CCAT_OK && resp->status < 300) {
        ccat_wipe(resp->body, resp->body_len); /* nothing half-read stays usable */
    }
    return st;
}

/* The callback and page of a blocking ListAccessTokens, as one `out`. */
typedef struct list_out {
    ccat_list_item_fn fn;
    void *fn_ctx;
    ccat_list_page_t *page;
} list_out_t;

static ccat_status_t list_write(const ccat_request_ctx_t *ctx, const void *in, char *buf,
                                size_t cap, size_t *out_len)
{
    return ccat_list_request_write(ctx, in, buf, cap, out_len);
}

static ccat_status_t list_read(ccat_http_response_t *resp, void *out, ccat_error_t *err)
{
    list_out_t *o = out;
    return ccat_list_response_read(resp, o->fn, o->fn_ctx, o->page, err);
}

ccat_status_t ccat_list_access_tokens(ccat_client_t *client, const ccat_list_params_t *params,
                                      ccat_list_item_fn fn, void *fn_ctx,
                                      ccat_list_page_t *page)
{
    if (client == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    list_out_t out = {fn, fn_ctx, page};
    return ccat_client_call(client, list_write, params, list_read, &out);
}

/* ---- DeleteAccessToken ------------------------------------------------------ */

ccat_status_t ccat_access_token_id_check(const char *id)
{
    if (id == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    long n = ccat_utf8_count(id, strlen(id));
    return n >= 1 && n <= ID_MAX_CODE_POINTS ? CCAT_OK : CCAT_ERR_ID_INVALID;
}

/* The id percent-encoded as the AWS SDKs do (the unreserved characters of
 * RFC 3986 stay, every other byte becomes %XX), then the line's end. */
static void put_id(ccat_writer_t *w, const void *in)
{
    CCAT_TEXT(hex, "0123456789ABCDEF");
    for (const unsigned char *s = in; *s != '\0'; s++) {
        unsigned c = *s;
        if ((c | 0x20) - 'a' < 26 || c - '0' < 10 || c == '-' || c == '_' || c == '.' ||
            c == '~') {
            ccat_put(w, (const char *)s, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            ccat_put(w, e, 3);
        }
    }
    ccat_put(w, " HTTP/1.1\r\nHost: ", 17);
}

/* No body, and "Content-Length: 0" as botocore sends for a DELETE. */
CCAT_OP_DEFINE(delete_op, "DELETE ", "/v1/accessTokens/", "\r\nContent-Length: 0\r\n\r\n", put_id,
               NULL, 0);

ccat_status_t ccat_delete_request_write(const ccat_request_ctx_t *ctx, const char *id,
                                        char *buf, size_t cap, size_t *out_len)
{
    ccat_status_t st = ccat_access_token_id_check(id);
    return st != CCAT_OK ? st : ccat_request_write(&delete_op, ctx, id, buf, cap, out_len);
}

ccat_status_t ccat_delete_response_read(ccat_http_response_t *resp, ccat_error_t *err)
{
    if (resp == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    /* The output has no members: like botocore, the body is not read. */
    return ccat_response_begin(resp, err, 200);
}

static ccat_status_t delete_write(const ccat_request_ctx_t *ctx, const void *in, char *buf,
                                  size_t cap, size_t *out_len)
{
    return ccat_delete_request_write(ctx, in, buf, cap, out_len);
}

static ccat_status_t delete_read(ccat_http_response_t *resp, void *out, ccat_error_t *err)
{
    (void)out;
    return ccat_delete_response_read(resp, err);
}

ccat_status_t ccat_delete_access_token(ccat_client_t *client, const char *id)
{
    if (client == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    return ccat_client_call(client, delete_write, id, delete_read, NULL);
}

/* ---- VerifySession ----------------------------------------------------------- */

/* No body and, as botocore sends a GET, no Content-Length. */
CCAT_OP_DEFINE(verify_op, "GET ", "/session HTTP/1.1\r\nHost: ", "\r\n\r\n", NULL, NULL, 0);

ccat_status_t ccat_verify_request_write(const ccat_request_ctx_t *ctx, char *buf, size_t cap,
                                        size_t *out_len)
{
    return ccat_request_write(&verify_op, ctx, NULL, buf, cap, out_len);
}

ccat_status_t ccat_verify_response_read(ccat_http_response_t *resp, const char **identity,
                                        ccat_error_t *err)
{
    if (resp == NULL || identity == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    *identity = NULL;
    ccat_status_t st = ccat_response_begin(resp, err, 200);
    if (st != CCAT_OK || resp->body_len == 0) {
        return st; /* an empty body is an empty output, as botocore reads it */
    }
    CCAT_TEXT(keys, "\10" "identity");
    jsmntok_t *toks;
    int at;
    int n = ccat_body_members(resp, &toks, keys, 1, &at);
    size_t len;
    if (n >= 0) {
        st = ccat_member_optional(resp->body, toks, at, identity, &len);
    } else {
        st = (ccat_status_t)n;
    }
    if (st != CCAT_OK) {
        /* As every reader does: a failed body leaves nothing behind
         * (*identity is still NULL: ccat_member_optional() set it only on
         * success). */
        ccat_wipe(resp->body, resp->body_len);
    }
    return st;
}

static ccat_status_t verify_write(const ccat_request_ctx_t *ctx, const void *in, char *buf,
                                  size_t cap, size_t *out_len)
{
    (void)in;
    return ccat_verify_request_write(ctx, buf, cap, out_len);
}

static ccat_status_t verify_read(ccat_http_response_t *resp, void *out, ccat_error_t *err)
{
    return ccat_verify_response_read(resp, out, err);
}

ccat_status_t ccat_verify_session(ccat_client_t *client, const char **identity)
{
    if (client == NULL || identity == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    *identity = NULL;
    return ccat_client_call(client, verify_write, NULL, verify_read, identity);
}
