/*
 * White-box test of the POSIX connect loop over several addresses. A host
 * name that resolves to several loopback addresses cannot be made without
 * touching /etc/hosts, so this test includes ccat_posix.c and hands the loop
 * a list of real getaddrinfo() results linked together (glibc's
 * freeaddrinfo() frees node by node, so the joined list is freed correctly).
 * CCAT_POSIX_ATTEMPT_MS is 300 here (set by CMake).
 */
#include "ccat_posix.c"

#include "server_proc.h"
#include "sock_util.h"
#include "test.h"

/* addrinfo for 127.0.0.1:p1 -> 127.0.0.1:p2 -> ... (0 ends the list). */
static struct addrinfo *chain(const uint16_t *ports) {
    struct addrinfo *head = NULL, **tail = &head;
    for (; *ports != 0; ports++) {
        ccat_posix_t tmp = {-1, NULL, NULL, 0};
        if (ccat_posix_resolve(&tmp, "127.0.0.1", *ports) != 0) {
            break;
        }
        *tail = tmp.addrs;
        while (*tail != NULL) {
            tail = &(*tail)->ai_next;
        }
    }
    return head;
}

static void start(ccat_posix_t *s, const uint16_t *ports) {
    ccat_posix_transport_init(s, NULL);
    s->addrs = s->next = chain(ports);
}

int main(void) {
    uint16_t open_port = 0, closed_port = 0, hole_port = 0;
    int filler = -1;
    int lfd = loopback_socket(AF_INET, 8, &open_port);   /* completes handshakes, never accepts */
    int cfd = loopback_socket(AF_INET, -1, &closed_port); /* refuses */
    int hfd = loopback_black_hole(&hole_port, &filler);   /* never answers */
    ccat_posix_t s;
    uint32_t t0, el;
    int calls;
    CHECK(lfd >= 0 && cfd >= 0 && hfd >= 0);

    { /* refused, then open: connected in the same call */
        const uint16_t p[] = {closed_port, open_port, 0};
        start(&s, p);
        CHECK_EQ_INT(ccat_posix_connect_step(&s, 2000), 1);
        CHECK(s.fd >= 0 && s.addrs == NULL);
        ccat_posix_close(&s);
    }
    { /* all refused */
        const uint16_t p[] = {closed_port, closed_port, 0};
        start(&s, p);
        CHECK_EQ_INT(ccat_posix_connect_step(&s, 2000), CCAT_TRANSPORT_ERR_CONNECT);
        CHECK(s.fd == -1 && s.addrs == NULL);
    }
    { /* black hole, then open: the hole gets CCAT_POSIX_ATTEMPT_MS, no more */
        const uint16_t p[] = {hole_port, open_port, 0};
        start(&s, p);
        t0 = test_now_ms();
        CHECK_EQ_INT(ccat_posix_connect_step(&s, 5000), 1);
        el = test_now_ms() - t0;
        printf("fallback after a black hole took %u ms\n", (unsigned)el);
        CHECK(el >= 295 && el < 1500);
        ccat_posix_close(&s);
    }
    { /* the same in 50 ms slices: progress is kept across calls */
        const uint16_t p[] = {hole_port, open_port, 0};
        int32_t rc = 0;
        start(&s, p);
        t0 = test_now_ms();
        for (calls = 0; calls < 100 && rc == 0; calls++) {
            rc = ccat_posix_connect_step(&s, 50);
        }
        el = test_now_ms() - t0;
        printf("sliced fallback: %d calls, %u ms\n", calls, (unsigned)el);
        CHECK_EQ_INT(rc, 1);
        CHECK(calls >= 5 && calls <= 20);
        CHECK(el >= 295 && el < 1500);
        ccat_posix_close(&s);
    }
    { /* the last address is never abandoned: still pending after 2x the cap */
        const uint16_t p[] = {hole_port, 0};
        start(&s, p);
        CHECK_EQ_INT(ccat_posix_connect_step(&s, 600), 0);
        CHECK(s.fd >= 0 && s.addrs != NULL);
        ccat_posix_close(&s); /* frees a pending list */
        CHECK(s.fd == -1 && s.addrs == NULL);
    }
    close(filler);
    close(hfd);
    close(cfd);
    close(lfd);
    return test_summary("ports_posix_fallback");
}
