/*
 * TLS over any ccat transport with mbedTLS 2.28. See ccat_mbedtls.h.
 *
 * mbedTLS never sees a socket: its BIO callbacks call the lower transport
 * with the timeout of the current call, and a lower "0 = nothing yet" becomes
 * MBEDTLS_ERR_SSL_WANT_READ/WRITE, which in turn becomes our own 0. So the
 * layer is exactly as blocking or non-blocking as the transport under it.
 */
#include "ccat_mbedtls.h"

#include <stdint.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509.h>

#include "ccat/ccat_status.h"

/* ccat_mbedtls_t::state. A zero-filled struct is CLOSED. */
enum {
    CCAT_TLS_CLOSED = 0,    /* nothing open; ssl context reset */
    CCAT_TLS_CONNECTING,    /* lower->connect returned 0 so far */
    CCAT_TLS_HANDSHAKE,     /* lower connected, handshake in progress */
    CCAT_TLS_OPEN           /* handshake done, certificate and host verified */
};

/* ---- BIO: mbedTLS's records go through the lower transport only ---------- */

static int ccat_tls_bio_send(void *ctx, const unsigned char *buf, size_t len) {
    ccat_mbedtls_t *tls = ctx;
    int32_t n = tls->lower->send(tls->lower->ctx, buf, len, tls->io_timeout_ms);
    if (n > 0) {
        return (int)n;
    }
    return n == 0 ? MBEDTLS_ERR_SSL_WANT_WRITE : MBEDTLS_ERR_NET_SEND_FAILED;
}

static int ccat_tls_bio_recv(void *ctx, unsigned char *buf, size_t len) {
    ccat_mbedtls_t *tls = ctx;
    int32_t n = tls->lower->recv(tls->lower->ctx, buf, len, tls->io_timeout_ms);
    if (n > 0) {
        return (int)n;
    }
    if (n == 0) {
        return MBEDTLS_ERR_SSL_WANT_READ;
    }
    /* 0 tells mbedTLS "EOF" (MBEDTLS_ERR_SSL_CONN_EOF / ssl_read() == 0). */
    return n == CCAT_TRANSPORT_ERR_CLOSED ? 0 : MBEDTLS_ERR_NET_RECV_FAILED;
}

/* ---- error mapping ------------------------------------------------------- */

static int ccat_tls_is_pending(int ret) {
    return ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE ||
           ret == MBEDTLS_ERR_SSL_ASYNC_IN_PROGRESS || ret == MBEDTLS_ERR_SSL_CRYPTO_IN_PROGRESS;
}

/* X.509 high-level codes span -0x2080 (feature unavailable) .. -0x3000 (fatal). */
static int ccat_tls_is_x509_error(int ret) {
    int high = (-ret) & 0xFF80;
    return high >= 0x2080 && high <= 0x3000;
}

static int32_t ccat_tls_handshake_error(const ccat_mbedtls_t *tls, int ret) {
    uint32_t flags = mbedtls_ssl_get_verify_result(&tls->ssl);
    if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED || ccat_tls_is_x509_error(ret) ||
        (flags != 0 && flags != UINT32_MAX)) {
        return CCAT_TRANSPORT_ERR_CERT;
    }
    if (ret == MBEDTLS_ERR_NET_SEND_FAILED || ret == MBEDTLS_ERR_NET_RECV_FAILED) {
        return CCAT_TRANSPORT_ERR_IO;
    }
    return CCAT_TRANSPORT_ERR_TLS; /* includes EOF mid-handshake: not a TLS server */
}

static int32_t ccat_tls_io_error(int ret) {
    if (ccat_tls_is_pending(ret)) {
        return 0;
    }
    if (ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == MBEDTLS_ERR_SSL_CONN_EOF) {
        return CCAT_TRANSPORT_ERR_CLOSED;
    }
    if (ret == MBEDTLS_ERR_NET_SEND_FAILED || ret == MBEDTLS_ERR_NET_RECV_FAILED) {
        return CCAT_TRANSPORT_ERR_IO;
    }
    return CCAT_TRANSPORT_ERR_TLS;
}

/* ---- IP literals ------------------------------------------------------------ */

