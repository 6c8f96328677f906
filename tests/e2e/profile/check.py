"""Checks for the profiler's end-to-end tests: parse what `mixperf profile` wrote and compare it
with what is known about the target. Each subcommand prints what it measured; it exits 1 with a
message when a check fails."""
import json
import re
import sys
import xml.etree.ElementTree as ET


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def collapsed(path):
    """Self weight per module (leaf frame) and per process id, from a collapsed-stack file."""
    line_re = re.compile(r"^pid (\d+);tid (\d+)((?:;[^; ]+)*) (\d+)$")
    mods, pids, total = {}, {}, 0
    with open(path) as f:
        for n, line in enumerate(f, 1):
            m = line_re.match(line.rstrip("\n"))
            if not m:
                fail("%s:%d: not a collapsed-stack line: %r" % (path, n, line))
            frames = m.group(3).split(";")[1:]
            w = int(m.group(4))
            if w <= 0:
                fail("%s:%d: weight %d" % (path, n, w))
            for fr in frames:
                if ":" not in fr:
                    fail("%s:%d: frame %r is not module:function" % (path, n, fr))
            leaf = frames[-1].split(":", 1)[0] if frames else "<no frame>"
            mods[leaf] = mods.get(leaf, 0) + w
            pids.setdefault(m.group(1), set()).update(frames)
            total += w
    if total == 0:
        fail("%s: no samples" % path)
    return {k: v / total for k, v in mods.items()}, pids, total


def header(path):
    h = {}
    with open(path) as f:
        for line in f:
            if line.startswith("# "):
                k, _, v = line[2:].partition(": ")
                h[k] = v.strip()
    return h


def tvd(p, q):
    return 0.5 * sum(abs(p.get(k, 0) - q.get(k, 0)) for k in set(p) | set(q))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "split":
        # split COLLAPSED MOD_A MOD_B EXPECTED_A_PERCENT TOLERANCE
        shares, _, _ = collapsed(args[0])
        a, b = shares.get(args[1], 0), shares.get(args[2], 0)
        if a + b < 0.9:
            fail("%s and %s hold only %.1f%% of the samples: %r" % (args[1], args[2],
                                                                    100 * (a + b), shares))
        got = 100 * a / (a + b)
        err = abs(got - float(args[3]))
        print("split: %s %.2f%% / %s %.2f%% (expected %s/%g), error %.2f points" % (
            args[1], got, args[2], 100 - got, args[3], 100 - float(args[3]), err))
        if err > float(args[4]):
            fail("split error %.2f points > %s" % (err, args[4]))
    elif cmd == "tvd":
        # tvd COLLAPSED_A COLLAPSED_B MAX
        p, _, tp = collapsed(args[0])
        q, _, tq = collapsed(args[1])
        d = tvd(p, q)
        top = sorted(p, key=lambda k: -p[k])[:8]
        for k in top:
            print("  %-40s %6.2f%% %6.2f%%" % (k, 100 * p[k], 100 * q.get(k, 0)))
        print("tvd: %.4f over %d modules (%.2f s vs %.2f s sampled)" % (
            d, len(set(p) | set(q)), tp / 1e6, tq / 1e6))
        if len(args) > 2 and d > float(args[2]):
            fail("total variation distance %.4f > %s" % (d, args[2]))
    elif cmd == "leaf":
        # leaf COLLAPSED FRAME LO HI: FRAME's share of the samples as the innermost frame
        total = hit = 0
        with open(args[0]) as f:
            for line in f:
                stack, _, w = line.rstrip("\n").rpartition(" ")
                total += int(w)
                if stack.split(";")[-1] == args[1]:
                    hit += int(w)
        share = 100.0 * hit / total if total else 0.0
        print("leaf %s: %.2f%% of %d us" % (args[1], share, total))
        if not float(args[2]) <= share <= float(args[3]):
            fail("%s holds %.2f%%, expected %s-%s%%" % (args[1], share, args[2], args[3]))
    elif cmd == "pids":
        # pids COLLAPSED FRAME: the pids whose stacks contain FRAME, one per line
        _, pids, _ = collapsed(args[0])
        for pid, frames in sorted(pids.items()):
            if args[1] in frames:
                print(pid)
    elif cmd == "speedscope":
        with open(args[0]) as f:
            doc = json.load(f)
        if doc.get("$schema") != "https://www.speedscope.app/file-format-schema.json":
            fail("speedscope: bad $schema")
        frames = doc["shared"]["frames"]
        names = {fr["name"] for fr in frames}
        for want in args[1:]:
            if want not in names:
                fail("speedscope: no frame named %r in %r" % (want, sorted(names)[:20]))
        for prof in doc["profiles"]:
            if prof["type"] != "sampled" or len(prof["samples"]) != len(prof["weights"]):
                fail("speedscope: malformed profile %r" % prof["name"])
            if sum(prof["weights"]) != prof["endValue"]:
                fail("speedscope: weights do not add up to endValue")
            for s in prof["samples"]:
                if any(i < 0 or i >= len(frames) for i in s):
                    fail("speedscope: frame index out of range")
        print("speedscope: %d frames, %d profiles" % (len(frames), len(doc["profiles"])))
    elif cmd == "svg":
        root = ET.parse(args[0]).getroot()
        if not root.tag.endswith("svg"):
            fail("svg: root is %s" % root.tag)
        titles = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")]
        for want in args[1:]:
            if not any(t.startswith(want + " (") for t in titles):
                fail("svg: no box for %r" % want)
        print("svg: %d boxes" % len(titles))
    elif cmd == "header":
        # header TOPFILE KEY REGEX...: each header field matches its regex
        h = header(args[0])
        for k, rx in zip(args[1::2], args[2::2]):
            if k not in h or not re.fullmatch(rx, h[k]):
                fail("header %r is %r, expected /%s/" % (k, h.get(k), rx))
            print("header %s: %s" % (k, h[k]))
    else:
        fail("unknown check " + cmd)


main()
