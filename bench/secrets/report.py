#!/usr/bin/env python3
"""Summarises bench/secrets/run.sh: medians, MB/s, peak RSS, findings, ratios, and the corpus
comparison. usage: report.py WORKDIR MANIFEST TREE_MB REAL_MB HIST_MB"""
import json, re, sys, statistics, os

work, manifest = sys.argv[1], sys.argv[2]
mb = {"tree": float(sys.argv[3]), "gosrc": float(sys.argv[4]), "history": float(sys.argv[5])}
names = {"tree": "generated working tree", "gosrc": "Go source tree (real)", "history": "generated history, all refs"}

def rss(path):
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(path).read())
    return int(m.group(1)) / 1024 if m else float("nan")

def posture_findings(path):
    d = json.load(open(path))
    return sum(len(c["findings"]) for t in d["targets"] for c in t["controls"] if c["id"] == "CR-4")

def gitleaks_findings(path):
    try:
        return len(json.load(open(path)))
    except Exception:
        return 0

print(f"\n{'input':32} {'MiB':>7} {'tool':9} {'median s':>9} {'MB/s':>8} {'peak RSS MiB':>13} {'findings':>9}")
for k in ("tree", "gosrc", "history"):
    hf = json.load(open(os.path.join(work, f"hf-{k}.json")))["results"]
    med = {r["command"]: statistics.median(r["times"]) for r in hf}
    for tool in ("posture", "gitleaks"):
        f = posture_findings(os.path.join(work, f"p-{k}.json")) if tool == "posture" else gitleaks_findings(os.path.join(work, f"g-{k}.json"))
        print(f"{names[k]:32} {mb[k]:7.1f} {tool:9} {med[tool]:9.2f} {mb[k] / med[tool]:8.1f} {rss(os.path.join(work, f'time-{tool}-{k}.txt')):13.1f} {f:9d}")
    print(f"{'':32} {'':7} {'ratio':9} posture is {med['gitleaks'] / med['posture']:.1f}x faster (gitleaks/posture median wall time)")

# Corpus: which labelled secrets does each tool find?
labels = set()
for line in open(manifest):
    m = re.search(r'path: "([^"]+)", line: (\d+)', line)
    if m:
        labels.add((m.group(1), int(m.group(2))))
corpus_root = os.path.join(os.path.dirname(manifest), "files") + "/"
g = set()
for x in json.load(open(os.path.join(work, "g-corpus.json"))):
    g.add((x["File"].replace(corpus_root, ""), x["StartLine"]))
p = set()
d = json.load(open(os.path.join(work, "p-corpus.json")))
for t in d["targets"]:
    for c in t["controls"]:
        if c["id"] == "CR-4":
            for f in c["findings"]:
                p.add((f["location"]["path"], f["location"].get("line", 0)))
gtp, ptp = g & labels, p & labels
print(f"\ncorpus: {len(labels)} labelled secrets")
print(f"  gitleaks: {len(gtp)} found (recall {len(gtp) / len(labels):.2f}), {len(g - labels)} false positives")
print(f"  posture:  {len(ptp)} found (recall {len(ptp) / len(labels):.2f}), {len(p - labels)} false positives")
missed = sorted(gtp - ptp)
print(f"  true positives gitleaks finds that posture misses: {len(missed)} {missed[:10]}")
