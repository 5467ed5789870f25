/* CreateAccessToken: parameter checks, response reading; and the request
 * writer every operation shares. */
#include <string.h>

#include "internal.h"

#if defined(__SSE2__) && !defined(__OPTIMIZE_SIZE__)
#include <emmintrin.h>
#endif

#define NAME_MAX_CODE_POINTS 100

ccat_status_t ccat_create_params_check(const ccat_create_params_t *params)
{
    if (params == NULL || params->name == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    long n = ccat_utf8_count(params->name, strlen(params->name));
    if (n < 0) {
        return CCAT_ERR_NAME_UTF8;
    }
    if (n < 1 || n > NAME_MAX_CODE_POINTS) {
        return CCAT_ERR_NAME_LENGTH;
    }
    if (params->has_expires_time && !CCAT_TIME_IN_RANGE(params->expires_time)) {
        return CCAT_ERR_EXPIRES_RANGE;
    }
    return CCAT_OK;
}

int ccat_has_control(const char *s, size_t n)
{
#if defined(__SSE2__) && !defined(__OPTIMIZE_SIZE__)
    /* x86-64 at -O2: 16 bytes at a time; as signed bytes, a control is below
     * 0x20 and not negative (0x80 and up are UTF-8, allowed), or is 0x7f. */
    if (n >= 16) {
        /* The last 16 bytes overlap bytes already seen: no byte loop. */
        for (const char *const last = s + n - 16;; s += 16) {
            s = s > last ? last : s;
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
            __m128i c = _mm_andnot_si128(_mm_cmplt_epi8(v, _mm_setzero_si128()),
                                         _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
            if (_mm_movemask_epi8(_mm_or_si128(c, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f))))) {
                return 1;
            }
            if (s == last) {
                return 0;
            }
        }
    }
#endif
    /* Word at a time: the classic "has a byte less than / equal to" tests. */
    const size_t ones = (size_t)-1 / 255, highs = ones * 0x80;
    for (; n >= sizeof(size_t); s += sizeof(size_t), n -= sizeof(size_t)) {
        size_t w, d;
        memcpy(&w, s, sizeof(w));
        d = w ^ (ones * 0x7f);
        if ((((w - ones * 0x20) & ~w) | ((d - ones) & ~d)) & highs) {
            return 1;
        }
    }
    for (; n > 0; s++, n--) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f) {
            return 1;
        }
    }
    return 0;
}

ccat_status_t ccat_bearer_token_check(const char *token)
{
    if (token == NULL || *token == '\0') {
        return CCAT_ERR_TOKEN_MISSING;
    }
    return ccat_has_control(token, strlen(token)) ? CCAT_ERR_TOKEN_INVALID : CCAT_OK;
}

/* ---- the request writer -------------------------------------------------- */

/* Remembers that something did not fit; no later byte will (cap shrinks to len). */
static void overflow(ccat_writer_t *w)
{
    w->overflow = 1;
    w->cap = w->len;
}

/* Appends n bytes, or remembers that they did not fit. */
static void put(ccat_writer_t *w, const char *s, size_t n)
{
    if (n > w->cap - w->len) {
        overflow(w);
        return;
    }
    if (n != 0) { /* keeps memcpy away from a NULL source */
        memcpy(w->p + w->len, s, n);
        w->len += n;
    }
}

#define PUT_LIT(w, lit) put((w), (lit), sizeof(lit) - 1)

static void put_str(ccat_writer_t *w, const char *s)
{
    put(w, s, strlen(s));
}

