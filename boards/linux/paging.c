/**
 * @file paging.c
 * @brief The AWS CLI's paging tokens for `ccat list-access-tokens`.
 *
 * With --max-items, botocore's paginator stops mid-way and prints a
 * NextToken the user hands back as --starting-token: base64 of Python's
 * json.dumps({"nextToken": TOKEN-or-null, "boto_truncate_amount": N}), N
 * being the items of that page already printed. This file writes that text
 * byte for byte (json.dumps escapes every non-ASCII character as \uXXXX) and
 * reads it back, with botocore's fallback for anything that is not such a
 * token. Pure functions: unit tested in tests/cli/unit_output.c and compared
 * with botocore in tests/cli/test_cli_list.py.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** @brief Standard base64 with padding; 0 if @p cap is too small. */
static size_t b64_encode(const unsigned char *in, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    if ((n + 2) / 3 * 4 >= cap)
        return 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = b64[v >> 18];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

/** @brief Strict base64 (padding required, nothing else allowed); -1 if not. */
static long b64_decode(const char *in, unsigned char *out, size_t cap)
{
    size_t n = strlen(in), o = 0;
    if (n == 0 || n % 4 != 0 || n / 4 * 3 > cap)
        return -1;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = 0;
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            const char *p = in[i + k] != '\0' ? strchr(b64, in[i + k]) : NULL;
            if (in[i + k] == '=' && i + 4 == n && k >= 2 && (k == 3 || in[i + 3] == '=')) {
                pad++;
                v <<= 6;
                continue;
            }
            if (p == NULL || pad != 0)
                return -1;
            v = v << 6 | (uint32_t)(p - b64);
        }
        out[o++] = (unsigned char)(v >> 16);
        if (pad < 2)
            out[o++] = (unsigned char)(v >> 8);
        if (pad < 1)
            out[o++] = (unsigned char)v;
    }
    return (long)o;
}

/* ---- JSON, only as much as these tokens need --------------------------------- */

/** @brief Appends to a fixed buffer, remembering overflow. */
typedef struct jw {
    char *p;
    size_t cap, len;
    int full;
} jw_t;

static void jw_put(jw_t *w, const char *s, size_t n)
{
    if (w->full || n > w->cap - w->len) {
        w->full = 1;
        return;
    }
    memcpy(w->p + w->len, s, n);
    w->len += n;
}

/** @brief Next code point of UTF-8 text (the core checked it); advances *s. */
static uint32_t utf8_next(const unsigned char **s)
{
    const unsigned char *p = *s;
    uint32_t c = *p++;
    int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
    c &= more == 3 ? 0x07u : more == 2 ? 0x0fu : more == 1 ? 0x1fu : 0x7fu;
    for (; more > 0 && (*p & 0xc0) == 0x80; more--)
        c = c << 6 | (*p++ & 0x3fu);
    *s = p;
    return c;
}

/** @brief s as Python's json.dumps writes a str (ensure_ascii=True). */
static void jw_string(jw_t *w, const char *s)
{
    char e[16];
    jw_put(w, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0';) {
        uint32_t c = utf8_next(&p);
        const char *sh = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n"
                         : c == '\r' ? "\\r" : c == '\t' ? "\\t" : c == '\b' ? "\\b"
                         : c == '\f' ? "\\f" : NULL;
        int n;
        if (sh != NULL)
            n = snprintf(e, sizeof e, "%s", sh);
        else if (c >= 0x20 && c < 0x7f)
            n = snprintf(e, sizeof e, "%c", (char)c);
        else if (c < 0x10000)
            n = snprintf(e, sizeof e, "\\u%04x", (unsigned)c);
        else
            n = snprintf(e, sizeof e, "\\u%04x\\u%04x", (unsigned)(0xd800 + ((c - 0x10000) >> 10)),
                         (unsigned)(0xdc00 + ((c - 0x10000) & 0x3ff)));
        jw_put(w, e, (size_t)n);
    }
    jw_put(w, "\"", 1);
}

size_t ccat_cli_paging_token_encode(const char *next, long skip, char *out, size_t cap)
{
    static char json[CCAT_CLI_PAGING_TOKEN_MAX];
    char num[64];
    jw_t w = {json, sizeof json, 0, 0};
    jw_put(&w, "{\"nextToken\": ", 14);
    if (next != NULL && next[0] != '\0')
        jw_string(&w, next);
    else
        jw_put(&w, "null", 4);
    if (skip >= 0) {
        int n = snprintf(num, sizeof num, ", \"boto_truncate_amount\": %ld", skip);
        jw_put(&w, num, (size_t)n);
    }
    jw_put(&w, "}", 1);
    return w.full ? 0 : b64_encode((const unsigned char *)json, w.len, out, cap);
}

/** @brief Reader over JSON text. */
typedef struct jr {
    const char *p, *e;
} jr_t;

static void jr_ws(jr_t *r)
{
    while (r->p < r->e && strchr(" \t\r\n", *r->p) != NULL && *r->p != '\0')
        r->p++;
}

static int jr_lit(jr_t *r, const char *lit)
{
    size_t n = strlen(lit);
    jr_ws(r);
    if ((size_t)(r->e - r->p) < n || memcmp(r->p, lit, n) != 0)
        return 0;
    r->p += n;
    return 1;
}

