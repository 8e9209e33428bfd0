#!/usr/bin/env bash
# bench/anonymize: posture anonymize with the WordPress and WooCommerce presets against
# cat on the same generated WordPress dump (about 200 MB and 2 GB), wall time by hyperfine
# (median), on all cores and on one (GOMAXPROCS=1), and peak RSS and CPU time by
# /usr/bin/time -v; then checks that one core and all cores write the same bytes. Results
# go to bench/anonymize/RESULTS.md by hand; raw numbers to $BENCH_DIR. Other work on the
# machine skews wall times: the load average is printed before and after each size.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${BENCH_DIR:-/tmp/posture-bench-anonymize}
runs=${RUNS:-5}
mkdir -p "$dir"
command -v hyperfine >/dev/null || { echo "hyperfine is needed (apt-get install hyperfine)" >&2; exit 2; }
go build -o "$dir/posture" ./cmd/posture
go build -o "$dir/gen" ./bench/anonymize/gen
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/key"
for mb in 200 2000; do
  f="$dir/wordpress-$mb.sql"
  [ -s "$f" ] || "$dir/gen" -size $((mb * 1000000)) > "$f"
done
nproc; uptime
for mb in 200 2000; do
  f="$dir/wordpress-$mb.sql"
  size=$(stat -c %s "$f")
  echo "== $f ($size bytes)"
  uptime
  hyperfine --warmup 1 --runs "$runs" --export-json "$dir/hyperfine-$mb.json" \
    -n cat "cat $f > $dir/out-cat.sql" \
    -n posture "$dir/posture anonymize --preset wordpress --preset woocommerce --key-file $dir/key --in $f --out $dir/out-posture.sql" \
    -n posture-1core "GOMAXPROCS=1 $dir/posture anonymize --preset wordpress --preset woocommerce --key-file $dir/key --in $f --out $dir/out-1core.sql"
  uptime
  for cmd in cat posture; do
    if [ $cmd = cat ]; then
      /usr/bin/time -v cat "$f" 2> "$dir/time-$cmd-$mb.txt" > "$dir/out-cat.sql"
    else
      /usr/bin/time -v "$dir/posture" anonymize --preset wordpress --preset woocommerce --key-file "$dir/key" --in "$f" --out "$dir/out-posture.sql" 2> "$dir/time-$cmd-$mb.txt"
    fi
    echo "$cmd peak RSS: $(grep 'Maximum resident' "$dir/time-$cmd-$mb.txt" | awk '{print $6}') KiB, CPU user $(grep 'User time' "$dir/time-$cmd-$mb.txt" | awk '{print $4}') s, system $(grep 'System time' "$dir/time-$cmd-$mb.txt" | awk '{print $4}') s"
  done
  # The output must not depend on the number of cores.
  cmp "$dir/out-posture.sql" "$dir/out-1core.sql" && echo "one core and all cores: identical output"
  python3 - "$dir/hyperfine-$mb.json" "$size" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); size = int(sys.argv[2])
m = {r["command"]: r["median"] for r in d["results"]}
for k, v in m.items():
    print(f"{k}: median {v:.2f} s, {size / v / 1e6:.0f} MB/s, {m['cat'] / v * 100:.0f}% of cat's throughput")
PY
done
"$dir/posture" anonymize verify "$dir/out-posture.sql" | head -3
