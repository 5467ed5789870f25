/*
 * Instruction-count probe for the JSON layer: N times, copy the 180-byte
 * CreateAccessToken response body, parse it, look up its 4 members and
 * decode them. Run under `valgrind --tool=callgrind` with N and N + 1000;
 * the difference / 1000 is the cost of one response (check_json_cost.py).
 * Every round's result is checked, so the program is also a test.
 *
 * With a third argument "jsmn", each round is jsmn_parse alone (a private
 * copy compiled the way core/json.c compiles it), to measure jsmn's share.
 *
 * Usage: json_bench <create-response.http> <N> [jsmn]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A private copy of jsmn, configured as core/json.h configures it. */
#define JSMN_IMPLEMENTATION_HERE
#define JSMN_STATIC
#include "json.h"

#include "test.h"

enum { BODY_MAX = 512, TOKS = 16 };

struct round {
    char body[BODY_MAX];
    jsmntok_t toks[TOKS];
    int at[4];
    size_t lens[4];
};

/* One response: parse, find, decode. Returns the number of decoded members. */
static __attribute__((noinline)) int one_round(struct round *r, const char *src, size_t len)
{
    static const char keys[] = "\6" "secret" "\4" "name" "\13" "expiresTime" "\15" "accessTokenId";
    memcpy(r->body, src, len);
    int n = ccat_json_parse(r->body, len, r->toks, TOKS);
    if (n < 1) {
        return -1;
    }
    ccat_json_members(r->body, r->toks, n, 0, keys, 4, r->at);
    int ok = 0;
    for (int k = 0; k < 4; k++) {
        ok += r->at[k] >= 0 && ccat_json_string_decode(r->body, &r->toks[r->at[k]], &r->lens[k]) == CCAT_OK;
    }
    return ok;
}

/* jsmn's part of a round: the tokens ccat_json_parse has jsmn make. */
static __attribute__((noinline)) int jsmn_round(struct round *r, size_t len)
{
    jsmn_parser parser;
    jsmn_init(&parser);
    return jsmn_parse(&parser, r->body, len, r->toks, TOKS);
}

int main(int argc, char **argv)
{
    if (argc != 3 && !(argc == 4 && strcmp(argv[3], "jsmn") == 0)) {
        fprintf(stderr, "usage: %s <create-response.http> <N> [jsmn]\n", argv[0]);
        return 2;
    }
    static char file[4096];
    FILE *f = fopen(argv[1], "rb");
    size_t flen = f != NULL ? fread(file, 1, sizeof(file) - 1, f) : 0;
    if (f != NULL) {
        fclose(f);
    }
    file[flen] = '\0';
    const char *body = strstr(file, "\r\n\r\n");
    CHECK(body != NULL);
    if (body == NULL) {
        return test_summary("json_bench");
    }
    body += 4;
    size_t len = flen - (size_t)(body - file);
    CHECK_EQ_INT(len, 180);
    long rounds = strtol(argv[2], NULL, 10);
    static struct round r;
    long good = 0;
    if (argc == 4) {
        for (long i = 0; i < rounds; i++) {
            memcpy(r.body, body, len);
            good += jsmn_round(&r, len) == 9;
        }
        CHECK_EQ_INT(good, rounds);
        return test_summary("json_bench");
    }
    for (long i = 0; i < rounds; i++) {
        good += one_round(&r, body, len) == 4;
    }
    CHECK_EQ_INT(good, rounds);
    CHECK_EQ_INT(r.lens[0], 56);
    CHECK_EQ_STR(r.body + r.toks[r.at[1]].start, "device-42");
    CHECK_EQ_STR(r.body + r.toks[r.at[2]].start, "2027-11-27T18:51:53Z");
    CHECK_EQ_STR(r.body + r.toks[r.at[3]].start, "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b");
    return test_summary("json_bench");
}
