#!/usr/bin/env python3
"""footprint.py MAP [--out FILE]: flash and RAM of the firmware by component.

Reads the GNU ld map file (-Wl,-Map) and adds up every input section that
made it into the image, by the archive or object it came from:

  ccat core    libfw_ccat_core.a   (core/*.c)
  ccat ports   libfw_ccat_ports.a  (ports/mbedtls: TLS layer + AWS roots; ports/lwip: raw transport)
  lwIP         libfw_lwip.a
  mbedTLS      libfw_mbedtls.a
  board + app  the firmware's own objects (main.c, board.c, lan9118.c, CA, token)
  C library    newlib-nano, libgcc, libnosys (memcpy, malloc, division helpers...)

Flash = .text + .rodata + .ARM.exidx + the load image of .data.
RAM   = .data + .bss; the heap and stack regions are listed apart (their
use is measured at run time: see docs/FOOTPRINT.md).
Prints a Markdown table (and writes it to --out).
"""
import argparse
import collections
import re
import sys

FLASH_SECTIONS = (".text", ".ARM.exidx")
RAM_SECTIONS = (".data", ".bss")

COMPONENTS = [
    ("ccat core", re.compile(r"libfw_ccat_core\.a")),
    ("ccat ports", re.compile(r"libfw_ccat_ports\.a")),
    ("lwIP", re.compile(r"libfw_lwip\.a")),
    ("mbedTLS", re.compile(r"libfw_mbedtls\.a")),
    ("board + app", re.compile(r"ccat-fw\.dir/")),
    ("C library (newlib-nano, libgcc)", re.compile(r"lib(c_nano|c|g_nano|g|gcc|nosys|m)\.a|crt|/lib/gcc/")),
]


def component(path):
    for name, rx in COMPONENTS:
        if rx.search(path):
            return name
    return "other"


def detail(path):
    """Short object name: 'libfw_ccat_ports.a(ccat_mbedtls.c.obj)' -> 'ccat_mbedtls.c'."""
    m = re.search(r"\(([^)]+?)(\.obj|\.o)?\)$", path)
    if m:
        return m.group(1)
    return re.sub(r"(\.obj|\.o)$", "", path.rsplit("/", 1)[-1])


def parse(map_path):
    flash = collections.Counter()
    ram = collections.Counter()
    per_object = collections.Counter()
    regions = {}
    out_sec = None
    pending = None
    started = False
    with open(map_path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not started:
                started = line.startswith("Linker script and memory map")
                continue
            m = re.match(r"^(\.[A-Za-z0-9_.]+)\s*(0x[0-9a-f]+)?\s*(0x[0-9a-f]+)?", line)
            if m and not line.startswith(" "):
                out_sec = m.group(1)
                if m.group(3):
                    regions[out_sec] = int(m.group(3), 16)
                pending = None
                continue
            if out_sec not in FLASH_SECTIONS + RAM_SECTIONS:
                continue
            m = re.match(r"^ (\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", line)
            fill = re.match(r"^ \*fill\*\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s*$", line)
            if fill:
                m = (None, "*fill*", fill.group(1), fill.group(2), "")
            if not m and pending:
                m2 = re.match(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", line)
                if m2:
                    m = (None, pending, m2.group(1), m2.group(2), m2.group(3))
            elif not m:
                m1 = re.match(r"^ (\.\S+|COMMON)\s*$", line)
                pending = m1.group(1) if m1 else None
                continue
            if not m:
                continue
            pending = None
            size = int(m[3], 16)
            path = m[4].strip()
            if size == 0 or m[1] == "*fill*":
                comp, obj = "alignment padding", "*fill*"
            else:
                comp, obj = component(path), detail(path)
            if out_sec in FLASH_SECTIONS:
                flash[comp] += size
            else:
                ram[comp] += size
                if out_sec == ".data":
                    flash[comp] += size  # its initial values are stored in flash
            if comp in ("ccat ports", "board + app"):
                per_object[(comp, obj, "flash")] += size if out_sec in FLASH_SECTIONS + (".data",) else 0
                per_object[(comp, obj, "ram")] += size if out_sec in RAM_SECTIONS else 0
    return flash, ram, per_object, regions


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("map")
    ap.add_argument("--out")
    a = ap.parse_args(argv)
    flash, ram, per_object, regions = parse(a.map)
    order = [c for c, _ in COMPONENTS] + ["alignment padding", "other"]
    rows = ["| component | flash (bytes) | static RAM (bytes) |", "|---|---:|---:|"]
    for comp in order:
        if flash[comp] or ram[comp]:
            rows.append("| %s | %d | %d |" % (comp, flash[comp], ram[comp]))
            if comp in ("ccat ports", "board + app"):
                objs = sorted({o for (c, o, k) in per_object if c == comp})
                for o in objs:
                    rows.append("| &nbsp;&nbsp;%s | %d | %d |" % (o, per_object[(comp, o, "flash")],
                                                               per_object[(comp, o, "ram")]))
    tf, tr = sum(flash.values()), sum(ram.values())
    rows.append("| **total** | **%d** | **%d** |" % (tf, tr))
    heap = regions.get(".heap", 0)
    stack = regions.get(".stack", 0)
    img_flash = regions.get(".text", 0) + regions.get(".ARM.exidx", 0) + regions.get(".data", 0)
    img_ram = regions.get(".data", 0) + regions.get(".bss", 0)
    text = "\n".join(rows) + "\n\n"
    text += ("Image (output sections, as arm-none-eabi-size counts them): flash %d bytes (%.1f KiB);"
             " RAM %d static + %d heap region + %d stack region = %d bytes (%.1f KiB).\n"
             % (img_flash, img_flash / 1024.0, img_ram, heap, stack, img_ram + heap + stack,
                (img_ram + heap + stack) / 1024.0))
    if (tf, tr) != (img_flash, img_ram):
        text += ("The rows add up to %+d / %+d bytes more: string constants the linker merged"
                 " (.str1.1 sections) are listed at their size before merging.\n"
                 % (tf - img_flash, tr - img_ram))
    sys.stdout.write(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
