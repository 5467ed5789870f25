/*
 * Unit tests of the strict JSON layer: parse (grammar, token layout, limits),
 * members lookup, string decoding, UTF-8 counting, and escaping.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "json_ref.h"

#include "test.h"

enum { MAXTOK = 64 };

/* Parses the n bytes at s from a heap copy of exactly n bytes (so ASan sees
 * any read past the end). */
static int parse_n(const char *s, size_t n, jsmntok_t *toks, unsigned ntoks)
{
    char *copy = malloc(n ? n : 1);
    memcpy(copy, s, n);
    int r = ccat_json_parse(copy, n, toks, ntoks);
    free(copy);
    return r;
}

static int parse(const char *s)
{
    jsmntok_t toks[MAXTOK];
    return parse_n(s, strlen(s), toks, MAXTOK);
}

#define CHECK_SYNTAX(s) CHECK_EQ_INT(parse(s), CCAT_ERR_JSON_SYNTAX)
#define CHECK_TOKS(s, n) CHECK_EQ_INT(parse(s), n)

static void check_tok(const jsmntok_t *t, jsmntype_t type, int start, int end, int size, int parent)
{
    CHECK_EQ_INT(t->type, type);
    CHECK_EQ_INT(t->start, start);
    CHECK_EQ_INT(t->end, end);
    CHECK_EQ_INT(t->size, size);
    CHECK_EQ_INT(t->parent, parent);
}

static void test_token_layout(void)
{
    /*             0         1         2
     *             0123456789012345678901234567 */
    const char *s = "{\"a\":[1,{\"b\":null}],\"c\":\"d\"}";
    jsmntok_t t[MAXTOK];
    CHECK_EQ_INT(parse_n(s, strlen(s), t, MAXTOK), 9);
    check_tok(&t[0], JSMN_OBJECT, 0, 28, 2, -1);
    check_tok(&t[1], JSMN_STRING, 2, 3, 1, 0);
    check_tok(&t[2], JSMN_ARRAY, 5, 19, 2, 1);
    check_tok(&t[3], JSMN_PRIMITIVE, 6, 7, 0, 2);
    check_tok(&t[4], JSMN_OBJECT, 8, 18, 1, 2);
    check_tok(&t[5], JSMN_STRING, 10, 11, 1, 4);
    check_tok(&t[6], JSMN_PRIMITIVE, 13, 17, 0, 5);
    check_tok(&t[7], JSMN_STRING, 21, 22, 1, 0);
    check_tok(&t[8], JSMN_STRING, 25, 26, 0, 7);

    /* Empty containers, whitespace everywhere RFC 8259 allows it. */
    const char *w = " \t\r\n{ \"k\" \n:\t[ ] , \"o\" : { } }\r\n";
    CHECK_EQ_INT(parse_n(w, strlen(w), t, MAXTOK), 5);
    check_tok(&t[2], JSMN_ARRAY, 13, 16, 0, 1);
    check_tok(&t[4], JSMN_OBJECT, 25, 28, 0, 3);
    CHECK_EQ_INT(t[0].end, 30);

    /* Scalar roots are one token. */
    CHECK_EQ_INT(parse_n(" 42 ", 4, t, 1), 1);
    check_tok(&t[0], JSMN_PRIMITIVE, 1, 3, 0, -1);
    CHECK_EQ_INT(parse_n("\"x\"", 3, t, 1), 1);
    check_tok(&t[0], JSMN_STRING, 1, 2, 0, -1);
    CHECK_EQ_INT(parse_n("null", 4, t, 1), 1);
    check_tok(&t[0], JSMN_PRIMITIVE, 0, 4, 0, -1);
}

static void test_token_limits(void)
{
    const char *body = "{\"secret\":\"s\",\"name\":\"n\",\"expiresTime\":\"e\",\"accessTokenId\":\"i\"}";
    jsmntok_t t[MAXTOK];
    CHECK_EQ_INT(parse_n(body, strlen(body), t, 9), 9);
    CHECK_EQ_INT(parse_n(body, strlen(body), t, 8), CCAT_ERR_RESPONSE_TOO_LARGE);
    CHECK_EQ_INT(parse_n(body, strlen(body), t, 1), CCAT_ERR_RESPONSE_TOO_LARGE);
    CHECK_EQ_INT(ccat_json_parse("{}", 2, NULL, 0), CCAT_ERR_RESPONSE_TOO_LARGE);
    CHECK_EQ_INT(parse_n("[1,2,3]", 7, t, 3), CCAT_ERR_RESPONSE_TOO_LARGE);
    CHECK_EQ_INT(parse_n("[1,2,3]", 7, t, 4), 4);
    /* jsmn stops when the tokens run out, before the layer on top looks at
     * the separators: too few tokens win over a syntax error jsmn lets by;
     * with enough tokens, the syntax error shows. */
    CHECK_EQ_INT(parse_n("[1,,2,3]", 8, t, 3), CCAT_ERR_RESPONSE_TOO_LARGE);
    CHECK_EQ_INT(parse_n("[1,,2,3]", 8, t, 4), CCAT_ERR_JSON_SYNTAX);
    CHECK_EQ_INT(parse_n("[1,2,3,4", 8, t, 3), CCAT_ERR_RESPONSE_TOO_LARGE); /* cut short */
    CHECK_EQ_INT(parse_n("[1,2,3,4", 8, t, 5), CCAT_ERR_JSON_SYNTAX);
    /* jsmn's own errors (a bad escape, brackets that do not match) come
     * first when it meets them before the tokens run out. An unquoted word
     * is one of its primitives: checked with the others, once jsmn is done. */
    CHECK_EQ_INT(parse_n("[\"\\q\",2,3]", 10, t, 2), CCAT_ERR_JSON_SYNTAX);
    CHECK_EQ_INT(parse_n("[}1,2,3]", 8, t, 2), CCAT_ERR_JSON_SYNTAX);
    CHECK_EQ_INT(parse_n("[x,2,3]", 7, t, 2), CCAT_ERR_RESPONSE_TOO_LARGE);
    CHECK_EQ_INT(parse_n("[x,2,3]", 7, t, 4), CCAT_ERR_JSON_SYNTAX);
    /* A bare scalar root needs one token, too. */
    CHECK_EQ_INT(parse_n("1", 1, t, 0), CCAT_ERR_RESPONSE_TOO_LARGE);
    CHECK_EQ_INT(parse_n("1", 1, t, 1), 1);
    /* Offsets are ints: longer text is refused before it is read. */
    CHECK_EQ_INT(ccat_json_parse("{}", (size_t)INT_MAX, t, MAXTOK), CCAT_ERR_RESPONSE_TOO_LARGE);
    CHECK_EQ_INT(ccat_json_parse(NULL, 2, t, MAXTOK), CCAT_ERR_JSON_SYNTAX);

    /* Deep nesting is iterative: 4000 levels. (jsmn finds the container a
     * closing bracket closes by walking up the parent links, so its time grows
     * with the square of the depth: this many levels take ~10 ms.) */
    enum { DEPTH = 4000 };
    char *deep = malloc(2 * DEPTH);
    memset(deep, '[', DEPTH);
    memset(deep + DEPTH, ']', DEPTH);
    jsmntok_t *many = malloc(DEPTH * sizeof(*many));
    CHECK_EQ_INT(ccat_json_parse(deep, 2 * DEPTH, many, DEPTH), DEPTH);
    CHECK_EQ_INT(many[DEPTH - 1].parent, DEPTH - 2);
    CHECK_EQ_INT(many[0].end, 2 * DEPTH);
    CHECK_EQ_INT(ccat_json_parse(deep, 2 * DEPTH - 1, many, DEPTH), CCAT_ERR_JSON_SYNTAX);
    free(many);
    free(deep);
}

