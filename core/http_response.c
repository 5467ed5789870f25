/*
 * Incremental, in-place HTTP/1.1 response parser (see ccat_http.h).
 *
 * Everything that is not body data is a line: the status line, header
 * lines, chunk-size lines, the line end after chunk data, trailer lines.
 * One loop finds line ends with a scan (a byte at a time at -Os, a word at
 * a time at -O2, 16 bytes at a time with SSE2 in x86-64 -O2 builds) that
 * stops only at control bytes (at -Os, not at tabs), so finding a line end
 * and rejecting control characters is a single pass, and a partial line is
 * never scanned twice (scan keeps the resume point). Head lines stay where
 * they are (header values are kept in place); a framing line is dropped
 * once parsed and body data is moved down over it, so the de-chunked body
 * ends up contiguous right after the head. A partial framing line waits at
 * the end of the body.
 *
 * x86-64 -O2 builds add a head fast path (head_fast()): one SSE2 mask per
 * 64 bytes gives every line end of a head that arrived whole, and the
 * names of the headers the client reads are matched by whole words. It
 * takes only lines in their usual form and hands anything else to the
 * general loop, which is the whole parser at -Os. A call that starts in
 * the head enters it first (head_start()), and a Content-Length body that
 * came with the head ends the call there, without the general loop.
 *
 * Errors are stored in the state byte as status + 256 (ST_ERROR is set:
 * the parser's errors lie in -1..-128) so that every later call returns the
 * same one.
 *
 * Decisions beyond RFC 9112's grammar:
 * - bare LF line ends are accepted everywhere (head, chunk framing, trailers);
 * - "HTTP/1.x" with any minor digit is accepted (1.0 closes unless it says
 *   keep-alive); HTTP/2 and later are rejected (CCAT_ERR_HTTP_STATUS_LINE):
 *   they cannot appear on an HTTP/1.1 connection;
 * - 1xx responses other than 101 are skipped; 101 is final, has no body and
 *   ends keep-alive;
 * - a field name must be non-empty with no blank, control, DEL or obs-text;
 *   other RFC 9110 delimiters (e.g. '(') are tolerated in names the client
 *   ignores: they can never match one it acts on;
 * - Content-Length is digits only (no "1, 1" list); Transfer-Encoding must be
 *   exactly one "chunked"; chunk extensions are skipped unparsed;
 * - chunk framing lines (size, trailers) sit in the free buffer space until
 *   their LF arrives, so a chunked body needs room for the framing line that
 *   follows its last byte ("0" CRLF: 3 bytes), and a close-delimited body
 *   one spare byte (a full buffer is reported before EOF can be seen).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ccat/ccat_http.h"
#include "hints.h"

enum {
    /* Line states: the pending line starts at body + body_len. */
    ST_HEAD,      /* head lines (kept in place; body is buf until the head ends) */
    ST_SIZE,      /* chunk-size line */
    ST_DATA_END,  /* the empty line after chunk data */
    ST_TRAILER,   /* trailer lines, up to the empty line */
    /* Data states. */
    ST_LENGTH,    /* Content-Length body: remaining bytes to go */
    ST_DATA,      /* chunk data: remaining bytes to go */
    ST_UNTIL_EOF, /* close-delimited body */
    ST_DONE,
    ST_ERROR = 0x80
};

#define F_LENGTH 1u  /* Content-Length seen, value in length */
#define F_CLOSE 2u   /* Connection: close */
#define F_KEEP 4u    /* HTTP/1.1, or Connection: keep-alive */
#define F_CHUNKED 8u /* Transfer-Encoding: chunked seen */

/* Word-at-a-time scanning; the lowest flagged byte of a word is only the
 * first one on a little-endian machine, elsewhere the byte loop does it. */
typedef unsigned long word_t;
#define WORD_BYTES sizeof(word_t)
#define ONES ((word_t)-1 / 0xff)
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR 1
#else
#define SWAR 0
#endif
/* -Os: the line scan steps over tabs and obs-text itself (see skip_plain()). */
#ifdef __OPTIMIZE_SIZE__
#define SCAN_TAKES_TABS 1
#endif
/* x86-64 at -O2: 16 bytes at a time (at -Os the words do, keeping it small). */
#if SWAR && defined(__SSE2__) && !defined(__OPTIMIZE_SIZE__)
#define SCAN_SSE2 1
#include <emmintrin.h>
#endif

#ifndef __OPTIMIZE_SIZE__
/* Unaligned word load (memcpy compiles to a single load); -O2 only. */
static word_t load(const char *p)
{
    word_t w;
    memcpy(&w, p, sizeof w);
    return w;
}
#endif

/* Record e for every later call; a failed connection is not reused. */
static ccat_status_t fail(ccat_http_response_t *r, ccat_status_t e)
{
    r->state = (uint8_t)(e + 256);
    r->keep_alive = 0;
    return e;
}