/*
 * Our own parsers rather than inet_pton: the layer runs over any transport,
 * including bare-metal stacks without POSIX. Strict forms only, so a string
 * is an address in exactly one way (no octal/hex/short IPv4 of inet_aton).
 */

/* Dotted quad: four decimal parts 0..255 without leading zeros, then NUL. */
static int ccat_tls_parse_ipv4(const char *s, uint8_t *out) {
    size_t part;
    for (part = 0; part < 4; part++) {
        unsigned v = 0, digits = 0;
        if (part > 0 && *s++ != '.') {
            return -1;
        }
        while (*s >= '0' && *s <= '9') {
            if (digits++ > 0 && v == 0) {
                return -1; /* leading zero: octal to inet_aton, so ambiguous */
            }
            v = v * 10u + (unsigned)(*s++ - '0');
            if (v > 255u) {
                return -1;
            }
        }
        if (digits == 0) {
            return -1;
        }
        out[part] = (uint8_t)v;
    }
    return *s == '\0' ? 0 : -1;
}

static int ccat_tls_hex(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)(c | 0x20); /* ASCII lower case */
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/*
 * RFC 4291 section 2.2 text: eight groups of 1-4 hex digits, one "::" for
 * one or more zero groups, and an optional dotted quad as the last 32 bits.
 * No zone id ("%eth0"): a certificate cannot name one.
 */
static int ccat_tls_parse_ipv6(const char *s, uint8_t *out) {
    size_t n = 0;          /* bytes of out written */
    size_t gap = SIZE_MAX; /* where "::" stands, in bytes */
    const char *group = s; /* start of the current group */
    unsigned v = 0, digits = 0;
    if (*s == ':' && *++s != ':') {
        return -1; /* a leading colon only as "::" */
    }
    for (; *s != '\0'; s++) {
        int h = ccat_tls_hex(*s);
        if (h >= 0) {
            if (++digits > 4) {
                return -1;
            }
            v = (v << 4) | (unsigned)h;
        } else if (*s == ':') {
            group = s + 1;
            if (digits == 0) { /* the second colon of "::" */
                if (gap != SIZE_MAX) {
                    return -1;
                }
                gap = n;
                continue;
            }
            if (s[1] == '\0' || n == 16) {
                return -1; /* a trailing colon only as "::"; too many groups */
            }
            out[n++] = (uint8_t)(v >> 8);
            out[n++] = (uint8_t)v;
            v = digits = 0;
        } else if (*s == '.' && n <= 12 && ccat_tls_parse_ipv4(group, out + n) == 0) {
            n += 4;
            digits = 0;
            break;
        } else {
            return -1;
        }
    }
    if (digits > 0) {
        if (n == 16) {
            return -1;
        }
        out[n++] = (uint8_t)(v >> 8);
        out[n++] = (uint8_t)v;
    }
    if (gap != SIZE_MAX) {
        if (n == 16) {
            return -1; /* "::" must stand for at least one group */
        }
        memmove(out + gap + (16 - n), out + gap, n - gap);
        memset(out + gap, 0, 16 - n);
        n = 16;
    }
    return n == 16 ? 0 : -1;
}

/*
 * What @p host names: 4 or 16 (an IPv4 or IPv6 literal, its bytes in @p out),
 * 0 (a host name), or -1 (looks like an address but is none: a colon, or a
 * last label of digits only, which RFC 1123 2.1 rules out for host names).
 */
static int ccat_tls_host_kind(const char *host, uint8_t *out) {
    size_t len = strlen(host);
    const char *label;
    if (memchr(host, ':', len) != NULL) {
        return ccat_tls_parse_ipv6(host, out) == 0 ? 16 : -1;
    }
    if (len > 0 && host[len - 1] == '.') {
        len--; /* the root label of "1.2.3.4." */
    }
    for (label = host + len; label > host && label[-1] >= '0' && label[-1] <= '9'; label--) {
    }
    if (label == host + len || (label > host && label[-1] != '.')) {
        return 0; /* the last label is not all digits */
    }
    return ccat_tls_parse_ipv4(host, out) == 0 ? 4 : -1;
}

/*
 * Verify callback: for an IP literal, the leaf must carry that address as
 * an iPAddress subjectAltName (tag [7], 4 or 16 bytes, compared byte for
 * byte). A dNSName or CN spelling the address does not count (RFC 6125,
 * RFC 9110 4.3.4). mbedTLS 2.28 keeps every SAN's raw value in
 * subject_alt_names but only ever compares dNSNames with the host name.
 */
