/**
 * @file json.c
 * @brief Internal: strict RFC 8259 JSON on top of jsmn, and JSON string coding.
 *
 * jsmn (Debian's libjsmn-dev; parent links, not strict, see json.h) makes
 * the tokens; it is compiled here and only here, with JSMN_STATIC so that
 * the library exports no jsmn symbol an application with its own jsmn could
 * collide with. jsmn checks brackets and escapes, little else: it lets
 * through missing or extra separators, keys and values out of turn, any
 * unquoted word as a primitive, raw control characters in strings, several
 * roots, and it stops at a NUL byte. So one iterative walk over the text
 * then checks every byte between the tokens, every primitive's grammar and
 * every string's text.
 *
 * One decoder of a code point (an escape or UTF-8) serves string decoding,
 * key comparison and UTF-8 counting.
 *
 * -O2 builds (not -Os, where size counts) add fast paths, each only ever
 * accepting what the general code accepts: strings are scanned a machine
 * word at a time (a word of printable ASCII without '\\' needs no
 * byte-by-byte look), the shape services send (one flat object, no
 * whitespace) is checked pair by pair before the general walk is tried, and
 * on x86-64 a text found plain in its one SSE2 pass is reported so
 * (ccat_json_parse_plain()) that its strings need no decoding.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

/* jsmn's code goes into this file only, as static functions. */
#define JSMN_IMPLEMENTATION_HERE
#define JSMN_STATIC
#include "hints.h"
#include "json.h"

#ifndef __OPTIMIZE_SIZE__
typedef size_t word_t;
#define W_SIZE sizeof(word_t)
#define W_ONES ((word_t)-1 / 255u) /* 0x0101...01 */
#define W_HIGHS (W_ONES * 0x80u)   /* 0x8080...80 */

/* Nonzero when a byte of w is < 0x20, '\\', or >= 0x80. Exact as a
 * boolean: a subtraction only borrows out of a byte that is itself a hit. */
static word_t special_bytes(word_t w)
{
    return ((w - W_ONES * 0x20u) | ((w ^ (W_ONES * '\\')) - W_ONES) | w) & W_HIGHS;
}

/* Unaligned load; compilers make it one instruction. */
static word_t load_word(const char *p)
{
    word_t w;
    memcpy(&w, p, W_SIZE);
    return w;
}

/*
 * Scan variants: SSE2 (x86-64), words with a trailing-zero count (other
 * little-endian targets with GCC or clang), portable words. The tests build
 * the last two on the host too, with CCAT_JSON_SCAN_WORDS and
 * CCAT_JSON_SCAN_PORTABLE.
 */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    !defined(CCAT_JSON_SCAN_PORTABLE)
#define FIRST_HIT(m) ((size_t)__builtin_ctzl((unsigned long)(m)) / 8u)
#if defined(__SSE2__) && !defined(CCAT_JSON_SCAN_WORDS)
#define SCAN_SSE2
#include <emmintrin.h>
#endif
#endif

/* The scan is the hot loop: inline it where SSE2 makes it short (x86-64,
 * where size is no concern), keep one copy elsewhere (Cortex-M: -Os). */
#ifdef SCAN_SSE2
#define SCAN_INLINE inline __attribute__((always_inline))
#else
#define SCAN_INLINE
#endif

/*
 * First byte in [p, e) that special_bytes() flags, or e. On little-endian
 * targets the lowest flagged byte of a word is always a true hit (borrows
 * run towards higher addresses only), so the trailing zero count finds it,
 * and a short tail is one more word ending at e; elsewhere the rest is
 * looked at byte by byte.
 */
static SCAN_INLINE const char *plain_end(const char *p, const char *e)
{
#ifdef SCAN_SSE2
    /* x86-64: the same test on 16 bytes at once (signed: >= 0x80 is < 0x20). */
    if ((size_t)(e - p) >= 16) {
        const __m128i bslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
        const char *const last = e - 16;
        for (;;) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
            __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, bslash), _mm_cmplt_epi8(v, space));
            unsigned m = (unsigned)_mm_movemask_epi8(hit);
            if (m != 0) {
                return p + __builtin_ctz(m);
            }
            if (p == last) {
                return e;
            }
            p += 16;
            p = p > last ? last : p; /* overlaps bytes already known to be plain */
        }
    }
