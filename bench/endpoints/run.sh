#!/usr/bin/env bash
# Side-by-side benchmark of posture's endpoint audit against testssl.sh 3.0, in one run, on
# the same real nginx sites (the integration tests' presets: modern, intermediate, legacy
# TLS 1.0 with weak suites, no HSTS, directory listing, exposed .git, expired, wrong host,
# self-signed, 1024-bit RSA, incomplete chain, a clean site, one with a 1024-bit DHE
# group and secp192r1, one that prefers a CBC suite and compresses its pages). Prints:
#   - an agreement table: accepted protocols, every accepted suite per protocol (by code
#     point), certificate problems, HSTS, ECDHE curves and finite-field DH groups, who
#     chooses the suite, downgrade protection, CCS injection, ROBOT, Ticketbleed, BREACH,
#     as each tool reports them;
#   - wall time per site (hyperfine medians) and the testssl.sh/posture ratio;
#   - posture alone sweeping SWEEP (default 200) loopback endpoints in one run.
# posture's timing is a whole `posture scan` of the endpoint (TLS and HTTP checks);
# testssl.sh runs -p -E -S -f -P -Z -I -BB -T -B -h (protocols, ciphers per protocol, certificate, forward
# secrecy with curves and DH groups, server cipher order, TLS_FALLBACK_SCSV, CCS
# injection, ROBOT, Ticketbleed, BREACH, headers).
# env: RUNS (posture runs per site, default 10), TESTSSL_RUNS (default 1: it takes
# ~30-60 s a site), SWEEP (200), SWEEP_RUNS (3), SITES (comma-separated subset),
# BENCH_DIR (.cache/bench/endpoints). Installs what it needs on a Debian machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
work=${BENCH_DIR:-$repo/.cache/bench/endpoints}
mkdir -p "$work"

need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v testssl >/dev/null || need+=(testssl.sh)
command -v hyperfine >/dev/null || need+=(hyperfine)
if ((${#need[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || { apt-get update -qq >/dev/null; apt-get install -y -qq "${need[@]}" >/dev/null; }
fi
echo "testssl.sh: $(testssl --version 2>/dev/null | grep -m1 -o 'testssl.sh *[0-9][^ ]*' || dpkg-query -W -f '${Version}' testssl.sh)"
echo "nginx: $(nginx -v 2>&1)"
echo "machine: $(nproc) cores, $(uname -srm)"

go build -o "$work/posture" ./cmd/posture
export POSTURE_BIN="$work/posture" BENCH_OUT="$work" POSTURE_REQUIRE_INTEGRATION=1
go test -count=1 -tags endpointbench -timeout 90m -run 'TestEndpointsBench|TestSweepBench' ./bench/endpoints -v 2>&1 |
  grep -v '^=== RUN\|^--- PASS\|^PASS\|^ok ' | tee "$work/results.md"
echo "results: $work/results.md"
