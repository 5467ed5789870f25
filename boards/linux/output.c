/**
 * @file output.c
 * @brief What `ccat` prints: the token as JSON, and how failures map to
 * exit codes and messages.
 *
 * The JSON is byte for byte what the AWS CLI v2 prints (Python's
 * json.dumps(indent=4, ensure_ascii=False)). It goes through a small buffer
 * of ours straight to write(2), so the secret never sits in a stdio buffer,
 * and that buffer is wiped afterwards.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/** @brief Buffered writer to a file descriptor. */
typedef struct out {
    int fd;         /**< Destination. */
    int failed;     /**< A write failed; later output is dropped. */
    size_t len;     /**< Bytes pending in @c buf. */
    char buf[512];  /**< Pending bytes (may hold the secret: wiped at the end). */
} out_t;

/** @brief Write out everything pending. */
static void out_flush(out_t *o)
{
    size_t done = 0;
    while (done < o->len && !o->failed) {
        ssize_t n = write(o->fd, o->buf + done, o->len - done);
        if (n > 0)
            done += (size_t)n;
        else if (n < 0 && errno != EINTR)
            o->failed = 1;
    }
    o->len = 0;
}

/** @brief Append @p n bytes. */
static void out_put(out_t *o, const char *s, size_t n)
{
    while (n > 0) {
        size_t room = sizeof o->buf - o->len;
        size_t k = n < room ? n : room;
        memcpy(o->buf + o->len, s, k);
        o->len += k;
        s += k;
        n -= k;
        if (o->len == sizeof o->buf)
            out_flush(o);
    }
}

/** @brief Append a NUL-terminated string. */
static void out_puts(out_t *o, const char *s)
{
    out_put(o, s, strlen(s));
}

/**
 * @brief The JSON escape of one byte, as Python writes it: the short forms
 * for \\" \\\\ \\b \\f \\n \\r \\t, \\u00xx (lower case) for other control
 * characters, nothing for every other byte (UTF-8 passes through).
 * @return Length of the escape written to @p seq (0: byte needs none).
 */
static size_t json_escape_byte(unsigned char c, char seq[6])
{
    static const char hex[] = "0123456789abcdef";
    char short_form = 0;

    if (c >= 0x20 && c != '"' && c != '\\')
        return 0;
    switch (c) {
    case '"': short_form = '"'; break;
    case '\\': short_form = '\\'; break;
    case '\b': short_form = 'b'; break;
    case '\f': short_form = 'f'; break;
    case '\n': short_form = 'n'; break;
    case '\r': short_form = 'r'; break;
    case '\t': short_form = 't'; break;
    default: break;
    }
    seq[0] = '\\';
    if (short_form != 0) {
        seq[1] = short_form;
        return 2;
    }
    memcpy(seq + 1, "u00", 3);
    seq[4] = hex[c >> 4];
    seq[5] = hex[c & 15];
    return 6;
}

/** @brief Append s[0..n) as a JSON string literal, quotes included. */
static void out_json_string(out_t *o, const char *s, size_t n)
{
    char seq[6];
    size_t run = 0;
    out_put(o, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        size_t k = json_escape_byte((unsigned char)s[i], seq);
        if (k == 0)
            continue;
        out_put(o, s + run, i - run);
        out_put(o, seq, k);
        run = i + 1;
    }
    out_put(o, s + run, n - run);
    out_put(o, "\"", 1);
    ccat_wipe(seq, sizeof seq);
}

void ccat_cli_json_string_print(FILE *f, const char *s)
{
    char seq[6];
    fputc('"', f);
    for (; *s != '\0'; s++) {
        size_t k = json_escape_byte((unsigned char)*s, seq);
        if (k == 0)
            fputc(*s, f);
        else
            fwrite(seq, 1, k, f);
    }
    fputc('"', f);
}