/*
 * First control byte (below 0x20), DEL or obs-text byte in [p, end), or end.
 * Per byte, x - 0x20 borrows into the top bit when the byte is below 0x20
 * (or is 0xa0 and above) and x + 1 carries into it when the byte is 0x7f
 * and above. A borrow or carry only leaks upwards out of a flagged byte, so
 * the lowest flag in a word is exact.
 */
static char *skip_plain(char *p, const char *end)
{
#ifdef SCAN_SSE2
    /* Signed bytes: below 0x20 covers controls and obs-text (0x80 and up). */
    if ((size_t)(end - p) >= 16) {
        const __m128i space = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f);
        const char *const last = end - 16;
        for (;;) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
            unsigned m = (unsigned)_mm_movemask_epi8(
                _mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, del)));
            if (m != 0) {
                return p + __builtin_ctz(m);
            }
            if (p == last) {
                return (char *)p + 16;
            }
            p += 16;
            p = p > last ? (char *)last : p; /* overlaps bytes already known to be plain */
        }
    }
#endif
#if SWAR && !defined(__OPTIMIZE_SIZE__)
    /* -O2 only: at -Os the byte loop alone is smaller. */
    while ((size_t)(end - p) >= WORD_BYTES) {
        word_t x = load(p);
        word_t m = ((x - ONES * 0x20) | (x + ONES)) & (ONES * 0x80);
        if (m) {
            return p + ((unsigned)__builtin_ctzl(m) >> 3);
        }
        p += WORD_BYTES;
    }
#endif
#ifdef SCAN_TAKES_TABS
    /* -Os: tabs and obs-text are taken here, not by another trip round
     * advance()'s loop: smaller. The inner loop stays the usual one, the
     * test for them runs only where it stops. */
    for (;; p++) {
        while (p < end && (unsigned char)*p - 0x20u < 0x5fu) {
            p++;
        }
        if (p == end || (*p != '\t' && (unsigned char)*p < 0x80u)) {
            break;
        }
    }
#else
    while (p < end && (unsigned char)*p - 0x20u < 0x5fu) {
        p++;
    }
#endif
    return p;
}

/*
 * A field line (header or trailer) starting at s: the name must be
 * non-empty and free of blanks (so no blank before the colon and no obs-fold
 * line), DEL and obs-text; the line scan checked the rest. RFC 9110
 * delimiters such as '(' are tolerated in names the client ignores.
 * Returns the name's length (without the colon), or 0 when it is not valid.
 */
static size_t name_len(const char *s, const char *e)
{
    const char *p = s;
#if SWAR && !defined(__OPTIMIZE_SIZE__)
    /* -O2: a word at a time up to the first byte that is not a name byte
     * (0x21..0x7e but ':'); the lowest flag is exact as in skip_plain(). */
    for (; (size_t)(e - p) >= WORD_BYTES; p += WORD_BYTES) {
        word_t x = load(p), c = x ^ (ONES * ':');
        word_t m = ((x - ONES * 0x21) | (x + ONES) | ((c - ONES) & ~c)) & (ONES * 0x80);
        if (m) {
            p += (unsigned)__builtin_ctzl(m) >> 3;
            return *p == ':' ? (size_t)(p - s) : 0;
        }
    }
#else
    (void)e;
#endif
    while ((unsigned char)*p - 0x21u < 0x5eu && *p != ':') {
        p++; /* stops at the CR or LF at the latest */
    }
    return *p == ':' ? (size_t)(p - s) : 0;
}

/* Case-insensitive compare of p[0..n), n >= 4, with lit, which holds only
 * lower-case letters and '-'. OR-ing 0x20 maps only 'A'-'Z' onto
 * 'a'-'z' among the bytes that can reach here (no controls), so the test
 * is exact. */
static int ieq(const char *p, const char *lit, size_t n)
{
#ifdef __OPTIMIZE_SIZE__
    /* -Os: a byte at a time is smaller than the word loads. */
    while (n != 0 && (*p++ | 0x20) == *lit++) {
        n--;
    }
    return n == 0;
#else
    size_t i;
    if (WORD_BYTES > 4 && n < WORD_BYTES) {
        uint32_t a, b, c, d;
        memcpy(&a, p, 4);
        memcpy(&b, lit, 4);
        memcpy(&c, p + n - 4, 4);
        memcpy(&d, lit + n - 4, 4);
        return ((a | 0x20202020u) == b) & ((c | 0x20202020u) == d);
    }
    for (i = 0; i + WORD_BYTES < n; i += WORD_BYTES) {
        if ((load(p + i) | ONES * 0x20) != load(lit + i)) {
            return 0;
        }
    }
    return (load(p + n - WORD_BYTES) | ONES * 0x20) == load(lit + n - WORD_BYTES);
#endif
}

/* 1*DIGIT (base 10 or 16) from p on: the value goes to *x. Returns the end
 * of the digits, or NULL when there is none or the value needs more than
 * 64 bits. */
