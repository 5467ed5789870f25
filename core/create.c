/* CreateAccessToken: parameter checks, response reading; and the request
 * writer every operation shares. */
#include <string.h>

#include "internal.h"

#if defined(__SSE2__) && !defined(__OPTIMIZE_SIZE__)
#include <emmintrin.h>
#endif

#define NAME_MAX_CODE_POINTS 100


/* What the parameter check learns about the name, for the body writer. */
typedef struct create_in {
    const ccat_create_params_t *params;
    size_t name_len; /* strlen(name) */
#ifndef __OPTIMIZE_SIZE__
    int plain; /* 1: printable ASCII without '"' or '\\' (its own JSON text) */
#else
    /* -Os: the expiry's text, written by the range check (ccat_time_format()
     * checks the range: no check of its own here). */
    char expires[CCAT_TIME_TEXT_MAX];
    size_t expires_len;
#endif
} create_in_t;

#ifndef __OPTIMIZE_SIZE__
/*
 * 1 if every byte of s[0..n) is printable ASCII other than '"' and '\\': then
 * the text is valid UTF-8 of n code points and its own JSON string, so that
 * neither ccat_utf8_count() nor ccat_json_escape() is needed (the usual name).
 * -O2 only: at -Os those two do all names (less code).
 */
static CCAT_HOT_INLINE int plain_text(const char *s, size_t n)
{
    const size_t ones = (size_t)-1 / 255, highs = ones * 0x80;
    if (n < sizeof(size_t)) {
        for (; n > 0; s++, n--) {
            unsigned c = (unsigned char)*s;
            if (c - 0x20u > 0x7eu - 0x20u || c == '"' || c == '\\') {
                return 0;
            }
        }
        return 1;
    }
    /* A word at a time: a byte below 0x20, equal to '"' or '\\' borrows, 0x7f
     * carries into its high bit, and 0x80 and up have it set. A borrow or
     * carry only crosses into the next byte from a byte that is a hit itself,
     * so the word's test is exact as a boolean. */
    size_t hits = 0;
    for (const char *const last = s + n - sizeof(size_t);; s += sizeof(size_t)) {
        s = s > last ? last : s; /* the last word overlaps bytes already seen */
        size_t w;
        memcpy(&w, s, sizeof(w));
        hits |= (w - ones * 0x20) | ((w ^ (ones * '"')) - ones) | ((w ^ (ones * '\\')) - ones) |
                (w + ones) | w;
        if (s == last) {
            return (hits & highs) == 0;
        }
    }
}
#endif

/* ccat_create_params_check(), keeping what the body writer needs in *c. */
static CCAT_HOT_INLINE ccat_status_t params_check(const ccat_create_params_t *params, create_in_t *c)
{
    if (params == NULL || params->name == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    size_t len = strlen(params->name);
#ifndef __OPTIMIZE_SIZE__
    int plain = plain_text(params->name, len);
    long n = plain ? (long)len : ccat_utf8_count(params->name, len);
#else
    long n = ccat_utf8_count(params->name, len);
#endif
    if ((unsigned long)n - 1 >= NAME_MAX_CODE_POINTS) { /* one test: n is -1 when not UTF-8 */
        return n < 0 ? CCAT_ERR_NAME_UTF8 : CCAT_ERR_NAME_LENGTH;
    }
    if (params->has_expires_time) {
#ifdef __OPTIMIZE_SIZE__
        int k = ccat_time_format(params->expires_time, c->expires);
        if (k < 0) {
            return (ccat_status_t)k; /* CCAT_ERR_EXPIRES_RANGE */
        }
        c->expires_len = (size_t)k;
#else
        if (!CCAT_TIME_IN_RANGE(params->expires_time)) {
            return CCAT_ERR_EXPIRES_RANGE;
        }
#endif
    }
    c->params = params;
    c->name_len = len;
#ifndef __OPTIMIZE_SIZE__
    c->plain = plain;
#endif
    return CCAT_OK;
}

ccat_status_t ccat_create_params_check(const ccat_create_params_t *params)
{
    create_in_t c;
    return params_check(params, &c);
}

int ccat_has_control(const char *s, size_t n)
{
#if defined(__SSE2__) && !defined(__OPTIMIZE_SIZE__)
    /* x86-64 at -O2: 16 bytes at a time, no test inside the loop (a token is
     * short and nearly always good): the smallest byte of each lane and
     * whether any byte was 0x7f are kept, then one look at both. */
    if (n >= 16) {
        const __m128i del = _mm_set1_epi8(0x7f);
        __m128i low = _mm_set1_epi8(-1), hit = _mm_setzero_si128(), v;
        /* Whole blocks, then the last 16 bytes (overlapping): no byte loop. */
        const char *const last = s + n - 16;
        for (; s < last; s += 16) {
            v = _mm_loadu_si128((const __m128i *)(const void *)s);
            low = _mm_min_epu8(low, v);
            hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, del));
        }
        v = _mm_loadu_si128((const __m128i *)(const void *)last);
        low = _mm_min_epu8(low, v);
        hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, del));
        /* A lane whose smallest byte is below 0x20 has a control character. */
        hit = _mm_or_si128(hit, _mm_cmpeq_epi8(_mm_min_epu8(low, _mm_set1_epi8(0x1f)), low));
        return _mm_movemask_epi8(hit) != 0;
    }