static void test_nul_and_length(void)
{
    jsmntok_t t[MAXTOK];
    /* Every byte up to len counts: a NUL is never the end. */
    CHECK_EQ_INT(parse_n("{\"a\":1}\0", 8, t, MAXTOK), CCAT_ERR_JSON_SYNTAX);
    CHECK_EQ_INT(parse_n("{\"a\":\"b\0\"}", 10, t, MAXTOK), CCAT_ERR_JSON_SYNTAX);
    CHECK_EQ_INT(parse_n("{\"a\":1\0}", 8, t, MAXTOK), CCAT_ERR_JSON_SYNTAX);
    CHECK_EQ_INT(parse_n("\0{}", 3, t, MAXTOK), CCAT_ERR_JSON_SYNTAX);
    CHECK_EQ_INT(parse_n("[\"\0\"]", 5, t, MAXTOK), CCAT_ERR_JSON_SYNTAX);
    /* Bytes after len are not looked at. */
    CHECK_EQ_INT(parse_n("{\"a\":1}garbage", 7, t, MAXTOK), 3);
    CHECK_EQ_INT(parse_n("[1]]", 3, t, MAXTOK), 2);
    /* Cut short anywhere: a syntax error. */
    const char *s = "{\"a\":[1,true,\"x\\u0041\"],\"b\":{}}";
    size_t n = strlen(s);
    for (size_t k = 0; k < n; k++) {
        int r = parse_n(s, k, t, MAXTOK);
        if (r != CCAT_ERR_JSON_SYNTAX) {
            fprintf(stderr, "prefix of %zu bytes gave %d\n", k, r);
        }
        CHECK_EQ_INT(r, CCAT_ERR_JSON_SYNTAX);
    }
    CHECK_EQ_INT(parse_n(s, n, t, MAXTOK), 8);
    CHECK_SYNTAX("");
    CHECK_SYNTAX(" \t\r\n");
}

static void test_whitespace(void)
{
    CHECK_TOKS("\t\n\r []\t\n\r ", 1);
    CHECK_SYNTAX("\f[]");
    CHECK_SYNTAX("[]\v");
    CHECK_SYNTAX("[\f1]");
    CHECK_SYNTAX("{\"a\"\f:1}");
    CHECK_SYNTAX("\xc2\xa0[]");   /* U+00A0 no-break space */
    CHECK_SYNTAX("\xef\xbb\xbf[]"); /* byte order mark */
    CHECK_SYNTAX("[1\x01]");
}

static void test_numbers(void)
{
    static const char *const good[] = {
        "0", "-0", "1", "-1", "10", "1234567890", "0.5", "-0.0", "1.25", "1e5", "1E5", "1e+5",
        "1e-5", "1E-05", "0e0", "-0.0e-0", "123456789012345678901234567890",
        "1.7976931348623157e309", "5e-400"};
    static const char *const bad[] = {
        "01", "-01", "00", "-", "+1", "1.", ".1", "-.1", "1.e5", "1e", "1e+", "1e-", "1E+-1",
        "0x1", "1_000", "NaN", "-NaN", "Infinity", "-Infinity", "1..2", "1.2.3", "1e5e5",
        "--1", "1-", "1 2", "0.a", "2.", "1f", "١"};
    char buf[64];
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        CHECK_TOKS(good[i], 1);
        snprintf(buf, sizeof(buf), "[%s,%s]", good[i], good[i]);
        CHECK_TOKS(buf, 3);
        snprintf(buf, sizeof(buf), "{\"n\":%s}", good[i]);
        CHECK_TOKS(buf, 3);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int r = parse(bad[i]);
        if (r != CCAT_ERR_JSON_SYNTAX) {
            fprintf(stderr, "number %s accepted\n", bad[i]);
        }
        CHECK_EQ_INT(r, CCAT_ERR_JSON_SYNTAX);
        snprintf(buf, sizeof(buf), "[%s]", bad[i]);
        CHECK_SYNTAX(buf);
        snprintf(buf, sizeof(buf), "{\"n\":%s}", bad[i]);
        CHECK_SYNTAX(buf);
    }
}

static void test_literals(void)
{
    CHECK_TOKS("true", 1);
    CHECK_TOKS("false", 1);
    CHECK_TOKS("null", 1);
    CHECK_TOKS("[true,false,null]", 4);
    static const char *const bad[] = {"tru", "truee", "True", "TRUE", "nul", "nulll", "NULL", "fals",
                                      "falsee", "t", "n", "f", "truefalse", "[true false]",
                                      "[truenull]", "undefined", "[nil]", "'a'", "[\"a\"true]",
                                      /* one byte off, first and last: */
                                      "falsx", "[falsE]", "fals0", "xalse", "truE", "nulL", "rue ", "xull"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_SYNTAX(bad[i]);
    }
}

