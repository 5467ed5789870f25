#!/usr/bin/env python3
"""The AWS error code names ccat classifies, packed 5 bits a character.

core/retry.c holds the table between the markers "code_names: begin" and
"code_names: end"; this script is its source. Entries, in index order:
the six modeled exceptions of CodeCatalyst (their CCAT_ERR_SVC_* order),
then botocore's standard-mode throttling and transient codes. An entry's
mark says which names it stands for: '+' the name followed by "Exception",
'*' the name with or without it, none the name alone.

The table starts with the text "Exception" and its NUL (PREFIX), which
core/retry.c compares a code's rest with in place (no string of its own, no
pointer to load). Its 80 bits are 16 symbols: the symbols proper start at
WORDS_START = 16. Three pieces that recur (WORDS) are spelt once, before the
entries, and an entry names one with a single symbol. Symbols (5 bits each,
in a little-endian bit stream: symbol k is bits 5k to 5k + 4 when the bytes
are read as one little-endian number; core/retry.c reads it from bytes 5k/8
and 5k/8 + 1, which the table always holds):
  0      the next letter is upper case
  1..25  a letter (1 'a' .. 25 'y', but 10), lower case unless it starts
         the entry or a word, or follows 0
  10     the digit 2 ('j' occurs in no name)
  26..28 word 0..2 ('z' occurs in no name): symbols 16 + 8 * (n - 26) to
         16 + 8 * (n - 26) + 7, 0s then its letters (the first one upper case)
  29     end of an entry without a mark
  30     end of an entry marked '*'
  31     end of an entry marked '+'
The entries' count (ENTRIES) ends the table.

  tests/tools/code_names.py           print the C initializer
  tests/tools/code_names.py --check core/retry.c
      fail (exit 1) unless the file holds exactly that initializer, and check
      that decoding it gives every entry back
"""
import re
import sys

MODELED = ["AccessDenied+", "Conflict+", "ResourceNotFound+", "ServiceQuotaExceeded+",
           "Throttling+", "Validation+"]
# botocore's standard retry codes; "Throttling" without a mark here: with
# "Exception" it is the modeled entry above, which the retry check also takes.
RETRY = ["Throttling", "Throttled+", "RequestThrottled*", "TooManyRequests+",
         "ProvisionedThroughputExceeded+", "TransactionInProgress+", "RequestLimitExceeded",
         "BandwidthLimitExceeded", "LimitExceeded+", "SlowDown", "PriorRequestNotComplete",
         "EC2Throttled+", "RequestTimeout*"]
ENTRIES = MODELED + RETRY
# The words, in symbol order (26, 27, 28): fewer than WORD_LEN letters, the first
# upper case; each takes WORD_LEN symbols, shifts (at least one) then its letters.
WORDS = ["Request", "Throttl", "Exceede"]
WORD_LEN = 8
PREFIX = b"Exception\0"
WORDS_START = len(PREFIX) * 8 // 5
assert len(PREFIX) * 8 % 5 == 0, "the symbols start on a symbol boundary"
ENTRIES_START = WORDS_START + WORD_LEN * len(WORDS)
SHIFT, TWO, WORD, END, ANY, EXC = 0, 10, 26, 29, 30, 31


def letter(ch):
    n = ord(ch.lower()) - ord("a") + 1
    assert n < WORD and n not in (SHIFT, TWO), ch
    return n


def symbols(entries):
    out = []
    for w in WORDS:
        assert re.fullmatch(r"[A-Z][a-z]*", w) and len(w) < WORD_LEN, w
        out += [SHIFT] * (WORD_LEN - len(w)) + [letter(ch) for ch in w]
    for e in entries:
        mark = e[-1] if e[-1] in "+*" else ""
        name = e[:-1] if mark else e
        assert re.fullmatch(r"[A-Z][A-Za-z2]*", name), e
        i = 0
        while i < len(name):
            w = next((j for j, w in enumerate(WORDS) if name.startswith(w, i)), None)
            if w is not None:
                out.append(WORD + w)
                i += len(WORDS[w])
                continue
            ch = name[i]
            if ch == "2":
                out.append(TWO)
            else:
                if ch.isupper() and i != 0:
                    out.append(SHIFT)
                elif ch.islower() and i == 0:
                    raise ValueError(e)
                out.append(letter(ch))
            i += 1
        out.append({"": END, "+": EXC, "*": ANY}[mark])
    return out


