/*
 * POSIX TCP transport and platform hooks against loopback servers.
 * Usage: test_posix PYTHON SERVERS_PY
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <sys/time.h>

#include "ccat_posix.h"
#include "server_proc.h"
#include "sock_util.h"
#include "test.h"

static const char *python_exe;
static const char *servers_py;

static void test_echo(const char *bind_host, const char *connect_host) {
    static uint8_t big[64 * 1024], back[64 * 1024];
    server_proc_t srv;
    ccat_posix_t sock;
    ccat_transport_t t;
    size_t i;
    printf("echo via %s\n", connect_host);
    server_start(&srv, python_exe, servers_py, "echo", bind_host, NULL, NULL);
    CHECK(srv.port != 0);
    ccat_posix_transport_init(&sock, &t);
    CHECK_EQ_INT(t.connect(t.ctx, connect_host, srv.port, 3000), 1);
    CHECK(sock.fd >= 0);
    CHECK(sock.addrs == NULL);
    CHECK_EQ_INT(echo_roundtrip(&t, (const uint8_t *)"hello", back, 5, 0, 20), 0);
    CHECK(memcmp(back, "hello", 5) == 0);
    for (i = 0; i < sizeof big; i++) {
        big[i] = (uint8_t)(i * 131u + (i >> 8));
    }
    memset(back, 0, sizeof back);
    CHECK_EQ_INT(echo_roundtrip(&t, big, back, sizeof big, 0, 20), 0);
    CHECK(memcmp(big, back, sizeof big) == 0);
    /* connect on an open connection is a caller bug */
    CHECK_EQ_INT(t.connect(t.ctx, connect_host, srv.port, 100), CCAT_TRANSPORT_ERR_ARGUMENT);
    /* no data, no buffer: argument errors, not "0 = call again" */
    CHECK_EQ_INT(t.send(t.ctx, big, 0, 0), CCAT_TRANSPORT_ERR_ARGUMENT);
    CHECK_EQ_INT(t.recv(t.ctx, NULL, 1, 0), CCAT_TRANSPORT_ERR_ARGUMENT);
    t.close(t.ctx);
    CHECK_EQ_INT(sock.fd, -1);
    t.close(t.ctx); /* idempotent */
    CHECK_EQ_INT(t.send(t.ctx, big, 1, 0), CCAT_TRANSPORT_ERR_ARGUMENT);
    CHECK_EQ_INT(t.recv(t.ctx, back, 1, 0), CCAT_TRANSPORT_ERR_ARGUMENT);
    /* the transport can be used again after close */
    CHECK_EQ_INT(t.connect(t.ctx, connect_host, srv.port, 3000), 1);
    CHECK_EQ_INT(echo_roundtrip(&t, (const uint8_t *)"x", back, 1, 0, 20), 0);
    CHECK_EQ_INT(back[0], 'x');
    t.close(t.ctx);
    server_stop(&srv);
}

static void test_never_opened(void) {
    ccat_posix_t sock;
    ccat_transport_t t;
    uint8_t b = 0;
    ccat_posix_transport_init(&sock, &t);
    CHECK_EQ_INT(sock.fd, -1);
    CHECK(t.ctx == &sock);
    t.close(t.ctx);
    CHECK_EQ_INT(t.send(t.ctx, &b, 1, 0), CCAT_TRANSPORT_ERR_ARGUMENT);
    CHECK_EQ_INT(t.recv(t.ctx, &b, 1, 0), CCAT_TRANSPORT_ERR_ARGUMENT);
    CHECK_EQ_INT(t.connect(t.ctx, NULL, 1, 0), CCAT_TRANSPORT_ERR_ARGUMENT);
    CHECK_EQ_INT(t.connect(NULL, "127.0.0.1", 1, 0), CCAT_TRANSPORT_ERR_ARGUMENT);
}

static void test_refused(int family, const char *host) {
    ccat_posix_t sock;
    ccat_transport_t t;
    uint16_t port = 0;
    int fd = loopback_socket(family, -1, &port);
    printf("refused on %s\n", host);
    CHECK(fd >= 0);
    ccat_posix_transport_init(&sock, &t);
    CHECK_EQ_INT(t.connect(t.ctx, host, port, 2000), CCAT_TRANSPORT_ERR_CONNECT);
    CHECK_EQ_INT(sock.fd, -1);
    CHECK(sock.addrs == NULL);
    /* a failed connect leaves a clean state: the next one starts over */
    CHECK_EQ_INT(t.connect(t.ctx, host, port, 2000), CCAT_TRANSPORT_ERR_CONNECT);
    t.close(t.ctx);
    close(fd);
}

