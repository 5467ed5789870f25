/*
 * White-box tests of the TLS layer's IP-literal handling (includes
 * ccat_mbedtls.c): the address parsers and the verify callback that checks
 * iPAddress subjectAltNames, run on the certificates of gen_test_certs.sh.
 * No network. Usage: test_tls_ip CERT_DIR
 */
#define _POSIX_C_SOURCE 200809L /* inet_pton, the reference in this test only */

#include "ccat_mbedtls.c"

#include <arpa/inet.h>
#include <stdio.h>

#include "test.h"

/* ---- the parsers ---------------------------------------------------------- */

typedef struct host_case {
    const char *host;
    int kind;          /* ccat_tls_host_kind's answer */
    uint8_t addr[16];  /* the address when kind is 4 or 16 */
} host_case_t;

#define V4(a, b, c, d) {a, b, c, d}
#define LO6 {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}

static const host_case_t cases[] = {
    /* IPv4: strict dotted quad */
    {"127.0.0.1", 4, V4(127, 0, 0, 1)},
    {"0.0.0.0", 4, V4(0, 0, 0, 0)},
    {"255.255.255.255", 4, V4(255, 255, 255, 255)},
    {"10.20.30.40", 4, V4(10, 20, 30, 40)},
    {"1.2.3", -1, {0}},         /* inet_aton: 1.2.0.3 */
    {"127.1", -1, {0}},         /* inet_aton: 127.0.0.1 */
    {"123", -1, {0}},           /* inet_aton: 0.0.0.123 */
    {"256.1.1.1", -1, {0}},
    {"1.2.3.256", -1, {0}},
    {"1.2.3.4.5", -1, {0}},
    {"01.2.3.4", -1, {0}},      /* inet_aton: octal */
    {"1.2.3.00", -1, {0}},
    {"1..3.4", -1, {0}},
    {".1.2.3.4", -1, {0}},
    {"1.2.3.4.", -1, {0}},      /* the root dot does not make it a name */
    {"1.2.3.99999999999999999999", -1, {0}}, /* no overflow */
    {"0x7f.1", -1, {0}},        /* inet_aton: hex */
    {"example.123", -1, {0}},   /* all-digit last label: no host name */
    /* IPv6: RFC 4291 2.2 */
    {"::", 16, {0}},
    {"::1", 16, LO6},
    {"0:0:0:0:0:0:0:1", 16, LO6},
    {"0000:0000:0000:0000:0000:0000:0000:0001", 16, LO6},
    {"::0:1", 16, LO6},
    {"1::2:3", 16, {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 3}},
    {"1::", 16, {0, 1}},
    {"1:2:3:4:5:6:7:8", 16, {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8}},
    {"1:2:3:4:5:6:7::", 16, {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0}},
    {"::2:3:4:5:6:7:8", 16, {0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8}},
    {"FEDC:ba98::7654:3210", 16, {0xfe, 0xdc, 0xba, 0x98, 0, 0, 0, 0, 0, 0, 0, 0, 0x76, 0x54, 0x32, 0x10}},
    {"::ffff:1.2.3.4", 16, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4}},
    {"::1.2.3.4", 16, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}},
    {"1:2:3:4:5:6:1.2.3.4", 16, {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 1, 2, 3, 4}},
    {":::", -1, {0}},
    {":", -1, {0}},
    {":1", -1, {0}},
    {"1:", -1, {0}},
    {"::1:", -1, {0}},
    {"1:::2", -1, {0}},
    {"1::2::3", -1, {0}},
    {"1:2:3:4:5:6:7", -1, {0}},          /* too few groups */
    {"1:2:3:4:5:6:7:8:9", -1, {0}},      /* too many */
    {"1:2:3:4:5:6:7:8::", -1, {0}},      /* "::" for zero groups */
    {"::1:2:3:4:5:6:7:8", -1, {0}},
    {"1::2:3:4:5:6:7:8", -1, {0}},
    {"12345::", -1, {0}},                /* five hex digits */
    {"::g", -1, {0}},
    {"[::1]", -1, {0}},                  /* brackets belong to URLs */
    {"::1 ", -1, {0}},
    {"::1%eth0", -1, {0}},               /* zone ids are refused */
    {"fe80::1%25eth0", -1, {0}},
    {"::ffff:1.2.3", -1, {0}},
    {"::ffff:256.1.1.1", -1, {0}},
    {"::ffff:01.2.3.4", -1, {0}},
    {"::ffff:1.2.3.4:1", -1, {0}},       /* IPv4 only as the last 32 bits */
    {"::ffff:1.2.3.4.5", -1, {0}},
    {"1:2:3:4:5:6:7:1.2.3.4", -1, {0}},  /* 144 bits */
    {"::a.2.3.4", -1, {0}},
    {"::1.2.3.4%eth0", -1, {0}},
    {"localhost:443", -1, {0}},
    /* host names */
    {"localhost", 0, {0}},
    {"codecatalyst.global.api.aws", 0, {0}},
    {"123.example.com", 0, {0}},
    {"a1", 0, {0}},
    {"1a", 0, {0}},
    {"1.2.3.4a", 0, {0}},
    {"example.com.", 0, {0}},
    {"", 0, {0}},
};