#endif
#ifdef FIRST_HIT
    if ((size_t)(e - p) >= W_SIZE) {
        for (;;) {
            word_t m = special_bytes(load_word(p));
            if (m != 0) {
                return p + FIRST_HIT(m);
            }
            p += W_SIZE;
            size_t left = (size_t)(e - p);
            if (left < W_SIZE) {
                if (left == 0) {
                    return e;
                }
                p = e - W_SIZE; /* overlaps bytes already known to be plain */
            }
        }
    }
#else
    for (; (size_t)(e - p) >= W_SIZE && !special_bytes(load_word(p)); p += W_SIZE) {
    }
#endif
    for (; p < e; p++) {
        unsigned c = (unsigned char)*p;
        if (c < 0x20 || c == '\\' || c >= 0x80) {
            break;
        }
    }
    return p;
}

#ifdef SCAN_SSE2
/* Is every byte of js[0..len) printable ASCII (or DEL) other than '\\'? Then
 * no string of the text needs a look of its own: one pass over the whole
 * text is cheaper than one per string. Texts under 16 bytes say no. */
/*
 * Running extremes of the bytes seen: the largest, the smallest, and the
 * smallest XOR '\\' (0 only for a backslash). Three instructions a vector,
 * where compares need five (SSE2 compares overwrite an operand).
 */
#define EXTREMES_ADD(p)                                                       \
    do {                                                                      \
        __m128i v_ = _mm_loadu_si128((const __m128i *)(const void *)(p));     \
        mx = _mm_max_epu8(mx, v_);                                            \
        mn = _mm_min_epu8(mn, v_);                                            \
        mn_bs = _mm_min_epu8(mn_bs, _mm_xor_si128(v_, bslash));               \
    } while (0)
#define EXTREMES_ADD64(p)                                                     \
    do {                                                                      \
        EXTREMES_ADD(p);                                                      \
        EXTREMES_ADD((p) + 16);                                               \
        EXTREMES_ADD((p) + 32);                                               \
        EXTREMES_ADD((p) + 48);                                               \
    } while (0)

static CCAT_NOINLINE int all_plain(const char *js, size_t len)
{
    if (len < 16) {
        return 0;
    }
    const __m128i bslash = _mm_set1_epi8('\\');
    __m128i mx = _mm_setzero_si128(), mn = _mm_set1_epi8(-1), mn_bs = mn;
    const char *p = js, *const end = js + len;
    if (len >= 64) { /* 64 bytes a round, the last 64 overlapping bytes seen */
        for (; end - p > 64; p += 64) {
            EXTREMES_ADD64(p);
        }
        EXTREMES_ADD64(end - 64);
    } else { /* the same 16 at a time */
        for (; end - p > 16; p += 16) {
            EXTREMES_ADD(p);
        }
        EXTREMES_ADD(end - 16);
    }
    /* Plain: no byte >= 0x80 (mx), < 0x20 (mn; a signed compare, right
     * once mx shows no high bit), or a backslash (mn_bs == 0). */
    __m128i bad = _mm_or_si128(_mm_cmplt_epi8(mn, _mm_set1_epi8(0x20)),
                               _mm_cmpeq_epi8(mn_bs, _mm_setzero_si128()));
    return _mm_movemask_epi8(_mm_or_si128(bad, mx)) == 0;
}
#undef EXTREMES_ADD64
#undef EXTREMES_ADD
#endif
#endif /* !__OPTIMIZE_SIZE__ */

/* ---- one code point --------------------------------------------------------- */

/* Value of the 4 hex digits at p (4 bytes there), or 0 when there are
 * none: U+0000 is refused all the same. */
static uint32_t hex4(const char *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = (unsigned char)p[i], d = c - '0';
        if (d > 9) {
            d = (c | 0x20u) - 'a' + 10; /* below 'a': wraps around, refused */
            if (d - 10 > 5) {
                return 0;
            }
        }
        v = v << 4 | d;
    }
    return v;
}

/* The continuation bytes a UTF-8 lead byte c (0x80..0xFF) announces, when
 * it is one (0xC2..0xF4): its leading ones less one. With GCC or clang one
 * clz (the complement of c << 24 is never 0), smaller than the compares;
 * the value for a byte that is no lead is never used. */
#if defined(__GNUC__)
#define CONT_BYTES(c) ((unsigned)__builtin_clz(~((unsigned)(c) << 24)) - 1u)
#else
#define CONT_BYTES(c) (1u + ((c) >= 0xE0) + ((c) >= 0xF0))
#endif