#endif
#ifndef __OPTIMIZE_SIZE__
    /* Word at a time: the classic "has a byte less than / equal to" tests.
     * (-Os: the byte loop alone, the least code.) */
    const size_t ones = (size_t)-1 / 255, highs = ones * 0x80;
    for (; n >= sizeof(size_t); s += sizeof(size_t), n -= sizeof(size_t)) {
        size_t w, d;
        memcpy(&w, s, sizeof(w));
        d = w ^ (ones * 0x7f);
        if ((((w - ones * 0x20) & ~w) | ((d - ones) & ~d)) & highs) {
            return 1;
        }
    }
#endif
    for (; n > 0; s++, n--) {
        if (ccat_is_control((unsigned char)*s)) {
            return 1;
        }
    }
    return 0;
}

ccat_status_t ccat_bearer_token_check(const char *token)
{
    if (token == NULL || *token == '\0') {
        return CCAT_ERR_TOKEN_MISSING;
    }
    return ccat_has_control(token, strlen(token)) ? CCAT_ERR_TOKEN_INVALID : CCAT_OK;
}

/* ---- the request writer -------------------------------------------------- */

/* Remembers that something did not fit; no later byte will (cap shrinks to len). */
static void overflow(ccat_writer_t *w)
{
    w->overflow = 1;
    w->cap = w->len;
}

#ifndef __OPTIMIZE_SIZE__
/* Room for n more bytes: where they go, or NULL when they do not fit
 * (remembered). -O2 only: one check for several pieces. */
static CCAT_HOT_INLINE char *take(ccat_writer_t *w, size_t n)
{
    if (n > w->cap - w->len) {
        overflow(w);
        return NULL;
    }
    char *p = w->p + w->len;
    w->len += n;
    return p;
}
#endif

void ccat_put(ccat_writer_t *w, const char *s, size_t n)
{
    size_t len = w->len;
    if (n > w->cap - len) {
        overflow(w);
    } else if (n != 0) { /* keeps memcpy away from a NULL source */
        w->len = len + n;
        memcpy(w->p + len, s, n);
    }
}

#define PUT_LIT(w, lit) ccat_put((w), (lit), sizeof(lit) - 1)

/* Writes the decimal digits of v so that they end at end; returns their start. */
static CCAT_SMALL_NOINLINE char *digits(char *end, size_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return end;
}

void ccat_put_uint(ccat_writer_t *w, size_t v)
{
    char text[20], *end = text + sizeof(text), *s = digits(end, v);
    ccat_put(w, s, (size_t)(end - s));
}

void ccat_put_json(ccat_writer_t *w, const char *s, size_t n)
{
    size_t k = ccat_json_escape(w->p + w->len, w->cap - w->len, s, n);
    if (k == 0) {
        overflow(w);
    }
    w->len += k;
}

