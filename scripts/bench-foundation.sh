#!/usr/bin/env bash
# Benchmark for the foundation: generates a 500-project repository and times `berth validate`,
# `berth plan` and `berth render` in a release build. Target: under 1 s wall and under 150 MB
# peak memory for the three together. Prints each command's wall time and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
PROJECTS="${PROJECTS:-500}"
RUNS="${RUNS:-5}"

BERTH="$(bash scripts/build-release.sh)"
WORK="$(mktemp -d /tmp/berth-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
python3 scripts/generate-repo.py "$WORK/repo" "$PROJECTS"

measure() {  # prints "seconds max_rss_kb" of the best of $RUNS runs (render: into an empty directory each time)
  local best_t=999 best_m=0
  for _ in $(seq 1 "$RUNS"); do
    rm -rf "$WORK/out"
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >/dev/null
    read -r t m <"$WORK/time"
    if awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; fi
    [ "$m" -gt "$best_m" ] && best_m=$m
  done
  echo "$best_t $best_m"
}

total=0; peak=0
printf '%-10s %10s %12s\n' command "wall (s)" "peak (MB)"
for cmd in validate plan render; do
  args=("$cmd" -c "$WORK/repo")
  [ "$cmd" = render ] && args+=(--out "$WORK/out") && rm -rf "$WORK/out"
  read -r t m < <(measure "$BERTH" "${args[@]}")
  printf '%-10s %10s %12.1f\n' "$cmd" "$t" "$(awk "BEGIN{print $m/1024}")"
  total=$(awk "BEGIN{print $total + $t}")
  [ "$m" -gt "$peak" ] && peak=$m
done
peak_mb=$(awk "BEGIN{printf \"%.1f\", $peak/1024}")
echo "projects: $PROJECTS  total wall: ${total}s (target < 1 s)  peak memory: ${peak_mb} MB (target < 150 MB)"
awk "BEGIN{exit !($total < 1.0 && $peak_mb < 150)}" && echo "PASS" || { echo "FAIL"; exit 1; }