/*
 * Decodes the code point at s (s < e) into *cp; returns the byte after it,
 * or NULL. UTF-8 must be valid: no overlongs, no UTF-16 surrogates, nothing
 * above U+10FFFF, nothing cut short. U+0000 is refused. In JSON string text
 * (esc) a '\\' starts an escape, a surrogate pair giving one code point
 * (lone or reversed halves are refused), and a raw control character is an
 * error; elsewhere (!esc) both are plain characters.
 */
static CCAT_NOINLINE const char *next_cp(const char *s, const char *e, uint32_t *cp, int esc)
{
    /* Each escape letter, then what it stands for. */
    static const char pairs[16] = {'"', '"', '\\', '\\', '/', '/', 'b', '\b',
                                   'f', '\f', 'n', '\n', 'r', '\r', 't', '\t'};
    uint32_t c = (unsigned char)*s++;
    if (c >= 0x80) {
        const unsigned n = CONT_BYTES(c); /* continuation bytes */
        if (c < 0xC2 || c > 0xF4 || (size_t)(e - s) < n) {
            return NULL;
        }
        c &= 0x3Fu >> n;
        for (unsigned i = 0; i < n; i++) {
            unsigned b = (unsigned char)*s++;
            if ((b & 0xC0) != 0x80) {
                return NULL;
            }
            c = c << 6 | (b & 0x3F);
        }
        /* The smallest code point that needs n + 1 bytes is 2^(5n+1) for n = 2, 3. */
        if ((c >> (5 * n + 1)) == 0 || c - 0xD800 < 0x800 || c > 0x10FFFF) {
            return NULL;
        }
    } else if (c < (esc ? 0x20u : 1u)) {
        return NULL; /* U+0000, or a raw control character in string text */
    } else if (esc && c == '\\') {
        if (s == e) {
            return NULL;
        }
        c = (unsigned char)*s++;
        if (c == 'u') {
            if (e - s < 4 || (c = hex4(s)) == 0) {
                return NULL; /* no 4 hex digits (or U+0000) */
            }
            s += 4;
            if (c - 0xD800 < 0x800) { /* a surrogate: a first half, the second must follow */
                uint32_t lo;
                uint16_t bu, lit;
                memcpy(&lit, "\\u", 2); /* both bytes in one compare (a constant, folded) */
                if (c >= 0xDC00 || e - s < 6 || (memcpy(&bu, s, 2), bu != lit) ||
                    (lo = hex4(s + 2)) - 0xDC00 >= 0x400) {
                    return NULL;
                }
                s += 6;
                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
            }
        } else {
            int i = 0;
            while (pairs[i] != (char)c) {
                if ((i += 2) == 16) {
                    return NULL;
                }
            }
            c = (unsigned char)pairs[i + 1];
        }
    }
    *cp = c;
    return s;
}

/* Writes cp (at most U+10FFFF) as UTF-8 at d; returns its length. */
static size_t put_utf8(char *d, uint32_t cp)
{
    size_t n = 1;
    if (cp >= 0x80) {
        n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        for (size_t i = n - 1; i > 0; i--) {
            d[i] = (char)(0x80 | (cp & 0x3F));
            cp >>= 6;
        }
        cp |= 0xF00u >> n; /* lead byte 0xC0, 0xE0 or 0xF0 */
    }
    d[0] = (char)cp;
    return n;
}

/* ---- checks on top of jsmn ------------------------------------------------ */

/* Inline at -O2 (its callers' loops keep their registers), one copy at -Os. */
#ifndef __OPTIMIZE_SIZE__
#define PRIMITIVE_INLINE CCAT_HOT_INLINE
#else
#define PRIMITIVE_INLINE CCAT_SMALL_NOINLINE
#endif

/* RFC 8259 whitespace only: space, tab, LF, CR. */
static int is_ws(unsigned c)
{
    return c == ' ' || (c < 14 && (0x2600u >> c & 1u)); /* bits 9, 10, 13 */
}

/*
 * Does the text [s, e) of a string hold no raw control character? That is
 * all jsmn leaves unchecked in a string: it refuses any other escape than
 * the RFC's, and \u without 4 hex digits. Surrogate pairing, U+0000 and
 * UTF-8 are the decoder's business.
 */
static int string_ok(const char *s, const char *e)
{
    for (; s < e; s++) {
#ifndef __OPTIMIZE_SIZE__
        if ((s = plain_end(s, e)) == e) {
            break;
        }
#endif
        if ((unsigned char)*s < 0x20) {
            return 0;
        }
    }
    return 1;
}

