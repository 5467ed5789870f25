/*
 * Service errors as the AWS SDKs read them (rest-json): the code from
 * x-amzn-ErrorType, else the body's "code"/"Code", else "__type"; only the
 * part before the first ':' and after the last '#' is kept. The message is
 * "message" or "Message"; a body that is not JSON becomes the message.
 */
#include <string.h>

#include "internal.h"

int ccat_body_parse(ccat_http_response_t *resp, jsmntok_t **toks)
{
    int plain;
    return ccat_body_parse_plain(resp, toks, &plain);
}

ccat_status_t ccat_member_string(char *js, const jsmntok_t *toks, int i, const char **out,
                                 size_t *len)
{
    if (i < 0) {
        return CCAT_ERR_RESPONSE_MISSING;
    }
    if (toks[i].type != JSMN_STRING) {
        return CCAT_ERR_RESPONSE_TYPE;
    }
    ccat_status_t st = ccat_json_string_decode(js, &toks[i], len);
    if (st == CCAT_OK) {
        *out = js + toks[i].start;
    }
    return st;
}

ccat_status_t ccat_member_optional(char *js, const jsmntok_t *toks, int i, const char **out,
                                   size_t *len)
{
    *out = NULL;
    *len = 0;
    if (i < 0 || (toks[i].type == JSMN_PRIMITIVE && js[toks[i].start] == 'n')) {
        return CCAT_OK; /* absent, or null: botocore takes both as absent */
    }
    return ccat_member_string(js, toks, i, out, len);
}

/* The decoded string at token i, or NULL if absent, not a string, or undecodable. */
static const char *string_at(char *js, const jsmntok_t *toks, int i)
{
    const char *s = NULL;
    size_t len;
    ccat_member_string(js, toks, i, &s, &len);
    return s;
}

/* A body that is not JSON is the message, if it is text and can be terminated. */
static const char *body_as_message(ccat_http_response_t *resp)
{
    size_t room = resp->cap - (size_t)(resp->body - resp->buf);
    if (resp->body_len == 0 || resp->body_len >= room ||
        ccat_utf8_count(resp->body, resp->body_len) < 0) {
        return NULL;
    }
    resp->body[resp->body_len] = '\0';
    return resp->body;
}

/* "aws.protocols#Foo:http://..." -> "Foo", in place. */
static const char *trim_code(char *code)
{
    if (code == NULL) {
        return NULL;
    }
    char *colon = strchr(code, ':');
    if (colon != NULL) {
        *colon = '\0';
    }
    char *hash = strrchr(code, '#');
    code = hash != NULL ? hash + 1 : code;
    return *code != '\0' ? code : NULL;
}

ccat_status_t ccat_error_read(ccat_http_response_t *resp, ccat_error_t *err)
{
    enum { K_CODE, K_CODE2, K_TYPE, K_MSG, K_MSG2, K_COUNT };
    static const char keys[] = "\4" "code" "\4" "Code" "\6" "__type" "\7" "message" "\7" "Message";
    const char *code = resp->error_type;
    jsmntok_t *toks;
    int n = ccat_body_parse(resp, &toks);
    if (n > 0) {
        int at[K_COUNT];
        ccat_json_members(resp->body, toks, n, 0, keys, K_COUNT, at);
        /* "Message" only when "message" is absent; "Code" only when "code" is. */
        err->message = string_at(resp->body, toks, at[K_MSG] >= 0 ? at[K_MSG] : at[K_MSG2]);
        for (int k = K_CODE; code == NULL && k <= K_TYPE; k++) {
            if (k != K_CODE2 || at[K_CODE] < 0) {
                code = string_at(resp->body, toks, at[k]);
            }
        }
    } else if (n != CCAT_ERR_RESPONSE_TYPE) {
        err->message = body_as_message(resp);
    }
    err->code = trim_code((char *)(uintptr_t)code);
    /* The six modeled exceptions, in the order of their CCAT_ERR_SVC_* codes. */
    int i = ccat_code_index("AccessDenied+\0Conflict+\0ResourceNotFound+\0"
                            "ServiceQuotaExceeded+\0Throttling+\0Validation+\0",
                            err->code);
    return i >= 0 ? (ccat_status_t)(CCAT_ERR_SVC_ACCESS_DENIED - i) : CCAT_ERR_SVC_OTHER;
}

#ifdef __OPTIMIZE_SIZE__
ccat_status_t ccat_response_begin(ccat_http_response_t *resp, ccat_error_t *err, int expect)
{
    return ccat_response_begin_inline(resp, err, expect);
}
#endif
