/**
 * @file ccat_tokens.h
 * @brief The rest of the access-token lifecycle: ListAccessTokens,
 * DeleteAccessToken and VerifySession, sans-I/O and blocking.
 *
 * They share CreateAccessToken's request context, error model, framing,
 * retries and buffer discipline (ccat.h): a request is written into the
 * caller's buffer, the response is parsed in place in the same buffer, and
 * every string a result points to lives there until the next call.
 */
#ifndef CCAT_TOKENS_H
#define CCAT_TOKENS_H

#include "ccat/ccat.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/** @name ListAccessTokens (POST /v1/accessTokens, 200) */
/**@{*/

/** @brief Parameters of one ListAccessTokens page. */
typedef struct ccat_list_params {
    uint8_t max_results;      /**< 1..10; 0 leaves it out (the service's default). */
    /** NULL or "" for the first page, else the previous page's token: valid
     * UTF-8, at most 10,000 characters, no control character. */
    const char *next_token;
} ccat_list_params_t;

/** @brief One item of a page. Strings point into the response buffer and are
 * valid during the callback (until the next call on that buffer). */
typedef struct ccat_access_token_summary {
    const char *id;            /**< NUL-terminated access token id. */
    const char *name;          /**< NUL-terminated UTF-8 name. */
    ccat_time_t expires_time;  /**< Valid when @c has_expires_time is non-zero. */
    uint8_t has_expires_time;  /**< 0: the service sent no `expiresTime`. */
} ccat_access_token_summary_t;

/**
 * @brief Receives the items of a page one by one, in the service's order.
 * @return 0 to go on; non-zero to skip the page's remaining items (the call
 *         still succeeds and still reports the page's `nextToken`).
 */
typedef int (*ccat_list_item_fn)(void *ctx, const ccat_access_token_summary_t *item);

/**
 * @brief Where a page's `nextToken` goes: caller memory, because the next
 * request is written over the response that carried it.
 */
typedef struct ccat_list_page {
    /** Caller storage; receives the NUL-terminated token, "" on the last page
     * (no `nextToken`, a null one or "", which botocore's paginator also
     * takes as the end). Written only when the page is good, left as it was
     * on any failure: so it may be the @c next_token of the parameters of the
     * same call (a retry sends that token again). */
    char *next_token;
    /** Its size in bytes; a token that does not fit is CCAT_ERR_RESPONSE_TOO_LARGE
     * (and no item is delivered). 0 with NULL storage: a token is an error. */
    size_t next_token_size;
    unsigned items;           /**< Out: items delivered to the callback from this page. */
} ccat_list_page_t;

/**
 * @brief Check ListAccessTokens parameters as the service model does
 * (what ccat_list_request_write() checks first; for callers that want to
 * refuse bad input before anything else, as the CLI does).
 * @return CCAT_OK, CCAT_ERR_ARGUMENT (NULL), CCAT_ERR_MAX_RESULTS or CCAT_ERR_NEXT_TOKEN.
 */
ccat_status_t ccat_list_params_check(const ccat_list_params_t *params);

/**
 * @brief Validate, then write a ListAccessTokens request.
 * @return CCAT_OK, CCAT_ERR_MAX_RESULTS, CCAT_ERR_NEXT_TOKEN, a bearer-token
 *         error or CCAT_ERR_BUFFER_TOO_SMALL (buffer then wiped).
 */
ccat_status_t ccat_list_request_write(const ccat_request_ctx_t *ctx,
                                      const ccat_list_params_t *params,
                                      char *buf, size_t cap, size_t *out_len);

/**
 * @brief Interpret a complete ListAccessTokens response: on 200, calls @p fn
 * for each item (all items are validated before the first call) and copies
 * `nextToken` into @p page; on an error status, fills @p err.
 *
 * As botocore reads it: unknown members and decoys nested at any depth are
 * ignored, the last of duplicate members wins, an absent or null
 * `expiresTime` gives has_expires_time 0. Stricter than botocore, as
 * CreateAccessToken is: `items`, `id` and `name` are required (absent or
 * null: CCAT_ERR_RESPONSE_MISSING), `id`/`name` must be non-empty strings,
 * `expiresTime` an RFC 3339 string, `nextToken` a string
 * (else CCAT_ERR_RESPONSE_TYPE); any failure wipes the body.
 * @param fn     May be NULL: the items are checked and counted only.
 * @param page   May be NULL: `nextToken` is then ignored.
 * @param err    May be NULL.
 */