#ifdef __OPTIMIZE_SIZE__
/* Are the 4 bytes of w the first 4 of lit? (A constant, once folded.) */
static int word_is(uint32_t w, const char *lit)
{
    uint32_t l;
    memcpy(&l, lit, 4);
    return w == l;
}
#endif

/* Is [s, e) (s < e) exactly a number or a literal? */
static PRIMITIVE_INLINE int primitive_ok(const char *s, const char *e)
{
    /*
     * -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)? as a state machine:
     * state 0 the start, 1 after '-', 2 after a leading '0', 3 in the integer
     * digits, 4 after '.', 5 in the fraction, 6 after 'e', 7 after its sign,
     * 8 in the exponent; 2, 3, 5 and 8 may end the number. Each row: the
     * next state (9: refused) on '+', ',' (never), '-', '.', '/' (never),
     * '0', '1'-'9', 'e' or 'E', a hex digit each from the lowest.
     */
    static const uint32_t next[9] = {0x93299199, 0x93299999, 0x69994999, 0x63394999, 0x95599999,
                                     0x65599999, 0x98899797, 0x98899999, 0x98899999};
#ifdef __OPTIMIZE_SIZE__
    /* "true", "null", "false": the first 4 bytes as one word (no table, no
     * memcmp()); the number grammar refuses any other text that starts
     * with a letter. */
    const size_t n = (size_t)(e - s);
    uint32_t w;
    if (n - 4 < 2) {
        memcpy(&w, s, 4);
        if (n == 4 ? word_is(w, "true") || word_is(w, "null") : word_is(w, "fals") && s[4] == 'e') {
            return 1;
        }
    }
#else
    /* -O2: the same by memcmp(), whose call keeps GCC's registers in parse()
     * (jsmn's loop, this inlined there) as they are (words: +7 instructions
     * an exchange). Each literal's offset and length in lits. */
    static const char lits[] = "true" "false" "null";
    const unsigned at = *s == 't' ? 0x04u : *s == 'f' ? 0x45u : *s == 'n' ? 0x94u : 0;
    if (at != 0) {
        return (size_t)(e - s) == (at & 15u) && memcmp(s, lits + (at >> 4), at & 15u) == 0;
    }
#endif
    unsigned state = 0;
    for (; s < e; s++) {
        const unsigned c = (unsigned char)*s;
        /* The column ('+' to '0' are neighbours); 8: none. */
        const unsigned k = c - '+' < 6u ? c - '+' : c - '1' < 9u ? 6 : (c | 0x20) == 'e' ? 7 : 8;
        if (k == 8 || (state = next[state] >> 4 * k & 15) == 9) {
            return 0;
        }
    }
    return (0x12Cu >> state) & 1;
}

/* Only x86-64's SSE2 scan ever finds a text plain (see tokens_ok()). */
#ifdef SCAN_SSE2
#define FOUND_PLAIN(plain) (plain)
#else
#define FOUND_PLAIN(plain) ((void)(plain), 0)
#endif

/* The walk's classes: what comes next (a bit each). KEY and VALUE are
 * JSMN_OBJECT and JSMN_ARRAY doubled: what comes first in each container. */
enum { ROOT = 1, KEY = 2 * JSMN_OBJECT, VALUE = 2 * JSMN_ARRAY, COLON = 8, COMMA = 16, CLOSE = 32, END = 64 };

/*
 * Is js[0..len) exactly the JSON text that jsmn's n tokens describe (not
 * 0: yes; END rather than 1, which saves a compare)? One walk over the
 * bytes: each byte outside the tokens is whitespace, a ':', a ',' or a
 * closing bracket, and any other is the first byte of the next token (a
 * string's opening quote, a container's opening bracket); every
 * primitive has the grammar's form and no string a raw control character.
 * RFC 8259's grammar is then a rule on neighbours: what may come after what
 * (ok: the classes allowed after what came last). That needs to know
 * whether a token is a key or a value, and jsmn's parent links tell: jsmn
 * links a token to the innermost open container, or to the key before a
 * ':' (on a ',' it moves back up from the key). So a string linked to an
 * object is a key; a token linked to an array or a key is a value; the root
 * is linked to nothing; anything else linked to an object is not JSON (jsmn
 * takes `{1:2}`). While the text
 * walked is a valid beginning of JSON, jsmn's tokens and links up to there
 * are those of that JSON (it is a one-pass tokenizer), so the first wrong
 * neighbour is always seen. jsmn itself makes sure brackets match (type and
 * nesting), that none closes at the root and that none is left open. No
 * counts, no stack: no recursion, no depth limit.
 */
