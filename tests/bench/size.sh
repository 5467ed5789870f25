#!/usr/bin/env bash
# Code-size budgets of the core: every core/*.c of core/CMakeLists.txt built
# with arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -ffunction-sections
# -fdata-sections, sizes read by arm-none-eabi-size (text = code + rodata).
#
#   tests/bench/size.sh [OUT_DIR]      (default: build-bench-size)
#
# Two figures, each with its ceiling:
#  (a) the create path: what a firmware that only creates tokens links. The
#      objects are linked with --gc-sections (ld -r, so the C library stays
#      out) from the blocking client's create API (ccat_client_init,
#      ccat_client_set_token, ccat_create_access_token, ccat_client_last_error,
#      ccat_access_token_wipe, ccat_client_wipe); what is unreachable from
#      them drops out, exactly as in a firmware link. Issue target 6144 bytes.
#  (b) the whole core, every object summed (ListAccessTokens,
#      DeleteAccessToken, VerifySession, rotation, status names included).
# And data + bss == 0 for every object (the core has no mutable static
# state). Also reported, without a budget: Cortex-M0+ and RV32IMC
# (riscv64-unknown-elf-gcc, which ships no C library: missing headers are
# reported; stdint.h and string.h get declaration-only stand-ins, anything
# else missing leaves RV32 unsized). Prints a Markdown fragment ending in one
# verdict line ("size: OK ..." or "size: FAILED ..."); exit 1 when over.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$repo/build-bench-size}
# The issue's budget is 6 KiB; the core does not meet it yet (see the README).
# CI enforces ceilings, the figures last measured rounded up, so that size
# only goes down; the target is reported beside them on every run.
#  create path: 10,406 bytes linked with --gc-sections from the create API
#  (all core objects summed, when the core was the create path alone: 11,187)
#  -> 10,450; session of 2026-11-28 (HTTP header names in one table, JSON
#  member names packed with their lengths, request writer rework: Content-
#  Length in place, one checked put per piece at -Os; response side: JSON
#  primitives, time parse) -> 10,146 -> 10,150; second session of
#  2026-11-28 (JSON: one code-point decoder, table-driven walk and number
#  grammar, jsmn non-strict; HTTP: byte loops at -Os, no head_len; client:
#  packed error-code table, one retry-cost test; request: read keys in check
#  order, expiry formatted once; time: parse by round trip) -> 8,514 -> 8,550;
#  sessions of 2026-11-28 (third) and 2026-12-07 (http: state and flags in
#  padding, one word table for header names and tokens; json: token walk
#  by pointer with a mask of what may follow; client: statuses as int32_t,
#  not one-byte enums; endpoint, time and request rodata) -> 7,847; a fifth
#  round the same day (client members below offset 128 for 16-bit Thumb
#  loads, back-off by a compile-time count, time digits checked against
#  their radix, request line rest kept with its op) -> 7,711; one body-and-
#  members reader for every operation -> 7,707 -> 7,750
#  whole core: 16,274 bytes with the token lifecycle and rotation; 16,372
#  after the rotation review fixes (stored id must be listed before any
#  delete, STORED re-committed when read back, digit-ending prefix refused,
#  ERR_ROTATE_ID_UNKNOWN) -> 16,400; session of 2026-11-28 -> 16,127 -> 16,150;
#  second session of 2026-11-28 -> 14,525 -> 14,550; 2026-12-07 -> 13,890
#  -> 13,737 -> 13,664 -> 13,661 (ops' texts without NUL) -> 13,700
text_budget=6144
text_ceiling=${CCAT_SIZE_CEILING:-7750}
core_ceiling=${CCAT_SIZE_CORE_CEILING:-13700}
# The create API a create-only firmware calls (see (a) above).
create_roots=(ccat_client_init ccat_client_set_token ccat_create_access_token
              ccat_client_last_error ccat_access_token_wipe ccat_client_wipe)

