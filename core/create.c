/* CreateAccessToken: parameter checks, request bytes, response reading. */
#include <string.h>

#include "internal.h"

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
    if (params->has_expires_time &&
        (params->expires_time < CCAT_TIME_MIN || params->expires_time > CCAT_TIME_MAX)) {
        return CCAT_ERR_EXPIRES_RANGE;
    }
    return CCAT_OK;
}

/* 1 if one of the n bytes at s is a control character (< 0x20 or 0x7f). */
static int has_control(const char *s, size_t n)
{
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
    return has_control(token, strlen(token)) ? CCAT_ERR_TOKEN_INVALID : CCAT_OK;
}

static void write_body(ccat_writer_t *w, const ccat_create_params_t *params)
{
    CCAT_W_LIT(w, "{\"name\":");
    if (!w->overflow) {
        size_t n = ccat_json_escape(w->p + w->len, w->cap - w->len, params->name,
                                    strlen(params->name));
        w->overflow = n == 0;
        w->len += n;
    }
    if (params->has_expires_time) {
        char text[CCAT_TIME_TEXT_MAX];
        int n = ccat_time_format(params->expires_time, text);
        CCAT_W_LIT(w, ",\"expiresTime\":\"");
        ccat_w_put(w, text, (size_t)n);
        ccat_w_put(w, "\"", 1);
    }
    CCAT_W_LIT(w, "}");
}

ccat_status_t ccat_create_request_write(const ccat_request_ctx_t *ctx,
                                        const ccat_create_params_t *params,
                                        char *buf, size_t cap, size_t *out_len)
{
    if (ctx == NULL || ctx->endpoint == NULL || buf == NULL || out_len == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    ccat_status_t st = ccat_create_params_check(params);
    if (st == CCAT_OK) {
        st = ccat_bearer_token_check(ctx->bearer_token);
    }
    if (st != CCAT_OK) {
        return st;
    }
    ccat_writer_t w = {buf, cap, 0, 0};
    ccat_request_head(&w, ctx, "PUT", "/v1/accessTokens");
    size_t body = ccat_request_body_begin(&w);
    write_body(&w, params);
    ccat_request_body_end(&w, body);
    if (w.overflow) {
        ccat_wipe(buf, cap); /* it may hold part of the token */
        *out_len = 0;
        return CCAT_ERR_BUFFER_TOO_SMALL;
    }
    *out_len = w.len;
    return CCAT_OK;
}

/* Decodes the string member at token index i into a C string. */
static ccat_status_t member_string(char *js, const jsmntok_t *toks, int i,
                                   const char **out, size_t *len)
{
    if (i < 0) {
        return CCAT_ERR_RESPONSE_MISSING;
    }
    if (toks[i].type != JSMN_STRING) {
        return CCAT_ERR_RESPONSE_TYPE;
    }
    ccat_status_t st = ccat_json_string_decode(js, &toks[i], len);
    if (st != CCAT_OK) {
        return st;
    }
    *out = js + toks[i].start;
    return *len == 0 ? CCAT_ERR_RESPONSE_TYPE : CCAT_OK;
}

static ccat_status_t read_token(ccat_http_response_t *resp, ccat_access_token_t *tok)
{
    static const char *const keys[4] = {"secret", "name", "expiresTime", "accessTokenId"};
    jsmntok_t *toks;
    int n = ccat_body_parse(resp, &toks);
    if (n < 0) {
        return (ccat_status_t)n;
    }
    int at[4];
    ccat_json_members(resp->body, toks, n, 0, keys, 4, at);
    const char *expires;
    size_t len;
    ccat_status_t st = member_string(resp->body, toks, at[0], &tok->secret, &tok->secret_len);
    if (st == CCAT_OK) {
        st = member_string(resp->body, toks, at[1], &tok->name, &len);
    }
    if (st == CCAT_OK) {
        st = member_string(resp->body, toks, at[3], &tok->access_token_id, &len);
    }
    if (st == CCAT_OK) {
        st = member_string(resp->body, toks, at[2], &expires, &len);
    }
    if (st == CCAT_OK && ccat_time_parse(expires, len, &tok->expires_time) != CCAT_OK) {
        st = CCAT_ERR_RESPONSE_TYPE;
    }
    return st;
}

ccat_status_t ccat_create_response_read(ccat_http_response_t *resp,
                                        ccat_access_token_t *tok, ccat_error_t *err)
{
    if (resp == NULL || tok == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    memset(tok, 0, sizeof(*tok));
    if (resp->status >= 300) {
        return ccat_error_read(resp, err);
    }
    if (err != NULL) {
        memset(err, 0, sizeof(*err));
        err->http_status = resp->status;
        err->request_id = resp->request_id;
    }
    ccat_status_t st = resp->status == 201 ? read_token(resp, tok) : CCAT_ERR_RESPONSE_STATUS;
    if (st != CCAT_OK) {
        /* Whatever part of a secret arrived must not survive a failure. */
        ccat_wipe(resp->body, resp->body_len);
        memset(tok, 0, sizeof(*tok));
    }
    return st;
}