static void test_strings(void)
{
    char buf[16];
    for (int c = 1; c < 0x20; c++) {
        snprintf(buf, sizeof(buf), "[\"a%cb\"]", c);
        CHECK_SYNTAX(buf);
    }
    CHECK_TOKS("[\"\x7f\"]", 2);          /* DEL is allowed raw */
    CHECK_TOKS("[\"\xff\xfe\"]", 2);     /* UTF-8 is the decoder's business */
    CHECK_TOKS("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", 2);
    CHECK_TOKS("[\"\\u0000\\uD800\\uDC00\\uABCD\\uabcd\"]", 2);
    static const char *const bad[] = {
        "[\"\\a\"]", "[\"\\x41\"]", "[\"\\U0041\"]", "[\"\\u12\"]", "[\"\\u12G4\"]", "[\"\\u 123\"]",
        "[\"\\\"]", "[\"\\", "[\"abc", "[\"\\u0041", "[\"\\'\"]", "[\"\\0\"]", "[\"\\\xc3\xa9\"]",
        "['a']", "[\"a\"\"b\"]"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_SYNTAX(bad[i]);
    }
    /* A control character past the first machine words of a string. */
    char longs[64];
    for (int at = 0; at < 40; at++) {
        memset(longs, 'x', sizeof(longs));
        longs[0] = '"';
        longs[1 + at] = '\n';
        longs[42] = '"';
        CHECK_EQ_INT(ccat_json_parse(longs, 43, (jsmntok_t[1]){{0}}, 1), CCAT_ERR_JSON_SYNTAX);
        longs[1 + at] = '\\';
        longs[2 + at] = 'q';
        CHECK_EQ_INT(ccat_json_parse(longs, 43, (jsmntok_t[1]){{0}}, 1), CCAT_ERR_JSON_SYNTAX);
        longs[2 + at] = 't';
        CHECK_EQ_INT(ccat_json_parse(longs, 43, (jsmntok_t[1]){{0}}, 1), 1);
    }
}

static void test_structure(void)
{
    static const char *const bad[] = {
        "{\"a\" 1}", "{\"a\":1 \"b\":2}", "[1 2]", "[1,]", "[,1]", "[,]", "{\"a\":1,}", "{,}", "{\"a\"}",
        "{\"a\":}", "{:1}", "[1:2]", "{\"a\"::1}", "{\"a\":1,,\"b\":2}", "[1,,2]", "[]]", "[[]", "{}}",
        "]", "}", "[}", "{]", "{\"a\":1]", "[1}", "{1:2}", "{true:1}", "{[]:1}", "{{}:1}",
        "{\"a\":1:2}", "{\"a\",\"b\"}", "[\"a\":1]", "{} x", "{}{}", "[][]", "1 2", "\"a\"\"b\"",
        "\"a\" 1", "[] ,", ",[]", "{\"a\":1}}", "[{]}", "[\"a\",]", "{\"a\":[}", "{'a':1}", "{a:1}",
        "[1,2", "{\"a\":1", "{\"a\"", "{\"a\":", "[", "{", "\"", "/*c*/[]", "[]//", "{\"a\" {}}",
        "{\"a\" []}", "{\"a\",1}", "\"a\":1", "{\"a\":,1}", "[+1]", "[.5]"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int r = parse(bad[i]);
        if (r != CCAT_ERR_JSON_SYNTAX) {
            fprintf(stderr, "%s gave %d\n", bad[i], r);
        }
        CHECK_EQ_INT(r, CCAT_ERR_JSON_SYNTAX);
    }
    /* What jsmn accepts and the layer on top must refuse, by kind:
     * missing, doubled or misplaced separators; keys and values out of turn;
     * values after a primitive or string without a separator; several roots. */
    static const char *const jsmn_gaps[] = {
        "[\"a\" \"b\"]", "[1 \"a\"]", "[[] []]", "[{} {}]", "[{}[]]", "{\"a\":[] \"b\":1}",
        "{\"a\":\"b\" \"c\":\"d\"}", "{\"a\":\"b\",\"c\"}", "{\"a\":\"b\":\"c\"}", "[\"a\":\"b\"]",
        "[1,\"a\":2]", "{\"a\":1,:2}", "[1\"a\"]", "[true\"a\"]", "[1]:", "[1],", "{\"a\":1}:",
        "\"a\",\"b\"", "[],[]", "{}[]", "[]{}", "{\"a\"::[]}", "[,[]]", "[[],]", "{\"a\":[],}",
        "[1,,[]]", ":[]", ",\"a\"", "[\"\t\"]", "{\"\n\":1}", "[\"a\x01\"]", "[1.]", "[-]", "[01]",
        "[1e]", "[tru]", "[nulll]", "[1.2.3]", "[1-2]", "[0x1]", "[truefalse]", "[1e5e5]"};
    for (size_t i = 0; i < sizeof(jsmn_gaps) / sizeof(jsmn_gaps[0]); i++) {
        int r = parse(jsmn_gaps[i]);
        if (r != CCAT_ERR_JSON_SYNTAX) {
            fprintf(stderr, "%s gave %d\n", jsmn_gaps[i], r);
        }
        CHECK_EQ_INT(r, CCAT_ERR_JSON_SYNTAX);
    }
    /* Every valid shape with whitespace around every token. */
    CHECK_TOKS(" [ 1 , \"a\" , [ ] , { } , { \"k\" : [ true , null ] } ] ", 10);
    CHECK_TOKS("\"a\" ", 1);
    CHECK_TOKS("[[[]],[{}],{\"a\":[]}]", 8);
    CHECK_TOKS("{\"\":\"\"}", 3);
    CHECK_TOKS("{\"a\":{\"a\":{\"a\":{}}}}", 7);
}

/* ---- members ------------------------------------------------------------ */

/* key as the one name of a packed list (a length byte, then the name). */
static const char *pack(const char *key, char packed[64])
{
    size_t n = strlen(key);
    CHECK(n < 64);
    packed[0] = (char)n;
    memcpy(packed + 1, key, n < 63 ? n : 63);
    return packed;
}

static int lookup(const char *js, const char *key)
{
    jsmntok_t t[MAXTOK];
    int n = ccat_json_parse(js, strlen(js), t, MAXTOK);
    CHECK(n > 0);
    int at = -2;
    char packed[64];
    ccat_json_members(js, t, n, 0, pack(key, packed), 1, &at);
    return at;
}

/* The text of the value found for key, or NULL. */
static const char *value_of(const char *js, const char *key, char *out, size_t cap)
{
    jsmntok_t t[MAXTOK];
    int n = ccat_json_parse(js, strlen(js), t, MAXTOK);
    int at = -2;
    char packed[64];
    ccat_json_members(js, t, n, 0, pack(key, packed), 1, &at);
    if (n <= 0 || at < 0) {
        return NULL;
    }
    snprintf(out, cap, "%.*s", t[at].end - t[at].start, js + t[at].start);
    return out;
}