static int hex4(const char *p, const char *e, uint32_t *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        const char *d = p + i < e && p[i] != '\0' ? strchr("0123456789abcdef", p[i] | 0x20) : NULL;
        if (d == NULL)
            return -1;
        *v = *v << 4 | (uint32_t)(d - "0123456789abcdef");
    }
    return 0;
}

/** @brief Encodes code point c as UTF-8 into w. */
static void jw_utf8(jw_t *w, uint32_t c)
{
    char u[4];
    size_t n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    static const unsigned char lead[5] = {0, 0, 0xc0, 0xe0, 0xf0};
    for (size_t i = n - 1; i > 0; i--, c >>= 6)
        u[i] = (char)(0x80 | (c & 0x3f));
    u[0] = (char)(n == 1 ? c : (lead[n] | c));
    jw_put(w, u, n);
}

/** @brief A JSON string into w, NUL-terminated; -1 if malformed (or U+0000, a lone surrogate). */
static int jr_string(jr_t *r, jw_t *w)
{
    if (!jr_lit(r, "\""))
        return -1;
    while (r->p < r->e && *r->p != '"') {
        unsigned char c = (unsigned char)*r->p++;
        uint32_t v, lo;
        if (c < 0x20)
            return -1;
        if (c != '\\') {
            jw_put(w, (const char *)&c, 1);
            continue;
        }
        if (r->p >= r->e)
            return -1;
        c = (unsigned char)*r->p++;
        const char *esc = strchr("\"\\/bfnrt", c), *to = "\"\\/\b\f\n\r\t";
        if (c != 'u') {
            if (esc == NULL || c == '\0')
                return -1;
            jw_put(w, to + (esc - "\"\\/bfnrt"), 1);
            continue;
        }
        if (hex4(r->p, r->e, &v) != 0)
            return -1;
        r->p += 4;
        if (v >= 0xd800 && v < 0xdc00) {
            if (r->e - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' ||
                hex4(r->p + 2, r->e, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
                return -1;
            r->p += 6;
            v = 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
        } else if (v == 0 || (v >= 0xdc00 && v < 0xe000)) {
            return -1;
        }
        jw_utf8(w, v);
    }
    if (r->p >= r->e)
        return -1;
    r->p++;
    jw_put(w, "", 1);
    return w->full ? -1 : 0;
}

/** @brief {"nextToken": S|null[, "boto_truncate_amount": N]} in any order; -1 otherwise. */
static int token_json(const char *js, size_t n, char *next, size_t cap, uint32_t *skip)
{
    jr_t r = {js, js + n};
    char key[32];
    int seen_next = 0;
    if (!jr_lit(&r, "{"))
        return -1;
    for (int first = 1; !jr_lit(&r, "}"); first = 0) {
        jw_t kw = {key, sizeof key, 0, 0};
        if ((!first && !jr_lit(&r, ",")) || jr_string(&r, &kw) != 0 || !jr_lit(&r, ":"))
            return -1;
        if (strcmp(key, "nextToken") == 0) {
            jw_t vw = {next, cap, 0, 0};
            if (!jr_lit(&r, "null") && jr_string(&r, &vw) != 0)
                return -1;
            seen_next = 1;
        } else if (strcmp(key, "boto_truncate_amount") == 0) {
            unsigned long v = 0;
            jr_ws(&r);
            const char *d = r.p;
            for (; r.p < r.e && *r.p >= '0' && *r.p <= '9' && v <= INT32_MAX; r.p++)
                v = v * 10 + (unsigned long)(*r.p - '0');
            if (r.p == d || v > INT32_MAX)
                return -1;
            *skip = (uint32_t)v;
        } else {
            return -1; /* botocore would send it as a parameter: refused here */
        }
    }
    jr_ws(&r);
    return seen_next && r.p == r.e ? 0 : -1;
}

int ccat_cli_paging_token_decode(const char *text, char *next, size_t cap, uint32_t *skip)
{
    static unsigned char json[CCAT_CLI_PAGING_TOKEN_MAX];
    size_t len = strlen(text);
    long n = b64_decode(text, json, sizeof json);
    *skip = 0;
    next[0] = '\0';
    if (n > 0 && json[0] == '{' && memchr(json, '\0', (size_t)n) == NULL)
        return token_json((const char *)json, (size_t)n, next, cap, skip);
    /* botocore's "old style": TOKEN___N, else the whole text is the service token. */
    const char *sep = strstr(text, "___");
    if (sep != NULL && strstr(sep + 3, "___") == NULL && sep[3] != '\0' &&
        strspn(sep + 3, "0123456789") == strlen(sep + 3) && strlen(sep + 3) < 10) {
        unsigned long v = 0;
        for (const char *d = sep + 3; *d != '\0'; d++)
            v = v * 10 + (unsigned long)(*d - '0');
        *skip = (uint32_t)v;
        len = (size_t)(sep - text);
    }
    if (len >= cap)
        return -1;
    /* "None" is botocore's spelling of a null token. */
    if (!(len == 4 && memcmp(text, "None", 4) == 0)) {
        memcpy(next, text, len);
        next[len] = '\0';
    }
    return 0;
}
