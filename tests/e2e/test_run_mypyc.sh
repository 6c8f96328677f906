#!/bin/sh
# A mix manifest as the configuration axis, under CPython and under a mypyc runtime whose build
# step compiles each configuration: the compiled extension is in the configuration's build copy
# (never in the shared configuration directory), the runs import it, results come per
# configuration with the manifest's ids; --configs runs the anchors first and a later run the
# rest. Then `mixperf report` draws the overhead plot and the typed-fraction scatter as SVG and
# inlines them with the table into one HTML page.
set -eu
MIXPERF=${MIXPERF:?set MIXPERF to the mixperf binary}
SRC=${MP_SOURCE_DIR:?set MP_SOURCE_DIR to the source tree}
[ -x /usr/bin/mypyc ] || { echo "test_run_mypyc: no /usr/bin/mypyc" >&2; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp"
fail() {
    echo "test_run_mypyc: $*" >&2
    exit 1
}

# Two sections, untyped and typed. The program prints its result, then 1 when it runs compiled
# (a mypyc module's __file__ is the extension) and 0 when interpreted: the value `printed` records.
for v in untyped typed; do
    mkdir -p prog/$v
    a="" r="" l="" n=""
    [ $v = typed ] && a=": int" r=" -> int" l=": list" n=" -> None"
    cat >prog/$v/main.py <<EOF
import sys
### SECTION SEPARATOR ###
def tri(n$a)$r:
    total$a = 0
    for i in range(n):
        total += i
    return total
### SECTION SEPARATOR ###
def main(argv$l)$n:
    print("tri", tri(int(argv[1])))
    print(1 if __file__.endswith(".so") else 0)


if __name__ == "__main__":
    main(sys.argv)
EOF
done
"$MIXPERF" mix prog -o mix -q 2>mix.err || fail "mix: $(cat mix.err)"
[ "$(jq -r '[.configurations[].id] | join(" ")' mix/manifest.json)" = "00 01 10 11" ] ||
    fail "configurations: $(jq -c '[.configurations[].id]' mix/manifest.json)"

cat >exp.yaml <<EOF
name: typed
seed: 7
runtimes:
  py: {command: [/usr/bin/python3]}
  mypyc:
    command: [/usr/bin/python3, "$SRC/python/mixperf_mypyc.py", exec]
    version: "/usr/bin/python3 $SRC/python/mixperf_mypyc.py version"
    build: "/usr/bin/python3 $SRC/python/mixperf_mypyc.py build ."
configurations:
  manifest: mix/manifest.json
benchmarks:
  - name: tri
    command: "{python} main.py 1000"
    metric: printed
repeat: {min_runs: 2, max_runs: 2, warmup_runs: 0}
EOF

# an id the manifest does not have
set +e
"$MIXPERF" run -q exp.yaml -o r.jsonl --configs 00,02 >/dev/null 2>bad.err
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--configs 00,02: exit $rc (expected 2)"
grep -q "^mixperf run: --configs: the experiment has no configuration '02' (expected ids of its manifest)$" bad.err ||
    fail "--configs 00,02: $(cat bad.err)"
[ ! -s r.jsonl ] || fail "runs recorded after a bad --configs"

# the anchors first
"$MIXPERF" run -q exp.yaml -o r.jsonl --configs 00,11 >/dev/null 2>run1.err || fail "run 1: $(cat run1.err)"
[ "$(jq -r .cell r.jsonl | sort -u | tr '\n' ' ')" = "mypyc/tri/00 mypyc/tri/11 py/tri/00 py/tri/11 " ] ||
    fail "cells after --configs 00,11: $(jq -r .cell r.jsonl | sort -u | tr '\n' ' ')"
# then the rest: the same file continues
"$MIXPERF" run -q exp.yaml -o r.jsonl >/dev/null 2>run2.err || fail "run 2: $(cat run2.err)"
for rt in py mypyc; do
    for id in 00 01 10 11; do
        n=$(jq -r "select(.cell == \"$rt/tri/$id\" and .status == \"ok\") | .index" r.jsonl | wc -l)
        [ "$n" -eq 2 ] || fail "$rt/tri/$id has $n ok runs (expected 2)"
    done
done
[ "$(jq -r 'select(.runtime == "py") | .value' r.jsonl | sort -u)" = 0 ] || fail "py ran compiled"
[ "$(jq -r 'select(.runtime == "mypyc") | .value' r.jsonl | sort -u)" = 1 ] ||
    fail "mypyc ran interpreted: $(jq -r 'select(.runtime == "mypyc") | .value' r.jsonl | sort -u)"
[ "$(jq -r 'select(.runtime == "mypyc") | .provenance.runtime_version' r.jsonl | sort -u)" = \
  "$(/usr/bin/python3 "$SRC/python/mixperf_mypyc.py" version)" ] || fail "runtime_version"

# each mypyc configuration ran in its own build copy, which holds the extension; the shared
# configuration directories hold none
for id in 00 01 10 11; do
    dirs=$(jq -r "select(.cell == \"mypyc/tri/$id\") | .provenance.cwd" r.jsonl | sort -u)
    [ "$(echo "$dirs" | wc -l)" -eq 1 ] || fail "$id ran in several directories: $dirs"
    case "$dirs" in "$tmp/r.jsonl.d/build/mypyc/$id-"*) ;; *) fail "$id ran in $dirs" ;; esac
    [ "$(jq -r "select(.cell == \"mypyc/tri/$id\") | .provenance.build_dir" r.jsonl | sort -u)" = "$dirs" ] ||
        fail "$id build_dir"
    ls "$dirs"/main.cpython-*.so >/dev/null 2>&1 || fail "$id: no extension in $dirs: $(ls "$dirs")"
    cmp -s "$dirs/main.py" "mix/$id/main.py" || fail "$id: the build copy's main.py differs"
    [ "$(jq -r "select(.cell == \"py/tri/$id\") | .provenance.cwd" r.jsonl | sort -u)" = "$tmp/mix/$id" ] ||
        fail "py/$id cwd"
done
# (and the version probe leaves nothing behind where it runs)
[ ! -e build ] || fail "a build/ directory next to the experiment: $(ls build)"
if ls mix/*/*.so >/dev/null 2>&1; then fail "an extension in a configuration directory"; fi
# the helper refuses a module that was not compiled
set +e
/usr/bin/python3 "$SRC/python/mixperf_mypyc.py" exec mix/00/main.py 10 >/dev/null 2>exec.err
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "exec of an uncompiled module: exit $rc"
grep -q "mixperf_mypyc: main was not compiled (imported from $tmp/mix/00/main.py)" exec.err ||
    fail "exec: $(cat exec.err)"

# report: tables, the figures as SVG files and one HTML page holding them
"$MIXPERF" report r.jsonl -o rep --html rep/report.html >/dev/null 2>rep.err || fail "report: $(cat rep.err)"
[ -s rep/report.md ] || fail "no report.md"
ov=rep/overhead-tri.svg sc=rep/typed-tri.svg
[ -s "$ov" ] && [ -s "$sc" ] || fail "figures: $(ls rep)"
for rt in mypyc py; do
    [ "$(grep -c "<polyline [^>]*data-series=\"$rt\"" "$ov")" -eq 1 ] || fail "overhead curve of $rt"
    [ "$(grep -c "<polygon [^>]*data-series=\"$rt\"" "$ov")" -eq 1 ] || fail "overhead band of $rt"
    # a point and an error bar per configuration
    [ "$(grep -c "<circle [^>]*data-series=\"$rt\"" "$sc")" -eq 4 ] || fail "scatter points of $rt"
    [ "$(grep -c "<path [^>]*data-series=\"$rt\"" "$sc")" -eq 4 ] || fail "error bars of $rt"
done
grep -q "mypyc: 4 of 4; py: 4 of 4" "$ov" || fail "overhead subtitle: $(grep -o '<text[^>]*fill="#444">[^<]*' "$ov")"
/usr/bin/python3 - rep/report.html "$ov" "$sc" <<'PY' || fail "html"
import sys, html.parser
page = open(sys.argv[1]).read()
VOID = {"meta", "br", "img", "hr", "input", "link"}
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.rows, self.svgs, self.ids = [], [], 0, set()
    def handle_starttag(self, tag, attrs):
        self.svgs += tag == "svg"
        for k, v in attrs:
            if k == "id":
                assert v not in self.ids, "id %s twice" % v
                self.ids.add(v)
        if tag not in VOID:
            self.stack.append(tag)
    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()
    def handle_data(self, data):
        if self.stack and self.stack[-1] == "td" and "/tri/" in data:
            self.rows.append(data)
p = P()
p.feed(page)
p.close()
assert p.stack == [], p.stack
assert p.svgs == 2, p.svgs
want = ["%s/tri/%s" % (rt, c) for rt in ("mypyc", "py") for c in ("00", "01", "10", "11")]
assert p.rows == want, p.rows
for svg in sys.argv[2:]:
    body = open(svg).read().split("\n", 1)[1]   # without the XML declaration
    assert body in page, svg
PY
echo "test_run_mypyc: ok"
