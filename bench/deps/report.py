#!/usr/bin/env python3
"""Summarises bench/deps/run.sh: wall-time medians and CPU time (hyperfine), peak RSS
(/usr/bin/time -v), the posture/osv-scanner ratios, and the vulnerability sets each tool
reported, compared with each other and with the corpus's expected result.

usage: report.py WORKDIR [CASE ...]
WORKDIR holds corpus/ (gen_corpus.py's output) and results/ (run.sh's output):
  results/hf-CASE.json            hyperfine --export-json
  results/time-TOOL-CASE.txt      /usr/bin/time -v
  results/osv-CASE.json           osv-scanner --format json
  results/posture-CASE.json       posture scan --format json
  results/time-posture-import.txt /usr/bin/time -v of the database import (optional)

A finding is compared as the tuple (ecosystem, package, version, alias group). The alias
group is the closure of the ids and aliases of the records that matched that package
version: records sharing an id or alias fall in one group, whichever record a tool names
first. Names are compared as OSV spells them (PyPI names normalised per PEP 503), versions
without a leading "v" for Go and Packagist, where lockfiles and OSV records differ on it.
"""
import json, os, re, statistics, sys

CASES = ["npm-2000", "composer-300", "monorepo-50"]
ECOS = {e.lower(): e for e in ["npm", "Packagist", "Go", "crates.io", "PyPI", "RubyGems"]}


def norm(eco, name, version):
    eco = ECOS.get(str(eco).lower(), str(eco))
    if eco == "PyPI":
        name = re.sub(r"[-_.]+", "-", name).lower()
    if eco in ("Go", "Packagist") and version[:1] == "v" and version[1:2].isdigit():
        version = version[1:]
    return eco, name, version


def closure(sets):
    """Merges sets that share a member, transitively."""
    groups = []
    for s in sets:
        s = set(s)
        keep = []
        for g in groups:
            if g & s:
                s |= g
            else:
                keep.append(g)
        groups = keep + [s]
    return [frozenset(g) for g in groups]


def finish(raw):
    return {k: closure(v) for k, v in raw.items()}


def load_osv(path):
    raw = {}
    for res in json.load(open(path)).get("results") or []:
        for p in res.get("packages") or []:
            pk = p["package"]
            k = norm(pk.get("ecosystem", ""), pk["name"], pk.get("version", ""))
            for g in p.get("groups") or []:
                raw.setdefault(k, []).append(set(g.get("ids") or []) | set(g.get("aliases") or []))
    return finish(raw)


def walk(x):
    if isinstance(x, dict):
        yield x
        for v in x.values():
            yield from walk(v)
    elif isinstance(x, list):
        for v in x:
            yield from walk(v)


def load_posture(path):
    raw = {}
    for d in walk(json.load(open(path))):
        if d.get("rule") == "deps/vulnerable" and isinstance(d.get("vulnerability"), dict):
            v = d["vulnerability"]
            pk = v.get("package") or {}
            k = norm(pk.get("ecosystem", ""), pk.get("name", ""), pk.get("version", ""))
            raw.setdefault(k, []).append({v.get("id", "")} | set(v.get("aliases") or []))
    return finish(raw)


def load_expected(path):
    raw = {}
    for e in json.load(open(path)):
        k = norm(e["ecosystem"], e["name"], e["version"])
        raw.setdefault(k, []).extend(set(g) for g in e["groups"])
    return finish(raw)


def tuples(d):
    return {(k[0], k[1], k[2], tuple(sorted(g))) for k, gs in d.items() for g in gs}


def per_eco(d):
    out = {}
    for k, gs in d.items():
        out[k[0]] = out.get(k[0], 0) + len(gs)
    return out


def diff(a, b, la, lb):
    """Prints every tuple one side has and the other lacks; returns the count."""
    ta, tb = tuples(a), tuples(b)
    only_a, only_b = sorted(ta - tb), sorted(tb - ta)
    if not only_a and not only_b:
        print(f"    {la} and {lb}: identical ({len(ta)} tuples)")
        return 0
    print(f"    {la} vs {lb}: {len(ta & tb)} shared, {len(only_a)} only in {la}, {len(only_b)} only in {lb}")
    for side, items in ((la, only_a), (lb, only_b)):
        for eco, name, ver, grp in items:
            other = b if side == la else a
            hint = ""
            if (eco, name, ver) in other:
                og = [g for g in other[(eco, name, ver)] if g & set(grp)]
                hint = f"   [other side groups it as {sorted(og[0])}]" if og else "   [package version also reported by the other side]"
            print(f"      only {side:11} {eco:9} {name} {ver}  {' '.join(grp)}{hint}")
    return len(only_a) + len(only_b)


