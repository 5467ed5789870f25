/* Endpoint URLs: http[s]://host[:port][/base/path], nothing more. */
#include <string.h>

#include "ccat/ccat.h"

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Case-insensitive prefix match of a lowercase word. */
static int has_prefix(const char *s, const char *word)
{
    for (; *word; s++, word++) {
        if (lower((unsigned char)*s) != *word) {
            return 0;
        }
    }
    return 1;
}

static int host_char(int c, int ipv6)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return 1;
    }
    return c == '.' || (ipv6 ? c == ':' : (c == '-' || c == '_' || c == '~'));
}

/* Path bytes: printable ASCII except space, '?', '#', '%'-free is not required. */
static int path_char(int c)
{
    return c > 0x20 && c < 0x7f && c != '?' && c != '#' && c != '\\' && c != '"';
}

static const char *parse_host(const char *p, ccat_endpoint_t *ep)
{
    int v6 = (*p == '[');
    const char *start = p + v6;
    const char *q = start;
    while (host_char((unsigned char)*q, v6)) {
        q++;
    }
    size_t n = (size_t)(q - start);
    if (n == 0 || n > CCAT_HOST_MAX || (v6 && *q++ != ']')) {
        return NULL;
    }
    memcpy(ep->host, start, n); /* the NUL is there: ep was cleared */
    ep->ipv6 = (uint8_t)v6;
    return q;
}

static const char *parse_port(const char *p, ccat_endpoint_t *ep)
{
    uint32_t port = 0;
    for (const char *start = p; (unsigned)(*p - '0') < 10; p++) {
        if (p - start == 5) {
            return NULL; /* a sixth digit */
        }
        port = port * 10 + (uint32_t)(*p - '0');
    }
    if (port - 1 >= 65535) {
        return NULL; /* no digit, 0, or too large */
    }
    ep->port = (uint16_t)port;
    return p;
}

ccat_status_t ccat_endpoint_parse(const char *url, ccat_endpoint_t *ep)
{
    if (url == NULL || ep == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    memset(ep, 0, sizeof(*ep));
    const char *p = url;
    if (has_prefix(p, "https://")) {
        ep->tls = 1;
        p += 8;
    } else if (has_prefix(p, "http://")) {
        p += 7;
    } else {
        return CCAT_ERR_ENDPOINT;
    }
    uint16_t default_port = ep->tls ? 443 : 80;
    ep->port = default_port;
    p = parse_host(p, ep);
    if (p != NULL && *p == ':') {
        p = parse_port(p + 1, ep);
    }
    if (p == NULL || (*p != '\0' && *p != '/')) {
        return CCAT_ERR_ENDPOINT;
    }
    ep->port_explicit = ep->port != default_port;
    const char *path = p;
    while (path_char((unsigned char)*p)) {
        p++;
    }
    if (*p != '\0') {
        return CCAT_ERR_ENDPOINT;
    }
    while (p > path && p[-1] == '/') {
        p--;
    }
    ep->base_path = path;
    ep->base_path_len = (size_t)(p - path);
    return CCAT_OK;
}