/** @brief Append one `    "key": "value"` member line. */
static void out_member(out_t *o, const char *key, const char *v, size_t n, int last)
{
    out_puts(o, "    \"");
    out_puts(o, key);
    out_puts(o, "\": ");
    out_json_string(o, v, n);
    out_puts(o, last ? "\n" : ",\n");
}

int ccat_cli_token_print(int fd, const ccat_access_token_t *tok)
{
    out_t o;
    char when[CCAT_TIME_TEXT_MAX];
    int when_len = ccat_time_format(tok->expires_time, when);
    int failed;

    if (when_len < 0)
        return -1;
    o.fd = fd;
    o.failed = 0;
    o.len = 0;
    out_puts(&o, "{\n");
    out_member(&o, "secret", tok->secret, tok->secret_len, 0);
    out_member(&o, "name", tok->name, strlen(tok->name), 0);
    out_member(&o, "expiresTime", when, (size_t)when_len, 0);
    out_member(&o, "accessTokenId", tok->access_token_id, strlen(tok->access_token_id), 1);
    out_puts(&o, "}\n");
    out_flush(&o);
    failed = o.failed;
    ccat_wipe(&o, sizeof o);
    return failed ? -1 : 0;
}

int ccat_cli_exit_code(ccat_status_t status)
{
    if (status == CCAT_OK)
        return CCAT_CLI_EXIT_OK;
    if (ccat_status_is_service_error(status))
        return CCAT_CLI_EXIT_SERVICE;
    switch (status) {
    case CCAT_ERR_TOKEN_MISSING:
        return CCAT_CLI_EXIT_NO_TOKEN;
    case CCAT_ERR_NAME_LENGTH:
    case CCAT_ERR_NAME_UTF8:
    case CCAT_ERR_EXPIRES_RANGE:
    case CCAT_ERR_TOKEN_INVALID:
    case CCAT_ERR_ENDPOINT:
    case CCAT_ERR_TIME_FORMAT:
    case CCAT_ERR_ID_INVALID:
    case CCAT_ERR_MAX_RESULTS:
    case CCAT_ERR_NEXT_TOKEN:
        return CCAT_CLI_EXIT_USAGE;
    default:
        return CCAT_CLI_EXIT_FAILURE;
    }
}

/** @brief Phrases for the connection and transport failures (-20..-29). */
static const char *const failure_phrases_net[] = {
    "Could not resolve the host of the endpoint URL",
    "Could not connect to the endpoint URL",
    "Connect timeout on endpoint URL",
    "TLS handshake failed with the endpoint URL",
    "SSL validation failed (untrusted, expired or wrong-host certificate) for the endpoint URL",
    "Connection reset while sending to the endpoint URL",
    "Connection reset while receiving from the endpoint URL",
    "Connection closed early (incomplete response) by the endpoint URL",
    "Read timeout on endpoint URL",
    "Write timeout on endpoint URL",
};

/** @brief Phrases for the response content failures (-60..-65). */
static const char *const failure_phrases_resp[] = {
    "Response larger than the 16 KiB buffer from the endpoint URL",
    "Response body is not valid JSON from the endpoint URL",
    "Response body is not valid JSON (bad string) from the endpoint URL",
    "Response lacks a required member of the output from the endpoint URL",
    "Response member of the wrong type from the endpoint URL",
    "Unexpected HTTP status from the endpoint URL",
};

const char *ccat_cli_failure_phrase(ccat_status_t status)
{
    int s = (int)status;
    if (s <= CCAT_ERR_DNS && s >= CCAT_ERR_SEND_TIMEOUT)
        return failure_phrases_net[CCAT_ERR_DNS - s];
    if (s <= CCAT_ERR_HTTP_STATUS_LINE && s >= CCAT_ERR_HTTP_EXCESS_DATA)
        return "Malformed HTTP response from the endpoint URL";
    if (s <= CCAT_ERR_RESPONSE_TOO_LARGE && s >= CCAT_ERR_RESPONSE_STATUS)
        return failure_phrases_resp[CCAT_ERR_RESPONSE_TOO_LARGE - s];
    if (status == CCAT_ERR_BUFFER_TOO_SMALL)
        return "Request larger than the 16 KiB buffer for the endpoint URL";
    return "Unexpected failure calling the endpoint URL";
}

