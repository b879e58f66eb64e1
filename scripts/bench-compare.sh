#!/usr/bin/env bash
# Is the working tree slower than an earlier commit? Builds the benchmark of both, then runs them in alternating
# rounds (base, head, head, base, ...) on the same input, and prints for each build the median wall time of every
# Ingest variant and the median of its ratio to DuckDB measured in the same invocation (which cancels most of the
# machine's load). Nothing here is a timed assertion: it prints figures for a person to read.
#
#   scripts/bench-compare.sh BASE_REF [ROUNDS] [-- benchmark arguments]
#
# Default benchmark arguments: --rows 2000000 --runs 1 --no-scaling --no-shapes --no-parquet (the orders CSV,
# unpartitioned and partitioned by day, Iceberg and Hive). ROUNDS defaults to 5. The base build lives in a detached
# worktree under ${TMPDIR:-/tmp}/ingest-bench-base, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
base_ref="${1:?usage: scripts/bench-compare.sh BASE_REF [ROUNDS] [-- benchmark arguments]}"
shift
rounds=5
if [ $# -gt 0 ] && [ "$1" != "--" ]; then rounds="$1"; shift; fi
if [ "${1:-}" = "--" ]; then shift; fi
args=("$@")
if [ ${#args[@]} -eq 0 ]; then args=(--rows 2000000 --runs 1 --no-scaling --no-shapes --no-parquet); fi

tmp="${TMPDIR:-/tmp}"
base="$tmp/ingest-bench-base"
work="$tmp/ingest-bench-work"
logs="$tmp/ingest-bench-logs"
base_sha="$(git rev-parse --verify "$base_ref^{commit}")"
git worktree remove --force "$base" 2>/dev/null || rm -rf "$base"
git worktree add -q --detach "$base" "$base_sha"
trap 'git worktree remove --force "$base" 2>/dev/null || true' EXIT
rm -rf "$logs" && mkdir -p "$logs" "$work"

echo "building the base ($base_sha) and the working tree ($(git rev-parse --short HEAD)$(git diff --quiet || echo ', with uncommitted changes'))"
dotnet build -c Release -v q "$base/benchmarks/Ingest.Benchmarks" >/dev/null
dotnet build -c Release -v q benchmarks/Ingest.Benchmarks >/dev/null
# The input is generated once and shared, so both builds read the same bytes.
mkdir -p benchmarks/Ingest.Benchmarks/data
rm -rf "$base/benchmarks/Ingest.Benchmarks/data"
ln -s "$PWD/benchmarks/Ingest.Benchmarks/data" "$base/benchmarks/Ingest.Benchmarks/data"

run() { # build-dir label round
  (cd "$1" && dotnet run -c Release --no-build --project benchmarks/Ingest.Benchmarks -- "${args[@]}" --work "$work") >"$logs/$2-$3.log" 2>&1 \
    || { echo "the $2 benchmark failed in round $3; see $logs/$2-$3.log"; exit 1; }
  echo "round $3 $2 done (load average $(cut -d' ' -f1 /proc/loadavg))"
}
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2)); then run "$base" base "$r"; run "$PWD" head "$r"; else run "$PWD" head "$r"; run "$base" base "$r"; fi
done

# Each log has lines "round 1 <variant>  1.83 s (cpu ...". Per build and variant: the median seconds, and the
# median over invocations of (DuckDB's seconds / Ingest's seconds) with the DuckDB variant of the same shape.
python3 - "$logs" "$rounds" <<'PY'
import re, statistics, sys, pathlib
logs, rounds = pathlib.Path(sys.argv[1]), int(sys.argv[2])
line = re.compile(r"^round \d+ (.+?)\s+([0-9.]+) s \(cpu")
def read(label):
    runs = []
    for r in range(1, rounds + 1):
        figures = {}
        for text in (logs / f"{label}-{r}.log").read_text().splitlines():
            m = line.match(text)
            if m:
                figures.setdefault(m.group(1).strip(), []).append(float(m.group(2)))
        runs.append({k: statistics.median(v) for k, v in figures.items()})
    return runs
def duckdb_for(variant):
    return "DuckDB, PARTITION_BY day" if "PARTITION" in variant else "DuckDB"
result = {label: read(label) for label in ("base", "head")}
variants = [v for v in result["head"][0] if v.startswith("Ingest")]
print(f"\n{'variant':34} {'base s':>8} {'head s':>8} {'head/base':>9} {'base Ingest/DuckDB':>19} {'head Ingest/DuckDB':>19}")
for v in variants:
    med = {l: statistics.median(run[v] for run in result[l]) for l in result}
    ratio = {l: statistics.median(run[duckdb_for(v)] / run[v] for run in result[l]) for l in result}
    print(f"{v:34} {med['base']:8.2f} {med['head']:8.2f} {med['head'] / med['base']:9.3f} {ratio['base']:19.3f} {ratio['head']:19.3f}")
print(f"\nmedians of {rounds} alternating invocations per build; logs in {logs}")
PY