static CCAT_NOINLINE int
tokens_match(const char *js, size_t len, const jsmntok_t *toks, int n, int plain)
{
    unsigned ok = ROOT; /* the classes allowed next */
    const jsmntok_t *t = toks, *const t_end = toks + n;
    for (size_t p = 0; p < len; p++) {
        unsigned cls, next = COMMA | CLOSE | END; /* next: what may follow (here: a value) */
        const unsigned c = (unsigned char)js[p];
        if (is_ws(c)) {
            continue;
        } else if (c == ',') {
            cls = COMMA;
            next = KEY | VALUE;
        } else if (c == ':') {
            cls = COLON;
            next = VALUE;
        } else if (c == ']' || c == '}') {
            cls = CLOSE;
        } else {
            if (t == t_end) {
                return 0;
            }
            const int str = t->type == JSMN_STRING;
            if ((size_t)t->start - (size_t)str != p) {
                return 0;
            }
            cls = VALUE;
            if (t->parent < 0) {
                cls = ROOT;
            } else if (toks[t->parent].type == JSMN_OBJECT) {
                if (!str) {
                    return 0; /* not JSON: jsmn takes `{1:2}` */
                }
                cls = KEY;
                next = COLON;
            }
            if (t->type <= JSMN_ARRAY) { /* (jsmn gives every token a type) */
                next = 2 * t->type | CLOSE; /* opened: its first key or value, or its end */
            }
            if (str) {
                if (!FOUND_PLAIN(plain) && !string_ok(js + t->start, js + t->end)) {
                    return 0;
                }
                p = (size_t)t->end; /* the closing quote */
            } else if (t->type == JSMN_PRIMITIVE) {
                if (!primitive_ok(js + p, js + t->end)) {
                    return 0;
                }
                p = (size_t)t->end - 1;
            }
            t++;
        }
        if ((ok & cls) == 0) {
            return 0;
        }
        ok = next;
    }
    return t == t_end ? (int)(ok & END) : 0; /* every token seen, the text ends where a value may end */
}

#ifndef __OPTIMIZE_SIZE__
/*
 * -O2 fast path for the shape services send: one flat object whose members
 * are strings or primitives, without any whitespace. 1: js[0..len) is
 * exactly that, and valid JSON matching the n tokens (the same checks as
 * tokens_match() for this shape); 0: not shown, and tokens_match() decides
 * (a 0 is never an error by itself). Where size counts (-Os) the general
 * walk alone does it.
 *
 * Only the bytes between the tokens need a look: jsmn put every string
 * token between its two quotes, so tokens that follow each other with
 * nothing but the one ':' or ',' between them leave no byte unaccounted
 * for, and a text of that shape is a flat object whose tokens and parent
 * links jsmn made in the one way it can.
 */
static CCAT_HOT_INLINE int
flat_pairs_ok(const char *js, size_t len, const jsmntok_t *k, const jsmntok_t *last, int plain)
{
    size_t p = 2; /* where the next key's text must start: after '{"' or ',"' */
    for (;; k += 2) {
        const jsmntok_t *const v = k + 1;
        /* A key's closing quote comes before the object's '}': ke + 1 < len. */
        const size_t ke = (size_t)k->end, ve = (size_t)v->end;
        if (k->type != JSMN_STRING || (size_t)k->start != p || js[ke + 1] != ':' ||
            (!plain && !string_ok(js + k->start, js + ke))) {
            return 0;
        }
        if (v->type == JSMN_STRING && (size_t)v->start == ke + 3 &&
            (plain || string_ok(js + v->start, js + ve))) {
            p = ve + 1; /* after the closing quote, which comes before the '}' */
        } else if (v->type == JSMN_PRIMITIVE && (size_t)v->start == ke + 2 &&
                   primitive_ok(js + ke + 2, js + ve)) {
            p = ve; /* jsmn ended the primitive on a delimiter inside the object */
        } else {
            return 0; /* a container, or not a valid primitive */
        }
        if (k == last) {
            return p + 1 == len; /* js[len - 1] is the '}' jsmn ended the object on */
        }
        if (js[p] != ',') {
            return 0;
        }
        p += 2;
    }
}