#ifndef __OPTIMIZE_SIZE__
/* Copies n bytes to p, room for which was taken; returns their end. */
static char *cpy(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}
#endif

#define UA_LINE "\r\nUser-Agent: ccat/" CCAT_VERSION_STRING " "
#define AUTH_LINE "\r\nAuthorization: Bearer "

#ifdef __OPTIMIZE_SIZE__
/* The head, up to the body. -Os: a table of the pieces, put in one loop
 * (less code than a call for each). */
static void put_head(ccat_writer_t *w, const ccat_op_t *op, const ccat_request_ctx_t *ctx,
                     const void *in, size_t token_len)
{
    const ccat_endpoint_t *ep = ctx->endpoint;
    /* The fixed pieces in one array (one address to load, the others
     * offsets from it): the brackets, the two lines, the default platform. */
    static const char fixed[] = "[]" UA_LINE AUTH_LINE CCAT_PLATFORM_STRING;
    const size_t ua = 2, auth = sizeof("[]" UA_LINE) - 1, dflt = sizeof("[]" UA_LINE AUTH_LINE) - 1;
    const char *platform = ctx->platform != NULL ? ctx->platform : fixed + dflt;
    struct {
        const char *s;
        size_t n;
    } piece[12];
    piece[4].n = strlen(ep->host);
    piece[8].n = strlen(platform);
    /* ":port" unless it is the scheme's (formatted either way: less code). */
    char port[8], *port_end = port + sizeof(port), *port_start = digits(port_end, ep->port) - 1;
    *port_start = ':';
    piece[0].s = op->line;
    piece[0].n = op->method_len;
    piece[1].s = ep->base_path;
    piece[1].n = ep->base_path_len;
    piece[2].s = op->line + op->method_len;
    piece[2].n = op->rest_len;
    piece[11].s = piece[2].s + piece[2].n; /* the tail follows the line */
    piece[3].s = fixed; /* an IPv6 literal goes in brackets */
    piece[3].n = ep->ipv6;
    piece[4].s = ep->host;
    piece[5].s = fixed + 1;
    piece[5].n = ep->ipv6;
    piece[6].s = port_start;
    piece[6].n = ep->port_explicit ? (size_t)(port_end - port_start) : 0;
    piece[7].s = fixed + ua;
    piece[7].n = sizeof(UA_LINE) - 1;
    piece[8].s = platform;
    piece[9].s = fixed + auth;
    piece[9].n = sizeof(AUTH_LINE) - 1;
    piece[10].s = ctx->bearer_token;
    piece[10].n = token_len;
    piece[11].n = op->tail_len;
    for (size_t i = 0; i < sizeof(piece) / sizeof(piece[0]); i++) {
        if (i == 3 && op->path_rest != NULL) {
            op->path_rest(w, in);
        }
        ccat_put(w, piece[i].s, piece[i].n);
    }
}
#else
/*
 * The head, up to the body. -O2: the lengths are known, so one room check
 * for the request line and one for the rest, then plain copies (no checks
 * and reloads of the writer between pieces).
 */
