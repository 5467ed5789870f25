#!/usr/bin/env python3
"""Worst-case stack depth of the ccat core from gcc's own per-function figures.

Input: the .su files of -fstack-usage (frame size of every function) and the
.ci files of -fcallgraph-info=su (VCG call graph of every translation unit),
from one compile of core/*.c. Output: the deepest call path from a root
function, its total in bytes, and a Markdown fragment for the README.

What is counted: every frame of core code on the path (gcc's figure includes
the saved registers and the return address on Arm, since the return address
sits in a pushed LR), and the calls the core makes through its own function
pointers when --indirect names them (the client calls the operation's request
writer and response reader that way). What is not: calls through the other
function pointers (the transport and platform hooks: they run code outside
the core, whose stack belongs to the port that provides it) and calls to functions outside the core
(libc memcpy/memset/strlen...); both are listed so a reader can add them.

Fails (exit 1) when the worst case exceeds --limit, when any core function is
recursive (directly or through others: depth is then unbounded), when any core
frame is dynamic without a bound (alloca/VLA), or when the inputs are unusable.
"""
import argparse
import glob
import os
import re
import sys

INDIRECT = "__indirect_call"

NODE_RE = re.compile(r'node:\s*\{\s*title:\s*"((?:[^"\\]|\\.)*)"\s*label:\s*"((?:[^"\\]|\\.)*)"')
EDGE_RE = re.compile(r'edge:\s*\{\s*sourcename:\s*"((?:[^"\\]|\\.)*)"\s*targetname:\s*"((?:[^"\\]|\\.)*)"')


class Func:
    """One function defined in the core."""

    def __init__(self, title, name, loc):
        self.title = title    # unique graph id ("name" or "file.c:name" for static ones)
        self.name = name      # name as the source/assembler spells it
        self.loc = loc        # "file.c:line:col" of the definition
        self.frame = None     # bytes, from the .su file
        self.qual = None      # "static", "dynamic", "dynamic,bounded"
        self.calls = []       # titles of callees (may be undefined externals)


def read_su(paths):
    """Map "file:line:col:name" -> (bytes, qualifier)."""
    frames = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line:
                    continue
                parts = line.split("\t")
                if len(parts) != 3:
                    raise SystemExit("stack: cannot read %s: %r" % (path, line))
                frames[parts[0]] = (int(parts[1]), parts[2])
    return frames


def read_ci(paths):
    """Return (defined functions by title, every node title seen)."""
    funcs = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for title, label in NODE_RE.findall(text):
            lines = label.split("\\n")
            # A defined function has three label lines: name, location, stack.
            if len(lines) == 3 and "bytes" in lines[2]:
                if title in funcs:
                    raise SystemExit("stack: function %s defined twice" % title)
                funcs[title] = Func(title, lines[0], lines[1])
        for src, dst in EDGE_RE.findall(text):
            if src not in funcs:
                raise SystemExit("stack: edge from unknown node %s in %s" % (src, path))
            funcs[src].calls.append(dst)
    return funcs


def find_cycles(funcs):
    """Return one list of titles per call cycle found (iterative DFS)."""
    WHITE, GREY, BLACK = 0, 1, 2
    color = {t: WHITE for t in funcs}
    cycles = []
    for start in funcs:
        if color[start] != WHITE:
            continue
        stack = [(start, iter(funcs[start].calls))]
        color[start] = GREY
        path = [start]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                color[node] = BLACK
                stack.pop()
                path.pop()
                continue
            if nxt not in funcs:
                continue
            if color[nxt] == GREY:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif color[nxt] == WHITE:
                color[nxt] = GREY
                stack.append((nxt, iter(funcs[nxt].calls)))
                path.append(nxt)
    return cycles


def worst_path(funcs, root):
    """Deepest path from root in the (acyclic) core graph: (bytes, [titles])."""
    memo = {}

    def depth(t):
        if t in memo:
            return memo[t]
        f = funcs[t]
        best, best_path = 0, []
        for c in f.calls:
            if c in funcs:
                d, p = depth(c)
                if d > best:
                    best, best_path = d, p
        memo[t] = (f.frame + best, [t] + best_path)
        return memo[t]

    sys.setrecursionlimit(10000)
    return depth(root)


