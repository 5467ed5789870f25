/*
 * Prints ccat_json_escape() of a name: the name is argv[1], or all of stdin
 * when there is no argument (so that any byte, NUL included, can be given).
 * Used by test_json_oracle.py to compare with botocore's request body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

int main(int argc, char **argv)
{
    static char in[1 << 16];
    size_t n;
    if (argc > 1) {
        n = strlen(argv[1]);
        if (n > sizeof(in)) {
            return 2;
        }
        memcpy(in, argv[1], n);
    } else {
        n = fread(in, 1, sizeof(in), stdin);
    }
    size_t cap = 6 * n + 2; /* the longest escaping: \u00XX per byte */
    char *out = malloc(cap);
    size_t len = out != NULL ? ccat_json_escape(out, cap, in, n) : 0;
    if (len == 0 || fwrite(out, 1, len, stdout) != len) {
        free(out);
        return 1;
    }
    free(out);
    return 0;
}
