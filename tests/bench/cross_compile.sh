#!/usr/bin/env bash
# Compile every core source (the list of core/CMakeLists.txt) for a bare-metal
# target, one object per source, with the project's warning flags and -Werror.
#
#   tests/bench/cross_compile.sh TARGET OUT_DIR [extra compiler flags...]
#
# TARGET: m4 (arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb), m0plus
# (-mcpu=cortex-m0plus -mthumb) or rv32 (riscv64-unknown-elf-gcc -march=rv32imc
# -mabi=ilp32). Objects land in OUT_DIR/<name>.o; exit status non-zero on any
# compile error or warning. With TARGET rv32, headers the toolchain lacks
# (it ships no C library) are reported on stdout as "missing: <h> ...";
# stdint.h and string.h are then replaced by stand-ins (declarations only),
# any other missing header makes the script exit 3 without compiling.
#
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
target=${1:?usage: cross_compile.sh m4|m0plus|rv32 OUT_DIR [flags...]}
out=${2:?usage: cross_compile.sh m4|m0plus|rv32 OUT_DIR [flags...]}
shift 2

case $target in
  m4) cc=arm-none-eabi-gcc; arch=(-mcpu=cortex-m4 -mthumb) ;;
  m0plus) cc=arm-none-eabi-gcc; arch=(-mcpu=cortex-m0plus -mthumb) ;;
  rv32) cc=riscv64-unknown-elf-gcc; arch=(-march=rv32imc -mabi=ilp32) ;;
  *) echo "cross_compile: unknown target '$target'" >&2; exit 2 ;;
esac
command -v "$cc" >/dev/null || { echo "cross_compile: $cc not found (run tests/setup-deps.sh)" >&2; exit 2; }

# The source list, from the one place that defines it.
mapfile -t sources < <(sed -n '/set(CCAT_CORE_SOURCES/,/)/p' "$repo/core/CMakeLists.txt" |
                       grep -o '[A-Za-z0-9_./-]*\.c')
if ((${#sources[@]} == 0)); then
  echo "cross_compile: no CCAT_CORE_SOURCES list found in core/CMakeLists.txt" >&2; exit 2
fi
# The warning flags, from the top-level CMakeLists.txt.
mapfile -t warnings < <(sed -n '/^add_compile_options(-W/,/)/p' "$repo/CMakeLists.txt" |
                        grep -o -- '-W[A-Za-z0-9=_-]*')
if ((${#warnings[@]} == 0)); then
  echo "cross_compile: no warning flags found in CMakeLists.txt" >&2; exit 2
fi

# jsmn.h lives in /usr/include, but host headers must not enter a cross
# build: give the compiler a folder that holds jsmn.h alone.
jsmn=$(echo '#include <jsmn.h>' | cpp -H -o /dev/null 2>&1 | sed -n 's/^\. //p' | head -n1)
[[ -f $jsmn ]] || jsmn=/usr/include/jsmn.h
[[ -f $jsmn ]] || { echo "cross_compile: jsmn.h not found (libjsmn-dev)" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out/jsmn-include"
cp "$jsmn" "$out/jsmn-include/jsmn.h"

flags=("${arch[@]}" -Os -DNDEBUG -std=c11 -ffunction-sections -fdata-sections
       "${warnings[@]}" -Werror
       -I "$repo/include" -I "$repo/core" -I "$out/jsmn-include" "$@")

if [[ $target == rv32 ]]; then
  # Debian's riscv64-unknown-elf-gcc comes without a C library. Find which of
  # the <headers> the core, its public headers and jsmn.h include are absent;
  # stand in for the two a libc provides (stdint.h: gcc's own stdint-gcc.h;
  # string.h: the C11 prototypes), so that a size can still be reported.
  # Preprocess with -M -MG: conditional includes are honoured (e.g. SSE2
  # paths stay out), and a header that cannot be found is listed bare.
  mapfile -t missing < <(for src in "${sources[@]}"; do
                           "$cc" "${arch[@]}" -std=c11 -I "$repo/include" -I "$repo/core" \
                                 -I "$out/jsmn-include" -M -MG "$repo/core/$src"
                         done | tr ' ' '\n' | grep -E '^[^/\\]+\.h$' | sort -u)
  unknown=()
  mkdir -p "$out/shim-include"
  for h in "${missing[@]}"; do
    case $h in
      stdint.h) echo '#include <stdint-gcc.h>' >"$out/shim-include/stdint.h" ;;
      string.h) cat >"$out/shim-include/string.h" <<'SHIM'
#include <stddef.h>
void *memcpy(void *restrict, const void *restrict, size_t);
void *memmove(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);
void *memchr(const void *, int, size_t);
size_t strlen(const char *);
int strcmp(const char *, const char *);
int strncmp(const char *, const char *, size_t);
char *strchr(const char *, int);
char *strrchr(const char *, int);
char *strstr(const char *, const char *);
char *strcpy(char *restrict, const char *restrict);
char *strncpy(char *restrict, const char *restrict, size_t);
SHIM
      ;;
      *) unknown+=("$h") ;;
    esac
  done
  if ((${#missing[@]})); then
    echo "missing: ${missing[*]}"
  fi
  if ((${#unknown[@]})); then
    exit 3
  fi
  flags+=(-I "$out/shim-include")
fi

cd "$out"   # -fstack-usage / -fcallgraph-info write next to the object
for s in "${sources[@]}"; do
  "$cc" "${flags[@]}" -c "$repo/core/$s" -o "${s%.c}.o"
done