static int ccat_tls_verify_ip(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags) {
    ccat_mbedtls_t *tls = ctx;
    const mbedtls_x509_sequence *san;
    if (depth != 0 || tls->ip_len == 0) {
        return 0;
    }
    for (san = &crt->subject_alt_names; san != NULL; san = san->next) {
        if (san->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_X509_SAN_IP_ADDRESS) &&
            san->buf.len == tls->ip_len && memcmp(san->buf.p, tls->ip, tls->ip_len) == 0) {
            tls->ip_matched = 1;
            return 0;
        }
    }
    *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
    return 0;
}

/*
 * The identity to check for @p host. A name: SNI and mbedTLS's own name
 * check. An address: no SNI (RFC 6066 3) and no name check by mbedTLS
 * (hostname NULL makes 2.28 skip it); ccat_tls_verify_ip checks instead.
 */
static int32_t ccat_tls_set_identity(ccat_mbedtls_t *tls, const char *host) {
    int kind = ccat_tls_host_kind(host, tls->ip);
    if (kind < 0 || mbedtls_ssl_set_hostname(&tls->ssl, kind == 0 ? host : NULL) != 0) {
        return CCAT_TRANSPORT_ERR_ARGUMENT; /* bad literal, or a name longer than 255 bytes */
    }
    tls->ip_len = (uint8_t)kind;
    tls->ip_matched = 0;
    return 0;
}

/* ---- session resumption --------------------------------------------------- */

static void ccat_tls_trace(const ccat_mbedtls_t *tls, const char *event, long value) {
    if (tls->trace != NULL) {
        tls->trace(tls->trace_ctx, event, value);
    }
}

/* SHA-256 of host, a NUL and the port: a fixed-size tag of where a session belongs. */
static void ccat_tls_peer_digest(const char *host, uint16_t port, uint8_t out[32]) {
    mbedtls_sha256_context sha;
    const uint8_t tail[3] = {0, (uint8_t)(port >> 8), (uint8_t)port};
    mbedtls_sha256_init(&sha);
    if (mbedtls_sha256_starts_ret(&sha, 0) != 0 ||
        mbedtls_sha256_update_ret(&sha, (const unsigned char *)host, strlen(host)) != 0 ||
        mbedtls_sha256_update_ret(&sha, tail, sizeof tail) != 0 ||
        mbedtls_sha256_finish_ret(&sha, out) != 0) {
        memset(out, 0, 32); /* cannot happen in software SHA-256; matches no saved session */
    }
    mbedtls_sha256_free(&sha);
}

/*
 * Before a handshake: offer the caller's session if it was made with this
 * very host and port (why only then: see the header). mbedTLS works on a
 * copy; ccat_tls_keep() replaces the caller's once the handshake is done.
 */
static void ccat_tls_offer(ccat_mbedtls_t *tls, const char *host, uint16_t port) {
    ccat_mbedtls_session_t *sess = tls->session;
    tls->offered = 0;
    tls->accepted = 0;
    tls->resumed = 0;
    if (sess == NULL) {
        return;
    }
    ccat_tls_peer_digest(host, port, tls->peer);
    if (!sess->valid) {
        return;
    }
    if (memcmp(sess->peer, tls->peer, sizeof tls->peer) != 0) {
        ccat_tls_trace(tls, "tls_resume_offer", 0);
        return;
    }
    if (mbedtls_ssl_set_session(&tls->ssl, &sess->session) == 0) { /* else: out of heap, full */
        tls->offered = 1;
        ccat_tls_trace(tls, "tls_resume_offer", 1);
    }
}

/*
 * mbedtls_ssl_handshake(), step by step, to see the server's answer to an
 * offered session: after ServerHello, 2.28's client goes on to the server's
 * ChangeCipherSpec when the server echoed our session (abbreviated
 * handshake), to its Certificate otherwise. Completing the abbreviated
 * handshake proves the server knew the session's master secret (Finished).
 */
