/* Endpoint URLs: http[s]://host[:port][/base/path], nothing more. */
#include <string.h>

#include "ccat/ccat.h"

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
    ep->ipv6 = (uint8_t)v6;
    p += v6;
    size_t n = 0;
    for (; host_char((unsigned char)*p, v6); p++) {
        if (n == CCAT_HOST_MAX) {
            return NULL;
        }
        ep->host[n++] = *p; /* the NUL is there: ep was cleared */
    }
    if (n == 0 || (v6 && *p++ != ']')) {
        return NULL;
    }
    return p;
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
    /* The scheme, case-insensitive: "https://" with its 's' optional (one
     * walk over one word, not a match of each). */
    const char *p = url;
    for (const char *w = "https://"; *w != '\0'; w++) {
        /* The word's letters are lowercase (0x60 and up), so (*w >> 1) & 0x20
         * is 0x20 for them, and c | 0x20 matches either case; ':' and '/'
         * (below 0x40) are compared as they are. */
        if ((*p | ((*w >> 1) & 0x20)) == *w) {
            p++;
        } else if (*w != 's') {
            return CCAT_ERR_ENDPOINT;
        }
    }
    ep->tls = p - url == 8;
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
    /* The path, up to its last byte other than '/' (trailing ones dropped). */
    const char *path = p, *end = p;
    for (; *p != '\0'; p++) {
        if (!path_char((unsigned char)*p)) {
            return CCAT_ERR_ENDPOINT;
        }
        if (*p != '/') {
            end = p + 1;
        }
    }
    ep->base_path = path;
    ep->base_path_len = (size_t)(end - path);
    return CCAT_OK;
}