static void test_host_kind(void) {
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t out[16];
        int kind;
        memset(out, 0xEE, sizeof out);
        kind = ccat_tls_host_kind(cases[i].host, out);
        if (kind != cases[i].kind) {
            printf("host \"%s\": kind %d, want %d\n", cases[i].host, kind, cases[i].kind);
        }
        CHECK_EQ_INT(kind, cases[i].kind);
        if (kind == 4 || kind == 16) {
            CHECK(memcmp(out, cases[i].addr, (size_t)kind) == 0);
        }
    }
    printf("%u host strings classified\n", (unsigned)(sizeof cases / sizeof cases[0]));
}

/* The parsers on their own (the IPv4 one is also used inside IPv6). */
static void test_parsers(void) {
    uint8_t out[16];
    CHECK_EQ_INT(ccat_tls_parse_ipv4("1.2.3.4", out), 0);
    CHECK(out[0] == 1 && out[1] == 2 && out[2] == 3 && out[3] == 4);
    CHECK_EQ_INT(ccat_tls_parse_ipv4("", out), -1);
    CHECK_EQ_INT(ccat_tls_parse_ipv4("1.2.3.", out), -1);
    CHECK_EQ_INT(ccat_tls_parse_ipv4("1.2.3.4 ", out), -1);
    CHECK_EQ_INT(ccat_tls_parse_ipv4("-1.2.3.4", out), -1);
    CHECK_EQ_INT(ccat_tls_parse_ipv6("", out), -1);
    CHECK_EQ_INT(ccat_tls_parse_ipv6("1.2.3.4", out), -1); /* no colon: not IPv6 */
    CHECK_EQ_INT(ccat_tls_parse_ipv6("::", out), 0);
    CHECK_EQ_INT(ccat_tls_hex('F'), 15);
    CHECK_EQ_INT(ccat_tls_hex('f'), 15);
    CHECK_EQ_INT(ccat_tls_hex('g'), -1);
    CHECK_EQ_INT(ccat_tls_hex('G'), -1);
    CHECK_EQ_INT(ccat_tls_hex('/'), -1);
    CHECK_EQ_INT(ccat_tls_hex(':'), -1);
}

/*
 * Differential: random strings over small alphabets (so that many are
 * valid) must parse exactly as glibc's inet_pton parses them; it too takes
 * only strict dotted quads and RFC 4291 text without zone ids.
 */