static const char *number(const char *p, const char *e, unsigned base, uint64_t *x)
{
    const char *s = p;
    uint64_t v = 0;
    for (; p < e; p++) {
        unsigned c = (unsigned char)*p, d = c - '0';
        if (d > 9) {
            d = (c | 0x20) - ('a' - 10); /* 'a'-'z': 10..35; '@' and '`': 9 */
            d = d < 10 ? 99 : d;
        }
        if (d >= base) {
            break;
        }
        if (v >> 60) {
            return NULL; /* from 2^60 on, times 10 or 16 is 2^63 or more */
        }
        v = v * base + d;
    }
    *x = v;
    return p == s ? NULL : p;
}

/* `HTTP/1.x SP 3DIGIT [SP reason]`; the reason's bytes were checked by the
 * line scan. HTTP/2 and later cannot appear on an HTTP/1.1 connection. */
static ccat_status_t status_line(ccat_http_response_t *r, const char *b, size_t e)
{
    uint64_t code;
    if (e < 12 || memcmp(b, "HTTP/1.", 7) != 0 || (unsigned)(b[7] - '0') > 9 || b[8] != ' ' ||
        b[9] == '0' || number(b + 9, b + 12, 10, &code) != b + 12 || (e > 12 && b[12] != ' ')) {
        return CCAT_ERR_HTTP_STATUS_LINE;
    }
    r->status = (int)code;
    if (b[7] != '0') {
        r->flags = F_KEEP; /* HTTP/1.0 closes unless it says keep-alive */
    }
    return CCAT_OK;
}

/* Headers the client acts on (the three kept as strings last). */
enum { H_OTHER, H_LENGTH, H_CODING, H_CONNECTION, H_DATE, H_REQUEST_ID, H_ERROR_TYPE };

_Static_assert(offsetof(ccat_http_response_t, request_id) ==
                   offsetof(ccat_http_response_t, date) + sizeof(char *) &&
               offsetof(ccat_http_response_t, error_type) ==
                   offsetof(ccat_http_response_t, date) + 2 * sizeof(char *),
               "date, request_id, error_type follow each other");

/* Every word the parser looks up, each after its length: the header names
 * (no colon), in their ids' order, up to a 0; then, from TOKENS on, up to
 * the final 0, the tokens close (1) and keep-alive (2) for Connection, whose
 * ids give F_CLOSE and F_KEEP as 1 << id, and chunked (3). One table and
 * one lookup() for both: smaller than a matching path each. */
#define NAMES "\016content-length\021transfer-encoding\012connection" \
              "\004date\020x-amzn-requestid\020x-amzn-errortype"
#define TOKENS sizeof NAMES
static const char words[] = NAMES "\0\005close\012keep-alive\007chunked";

_Static_assert((1u << 1) == F_CLOSE && (1u << 2) == F_KEEP, "tokens' ids give their flags");

/* The number (from 1 on) of the word from w on that s[0..len) is, in any
 * case, or 0. Every word has 4 bytes or more, as ieq() needs; the length
 * test comes first, so ieq() runs only on a word as long as s. */
static unsigned lookup(const char *s, size_t len, const char *w)
{
    unsigned id = 1;
    size_t k;
    while ((k = (unsigned char)*w++) != 0) {
        if (k == len && ieq(s, w, k)) {
            return id;
        }
        w += k;
        id++;
    }
    return 0;
}

/* Trims blanks off both ends of [*v, e); returns the end. The byte at e is
 * never a blank (CR, LF or ','), so it stops the forward scan. */
static char *trim(char **v, char *e)
{
    char *p = *v;
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    while (e > p && (e[-1] == ' ' || e[-1] == '\t')) {
        e--;
    }
    *v = p;
    return e;
}

/* Connection: a comma-separated token list; only close and keep-alive matter.
 * The value v[0..e) is NUL-terminated (and holds no NUL: the scan refused
 * control bytes), so the NUL marks its end. */
static unsigned connection(char *v, char *e)
{
    unsigned f = 0;
    char *t = v;
#ifndef __OPTIMIZE_SIZE__
    if (e - v == 10 && ieq(v, "keep-alive", 10)) {
        return F_KEEP; /* -O2: the usual single token without the list walk */
    }
#else
    (void)e;
#endif
    for (;; v++) {
        if (*v == '\0' || *v == ',') {
            char *te = trim(&t, v);
            /* close: F_CLOSE; keep-alive: F_KEEP; chunked or no word: masked off. */
            f |= (1u << lookup(t, (size_t)(te - t), words + TOKENS)) & (F_CLOSE | F_KEEP);
            if (*v == '\0') {
                return f;
            }
            t = v + 1;
        }
    }
}

/* Content-Length: digits only, at most 2^63 - 1; repeats must agree. */
static ccat_status_t content_length(ccat_http_response_t *r, const char *v, const char *e)
{
    uint64_t x;
    if (number(v, e, 10, &x) != e || (x >> 63) != 0) {
        return CCAT_ERR_HTTP_LENGTH_INVALID;
    }
    if ((r->flags & F_LENGTH) && x != r->length) {
        return CCAT_ERR_HTTP_LENGTH_CONFLICT;
    }
    r->length = x;
    r->flags |= F_LENGTH;
    return CCAT_OK;
}