/* Inserts the decimal digits of v at offset at, moving the bytes after it. */
static void insert_uint(ccat_writer_t *w, size_t at, size_t v)
{
    char text[20], *end = text + sizeof(text), *s = end;
    if (w->overflow) {
        return; /* v may be meaningless then */
    }
    do {
        *--s = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    size_t n = (size_t)(end - s);
    if (n > w->cap - w->len) {
        overflow(w);
        return;
    }
    memmove(w->p + at + n, w->p + at, w->len - at);
    memcpy(w->p + at, s, n);
    w->len += n;
}

static void put_json(ccat_writer_t *w, const char *s)
{
    size_t n = ccat_json_escape(w->p + w->len, w->cap - w->len, s, strlen(s));
    if (n == 0) {
        overflow(w);
    }
    w->len += n;
}

void ccat_put(ccat_writer_t *w, const char *s, size_t n)
{
    put(w, s, n);
}

void ccat_put_uint(ccat_writer_t *w, size_t v)
{
    insert_uint(w, w->len, v);
}

void ccat_put_json(ccat_writer_t *w, const char *s)
{
    put_json(w, s);
}

static void put_head(ccat_writer_t *w, const ccat_op_t *op, const ccat_request_ctx_t *ctx,
                     const void *in, size_t token_len)
{
    const ccat_endpoint_t *ep = ctx->endpoint;
    put(w, op->method, op->method_len);
    put(w, ep->base_path, ep->base_path_len);
    put(w, op->line, op->line_len);
    if (op->path_rest != NULL) {
        op->path_rest(w, in);
    }
    put(w, "[", ep->ipv6); /* an IPv6 literal goes in brackets */
    put_str(w, ep->host);
    put(w, "]", ep->ipv6);
    if (ep->port_explicit) {
        PUT_LIT(w, ":");
        insert_uint(w, w->len, ep->port);
    }
    PUT_LIT(w, "\r\nUser-Agent: ccat/" CCAT_VERSION_STRING " ");
    put_str(w, ctx->platform ? ctx->platform : CCAT_PLATFORM_STRING);
    PUT_LIT(w, "\r\nAuthorization: Bearer ");
#ifdef __OPTIMIZE_SIZE__
    (void)token_len;
    put_str(w, ctx->bearer_token);
#else
    put(w, ctx->bearer_token, token_len);
#endif
    put(w, op->tail, op->tail_len);
}

ccat_status_t ccat_request_write(const ccat_op_t *op, const ccat_request_ctx_t *ctx,
                                 const void *in, char *buf, size_t cap, size_t *out_len)
{
    if (ctx == NULL || ctx->endpoint == NULL || buf == NULL || out_len == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    const char *token = ctx->bearer_token;
#ifdef __OPTIMIZE_SIZE__
    ccat_status_t st = ccat_bearer_token_check(token);
    const size_t token_len = 0; /* put_head() takes strlen() itself */
#else
    /* -O2: ccat_bearer_token_check() with one strlen for the check and the
     * copy both. */
    size_t token_len = token != NULL ? strlen(token) : 0;
    ccat_status_t st = token_len == 0                       ? CCAT_ERR_TOKEN_MISSING
                       : ccat_has_control(token, token_len) ? CCAT_ERR_TOKEN_INVALID
                                                            : CCAT_OK;
#endif
    if (st != CCAT_OK) {
        return st;
    }
    ccat_writer_t w = {buf, cap, 0, 0};
    put_head(&w, op, ctx, in, token_len);
    if (op->body != NULL) {
        size_t body = w.len;
        PUT_LIT(&w, "\r\n\r\n"); /* the blank line ends the head */
        op->body(&w, in);
        /* The body went where its length goes: insert the length. */
        insert_uint(&w, body, w.len - body - 4);
    }
    *out_len = w.overflow ? 0 : w.len;
    if (w.overflow) {
        ccat_wipe(buf, cap); /* it may hold part of the token */
        return CCAT_ERR_BUFFER_TOO_SMALL;
    }
    return CCAT_OK;
}

/* ---- CreateAccessToken's request ------------------------------------------ */

static void create_body(ccat_writer_t *w, const void *in)
{
    const ccat_create_params_t *params = in;
    PUT_LIT(w, "{\"name\":");
    put_json(w, params->name);
    if (params->has_expires_time) {
        char text[CCAT_TIME_TEXT_MAX];
        int n = ccat_time_format(params->expires_time, text);
        text[n] = '"'; /* in place of the NUL */
        PUT_LIT(w, ",\"expiresTime\":\"");
        put(w, text, (size_t)n + 1);
    }
    PUT_LIT(w, "}");
}

static const ccat_op_t create_op =
    CCAT_OP("PUT ", "/v1/accessTokens HTTP/1.1\r\nHost: ",
            "\r\nContent-Type: application/json\r\nContent-Length: ", NULL, create_body);

ccat_status_t ccat_create_request_write(const ccat_request_ctx_t *ctx,
                                        const ccat_create_params_t *params,
                                        char *buf, size_t cap, size_t *out_len)
{
    ccat_status_t st = ccat_create_params_check(params);
    return st != CCAT_OK ? st : ccat_request_write(&create_op, ctx, params, buf, cap, out_len);
}

/* ---- the response -------------------------------------------------------- */

/* In the order the service sends them (ccat_json_members tries that first). */
static const char token_keys[] = "\6" "secret" "\4" "name" "\13" "expiresTime" "\15" "accessTokenId";

#ifndef __OPTIMIZE_SIZE__
/* ccat_member_string() for a plain text (see ccat_body_parse_plain()): the
 * string needs no decoding, only its NUL where the closing quote was. */
static inline __attribute__((always_inline)) ccat_status_t
member_plain(char *js, const jsmntok_t *toks, int i, const char **out, size_t *len)
{
    if (i < 0) {
        return CCAT_ERR_RESPONSE_MISSING;
    }
    if (toks[i].type != JSMN_STRING) {
        return CCAT_ERR_RESPONSE_TYPE;
    }
    js[toks[i].end] = '\0';
    *out = js + toks[i].start;
    *len = (size_t)(toks[i].end - toks[i].start);
    return CCAT_OK;
}

/* A required member (the value at token i): a non-empty string. */
static inline __attribute__((always_inline)) ccat_status_t
required(int plain, char *js, const jsmntok_t *toks, int i, const char **out, size_t *len)
{
    ccat_status_t st = plain ? member_plain(js, toks, i, out, len)
                             : ccat_member_string(js, toks, i, out, len);
    return st != CCAT_OK || *len != 0 ? st : CCAT_ERR_RESPONSE_TYPE;
}

/* The four members, checked in this order (which error wins when several
 * are bad): secret, name, accessTokenId, expiresTime. */
static inline __attribute__((always_inline)) ccat_status_t
read_members(int plain, char *js, const jsmntok_t *toks, const int at[4], ccat_access_token_t *tok)
{
    const char *expires;
    size_t len;
    ccat_status_t st;
    if ((st = required(plain, js, toks, at[0], &tok->secret, &tok->secret_len)) != CCAT_OK ||
        (st = required(plain, js, toks, at[1], &tok->name, &len)) != CCAT_OK ||
        (st = required(plain, js, toks, at[3], &tok->access_token_id, &len)) != CCAT_OK ||
        (st = required(plain, js, toks, at[2], &expires, &len)) != CCAT_OK) {
        return st;
    }
    return ccat_time_parse(expires, len, &tok->expires_time) == CCAT_OK ? CCAT_OK
                                                                        : CCAT_ERR_RESPONSE_TYPE;
}

/* Is the key text p[0..len), which has no escape, the name lit? */
#define KEY_IS(p, len, lit) ((len) == sizeof(lit) - 1 && memcmp(p, lit, sizeof(lit) - 1) == 0)

/*
 * ccat_json_members(js, toks, n, 0, token_keys, 4, at) for a plain text
 * (see ccat_body_parse_plain()): no key has an escape, so a key is one of
 * the names exactly when its bytes are; the names are constants here, each
 * compared inline (no packed list to walk, no call).
 */
static inline __attribute__((always_inline)) void
token_members_plain(const char *js, const jsmntok_t *toks, int n, int at[4])
{
    at[0] = at[1] = at[2] = at[3] = -1;
    const jsmntok_t *t = toks + 1;              /* a key of the root object */
    const jsmntok_t *const last = toks + n - 1; /* a key needs a value after it */
    int vi = 2;                                 /* the index of the key's value */
    for (int m = toks[0].size; m > 0 && t < last; m--) {
        const char *p = js + t->start;
        const size_t len = (size_t)(t->end - t->start);
        const jsmntok_t *const v = t + 1;
        int k = KEY_IS(p, len, "secret")          ? 0
                : KEY_IS(p, len, "name")          ? 1
                : KEY_IS(p, len, "expiresTime")   ? 2
                : KEY_IS(p, len, "accessTokenId") ? 3
                                                  : -1;
        if (k >= 0) {
            at[k] = vi; /* a later duplicate overwrites it */
        }
        /* The next key: skip the value and everything nested inside it. */
        t = v + 1;
        vi += 2;
        if (v->type < JSMN_STRING) {
            for (; t <= last && t->start < v->end; t++) {
            }
            vi = (int)(t - toks) + 1;
        }
    }
}

/* -O2: the four members one after the other (no tables, all inline), in
 * one sequence for plain texts and one for the others. */
static ccat_status_t read_token(ccat_http_response_t *resp, ccat_access_token_t *tok)
{
    jsmntok_t *toks;
    int plain;
    int n = ccat_body_parse_plain(resp, &toks, &plain);
    if (n < 0) {
        return (ccat_status_t)n;
    }
    int at[4];
    char *const js = resp->body;
    if (plain) {
        token_members_plain(js, toks, n, at);
        return read_members(1, js, toks, at, tok);
    }
    ccat_json_members(js, toks, n, 0, token_keys, 4, at);
    return read_members(0, js, toks, at, tok);
}
#else
/* -Os: one loop over the members in the same order (the smallest code). */
static ccat_status_t read_token(ccat_http_response_t *resp, ccat_access_token_t *tok)
{
    jsmntok_t *toks;
    int n = ccat_body_parse(resp, &toks);
    if (n < 0) {
        return (ccat_status_t)n;
    }
    int at[4];
    ccat_json_members(resp->body, toks, n, 0, token_keys, 4, at);
    /* Checked in this order (which error wins when several members are bad). */
    static const uint8_t key_of[4] = {0, 1, 3, 2};
    const char *expires;
    const char **out[4] = {&tok->secret, &tok->name, &tok->access_token_id, &expires};
    size_t len[4];
    for (int i = 0; i < 4; i++) {
        ccat_status_t st = ccat_member_string(resp->body, toks, at[key_of[i]], out[i], &len[i]);
        if (st != CCAT_OK || len[i] == 0) {
            return st != CCAT_OK ? st : CCAT_ERR_RESPONSE_TYPE;
        }
    }
    tok->secret_len = len[0];
    return ccat_time_parse(expires, len[3], &tok->expires_time) == CCAT_OK ? CCAT_OK
                                                                            : CCAT_ERR_RESPONSE_TYPE;
}
#endif

ccat_status_t ccat_create_response_read(ccat_http_response_t *resp,
                                        ccat_access_token_t *tok, ccat_error_t *err)
{
    if (resp == NULL || tok == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    memset(tok, 0, sizeof(*tok));
    ccat_error_t local;
    ccat_status_t st = ccat_response_begin(resp, err != NULL ? err : &local, 201);
    if (st == CCAT_OK) {
        st = read_token(resp, tok);
    }
    if (st != CCAT_OK && resp->status < 300) {
        /* Whatever part of a secret arrived must not survive a failure. */
        ccat_wipe(resp->body, resp->body_len);
        memset(tok, 0, sizeof(*tok));
    }
    return st;
}

/* ---- blocking ------------------------------------------------------------ */

static ccat_status_t create_write(const ccat_request_ctx_t *ctx, const void *in, char *buf,
                                  size_t cap, size_t *out_len)
{
    return ccat_create_request_write(ctx, in, buf, cap, out_len);
}

static ccat_status_t create_read(ccat_http_response_t *resp, void *out, ccat_error_t *err)
{
    return ccat_create_response_read(resp, out, err);
}

ccat_status_t ccat_create_access_token(ccat_client_t *c, const ccat_create_params_t *params,
                                       ccat_access_token_t *tok)
{
    if (c == NULL || params == NULL || tok == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    memset(tok, 0, sizeof(*tok));
    return ccat_client_call(c, create_write, params, create_read, tok);
}