/*
 * glibc asks the configured name server for any well-formed name, even under
 * the reserved .invalid TLD, and that server is not on loopback. A name with
 * a space is refused by the resolver's own syntax check (res_hnok) before
 * any query is built, so this test sends no packet (checked with strace:
 * no AF_INET socket is opened during the lookup).
 */
static void test_dns(void) {
    ccat_posix_t sock;
    ccat_transport_t t;
    ccat_posix_transport_init(&sock, &t);
    CHECK_EQ_INT(t.connect(t.ctx, "no such host.invalid", 443, 2000), CCAT_TRANSPORT_ERR_DNS);
    CHECK_EQ_INT(t.connect(t.ctx, "", 443, 2000), CCAT_TRANSPORT_ERR_DNS);
    CHECK_EQ_INT(sock.fd, -1);
    CHECK(sock.addrs == NULL);
    t.close(t.ctx);
}

static void test_silent(void) {
    static uint8_t chunk[65536];
    server_proc_t srv;
    ccat_posix_t sock;
    ccat_transport_t t;
    uint8_t b;
    uint32_t start, el;
    int32_t n = 1;
    size_t total = 0;
    server_start(&srv, python_exe, servers_py, "silent", "127.0.0.1", NULL, NULL);
    CHECK(srv.port != 0);
    ccat_posix_transport_init(&sock, &t);
    CHECK_EQ_INT(t.connect(t.ctx, "127.0.0.1", srv.port, 3000), 1);
    start = test_now_ms();
    CHECK_EQ_INT(t.recv(t.ctx, &b, 1, 300), 0);
    el = test_now_ms() - start;
    printf("recv timeout 300 ms took %u ms\n", (unsigned)el);
    CHECK(el >= 295 && el < 1500);
    start = test_now_ms();
    CHECK_EQ_INT(t.recv(t.ctx, &b, 1, 0), 0);
    CHECK(test_now_ms() - start < 100);
    /* fill every buffer between us and the peer that never reads */
    while (n > 0 && total < (256u << 20)) {
        n = t.send(t.ctx, chunk, sizeof chunk, 100);
        total += n > 0 ? (size_t)n : 0;
    }
    CHECK_EQ_INT(n, 0);
    start = test_now_ms();
    CHECK_EQ_INT(t.send(t.ctx, chunk, sizeof chunk, 200), 0);
    el = test_now_ms() - start;
    printf("send blocked after %zu bytes; send timeout 200 ms took %u ms\n", total, (unsigned)el);
    CHECK(el >= 195 && el < 1500);
    t.close(t.ctx);
    server_stop(&srv);
}

static void test_eof(void) {
    server_proc_t srv;
    ccat_posix_t sock;
    ccat_transport_t t;
    uint8_t buf[8];
    size_t got = 0;
    int32_t n = 0;
    server_start(&srv, python_exe, servers_py, "bye", "127.0.0.1", NULL, NULL);
    CHECK(srv.port != 0);
    ccat_posix_transport_init(&sock, &t);
    CHECK_EQ_INT(t.connect(t.ctx, "127.0.0.1", srv.port, 3000), 1);
    while (got < 3 && (n = t.recv(t.ctx, buf + got, sizeof buf - got, 2000)) > 0) {
        got += (size_t)n;
    }
    CHECK_EQ_INT(got, 3);
    CHECK(memcmp(buf, "bye", 3) == 0);
    CHECK_EQ_INT(t.recv(t.ctx, buf, sizeof buf, 2000), CCAT_TRANSPORT_ERR_CLOSED);
    t.close(t.ctx);
    server_stop(&srv);
}