def pack(syms):
    """PREFIX, then the symbols from symbol WORDS_START on."""
    bits = 0
    for k, s in enumerate(syms):
        bits |= s << (5 * k)
    # core/retry.c reads each symbol as two bytes, p[k*5/8] and the next: one
    # more byte (zero) when the last symbol fits in the last byte.
    n = max((5 * len(syms) + 7) // 8, 5 * (len(syms) - 1) // 8 + 2)
    return PREFIX + bits.to_bytes(n, "little")


def unpack(data):
    """Decode as core/retry.c does: the entries with their marks."""
    assert data.startswith(PREFIX)
    entries, name, up, back = [], "", True, 0
    k = ENTRIES_START
    while True:
        j = 5 * k // 8  # as core/retry.c: two bytes (an IndexError if absent)
        s = ((data[j] | data[j + 1] << 8) >> (5 * k % 8)) & 31
        k += 1
        if k <= ENTRIES_START and k % WORD_LEN == 0:
            k = back
        if WORD <= s < END:
            back, k = k, WORDS_START + WORD_LEN * (s - WORD)
        elif s in (END, EXC, ANY):
            entries.append(name + {END: "", EXC: "+", ANY: "*"}[s])
            name, up = "", True
            if len(entries) == len(ENTRIES):
                return entries
        elif s == SHIFT:
            up = True
        elif s == TWO:
            name += "2"
            up = False
        else:
            ch = chr(ord("a") + s - 1)
            name += ch.upper() if up else ch
            up = False


def c_text():
    data = pack(symbols(ENTRIES))
    lines = []
    # The text first, as characters (readable), then the symbols' bytes.
    lines = ["    " + ", ".join("0" if b == 0 else "'%c'" % b for b in PREFIX) + ","]
    rest = data[len(PREFIX):]
    for i in range(0, len(rest), 12):
        lines.append("    " + ", ".join("0x%02x" % b for b in rest[i:i + 12]) + ",")
    return ("/* code_names: begin (generated by tests/tools/code_names.py; %d entries,"
            " %d modeled) */\n" % (len(ENTRIES), len(MODELED)) +
            "static const uint8_t code_names[%d] = {\n" % len(data) + "\n".join(lines) +
            "\n};\n/* A word's symbols, where the words and the entries start (in symbols),\n"
            " * and how many entries there are. */\n" +
            "enum { WORD_LEN = %d, WORDS_START = %d, ENTRIES_START = %d, ENTRIES = %d };\n"
            % (WORD_LEN, WORDS_START, ENTRIES_START, len(ENTRIES)) +
            "/* code_names: end */\n")


def main(argv):
    text = c_text()
    assert unpack(pack(symbols(ENTRIES))) == ENTRIES
    if len(argv) == 3 and argv[1] == "--check":
        src = open(argv[2], encoding="utf-8").read()
        m = re.search(r"/\* code_names: begin.*?/\* code_names: end \*/\n", src, re.S)
        if m is None or m.group(0) != text:
            sys.stderr.write("code_names: %s does not hold the table this script makes:\n%s"
                             % (argv[2], text))
            return 1
        if "CODES_MODELED %d" % len(MODELED) not in open(argv[2].replace("retry.c", "internal.h"),
                                                          encoding="utf-8").read():
            sys.stderr.write("code_names: CCAT_CODES_MODELED in core/internal.h is not %d\n"
                             % len(MODELED))
            return 1
        print("code_names: OK: %d entries, %d bytes packed (%d as text)"
              % (len(ENTRIES), len(pack(symbols(ENTRIES))) - len(PREFIX),
                 sum(len(e) + 1 for e in ENTRIES) + 1))
        return 0
    if len(argv) != 1:
        sys.stderr.write(__doc__)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