def rss(path):
    try:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(path).read())
        return int(m.group(1)) / 1024 if m else None
    except OSError:
        return None


def wall_of_time(path):
    try:
        m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", open(path).read())
    except OSError:
        return None
    return (int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))) if m else None


def fmt(x, f="{:.2f}"):
    return f.format(x) if x is not None else "-"


def main():
    work = sys.argv[1]
    cases = sys.argv[2:] or CASES
    res, corpus = os.path.join(work, "results"), os.path.join(work, "corpus")
    summary = json.load(open(os.path.join(corpus, "corpus.json")))
    print(f"\ncorpus (seed {summary['seed']}): {summary['osv_records']} OSV records: " +
          ", ".join(f"{e} {s['records']}" for e, s in summary["osv"].items()))
    imp = os.path.join(res, "time-posture-import.txt")
    if os.path.exists(imp):
        print(f"posture db import of all six ecosystem zips: {fmt(wall_of_time(imp))} s wall, peak RSS {fmt(rss(imp), '{:.1f}')} MiB")
    posture_missing = []

    print(f"\n{'case':14} {'lockfiles':>9} {'packages':>9} {'tool':12} {'median s':>9} {'cpu s':>7} {'min s':>7} {'max s':>7} {'RSS MiB':>8} {'findings':>9}")
    data = {}
    for case in cases:
        cs = summary["cases"][case]
        exp = load_expected(os.path.join(corpus, "expected", case + ".json"))
        got = {}
        for tool, fn in (("osv-scanner", "osv"), ("posture", "posture")):
            p = os.path.join(res, f"{fn}-{case}.json")
            try:
                got[tool] = (load_osv if tool == "osv-scanner" else load_posture)(p)
            except (OSError, ValueError) as e:
                got[tool] = None
                if tool == "posture":
                    posture_missing.append(f"{p}: {e.__class__.__name__}: {e}")
                else:
                    print(f"osv-scanner output missing or unreadable: {p}: {e}")
        data[case] = (exp, got)
        hf = {}
        try:
            for r in json.load(open(os.path.join(res, f"hf-{case}.json")))["results"]:
                hf[r["command"]] = r
        except OSError:
            pass
        med = {}
        for tool in ("posture", "osv-scanner"):
            h = hf.get(tool)
            med[tool] = statistics.median(h["times"]) if h else None
            cpu = (h["user"] + h["system"]) if h else None
            n = len(tuples(got[tool])) if got[tool] is not None else None
            print(f"{case:14} {cs['lockfiles']:9d} {cs['packages']:9d} {tool:12} {fmt(med[tool]):>9} {fmt(cpu):>7} "
                  f"{fmt(min(h['times']) if h else None):>7} {fmt(max(h['times']) if h else None):>7} "
                  f"{fmt(rss(os.path.join(res, f'time-{tool}-{case}.txt')), '{:.1f}'):>8} {fmt(n, '{:d}'):>9}")
        if med["posture"] and med["osv-scanner"]:
            q = med["osv-scanner"] / med["posture"]
            word = f"posture is {q:.1f}x faster" if q >= 1 else f"posture is {1 / q:.1f}x slower"
            print(f"{'':14} {'':9} {'':9} {'ratio':12} {word} (osv-scanner/posture median wall time)")
        print(f"{'':14} {'':9} {'':9} {'expected':12} {'':>9} {'':>7} {'':>7} {'':>7} {'':>8} {len(tuples(exp)):9d}")

    print("\nfindings per ecosystem, as (package version, alias group) tuples:")
    for case in cases:
        exp, got = data[case]
        line = f"  {case:14} expected " + ", ".join(f"{e} {n}" for e, n in sorted(per_eco(exp).items()))
        print(line)
        for tool in ("osv-scanner", "posture"):
            if got[tool] is not None:
                print(f"  {'':14} {tool:8} " + ", ".join(f"{e} {n}" for e, n in sorted(per_eco(got[tool]).items())))

    print("\ndifferences (every one):")
    for case in cases:
        exp, got = data[case]
        print(f"  {case}:")
        if got["osv-scanner"] is not None:
            diff(got["osv-scanner"], exp, "osv-scanner", "expected")
        if got["posture"] is not None:
            diff(got["posture"], got["osv-scanner"] or {}, "posture", "osv-scanner")
            diff(got["posture"], exp, "posture", "expected")
    if posture_missing:
        print("\nposture output not available yet, so posture was left out of the comparison:")
        for m in posture_missing:
            print("  " + m)
        print("  (run.sh skips posture when `posture db import` or `posture scan --db` fails; see its log in results/)")


if __name__ == "__main__":
    main()
