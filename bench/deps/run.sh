#!/usr/bin/env bash
# Side-by-side benchmark of posture's dependency probe against osv-scanner 2.6.0, in one
# run, on the same inputs and the same OSV records (generated: the public OSV archives
# cannot be downloaded here):
#   npm-2000      one package-lock.json (v3) of 2,000 packages
#   composer-300  one composer.lock of ~300 packages
#   monorepo-50   50 lockfiles of 11 formats and 6 ecosystems
# Prints wall-time medians and CPU time (hyperfine), peak RSS (/usr/bin/time -v), the
# posture/osv-scanner ratios, and every difference between the vulnerability sets the two
# tools report and the corpus's expected set. Installs what it needs on a Debian machine.
#
# posture runs with --only VM-3 by default: the same job osv-scanner does (POSTURE_ARGS=""
# times a full policy scan instead).
# env: RUNS (default 5), SEED (1), BENCH_DIR (.cache/bench/deps), POSTURE_ARGS (extra
# arguments for `posture scan`), SKIP_POSTURE=1 to time osv-scanner alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
work=${BENCH_DIR:-$repo/.cache/bench/deps}
runs=${RUNS:-5}
seed=${SEED:-1}
peers="$repo/.cache/peers"
osv="$peers/osv-scanner"
posture="$repo/.cache/bench/posture"
corpus="$work/corpus"
res="$work/results"
pdb="$work/posture-db"
osvdb="$work/osvdb"          # osv-scanner's --local-db-path: it reads $osvdb/osv-scalibr/<Ecosystem>/all.zip
cases=(npm-2000 composer-300 monorepo-50)
mkdir -p "$work" "$peers" "$res"

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
[ -x /usr/bin/time ] || need+=(time)
command -v python3 >/dev/null || need+=(python3)
if ((${#need[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || { apt-get update -qq >/dev/null; apt-get install -y -qq "${need[@]}" >/dev/null; }
fi
if [ ! -x "$osv" ]; then
  echo "installing osv-scanner 2.6.0 into $peers (needs Go >= 1.27; a few minutes cold)"
  GOBIN="$peers" GOTOOLCHAIN=go1.27.3 go install github.com/google/osv-scanner/v2/cmd/osv-scanner@v2.6.0
fi

# The corpus is regenerated when the generator or the seed changes.
stamp="$(sha256sum bench/deps/gen_corpus.py | cut -c1-16)-$seed"
if [ "$(cat "$corpus/.stamp" 2>/dev/null)" != "$stamp" ]; then
  python3 bench/deps/gen_corpus.py "$corpus" --seed "$seed"
  echo "$stamp" > "$corpus/.stamp"
fi
mkdir -p "$osvdb"
ln -sfn "$corpus/osv" "$osvdb/osv-scalibr"

# posture: build, import the same zips osv-scanner reads, and check that a scan works.
posture_ok=1
rm -f "$res"/posture-*.json "$res"/time-posture-*.txt
if [ -n "${SKIP_POSTURE:-}" ]; then
  posture_ok=0
elif ! go build -o "$posture" ./cmd/posture 2>"$res/posture-build.log"; then
  echo "posture does not build (see $res/posture-build.log): timing osv-scanner alone"
  posture_ok=0
else
  rm -rf "$pdb"
  zips=("$corpus"/osv/*/all.zip)
  # one timed import of the six ecosystem zips: posture's one-off cost, like osv-scanner's download
  if ! /usr/bin/time -v -o "$res/time-posture-import.txt" sh -c \
      'p=$1; db=$2; shift 2; for z; do "$p" db import "$z" --db "$db" || exit 1; done' sh "$posture" "$pdb" "${zips[@]}" \
      >"$res/posture-import.log" 2>&1; then
    echo "posture db import failed (see $res/posture-import.log): timing osv-scanner alone"
    rm -f "$res/time-posture-import.txt"
    posture_ok=0
  fi
fi

osv_cmd() { # case -> shell command
  echo "OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY=$osvdb $osv scan source --offline --no-call-analysis=all --no-ignore --format json -r $corpus/cases/$1 > $res/osv-$1.json 2> $res/osv-$1.log"
}
posture_cmd() {
  echo "$posture scan $corpus/cases/$1 --format json --db $pdb ${POSTURE_ARGS---only VM-3} > $res/posture-$1.json 2> $res/posture-$1.log"
}

for c in "${cases[@]}"; do
  # one checked run of each tool first: exit 1 means vulnerabilities found
  set +e
  sh -c "$(osv_cmd "$c")"; rc=$?
  set -e
  case $rc in
    0|1) ;;
    127) echo "osv-scanner: a needed OSV database is missing under $osvdb/osv-scalibr (exit 127)"; exit 1 ;;
    *) echo "osv-scanner failed on $c (exit $rc), see $res/osv-$c.log"; exit 1 ;;
  esac
  if ((posture_ok)); then
    set +e
    sh -c "$(posture_cmd "$c")"; rc=$?
    set -e
    if [ $rc -gt 1 ]; then
      echo "posture scan failed on $c (exit $rc, see $res/posture-$c.log): timing osv-scanner alone from here"
      posture_ok=0
    fi
  fi

  echo "== $c"
  args=(-N --style basic -i --warmup 1 --runs "$runs" --export-json "$res/hf-$c.json")
  if ((posture_ok)); then
    args+=(-n posture "sh -c '$(posture_cmd "$c")'")
  fi
  args+=(-n osv-scanner "sh -c '$(osv_cmd "$c")'")
  hyperfine "${args[@]}" >/dev/null 2>"$res/hf-$c.log" || { cat "$res/hf-$c.log"; exit 1; }
  /usr/bin/time -v -o "$res/time-osv-scanner-$c.txt" sh -c "$(osv_cmd "$c")" || true
  if ((posture_ok)); then
    /usr/bin/time -v -o "$res/time-posture-$c.txt" sh -c "$(posture_cmd "$c")" || true
  fi
done
echo "osv-scanner: $(go version -m "$osv" | awk '$1=="mod"{print $2, $3; exit}'); $(hyperfine --version)"
python3 bench/deps/report.py "$work" "${cases[@]}"