def reachable(funcs, root):
    seen, todo = set(), [root]
    while todo:
        t = todo.pop()
        if t in seen:
            continue
        seen.add(t)
        todo.extend(c for c in funcs[t].calls if c in funcs)
    return seen


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", help="directory holding the .su and .ci files")
    ap.add_argument("--root", default="ccat_create_access_token")
    ap.add_argument("--limit", type=int, default=1024, help="budget in bytes")
    ap.add_argument("--target", default="Cortex-M4", help="label for the report")
    ap.add_argument("--indirect", action="append", default=[], metavar="CALLER=CALLEE,...",
                    help="calls the core makes through its own function pointers "
                         "(e.g. the client's request writer and response reader), "
                         "counted as direct calls; names, not titles")
    args = ap.parse_args()

    su_files = sorted(glob.glob(os.path.join(args.dir, "*.su")))
    ci_files = sorted(glob.glob(os.path.join(args.dir, "*.ci")))
    if not su_files or not ci_files:
        print("stack: FAILED: no .su/.ci files in %s" % args.dir)
        return 1
    frames = read_su(su_files)
    funcs = read_ci(ci_files)

    errors = []
    for f in funcs.values():
        key = "%s:%s" % (f.loc, f.name)
        if key not in frames:
            errors.append("no -fstack-usage entry for %s (%s)" % (f.name, f.loc))
            continue
        f.frame, f.qual = frames[key]
        if f.qual == "dynamic":
            errors.append("%s (%s) has an unbounded dynamic stack frame (VLA/alloca)"
                          % (f.name, f.loc))
    by_name = {}
    for t, f in funcs.items():
        by_name.setdefault(f.name, []).append(t)
    for spec in args.indirect:
        caller, _, callees = spec.partition("=")
        for name in [caller] + callees.split(","):
            if name not in by_name:
                errors.append("--indirect names %s, which no core source defines" % name)
        if caller in by_name:
            for t in by_name[caller]:
                funcs[t].calls.extend(c for n in callees.split(",") for c in by_name.get(n, []))
    for cyc in find_cycles(funcs):
        errors.append("recursion: " + " -> ".join(funcs[t].name for t in cyc))
    if args.root not in funcs:
        errors.append("root function %s is not defined in the core" % args.root)
    # A ccat_/jsmn_ callee that no core file defines means the core is
    # incomplete (a placeholder file): its stack would silently count as 0.
    undefined = sorted({c for f in funcs.values() for c in f.calls
                        if c not in funcs and c.startswith(("ccat_", "jsmn_"))})
    for c in undefined:
        errors.append("%s is called but defined by no core source" % c)
    if errors:
        for e in errors:
            print("stack: FAILED: " + e)
        return 1

    total, path = worst_path(funcs, args.root)
    reach = reachable(funcs, args.root)
    indirect = sorted({funcs[t].name for t in reach if INDIRECT in funcs[t].calls})
    external = sorted({c for t in reach for c in funcs[t].calls
                       if c not in funcs and c != INDIRECT})
    runtime = [c for c in external if c.startswith("__")]
    external = [c for c in external if not c.startswith("__")]
    bounded = sorted(funcs[t].name for t in reach if funcs[t].qual != "static")

    print("Worst-case stack of `%s` on %s (gcc -Os, frames from -fstack-usage, "
          "calls from -fcallgraph-info): **%d bytes** (budget %d)"
          % (args.root, args.target, total, args.limit))
    print()
    print("| depth | function | frame (bytes) | cumulative |")
    print("|---|---|---:|---:|")
    acc = 0
    for i, t in enumerate(path):
        acc += funcs[t].frame
        print("| %d | `%s` | %d | %d |" % (i, funcs[t].name, funcs[t].frame, acc))
    print()
    print("%d core functions reachable from `%s`; no recursion, no unbounded frame."
          % (len(reach), args.root))
    if bounded:
        print("Bounded dynamic frames (counted at their bound): %s." % ", ".join(bounded))
    print("Not counted: calls through function pointers (transport/platform hooks, "
          "their stack is the port's) from %s; C library calls: %s; compiler "
          "runtime calls: %s."
          % (", ".join("`%s`" % n for n in indirect) or "none",
             ", ".join("`%s`" % n for n in external) or "none",
             ", ".join("`%s`" % n for n in runtime) or "none"))
    print()
    if total > args.limit:
        print("stack: FAILED: %d bytes > budget %d bytes" % (total, args.limit))
        return 1
    print("stack: OK: %d <= %d bytes" % (total, args.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
