#!/usr/bin/env bash
# Side-by-side benchmark of posture's secret scan (CR-4) against gitleaks, in one run, on
# the same inputs:
#   (a) a generated working tree (SIZE_MB, default 200) and a real one (Go's own source),
#   (b) a generated git history of COMMITS commits (default 10000), all refs,
#   (c) posture's labelled corpus, to check posture finds every true positive gitleaks finds.
# Prints wall-time medians (hyperfine), MB/s, peak RSS (/usr/bin/time -v), findings, and
# the posture/gitleaks ratios. Installs what it needs on a Debian machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
work=${BENCH_DIR:-/tmp/posture-bench-secrets}
size_mb=${SIZE_MB:-200}
commits=${COMMITS:-10000}
runs=${RUNS:-3}
peers="$repo/.cache/peers"
mkdir -p "$work" "$peers"

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
[ -x /usr/bin/time ] || need+=(time)
command -v python3 >/dev/null || need+=(python3)
if ((${#need[@]})); then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ ! -x "$peers/gitleaks" ]; then
  echo "installing gitleaks 8.30.1 into $peers"
  GOBIN="$peers" go install github.com/zricethezav/gitleaks/v8@v8.30.1
fi
go build -o "$work/posture" ./cmd/posture
posture="$work/posture"
gitleaks="$peers/gitleaks"

[ -d "$work/tree" ] || python3 bench/secrets/gen_tree.py "$work/tree" "$size_mb"
[ -d "$work/history/.git" ] || python3 bench/secrets/gen_history.py "$work/history" "$commits"
realtree=$(go env GOROOT)/src

# Byte counts: the tree as files, the history as the sum of unique blob sizes.
tree_mb=$(du -sb "$work/tree" | awk '{printf "%.1f", $1/1048576}')
real_mb=$(du -sb "$realtree" | awk '{printf "%.1f", $1/1048576}')
hist_mb=$(git -C "$work/history" rev-list --objects --all | cut -d' ' -f1 | git -C "$work/history" cat-file --batch-check='%(objecttype) %(objectsize)' | awk '$1=="blob"{s+=$2} END{printf "%.1f", s/1048576}')

declare -A cmd_p cmd_g
cmd_p[tree]="$posture scan --only CR-4 --no-history -f json $work/tree > $work/p-tree.json"
cmd_g[tree]="$gitleaks dir $work/tree -f json -r $work/g-tree.json --exit-code 0 --no-banner --log-level error"
cmd_p[gosrc]="$posture scan --only CR-4 --no-history -f json $realtree > $work/p-gosrc.json"
cmd_g[gosrc]="$gitleaks dir $realtree -f json -r $work/g-gosrc.json --exit-code 0 --no-banner --log-level error"
cmd_p[history]="$posture scan --only CR-4 -f json $work/history > $work/p-history.json"
cmd_g[history]="$gitleaks git $work/history -f json -r $work/g-history.json --exit-code 0 --no-banner --log-level error"
declare -A mb=([tree]=$tree_mb [gosrc]=$real_mb [history]=$hist_mb)

for k in tree gosrc history; do
  echo "== $k (${mb[$k]} MiB)"
  hyperfine -N --style basic -i --warmup 1 --runs "$runs" --export-json "$work/hf-$k.json" \
    -n posture "sh -c '${cmd_p[$k]}'" -n gitleaks "sh -c '${cmd_g[$k]}'" >/dev/null
  for tool in posture gitleaks; do
    if [ $tool = posture ]; then c=${cmd_p[$k]}; else c=${cmd_g[$k]}; fi
    /usr/bin/time -v sh -c "$c" 2>"$work/time-$tool-$k.txt" >/dev/null || true
  done
done

# Quality: gitleaks on posture's corpus, compared with the labels and with posture.
corpus="$repo/internal/probe/secrets/testdata/corpus"
"$gitleaks" dir "$corpus/files" -f json -r "$work/g-corpus.json" --exit-code 0 --no-banner --log-level error || true
"$posture" scan --only CR-4 --no-history -f json "$corpus/files" > "$work/p-corpus.json" || true

python3 bench/secrets/report.py "$work" "$corpus/manifest.yaml" "$tree_mb" "$real_mb" "$hist_mb"