/*
 * One header line s[0..e): `field-name ":" OWS value OWS`. Values the client
 * acts on are kept as NUL-terminated strings in place (the NUL goes over
 * trailing OWS or the CR/LF).
 */
static ccat_status_t header(ccat_http_response_t *r, char *s, char *e)
{
    size_t k = name_len(s, e);
    unsigned id;
    if (k == 0) {
        return CCAT_ERR_HTTP_HEADER;
    }
    id = lookup(s, k, words); /* stops at the names' end (see words) */
    if (id == H_OTHER) {
        return CCAT_OK;
    }
    char *v = s + k + 1;
    e = trim(&v, e);
    *e = '\0';
    if (id >= H_DATE) {
        /* The three fields follow each other in the ids' order. */
        *(const char **)(void *)((char *)r + offsetof(ccat_http_response_t, date) +
                                 (id - H_DATE) * sizeof(char *)) = v;
    } else if (id == H_CONNECTION) {
        r->flags |= (uint8_t)connection(v, e);
    } else if (id == H_LENGTH) {
        return content_length(r, v, e);
    } else if ((r->flags & F_CHUNKED) || lookup(v, (size_t)(e - v), words + TOKENS) != 3) {
        return CCAT_ERR_HTTP_TRANSFER_CODING; /* only a single "chunked" is decodable */
    } else {
        r->flags |= F_CHUNKED;
    }
    return CCAT_OK;
}

/* The head is complete, the body starts at body: choose how it is delimited.
 * -O2: inlined (one call per response, two callers). */
static CCAT_HOT_INLINE ccat_status_t framing(ccat_http_response_t *r, char *body)
{
    unsigned f = r->flags, st = ST_LENGTH;
    int s = r->status;
    ccat_status_t err = CCAT_OK;
    r->body = body;
    r->keep_alive = (uint8_t)((f & (F_KEEP | F_CLOSE)) == F_KEEP && s != 101);
    if ((f & F_LENGTH) && (f & F_CHUNKED)) {
        return CCAT_ERR_HTTP_LENGTH_CONFLICT;
    }
    if (s < 200 || s == 204 || s == 304) {
        st = ST_DONE; /* no body for 204, 304 and 101 */
    } else if (f & F_CHUNKED) {
        st = ST_SIZE;
    } else if (f & F_LENGTH) {
        r->remaining = (size_t)r->length; /* used only when it fits */
        if (r->length > (size_t)(r->buf + r->cap - body)) {
            err = CCAT_ERR_RESPONSE_TOO_LARGE;
        }
    } else {
        st = ST_UNTIL_EOF;
        r->remaining = (size_t)-1; /* more than the buffer holds: never reaches 0 */
        r->keep_alive = 0;
    }
    r->state = (uint8_t)st;
    return err;
}

/* chunk-size line: 1*HEXDIG [BWS ";" extensions]; extensions are ignored.
 * A size beyond room, the free bytes, cannot fit. */
static ccat_status_t chunk_size(ccat_http_response_t *r, const char *s, const char *e, size_t room)
{
    uint64_t x;
    const char *p = number(s, e, 16, &x);
    if (p == NULL) {
        return CCAT_ERR_HTTP_CHUNK_SIZE;
    }
    while (p < e && (*p == ' ' || *p == '\t')) {
        p++;
    }
    if (p < e && *p != ';') {
        return CCAT_ERR_HTTP_CHUNK_SIZE;
    }
    r->remaining = (size_t)x;
    return x > room ? CCAT_ERR_RESPONSE_TOO_LARGE : CCAT_OK;
}

/*
 * One complete line s[0..e) in state *st; next is just past its LF and
 * out the end of the kept bytes. CCAT_AGAIN: it ended an interim response.
 */
static ccat_status_t line(ccat_http_response_t *r, unsigned *st, char *s, char *e, char *next,
                          char *out)
{
    char *b = r->buf;
    ccat_status_t err;
    switch (*st) {
    case ST_HEAD:
        if (s == b) {
            return status_line(r, b, (size_t)(e - b));
        }
        if (e != s) {
            return header(r, s, e);
        }
        if (r->status < 200 && r->status != 101) {
            return CCAT_AGAIN;
        }
        err = framing(r, next);
        *st = r->state;
        return err;
    case ST_SIZE:
        err = chunk_size(r, s, e, (size_t)(r->buf + r->cap - out));
        *st = r->remaining ? ST_DATA : ST_TRAILER;
        return err;
    case ST_DATA_END: /* empty: the loop let only CR or LF start it */
        *st = ST_SIZE;
        return CCAT_OK;
    default: /* ST_TRAILER */
        if (e == s) {
            *st = ST_DONE;
        } else if (name_len(s, e) == 0) {
            return CCAT_ERR_HTTP_CHUNK_FRAMING;
        }
        return CCAT_OK;
    }
}