static int ccat_tls_handshake(ccat_mbedtls_t *tls) {
    int ret = 0;
    while (tls->ssl.state != MBEDTLS_SSL_HANDSHAKE_OVER && ret == 0) {
        int before = tls->ssl.state;
        ret = mbedtls_ssl_handshake_step(&tls->ssl);
        if (ret == 0 && before == MBEDTLS_SSL_SERVER_HELLO &&
            tls->ssl.state == MBEDTLS_SSL_SERVER_CHANGE_CIPHER_SPEC) {
            tls->accepted = 1;
        }
    }
    return ret;
}

/* After a verified (or resumed) handshake: keep its session for the next connect. */
static void ccat_tls_keep(ccat_mbedtls_t *tls) {
    ccat_mbedtls_session_t *sess = tls->session;
    if (sess == NULL) {
        return;
    }
    sess->valid = 0;
    if (mbedtls_ssl_get_session(&tls->ssl, &sess->session) != 0) {
        ccat_mbedtls_session_free(sess); /* out of heap: nothing to offer next time */
        return;
    }
    memcpy(sess->peer, tls->peer, sizeof sess->peer);
    sess->valid = 1;
}

/* ---- transport functions -------------------------------------------------- */

/* Forget the session (mbedTLS wipes its record buffers) and close the lower transport. */
static void ccat_tls_reset(ccat_mbedtls_t *tls) {
    if (tls->state != CCAT_TLS_CLOSED && tls->ssl.conf != NULL) {
        (void)mbedtls_ssl_session_reset(&tls->ssl);
    }
    if (tls->lower != NULL) {
        tls->lower->close(tls->lower->ctx);
    }
    tls->state = CCAT_TLS_CLOSED;
    tls->io_timeout_ms = 0;
}

/* Connect the lower transport; SNI and the name to verify are set first. */
static int32_t ccat_tls_connect_lower(ccat_mbedtls_t *tls, const char *host, uint16_t port,
                                      uint32_t timeout_ms) {
    int32_t rc;
    if (tls->state == CCAT_TLS_CLOSED) {
        rc = ccat_tls_set_identity(tls, host);
        if (rc != 0) {
            return rc;
        }
        ccat_tls_offer(tls, host, port);
        tls->state = CCAT_TLS_CONNECTING;
    }
    rc = tls->lower->connect(tls->lower->ctx, host, port, timeout_ms);
    if (rc > 0) {
        tls->state = CCAT_TLS_HANDSHAKE;
    }
    return rc;
}

/*
 * The handshake completed. A resumed one shows no certificate, so the
 * IP-literal check only applies to full ones: a resumed session was offered
 * only to the host and port whose checks it passed.
 */
static int ccat_tls_opened(ccat_mbedtls_t *tls) {
    int resumed = tls->offered && tls->accepted;
    if (!resumed && tls->ip_len != 0 && !tls->ip_matched) {
        return MBEDTLS_ERR_X509_CERT_VERIFY_FAILED; /* the callback never saw the leaf */
    }
    tls->state = CCAT_TLS_OPEN;
    tls->resumed = (uint8_t)resumed;
    ccat_tls_trace(tls, "tls_handshake", resumed);
    ccat_tls_keep(tls);
    return 0;
}

static int32_t ccat_tls_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms) {
    ccat_mbedtls_t *tls = ctx;
    int32_t rc;
    int ret, resuming;
    if (tls == NULL || tls->lower == NULL || tls->ssl.conf == NULL || host == NULL ||
        tls->state == CCAT_TLS_OPEN) {
        return CCAT_TRANSPORT_ERR_ARGUMENT;
    }
    for (;;) { /* twice at most: a failed resumption drops the session, then a full handshake */
        if (tls->state != CCAT_TLS_HANDSHAKE) {
            rc = ccat_tls_connect_lower(tls, host, port, timeout_ms);
            if (rc <= 0) {
                if (rc < 0) {
                    ccat_tls_reset(tls);
                }
                return rc;
            }
        }
        tls->io_timeout_ms = timeout_ms;
        ret = ccat_tls_handshake(tls);
        if (ret == 0 && (ret = ccat_tls_opened(tls)) == 0) {
            return 1;
        }
        if (ccat_tls_is_pending(ret)) {
            return 0;
        }
        rc = ccat_tls_handshake_error(tls, ret);
        /* Failed while resuming: after the server took the session, or at
         * the TLS level before its answer (a server that hangs up on a
         * session it dislikes). Not for lower I/O errors: the network, not
         * the session, failed, and the caller should hear about it as is. */
        resuming = tls->offered && (tls->accepted || (tls->ssl.state <= MBEDTLS_SSL_SERVER_HELLO &&
                                                      rc == CCAT_TRANSPORT_ERR_TLS));
        ccat_tls_reset(tls);
        if (!resuming) {
            return rc; /* a full handshake failed: the session played no part */
        }
        tls->offered = 0;
        ccat_mbedtls_session_free(tls->session); /* so the next round is a full handshake */
        ccat_tls_trace(tls, "tls_session_drop", rc);
    }
}

