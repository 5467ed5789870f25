/*
 * Instruction-count probe for the HTTP response parser: parses the reference
 * response N times (argv[2]), each time written in one piece through
 * space()/advance(). Run under valgrind --tool=callgrind with N and N+1000;
 * the difference divided by 1000 is the cost of one parse (memcpy included).
 *
 *   http_loop tests/data/create-response.http 1000
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccat/ccat_http.h"

int main(int argc, char **argv)
{
    static char raw[1024], buf[1024];
    size_t len, i, n;
    long sum = 0;
    FILE *f;

    if (argc != 3 || (f = fopen(argv[1], "rb")) == NULL) {
        fprintf(stderr, "usage: http_loop FILE N\n");
        return 2;
    }
    len = fread(raw, 1, sizeof raw, f);
    fclose(f);
    n = strtoul(argv[2], NULL, 10);
    for (i = 0; i < n; i++) {
        ccat_http_response_t r;
        char *sp;
        ccat_http_response_init(&r, buf, sizeof buf);
        if (ccat_http_response_space(&r, &sp) < len) {
            return 1;
        }
        memcpy(sp, raw, len);
        if (ccat_http_response_advance(&r, len) != CCAT_OK) {
            return 1;
        }
        sum += r.status + (long)r.body_len;
    }
    printf("%ld\n", sum);
    return sum == (long)n * (201 + 180) ? 0 : 1;
}