static void test_against_inet_pton(void) {
    static const char *const alphabets[] = {"0125....9", "0125.:f:..", "01:::.f5", "0123456789aF:.:.:0"};
    uint32_t x = 12345u;
    size_t a, i, k;
    long diffs = 0, valid4 = 0, valid6 = 0;
    for (a = 0; a < sizeof alphabets / sizeof alphabets[0]; a++) {
        size_t na = strlen(alphabets[a]);
        for (i = 0; i < 100000; i++) {
            char s[24];
            uint8_t ours[16], ref[16];
            size_t n;
            int r, g;
            x = x * 1103515245u + 12345u;
            n = (x >> 16) % 22u;
            for (k = 0; k < n; k++) {
                x = x * 1103515245u + 12345u;
                s[k] = alphabets[a][(x >> 16) % na];
            }
            s[n] = '\0';
            r = ccat_tls_parse_ipv6(s, ours) == 0;
            g = inet_pton(AF_INET6, s, ref) == 1;
            if (r != g || (r && memcmp(ours, ref, 16) != 0)) {
                if (diffs++ < 10) {
                    printf("IPv6 \"%s\": ours %d, inet_pton %d\n", s, r, g);
                }
            }
            valid6 += r;
            r = ccat_tls_parse_ipv4(s, ours) == 0;
            g = inet_pton(AF_INET, s, ref) == 1;
            if (r != g || (r && memcmp(ours, ref, 4) != 0)) {
                if (diffs++ < 10) {
                    printf("IPv4 \"%s\": ours %d, inet_pton %d\n", s, r, g);
                }
            }
            valid4 += r;
        }
    }
    printf("inet_pton agreement: %ld valid IPv4, %ld valid IPv6 of 400000 strings\n", valid4, valid6);
    CHECK_EQ_INT(diffs, 0);
    CHECK(valid4 > 100 && valid6 > 1000); /* the strings did exercise both */
}

/* ---- the verify callback --------------------------------------------------- */

static const char *cert_dir;
static ccat_mbedtls_t tls; /* only ip, ip_len and ip_matched are used */

static int load(mbedtls_x509_crt *crt, const char *name) {
    char path[512];
    mbedtls_x509_crt_init(crt);
    snprintf(path, sizeof path, "%s/%s", cert_dir, name);
    return mbedtls_x509_crt_parse_file(crt, path);
}

/* The flags the callback leaves for the leaf @p cert when connecting to @p host. */
static uint32_t leaf_flags(const char *cert, const char *host, int depth) {
    mbedtls_x509_crt crt;
    uint32_t flags = 0;
    CHECK_EQ_INT(load(&crt, cert), 0);
    memset(&tls, 0, sizeof tls);
    tls.ip_len = (uint8_t)ccat_tls_host_kind(host, tls.ip);
    CHECK(tls.ip_len == 0 || tls.ip_len == 4 || tls.ip_len == 16);
    CHECK_EQ_INT(ccat_tls_verify_ip(&tls, &crt, depth, &flags), 0);
    mbedtls_x509_crt_free(&crt);
    CHECK_EQ_INT(tls.ip_matched, flags == 0 && tls.ip_len != 0 && depth == 0);
    return flags;
}

static void test_callback(void) {
    const uint32_t bad = MBEDTLS_X509_BADCERT_CN_MISMATCH;
    CHECK_EQ_INT(leaf_flags("server.pem", "127.0.0.1", 0), 0);
    CHECK_EQ_INT(leaf_flags("server.pem", "::1", 0), 0);
    CHECK_EQ_INT(leaf_flags("server.pem", "0:0::0:1", 0), 0);
    CHECK_EQ_INT(leaf_flags("server.pem", "127.0.0.2", 0), bad);
    CHECK_EQ_INT(leaf_flags("server.pem", "::2", 0), bad);
    CHECK_EQ_INT(leaf_flags("server.pem", "::ffff:127.0.0.1", 0), bad); /* not the same bytes */
    CHECK_EQ_INT(leaf_flags("iponly.pem", "127.0.0.1", 0), 0);
    CHECK_EQ_INT(leaf_flags("iponly.pem", "::1", 0), bad);
    CHECK_EQ_INT(leaf_flags("dnsonly.pem", "127.0.0.1", 0), bad);
    CHECK_EQ_INT(leaf_flags("iptext.pem", "127.0.0.1", 0), bad);   /* DNS SAN "127.0.0.1" */
    CHECK_EQ_INT(leaf_flags("ipcn.pem", "127.0.0.1", 0), bad);     /* CN only */
    CHECK_EQ_INT(leaf_flags("ip2.pem", "127.0.0.1", 0), bad);
    CHECK_EQ_INT(leaf_flags("ip2.pem", "127.0.0.2", 0), 0);
    CHECK_EQ_INT(leaf_flags("mapped.pem", "127.0.0.1", 0), bad);
    CHECK_EQ_INT(leaf_flags("mapped.pem", "::ffff:127.0.0.1", 0), 0);
    CHECK_EQ_INT(leaf_flags("mapped.pem", "::ffff:7f00:1", 0), 0);
    /* only the leaf is checked; a host name is left to mbedTLS */
    CHECK_EQ_INT(leaf_flags("dnsonly.pem", "127.0.0.1", 1), 0);
    CHECK_EQ_INT(leaf_flags("dnsonly.pem", "localhost", 0), 0);
    CHECK_EQ_INT(leaf_flags("iponly.pem", "localhost", 0), 0);
}

