/*
 * JSONTestSuite conformance of ccat_json_parse: y_ accepted, n_ rejected,
 * i_ either way without a crash (run it under ASan). Every file is also
 * parsed with too few tokens, every accepted document is checked for token
 * consistency, and on every file the verdict and the tokens must equal those
 * of an independent reference tokenizer (json_ref.h) that makes jsmn's token
 * layout, on which the rest of ccat relies. The reference must itself agree
 * with the suite on every y_ and n_ file.
 *
 * Usage: json_conformance <JSONTestSuite/test_parsing directory>
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#include "json_ref.h"
#include "test.h"

/* Reads a whole file into a buffer of exactly its size (no NUL after it),
 * so that ASan sees any read past the end. */
static char *read_file(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf != NULL && n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n > 0 ? (size_t)n : 0;
    return buf;
}

static int parse_with(const char *js, size_t len, unsigned ntoks)
{
    jsmntok_t *toks = malloc((ntoks ? ntoks : 1) * sizeof(*toks));
    int r = ccat_json_parse(js, len, toks, ntoks);
    free(toks);
    return r;
}

/* Structural invariants of an accepted token array; 0 if all hold. */
static int tokens_consistent(const char *js, size_t len, const jsmntok_t *t, int n)
{
    for (int i = 0; i < n; i++) {
        int p = t[i].parent, children = 0;
        if (t[i].start < 0 || t[i].end < t[i].start || (size_t)t[i].end > len ||
            p >= i || (i > 0 && p < 0)) {
            return 1;
        }
        for (int j = i + 1; j < n; j++) {
            children += t[j].parent == i;
        }
        if (children != t[i].size) {
            return 2;
        }
        /* Inside its container; a key's value lies after the key. */
        if (p >= 0 && (t[p].type == JSMN_STRING
                           ? t[i].start <= t[p].end
                           : t[i].start <= t[p].start || t[i].end >= t[p].end)) {
            return 3;
        }
        switch (t[i].type) {
        case JSMN_OBJECT:
        case JSMN_ARRAY:
            if (js[t[i].start] != (t[i].type == JSMN_OBJECT ? '{' : '[') ||
                js[t[i].end - 1] != (t[i].type == JSMN_OBJECT ? '}' : ']')) {
                return 4;
            }
            break;
        case JSMN_STRING:
            if (js[t[i].start - 1] != '"' || js[t[i].end] != '"' ||
                t[i].size != (p >= 0 && t[p].type == JSMN_OBJECT)) {
                return 5;
            }
            break;
        case JSMN_PRIMITIVE:
            if (t[i].size != 0) {
                return 6;
            }
            break;
        default:
            return 7;
        }
        if (p >= 0 && t[p].type == JSMN_OBJECT && t[i].type != JSMN_STRING) {
            return 8;
        }
    }
    return 0;
}

/* Compares with the reference: 1 if both verdicts and all tokens agree, 0
 * if the reference has no verdict (too deep), -1 on a difference. *ref_ok
 * gets the reference's verdict. */
static int same_as_ref(const char *js, size_t len, int r, const jsmntok_t *ours, int *ref_ok)
{
    jsmntok_t *ref = malloc((len + 1) * sizeof(*ref));
    int rr = ref_parse(js, len, ref, (int)len + 1);
    int verdict = 1;
    *ref_ok = rr > 0;
    if (rr == REF_TOO_DEEP) {
        verdict = 0;
    } else if ((r > 0) != (rr > 0) || (r > 0 && r != rr)) {
        verdict = -1;
    } else {
        for (int i = 0; i < r; i++) {
            if (ref[i].type != ours[i].type || ref[i].start != ours[i].start ||
                ref[i].end != ours[i].end || ref[i].size != ours[i].size ||
                ref[i].parent != ours[i].parent) {
                verdict = -1;
            }
        }
    }
    free(ref);
    return verdict;
}

/* Decodes every string token of a copy; must not crash. Returns the count decoded. */
static int decode_all(const char *js, size_t len, const jsmntok_t *toks, int n)
{
    char *copy = malloc(len ? len : 1);
    memcpy(copy, js, len);
    int ok = 0;
    for (int i = 0; i < n; i++) {
        size_t out;
        if (toks[i].type == JSMN_STRING && ccat_json_string_decode(copy, &toks[i], &out) == CCAT_OK) {
            ok++;
            CHECK(ccat_utf8_count(copy + toks[i].start, out) >= 0);
        }
    }
    free(copy);
    return ok;
}