static int flat_object_ok(const char *js, size_t len, const jsmntok_t *toks, int n, int plain)
{
    if (n < 3 || (n & 1) == 0 || toks[0].type != JSMN_OBJECT || toks[0].start != 0 ||
        (size_t)toks[0].end != len) {
        return 0;
    }
    /* One loop for plain texts, one for the others (no test of plain per pair). */
    const jsmntok_t *const last = toks + n - 2; /* the last key */
    return plain ? flat_pairs_ok(js, len, toks + 1, last, 1) : flat_pairs_ok(js, len, toks + 1, last, 0);
}
#define FLAT_OBJECT_OK(js, len, toks, n, plain) flat_object_ok(js, len, toks, n, plain)
#else
#define FLAT_OBJECT_OK(js, len, toks, n, plain) 0
#endif

/* Are jsmn's n tokens exactly the text? *plain: see ccat_json_parse_plain().
 * (tokens_match() is out of line: at -O2 jsmn's code inlined in parse()
 * keeps the registers; at -Os it saves 64 bytes of the create path for
 * 20 more bytes of worst-case stack, measured 2026-12-07: 7,847 B and
 * 424 B, against 7,911 B and 404 B inlined.) */
static int tokens_ok(const char *js, size_t len, const jsmntok_t *toks, int n, int *plain)
{
#ifdef SCAN_SSE2
    *plain = all_plain(js, len);
#endif
    return FLAT_OBJECT_OK(js, len, toks, n, *plain) || tokens_match(js, len, toks, n, *plain);
}

/* ccat_json_parse(), and *plain (see ccat_json_parse_plain()). */
static int parse(const char *js, size_t len, jsmntok_t *toks, unsigned ntoks, int *plain)
{
    *plain = 0;
    if (js == NULL || (toks == NULL && ntoks != 0)) {
        return CCAT_ERR_JSON_SYNTAX;
    }
    if (len >= INT_MAX) {
        return CCAT_ERR_RESPONSE_TOO_LARGE; /* offsets are ints */
    }
    if (ntoks == 0) {
        return CCAT_ERR_RESPONSE_TOO_LARGE; /* (jsmn would only count) */
    }
    jsmn_parser parser;
    jsmn_init(&parser);
    int n = jsmn_parse(&parser, js, len, toks, ntoks);
    if (n == JSMN_ERROR_NOMEM) {
        return CCAT_ERR_RESPONSE_TOO_LARGE;
    }
    /* jsmn stops at a NUL byte: every byte up to len must have been seen. */
    if (n <= 0 || parser.pos != len || !tokens_ok(js, len, toks, n, plain)) {
        *plain = 0;
        return CCAT_ERR_JSON_SYNTAX;
    }
    return n;
}

int ccat_json_parse(const char *js, size_t len, jsmntok_t *toks, unsigned ntoks)
{
    int plain;
    return parse(js, len, toks, ntoks, &plain);
}

#ifndef __OPTIMIZE_SIZE__
int ccat_json_parse_plain(const char *js, size_t len, jsmntok_t *toks, unsigned ntoks, int *plain)
{
    return parse(js, len, toks, ntoks, plain);
}
#endif

/* ---- object members ------------------------------------------------------- */

/* Does the key text [p, e) decode to the name [k, k_end)? Code point by
 * code point: the name's own (UTF-8, no escapes) against the key's. */
static CCAT_NOINLINE int key_equals(const char *p, const char *e, const char *k, const char *k_end)
{
    while (p != e && k != k_end) {
        uint32_t a, b;
        if ((p = next_cp(p, e, &a, 1)) == NULL || (k = next_cp(k, k_end, &b, 0)) == NULL || a != b) {
            return 0;
        }
    }
    return p == e && k == k_end;
}

#ifndef __OPTIMIZE_SIZE__
/*
 * Is the key text [p, p + len) the name k of the same length? Names hold no
 * '\\' (see ccat_json_members()), so a text equal to one has no escape and
 * is its own decoding. A word at a time, the last word overlapping (both
 * have len bytes).
 */
