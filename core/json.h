/**
 * @file json.h
 * @brief Internal: strict JSON on top of jsmn, and JSON string coding.
 *
 * jsmn (libjsmn-dev) tokenizes; this layer rejects everything jsmn lets
 * through that is not RFC 8259 JSON (separators, keys and values out of
 * turn, number and literal grammar, raw control characters in strings,
 * several roots, trailing data, NUL bytes). The token layout is jsmn's,
 * which the rest of ccat relies on.
 */
#ifndef CCAT_CORE_JSON_H
#define CCAT_CORE_JSON_H

#include <stddef.h>

/* One jsmn configuration for the whole library: tokens carry parent links;
 * not JSMN_STRICT, whose checks the layer on top makes anyway (its own are
 * stricter) and whose refusal of a bare number or literal as the root it
 * would have to undo (Cortex-M4: jsmn's code 100 bytes smaller, no code of
 * our own for a bare root).
 * Only json.c compiles jsmn's code (it defines JSMN_IMPLEMENTATION_HERE, and
 * JSMN_STATIC so that the library exports no jsmn symbol); everywhere else
 * this is just the token type. */
#define JSMN_PARENT_LINKS
#ifndef JSMN_IMPLEMENTATION_HERE
#define JSMN_HEADER
#endif
#include <jsmn.h>

#include "ccat/ccat_status.h"

/**
 * Tokenize and validate the JSON text js[0..len) into toks[0..ntoks).
 * Returns the number of tokens (>= 1) or CCAT_ERR_JSON_SYNTAX, or
 * CCAT_ERR_RESPONSE_TOO_LARGE when ntoks is too small (jsmn stops when the
 * tokens run out, and the layer's checks come after it, so this also comes
 * for text with a syntax error jsmn does not see itself: anything but a bad
 * escape, a bracket that does not match, or a control or non-ASCII byte
 * outside strings; and always for ntoks == 0). Offsets are ints: len must be
 * < INT_MAX.
 */
int ccat_json_parse(const char *js, size_t len, jsmntok_t *toks, unsigned ntoks);

#ifndef __OPTIMIZE_SIZE__
/**
 * ccat_json_parse(), also telling whether the text is plain: *plain is 1
 * when it parsed and no byte of it is a '\\', a control character or
 * non-ASCII, so that every string token's text is already its decoding
 * (ccat_json_string_decode() would only NUL-terminate it). Only x86-64's
 * SSE2 scan looks (it costs one pass there); elsewhere *plain is 0. -O2
 * builds only: where size counts (-Os) the decoder does it all.
 */
int ccat_json_parse_plain(const char *js, size_t len, jsmntok_t *toks, unsigned ntoks, int *plain);
#else
#define ccat_json_parse_plain(js, len, toks, ntoks, plain) ccat_json_parse(js, len, toks, ntoks)
#endif

/**
 * One-pass lookup of members of the object toks[obj]: for every key i of the
 * nkeys names in keys, found[i] gets the token index of the LAST value whose
 * key equals name i (escapes in keys are decoded for the comparison), or -1.
 * keys packs the names one after another, each after a byte that holds its
 * length (0..255): "\6" "secret" "\4" "name". Packed so, the names cost no
 * pointer table and no strlen(). No name may hold a '\\' (none needs one):
 * a key text equal to a name byte for byte is then its own decoding.
 */
#ifndef __OPTIMIZE_SIZE__
/* -O2: the lookup proper (found[] already all -1), and the -1s stored inline
 * by the caller, where nkeys is a constant: a store or two, no memset(). */
void ccat_json_members_lookup(const char *js, const jsmntok_t *toks, int ntoks, int obj,
                              const char *keys, int nkeys, int *found);
static inline void ccat_json_members(const char *js, const jsmntok_t *toks, int ntoks, int obj,
                                     const char *keys, int nkeys, int *found)
{
    for (int k = 0; k < nkeys; k++) {
        found[k] = -1;
    }
    ccat_json_members_lookup(js, toks, ntoks, obj, keys, nkeys, found);
}
#else
void ccat_json_members(const char *js, const jsmntok_t *toks, int ntoks, int obj,
                       const char *keys, int nkeys, int *found);
#endif

/**
 * Decode the string token t in place: unescape, check UTF-8, reject lone
 * surrogates and U+0000, then NUL-terminate. *out_len gets the byte length.
 * Returns CCAT_OK, or CCAT_ERR_JSON_STRING (the text is then unusable).
 */
ccat_status_t ccat_json_string_decode(char *js, const jsmntok_t *t, size_t *out_len);

/**
 * Check that s[0..n) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF)
 * and contains no NUL. Returns the number of code points, or -1.
 */
long ccat_utf8_count(const char *s, size_t n);

/**
 * Write s[0..n) as a JSON string literal (quotes included) at out, escaping
 * '"', '\\' and every control character (\b \f \n \r \t, else \u00XX).
 * Returns the bytes written, or 0 if more than cap would be needed.
 */
size_t ccat_json_escape(char *out, size_t cap, const char *s, size_t n);

#endif /* CCAT_CORE_JSON_H */