ccat_status_t ccat_list_response_read(ccat_http_response_t *resp, ccat_list_item_fn fn,
                                      void *fn_ctx, ccat_list_page_t *page,
                                      ccat_error_t *err);

/**
 * @brief ListAccessTokens, one page, blocking (with retries). The callback
 * runs only for the page that was read whole and checked, never for an
 * attempt that failed and was retried. To walk every page, call again with
 * @c params->next_token set to @c page->next_token (the same memory is fine)
 * until it comes back empty:
 * @code
 * char tok[512] = "";
 * ccat_list_params_t p = { .max_results = 10, .next_token = tok };
 * ccat_list_page_t page = { tok, sizeof tok, 0 };
 * do {
 *     st = ccat_list_access_tokens(&client, &p, print_item, NULL, &page);
 * } while (st == CCAT_OK && tok[0] != '\0');
 * @endcode
 */
ccat_status_t ccat_list_access_tokens(ccat_client_t *client, const ccat_list_params_t *params,
                                      ccat_list_item_fn fn, void *fn_ctx,
                                      ccat_list_page_t *page);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name DeleteAccessToken (DELETE /v1/accessTokens/{id}, 200) */
/**@{*/

/**
 * @brief Check an access token id as the model does: 1..36 characters
 * (code points) of valid UTF-8 without NUL.
 * @return CCAT_OK, CCAT_ERR_ARGUMENT (NULL) or CCAT_ERR_ID_INVALID.
 */
ccat_status_t ccat_access_token_id_check(const char *id);

/**
 * @brief Validate @p id (1..36 characters), then write a DeleteAccessToken
 * request with the id percent-encoded as the AWS SDKs do.
 * @return CCAT_OK, CCAT_ERR_ID_INVALID, a bearer-token error or
 *         CCAT_ERR_BUFFER_TOO_SMALL.
 */
ccat_status_t ccat_delete_request_write(const ccat_request_ctx_t *ctx, const char *id,
                                        char *buf, size_t cap, size_t *out_len);

/** @brief Interpret a complete DeleteAccessToken response (200: CCAT_OK; the
 * output has no members, so the body is not read, as in botocore; another
 * 2xx: CCAT_ERR_RESPONSE_STATUS; an error status fills @p err, may be NULL). */
ccat_status_t ccat_delete_response_read(ccat_http_response_t *resp, ccat_error_t *err);

/** @brief DeleteAccessToken, blocking (idempotent in the model, so retried).
 * Validation failures (CCAT_ERR_ID_INVALID...) send nothing. */
ccat_status_t ccat_delete_access_token(ccat_client_t *client, const char *id);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name VerifySession (GET /session, 200) */
/**@{*/

/** @brief Write a VerifySession request (a GET: no body, no Content-Length,
 * as botocore sends it).
 * @return CCAT_OK, a bearer-token error or CCAT_ERR_BUFFER_TOO_SMALL. */
ccat_status_t ccat_verify_request_write(const ccat_request_ctx_t *ctx, char *buf, size_t cap,
                                        size_t *out_len);

/**
 * @brief Interpret a complete VerifySession response.
 * @param[out] identity On 200: the NUL-terminated `identity`, or NULL when
 *             the service sent none, null, or an empty body (it is optional
 *             in the model); NULL on any failure.
 * @param[out] err May be NULL.
 */
ccat_status_t ccat_verify_response_read(ccat_http_response_t *resp, const char **identity,
                                        ccat_error_t *err);

/** @brief VerifySession, blocking: CCAT_OK when the client's token is accepted. */
ccat_status_t ccat_verify_session(ccat_client_t *client, const char **identity);
/**@}*/

#ifdef __cplusplus
}
#endif

#endif /* CCAT_TOKENS_H */