static int32_t ccat_tls_send(void *ctx, const uint8_t *data, size_t len, uint32_t timeout_ms) {
    ccat_mbedtls_t *tls = ctx;
    int ret;
    if (tls == NULL || tls->state != CCAT_TLS_OPEN || data == NULL || len == 0) {
        return CCAT_TRANSPORT_ERR_ARGUMENT;
    }
    tls->io_timeout_ms = timeout_ms;
    ret = mbedtls_ssl_write(&tls->ssl, data, len);
    return ret > 0 ? (int32_t)ret : ccat_tls_io_error(ret);
}

static int32_t ccat_tls_recv(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms) {
    ccat_mbedtls_t *tls = ctx;
    int ret;
    if (tls == NULL || tls->state != CCAT_TLS_OPEN || buf == NULL || len == 0) {
        return CCAT_TRANSPORT_ERR_ARGUMENT;
    }
    tls->io_timeout_ms = timeout_ms;
    ret = mbedtls_ssl_read(&tls->ssl, buf, len);
    return ret > 0 ? (int32_t)ret : ccat_tls_io_error(ret);
}

static void ccat_tls_close(void *ctx) {
    ccat_mbedtls_t *tls = ctx;
    if (tls == NULL) {
        return;
    }
    if (tls->state == CCAT_TLS_OPEN) {
        tls->io_timeout_ms = CCAT_MBEDTLS_CLOSE_TIMEOUT_MS;
        (void)mbedtls_ssl_close_notify(&tls->ssl); /* best effort */
    }
    ccat_tls_reset(tls);
}

/* ---- set-up ---------------------------------------------------------------- */

/*
 * Parse concatenated DER certificates, each one SEQUENCE; @p copy 0 keeps
 * pointers into @p p (it must outlive @p ca). 0 on success.
 */