static int verdict_of(const char *name, const char *js, size_t len, int counts[3][2], int *undecided)
{
    char kind = name[0];
    unsigned ntoks = (unsigned)len + 1; /* a token takes at least one byte */
    jsmntok_t *toks = malloc(ntoks * sizeof(*toks));
    int r = ccat_json_parse(js, len, toks, ntoks);
    int row = kind == 'y' ? 0 : kind == 'n' ? 1 : 2;
    counts[row][r > 0]++;
    int wrong = 0, ref_ok;
    int same = same_as_ref(js, len, r, toks, &ref_ok);
    if (same < 0) {
        fprintf(stderr, "%s: verdict or tokens differ from the reference's (%d)\n", name, r);
        wrong = 1;
    } else if (same == 0) {
        ++*undecided;
    } else if (kind != 'i' && ref_ok != (kind == 'y')) {
        fprintf(stderr, "%s: the reference tokenizer is wrong here\n", name);
        wrong = 1;
    }
    if (kind == 'y' && r <= 0) {
        fprintf(stderr, "%s: rejected valid JSON (%d)\n", name, r);
        wrong = 1;
    } else if (kind == 'n' && r != CCAT_ERR_JSON_SYNTAX) {
        fprintf(stderr, "%s: invalid JSON gave %d, not CCAT_ERR_JSON_SYNTAX\n", name, r);
        wrong = 1;
    }
    if (r > 0) {
        int why = tokens_consistent(js, len, toks, r);
        if (why != 0) {
            fprintf(stderr, "%s: inconsistent tokens (rule %d)\n", name, why);
            wrong = 1;
        }
        decode_all(js, len, toks, r);
        /* Too few tokens: exactly CCAT_ERR_RESPONSE_TOO_LARGE. */
        unsigned few[4] = {0, 1, (unsigned)r / 2, (unsigned)r - 1};
        for (int k = 0; k < 4; k++) {
            if (few[k] < (unsigned)r && parse_with(js, len, few[k]) != CCAT_ERR_RESPONSE_TOO_LARGE) {
                fprintf(stderr, "%s: %u tokens did not give TOO_LARGE\n", name, few[k]);
                wrong = 1;
            }
        }
    } else {
        unsigned few[4] = {0, 1, 2, (unsigned)len / 2};
        for (int k = 0; k < 4; k++) {
            int e = parse_with(js, len, few[k]);
            if (e != CCAT_ERR_RESPONSE_TOO_LARGE && e != CCAT_ERR_JSON_SYNTAX) {
                fprintf(stderr, "%s: %u tokens gave %d\n", name, few[k], e);
                wrong = 1;
            }
        }
    }
    free(toks);
    CHECK(!wrong);
    return wrong;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <test_parsing dir>\n", argv[0]);
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (d == NULL) {
        perror(argv[1]);
        return 2;
    }
    int counts[3][2] = {{0, 0}, {0, 0}, {0, 0}}, files = 0, wrong = 0, undecided = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        const char *name = ent->d_name;
        size_t nl = strlen(name);
        if (nl < 6 || strchr("yni", name[0]) == NULL || name[1] != '_' ||
            strcmp(name + nl - 5, ".json") != 0) {
            continue;
        }
        size_t len;
        char *js = read_file(argv[1], name, &len);
        CHECK(js != NULL);
        if (js != NULL) {
            wrong += verdict_of(name, js, len, counts, &undecided);
            free(js);
            files++;
        }
    }
    closedir(d);
    printf("y_: %d accepted, %d rejected\n", counts[0][1], counts[0][0]);
    printf("n_: %d accepted, %d rejected\n", counts[1][1], counts[1][0]);
    printf("i_: %d accepted, %d rejected\n", counts[2][1], counts[2][0]);
    printf("%d files, %d wrong verdicts, %d too deep for the reference\n", files, wrong, undecided);
    CHECK_EQ_INT(files, 318); /* the whole suite was read */
    /* Only n_structure_100000_opening_arrays and n_structure_open_array_object
     * nest deeper than the reference goes (both are unclosed). */
    CHECK_EQ_INT(undecided, 2);
    return test_summary("json_conformance");
}
