/*
 * Service errors as the AWS SDKs read them (rest-json): the code from
 * x-amzn-ErrorType, else the body's "code"/"Code", else "__type"; only the
 * part before the first ':' and after the last '#' is kept. The message is
 * "message" or "Message"; a body that is not JSON becomes the message.
 */
#include <string.h>

#include "internal.h"

enum { K_CODE, K_CODE2, K_TYPE, K_MSG, K_MSG2, K_COUNT };

int ccat_body_parse(ccat_http_response_t *resp, jsmntok_t **toks)
{
    const size_t align = _Alignof(jsmntok_t);
    uintptr_t end = (uintptr_t)(resp->body + resp->body_len);
    uintptr_t start = (end + align - 1) & ~(uintptr_t)(align - 1);
    uintptr_t limit = (uintptr_t)(resp->buf + resp->cap);
    unsigned ntoks = start < limit ? (unsigned)((limit - start) / sizeof(jsmntok_t)) : 0;
    *toks = (jsmntok_t *)start;
    int n = ccat_json_parse(resp->body, resp->body_len, *toks, ntoks);
    if (n > 0 && (*toks)[0].type != JSMN_OBJECT) {
        return CCAT_ERR_RESPONSE_TYPE;
    }
    return n;
}

/* The decoded string at token i, or NULL if absent, not a string, or undecodable. */
static const char *string_at(char *js, const jsmntok_t *toks, int i)
{
    size_t len;
    if (i < 0 || toks[i].type != JSMN_STRING || ccat_json_string_decode(js, &toks[i], &len) != CCAT_OK) {
        return NULL;
    }
    return js + toks[i].start;
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

static ccat_status_t status_of_code(const char *code)
{
    static const char *const names[] = {
        "AccessDeniedException", "ConflictException", "ResourceNotFoundException",
        "ServiceQuotaExceededException", "ThrottlingException", "ValidationException"};
    for (int i = 0; code != NULL && i < 6; i++) {
        if (strcmp(code, names[i]) == 0) {
            return (ccat_status_t)(CCAT_ERR_SVC_ACCESS_DENIED - i);
        }
    }
    return CCAT_ERR_SVC_OTHER;
}

ccat_status_t ccat_error_read(ccat_http_response_t *resp, ccat_error_t *err)
{
    static const char *const keys[K_COUNT] = {"code", "Code", "__type", "message", "Message"};
    ccat_error_t local;
    err = err != NULL ? err : &local;
    memset(err, 0, sizeof(*err));
    err->http_status = resp->status;
    err->request_id = resp->request_id;
    const char *code = resp->error_type;
    jsmntok_t *toks;
    int n = ccat_body_parse(resp, &toks);
    if (n > 0) {
        int at[K_COUNT];
        ccat_json_members(resp->body, toks, n, 0, keys, K_COUNT, at);
        err->message = string_at(resp->body, toks, at[K_MSG]);
        if (err->message == NULL && at[K_MSG] < 0) {
            err->message = string_at(resp->body, toks, at[K_MSG2]);
        }
        for (int k = K_CODE; code == NULL && k <= K_TYPE; k++) {
            if (k != K_CODE2 || at[K_CODE] < 0) {
                code = string_at(resp->body, toks, at[k]);
            }
        }
    } else if (n != CCAT_ERR_RESPONSE_TYPE) {
        err->message = body_as_message(resp);
    }
    err->code = trim_code((char *)(uintptr_t)code);
    return status_of_code(err->code);
}
