/*
 * libFuzzer harness of the strict JSON layer (core/json.c: jsmn plus our
 * checks). Every input is parsed, and the verdict and the tokens must be
 * those of an independent reference tokenizer (tests/json/json_ref.h); too
 * few tokens must give exactly CCAT_ERR_RESPONSE_TOO_LARGE. Then every
 * string is decoded and compared with a plain reference decoder, every
 * object's members are looked up and compared with a brute-force scan, and
 * the input as a name must survive ccat_json_escape -> parse -> decode
 * unchanged.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#include "../json/json_ref.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reference: UTF-8 code points in s[0..n), or -1 (no NUL, overlong, surrogate, > U+10FFFF). */
static long ref_utf8_count(const unsigned char *s, size_t n)
{
    long count = 0;
    for (size_t i = 0; i < n; count++) {
        unsigned c = s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (c == 0 || len == 0 || n - i < len) {
            return -1;
        }
        unsigned long cp = len == 1 ? c : c & (0xFFu >> (len + 1));
        for (size_t j = 1; j < len; j++) {
            if ((s[i + j] & 0xC0) != 0x80) {
                return -1;
            }
            cp = cp << 6 | (s[i + j] & 0x3Fu);
        }
        static const unsigned long min[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            return -1;
        }
        i += len;
    }
    return count;
}

static int ref_hex(const char *p, unsigned long *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        unsigned h = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                   : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
        if (h == 16) {
            return 0;
        }
        *v = *v << 4 | h;
    }
    return 1;
}

/* Reference decoder of a parsed string's text: escapes to UTF-8 (pairs
 * joined; lone surrogates written as 3 bytes, which the UTF-8 check then
 * refuses), then the whole result must be valid UTF-8 without NUL. */
