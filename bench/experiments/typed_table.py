"""One Markdown table per benchmark from `mixperf report -o DIR`'s report.csv: a row per
configuration, per runtime its mean and its ratio to the untyped (all-zero) configuration on the
same runtime with the report's interval; anchors first, then the sampled configurations by id.

    /usr/bin/python3 bench/experiments/typed_table.py DIR/report.csv [RUNTIME,...]

The ratios are the report's own (baseline config=000...): this script only rearranges them.
"""
import csv
import sys


def main(argv):
    rows = list(csv.DictReader(open(argv[1])))
    runtimes = argv[2].split(",") if len(argv) > 2 else sorted({r["runtime"] for r in rows})
    cell = {(r["runtime"], r["benchmark"], r["config"]): r for r in rows}
    for bench in sorted({r["benchmark"] for r in rows}):
        configs = sorted({r["config"] for r in rows if r["benchmark"] == bench})
        anchors = [c for c in configs if len(set(c)) == 1]
        configs = anchors + [c for c in configs if c not in anchors]
        unit = " (%s)" % rows[0]["unit"] if rows[0]["unit"] else ""
        print("| %s config | typed units |" % bench
              + "".join(" %s mean%s | %s vs untyped |" % (rt, unit, rt) for rt in runtimes))
        print("|---|---:|" + "---:|---|" * len(runtimes))
        for c in configs:
            typed = sum(d != "0" for d in c) / len(c)
            line = "| `%s`%s | %.2f |" % (c, " (anchor)" if c in anchors else "", typed)
            for rt in runtimes:
                r = cell.get((rt, bench, c))
                if r is None or r["n"] == "0":
                    line += " - | - |"
                    continue
                line += " %.4f | " % float(r["mean"])
                if r["ratio_method"] == "baseline":
                    line += "1 |"
                elif r["ratio"]:
                    line += "%.3f [%.3f, %.3f]%s |" % (
                        float(r["ratio"]), float(r["ratio_lo"]), float(r["ratio_hi"]),
                        "" if r["ratio_significant"] == "1" else " n.s.")
                else:
                    line += "- |"
            print(line)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
