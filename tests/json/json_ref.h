/*
 * Reference strict JSON tokenizer for the tests of core/json.c: plain
 * recursive descent straight from the RFC 8259 grammar, written without
 * jsmn and without core/json.c's code, that makes the tokens jsmn makes
 * (parent links): strings start after the opening quote and end on
 * the closing one, containers span their brackets, a key is its object's
 * child and its value the key's child, size counts children.
 *
 * ccat_json_parse (jsmn plus our checks) must agree with it on every input:
 * same verdict, same tokens. Include after json.h.
 */
#ifndef CCAT_TEST_JSON_REF_H
#define CCAT_TEST_JSON_REF_H

#include <string.h>

/* Deeper text is left undecided (the recursion stays within the stack). */
enum { REF_MAX_DEPTH = 1000, REF_SYNTAX = -1, REF_NOMEM = -2, REF_TOO_DEEP = -3 };

struct ref_parser {
    const char *s;
    size_t len, pos;
    jsmntok_t *toks;
    int cap, count, error;
};

static int ref_is_ws(struct ref_parser *r)
{
    char c = r->pos < r->len ? r->s[r->pos] : 'x';
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The byte at pos, after whitespace; 0 at the end of the text (a NUL in
 * the text is never valid where this is asked, so 0 is unambiguous). */
static char ref_peek(struct ref_parser *r)
{
    while (ref_is_ws(r)) {
        r->pos++;
    }
    return r->pos < r->len ? r->s[r->pos] : 0;
}

static int ref_fail(struct ref_parser *r, int error)
{
    if (r->error == 0) {
        r->error = error;
    }
    return -1;
}

static int ref_new_token(struct ref_parser *r, jsmntype_t type, size_t start, int parent)
{
    if (r->count == r->cap) {
        return ref_fail(r, REF_NOMEM);
    }
    jsmntok_t *t = &r->toks[r->count];
    t->type = type;
    t->start = (int)start;
    t->end = -1;
    t->size = 0;
    t->parent = parent;
    if (parent >= 0) {
        r->toks[parent].size++;
    }
    return r->count++;
}

static int ref_hex_digit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string at pos (on its opening quote). */
static int ref_string(struct ref_parser *r, int parent)
{
    size_t p = r->pos + 1;
    for (;;) {
        if (p >= r->len) {
            return ref_fail(r, REF_SYNTAX);
        }
        unsigned char c = (unsigned char)r->s[p];
        if (c == '"') {
            break;
        }
        if (c < 0x20) {
            return ref_fail(r, REF_SYNTAX);
        }
        if (c != '\\') {
            p++;
            continue;
        }
        char e = p + 1 < r->len ? r->s[p + 1] : 0;
        if (e == 'u') {
            for (size_t k = 2; k < 6; k++) {
                if (p + k >= r->len || !ref_hex_digit(r->s[p + k])) {
                    return ref_fail(r, REF_SYNTAX);
                }
            }
            p += 6;
        } else if (e != 0 && strchr("\"\\/bfnrt", e) != NULL) {
            p += 2;
        } else {
            return ref_fail(r, REF_SYNTAX);
        }
    }
    int i = ref_new_token(r, JSMN_STRING, r->pos + 1, parent);
    if (i >= 0) {
        r->toks[i].end = (int)p;
    }
    r->pos = p + 1;
    return i;
}

static int ref_digit(struct ref_parser *r, size_t p)
{
    return p < r->len && r->s[p] >= '0' && r->s[p] <= '9';
}

/* A number, true, false or null at pos. */
static int ref_primitive(struct ref_parser *r, int parent)
{
    static const char *const words[3] = {"true", "false", "null"};
    size_t p = r->pos;
    for (int w = 0; w < 3; w++) {
        size_t n = strlen(words[w]);
        if (r->len - p >= n && memcmp(r->s + p, words[w], n) == 0) {
            p += n;
            goto done;
        }
    }
    if (p < r->len && r->s[p] == '-') {
        p++;
    }
    if (p < r->len && r->s[p] == '0') {
        p++;
    } else if (ref_digit(r, p)) {
        while (ref_digit(r, p)) {
            p++;
        }
    } else {
        return ref_fail(r, REF_SYNTAX);
    }
    if (p < r->len && r->s[p] == '.') {
        if (!ref_digit(r, ++p)) {
            return ref_fail(r, REF_SYNTAX);
        }
        while (ref_digit(r, p)) {
            p++;
        }
    }
    if (p < r->len && (r->s[p] == 'e' || r->s[p] == 'E')) {
        p++;
        if (p < r->len && (r->s[p] == '+' || r->s[p] == '-')) {
            p++;
        }
        if (!ref_digit(r, p)) {
            return ref_fail(r, REF_SYNTAX);
        }
        while (ref_digit(r, p)) {
            p++;
        }
    }
done:;
    /* What follows must end the value: "1x", "truex", "01" are not JSON. */
    int i = ref_new_token(r, JSMN_PRIMITIVE, r->pos, parent);
    if (i >= 0) {
        r->toks[i].end = (int)p;
    }
    r->pos = p;
    return i;
}

static int ref_value(struct ref_parser *r, int parent, int depth)
{
    char c = ref_peek(r);
    if (c == '"') {
        return ref_string(r, parent);
    }
    if (c != '[' && c != '{') {
        return ref_primitive(r, parent);
    }
    if (depth == REF_MAX_DEPTH) {
        return ref_fail(r, REF_TOO_DEEP);
    }
    char close = c == '[' ? ']' : '}';
    int i = ref_new_token(r, c == '[' ? JSMN_ARRAY : JSMN_OBJECT, r->pos, parent);
    if (i < 0) {
        return -1;
    }
    r->pos++;
    if (ref_peek(r) != close) {
        for (;;) {
            if (c == '{') {
                if (ref_peek(r) != '"') {
                    return ref_fail(r, REF_SYNTAX);
                }
                int key = ref_string(r, i);
                if (key < 0) {
                    return -1;
                }
                if (ref_peek(r) != ':') {
                    return ref_fail(r, REF_SYNTAX);
                }
                r->pos++;
                if (ref_value(r, key, depth + 1) < 0) {
                    return -1;
                }
            } else if (ref_value(r, i, depth + 1) < 0) {
                return -1;
            }
            char next = ref_peek(r);
            if (next == close) {
                break;
            }
            if (next != ',') {
                return ref_fail(r, REF_SYNTAX);
            }
            r->pos++;
        }
    }
    r->pos++; /* the closing bracket */
    r->toks[i].end = (int)r->pos;
    return i;
}

/*
 * Tokenizes s[0..len) into toks[0..cap): the number of tokens, or
 * REF_SYNTAX, REF_NOMEM (cap too small: len + 1 is always enough), or
 * REF_TOO_DEEP (nesting beyond REF_MAX_DEPTH: no verdict).
 */
static int ref_parse(const char *s, size_t len, jsmntok_t *toks, int cap)
{
    struct ref_parser r = {s, len, 0, toks, cap, 0, 0};
    if (ref_value(&r, -1, 0) >= 0 && ref_peek(&r) == 0 && r.pos == len) {
        return r.count;
    }
    if (r.error == 0) {
        r.error = REF_SYNTAX; /* something after the root value */
    }
    return r.error;
}

#endif /* CCAT_TEST_JSON_REF_H */
