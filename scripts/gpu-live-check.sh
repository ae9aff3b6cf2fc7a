#!/usr/bin/env bash
# Live check of the GPU sources on a machine with a real NVIDIA GPU (run as root, from the repo root,
# after `npm run build` if Node.js is there). $OUT (default ./gpu-live-out) gets summary.txt and
# gpu-live-check.tar.gz (`tar xzf` it; KEEP_FILES=1 also leaves the files unpacked in $OUT/files):
#   nvidia-smi --version, -L, --help-query-gpu, -q, -q -x, every --query-gpu field with and without
#   units (fixture material), --query-compute-apps;
#   with node and a built exporter/dist (DIST= for another build): the exact argv the `nvidia` source
#   runs (node-exec-calls.txt), the raw reply to that exact query, what two collections returned
#   (node-results.json; the field list must be detected once) and the rendered proxmon_gpu_* metrics
#   (node-metrics.prom, also printed).
# Without node it says so and only captures. Each command is capped; the whole run stays under 60 s.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-./gpu-live-out}
DIST=${DIST:-$ROOT/exporter/dist}
mkdir -p "$OUT/files"
OUT=$(cd "$OUT" && pwd)
SUMMARY=$OUT/summary.txt
log() { echo "gpu-live-check: $*" | tee -a "$SUMMARY"; }
# One archive, so a runner that returns only a few files still returns everything.
pack() {
  tar -czf "$OUT/gpu-live-check.tar.gz" -C "$OUT" files summary.txt
  [ -n "${KEEP_FILES:-}" ] || rm -rf "$OUT/files"
  echo "gpu-live-check: wrote $OUT/gpu-live-check.tar.gz"
}
trap pack EXIT
FILES=$OUT/files

# capture NAME CMD...: stdout, stderr and exit status of one command, at most 15 s.
capture() {
  local name=$1
  shift
  timeout -k 2 15 "$@" >"$FILES/$name.txt" 2>"$FILES/$name.stderr.txt"
  local rc=$?
  echo "$rc" >"$FILES/$name.rc"
  log "$name: exit $rc ($*)"
}

: >"$SUMMARY"
log "started $(date -u +%FT%TZ) on $(uname -srm)"
if ! command -v nvidia-smi >/dev/null 2>&1; then
  log "nvidia-smi is not on PATH: nothing to capture"
  exit 1
fi
capture version nvidia-smi --version
capture list nvidia-smi -L
capture help-query-gpu nvidia-smi --help-query-gpu
capture help-query-compute-apps nvidia-smi --help-query-compute-apps
capture q nvidia-smi -q
capture q-x nvidia-smi -q -x

# Every field the help lists (first name of each entry: lines holding only quoted names, not the
# `"0: Default" means ...` description lines), in one query: what the fake nvidia-smi in
# tests/fake-bin cuts its answers from.
grep -E '^"[^"]+"( or "[^"]+")*[[:space:]]*$' "$FILES/help-query-gpu.txt" | grep -o '^"[^"]*"' | tr -d '"' |
  paste -sd, - >"$FILES/all-query-fields.txt"
all=$(cat "$FILES/all-query-fields.txt")
if [ -n "$all" ]; then
  capture query-all-nounits nvidia-smi --query-gpu="$all" --format=csv,noheader,nounits
  capture query-all-units nvidia-smi --query-gpu="$all" --format=csv
fi
capture query-compute-apps nvidia-smi --query-compute-apps=gpu_uuid,pid,used_gpu_memory,process_name \
  --format=csv,noheader,nounits
capture query-compute-apps-units nvidia-smi --query-compute-apps=gpu_uuid,pid,used_gpu_memory,process_name \
  --format=csv

if ! command -v node >/dev/null 2>&1; then
  log "node is not installed here: captured the raw outputs only (no run of the built source;" \
    "a Node 20 binary copied onto PATH is enough)"
  exit 0
fi
if [ ! -f "$DIST/sources/gpu/index.js" ]; then
  log "no built exporter at $DIST (run npm run build first): captured the raw outputs only"
  exit 0
fi
log "node $(node --version): running the built sources against the live tools"
cd "$ROOT" || exit 1
OUT=$FILES DIST=$DIST timeout -k 2 40 node --input-type=module -e '
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const { DIST: dist, OUT: out } = process.env;
const load = (p) => import(pathToFileURL(`${dist}/${p}`).href);
const { createExec } = await load("sources/exec.js");
const { readText } = await load("sources/read.js");
const gpu = await load("sources/gpu/index.js");
const { SnapshotCache } = await load("snapshots.js");
const { registerGpuMetrics } = await load("metrics/gpu.js");
const { Registry } = await import("prom-client");

const real = createExec();
const calls = [];
const exec = (tool, args, options) => {
  calls.push(JSON.stringify([tool, ...args]));
  return real(tool, args, options);
};
const noop = () => {};
const logger = {
  trace: noop, debug: noop, info: noop, error: noop, fatal: noop,
  warn: (o, m) => console.error("warn:", m, JSON.stringify(o)),
  child() { return this; },
};
const context = () => ({
  paths: { procfs: "/proc", sysfs: "/sys", rootfs: "/" },
  exec, readText, logger, now: Date.now,
  signal: AbortSignal.timeout(15000),
});
const cache = new SnapshotCache();
const results = {};
for (const source of [gpu.createNvidiaSource({ processes: true }), gpu.createIntelGpuSource()]) {
  cache.register(source.name, 600000);
  for (const round of [1, 2]) {
    const t0 = performance.now();
    const r = await source.collect(context());
    const seconds = (performance.now() - t0) / 1000;
    results[`${source.name} #${round}`] = { seconds, result: r };
    if (r.ok) cache.recordSuccess(source.name, r.value, seconds);
    else cache.recordFailure(source.name, r.error, seconds);
    console.log(`${source.name} #${round}: ${r.ok ? `ok, ${r.value.gpus.length} GPU(s)` : `${r.error.kind}: ${r.error.message}`} in ${seconds.toFixed(2)} s`);
  }
}
const registry = new Registry();
registerGpuMetrics(registry, cache);
writeFileSync(`${out}/node-exec-calls.txt`, calls.join("\n") + "\n");
writeFileSync(`${out}/node-results.json`, JSON.stringify(results, null, 2) + "\n");
writeFileSync(`${out}/node-metrics.prom`, await registry.metrics());
' 2>&1 | tee -a "$SUMMARY"

if [ -f "$FILES/node-exec-calls.txt" ]; then
  log "argv the sources ran:"
  sed 's/^/  /' "$FILES/node-exec-calls.txt" | tee -a "$SUMMARY"
  log "rendered metrics:"
  grep -v '^#' "$FILES/node-metrics.prom" | grep -v '^$' | tee -a "$SUMMARY"
fi

# The exact --query-gpu argv the source ran, replayed for its raw reply.
query=$(grep -m1 '"--query-gpu=' "$FILES/node-exec-calls.txt" 2>/dev/null)
if [ -n "$query" ]; then
  fields=$(echo "$query" | sed -n 's/.*"--query-gpu=\([^"]*\)".*/\1/p')
  format=$(echo "$query" | sed -n 's/.*"--format=\([^"]*\)".*/\1/p')
  capture query-source nvidia-smi --query-gpu="$fields" --format="$format"
  echo "$fields" >"$FILES/query-source-fields.txt"
fi
log "done $(date -u +%FT%TZ)"
