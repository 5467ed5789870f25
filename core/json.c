/**
 * @file json.c
 * @brief Internal: strict RFC 8259 JSON on top of jsmn, and JSON string coding.
 *
 * jsmn (Debian's libjsmn-dev; strict mode, parent links, see json.h) makes
 * the tokens; it is compiled here and only here, with JSMN_STATIC so that
 * the library exports no jsmn symbol an application with its own jsmn could
 * collide with. jsmn checks brackets and escapes, little else: it lets
 * through missing or extra separators, bad numbers and literals, raw control
 * characters in strings, several roots, and it stops at a NUL byte. So one
 * iterative walk over its tokens then checks the bytes between them, every
 * primitive's grammar and every string's text. jsmn refuses a bare number or
 * literal as the root, which RFC 8259 allows: that case is handled here.
 *
 * Strings are scanned a machine word at a time: a word of printable ASCII
 * without '\\' needs no byte-by-byte look. A bare '"' never needs one
 * either: inside a string's text jsmn leaves none, and the decoder copies it.
 *
 * -O2 builds (not -Os, where size counts) add two fast paths, each only ever
 * accepting what the general code accepts: the shape services send (one
 * flat object, no whitespace) is checked pair by pair before the general
 * walk is tried, and on x86-64 a text found plain in its one SSE2 pass is
 * reported so (ccat_json_parse_plain()) that its strings need no decoding.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

/* jsmn's code goes into this file only, as static functions. */
#define JSMN_IMPLEMENTATION_HERE
#define JSMN_STATIC
#include "hints.h"
#include "json.h"

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

static int hex_value(unsigned c)
{
    if (c - '0' < 10u) {
        return (int)(c - '0');
    }
    c |= 0x20u;
    return c - 'a' < 6u ? (int)(c - 'a' + 10u) : -1;
}

/* Value of the 4 hex digits at p, or -1 (also when fewer than 4 remain). */
static long hex4(const char *p, const char *e)
{
    long v = 0;
    if (e - p < 4) {
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        int h = hex_value((unsigned char)p[i]);
        if (h < 0) {
            return -1;
        }
        v = v << 4 | h;
    }
    return v;
}

/*
 * Decodes the escape at s (s[0] == '\\', s < e) into *cp. A surrogate pair
 * gives one code point; lone or reversed surrogates and U+0000 are refused.
 * Returns the bytes consumed, or 0.
 */
static CCAT_NOINLINE size_t unescape(const char *s, const char *e, unsigned long *cp)
{
    /* Each escape letter, then what it stands for. */
    static const char pairs[16] = {'"', '"', '\\', '\\', '/', '/', 'b', '\b',
                                   'f', '\f', 'n', '\n', 'r', '\r', 't', '\t'};
    if (e - s < 2) {
        return 0;
    }
    if (s[1] != 'u') {
        for (int i = 0; i < 16; i += 2) {
            if (s[1] == pairs[i]) {
                *cp = (unsigned char)pairs[i + 1];
                return 2;
            }
        }
        return 0;
    }
    long hi = hex4(s + 2, e);
    if (hi <= 0 || (hi >= 0xDC00 && hi <= 0xDFFF)) {
        return 0;
    }
    if (hi < 0xD800 || hi > 0xDBFF) {
        *cp = (unsigned long)hi;
        return 6;
    }
    long lo = (e - s >= 12 && s[6] == '\\' && s[7] == 'u') ? hex4(s + 8, e) : -1;
    if (lo < 0xDC00 || lo > 0xDFFF) {
        return 0;
    }
    *cp = 0x10000ul + ((unsigned long)(hi - 0xD800) << 10) + (unsigned long)(lo - 0xDC00);
    return 12;
}

/* Writes cp (at most U+10FFFF) as UTF-8 at d; returns its length. */
static size_t put_utf8(char *d, unsigned long cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    size_t n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (size_t i = n - 1; i > 0; i--) {
        d[i] = (char)(0x80 | (cp & 0x3F));
        cp >>= 6;
    }
    d[0] = (char)((0xF00u >> n) | cp); /* lead byte 0xC0, 0xE0 or 0xF0 */
    return n;
}