static int ref_decode(const char *s, size_t n, char *out, size_t *out_len)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] != '\\') {
            out[o++] = s[i++];
            continue;
        }
        char e = s[i + 1];
        unsigned long cp;
        const char *simple = strchr("\"\"\\\\//b\bf\fn\nr\rt\t", e);
        if (e != 'u') {
            REQUIRE(simple != NULL && e != '\0');
            out[o++] = simple[1];
            i += 2;
            continue;
        }
        REQUIRE(ref_hex(s + i + 2, &cp));
        i += 6;
        unsigned long lo;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= n && s[i] == '\\' && s[i + 1] == 'u' &&
            ref_hex(s + i + 2, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
        }
        if (cp < 0x80) {
            out[o++] = (char)cp;
        } else if (cp < 0x800) {
            out[o++] = (char)(0xC0 | cp >> 6);
            out[o++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out[o++] = (char)(0xE0 | cp >> 12);
            out[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        } else {
            out[o++] = (char)(0xF0 | cp >> 18);
            out[o++] = (char)(0x80 | (cp >> 12 & 0x3F));
            out[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    *out_len = o;
    return ref_utf8_count((const unsigned char *)out, o) >= 0;
}

/* The verdict and the tokens (ccat_json_parse gave n) equal the reference's. */
static void check_like_reference(const char *js, size_t len, const jsmntok_t *toks, int n)
{
    jsmntok_t *ref = malloc((len + 1) * sizeof(*ref));
    int r = ref_parse(js, len, ref, (int)len + 1);
    if (r != REF_TOO_DEEP) {
        REQUIRE((n > 0) == (r > 0));
        REQUIRE(n <= 0 || n == r);
        for (int i = 0; i < n; i++) {
            REQUIRE(ref[i].type == toks[i].type && ref[i].start == toks[i].start &&
                    ref[i].end == toks[i].end && ref[i].size == toks[i].size &&
                    ref[i].parent == toks[i].parent);
        }
    }
    free(ref);
}

/* Decodes string token i of js (not modified) into a fresh NUL-terminated
 * buffer, or returns NULL. */
static char *decoded(const char *js, const jsmntok_t *t, size_t *len)
{
    size_t raw = (size_t)(t->end - t->start);
    char *copy = malloc(raw + 2);
    memcpy(copy, js + t->start - 1, raw + 2); /* with both quotes */
    jsmntok_t local = *t;
    local.start = 1;
    local.end = (int)raw + 1;
    if (ccat_json_string_decode(copy, &local, len) != CCAT_OK) {
        free(copy);
        return NULL;
    }
    memmove(copy, copy + 1, *len + 1);
    return copy;
}

static void check_strings(const char *js, const jsmntok_t *toks, int n)
{
    for (int i = 0; i < n; i++) {
        if (toks[i].type != JSMN_STRING) {
            continue;
        }
        size_t raw = (size_t)(toks[i].end - toks[i].start), len = 0, ref_len = 0;
        char *want = malloc(raw + 1);
        int ok = ref_decode(js + toks[i].start, raw, want, &ref_len);
        char *got = decoded(js, &toks[i], &len);
        REQUIRE(ok == (got != NULL));
        if (got != NULL) {
            REQUIRE(len == ref_len && memcmp(got, want, len) == 0 && got[len] == '\0');
            REQUIRE(ccat_utf8_count(got, len) == ref_utf8_count((const unsigned char *)got, len));
        }
        free(got);
        free(want);
    }
}

enum { MAX_NAMES = 12 };

/* For each object, look up (decoded) names of its keys plus a few others,
 * and compare with a brute-force scan of its direct children. */
static void check_members(const char *js, const jsmntok_t *toks, int n)
{
    for (int obj = 0; obj < n && obj < 64; obj++) {
        if (toks[obj].type != JSMN_OBJECT) {
            continue;
        }
        const char *names[MAX_NAMES];
        char *owned[MAX_NAMES];
        int count = 0;
        static const char *const fixed[3] = {"secret", "name", ""};
        for (int f = 0; f < 3; f++) {
            names[count] = fixed[f];
            owned[count++] = NULL;
        }
        for (int i = obj + 1; i < n && count < MAX_NAMES; i++) {
            size_t len;
            char *name = toks[i].parent == obj ? decoded(js, &toks[i], &len) : NULL;
            /* Names never hold a '\\' and are at most 255 bytes (the
             * lookup's contract): such keys are not asked for. */
            int dup = name == NULL || len > 255 || memchr(name, '\\', len) != NULL;
            for (int k = 0; k < count && !dup; k++) {
                dup = strcmp(names[k], name) == 0;
            }
            if (dup) {
                free(name);
                continue;
            }
            names[count] = name;
            owned[count++] = name;
        }
        int found[MAX_NAMES];
        /* Packed as the lookup takes them: a length byte, then the name. */
        char keys[MAX_NAMES * 256], *o = keys;
        for (int k = 0; k < count; k++) {
            size_t len = strlen(names[k]);
            *o++ = (char)len;
            memcpy(o, names[k], len);
            o += len;
        }
        ccat_json_members(js, toks, n, obj, keys, count, found);
        for (int k = 0; k < count; k++) {
            int want = -1;
            for (int i = obj + 1; i < n; i++) {
                size_t len;
                char *key = toks[i].parent == obj ? decoded(js, &toks[i], &len) : NULL;
                if (key != NULL && strcmp(key, names[k]) == 0 && strlen(names[k]) == len) {
                    want = i + 1;
                }
                free(key);
            }
            REQUIRE(found[k] == want);
        }
        for (int k = 0; k < count; k++) {
            free(owned[k]);
        }
    }
}

/* The input as a name: escaped, parsed and decoded, it must come back. */
static void check_escape_round_trip(const uint8_t *data, size_t size)
{
    long cps = ccat_utf8_count((const char *)data, size);
    REQUIRE(cps == ref_utf8_count(data, size));
    size_t cap = 6 * size + 2;
    char *lit = malloc(cap);
    size_t n = ccat_json_escape(lit, cap, (const char *)data, size);
    REQUIRE(n >= size + 2);
    REQUIRE(ccat_json_escape(lit, n - 1, (const char *)data, size) == 0);
    REQUIRE(ccat_json_escape(lit, n, (const char *)data, size) == n);
    jsmntok_t t;
    REQUIRE(ccat_json_parse(lit, n, &t, 1) == 1 && t.type == JSMN_STRING);
    size_t len;
    ccat_status_t st = ccat_json_string_decode(lit, &t, &len);
    REQUIRE((st == CCAT_OK) == (cps >= 0));
    if (st == CCAT_OK) {
        REQUIRE(len == size && memcmp(lit + 1, data, size) == 0);
    }
    free(lit);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) {
        return 0;
    }
    char *js = malloc(size ? size : 1); /* exactly size bytes: ASan sees overreads */
    memcpy(js, data, size);
    unsigned ntoks = (unsigned)size + 1;
    jsmntok_t *toks = malloc(ntoks * sizeof(*toks));
    int n = ccat_json_parse(js, size, toks, ntoks);
    REQUIRE(n > 0 || n == CCAT_ERR_JSON_SYNTAX);
    check_like_reference(js, size, toks, n);
#ifndef __OPTIMIZE_SIZE__
    /* The plain report: the same result, and plain only when no byte is a
     * control character, a '\\' or non-ASCII (every string its decoding). */
    int plain = -1;
    REQUIRE(ccat_json_parse_plain(js, size, toks, ntoks, &plain) == n);
    REQUIRE(plain == 0 || plain == 1);
    for (size_t i = 0; plain == 1 && i < size; i++) {
        unsigned char c = (unsigned char)js[i];
        REQUIRE(c >= 0x20 && c != '\\' && c < 0x80);
    }
#endif
    if (n > 0) {
        jsmntok_t *few = malloc((size_t)n * sizeof(*few));
        REQUIRE(ccat_json_parse(js, size, few, (unsigned)n - 1) == CCAT_ERR_RESPONSE_TOO_LARGE);
        REQUIRE(ccat_json_parse(js, size, few, (unsigned)n) == n);
        free(few);
        check_strings(js, toks, n);
        check_members(js, toks, n);
    } else {
        int r = ccat_json_parse(js, size, toks, (unsigned)(size / 2));
        REQUIRE(r == CCAT_ERR_JSON_SYNTAX || r == CCAT_ERR_RESPONSE_TOO_LARGE);
    }
    free(toks);
    free(js);
    check_escape_round_trip(data, size);
    return 0;
}