static int ccat_tls_parse_der_list(mbedtls_x509_crt *ca, const unsigned char *p, size_t len,
                                   int copy) {
    const unsigned char *end = p + len;
    if (len == 0) {
        return -1;
    }
    while (p < end) {
        unsigned char *q = (unsigned char *)(uintptr_t)p; /* asn1 API is not const */
        size_t body;
        size_t total;
        int ret;
        if (mbedtls_asn1_get_tag(&q, end, &body, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) {
            return -1;
        }
        total = (size_t)(q - p) + body;
        ret = copy ? mbedtls_x509_crt_parse_der(ca, p, total)
                   : mbedtls_x509_crt_parse_der_nocopy(ca, p, total);
        if (ret != 0) {
            return -1;
        }
        p += total;
    }
    return 0;
}

/* PEM needs the terminating NUL (counted in the length) and a BEGIN line. */
static int ccat_tls_is_pem(const unsigned char *data, size_t len) {
    return len > 0 && data[len - 1] == '\0' &&
           strstr((const char *)data, "-----BEGIN CERTIFICATE-----") != NULL;
}

/*
 * Trust anchors: the file and/or the in-memory data, else the built-in roots
 * (none when CCAT_TLS_BUILTIN_ROOTS is 0: then the roots are not referenced,
 * so not linked, and a layer without anchors is refused).
 * A bundle in which some certificates fail to parse still loads the rest
 * (system bundles carry certificates mbedTLS cannot read); the parse error
 * only fails the load when nothing at all was loaded.
 */
static int ccat_tls_load_anchors(ccat_mbedtls_t *tls, const ccat_mbedtls_config_t *cfg) {
    int ret = 0;
    if (cfg == NULL || (cfg->ca_file == NULL && cfg->ca_data == NULL)) {
#if CCAT_TLS_BUILTIN_ROOTS
        return ccat_tls_parse_der_list(&tls->ca, ccat_aws_roots_der, ccat_aws_roots_der_len, 0);
#else
        return -1;
#endif
    }
#if defined(MBEDTLS_FS_IO)
    if (cfg->ca_file != NULL && mbedtls_x509_crt_parse_file(&tls->ca, cfg->ca_file) < 0) {
        return -1;
    }
#else
    if (cfg->ca_file != NULL) {
        return -1;
    }
#endif
    if (cfg->ca_data != NULL) {
        ret = ccat_tls_is_pem(cfg->ca_data, cfg->ca_data_len)
                  ? mbedtls_x509_crt_parse(&tls->ca, cfg->ca_data, cfg->ca_data_len)
                  : ccat_tls_parse_der_list(&tls->ca, cfg->ca_data, cfg->ca_data_len, 1);
    }
    return (ret < 0 || tls->ca.version == 0) ? -1 : 0;
}

static int ccat_tls_seed(ccat_mbedtls_t *tls, const ccat_mbedtls_config_t *cfg) {
    static const unsigned char pers[] = "ccat-mbedtls";
    if (cfg != NULL && cfg->entropy != NULL &&
        mbedtls_entropy_add_source(&tls->entropy, cfg->entropy, cfg->entropy_ctx,
                                   MBEDTLS_ENTROPY_BLOCK_SIZE, MBEDTLS_ENTROPY_SOURCE_STRONG) != 0) {
        return -1;
    }
    return mbedtls_ctr_drbg_seed(&tls->drbg, mbedtls_entropy_func, &tls->entropy, pers,
                                 sizeof pers - 1);
}

/*
 * A build whose receive buffer is smaller than TLS's 16 KiB records asks the
 * server for records that fit (RFC 6066 max_fragment_length): the largest
 * of 512..4096 bytes not above MBEDTLS_SSL_IN_CONTENT_LEN. A server that
 * ignores the request makes the handshake or the read fail, never truncate.
 */
#if defined(MBEDTLS_SSL_MAX_FRAGMENT_LENGTH) && MBEDTLS_SSL_IN_CONTENT_LEN < 16384
#if MBEDTLS_SSL_IN_CONTENT_LEN >= 4096
#define CCAT_TLS_MFL MBEDTLS_SSL_MAX_FRAG_LEN_4096
#elif MBEDTLS_SSL_IN_CONTENT_LEN >= 2048
#define CCAT_TLS_MFL MBEDTLS_SSL_MAX_FRAG_LEN_2048
#elif MBEDTLS_SSL_IN_CONTENT_LEN >= 1024
#define CCAT_TLS_MFL MBEDTLS_SSL_MAX_FRAG_LEN_1024
#else
#define CCAT_TLS_MFL MBEDTLS_SSL_MAX_FRAG_LEN_512
#endif
#endif

/* Client, TLS 1.2 or newer, verification required: no knob turns it off. */
static int ccat_tls_configure(ccat_mbedtls_t *tls) {
    if (mbedtls_ssl_config_defaults(&tls->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0) {
        return -1;
    }
    mbedtls_ssl_conf_authmode(&tls->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&tls->conf, &tls->ca, NULL);
    mbedtls_ssl_conf_verify(&tls->conf, ccat_tls_verify_ip, tls);
    mbedtls_ssl_conf_rng(&tls->conf, mbedtls_ctr_drbg_random, &tls->drbg);
    mbedtls_ssl_conf_min_version(&tls->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
#ifdef CCAT_TLS_MFL
    if (mbedtls_ssl_conf_max_frag_len(&tls->conf, CCAT_TLS_MFL) != 0) {
        return -1;
    }
#endif
    if (mbedtls_ssl_setup(&tls->ssl, &tls->conf) != 0) {
        return -1;
    }
    mbedtls_ssl_set_bio(&tls->ssl, tls, ccat_tls_bio_send, ccat_tls_bio_recv, NULL);
    return 0;
}

int ccat_mbedtls_init(ccat_mbedtls_t *tls, const ccat_transport_t *lower,
                      const ccat_mbedtls_config_t *cfg, ccat_transport_t *out) {
    if (tls == NULL || lower == NULL || out == NULL || lower->connect == NULL ||
        lower->send == NULL || lower->recv == NULL || lower->close == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    /* Every context is initialised before anything can fail, so free() is always safe. */
    memset(tls, 0, sizeof *tls);
    mbedtls_ssl_init(&tls->ssl);
    mbedtls_ssl_config_init(&tls->conf);
    mbedtls_x509_crt_init(&tls->ca);
    mbedtls_ctr_drbg_init(&tls->drbg);
    mbedtls_entropy_init(&tls->entropy);
    if (ccat_tls_load_anchors(tls, cfg) != 0 || ccat_tls_seed(tls, cfg) != 0 ||
        ccat_tls_configure(tls) != 0) {
        ccat_mbedtls_free(tls);
        return CCAT_ERR_TLS;
    }
    tls->lower = lower;
    if (cfg != NULL) {
        tls->session = cfg->session;
        tls->trace = cfg->trace;
        tls->trace_ctx = cfg->trace_ctx;
    }
    out->connect = ccat_tls_connect;
    out->send = ccat_tls_send;
    out->recv = ccat_tls_recv;
    out->close = ccat_tls_close;
    out->ctx = tls;
    return CCAT_OK;
}

void ccat_mbedtls_free(ccat_mbedtls_t *tls) {
    if (tls == NULL) {
        return;
    }
    ccat_tls_close(tls);
    mbedtls_ssl_free(&tls->ssl);
    mbedtls_ssl_config_free(&tls->conf);
    mbedtls_x509_crt_free(&tls->ca);
    mbedtls_ctr_drbg_free(&tls->drbg);
    mbedtls_entropy_free(&tls->entropy);
    mbedtls_platform_zeroize(tls, sizeof *tls);
}

int ccat_mbedtls_resumed(const ccat_mbedtls_t *tls) {
    return tls != NULL && tls->resumed;
}

/* ---- saved sessions ---------------------------------------------------------- */

/*
 * Blob layout (big-endian):
 *   0  "ccTS"                      magic: not a session at all otherwise
 *   4  CCAT_TLS_BLOB_VERSION       this layout
 *   5  peer[32]                    host/port digest
 *  37  n (4 bytes)                 length of mbedTLS's serialisation
 *  41  mbedTLS session (n bytes)   with its own version/configuration header
 *  41+n SHA-256 of bytes 0..41+n   storage corruption (a flipped bit in the
 *                                  master secret would otherwise only show
 *                                  as a failed resumed handshake)
 */
#define CCAT_TLS_BLOB_VERSION 1u
#define CCAT_TLS_BLOB_HEAD 41u
#define CCAT_TLS_BLOB_SUM 32u
static const uint8_t ccat_tls_blob_magic[4] = {'c', 'c', 'T', 'S'};

void ccat_mbedtls_session_free(ccat_mbedtls_session_t *sess) {
    if (sess == NULL) {
        return;
    }
    mbedtls_ssl_session_free(&sess->session); /* frees certificate and ticket, zeroizes */
    mbedtls_platform_zeroize(sess, sizeof *sess);
}

static int ccat_tls_sum(const uint8_t *p, size_t n, uint8_t out[32]) {
    return mbedtls_sha256_ret(p, n, out, 0);
}

int ccat_mbedtls_session_save(const ccat_mbedtls_session_t *sess, uint8_t *buf, size_t cap,
                              size_t *len) {
    size_t inner = 0, need;
    int ret;
    if (sess == NULL || len == NULL || (buf == NULL && cap > 0)) {
        return CCAT_MBEDTLS_SESSION_ERR_ARGUMENT;
    }
    *len = 0;
    if (!sess->valid) {
        return CCAT_MBEDTLS_SESSION_ERR_EMPTY;
    }
    ret = mbedtls_ssl_session_save(&sess->session, NULL, 0, &inner); /* the size only */
    if ((ret != 0 && ret != MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL) || inner > UINT32_MAX) {
        return CCAT_MBEDTLS_SESSION_ERR_MEMORY;
    }
    need = CCAT_TLS_BLOB_HEAD + inner + CCAT_TLS_BLOB_SUM;
    if (cap < need) {
        *len = need;
        return CCAT_MBEDTLS_SESSION_ERR_TOO_SMALL;
    }
    memcpy(buf, ccat_tls_blob_magic, 4);
    buf[4] = CCAT_TLS_BLOB_VERSION;
    memcpy(buf + 5, sess->peer, 32);
    buf[37] = (uint8_t)(inner >> 24);
    buf[38] = (uint8_t)(inner >> 16);
    buf[39] = (uint8_t)(inner >> 8);
    buf[40] = (uint8_t)inner;
    if (mbedtls_ssl_session_save(&sess->session, buf + CCAT_TLS_BLOB_HEAD, inner, &inner) != 0 ||
        ccat_tls_sum(buf, CCAT_TLS_BLOB_HEAD + inner, buf + CCAT_TLS_BLOB_HEAD + inner) != 0) {
        mbedtls_platform_zeroize(buf, need);
        return CCAT_MBEDTLS_SESSION_ERR_MEMORY;
    }
    *len = need;
    return CCAT_MBEDTLS_SESSION_OK;
}

/* The outer checks of a blob: magic, version, length, checksum. */
static int ccat_tls_blob_check(const uint8_t *buf, size_t len) {
    uint8_t sum[CCAT_TLS_BLOB_SUM];
    size_t inner;
    if (memcmp(buf, ccat_tls_blob_magic, len < 4 ? len : 4) != 0) {
        return CCAT_MBEDTLS_SESSION_ERR_FORMAT;
    }
    if (len > 4 && buf[4] != CCAT_TLS_BLOB_VERSION) {
        return CCAT_MBEDTLS_SESSION_ERR_VERSION;
    }
    if (len < CCAT_TLS_BLOB_HEAD + CCAT_TLS_BLOB_SUM) {
        return CCAT_MBEDTLS_SESSION_ERR_TRUNCATED;
    }
    inner = (size_t)buf[37] << 24 | (size_t)buf[38] << 16 | (size_t)buf[39] << 8 | buf[40];
    if (inner > len - CCAT_TLS_BLOB_HEAD - CCAT_TLS_BLOB_SUM) {
        return CCAT_MBEDTLS_SESSION_ERR_TRUNCATED;
    }
    if (inner < len - CCAT_TLS_BLOB_HEAD - CCAT_TLS_BLOB_SUM) {
        return CCAT_MBEDTLS_SESSION_ERR_FORMAT; /* bytes after the blob */
    }
    if (ccat_tls_sum(buf, CCAT_TLS_BLOB_HEAD + inner, sum) != 0 ||
        memcmp(sum, buf + CCAT_TLS_BLOB_HEAD + inner, sizeof sum) != 0) {
        return CCAT_MBEDTLS_SESSION_ERR_CORRUPT;
    }
    return CCAT_MBEDTLS_SESSION_OK;
}

int ccat_mbedtls_session_load(ccat_mbedtls_session_t *sess, const uint8_t *buf, size_t len) {
    int ret;
    if (sess == NULL) {
        return CCAT_MBEDTLS_SESSION_ERR_ARGUMENT;
    }
    ccat_mbedtls_session_free(sess); /* empty whatever happens next */
    if (buf == NULL) {
        return CCAT_MBEDTLS_SESSION_ERR_ARGUMENT;
    }
    ret = ccat_tls_blob_check(buf, len);
    if (ret != CCAT_MBEDTLS_SESSION_OK) {
        return ret;
    }
    ret = mbedtls_ssl_session_load(&sess->session, buf + CCAT_TLS_BLOB_HEAD,
                                   len - CCAT_TLS_BLOB_HEAD - CCAT_TLS_BLOB_SUM);
    if (ret != 0) { /* mbedTLS has freed what it had parsed */
        mbedtls_platform_zeroize(sess, sizeof *sess);
        return ret == MBEDTLS_ERR_SSL_VERSION_MISMATCH ? CCAT_MBEDTLS_SESSION_ERR_VERSION
               : ret == MBEDTLS_ERR_SSL_ALLOC_FAILED   ? CCAT_MBEDTLS_SESSION_ERR_MEMORY
                                                       : CCAT_MBEDTLS_SESSION_ERR_CORRUPT;
    }
    memcpy(sess->peer, buf + 5, sizeof sess->peer);
    sess->valid = 1;
    return CCAT_MBEDTLS_SESSION_OK;
}