/*
 * Why the callback is needed: mbedTLS 2.28's own check accepts the text
 * "127.0.0.1" as a dNSName or CN and, with no name (what the layer sets for
 * an address), checks no name at all. With the callback the same
 * verification fails.
 */
static void test_mbedtls_alone(void) {
    mbedtls_x509_crt ca, iptext, ipcn, dnsonly, server;
    uint32_t flags = 0;
    CHECK_EQ_INT(load(&ca, "ca.pem"), 0);
    CHECK_EQ_INT(load(&iptext, "iptext.pem"), 0);
    CHECK_EQ_INT(load(&ipcn, "ipcn.pem"), 0);
    CHECK_EQ_INT(load(&dnsonly, "dnsonly.pem"), 0);
    CHECK_EQ_INT(load(&server, "server.pem"), 0);
    CHECK_EQ_INT(mbedtls_x509_crt_verify(&iptext, &ca, NULL, "127.0.0.1", &flags, NULL, NULL), 0);
    CHECK_EQ_INT(mbedtls_x509_crt_verify(&ipcn, &ca, NULL, "127.0.0.1", &flags, NULL, NULL), 0);
    CHECK_EQ_INT(mbedtls_x509_crt_verify(&dnsonly, &ca, NULL, NULL, &flags, NULL, NULL), 0);
    /* ... and it does not understand iPAddress SANs */
    CHECK_EQ_INT(mbedtls_x509_crt_verify(&server, &ca, NULL, "127.0.0.1", &flags, NULL, NULL),
                 MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    CHECK_EQ_INT(flags, MBEDTLS_X509_BADCERT_CN_MISMATCH);

    memset(&tls, 0, sizeof tls);
    tls.ip_len = (uint8_t)ccat_tls_host_kind("127.0.0.1", tls.ip);
    CHECK_EQ_INT(tls.ip_len, 4);
    CHECK_EQ_INT(mbedtls_x509_crt_verify(&iptext, &ca, NULL, NULL, &flags, ccat_tls_verify_ip, &tls),
                 MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    CHECK_EQ_INT(flags, MBEDTLS_X509_BADCERT_CN_MISMATCH);
    CHECK_EQ_INT(mbedtls_x509_crt_verify(&ipcn, &ca, NULL, NULL, &flags, ccat_tls_verify_ip, &tls),
                 MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    CHECK_EQ_INT(mbedtls_x509_crt_verify(&dnsonly, &ca, NULL, NULL, &flags, ccat_tls_verify_ip, &tls),
                 MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
    CHECK_EQ_INT(tls.ip_matched, 0);
    CHECK_EQ_INT(mbedtls_x509_crt_verify(&server, &ca, NULL, NULL, &flags, ccat_tls_verify_ip, &tls), 0);
    CHECK_EQ_INT(flags, 0);
    CHECK_EQ_INT(tls.ip_matched, 1);
    mbedtls_x509_crt_free(&ca);
    mbedtls_x509_crt_free(&iptext);
    mbedtls_x509_crt_free(&ipcn);
    mbedtls_x509_crt_free(&dnsonly);
    mbedtls_x509_crt_free(&server);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s CERT_DIR\n", argv[0]);
        return 2;
    }
    cert_dir = argv[1];
    test_host_kind();
    test_parsers();
    test_against_inet_pton();
    test_callback();
    test_mbedtls_alone();
    return test_summary("ports_tls_ip");
}