/* The flat-object shape services send (the -O2 fast path's), mutated at
 * every byte: each byte replaced by each of a set of JSON-significant
 * bytes, deleted, or doubled; verdict and tokens as the reference's. */
static void check_like_ref(const char *js, size_t len)
{
    jsmntok_t t1[MAXTOK], t2[MAXTOK];
    int n = parse_n(js, len, t1, MAXTOK);
    int r = ref_parse(js, len, t2, MAXTOK);
    if (r < 0) {
        if (n != CCAT_ERR_JSON_SYNTAX) {
            fprintf(stderr, "accepted: %.*s\n", (int)len, js);
        }
        CHECK_EQ_INT(n, CCAT_ERR_JSON_SYNTAX);
        return;
    }
    CHECK_EQ_INT(n, r);
    for (int i = 0; i < n && i < r; i++) {
        CHECK(memcmp(&t1[i], &t2[i], sizeof(t1[i])) == 0);
    }
}

static void test_flat_mutations(void)
{
    static const char *const texts[] = {
        ("{\"secret\":\"ccpat_AbCdEfGhIjKlMnOp\",\"name\":\"device-42\",\"expiresTime\":"
         "\"2027-11-27T18:51:53Z\",\"accessTokenId\":\"3f2a1b4c-5d6e\"}"),
        "{\"a\":1,\"bb\":true,\"c\":\"x\",\"d\":null,\"e\":-0.5e+3,\"f\":\"\\u00e9\\n\"}",
        "{\"k\":\"v\"}", "{\"k\":0}", "{\"k\":\"v\",\"l\":false}"};
    static const char subst[] = {' ', ',', ':', '"', '{', '}', '[', ']', '1', 'a', '\\', '\x01', '\xc3'};
    char buf[256];
    for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
        const char *js = texts[k];
        size_t len = strlen(js);
        check_like_ref(js, len);
        for (size_t i = 0; i < len; i++) {
            for (size_t c = 0; c < sizeof(subst); c++) {
                memcpy(buf, js, len);
                buf[i] = subst[c];
                check_like_ref(buf, len);
            }
            memcpy(buf, js, i); /* deleted */
            memcpy(buf + i, js + i + 1, len - i - 1);
            check_like_ref(buf, len - 1);
            memcpy(buf, js, i + 1); /* doubled */
            memcpy(buf + i + 1, js + i, len - i);
            check_like_ref(buf, len + 1);
        }
    }
}

/* Every text of up to max (<= 6) bytes over alphabet: verdict and tokens
 * as the reference's. */
static void check_every_text(const char *alphabet, size_t max)
{
    const size_t na = strlen(alphabet);
    char buf[6];
    for (size_t len = 0; len <= max && len <= sizeof(buf); len++) {
        size_t idx[sizeof(buf)] = {0};
        for (;;) {
            for (size_t i = 0; i < len; i++) {
                buf[i] = alphabet[idx[i]];
            }
            check_like_ref(buf, len);
            size_t k = len;
            while (k > 0 && ++idx[k - 1] == na) {
                idx[--k] = 0;
            }
            if (k == 0) {
                break;
            }
        }
    }
}

/* Every text of up to 5 bytes over JSON's punctuation, a digit, a sign, a
 * letter and a space: verdict and tokens as the reference's. The walk's
 * rule on neighbours and jsmn's parent links meet every way here. And every
 * text of up to 6 bytes over the bytes of numbers and their neighbours:
 * the number grammar (primitive_ok()'s table) as the reference's. */
static void test_short_texts(void)
{
    check_every_text("[]{}:,\"1- x", 5);
    check_every_text("019+-.eE/,", 6);
}

/* Every byte after a value and before the root: whitespace (or not) as the
 * reference says. */
static void test_every_separator(void)
{
    for (int c = 1; c < 256; c++) {
        const char after[] = {'[', '1', (char)c, ']'}, before[] = {(char)c, '[', ']'};
        check_like_ref(after, sizeof(after));
        check_like_ref(before, sizeof(before));
    }
}