/* RST from the peer: recv and send report ERR_IO, and no SIGPIPE kills us. */
static void test_reset(void) {
    server_proc_t srv;
    ccat_posix_t sock;
    ccat_transport_t t;
    uint8_t b = 'r';
    int32_t n;
    int i;
    server_start(&srv, python_exe, servers_py, "reset", "127.0.0.1", NULL, NULL);
    CHECK(srv.port != 0);
    ccat_posix_transport_init(&sock, &t);
    CHECK_EQ_INT(t.connect(t.ctx, "127.0.0.1", srv.port, 3000), 1);
    CHECK_EQ_INT(t.send(t.ctx, &b, 1, 1000), 1);
    CHECK_EQ_INT(t.recv(t.ctx, &b, 1, 3000), CCAT_TRANSPORT_ERR_IO);
    for (i = 0, n = 1; i < 10 && n > 0; i++) {
        n = t.send(t.ctx, &b, 1, 1000);
    }
    CHECK_EQ_INT(n, CCAT_TRANSPORT_ERR_IO);
    t.close(t.ctx);
    server_stop(&srv);
}

/* A SYN nobody answers: connect returns 0 in time and keeps its attempt. */
static void test_connect_timeout(void) {
    ccat_posix_t sock;
    ccat_transport_t t;
    uint16_t port = 0;
    int filler = -1;
    int fd = loopback_black_hole(&port, &filler);
    uint32_t start, el;
    int attempt_fd;
    CHECK(fd >= 0);
    ccat_posix_transport_init(&sock, &t);
    start = test_now_ms();
    CHECK_EQ_INT(t.connect(t.ctx, "127.0.0.1", port, 250), 0);
    el = test_now_ms() - start;
    printf("connect timeout 250 ms took %u ms\n", (unsigned)el);
    CHECK(el >= 245 && el < 1500);
    attempt_fd = sock.fd;
    CHECK(attempt_fd >= 0);
    CHECK(sock.addrs != NULL);
    start = test_now_ms();
    CHECK_EQ_INT(t.connect(t.ctx, "127.0.0.1", port, 0), 0);
    CHECK(test_now_ms() - start < 100);
    CHECK_EQ_INT(sock.fd, attempt_fd); /* same attempt continued, not restarted */
    /* not connected yet: no data moves */
    CHECK_EQ_INT(t.send(t.ctx, (const uint8_t *)"x", 1, 0), CCAT_TRANSPORT_ERR_ARGUMENT);
    t.close(t.ctx);
    CHECK_EQ_INT(sock.fd, -1);
    CHECK(sock.addrs == NULL);
    close(filler);
    close(fd);
}

static void on_alarm(int sig) {
    (void)sig;
}

static void test_platform(void) {
    ccat_platform_t p;
    struct sigaction sa;
    struct itimerval it;
    uint32_t a, b, r[8];
    int i, differ = 0;
    ccat_posix_platform_init(&p);
    CHECK(p.now_ms != NULL && p.sleep_ms != NULL && p.random_u32 != NULL);
    CHECK(p.idle == NULL);
    a = p.now_ms(p.ctx);
    p.sleep_ms(p.ctx, 30);
    b = p.now_ms(p.ctx);
    CHECK(b - a >= 30 && b - a < 1000);
    /* a signal in the middle does not cut the sleep short (EINTR-safe) */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: nanosleep returns EINTR */
    sigaction(SIGALRM, &sa, NULL);
    memset(&it, 0, sizeof it);
    it.it_value.tv_usec = 10000;
    it.it_interval.tv_usec = 10000;
    setitimer(ITIMER_REAL, &it, NULL);
    a = p.now_ms(p.ctx);
    p.sleep_ms(p.ctx, 80);
    b = p.now_ms(p.ctx);
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);
    printf("sleep 80 ms under a 10 ms SIGALRM storm took %u ms\n", (unsigned)(b - a));
    CHECK(b - a >= 80 && b - a < 1000);
    for (i = 0; i < 8; i++) {
        r[i] = p.random_u32(p.ctx);
        differ += i > 0 && r[i] != r[0];
    }
    CHECK(differ > 0);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s PYTHON SERVERS_PY\n", argv[0]);
        return 2;
    }
    python_exe = argv[1];
    servers_py = argv[2];
    signal(SIGPIPE, SIG_DFL); /* a missing MSG_NOSIGNAL must kill the test */
    test_platform();
    test_never_opened();
    test_echo("127.0.0.1", "127.0.0.1");
    test_echo("127.0.0.1", "localhost");
    test_echo("::1", "::1"); /* fails (never skips) when ::1 is unavailable */
    test_refused(AF_INET, "127.0.0.1");
    test_refused(AF_INET6, "::1");
    test_dns();
    test_silent();
    test_eof();
    test_reset();
    test_connect_timeout();
    return test_summary("ports_posix");
}