static CCAT_HOT_INLINE int raw_equals(const char *p, const char *k, size_t len)
{
    if (len >= W_SIZE) {
        const size_t last = len - W_SIZE;
        if (last <= W_SIZE) { /* the usual name: two words, overlapping */
            return ((load_word(p) ^ load_word(k)) | (load_word(p + last) ^ load_word(k + last))) == 0;
        }
        for (size_t j = 0;; j += W_SIZE) {
            j = j > len - W_SIZE ? len - W_SIZE : j;
            if (load_word(p + j) != load_word(k + j)) {
                return 0;
            }
            if (j == len - W_SIZE) {
                return 1;
            }
        }
    }
    if (W_SIZE > 4 && len >= 4) { /* 64-bit: two overlapping halves */
        uint32_t a, b, c, d;
        memcpy(&a, p, 4);
        memcpy(&b, k, 4);
        memcpy(&c, p + len - 4, 4);
        memcpy(&d, k + len - 4, 4);
        return ((a ^ b) | (c ^ d)) == 0;
    }
    return memcmp(p, k, len) == 0;
}

/* Does the key text [p, p + len) decode to the name of length n at k? */
static CCAT_HOT_INLINE int name_matches(const char *p, size_t len, const char *k, size_t n)
{
    /* Escapes only make the text longer than its decoding. */
    return n == len ? raw_equals(p, k, len) : n < len && key_equals(p, p + len, k, k + n);
}

/* The name after the one at *name (index *k) of the nkeys packed at keys,
 * cyclically. */
static CCAT_HOT_INLINE void next_name(const char *keys, int nkeys, int *k, const char **name)
{
    if (++*k == nkeys) {
        *k = 0;
        *name = keys;
    } else {
        *name += 1 + (unsigned char)**name;
    }
}

/* -O2: the index of the name other than the one after k (which did not
 * match) that the key text [p, p + len) decodes to, with *name set to it;
 * or -1. Out of line: fewer registers live in the members loop. */
static CCAT_NOINLINE int other_name(const char *p, size_t len, const char *keys, int nkeys, int k,
                               const char **name)
{
    next_name(keys, nkeys, &k, name);
    for (int tries = nkeys - 1; tries > 0; tries--) {
        next_name(keys, nkeys, &k, name);
        if (name_matches(p, len, *name + 1, (unsigned char)**name)) {
            return k;
        }
    }
    return -1;
}

/* -O2: one pass over the object's members (see json.h). */
void ccat_json_members_lookup(const char *js, const jsmntok_t *toks, int ntoks, int obj,
                              const char *keys, int nkeys, int *found)
{
    if (obj < 0 || obj >= ntoks || toks[obj].type != JSMN_OBJECT || nkeys <= 0) {
        return;
    }
    const jsmntok_t *t = toks + obj + 1;            /* a key */
    const jsmntok_t *const last = toks + ntoks - 1; /* a key needs a value after it */
    int k = nkeys - 1;                              /* the name matched last */
    const char *name = keys;                        /* its length byte */
    int vi = obj + 2;                               /* the index of the key's value */
    for (int m = toks[obj].size; m > 0 && t < last; m--) {
        const char *p = js + t->start;
        const size_t len = (size_t)(t->end - t->start);
        const jsmntok_t *const v = t + 1;
        /* Members tend to come in the order of the names: try the next name
         * first, inline, the others out of line. Names are distinct, so a
         * member fills at most one slot; a later duplicate member overwrites
         * it (last wins). */
        int nk = k;
        const char *nn = name;
        next_name(keys, nkeys, &nk, &nn);
        if (!name_matches(p, len, nn + 1, (unsigned char)*nn)) {
            nn = name;
            nk = nkeys > 1 ? other_name(p, len, keys, nkeys, k, &nn) : -1;
        }
        if (nk >= 0) {
            k = nk;
            name = nn;
            found[k] = vi;
        }
        /* The next key: skip the value and everything nested inside it
         * (only a container has anything inside). */
        t = v + 1;
        vi += 2;
        if (v->type < JSMN_STRING) {
            for (; t <= last && t->start < v->end; t++) {
            }
            vi = (int)(t - toks) + 1;
        }
    }
}
#else
void ccat_json_members(const char *js, const jsmntok_t *toks, int ntoks, int obj,
                       const char *keys, int nkeys, int *found)
{
    for (int k = 0; k < nkeys; k++) {
        found[k] = -1;
    }
    if (obj < 0 || obj >= ntoks || toks[obj].type != JSMN_OBJECT) {
        return;
    }
    /* The object's keys are the tokens linked to it (a value is linked to
     * its key), its tokens those that start before its end. A later
     * duplicate member overwrites an earlier one (last wins). */
    const int end = toks[obj].end; /* read once: a register less in the loop (-4 B) */
    for (int i = obj + 1; i + 1 < ntoks && toks[i].start < end; i++) {
        const char *name = keys; /* its length byte */
        for (int k = 0; toks[i].parent == obj && k < nkeys; k++, name += 1 + (unsigned char)*name) {
            const char *const k_end = name + 1 + (unsigned char)*name;
            if (key_equals(js + toks[i].start, js + toks[i].end, name + 1, k_end)) {
                found[k] = i + 1;
            }
        }
    }
}
#endif

