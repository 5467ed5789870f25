/*
 * AWS "standard" retry mode: which outcomes are retried, and how long to
 * wait. Codes and statuses are those of botocore's standard retry checkers.
 */
#include <string.h>

#include "internal.h"

int ccat_retry_is_connection_error(ccat_status_t st)
{
    /* Certificate failures are not retried: they cannot heal within a call. */
    return st <= CCAT_ERR_DNS && st >= CCAT_ERR_SEND_TIMEOUT && st != CCAT_ERR_TLS_CERT;
}

/* Throttling and transient error codes, NUL-separated, double NUL at the end. */
static const char retry_codes[] =
    "Throttling\0ThrottlingException\0ThrottledException\0RequestThrottledException\0"
    "TooManyRequestsException\0ProvisionedThroughputExceededException\0"
    "TransactionInProgressException\0RequestLimitExceeded\0BandwidthLimitExceeded\0"
    "LimitExceededException\0RequestThrottled\0SlowDown\0PriorRequestNotComplete\0"
    "EC2ThrottledException\0RequestTimeout\0RequestTimeoutException\0";

static int code_is_retryable(const char *code)
{
    if (code == NULL) {
        return 0;
    }
    for (const char *c = retry_codes; *c != '\0'; c += strlen(c) + 1) {
        if (strcmp(c, code) == 0) {
            return 1;
        }
    }
    return 0;
}

int ccat_retry_is_retryable(ccat_status_t st, const ccat_error_t *err)
{
    if (ccat_retry_is_connection_error(st)) {
        return 1;
    }
    if (!ccat_status_is_service_error(st) || err == NULL) {
        return 0;
    }
    int s = err->http_status;
    return s == 500 || s == 502 || s == 503 || s == 504 || code_is_retryable(err->code);
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