static CCAT_HOT_INLINE void put_head(ccat_writer_t *w, const ccat_op_t *op, const ccat_request_ctx_t *ctx,
                     const void *in, size_t token_len)
{
    const ccat_endpoint_t *ep = ctx->endpoint;
    size_t base_len = ep->base_path_len;
    size_t line_len = op->method_len + (size_t)op->rest_len;
    char *p = take(w, base_len + line_len);
    if (p != NULL) {
        if (base_len == 0) { /* the usual endpoint: one copy */
            cpy(p, op->line, line_len);
        } else {
            p = cpy(cpy(p, op->line, op->method_len), ep->base_path, base_len);
            cpy(p, op->line + op->method_len, op->rest_len);
        }
    }
    if (op->path_rest != NULL) {
        op->path_rest(w, in);
    }
    char port[8], *port_end = port + sizeof(port), *port_start = port_end;
    if (ep->port_explicit) {
        port_start = digits(port_end, ep->port) - 1;
        *port_start = ':';
    }
    size_t port_len = (size_t)(port_end - port_start), host_len = strlen(ep->host);
    /* The default platform's lines are one copy, not three and a strlen. */
    static const char lines[] = UA_LINE CCAT_PLATFORM_STRING AUTH_LINE;
    const char *platform = ctx->platform;
    size_t platform_len = platform != NULL ? strlen(platform) : 0;
    size_t lines_len = platform != NULL ? sizeof(UA_LINE AUTH_LINE) - 1 + platform_len
                                        : sizeof(lines) - 1;
    p = take(w, 2u * ep->ipv6 + host_len + port_len + lines_len + token_len + op->tail_len);
    if (p != NULL) {
        *p = '['; /* an IPv6 literal goes in brackets (else overwritten) */
        p = cpy(p + ep->ipv6, ep->host, host_len);
        *p = ']';
        p = cpy(p + ep->ipv6, port_start, port_len);
        if (platform == NULL) {
            p = cpy(p, lines, sizeof(lines) - 1); /* fixed size: a few moves */
        } else {
            p = cpy(cpy(p, UA_LINE, sizeof(UA_LINE) - 1), platform, platform_len);
            p = cpy(p, AUTH_LINE, sizeof(AUTH_LINE) - 1);
        }
        cpy(cpy(p, ctx->bearer_token, token_len), op->line + line_len, op->tail_len);
    }
}
#endif

/*
 * The body, which starts at offset start, went after room for `guess`
 * digits of its length and the blank line: its length goes there in place.
 * The body moves only when its length has more digits (ccat_op_t: never
 * fewer).
 */
static CCAT_HOT_INLINE void put_length(ccat_writer_t *w, size_t start, size_t guess)
{
    size_t n = w->len - start;
#ifndef __OPTIMIZE_SIZE__
    if (w->overflow) {
        return; /* the length may be meaningless then */
    }
    if (guess == 2 && n - 10 < 90) { /* -O2: the usual case without a loop */
        char *at = w->p + start - 4 - guess;
        at[0] = (char)('0' + n / 10);
        at[1] = (char)('0' + n % 10);
        return;
    }
#endif
    char text[20], *end = text + sizeof(text), *s = digits(end, n);
    size_t k = (size_t)(end - s);
    /* Room for the extra digits, if any: the bytes put there are
     * placeholders, which the move covers. (After an overflow, nothing is
     * put or moved: no test of its own for that.) */
    ccat_put(w, s, k - guess);
    if (!w->overflow) {
        /* The blank line and the body after the length (a move of 0 bytes
         * when the guess was right: one path, less code). */
        char *at = w->p + start - 4 - guess; /* where the digits go */
        memmove(at + k, at + guess, 4 + n);
        memcpy(at, s, k);
    }
}

/* ccat_request_write(). -O2: inlined into CreateAccessToken's writer too,
 * where create_op's lengths and body writer are constants (fixed-size
 * copies, no indirect call); -Os: it is ccat_request_write(), the one copy. */
#ifdef __OPTIMIZE_SIZE__
ccat_status_t ccat_request_write(const ccat_op_t *op, const ccat_request_ctx_t *ctx,
                                 const void *in, char *buf, size_t cap, size_t *out_len)
#else
static CCAT_HOT_INLINE ccat_status_t request_write(const ccat_op_t *op, const ccat_request_ctx_t *ctx,
                                               const void *in, char *buf, size_t cap,
                                               size_t *out_len)
