/* Writing HTTP/1.1 requests into a caller buffer. */
#include <string.h>

#include "internal.h"

void ccat_w_put(ccat_writer_t *w, const char *s, size_t n)
{
    if (n == 0) {
        return; /* also keeps memcpy away from a NULL source */
    }
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = 1;
        return;
    }
    memcpy(w->p + w->len, s, n);
    w->len += n;
}

void ccat_w_str(ccat_writer_t *w, const char *s)
{
    ccat_w_put(w, s, strlen(s));
}

void ccat_w_uint(ccat_writer_t *w, uint64_t v)
{
    char digits[20];
    size_t i = sizeof(digits);
    do {
        digits[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    ccat_w_put(w, digits + i, sizeof(digits) - i);
}

void ccat_request_head(ccat_writer_t *w, const ccat_request_ctx_t *ctx,
                       const char *method, const char *path)
{
    const ccat_endpoint_t *ep = ctx->endpoint;
    ccat_w_str(w, method);
    CCAT_W_LIT(w, " ");
    ccat_w_put(w, ep->base_path, ep->base_path_len);
    ccat_w_str(w, path);
    CCAT_W_LIT(w, " HTTP/1.1\r\nHost: ");
    if (ep->ipv6) {
        CCAT_W_LIT(w, "[");
    }
    ccat_w_str(w, ep->host);
    if (ep->ipv6) {
        CCAT_W_LIT(w, "]");
    }
    if (ep->port_explicit) {
        CCAT_W_LIT(w, ":");
        ccat_w_uint(w, ep->port);
    }
    CCAT_W_LIT(w, "\r\nUser-Agent: ccat/" CCAT_VERSION_STRING " ");
    ccat_w_str(w, ctx->platform ? ctx->platform : CCAT_PLATFORM_STRING);
    CCAT_W_LIT(w, "\r\nAuthorization: Bearer ");
    ccat_w_str(w, ctx->bearer_token);
    CCAT_W_LIT(w, "\r\n");
}

size_t ccat_request_body_begin(ccat_writer_t *w)
{
    CCAT_W_LIT(w, "Content-Type: application/json\r\nContent-Length: ");
    return w->len;
}

void ccat_request_body_end(ccat_writer_t *w, size_t body_start)
{
    /* The body was written where the length goes; shift it past the digits. */
    size_t body_len = w->len - body_start;
    char digits[24];
    ccat_writer_t d = {digits, sizeof(digits), 0, 0};
    ccat_w_uint(&d, body_len);
    CCAT_W_LIT(&d, "\r\n\r\n");
    if (w->overflow || d.len > w->cap - w->len) {
        w->overflow = 1;
        return;
    }
    memmove(w->p + body_start + d.len, w->p + body_start, body_len);
    memcpy(w->p + body_start, digits, d.len);
    w->len += d.len;
}