#ifdef SCAN_SSE2
/* Eight bytes of text as one little-endian word (SCAN_SSE2 implies x86). */
#define W8(s) ((uint64_t)(unsigned char)(s)[0] | (uint64_t)(unsigned char)(s)[1] << 8 | \
               (uint64_t)(unsigned char)(s)[2] << 16 | (uint64_t)(unsigned char)(s)[3] << 24 | \
               (uint64_t)(unsigned char)(s)[4] << 32 | (uint64_t)(unsigned char)(s)[5] << 40 | \
               (uint64_t)(unsigned char)(s)[6] << 48 | (uint64_t)(unsigned char)(s)[7] << 56)
/* Eight bytes as a 64-bit word (word_t may be 32 bits: i686 has SSE2 too). */
static uint64_t load64(const char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return w;
}
#define LOWER8(p) (load64(p) | 0x2020202020202020u) /* exact on plain bytes, see ieq() */

/* -O2: a value v[0..e) in its usual form after ": ": its first and last
 * bytes visible (v[0] is in the line or is its CR). */
#define VISIBLE_ENDS(v, e) ((unsigned char)(v)[0] > ' ' && (unsigned char)(e)[-1] > ' ')
/* ": " read as a 16-bit word; LOWER8() keeps ':' and ' ' as they are. */
#define COLON_SP (':' | ' ' << 8)
static uint16_t load16(const char *p)
{
    uint16_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

/*
 * -O2: the header line s[0..e) (e > s, s + 8 in the buffer; flagged bytes
 * other than tab and obs-text are not in it, and those two, like the CR and
 * LF a short line's first word holds, are in no name matched here)
 * when its name is one CodeCatalyst responses carry, recognised by whole
 * words, and its value has the usual form (": " before it, VISIBLE_ENDS, a
 * Content-Length of 1 to 18 digits seen first, a Connection of just
 * keep-alive).
 * Anything else goes to header(), so the outcome is always line()'s.
 * Beyond that first word, every byte read lies in the line or is its CR.
 */
static CCAT_HOT_INLINE ccat_status_t header_fast(ccat_http_response_t *r, char *s, char *e)
{
    uint64_t w = LOWER8(s);
    size_t n = (size_t)(e - s);
    if (w == W8("content-")) {
        if (n >= 13 && LOWER8(s + 5) == W8("nt-type:")) {
            return CCAT_OK; /* a name known valid needs no name_len() */
        }
        if (n >= 17 && n <= 16 + 18 && LOWER8(s + 8) == W8("length: ") && !(r->flags & F_LENGTH)) {
            uint64_t x = 0, c;
            const char *d = s + 16;
            while ((c = (unsigned char)*d - (uint64_t)'0') <= 9) { /* stops at the CR at the latest */
                x = x * 10 + c;
                d++;
            }
            if (d == e) {
                r->length = x;
                r->flags |= F_LENGTH;
                *e = '\0';
                return CCAT_OK;
            }
        }
    } else if ((uint32_t)w == (uint32_t)W8("date    ")) {
        if (load16(s + 4) == COLON_SP && VISIBLE_ENDS(s + 6, e)) {
            r->date = s + 6;
            *e = '\0';
            return CCAT_OK;
        }
    } else if (w == W8("connecti")) {
        if (n == 22 && LOWER8(s + 4) == W8("ection: ") && LOWER8(s + 12) == W8("keep-ali") &&
            LOWER8(s + 14) == W8("ep-alive")) {
            r->flags |= F_KEEP;
            *e = '\0';
            return CCAT_OK;
        }
    } else if (w == W8("x-amzn-r")) {
        if (n >= 17 && LOWER8(s + 8) == W8("equestid") && load16(s + 16) == COLON_SP &&
            VISIBLE_ENDS(s + 18, e)) {
            r->request_id = s + 18;
            *e = '\0';
            return CCAT_OK;
        }
    }
    return header(r, s, e);
}

/* -O2: the status line s[0..e) as status_line() takes it,
 * the usual "HTTP/1.1 ddd" read by words. */
static CCAT_HOT_INLINE ccat_status_t status_fast(ccat_http_response_t *r, const char *s, const char *e)
{
    unsigned h, t, u;
    if (e - s >= 12 && load64(s) == W8("HTTP/1.1") && s[8] == ' ' && (e - s == 12 || s[12] == ' ') &&
        (h = (unsigned)(s[9] - '1')) <= 8 && (t = (unsigned)(s[10] - '0')) <= 9 &&
        (u = (unsigned)(s[11] - '0')) <= 9) {
        r->status = (int)(h * 100 + t * 10 + u + 100);
        r->flags = F_KEEP;
        return CCAT_OK;
    }
    return status_line(r, s, (size_t)(e - s));
}

/* Bit i set: byte p[i] (i < 16) is flagged: below 0x20 (control), DEL, or
 * 0x80 and up (obs-text). x + 1 then lies outside 0x21..0x7f, so that
 * x + 1 - 0x21, signed and saturated, is negative: its top bit is the flag. */
static unsigned flagged16(const char *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    v = _mm_subs_epi8(_mm_add_epi8(v, _mm_set1_epi8(1)), _mm_set1_epi8(0x21));
    return (unsigned)_mm_movemask_epi8(v);
}

/* Bit i set: byte p[i] (i < 64) is flagged. */
static CCAT_HOT_INLINE uint64_t flagged64(const char *p)
{
    return flagged16(p) | (uint64_t)flagged16(p + 16) << 16 | (uint64_t)flagged16(p + 32) << 32 |
           (uint64_t)flagged16(p + 48) << 48;
}

/* The CR of the next line end from the mask *m of the block at *blk (then
 * the blocks after it, while they start at lim at the latest), with its bits
 * cleared; NULL when no block remains (*blk: where the scan goes on) or
 * the flagged byte is not a CR followed by LF (*blk: that byte). s is the
 * line's start: an LF just past a block was taken with its CR. */
static CCAT_HOT_INLINE char *line_end(char **blk, uint64_t *m, const char *s, const char *lim)
{
    uint64_t k = *m;
    char *q;
    uint16_t crlf;
    while (k == 0) {
        char *next = *blk + 64;
        next = next < s ? (char *)s : next;
        *blk = next;
        if (next > lim) {
            return NULL;
        }
        k = flagged64(next);
    }
    q = *blk + (unsigned)__builtin_ctzll(k);
    k &= k - 1; /* the CR's bit, then its LF's (none when the CR is bit 63) */
    *m = k & (k - 1);
    memcpy(&crlf, q, 2);
    if (crlf != ('\r' | '\n' << 8)) {
        *blk = q;
        return NULL;
    }
    return q;
}

/* Bytes head_fast() leaves after its last block: a CR in the last byte
 * cannot end a line yet (so q[1] can be read), and a line start s before
 * them has 8 bytes after it, so that header_fast() reads a name's first
 * word without a length check (a short line's word holds its CR or LF,
 * which no name it looks for holds). */
#define FAST_SPARE 8

/*
 * -O2: complete head lines ending in CRLF, their ends found with one mask
 * per 64 bytes instead of one scan per line. The scan resumes at *pp: bytes
 * from the line start *sp up to there were checked by the general loop and
 * may hold tabs or obs-text (it steps over them); from *pp on, a line is
 * taken only when no byte but its CRLF is flagged. It stops at the first
 * line it cannot take whole (incomplete, any other flagged byte, the blank
 * line of an interim response) and leaves that line to the general loop,
 * with *sp its start and *pp where the scan goes on (the bytes in between
 * are checked). The lines it takes go through status_fast(), header_fast()
 * and framing(), whose outcome is line()'s, so both routes give the same
 * outcome; a Content-Length body that is all there is taken too (*st
 * ST_DONE, *sp past it).
 */
static CCAT_HOT_INLINE ccat_status_t head_fast(ccat_http_response_t *r, char **sp, char **pp, char *end,
                               unsigned *st)
{
    char *b = r->buf, *s = *sp, *blk = *pp, *q;
    const char *lim; /* the last start of a block: FAST_SPARE bytes stay after it */
    ccat_status_t err = CCAT_OK;
    uint64_t m;
    if (end - blk < 64 + FAST_SPARE) {
        return CCAT_OK;
    }
    lim = end - (64 + FAST_SPARE);
    m = flagged64(blk);
    if (s == b) {
        q = line_end(&blk, &m, s, lim);
        if (q == NULL) {
            goto out;
        }
        err = status_fast(r, s, q);
        if (err != CCAT_OK) {
            goto out;
        }
        s = q + 2;
    }
    for (;;) {
        q = line_end(&blk, &m, s, lim);
        if (q == NULL) {
            goto out;
        }
        if (q == s) {
            break;
        }
        err = header_fast(r, s, q);
        if (err != CCAT_OK) {
            goto out;
        }
        s = q + 2;
    }
    if (r->flags == (F_KEEP | F_LENGTH) && (unsigned)(r->status - 200) < 100 && r->status != 204) {
        /* framing()'s outcome for the usual 2xx with a Content-Length. */
        q = s = q + 2;
        r->body = s;
        r->keep_alive = 1;
        *st = ST_LENGTH;
        if (r->length <= (size_t)(end - s)) {
            /* The whole body is there (so it fits): no move, no copy. */
            *sp = s + r->length;
            *pp = *sp;
            *st = ST_DONE;
            return CCAT_OK;
        }
        r->remaining = (size_t)r->length; /* used only when it fits */
        if (r->length > (size_t)(b + r->cap - s)) {
            err = CCAT_ERR_RESPONSE_TOO_LARGE;
        }
    } else if (r->status < 200 && r->status != 101) {
        goto out; /* the blank line of an interim response */
    } else {
        q = s = q + 2;
        err = framing(r, s);
        *st = r->state;
    }
    *sp = s;
    *pp = q;
    return err;
out:
    *sp = s;
    *pp = q == NULL ? blk : q;
    return err;
}
#endif

void ccat_http_response_init(ccat_http_response_t *resp, char *buf, size_t cap)
{
    if (resp != NULL) {
#ifdef __OPTIMIZE_SIZE__
        memset(resp, 0, sizeof *resp);
#else
        /* -O2: field stores, where the memset of the whole struct is a
         * rep stos that costs more than the stores. */
        resp->status = 0;
        resp->body_len = 0;
        resp->request_id = resp->error_type = resp->date = NULL;
        resp->keep_alive = 0;
        resp->used = resp->scan = 0;
        resp->remaining = 0;
        resp->state = ST_HEAD;
        resp->flags = 0;
#endif
        resp->buf = resp->body = buf; /* the head's lines are counted in body_len */
        resp->cap = buf ? cap : 0;
        if (resp->cap == 0) {
            /* Fail now, so that space() is never 0 without a reported error. */
            fail(resp, buf ? CCAT_ERR_HTTP_HEADERS_TOO_LARGE : CCAT_ERR_ARGUMENT);
        }
    }
}

size_t ccat_http_response_space(ccat_http_response_t *resp, char **space)
{
    if (resp == NULL || space == NULL) {
        return 0;
    }
    *space = resp->buf;
    if (resp->state & ST_ERROR) {
        return 0;
    }
    *space += resp->used;
    return resp->cap - resp->used;
}

/*
 * Save where parsing stands: a pending line s[0..end) moves down to out
 * (in a data state, or when done, all bytes were taken: s is end),
 * the line scan resumes at p. Bytes up to top that are no longer kept are
 * cleared: moving chunk data down leaves copies of it (maybe of a secret)
 * behind. Returns the result of advance().
 */
static ccat_status_t finish(ccat_http_response_t *r, unsigned st, char *out, char *s, char *p,
                            char *end, char *top)
{
    char *b = r->buf;
    size_t n = (size_t)(end - s);
    memmove(out, s, n); /* no test for the no-op cases: smaller */
    memset(out + n, 0, (size_t)(top - (out + n)));
    r->state = (uint8_t)st;
    r->scan = (size_t)(out - b) + (size_t)(p - s);
    r->used = (size_t)(out - b) + n;
    r->body_len = (size_t)(out - r->body);
    if (st == ST_DONE) {
        return CCAT_OK;
    }
    if (r->used == r->cap) {
        return fail(r, st == ST_HEAD ? CCAT_ERR_HTTP_HEADERS_TOO_LARGE
                                     : CCAT_ERR_RESPONSE_TOO_LARGE);
    }
    return CCAT_AGAIN;
}

/* Forget an interim (1xx) response that ended at p: the next head starts at
 * 0 (finish() clears what is left behind). */
static char *drop_interim(ccat_http_response_t *r, char *p, char *end)
{
    memmove(r->buf, p, (size_t)(end - p));
    r->flags = 0; /* length is read only under F_LENGTH */
    r->request_id = r->error_type = r->date = NULL;
    return end - (p - r->buf);
}

#ifdef SCAN_SSE2
/*
 * -O2: a call that starts in the head tries head_fast() first, in a function
 * of its own, so that the usual whole response costs neither the general
 * loop's set-up nor finish(). Where it stops, its progress is stored (state,
 * body_len, scan) and the general loop goes on from there.
 */
static ccat_status_t advance_loop(ccat_http_response_t *resp, size_t n);

static CCAT_NOINLINE ccat_status_t head_start(ccat_http_response_t *r, size_t n)
{
    char *b = r->buf, *s = r->body + r->body_len, *p = b + r->scan, *end = b + r->used + n;
    unsigned st = ST_HEAD;
    ccat_status_t err;
    if (end - p < 64 + FAST_SPARE) {
        return advance_loop(r, n); /* too short for a block */
    }
    err = head_fast(r, &s, &p, end, &st);
    if (err != CCAT_OK) {
        return fail(r, err);
    }
    if (st == ST_DONE) {
        if (s != end) {
            return fail(r, CCAT_ERR_HTTP_EXCESS_DATA);
        }
        /* What finish() would store. */
        r->state = ST_DONE;
        r->used = r->scan = (size_t)(end - b);
        r->body_len = (size_t)(end - r->body);
        return CCAT_OK;
    }
    r->state = (uint8_t)st;
    r->body_len = (size_t)(s - r->body); /* 0 when the head is complete */
    r->scan = (size_t)(p - b);
    return advance_loop(r, n);
}
#endif

#ifdef SCAN_SSE2
/* advance() after head_start(): the general loop. */
static CCAT_NOINLINE ccat_status_t advance_loop(ccat_http_response_t *resp, size_t n)
#else
ccat_status_t ccat_http_response_advance(ccat_http_response_t *resp, size_t n)
#endif
{
    char *b, *end, *top, *out, *s, *p;
    unsigned st, was;
    ccat_status_t err = CCAT_OK;
    if (resp == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    if (resp->state & ST_ERROR) {
        return (ccat_status_t)(resp->state - 256);
    }
    if (n > resp->cap - resp->used) {
        return fail(resp, CCAT_ERR_ARGUMENT);
    }
    b = resp->buf;
    top = end = b + resp->used + n;
    st = resp->state;
    /* out: end of the kept bytes (head lines, then the decoded body); s: the
     * pending line or the data still to take; p: where the line scan resumes. */
    out = s = resp->body + resp->body_len;
    p = b + resp->scan;
    while (st != ST_DONE) {
        char *e;
        if (st >= ST_LENGTH) {
            /* Body data: it only moves for chunked data, over its framing. */
            size_t k = (size_t)(end - s);
            if (resp->remaining < k) {
                k = resp->remaining;
            }
            resp->remaining -= k;
            memmove(out, s, k); /* a no-op unless chunked */
            out += k;
            p = s += k;
            if (resp->remaining != 0) {
                break; /* always for ST_UNTIL_EOF */
            }
            st = st == ST_LENGTH ? ST_DONE : ST_DATA_END;
            continue;
        }
#ifdef SCAN_SSE2
        if (st == ST_HEAD) {
            err = head_fast(resp, &s, &p, end, &st);
            out = s; /* head lines are kept */
            if (err != CCAT_OK) {
                break;
            }
            if (st != ST_HEAD) {
                continue;
            }
        }
#endif
        e = p = skip_plain(p, end);
        if (st == ST_DATA_END && e != s) {
            /* Data longer than its size: reported as soon as a byte that
             * is not a line end's shows up (the scan starts at s here, or
             * at -O2 just past a tab or obs-text byte it stopped at). */
            err = CCAT_ERR_HTTP_CHUNK_FRAMING;
            break;
        }
#ifndef __OPTIMIZE_SIZE__
        if ((size_t)(end - p) >= 2 && p[0] == '\r' && p[1] == '\n') {
            p++; /* -O2: the usual CRLF needs none of the checks below */
        } else
#endif
        {
            p += p < end && *p == '\r';
            if (p == end) {
                p = e;
                break; /* no line end yet (for a CR, the next byte decides) */
            }
            if (*p != '\n') {
#ifndef SCAN_TAKES_TABS
                if (p == e && (*p == '\t' || (unsigned char)*p > 0x7f)) {
                    p++;
                    continue; /* allowed inside a value, reason or extension */
                }
#endif
                /* A control byte or a bare CR. */
                err = st == ST_HEAD ? (s == b ? CCAT_ERR_HTTP_STATUS_LINE : CCAT_ERR_HTTP_HEADER)
                      : st == ST_SIZE ? CCAT_ERR_HTTP_CHUNK_SIZE
                                      : CCAT_ERR_HTTP_CHUNK_FRAMING;
                break;
            }
        }
        was = st;
        err = line(resp, &st, s, e, ++p, out);
        if (err == CCAT_AGAIN) {
            end = drop_interim(resp, p, end);
            p = b;
            err = CCAT_OK;
        } else if (err != CCAT_OK) {
            break;
        }
        s = p;
        if (was == ST_HEAD) {
            out = p; /* head lines are kept */
        }
    }
    if (err == CCAT_OK && st == ST_DONE && s < end) {
        err = CCAT_ERR_HTTP_EXCESS_DATA;
    }
    return err != CCAT_OK ? fail(resp, err) : finish(resp, st, out, s, p, end, top);
}

#ifdef SCAN_SSE2
ccat_status_t ccat_http_response_advance(ccat_http_response_t *resp, size_t n)
{
    /* In the head (so no error stored) with a valid n: the fast path first. */
    if (resp != NULL && resp->state == ST_HEAD && n <= resp->cap - resp->used) {
        return head_start(resp, n);
    }
    return advance_loop(resp, n);
}
#endif

ccat_status_t ccat_http_response_feed(ccat_http_response_t *resp, const char *data, size_t len)
{
    ccat_status_t st = ccat_http_response_advance(resp, 0);
    if (data == NULL && len != 0 && st == CCAT_AGAIN) {
        return fail(resp, CCAT_ERR_ARGUMENT);
    }
    /* advance() fails as soon as the buffer is full, so space is never 0 here. */
    while (st == CCAT_AGAIN && len != 0) {
        size_t n = resp->cap - resp->used;
        if (n > len) {
            n = len;
        }
        memcpy(resp->buf + resp->used, data, n);
        data += n;
        len -= n;
        st = ccat_http_response_advance(resp, n);
    }
    if (st == CCAT_OK && len != 0) {
        st = fail(resp, CCAT_ERR_HTTP_EXCESS_DATA);
    }
    return st;
}

ccat_status_t ccat_http_response_eof(ccat_http_response_t *resp)
{
    ccat_status_t st;
    if (resp != NULL && resp->state == ST_UNTIL_EOF) {
        resp->state = ST_DONE; /* the close delimits the body */
    }
    st = ccat_http_response_advance(resp, 0);
    return st == CCAT_AGAIN ? fail(resp, CCAT_ERR_CLOSED) : st;
}