# size_of TARGET: compile, then print "file text data bss" lines (status 3: headers missing).
size_of() {
  local target=$1 dir=$out/$1 sz=arm-none-eabi-size
  [[ $target == rv32 ]] && sz=riscv64-unknown-elf-size
  local rc=0
  "$here/cross_compile.sh" "$target" "$dir" >"$out/$target.log" 2>&1 || rc=$?
  if ((rc != 0)); then
    return $rc
  fi
  (cd "$dir" && "$sz" -B ./*.o | awk 'NR > 1 { sub(/^\.\//, "", $6); print $6, $1, $2, $3 }')
}

mkdir -p "$out"
if ! m4=$(size_of m4); then
  echo "size: FAILED: Cortex-M4 compile failed (warnings are errors):"
  cat "$out/m4.log"
  exit 1
fi
# (a) The create path: a relocatable link keeping only what the roots reach.
if ! arm-none-eabi-ld -r --gc-sections "${create_roots[@]/#/--undefined=}" \
       -o "$out/create_path.o" "$out"/m4/*.o 2>"$out/create_path.log"; then
  echo "size: FAILED: linking the create path failed:"
  cat "$out/create_path.log"
  exit 1
fi
create_text=$(arm-none-eabi-size -B "$out/create_path.o" | awk 'NR == 2 { print $1 }')
m0_note=""
if ! m0=$(size_of m0plus); then
  # No budget on M0+: a compile failure there is reported, not fatal.
  m0_note="Cortex-M0+: not built: $(grep -m1 error "$out/m0plus.log" || echo "compile failed") (full log: $out/m0plus.log)."
  m0=""
fi
rv_rc=0
rv=$(size_of rv32) || rv_rc=$?
rv_note=""
if ((rv_rc == 0)) && grep -q '^missing:' "$out/rv32.log"; then
  rv_note="RV32IMC: riscv64-unknown-elf-gcc (Debian) ships no C library; $(grep '^missing:' "$out/rv32.log"); built with stand-in headers (gcc's stdint-gcc.h, C11 string.h prototypes)."
elif ((rv_rc == 3)); then
  rv_note="RV32IMC: not built: riscv64-unknown-elf-gcc (Debian) ships no C library; $(cat "$out/rv32.log")."
  rv=""
elif ((rv_rc != 0)); then
  # No budget on RV32: a compile failure there is reported, not fatal.
  rv_note="RV32IMC: not built: $(grep -m1 -E 'error|missing' "$out/rv32.log" || echo "compile failed") (full log: $out/rv32.log)."
  rv=""
fi

# Join the three reports by file name and print the table.
awk -v budget="$text_budget" -v ceiling="$text_ceiling" -v rvnote="$rv_note" -v m0note="$m0_note" \
    -v create="$create_text" -v core_ceiling="$core_ceiling" -v roots="${create_roots[*]}" \
    -v m4ver="$(arm-none-eabi-gcc -dumpversion)" -v rvver="$(riscv64-unknown-elf-gcc -dumpversion 2>/dev/null || echo '?')" '
  $1 == "m4" { order[++n] = $2; t4[$2] = $3; d4[$2] = $4; b4[$2] = $5; next }
  $1 == "m0" { t0[$2] = $3; d0[$2] = $4 + $5; has0 = 1; next }
  $1 == "rv" { trv[$2] = $3; drv[$2] = $4 + $5; hasrv = 1; next }
  END {
    printf "Code size of the core, gcc -Os -ffunction-sections (objects, before linking; text includes rodata):\n\n"
    printf "| file | Cortex-M4 text | M4 data | M4 bss | Cortex-M0+ text | RV32IMC text |\n"
    printf "|---|---:|---:|---:|---:|---:|\n"
    for (i = 1; i <= n; i++) {
      f = order[i]
      T4 += t4[f]; D4 += d4[f]; B4 += b4[f]; T0 += t0[f]; DB0 += d0[f]
      if (hasrv) { TRV += trv[f]; DBRV += drv[f] }
      printf "| %s | %d | %d | %d | %s | %s |\n", f, t4[f], d4[f], b4[f], has0 ? t0[f] : "n/a", hasrv ? trv[f] : "n/a"
    }
    printf "| **total** | **%d** | **%d** | **%d** | **%s** | **%s** |\n\n", T4, D4, B4, has0 ? T0 : "n/a", hasrv ? TRV : "n/a"
    printf "Toolchains: arm-none-eabi-gcc %s (newlib), riscv64-unknown-elf-gcc %s.\n", m4ver, rvver
    if (m0note != "") printf "%s\n", m0note
    if (rvnote != "") printf "%s\n", rvnote
    if ((has0 && DB0 != 0) || (hasrv && DBRV != 0)) printf "Note: data+bss is %d on M0+ and %d on RV32.\n", DB0, DBRV
    printf "\nCreate path (Cortex-M4, the objects above linked with --gc-sections from %s): **%d** bytes of text.\n\n", roots, create
    fail = 0; why = ""
    if (create > ceiling) { why = why sprintf("create path text %d bytes > ceiling %d (target %d); ", create, ceiling, budget); fail = 1 }
    else if (create > budget) printf "size: TARGET NOT MET: create path text %d bytes > target %d (%d over); within the no-regression ceiling %d\n", create, budget, create - budget, ceiling
    if (T4 > core_ceiling) { why = why sprintf("whole core text %d bytes > ceiling %d; ", T4, core_ceiling); fail = 1 }
    if (D4 + B4 != 0) {
      why = why sprintf("Cortex-M4 data+bss = %d bytes, must be 0; offenders:", D4 + B4)
      for (i = 1; i <= n; i++) if (d4[order[i]] + b4[order[i]]) why = why " " order[i]
      fail = 1
    }
    if (fail) printf "size: FAILED: %s\n", why
    else printf "size: OK: Cortex-M4 create path %d <= ceiling %d bytes, whole core %d <= ceiling %d bytes, data+bss 0\n", create, ceiling, T4, core_ceiling
    exit fail
  }' <(sed 's/^/m4 /' <<<"$m4"; [[ -z $m0 ]] || sed 's/^/m0 /' <<<"$m0"; [[ -z $rv ]] || sed 's/^/rv /' <<<"$rv")
