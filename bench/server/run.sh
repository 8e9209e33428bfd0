#!/usr/bin/env bash
# bench/server: posture serve's dashboard (HTML page and JSON) under a constant 300
# requests/s from a second process on loopback, with 100 systems and 100,000 findings
# stored, on SQLite and on PostgreSQL; then the audit log's append benchmark. The server
# is pinned to the machine's 2 cores with GOMAXPROCS=2; the load generator shares them
# (there are no others), which the results must be read with.
#
#   bench/server/run.sh                 # both databases
#   DBS=sqlite bench/server/run.sh      # one
#   RATE=300 DURATION=30s POSTURE_BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/test bench/server/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${BENCH_DIR:-/tmp/posture-bench-server}
rate=${RATE:-300}
duration=${DURATION:-30s}
dbs=${DBS:-sqlite postgres}
pgbase=${POSTURE_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
mkdir -p "$dir"
# Other work on a shared machine (builds, test suites) preempts the server and the load
# generator in bursts, which shows as seconds-long queues in an open-loop test. As root,
# run both at a higher priority (NICE=0 to turn it off); the server's CPU time per
# request, printed after each run, does not depend on it.
prio=""
if [ "$(id -u)" = 0 ] && [ "${NICE:--10}" != 0 ]; then prio="nice -n ${NICE:--10}"; fi
go build -o "$dir/posture" ./cmd/posture
go build -o "$dir/gen" ./bench/server/gen
go build -o "$dir/load" ./bench/server/load
nproc; uptime

for db in $dbs; do
  data="$dir/data-$db"
  rm -rf "$data"; mkdir -p "$data"
  dburl=""
  if [ "$db" = postgres ]; then
    schema="posture_bench_$$"
    psql "$pgbase" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema"
    dburl="$pgbase?sslmode=disable&search_path=$schema"
  fi
  echo "== $db: generating data"
  "$dir/gen" --data "$data" ${dburl:+--database "$dburl"} --systems 100 --findings 100000 --scans 10 --creds "$dir/creds-$db.json"
  port=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  GOMAXPROCS=2 $prio taskset -c 0,1 "$dir/posture" serve --data "$data" ${dburl:+--database "$dburl"} --listen "127.0.0.1:$port" \
    > "$dir/serve-$db.log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 100); do
    curl -fsk "https://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { cat "$dir/serve-$db.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "== $db: $rate requests/s for $duration per URL (after a 5 s warm-up)"
  : > "$dir/result-$db.txt"
  for path in / /api/v1/dashboard; do
    # The server's CPU time per request, from /proc: what the machine's other load
    # cannot inflate, unlike the latencies.
    t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    $prio "$dir/load" --server "https://127.0.0.1:$port" --ca "$data/tls/ca.crt" --creds "$dir/creds-$db.json" \
      --rate "$rate" --duration "$duration" "$path" | tee -a "$dir/result-$db.txt"
    t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    secs=$(( ${duration%s} + 5 ))
    awk -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v n="$(( secs * ${rate%.*} ))" -v p="$path" \
      'BEGIN { printf "  server CPU for %s: %.2f ms a request (%.0f%% of one core)\n", p, t / hz * 1000 / n, t / hz / (n / '"${rate%.*}"') * 100 }' | tee -a "$dir/result-$db.txt"
    uptime | tee -a "$dir/result-$db.txt"
  done
  uptime
  kill "$pid"; wait "$pid" 2>/dev/null || true
  trap - EXIT
  if [ "$db" = postgres ]; then psql "$pgbase" -qc "DROP SCHEMA $schema CASCADE"; fi
done

echo "== audit append (internal/audit BenchmarkAppend64: 64 appenders, group commit)"
POSTURE_TEST_POSTGRES="$pgbase" go test -tags integration -run '^$' -bench BenchmarkAppend64 -benchtime 3s ./internal/audit/ | tee "$dir/result-audit.txt"