/* ---- string decoding and UTF-8 --------------------------------------------- */

ccat_status_t ccat_json_string_decode(char *js, const jsmntok_t *t, size_t *out_len)
{
    if (t->type != JSMN_STRING || t->start < 0 || t->end < t->start) {
        return CCAT_ERR_JSON_STRING;
    }
    char *const text = js + t->start, *d = text;
    const char *s = text, *const e = js + t->end;
    while (s != e) {
#ifndef __OPTIMIZE_SIZE__
        /* -O2: a run that needs no look at once (moved once an escape shrank the text). */
        const char *run = plain_end(s, e);
        if (d != s) {
            memmove(d, s, (size_t)(run - s));
        }
        d += run - s;
        if ((s = run) == e) {
            break;
        }
#endif
        uint32_t cp;
        if ((s = next_cp(s, e, &cp, 1)) == NULL) {
            return CCAT_ERR_JSON_STRING;
        }
        d += put_utf8(d, cp); /* never longer than what it decodes: d stays <= s */
    }
    *d = '\0'; /* at the latest where the closing quote was */
    *out_len = (size_t)(d - text);
    return CCAT_OK;
}

long ccat_utf8_count(const char *s, size_t n)
{
    const char *const e = s + n;
    long count = 0;
    while (s != e) {
#ifndef __OPTIMIZE_SIZE__
        const char *run = plain_end(s, e);
        count += run - s;
        if ((s = run) == e) {
            break;
        }
#endif
        uint32_t cp;
        if ((s = next_cp(s, e, &cp, 0)) == NULL) {
            return -1;
        }
        count++;
    }
    return count;
}

/* ---- escaping --------------------------------------------------------------- */

size_t ccat_json_escape(char *out, size_t cap, const char *s, size_t n)
{
    static const char short_esc[6] = {'b', 't', 'n', 'u', 'f', 'r'}; /* 0x08..0x0d ('u': none) */
    if (out == NULL || cap < 2 || (s == NULL && n != 0)) {
        return 0;
    }
    const size_t room = cap - 1; /* keeps a byte for the closing quote */
    size_t o = 1, i = 0;
    out[0] = '"';
#ifndef __OPTIMIZE_SIZE__
    /* A word at a time while no byte needs a look: special_bytes() (< 0x20,
     * '\\', >= 0x80) plus '"' and 0x7f, each test exact as a boolean for the
     * reason given there (a borrow or carry only leaves a byte that is a hit).
     * Where size counts most (-Os: Cortex-M) the byte loop alone does it. */
    for (; n - i >= W_SIZE && room - o >= W_SIZE; i += W_SIZE, o += W_SIZE) {
        word_t w = load_word(s + i);
        if (special_bytes(w) | (((w ^ (W_ONES * '"')) - W_ONES) & W_HIGHS) |
            ((w + W_ONES) & W_HIGHS)) {
            break;
        }
        memcpy(out + o, &w, W_SIZE);
    }
#endif
    for (; i < n; i++) {
        /* As Python's json.dumps (so botocore): \b \t \n \f \r, else \u00xx
         * for C0 controls and DEL; UTF-8 passes through (no \uXXXX). The
         * hex digits are computed (no table): c >> 4 is 0, 1 or 7. */
        const unsigned c = (unsigned char)s[i], lo = c & 15;
        char e[6] = {'\\', (char)c, '0', '0', (char)('0' + (c >> 4)),
                     (char)(lo + (lo < 10 ? '0' : 'a' - 10))};
        size_t k = 1;
        if (c < 0x20 || c == 0x7f) {
            e[1] = c - 8u < 6u ? short_esc[c - 8] : 'u';
            k = e[1] == 'u' ? 6 : 2;
        } else if (c == '"' || c == '\\') {
            k = 2;
        } else {
            e[0] = (char)c; /* the common case: copied as it is */
        }
        if (room - o < k) {
            return 0;
        }
        memcpy(out + o, e, k);
        o += k;
    }
    out[o++] = '"';
    return o;
}
