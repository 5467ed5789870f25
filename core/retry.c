/*
 * AWS "standard" retry mode: which outcomes are retried, and how long to
 * wait. Codes and statuses are those of botocore's standard retry checkers.
 */
#include <string.h>

#include "internal.h"

int ccat_code_index(const char *codes, const char *code)
{
    if (code == NULL) {
        return -1;
    }
    for (int i = 0; *codes != '\0'; codes += strlen(codes) + 1, i++) {
        /* Compare up to the entry's mark or end: a mark is never matched by a
         * character of the code, so "Throttling*" is no code name. */
        const char *s = code;
        while (*codes >= '0' && *codes == *s) {
            codes++;
            s++;
        }
        char m = *codes; /* '\0', a mark, or a mismatch (a letter or digit) */
        if (*s == '\0' ? m == '\0' || m == '*'
                       : (m == '*' || m == '+') && strcmp(s, "Exception") == 0) {
            return i;
        }
    }
    return -1;
}

/* botocore's throttling and transient error codes, marked as ccat_code_index() reads them. */
static const char retry_codes[] =
    "Throttling*\0Throttled+\0RequestThrottled*\0TooManyRequests+\0"
    "ProvisionedThroughputExceeded+\0TransactionInProgress+\0RequestLimitExceeded\0"
    "BandwidthLimitExceeded\0LimitExceeded+\0SlowDown\0PriorRequestNotComplete\0"
    "EC2Throttled+\0RequestTimeout*\0";

uint32_t ccat_retry_cost(ccat_status_t st, const ccat_error_t *err)
{
    /* Timeouts and connection failures; certificate failures are not retried:
     * they cannot heal within a call. */
    if (st <= CCAT_ERR_DNS && st >= CCAT_ERR_SEND_TIMEOUT && st != CCAT_ERR_TLS_CERT) {
        return CCAT_RETRY_TIMEOUT_COST;
    }
    int s = err->http_status;
    return ccat_status_is_service_error(st) &&
                   (s == 500 || s == 502 || s == 503 || s == 504 ||
                    ccat_code_index(retry_codes, err->code) >= 0)
               ? CCAT_RETRY_COST
               : 0;
}

uint32_t ccat_retry_delay_ms(unsigned attempt, uint32_t random)
{
    uint32_t cap = CCAT_RETRY_MAX_BACKOFF_MS;
    if (attempt < 16 && (1000u << (attempt - 1)) < cap) {
        cap = 1000u << (attempt - 1);
    }
    /* random / 2^32 is uniform in [0, 1). */
    return (uint32_t)(((uint64_t)random * cap) >> 32);
}