static void test_members(void)
{
    static const char keys[] = "\6" "secret" "\4" "name" "\13" "expiresTime" "\15" "accessTokenId";
    const char *js = "{\"accessTokenId\":\"i\",\"junk\":[1,2],\"name\":\"n\",\"secret\":\"s\","
                     "\"expiresTime\":\"e\",\"other\":{}}";
    jsmntok_t t[MAXTOK];
    int n = ccat_json_parse(js, strlen(js), t, MAXTOK);
    int at[4];
    ccat_json_members(js, t, n, 0, keys, 4, at);
    CHECK_EQ_INT(at[0], 10);
    CHECK_EQ_INT(at[1], 8);
    CHECK_EQ_INT(at[2], 12);
    CHECK_EQ_INT(at[3], 2);

    /* Missing members, and a non-object or out-of-range obj. */
    const char *few = "{\"name\":\"n\",\"x\":1}";
    n = ccat_json_parse(few, strlen(few), t, MAXTOK);
    ccat_json_members(few, t, n, 0, keys, 4, at);
    CHECK_EQ_INT(at[0], -1);
    CHECK_EQ_INT(at[1], 2);
    CHECK_EQ_INT(at[2], -1);
    CHECK_EQ_INT(at[3], -1);
    at[1] = 7;
    ccat_json_members(few, t, n, 1, keys, 4, at); /* a string */
    CHECK_EQ_INT(at[1], -1);
    at[1] = 7;
    ccat_json_members(few, t, n, n, keys, 4, at);
    CHECK_EQ_INT(at[1], -1);
    at[1] = 7;
    ccat_json_members(few, t, n, -1, keys, 4, at);
    CHECK_EQ_INT(at[1], -1);
    at[0] = 7;
    ccat_json_members(few, t, n, 0, keys, 0, at); /* no keys: nothing written */
    CHECK_EQ_INT(at[0], 7);
    const char *arr = "[\"name\",\"n\"]";
    n = ccat_json_parse(arr, strlen(arr), t, MAXTOK);
    ccat_json_members(arr, t, n, 0, keys, 4, at);
    CHECK_EQ_INT(at[1], -1);

    /* Decoys with the same names nested in objects and arrays do not match. */
    char v[64];
    const char *decoy = "{\"x\":{\"secret\":\"no1\"},\"y\":[\"secret\",{\"secret\":\"no2\"}],"
                        "\"z\":{\"a\":{\"secret\":\"no3\"}},\"secret\":\"yes\",\"w\":[[{\"secret\":4}]]}";
    CHECK_EQ_STR(value_of(decoy, "secret", v, sizeof(v)), "yes");
    CHECK_EQ_INT(lookup("{\"x\":{\"secret\":\"no\"}}", "secret"), -1);
    CHECK_EQ_INT(lookup("{\"x\":[\"secret\",\"no\"]}", "secret"), -1);
    /* A value that is a key name elsewhere. */
    CHECK_EQ_STR(value_of("{\"a\":\"secret\",\"secret\":\"b\"}", "secret", v, sizeof(v)), "b");

    /* Duplicates: the last one wins, as in Python's json. */
    CHECK_EQ_STR(value_of("{\"a\":1,\"b\":0,\"a\":2}", "a", v, sizeof(v)), "2");
    CHECK_EQ_STR(value_of("{\"a\":1,\"a\":{\"a\":3},\"a\":\"last\"}", "a", v, sizeof(v)), "last");

    /* Escaped keys compare decoded, and the text is left as it is. */
    char esc[] = "{\"secr\\u0065t\":\"v1\"}";
    CHECK_EQ_STR(value_of(esc, "secret", v, sizeof(v)), "v1");
    CHECK_EQ_STR(esc, "{\"secr\\u0065t\":\"v1\"}");
    CHECK_EQ_STR(value_of("{\"\\u0073\\u0065\\u0063\\u0072\\u0065\\u0074\":1}", "secret", v, sizeof(v)), "1");
    CHECK_EQ_STR(value_of("{\"a\\/b\":2}", "a/b", v, sizeof(v)), "2");
    CHECK_EQ_STR(value_of("{\"caf\\u00e9\":3}", "caf\xc3\xa9", v, sizeof(v)), "3");
    CHECK_EQ_STR(value_of("{\"caf\xc3\xa9\":4}", "caf\xc3\xa9", v, sizeof(v)), "4");
    CHECK_EQ_STR(value_of("{\"\\ud83d\\ude00\":5}", "\xf0\x9f\x98\x80", v, sizeof(v)), "5");
    CHECK_EQ_STR(value_of("{\"tab\\there\":6}", "tab\there", v, sizeof(v)), "6");
    CHECK_EQ_STR(value_of("{\"q\\\"\":7}", "q\"", v, sizeof(v)), "7");
    CHECK_EQ_STR(value_of("{\"b\\\\s\":8}", "b\\s", v, sizeof(v)), "8");
    /* Escaped keys match their decoding, at each length class of the word
     * compare. (Names never hold a backslash, so no key text with an escape
     * can equal one byte for byte.) */
    CHECK_EQ_INT(lookup("{\"\\n\":1}", "\n"), 2);
    CHECK_EQ_INT(lookup("{\"abcdefgh\\\\ijk\":1}", "abcdefgh\\ijk"), 2);
    CHECK_EQ_INT(lookup("{\"ab\\\\c\":1}", "ab\\c"), 2);
    CHECK_EQ_INT(lookup("{\"abcd\\\\e\":1}", "abcd\\e"), 2);
    CHECK_EQ_INT(lookup("{\"namx\":1,\"xame\":2,\"nbme\":3}", "name"), -1);
    CHECK_EQ_INT(lookup("{\"abcdefx\":1,\"abcxefg\":2}", "abcdefg"), -1);
    CHECK_EQ_INT(lookup("{\"abcdefg\":1}", "abcdefg"), 2);
    /* Near misses: prefixes, extensions, one byte off at either end, NULs. */
    CHECK_EQ_INT(lookup("{\"secrets\":1,\"secre\":2,\"Secret\":3,\"secreT\":4}", "secret"), -1);
    CHECK_EQ_INT(lookup("{\"secret\\u0000\":1}", "secret"), -1);
    CHECK_EQ_INT(lookup("{\"secr\\u0000t\":1}", "secret"), -1);
    CHECK_EQ_INT(lookup("{\"accessTokenIx\":1,\"xccessTokenId\":2,\"accessTokenI\":3}", "accessTokenId"), -1);
    CHECK_EQ_INT(lookup("{\"accessTokenIdd\":1,\"accessTokenId\":2}", "accessTokenId"), 4);
    CHECK_EQ_INT(lookup("{\"accessXokenId\":1}", "accessTokenId"), -1);
    /* Names of 8 to 16 bytes take two words, longer ones the word loop: a
     * byte off in every word, at both ends, and exact matches. */
    CHECK_EQ_INT(lookup("{\"abcdefgh\":1}", "abcdefgh"), 2);
    CHECK_EQ_INT(lookup("{\"abcdefgx\":1,\"xbcdefgh\":2}", "abcdefgh"), -1);
    CHECK_EQ_INT(lookup("{\"abcdefghijklmnop\":1}", "abcdefghijklmnop"), 2);
    CHECK_EQ_INT(lookup("{\"abcdefghijklmnoX\":1,\"abcdefgXijklmnop\":2}", "abcdefghijklmnop"), -1);
    CHECK_EQ_INT(lookup("{\"abcdefghijklmnopq\":1}", "abcdefghijklmnopq"), 2);
    CHECK_EQ_INT(lookup("{\"nextTokenIsVeryLongIndeed\":1}", "nextTokenIsVeryLongIndeed"), 2);
    CHECK_EQ_INT(lookup("{\"abcdefghijklmnopQ\":1,\"abcdefghXjklmnopq\":2,\"Xbcdefghijklmnopq\":3}",
                        "abcdefghijklmnopq"),
                 -1);
    CHECK_EQ_INT(lookup("{\"nextTokenIsVeryLongIndeeD\":1,\"nextTokenIsVeryXongIndeed\":2}",
                        "nextTokenIsVeryLongIndeed"),
                 -1);
    CHECK_EQ_INT(lookup("{\"\\ud800\":1,\"\\udc00x\":2}", "\xed\xa0\x80"), -1);
    CHECK_EQ_INT(lookup("{\"\":1}", ""), 2);
    CHECK_EQ_INT(lookup("{\"a\":1}", ""), -1);
    CHECK_EQ_INT(lookup("{\"\":1}", "a"), -1);

    /* Members out of the keys' order, unknown ones in between, many keys. */
    static const char many[] = "\2k0\2k1\2k2\2k3\2k4\2k5\2k6\2k7\2k8\2k9";
    const char *mix = "{\"k9\":9,\"x\":0,\"k3\":3,\"k0\":0,\"k7\":{\"k1\":1},\"k5\":5,\"k5\":55,\"k8\":8}";
    n = ccat_json_parse(mix, strlen(mix), t, MAXTOK);
    int at10[10];
    ccat_json_members(mix, t, n, 0, many, 10, at10);
    static const int want[10] = {8, -1, -1, 6, -1, 16, -1, 10, 18, 2};
    for (int k = 0; k < 10; k++) {
        CHECK_EQ_INT(at10[k], want[k]);
    }

    /* An inner object as obj. */
    const char *inner = "{\"o\":{\"name\":\"in\"},\"name\":\"out\"}";
    n = ccat_json_parse(inner, strlen(inner), t, MAXTOK);
    ccat_json_members(inner, t, n, 2, keys, 4, at);
    CHECK_EQ_INT(at[1], 4);
}

