/* Endpoint URL parsing. */
#include "ccat/ccat.h"
#include "test.h"

static void ok(const char *url, const char *host, int port, int tls, int explicit_port,
               const char *base)
{
    ccat_endpoint_t ep;
    CHECK_EQ_INT(ccat_endpoint_parse(url, &ep), CCAT_OK);
    CHECK_EQ_STR(ep.host, host);
    CHECK_EQ_INT(ep.port, port);
    CHECK_EQ_INT(ep.tls, tls);
    CHECK_EQ_INT(ep.port_explicit, explicit_port);
    CHECK_EQ_INT(ep.base_path_len, strlen(base));
    CHECK(ep.base_path_len == 0 || memcmp(ep.base_path, base, ep.base_path_len) == 0);
}

static void bad(const char *url)
{
    ccat_endpoint_t ep;
    CHECK_EQ_INT(ccat_endpoint_parse(url, &ep), CCAT_ERR_ENDPOINT);
}

int main(void)
{
    ok(CCAT_ENDPOINT_DEFAULT, "codecatalyst.global.api.aws", 443, 1, 0, "");
    ok(CCAT_ENDPOINT_FIPS, "codecatalyst-fips.global.api.aws", 443, 1, 0, "");
    ok("HTTPS://Example.COM/", "Example.COM", 443, 1, 0, "");
    ok("https://localhost:8443", "localhost", 8443, 1, 1, "");
    ok("https://localhost:443/", "localhost", 443, 1, 0, "");
    ok("http://127.0.0.1:8080/base/path/", "127.0.0.1", 8080, 0, 1, "/base/path");
    ok("http://127.0.0.1", "127.0.0.1", 80, 0, 0, "");
    ok("http://[::1]:9000/x", "::1", 9000, 0, 1, "/x");
    ok("https://[::1]", "::1", 443, 1, 0, "");
    /* Up to five port digits, leading zeros included; host bytes by kind. */
    ok("https://host:00443", "host", 443, 1, 0, "");
    ok("http://host:08080/", "host", 8080, 0, 1, "");
    ok("http://a.b_c~d-e9:65535", "a.b_c~d-e9", 65535, 0, 1, "");
    ok("https://[fe80::1.2.3.4]", "fe80::1.2.3.4", 443, 1, 0, "");
    /* The scheme in any case, its 's' optional and nothing else. */
    ok("hTtP://h", "h", 80, 0, 0, "");
    ok("HttpS://h:80", "h", 80, 1, 1, "");
    /* Trailing slashes dropped, inner ones kept. */
    ok("http://h///", "h", 80, 0, 0, "");
    ok("http://h//a//b//", "h", 80, 0, 0, "//a//b");
    ccat_endpoint_t ep;
    CHECK_EQ_INT(ccat_endpoint_parse("http://[::1]:1/", &ep), CCAT_OK);
    CHECK_EQ_INT(ep.ipv6, 1);

    bad("ftp://example.com");
    bad("example.com");
    bad("httpss://h");
    bad("htps://h");
    bad("http:/h");
    bad("https//h");
    bad("http");
    bad("");
    bad("https:/");
    bad("http\x1a//h"); /* ':' and '/' less their bit 5 (letters match either case) */
    bad("http:\x0f/h");
    bad("https://");
    bad("https://:443");
    bad("https://host:0");
    bad("https://host:65536");
    bad("https://host:123456");
    bad("https://host:");
    bad("https://host:12ab");
    bad("https://host:000443");
    bad("https://host:00000");
    bad("https://[::1-2]");
    bad("https://[::1_]");
    bad("https://a:b:1");
    bad("https://user@host");
    bad("https://host/path?query");
    bad("https://host/path#frag");
    bad("https://host/pa th");
    bad("https://host/\r\nX: y");
    bad("https://[::1");
    bad("https://[::1]x");
    bad("https://ho\tst");
    char longhost[CCAT_HOST_MAX + 20] = "https://";
    memset(longhost + 8, 'a', CCAT_HOST_MAX + 1);
    longhost[8 + CCAT_HOST_MAX + 1] = '\0';
    bad(longhost);
    longhost[8 + CCAT_HOST_MAX] = '\0';
    CHECK_EQ_INT(ccat_endpoint_parse(longhost, &ep), CCAT_OK);
    CHECK_EQ_INT(ccat_endpoint_parse(NULL, &ep), CCAT_ERR_ARGUMENT);
    return test_summary("endpoint");
}