#endif
{
    if (ctx == NULL || ctx->endpoint == NULL || buf == NULL || out_len == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    /* ccat_bearer_token_check() with one strlen for the check and the copy. */
    const char *token = ctx->bearer_token;
#ifdef __OPTIMIZE_SIZE__
    /* -Os: the length and the check in one walk (no strlen() call, and
     * ccat_has_control() stays off the create path). */
    size_t token_len = 0;
    for (; token != NULL && token[token_len] != '\0'; token_len++) {
        if (ccat_is_control((unsigned char)token[token_len])) {
            return CCAT_ERR_TOKEN_INVALID;
        }
    }
    if (token_len == 0) {
        return CCAT_ERR_TOKEN_MISSING;
    }
#else
    size_t token_len = token != NULL ? strlen(token) : 0;
    if (token_len == 0) {
        return CCAT_ERR_TOKEN_MISSING;
    }
    if (ccat_has_control(token, token_len)) {
        return CCAT_ERR_TOKEN_INVALID;
    }
#endif
    ccat_writer_t w = {buf, cap, 0, 0};
    put_head(&w, op, ctx, in, token_len);
    if (op->body != NULL) {
        size_t start = w.len;
        op->body(&w, in);
        put_length(&w, start, op->body_digits);
    }
    ccat_status_t st = CCAT_OK;
    if (w.overflow) {
        ccat_wipe(buf, cap); /* it may hold part of the token */
        w.len = 0;
        st = CCAT_ERR_BUFFER_TOO_SMALL;
    }
    *out_len = w.len;
    return st;
}

#ifndef __OPTIMIZE_SIZE__
ccat_status_t ccat_request_write(const ccat_op_t *op, const ccat_request_ctx_t *ctx,
                                 const void *in, char *buf, size_t cap, size_t *out_len)
{
    return request_write(op, ctx, in, buf, cap, out_len);
}
#endif

/* ---- CreateAccessToken's request ------------------------------------------ */

#define NAME_KEY "{\"name\":"
#define EXPIRES_KEY ",\"expiresTime\":\""

static CCAT_HOT_INLINE void create_body(ccat_writer_t *w, const void *in)
{
    const create_in_t *c = in;
    const ccat_create_params_t *params = c->params;
#ifndef __OPTIMIZE_SIZE__
    if (c->plain) {
        /* -O2, a name without escapes: the body's length is known, so one
         * room check and plain writes. */
        size_t n = c->name_len, t = 0;
        if (params->has_expires_time) {
            t = sizeof(EXPIRES_KEY) - 1 + CCAT_TIME_TEXT_LEN(params->expires_time) + 1;
        }
        char *p = take(w, sizeof(NAME_KEY "\"\"}") - 1 + n + t);
        if (p != NULL) {
            p = cpy(p, NAME_KEY "\"", sizeof(NAME_KEY));
            p = cpy(p, params->name, n);
            *p++ = '"';
            if (t != 0) {
                p = cpy(p, EXPIRES_KEY, sizeof(EXPIRES_KEY) - 1);
                p += ccat_time_text(params->expires_time, p);
                *p++ = '"';
            }
            *p = '}';
        }
        return;
    }
#endif
    /* The body's fixed texts in one array (one address to load), no NULs;
     * the expiry's closing quote is the one before the '}' (put with it). */
    CCAT_TEXT(lit, NAME_KEY EXPIRES_KEY "\"}");
    const size_t expires_key = sizeof(NAME_KEY) - 1, brace = sizeof(NAME_KEY EXPIRES_KEY "\"") - 1;
    size_t quote = 0; /* 1: the expiry's closing quote goes before the '}' */
    ccat_put(w, lit, expires_key);
    ccat_put_json(w, params->name, c->name_len);
    if (params->has_expires_time) {
#ifdef __OPTIMIZE_SIZE__
        const char *text = c->expires; /* formatted by params_check() */
        size_t n = c->expires_len;
#else
        char text[CCAT_TIME_TEXT_MAX];
        size_t n = (size_t)ccat_time_format(params->expires_time, text); /* in range: checked */
#endif
        ccat_put(w, lit + expires_key, sizeof(EXPIRES_KEY) - 1);
        ccat_put(w, text, n);
        quote = 1;
    }
    ccat_put(w, lit + brace - quote, 1 + quote);
}

/* The shortest body, {"name":"x"}, has a two-digit length. */
CCAT_OP_DEFINE(create_op, "PUT ", "/v1/accessTokens HTTP/1.1\r\nHost: ",
               "\r\nContent-Type: application/json\r\nContent-Length: 00\r\n\r\n", NULL,
               create_body, 2);

ccat_status_t ccat_create_request_write(const ccat_request_ctx_t *ctx,
                                        const ccat_create_params_t *params,
                                        char *buf, size_t cap, size_t *out_len)
{
    create_in_t c;
    ccat_status_t st = params_check(params, &c);
#ifdef __OPTIMIZE_SIZE__
    return st != CCAT_OK ? st : ccat_request_write(&create_op, ctx, &c, buf, cap, out_len);
#else
    return st != CCAT_OK ? st : request_write(&create_op, ctx, &c, buf, cap, out_len);
#endif
}

/* ---- the response -------------------------------------------------------- */

/* In the order they are checked (which error wins when several members are
 * bad), so that at[i] is the i-th to check. (The service sends expiresTime
 * before accessTokenId, and at -O2 ccat_json_members tries the next name
 * first: a body from the service costs it one more comparison per key.) */
CCAT_TEXT(token_keys, "\6" "secret" "\4" "name" "\15" "accessTokenId" "\13" "expiresTime");

#ifndef __OPTIMIZE_SIZE__
/* ccat_member_string() for a plain text (see ccat_body_parse_plain()): the
 * string needs no decoding, only its NUL where the closing quote was. */
static CCAT_HOT_INLINE ccat_status_t
member_plain(char *js, const jsmntok_t *toks, int i, const char **out, size_t *len)
{
    if (i < 0) {
        return CCAT_ERR_RESPONSE_MISSING;
    }
    if (toks[i].type != JSMN_STRING) {
        return CCAT_ERR_RESPONSE_TYPE;
    }
    js[toks[i].end] = '\0';
    *out = js + toks[i].start;
    *len = (size_t)(toks[i].end - toks[i].start);
    return CCAT_OK;
}

/* A required member (the value at token i): a non-empty string. */
static CCAT_HOT_INLINE ccat_status_t
required(int plain, char *js, const jsmntok_t *toks, int i, const char **out, size_t *len)
{
    ccat_status_t st = plain ? member_plain(js, toks, i, out, len)
                             : ccat_member_string(js, toks, i, out, len);
    return st != CCAT_OK || *len != 0 ? st : CCAT_ERR_RESPONSE_TYPE;
}

/* The four members, checked in this order (which error wins when several
 * are bad): secret, name, accessTokenId, expiresTime. */
static CCAT_HOT_INLINE ccat_status_t
read_members(int plain, char *js, const jsmntok_t *toks, const int at[4], ccat_access_token_t *tok)
{
    const char *expires;
    size_t len;
    ccat_status_t st;
    if ((st = required(plain, js, toks, at[0], &tok->secret, &tok->secret_len)) != CCAT_OK ||
        (st = required(plain, js, toks, at[1], &tok->name, &len)) != CCAT_OK ||
        (st = required(plain, js, toks, at[2], &tok->access_token_id, &len)) != CCAT_OK ||
        (st = required(plain, js, toks, at[3], &expires, &len)) != CCAT_OK) {
        return st;
    }
    return ccat_time_parse(expires, len, &tok->expires_time) == CCAT_OK ? CCAT_OK
                                                                        : CCAT_ERR_RESPONSE_TYPE;
}

/* Is the key text p[0..len), which has no escape, the name lit? */
#define KEY_IS(p, len, lit) ((len) == sizeof(lit) - 1 && memcmp(p, lit, sizeof(lit) - 1) == 0)

/*
 * ccat_json_members(js, toks, n, 0, token_keys, 4, at) for a plain text
 * (see ccat_body_parse_plain()): no key has an escape, so a key is one of
 * the names exactly when its bytes are; the names are constants here, each
 * compared inline (no packed list to walk, no call).
 */
static CCAT_HOT_INLINE void
token_members_plain(const char *js, const jsmntok_t *toks, int n, int at[4])
{
    at[0] = at[1] = at[2] = at[3] = -1;
    const jsmntok_t *t = toks + 1;              /* a key of the root object */
    const jsmntok_t *const last = toks + n - 1; /* a key needs a value after it */
    int vi = 2;                                 /* the index of the key's value */
    for (int m = toks[0].size; m > 0 && t < last; m--) {
        const char *p = js + t->start;
        const size_t len = (size_t)(t->end - t->start);
        const jsmntok_t *const v = t + 1;
        int k = KEY_IS(p, len, "secret")          ? 0
                : KEY_IS(p, len, "name")          ? 1
                : KEY_IS(p, len, "expiresTime")   ? 3
                : KEY_IS(p, len, "accessTokenId") ? 2
                                                  : -1;
        if (k >= 0) {
            at[k] = vi; /* a later duplicate overwrites it */
        }
        /* The next key: skip the value and everything nested inside it. */
        t = v + 1;
        vi += 2;
        if (v->type < JSMN_STRING) {
            for (; t <= last && t->start < v->end; t++) {
            }
            vi = (int)(t - toks) + 1;
        }
    }
}

/* -O2: the four members one after the other (no tables, all inline), in
 * one sequence for plain texts and one for the others. */
static ccat_status_t read_token(ccat_http_response_t *resp, ccat_access_token_t *tok)
{
    jsmntok_t *toks;
    int plain;
    int n = ccat_body_parse_plain(resp, &toks, &plain);
    if (n < 0) {
        return (ccat_status_t)n;
    }
    int at[4];
    char *const js = resp->body;
    if (plain) {
        token_members_plain(js, toks, n, at);
        return read_members(1, js, toks, at, tok);
    }
    ccat_json_members(js, toks, n, 0, token_keys, 4, at);
    return read_members(0, js, toks, at, tok);
}
#else
/* -Os: one loop over the members in the same order (the smallest code).
 * Returns a ccat_status_t as an int (no narrowing of ccat_body_members()'s
 * error to test). */
static int read_token(ccat_http_response_t *resp, ccat_access_token_t *tok)
{
    jsmntok_t *toks;
    int at[4];
    int n = ccat_body_members(resp, &toks, token_keys, 4, at);
    if (n < 0) {
        return n;
    }
    /* Each value with its length (one pointer to advance, not two arrays). */
    struct {
        const char *v;
        size_t len;
    } m[4], *p = m;
    for (const int *a = at; a != at + 4; a++, p++) {
        ccat_status_t st = ccat_member_string(resp->body, toks, *a, &p->v, &p->len);
        if (st != CCAT_OK || p->len == 0) {
            return st != CCAT_OK ? st : CCAT_ERR_RESPONSE_TYPE;
        }
    }
    tok->secret = m[0].v;
    tok->secret_len = m[0].len;
    tok->name = m[1].v;
    tok->access_token_id = m[2].v;
    return ccat_time_parse(m[3].v, m[3].len, &tok->expires_time) == CCAT_OK
               ? CCAT_OK
               : CCAT_ERR_RESPONSE_TYPE;
}
#endif

ccat_status_t ccat_create_response_read(ccat_http_response_t *resp,
                                        ccat_access_token_t *tok, ccat_error_t *err)
{
    if (resp == NULL || tok == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    int st = ccat_response_begin(resp, err, 201);
    if (st == CCAT_OK) {
        st = read_token(resp, tok); /* success sets every member of *tok */
    }
    if (st != CCAT_OK) {
        /* Whatever part of a secret arrived must not survive a failure (an
         * error response's body holds err's strings: it stays). */
        if (resp->status < 300) {
            ccat_wipe(resp->body, resp->body_len);
        }
        memset(tok, 0, sizeof(*tok));
    }
    return (ccat_status_t)st;
}

/* ---- blocking ------------------------------------------------------------ */

static ccat_status_t create_write(const ccat_request_ctx_t *ctx, const void *in, char *buf,
                                  size_t cap, size_t *out_len)
{
    return ccat_create_request_write(ctx, in, buf, cap, out_len);
}

static ccat_status_t create_read(ccat_http_response_t *resp, void *out, ccat_error_t *err)
{
    return ccat_create_response_read(resp, out, err);
}

ccat_status_t ccat_create_access_token(ccat_client_t *c, const ccat_create_params_t *params,
                                       ccat_access_token_t *tok)
{
    if (c == NULL || params == NULL || tok == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    memset(tok, 0, sizeof(*tok));
    return ccat_client_call(c, create_write, params, create_read, tok);
}
