/* Names of result codes, for logs and messages (never carrying secrets). */
#include "internal.h"

int ccat_status_is_service_error(ccat_status_t status)
{
    return CCAT_IS_SERVICE_ERROR(status);
}

/*
 * All names in one string, so that no pointer table is needed (a table of 46
 * pointers alone would cost 172 bytes on a 32-bit target). Order: the
 * failures from 0 down to -111 as ccat_status.h numbers them in blocks of 20,
 * then CCAT_AGAIN, then the name of any other value.
 */
static const char names[] =
    "OK\0ERR_ARGUMENT\0ERR_NAME_LENGTH\0ERR_NAME_UTF8\0ERR_EXPIRES_RANGE\0"
    "ERR_TOKEN_MISSING\0ERR_TOKEN_INVALID\0ERR_ENDPOINT\0ERR_BUFFER_TOO_SMALL\0"
    "ERR_TIME_FORMAT\0ERR_ID_INVALID\0ERR_MAX_RESULTS\0ERR_NEXT_TOKEN\0" /* -20: */
    "ERR_DNS\0ERR_CONNECT\0ERR_CONNECT_TIMEOUT\0ERR_TLS\0ERR_TLS_CERT\0ERR_SEND\0"
    "ERR_RECV\0ERR_CLOSED\0ERR_READ_TIMEOUT\0ERR_SEND_TIMEOUT\0" /* -40: */
    "ERR_HTTP_STATUS_LINE\0ERR_HTTP_HEADER\0ERR_HTTP_HEADERS_TOO_LARGE\0"
    "ERR_HTTP_LENGTH_INVALID\0ERR_HTTP_LENGTH_CONFLICT\0ERR_HTTP_CHUNK_SIZE\0"
    "ERR_HTTP_CHUNK_FRAMING\0ERR_HTTP_TRANSFER_CODING\0ERR_HTTP_EXCESS_DATA\0" /* -60: */
    "ERR_RESPONSE_TOO_LARGE\0ERR_JSON_SYNTAX\0ERR_JSON_STRING\0ERR_RESPONSE_MISSING\0"
    "ERR_RESPONSE_TYPE\0ERR_RESPONSE_STATUS\0" /* -80: */
    "ERR_SVC_ACCESS_DENIED\0ERR_SVC_CONFLICT\0ERR_SVC_NOT_FOUND\0ERR_SVC_QUOTA\0"
    "ERR_SVC_THROTTLING\0ERR_SVC_VALIDATION\0ERR_SVC_OTHER\0" /* -100: */
    "ERR_STORAGE_READ\0ERR_STORAGE_WRITE\0ERR_STORAGE_COMMIT\0ERR_STATE_MISSING\0"
    "ERR_STATE_CORRUPT\0ERR_STATE_VERSION\0ERR_STATE_TOO_LARGE\0ERR_ROTATE_PREFIX\0"
    "ERR_ROTATE_NO_TIME\0ERR_ROTATE_REJECTED\0ERR_ROTATE_ORPHANS\0ERR_ROTATE_ID_UNKNOWN\0"
    "AGAIN\0ERR_UNKNOWN";

/* Position in names[] of the first name of each block, and of the block's end. */
static const unsigned char block_end[7] = {0, 13, 23, 32, 38, 45, 57};

const char *ccat_status_name(ccat_status_t status)
{
    unsigned v = 0u - (unsigned)status, block = v / 20, i = 58; /* unknown */
    if (status == CCAT_AGAIN) {
        i = 57;
    } else if (block < 6 && block_end[block] + v % 20 < block_end[block + 1]) {
        i = block_end[block] + v % 20;
    }
    const char *p = names;
    while (i != 0) {
        i -= *p++ == '\0';
    }
    return p;
}