void ccat_cli_put_clean(FILE *f, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
    }
}

/** @brief Python's reason phrase for a 5xx status (http.client.responses), or "". */
static const char *reason_5xx(int status)
{
    static const char *const phrases[] = {
        "Internal Server Error", "Not Implemented", "Bad Gateway", "Service Unavailable",
        "Gateway Timeout", "HTTP Version Not Supported", "Variant Also Negotiates",
        "Insufficient Storage", "Loop Detected", "", "Not Extended",
        "Network Authentication Required",
    };
    return status >= 500 && status <= 511 ? phrases[status - 500] : "";
}

/**
 * @brief botocore's "generic error response": a 5xx whose body, stripped of
 * ASCII white space, is empty or starts with "<html>" (a proxy's page).
 */
static int error_is_generic(const ccat_http_response_t *resp)
{
    const char *b = resp->body;
    size_t n = resp->body_len;
    if (resp->status < 500)
        return 0;
    while (n > 0 && *b != '\0' && strchr(" \t\n\r\v\f", *b) != NULL) {
        b++;
        n--;
    }
    return n == 0 || (n >= 6 && memcmp(b, "<html>", 6) == 0);
}

void ccat_cli_service_error_print(FILE *f, const char *operation, const ccat_error_t *e,
                                  const ccat_http_response_t *resp, int retries)
{
    int generic = error_is_generic(resp);
    fputs("An error occurred (", f);
    if (e->code != NULL && !generic)
        ccat_cli_put_clean(f, e->code);
    else
        fprintf(f, "%d", e->http_status);
    fprintf(f, ") when calling the %s operation", operation);
    if (retries >= 0)
        fprintf(f, " (reached max retries: %d)", retries);
    fputs(": ", f);
    ccat_cli_put_clean(f, generic ? reason_5xx(e->http_status) : e->message);
    fputc('\n', f);
}

/* ---- list-access-tokens and verify-session ------------------------------- */

void ccat_cli_list_begin(FILE *f)
{
    fputs("{\n    \"items\": [", f);
}

void ccat_cli_list_item(FILE *f, const ccat_access_token_summary_t *it, unsigned index)
{
    /* json.dumps(indent=4) of the parsed page: members in the shape's order,
     * an absent expiresTime left out. */
    fputs(index == 0 ? "\n        {\n            \"id\": " : ",\n        {\n            \"id\": ", f);
    ccat_cli_json_string_print(f, it->id);
    fputs(",\n            \"name\": ", f);
    ccat_cli_json_string_print(f, it->name);
    if (it->has_expires_time) {
        char when[CCAT_TIME_TEXT_MAX];
        if (ccat_time_format(it->expires_time, when) < 0)
            when[0] = '\0'; /* cannot happen: the parser keeps to years 0001-9999 */
        fputs(",\n            \"expiresTime\": ", f);
        ccat_cli_json_string_print(f, when);
    }
    fputs("\n        }", f);
}

void ccat_cli_list_end(FILE *f, unsigned items, const char *key, const char *token)
{
    fputs(items == 0 ? "]" : "\n    ]", f);
    if (token != NULL && token[0] != '\0') {
        fprintf(f, ",\n    \"%s\": ", key);
        ccat_cli_json_string_print(f, token);
    }
    fputs("\n}\n", f);
}

void ccat_cli_identity_print(FILE *f, const char *identity)
{
    if (identity == NULL)
        return;
    fputs("{\n    \"identity\": ", f);
    ccat_cli_json_string_print(f, identity);
    fputs("\n}\n", f);
}
