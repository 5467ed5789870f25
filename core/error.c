/*
 * Service errors as the AWS SDKs read them (rest-json): the code from
 * x-amzn-ErrorType, else the body's "code"/"Code", else "__type"; only the
 * part before the first ':' and after the last '#' is kept. The message is
 * "message" or "Message"; a body that is not JSON becomes the message.
 */
#include <string.h>

#include "internal.h"

int ccat_body_members(ccat_http_response_t *resp, jsmntok_t **toks, const char *keys, int nkeys,
                      int *at)
{
    int plain;
    int n = ccat_body_parse_plain(resp, toks, &plain);
    /* No test of n: ccat_json_members() finds nothing in fewer than one token. */
    ccat_json_members(resp->body, *toks, n, 0, keys, nkeys, at);
    return n;
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

/* The decoded string of member at[k], else (absent) of member at[k + 1], into
 * *to; *to untouched if that one is absent, not a string, or undecodable. One
 * copy for the three reads at -Os. */
static void string_at(char *js, const jsmntok_t *toks, const int *at, int k, const char **to)
{
    size_t len;
    ccat_member_string(js, toks, at[k] >= 0 ? at[k] : at[k + 1], to, &len);
}

/* A body that is not JSON is the message, if it is text and can be
 * terminated; else the message stays NULL. */
static void body_as_message(ccat_http_response_t *resp, ccat_error_t *err)
{
    char *body = resp->body;
    size_t len = resp->body_len;
    if (len == 0 || body + len >= resp->buf + resp->cap || ccat_utf8_count(body, len) < 0) {
        return;
    }
    body[len] = '\0';
    err->message = body;
}

/* "aws.protocols#Foo:http://..." -> "Foo", in place: what follows the last
 * '#' before the first ':'. */
static const char *trim_code(char *code)
{
    if (code == NULL) {
        return NULL;
    }
    char *start = code;
    for (; *code != '\0' && *code != ':'; code++) {
        if (*code == '#') {
            start = code + 1;
        }
    }
    *code = '\0';
    return *start != '\0' ? start : NULL;
}

ccat_status_t ccat_error_read(ccat_http_response_t *resp, ccat_error_t *err)
{
    /* Pairs read as one (see string_at()); K_NONE ends the last one. */
    enum { K_MSG, K_MSG2, K_CODE, K_CODE2, K_TYPE, K_NONE };
    CCAT_TEXT(keys, "\7" "message" "\7" "Message" "\4" "code" "\4" "Code" "\6" "__type");
    err->code = resp->error_type; /* trimmed below */
    jsmntok_t *toks;
    int at[K_NONE + 1];
    int n = ccat_body_members(resp, &toks, keys, K_NONE, at);
    if (n > 0) {
        at[K_NONE] = -1;
        /* "Message" only when "message" is absent; "Code" only when "code" is;
         * "__type" when neither gives a string. */
        for (int k = K_MSG; k <= K_TYPE; k += 2) {
            const char **to = k == K_MSG ? &err->message : &err->code; /* message: NULL so far */
            if (*to == NULL) {
                string_at(resp->body, toks, at, k, to);
            }
        }
    } else if (n != CCAT_ERR_RESPONSE_TYPE) {
        body_as_message(resp, err); /* message: NULL so far */
    }
    err->code = trim_code((char *)(uintptr_t)err->code);
    int i = ccat_code_index(err->code);
    return i >= 0 && i < CCAT_CODES_MODELED ? (ccat_status_t)(CCAT_ERR_SVC_ACCESS_DENIED - i)
                                            : CCAT_ERR_SVC_OTHER;
}

#ifdef __OPTIMIZE_SIZE__
ccat_status_t ccat_response_begin(ccat_http_response_t *resp, ccat_error_t *err, int expect)
{
    return ccat_response_begin_inline(resp, err, expect);
}
#endif