/*
 * Length of the valid multi-byte UTF-8 sequence at s (s < e, *s >= 0x80),
 * or 0: no overlongs, no UTF-16 surrogates, nothing above U+10FFFF, nothing
 * cut short.
 */
static CCAT_NOINLINE size_t utf8_seq(const unsigned char *s, const unsigned char *e)
{
    unsigned c = s[0];
    if (c < 0xC2 || c > 0xF4) {
        return 0;
    }
    size_t n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if ((size_t)(e - s) < n) {
        return 0;
    }
    unsigned long cp = c & (0x7Fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    /* The smallest code point that needs n bytes is 2^(5n-4) for n = 3, 4. */
    if (cp < (1ul << (5 * n - 4)) || cp - 0xD800 < 0x800 || cp > 0x10FFFF) {
        return 0;
    }
    return n;
}

/* ---- checks on top of jsmn ------------------------------------------------ */

/* RFC 8259 whitespace only: space, tab, LF, CR. */
static size_t skip_ws(const char *js, size_t p, size_t len)
{
    for (; p < len; p++) {
        unsigned c = (unsigned char)js[p];
        if (c > ' ' || (c != ' ' && c != '\n' && c != '\r' && c != '\t')) {
            break;
        }
    }
    return p;
}

/*
 * Is the rest [s, e) of a string's text, from its first special byte s on,
 * valid? No raw control character (jsmn takes them), only the RFC's escapes,
 * 4 hex digits after \u. Surrogate pairing, U+0000 and UTF-8 are the
 * decoder's business.
 */
static CCAT_NOINLINE int string_rest_ok(const char *s, const char *e)
{
    for (;;) {
        unsigned c = (unsigned char)*s;
        if (c >= 0x80) {
            s++;
        } else if (c == '\\') {
            unsigned long cp;
            size_t k = e - s >= 2 && s[1] == 'u' ? (hex4(s + 2, e) < 0 ? 0 : 6) : unescape(s, e, &cp);
            if (k == 0) {
                return 0;
            }
            s += k;
        } else {
            return 0; /* a control character */
        }
        if ((s = plain_end(s, e)) == e) {
            return 1;
        }
    }
}

static CCAT_SMALL_NOINLINE size_t digits_end(const char *js, size_t p, size_t len)
{
    while (p < len && (unsigned)(js[p] - '0') < 10u) {
        p++;
    }
    return p;
}

/* Inline at -O2 (its callers' loops keep their registers), one copy at -Os. */
#ifndef __OPTIMIZE_SIZE__
#define PRIMITIVE_INLINE CCAT_HOT_INLINE
#else
#define PRIMITIVE_INLINE CCAT_SMALL_NOINLINE
#endif

/*
 * End of the number or literal starting at p (< len), or p if there is none.
 * (A number with a leading zero before more digits also gives p: what
 * follows the zero is no delimiter, so callers refuse the text either way.)
 */
static PRIMITIVE_INLINE size_t primitive_end(const char *js, size_t p, size_t len)
{
    const size_t s = p;
    /* "true", "false", "null": each literal's offset and length in lits. */
    static const char lits[] = "true" "false" "null";
    unsigned at = js[p] == 't' ? 0x04u : js[p] == 'f' ? 0x45u : js[p] == 'n' ? 0x94u : 0;
    if (at != 0) {
        size_t n = at & 15u;
        return len - p >= n && memcmp(js + p, lits + (at >> 4), n) == 0 ? p + n : s;
    }
    /* -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)? */
    p += js[p] == '-';
    size_t q = digits_end(js, p, len);
    if (q == p || (js[p] == '0' && q != p + 1)) {
        return s;
    }
    p = q;
    if (p < len && js[p] == '.') {
        if ((q = digits_end(js, p + 1, len)) == p + 1) {
            return s;
        }
        p = q;
    }
    if (p < len && (js[p] | 0x20) == 'e') {
        p++;
        p += p < len && (js[p] == '+' || js[p] == '-');
        if ((q = digits_end(js, p, len)) == p) {
            return s;
        }
        p = q;
    }
    return p;
}

/*
 * Is js[0..len) exactly the JSON text that jsmn's n tokens describe? One
 * walk in document order: token i must start where the grammar expects the
 * next key or value, after nothing but whitespace and the one separator due,
 * and hang off the expected parent. Whether the innermost open container
 * `cont` takes a ',' and another child or its closing bracket next is read
 * off the next token's parent link, and the bracket must sit where jsmn
 * ended the container. No counts need keeping: jsmn's size of a token is the
 * number of tokens linked to it, and every link has been checked. No
 * recursion, no stack beyond a few locals.
 */
static int tokens_match(const char *js, size_t len, const jsmntok_t *toks, int n, int plain)
{
    size_t p = 0;
    int i = 0;
    int cont = -1;   /* innermost open container */
    int parent = -1; /* the parent link token i must have */
    int key = 0;     /* token i must be an object key */
    for (;;) {
        if (i == n || toks[i].parent != parent) {
            return 0;
        }
        const jsmntok_t *t = &toks[i++];
        const size_t end = (size_t)t->end;
        const int str = t->type == JSMN_STRING;
        /* The token's first byte (a string's opening quote) must come next,
         * after whitespace only; most texts have none. */
        const size_t first = (size_t)t->start - (size_t)str;
        if (first != p && skip_ws(js, p, len) != first) {
            return 0;
        }
        p = first;
        int opened = 0;
        if (str) {
            if (!plain) {
                const char *e = js + end, *s = plain_end(js + p + 1, e);
                if (s != e && !string_rest_ok(s, e)) {
                    return 0;
                }
            }
            p = end + 1; /* after the closing quote */
            if (key) {
                if (p == len || js[p] != ':') { /* no whitespace: the common case */
                    p = skip_ws(js, p, len);
                    if (p == len || js[p] != ':') {
                        return 0;
                    }
                }
                p++;
                parent = i - 1;
                key = 0;
                continue;
            }
        } else if (key) {
            return 0;
        } else if (t->type == JSMN_PRIMITIVE) {
            if (primitive_end(js, p, end) != end) {
                return 0;
            }
            p = end;
        } else { /* jsmn put the token on its opening bracket */
            cont = i - 1;
            opened = 1;
            p++;
        }

        /* Closing brackets, then ',' before another child (none after an
         * opening bracket), or the end of the text. */
        for (;;) {
            p = skip_ws(js, p, len);
            if (cont < 0) {
                return p == len && i == n;
            }
            if (i < n && toks[i].parent == cont) {
                if (!opened) {
                    if (p == len || js[p] != ',') {
                        return 0;
                    }
                    p++;
                }
                break;
            }
            if (p == len || js[p] != (toks[cont].type == JSMN_OBJECT ? '}' : ']') ||
                (size_t)toks[cont].end != p + 1) {
                return 0;
            }
            p++;
            opened = 0;
            cont = toks[cont].parent;
            if (cont >= 0 && toks[cont].type == JSMN_STRING) {
                cont = toks[cont].parent; /* from a key to its object */
            }
        }
        parent = cont;
        key = toks[cont].type == JSMN_OBJECT;
    }
}

#ifndef __OPTIMIZE_SIZE__
/* Is the string token t's text valid (see string_rest_ok())? */
static int string_ok(const char *js, const jsmntok_t *t)
{
    const char *e = js + t->end, *s = plain_end(js + t->start, e);
    return s == e || string_rest_ok(s, e);
}

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
            (!plain && !string_ok(js, k))) {
            return 0;
        }
        if (v->type == JSMN_STRING && (size_t)v->start == ke + 3 && (plain || string_ok(js, v))) {
            p = ve + 1; /* after the closing quote, which comes before the '}' */
        } else if (v->type == JSMN_PRIMITIVE && (size_t)v->start == ke + 2 &&
                   primitive_end(js, ke + 2, ve) == ve) {
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
 * (Inline in parse(): out of line it would save 34 bytes at -Os but add 48
 * to the worst-case stack, and at -O2 jsmn's code comes out cheaper so.) */
static int tokens_ok(const char *js, size_t len, const jsmntok_t *toks, int n, int *plain)
{
#ifdef SCAN_SSE2
    *plain = all_plain(js, len);
#endif
    return FLAT_OBJECT_OK(js, len, toks, n, *plain) || tokens_match(js, len, toks, n, *plain);
}

/* A bare number or literal (or nothing valid) at p, which jsmn's strict mode
 * refuses as the root: it wants a delimiter after a primitive. Out of line
 * at -O2: rare, and jsmn's code inlined in parse() keeps the registers. */
static CCAT_HOT_NOINLINE int bare_root(const char *js, size_t p, size_t len, jsmntok_t *toks)
{
    size_t q = primitive_end(js, p, len);
    if (q == p || skip_ws(js, q, len) != len) {
        return CCAT_ERR_JSON_SYNTAX;
    }
    toks[0] = (jsmntok_t){JSMN_PRIMITIVE, (int)p, (int)q, 0, -1};
    return 1;
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
    size_t p = skip_ws(js, 0, len);
    if (p < len && js[p] != '{' && js[p] != '[' && js[p] != '"') {
        return bare_root(js, p, len, toks);
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

/* Does the key text [p, e), which has escapes, decode to the name k[0..n)? */
static CCAT_NOINLINE int key_equals(const char *p, const char *e, const char *k, size_t n)
{
    const char *const k_end = k + n;
    while (p < e) {
        if (*p != '\\') {
            if (k == k_end || *p != *k) {
                return 0;
            }
            p++;
            k++;
            continue;
        }
        char buf[4];
        unsigned long cp;
        size_t used = unescape(p, e, &cp);
        if (used == 0) {
            return 0;
        }
        for (size_t i = 0, m = put_utf8(buf, cp); i < m; i++, k++) {
            if (k == k_end || *k != buf[i]) {
                return 0;
            }
        }
        p += used;
    }
    return k == k_end;
}

/*
 * Is the key text [p, p + len) the name k of the same length? Names hold no
 * '\\' (see ccat_json_members()), so a text equal to one has no escape and
 * is its own decoding. -O2: a word at a time, the last word overlapping (both
 * have len bytes); -Os: memcmp().
 */
static CCAT_HOT_INLINE int raw_equals(const char *p, const char *k, size_t len)
{
#ifndef __OPTIMIZE_SIZE__
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
#endif
    return memcmp(p, k, len) == 0;
}

/* Does the key text [p, p + len) decode to the name of length n at k? */
static CCAT_HOT_INLINE int name_matches(const char *p, size_t len, const char *k, size_t n)
{
    /* Escapes only make the text longer than its decoding. */
    return n == len ? raw_equals(p, k, len) : n < len && key_equals(p, p + len, k, n);
}

#ifndef __OPTIMIZE_SIZE__
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
#endif

#ifndef __OPTIMIZE_SIZE__
void ccat_json_members_lookup(const char *js, const jsmntok_t *toks, int ntoks, int obj,
                              const char *keys, int nkeys, int *found)
{
#else
void ccat_json_members(const char *js, const jsmntok_t *toks, int ntoks, int obj,
                       const char *keys, int nkeys, int *found)
{
    for (int k = 0; k < nkeys; k++) {
        found[k] = -1;
    }
#endif
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
         * first. Names are distinct, so a member fills at most one slot; a
         * later duplicate member overwrites it (last wins). */
#ifndef __OPTIMIZE_SIZE__
        /* -O2: that first try inline, the others out of line. */
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
#else
        /* -Os: one loop over the names from the next one on. */
        for (int tries = nkeys; tries > 0; tries--) {
            if (++k == nkeys) {
                k = 0;
                name = keys;
            } else {
                name += 1 + (unsigned char)*name;
            }
            if (name_matches(p, len, name + 1, (unsigned char)*name)) {
                found[k] = (int)(v - toks); /* smaller here than vi */
                break;
            }
        }
        (void)vi;
#endif
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

/* ---- string decoding and UTF-8 --------------------------------------------- */

/* Decodes [text, e) in place from d, its first special byte, on. */
static CCAT_NOINLINE ccat_status_t decode_rest(char *text, char *d, const char *e, size_t *out_len)
{
    const char *s = d; /* reads run ahead of writes once an escape shrank the text */
    for (;;) {
        unsigned c = (unsigned char)*s;
        size_t k;
        if (c == '\\') {
            unsigned long cp;
            if ((k = unescape(s, e, &cp)) == 0) {
                return CCAT_ERR_JSON_STRING;
            }
            s += k;
            d += put_utf8(d, cp); /* never longer than the escape */
        } else {
            if (c < 0x20) {
                return CCAT_ERR_JSON_STRING; /* only in text the parser never saw */
            }
            if ((k = c < 0x80 ? 1 : utf8_seq((const unsigned char *)s, (const unsigned char *)e)) == 0) {
                return CCAT_ERR_JSON_STRING;
            }
            do {
                *d++ = *s++;
            } while (--k != 0);
        }
        const char *run = plain_end(s, e);
        if (d != s) {
            memmove(d, s, (size_t)(run - s)); /* once an escape shrank the text */
        }
        d += run - s;
        if ((s = run) == e) {
            break;
        }
    }
    *d = '\0';
    *out_len = (size_t)(d - text);
    return CCAT_OK;
}

ccat_status_t ccat_json_string_decode(char *js, const jsmntok_t *t, size_t *out_len)
{
    if (t->type != JSMN_STRING || t->start < 0 || t->end < t->start) {
        return CCAT_ERR_JSON_STRING;
    }
    char *const text = js + t->start;
    char *const e = js + t->end;
    char *const s = text + (plain_end(text, e) - text);
    if (s != e) {
        return decode_rest(text, s, e, out_len); /* escapes or non-ASCII */
    }
    *e = '\0'; /* where the closing quote was */
    *out_len = (size_t)(e - text);
    return CCAT_OK;
}

long ccat_utf8_count(const char *s, size_t n)
{
    const char *const e = s + n;
    long count = 0;
    for (;;) {
        const char *run = plain_end(s, e);
        count += run - s;
        if ((s = run) == e) {
            return count;
        }
        unsigned c = (unsigned char)*s;
        size_t k = c == 0 ? 0 : c < 0x80 ? 1 : utf8_seq((const unsigned char *)s, (const unsigned char *)e);
        if (k == 0) {
            return -1;
        }
        s += k;
        count++;
    }
}

/* ---- escaping --------------------------------------------------------------- */

size_t ccat_json_escape(char *out, size_t cap, const char *s, size_t n)
{
    static const char hex[16] = "0123456789abcdef";
    static const char short_esc[6] = {'b', 't', 'n', 0, 'f', 'r'}; /* 0x08..0x0d */
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
         * for C0 controls and DEL; UTF-8 passes through (no \uXXXX). */
        unsigned c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f && o < room) {
            out[o++] = (char)c; /* the common case: copied as it is */
            continue;
        }
        char esc = (char)(c == '"' || c == '\\' ? c : c - 8u < 6u ? (unsigned char)short_esc[c - 8] : 0u);
        size_t k = esc != 0 ? 2 : c < 0x20 || c == 0x7f ? 6 : 1;
        if (room - o < k) {
            return 0;
        }
        if (k == 1) {
            out[o] = (char)c;
        } else if (k == 2) {
            out[o] = '\\';
            out[o + 1] = esc;
        } else {
            memcpy(out + o, "\\u00", 4);
            out[o + 4] = hex[c >> 4];
            out[o + 5] = hex[c & 15];
        }
        o += k;
    }
    out[o++] = '"';
    return o;
}