/* ---- decoding ------------------------------------------------------------- */

/* Decodes the JSON string literal lit; returns the status, out gets the bytes. */
static ccat_status_t decode(const char *lit, char *out, size_t cap, size_t *len)
{
    size_t n = strlen(lit);
    char *buf = malloc(n + 1);
    memcpy(buf, lit, n);
    jsmntok_t t;
    int r = ccat_json_parse(buf, n, &t, 1);
    ccat_status_t st = CCAT_ERR_JSON_SYNTAX;
    *len = 0;
    if (r == 1) {
        st = ccat_json_string_decode(buf, &t, len);
        if (st == CCAT_OK) {
            CHECK_EQ_INT(buf[t.start + *len], 0);
            if (*len < cap) {
                memcpy(out, buf + t.start, *len + 1);
            }
        }
    }
    free(buf);
    return st;
}

static void check_decodes(const char *lit, const char *want, size_t want_len)
{
    char out[256];
    size_t len;
    ccat_status_t st = decode(lit, out, sizeof(out), &len);
    CHECK_EQ_INT(st, CCAT_OK);
    CHECK_EQ_INT(len, want_len);
    if (st == CCAT_OK && len == want_len && memcmp(out, want, len) != 0) {
        fprintf(stderr, "decoding %s gave other bytes\n", lit);
        CHECK(0);
    }
}

#define CHECK_DECODES(lit, want) check_decodes(lit, want, sizeof(want) - 1)

static void check_refused(const char *lit)
{
    char out[256];
    size_t len;
    ccat_status_t st = decode(lit, out, sizeof(out), &len);
    if (st != CCAT_ERR_JSON_STRING) {
        fprintf(stderr, "decoding %s gave %d\n", lit, st);
    }
    CHECK_EQ_INT(st, CCAT_ERR_JSON_STRING);
}

static void test_decode(void)
{
    CHECK_DECODES("\"\"", "");
    CHECK_DECODES("\"plain\"", "plain");
    CHECK_DECODES("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t");
    CHECK_DECODES("\"\\u0041\\u00e9\\u20AC\\uFFFF\\u07ff\\u0800\"", "A\xc3\xa9\xe2\x82\xac\xef\xbf\xbf\xdf\xbf\xe0\xa0\x80");
    CHECK_DECODES("\"\\u0001\\u001f\\u007f\\u0080\"", "\x01\x1f\x7f\xc2\x80");
    CHECK_DECODES("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80");
    CHECK_DECODES("\"\\uD800\\uDC00\"", "\xf0\x90\x80\x80");
    CHECK_DECODES("\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf");
    CHECK_DECODES("\"a\\ud834\\udd1eb\"", "a\xf0\x9d\x84\x9e" "b");
    CHECK_DECODES("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\xef\xbf\xbf\"",
                  "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\xef\xbf\xbf");
    CHECK_DECODES("\"\x7f del\"", "\x7f del");
    /* Lone, reversed, or broken surrogates; U+0000. */
    check_refused("\"\\ud800\"");
    check_refused("\"\\ud800x\"");
    check_refused("\"\\ud800\\n\"");
    check_refused("\"\\ud800\\u0041\"");
    check_refused("\"\\ud800\\ud800\"");
    check_refused("\"\\udbff\\ue000\"");
    check_refused("\"\\udc00\"");
    check_refused("\"\\udfff\\ud800\"");
    check_refused("\"\\ude00\\ud83d\"");
    check_refused("\"ab\\ud83d\"");
    check_refused("\"\\u0000\"");
    check_refused("\"a\\u0000b\"");
    /* Invalid UTF-8: overlongs, surrogates, beyond U+10FFFF, bad or cut sequences. */
    static const char *const bad_utf8[] = {
        "\"\xc0\x80\"", "\"\xc1\xbf\"", "\"\xe0\x80\x80\"", "\"\xe0\x9f\xbf\"", "\"\xf0\x80\x80\x80\"",
        "\"\xf0\x8f\xbf\xbf\"", "\"\xed\xa0\x80\"", "\"\xed\xbf\xbf\"", "\"\xf4\x90\x80\x80\"",
        "\"\xf5\x80\x80\x80\"", "\"\xf8\x88\x80\x80\x80\"", "\"\xfc\x84\x80\x80\x80\x80\"", "\"\xfe\"",
        "\"\xff\"", "\"\x80\"", "\"\xbf\"", "\"a\x80z\"", "\"\xc3\"", "\"\xe2\x82\"", "\"\xf0\x9f\x98\"",
        "\"\xc3x\"", "\"\xe2\x82x\"", "\"\xf0\x9f\x98x\"", "\"\xc3\xc3\xa9\"", "\"\xe2\xe2\x82\xac\""};
    for (size_t i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
        check_refused(bad_utf8[i]);
    }

    /* Every length across the word and vector boundaries, with an escape or
     * a multi-byte character at every position. */
    char lit[128], want[128] = {0};
    for (int len = 0; len < 60; len++) {
        for (int at = -1; at < len; at++) {
            int o = 0, w = 0;
            lit[o++] = '"';
            for (int i = 0; i < len; i++) {
                if (i == at && len % 3 == 0) {
                    memcpy(lit + o, "\\n", 2);
                    o += 2;
                    want[w++] = '\n';
                } else if (i == at && len % 3 == 1) {
                    memcpy(lit + o, "\\u00e9", 6);
                    o += 6;
                    want[w++] = '\xc3';
                    want[w++] = '\xa9';
                } else if (i == at) {
                    memcpy(lit + o, "\xe2\x82\xac", 3);
                    o += 3;
                    memcpy(want + w, "\xe2\x82\xac", 3);
                    w += 3;
                } else {
                    lit[o++] = (char)('a' + i % 26);
                    want[w++] = (char)('a' + i % 26);
                }
            }
            lit[o++] = '"';
            lit[o] = '\0';
            check_decodes(lit, want, (size_t)w);
            if (at >= 0) { /* the same with a broken byte there */
                lit[1 + at] = '\xff';
                check_refused(lit);
            }
        }
    }

    /* Not a string token; a token whose text holds a raw control character. */
    char js[] = "[1,\"a\tb\"]";
    jsmntok_t t = {JSMN_PRIMITIVE, 1, 2, 0, 0};
    size_t len = 99;
    CHECK_EQ_INT(ccat_json_string_decode(js, &t, &len), CCAT_ERR_JSON_STRING);
    jsmntok_t raw = {JSMN_STRING, 4, 7, 0, 0};
    CHECK_EQ_INT(ccat_json_string_decode(js, &raw, &len), CCAT_ERR_JSON_STRING);
    jsmntok_t backwards = {JSMN_STRING, 5, 4, 0, 0};
    CHECK_EQ_INT(ccat_json_string_decode(js, &backwards, &len), CCAT_ERR_JSON_STRING);

    /* Decoding one member leaves the others intact. */
    char two[] = "{\"a\":\"x\\ny\",\"b\":\"z\"}";
    jsmntok_t tk[8];
    CHECK_EQ_INT(ccat_json_parse(two, strlen(two), tk, 8), 5);
    CHECK_EQ_INT(ccat_json_string_decode(two, &tk[2], &len), CCAT_OK);
    CHECK_EQ_INT(len, 3);
    CHECK_EQ_STR(two + tk[2].start, "x\ny");
    CHECK_EQ_INT(ccat_json_string_decode(two, &tk[4], &len), CCAT_OK);
    CHECK_EQ_STR(two + tk[4].start, "z");
    CHECK_EQ_INT(ccat_json_string_decode(two, &tk[3], &len), CCAT_OK);
    CHECK_EQ_STR(two + tk[3].start, "b");
}

/* ---- UTF-8 counting ------------------------------------------------------- */

static void test_utf8_count(void)
{
    CHECK_EQ_INT(ccat_utf8_count("", 0), 0);
    CHECK_EQ_INT(ccat_utf8_count("abc", 3), 3);
    CHECK_EQ_INT(ccat_utf8_count("\xc3\xa9", 2), 1);
    CHECK_EQ_INT(ccat_utf8_count("\xe2\x82\xac", 3), 1);
    CHECK_EQ_INT(ccat_utf8_count("\xf0\x9f\x98\x80", 4), 1);
    CHECK_EQ_INT(ccat_utf8_count("a\xc3\xa9z\xf0\x9f\x98\x80!", 9), 5);
    CHECK_EQ_INT(ccat_utf8_count("\x7f\n\t\"\\", 5), 5); /* valid UTF-8, counted */
    CHECK_EQ_INT(ccat_utf8_count("\xef\xbf\xbf\xf4\x8f\xbf\xbf\xee\x80\x80", 10), 3);
    CHECK_EQ_INT(ccat_utf8_count("a\0b", 3), -1);
    CHECK_EQ_INT(ccat_utf8_count("\0", 1), -1);
    CHECK_EQ_INT(ccat_utf8_count("abc", 2), 2); /* n bytes, not up to a NUL */
    static const char *const bad[] = {"\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf",
                                      "\xf0\x8f\xbf\xbf", "\xed\xa0\x80", "\xed\xbf\xbf",
                                      "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\x80", "\xc3",
                                      "\xe2\x82", "\xf0\x9f\x98", "\xc3x", "\xe2x\xac"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_EQ_INT(ccat_utf8_count(bad[i], strlen(bad[i])), -1);
    }
    /* 100 code points of each width, and a bad byte at every position. */
    char buf[400];
    static const char *const ch[4] = {"a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    for (size_t w = 1; w <= 4; w++) {
        for (int i = 0; i < 100; i++) {
            memcpy(buf + (size_t)i * w, ch[w - 1], w);
        }
        CHECK_EQ_INT(ccat_utf8_count(buf, 100 * w), 100);
        CHECK_EQ_INT(ccat_utf8_count(buf, 100 * w - (w > 1)), w > 1 ? -1 : 100);
    }
    for (int at = 0; at < 40; at++) {
        memset(buf, 'x', 40);
        buf[at] = '\x80';
        CHECK_EQ_INT(ccat_utf8_count(buf, 40), -1);
        buf[at] = '\0';
        CHECK_EQ_INT(ccat_utf8_count(buf, 40), -1);
        buf[at] = '\x1f';
        CHECK_EQ_INT(ccat_utf8_count(buf, 40), 40);
    }
}

/* ---- escaping -------------------------------------------------------------- */

static void check_escape(const char *s, size_t n, const char *want)
{
    char out[256];
    size_t len = ccat_json_escape(out, sizeof(out), s, n);
    CHECK_EQ_INT(len, strlen(want));
    out[len < sizeof(out) ? len : 0] = '\0';
    CHECK_EQ_STR(out, want);
    /* Exactly enough room works; one byte less gives 0 and nothing more. */
    char *tight = malloc(strlen(want));
    CHECK_EQ_INT(ccat_json_escape(tight, strlen(want), s, n), strlen(want));
    CHECK(memcmp(tight, want, strlen(want)) == 0);
    CHECK_EQ_INT(ccat_json_escape(tight, strlen(want) - 1, s, n), 0);
    free(tight);
}

static void test_escape(void)
{
    /* Every C0 control, as Python's json.dumps (and so botocore) writes it. */
    for (int c = 0; c < 0x20; c++) {
        char in[1] = {(char)c}, want[16];
        const char *shorts = c == '\b' ? "\\b" : c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\f' ? "\\f"
                             : c == '\r' ? "\\r" : NULL;
        if (shorts != NULL) {
            snprintf(want, sizeof(want), "\"%s\"", shorts);
        } else {
            snprintf(want, sizeof(want), "\"\\u%04x\"", c);
        }
        check_escape(in, 1, want);
    }
    check_escape("\"", 1, "\"\\\"\"");
    check_escape("\\", 1, "\"\\\\\"");
    check_escape("/", 1, "\"/\"");
    check_escape("\x7f", 1, "\"\\u007f\"");
    check_escape("", 0, "\"\"");
    check_escape("device-42", 9, "\"device-42\"");
    check_escape("caf\xc3\xa9 \xf0\x9f\x98\x80", 10, "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
    check_escape("a\"b\\c\nd\x01" "e\x1f", 10, "\"a\\\"b\\\\c\\nd\\u0001e\\u001f\"");
    check_escape("tab\there", 8, "\"tab\\there\"");
    check_escape("0123456789abcdefghijklmnopqrstuvwxyz!\x10", 38,
                 "\"0123456789abcdefghijklmnopqrstuvwxyz!\\u0010\"");

    char out[8];
    CHECK_EQ_INT(ccat_json_escape(out, 0, "", 0), 0);
    CHECK_EQ_INT(ccat_json_escape(out, 1, "", 0), 0);
    CHECK_EQ_INT(ccat_json_escape(out, 2, "", 0), 2);
    CHECK_EQ_INT(ccat_json_escape(out, 2, "a", 1), 0);
    CHECK_EQ_INT(ccat_json_escape(out, 3, "a", 1), 3);
    CHECK_EQ_INT(ccat_json_escape(NULL, 8, "a", 1), 0);

    /* The word-at-a-time copy: every byte value at every offset of a
     * 27-byte text (three words and a tail, 32- and 64-bit), with room for
     * exactly the result and for one byte less, against a byte-by-byte model. */
    int same = 1;
    for (int pos = 0; pos < 27; pos++) {
        for (int c = 1; c < 0x100; c++) {
            char in[27], want[40], got[40];
            memset(in, 'a', sizeof(in));
            in[pos] = (char)c;
            int esc = c < 0x20 || c == '"' || c == '\\' || c == 0x7f;
            size_t wl = (size_t)snprintf(want, sizeof(want), "\"%.*s", pos, in);
            if (!esc) {
                want[wl++] = (char)c;
            } else if (c == '"' || c == '\\') {
                want[wl++] = '\\', want[wl++] = (char)c;
            } else {
                char e[8];
                const char *sh = c == '\b' ? "\\b" : c == '\t' ? "\\t" : c == '\n' ? "\\n"
                                 : c == '\f' ? "\\f" : c == '\r' ? "\\r" : NULL;
                snprintf(e, sizeof(e), "\\u%04x", c);
                memcpy(want + wl, sh ? sh : e, strlen(sh ? sh : e));
                wl += strlen(sh ? sh : e);
            }
            memset(want + wl, 'a', 26 - (size_t)pos);
            wl += 26 - (size_t)pos;
            want[wl++] = '"';
            same &= ccat_json_escape(got, wl, in, sizeof(in)) == wl && memcmp(got, want, wl) == 0;
            same &= ccat_json_escape(got, wl - 1, in, sizeof(in)) == 0;
        }
    }
    CHECK(same);

    /* Whatever is escaped parses back as one string decoding to the input. */
    for (int c = 1; c < 0x80; c++) {
        char in[3] = {'x', (char)c, 'y'}, buf[32];
        size_t n = ccat_json_escape(buf, sizeof(buf), in, 3);
        jsmntok_t t;
        size_t len;
        CHECK_EQ_INT(ccat_json_parse(buf, n, &t, 1), 1);
        CHECK_EQ_INT(ccat_json_string_decode(buf, &t, &len), CCAT_OK);
        CHECK(len == 3 && memcmp(buf + t.start, in, 3) == 0);
    }
}

/* ---- the plain-text report (-O2) ----------------------------------------- */

#ifndef __OPTIMIZE_SIZE__
/* Does this build's json.c look at plainness (its x86-64 SSE2 scan)? */
#if defined(__GNUC__) && defined(__SSE2__) && !defined(CCAT_JSON_SCAN_WORDS) && \
    !defined(CCAT_JSON_SCAN_PORTABLE)
#define PLAIN_SEEN 1
#else
#define PLAIN_SEEN 0
#endif

/* {"a":"xx..."} of every length from 8 to 220 bytes: plain when all of it
 * is printable ASCII; a '\\' escape, a non-ASCII letter or a control byte in
 * any 16-byte lane (first, middle, last, the overlapping tail) makes it not
 * plain, and the result is always the one ccat_json_parse() gives. */
static void test_parse_plain(void)
{
    char js[232];
    jsmntok_t t1[8], t2[8];
    for (size_t len = 10; len <= 220; len++) {
        memset(js, 'x', len);
        memcpy(js, "{\"a\":\"", 6);
        memcpy(js + len - 2, "\"}", 2);
        int plain = -1;
        int n = ccat_json_parse_plain(js, len, t1, 8, &plain);
        CHECK_EQ_INT(n, 3);
        CHECK_EQ_INT(plain, len >= 16 && PLAIN_SEEN);
        /* Bytes at every position of the string's text: special ones (an
         * escape, non-ASCII, controls) make the text not plain; DEL, '[',
         * ']' and ' ' (neighbours of the special ranges) do not. */
        static const struct {
            const char *bytes;
            int n, plain; /* the result; plain if the plain text is reported plain */
        } cases[] = {{"\\n", 3, 0},     {"\xc3\xa9", 3, 0}, {"\x80", 3, 0},
                     {"\xff", 3, 0},     {"\x01", CCAT_ERR_JSON_SYNTAX, 0},
                     {"\x1f", CCAT_ERR_JSON_SYNTAX, 0},
                     {"\x7f", 3, 1},     {"[", 3, 1},          {"]", 3, 1},
                     {" ", 3, 1},         {"~", 3, 1}};
        for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
            size_t w = strlen(cases[k].bytes);
            for (size_t at = 6; at + w <= len - 2; at++) {
                memset(js + 6, 'x', len - 8);
                memcpy(js + at, cases[k].bytes, w);
                plain = -1;
                n = ccat_json_parse_plain(js, len, t1, 8, &plain);
                CHECK_EQ_INT(n, ccat_json_parse(js, len, t2, 8));
                CHECK_EQ_INT(n, cases[k].n);
                CHECK_EQ_INT(plain, cases[k].plain && len >= 16 && PLAIN_SEEN);
            }
            memset(js + 6, 'x', len - 8);
        }
    }
}
#endif

int main(void)
{
    test_token_layout();
    test_token_limits();
    test_nul_and_length();
    test_whitespace();
    test_every_separator();
    test_numbers();
    test_literals();
    test_strings();
    test_structure();
    test_flat_mutations();
    test_short_texts();
    test_members();
    test_decode();
    test_utf8_count();
    test_escape();
#ifndef __OPTIMIZE_SIZE__
    test_parse_plain();
#endif
    return test_summary("json_unit");
}
