#!/usr/bin/env bash
# Rollout benchmark (issue: berth apply). Against a demo app behind the Caddy proxy, with wrk
# loading it at >= 1,000 requests/s:
#   1. 10 consecutive `berth apply` rollouts (the app's APP_VERSION changes each time);
#   2. the same 10 changes done with `docker-compose up -d` (Debian's docker-compose 1.29) behind
#      the same Caddy image, as the baseline;
#   3. a no-op `berth apply` of a 50-project repository.
# Prints requests, failed requests (status >= 500 or non-2xx/3xx), connection errors (wrk socket
# errors), proxy reloads and rollout durations (median, max) for both; the phases of Berth's
# rollouts (new replicas ready, switch, drain, stop + remove of the old); the app's own
# start-to-ready time without Berth (its 2 replicas started at once with `docker run`, as Compose
# starts replicas; a single replica shown too); and whether the targets are met.
# Traffic goes only to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROLLOUTS="${ROLLOUTS:-10}"
# wrk connections. 4 give ~1,600-1,800 requests/s here (the issue asks >= 1,000) and reproduce the
# issue's measurement of Caddy's own cost (about 1 connection reset per reload); Caddy resets more
# of them per reload the more connections are open (8: ~1.2 per reload, 32: ~3.5), Berth or not.
CONNECTIONS="${CONNECTIONS:-4}"
PORT=18280
WORK="$(mktemp -d /tmp/berth-bench-rollout.XXXXXX)"
STATE="$WORK/state"

bash scripts/setup.sh >/dev/null
bash scripts/build-images.sh >/dev/null
swift build -c release --product berth >/dev/null
BERTH="$(swift build -c release --show-bin-path)/berth"

cleanup() {
  for p in bench $(seq -f 'noop%02g' 1 50); do "$BERTH" down "$p" -c "$WORK/repo" --state-dir "$STATE" >/dev/null 2>&1 || true; done
  docker ps -aq --filter label=berth.project=bench | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker ps -aq --filter label=berth.managed=true | xargs -r docker rm -f >/dev/null 2>&1 || true
  (cd "$WORK/compose" 2>/dev/null && docker-compose down -v >/dev/null 2>&1) || true
  docker network ls -q --filter label=berth.managed=true | xargs -r docker network rm >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---------- Berth ----------
mkdir -p "$WORK/repo/projects/bench"
cat >"$WORK/repo/platform.yml" <<YML
domain: bench.localhost
proxy: {kind: caddy, image: berth/caddy:2.11, http_port: $PORT, https_port: $((PORT + 1)), bind_address: 127.0.0.1}
network: {pools: [10.215.0.0/16]}
YML
write_app() {
  cat >"$WORK/repo/projects/bench/compose.yml" <<YML
services:
  app:
    image: berth-demo/static:1
    environment: {APP_VERSION: "$1"}
    deploy: {replicas: 2}
YML
}
cat >"$WORK/repo/projects/bench/project.yml" <<YML
ingress:
  - service: app
    hosts: [app.bench.localhost]
    port: 8080
    tls: false
    health: {path: /index.html, interval: 1s, timeout: 1s}
rollout: {ready_timeout: 30s, drain_timeout: 10s}
YML
write_app 0
"$BERTH" apply -c "$WORK/repo" --yes --state-dir "$STATE" >/dev/null

# The app's own start-to-ready time, measured under the same load as the rollouts (the load slows
# every Docker operation on 2 cores), median of 3: its 2 replicas started the way Docker starts them
# without Berth (`docker run -d` on the project's ingress network, both at once, as docker-compose
# does) until both answer. For comparison, the same for a single replica.
app_ready_once() {  # replicas -> seconds
  local start ids=() ip
  start=$(date +%s.%N)
  for _ in $(seq 1 "$1"); do docker run -d --rm --network bench_ingress berth-demo/static:1 >"$WORK/cid.$_" & done
  wait
  for f in "$WORK"/cid.*; do ids+=("$(cat "$f")"); done
  rm -f "$WORK"/cid.*
  for cid in "${ids[@]}"; do
    ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$cid")
    until wget -q -T 1 -O /dev/null "http://$ip:8080/index.html" 2>/dev/null; do sleep 0.02; done
  done
  awk "BEGIN{print $(date +%s.%N) - $start}"
  docker rm -f "${ids[@]}" >/dev/null
}

run_load() {  # duration_s url_host -> wrk output file
  wrk -t2 -c"$CONNECTIONS" -d"$1"s -H "Host: $2" "http://127.0.0.1:$PORT/index.html" >"$3" 2>&1
}
summarize_wrk() {  # file -> "requests failed connerrors rps"
  python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
req = int(re.search(r"(\d+) requests in", t).group(1))
non = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", t)) else 0
se = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
conn = sum(map(int, se.groups())) if se else 0
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
print(req, non, conn, rps)
PY
}
stats() { python3 -c "import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print(f'{statistics.median(v):.2f} {max(v):.2f}')" "$@"; }

LOAD_SECONDS=$((ROLLOUTS * 5 + 5))
run_load "$((LOAD_SECONDS + 3))" app.bench.localhost "$WORK/berth.wrk" &
load=$!
sleep 1
readies=(); singles=()
for _ in 1 2 3; do readies+=("$(app_ready_once 2)"); singles+=("$(app_ready_once 1)"); done
read -r app_ready _ < <(stats "${readies[@]}")
read -r app_ready_single _ < <(stats "${singles[@]}")
durations=(); reloads=0; phases=()
for i in $(seq 1 "$ROLLOUTS"); do
  write_app "$i"
  start=$(date +%s.%N)
  out=$("$BERTH" apply -c "$WORK/repo" --yes --json --state-dir "$STATE")
  durations+=("$(awk "BEGIN{print $(date +%s.%N) - $start}")")
  reloads=$((reloads + $(echo "$out" | python3 -c 'import json,sys; print([json.loads(l) for l in sys.stdin if l.strip()][-1]["proxy_reloads"])')))
  # Phases of this rollout from its step events: start-to-ready of the new replicas, the switch,
  # the drain, stop + remove of the old ones.
  phases+=("$(echo "$out" | python3 -c '
import json, sys
steps = {}
for line in sys.stdin:
    e = json.loads(line)
    if e.get("event") == "step": steps.setdefault(e["message"].split()[0], e["elapsed"])
g = lambda k: steps.get(k, 0.0)
print("%.3f %.3f %.3f %.3f" % (g("switching") - g("starting"), g("draining") - g("switching"),
                               g("stopping") - g("draining"), g("rolled") - g("stopping")))')")
  sleep 2
done
wait "$load"
read -r b_req b_fail b_conn b_rps < <(summarize_wrk "$WORK/berth.wrk")
read -r b_med b_max < <(stats "${durations[@]}")
column() { for p in "${phases[@]}"; do echo "$p" | cut -d' ' -f"$1"; done; }
# A rollout over twice the median is shown with its phases, to tell where the time went.
outliers=""
for i in "${!durations[@]}"; do
  if awk "BEGIN{exit !(${durations[$i]} > 2 * $b_med)}"; then
    outliers+="rollout $((i + 1)): ${durations[$i]} s (ready ${phases[$i]% * * *} s; switch, drain, stop+remove: $(echo "${phases[$i]}" | cut -d' ' -f2-4) s)"$'\n'
  fi
done
read -r start_med _ < <(stats $(column 1))
read -r switch_med _ < <(stats $(column 2))
read -r drain_med _ < <(stats $(column 3))
read -r stop_med _ < <(stats $(column 4))

# Caddy's own cost: the same number of reloads with no rollout (two configs that differ only in the
# order of the upstreams, loaded alternately through the admin socket; an identical config is not reloaded).
SOCK="$STATE/proxy/admin.sock"
curl -s --unix-socket "$SOCK" http://localhost/config/ >"$WORK/cfg-a.json"
python3 - "$WORK/cfg-a.json" "$WORK/cfg-b.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
def flip(o):
    if isinstance(o, dict):
        if "upstreams" in o: o["upstreams"].reverse(); return True
        return any(flip(v) for v in o.values())
    return isinstance(o, list) and any(flip(v) for v in o)
flip(c); json.dump(c, open(sys.argv[2], "w"))
PY
run_load $((ROLLOUTS * 2 + 4)) app.bench.localhost "$WORK/reload.wrk" &
load=$!
sleep 2
for i in $(seq 1 "$ROLLOUTS"); do
  f="$WORK/cfg-a.json"; [ $((i % 2)) = 1 ] && f="$WORK/cfg-b.json"
  curl -s --unix-socket "$SOCK" -H 'Content-Type: application/json' -X POST --data-binary @"$f" http://localhost/load
  sleep 2
done
wait "$load"
read -r r_req r_fail r_conn r_rps < <(summarize_wrk "$WORK/reload.wrk")
"$BERTH" down bench -c "$WORK/repo" --state-dir "$STATE" >/dev/null
docker rm -f berth-proxy >/dev/null 2>&1 || true

# ---------- docker-compose baseline ----------
mkdir -p "$WORK/compose"
cat >"$WORK/compose/Caddyfile" <<CADDY
{
  admin off
  auto_https off
}
:$PORT {
  reverse_proxy app:8080
}
CADDY
write_compose() {
  cat >"$WORK/compose/docker-compose.yml" <<YML
version: "3.8"
services:
  proxy:
    image: berth/caddy:2.11
    command: ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
    volumes: ["./Caddyfile:/etc/caddy/Caddyfile:ro"]
    ports: ["127.0.0.1:$PORT:$PORT"]
  app:
    image: berth-demo/static:1
    environment: {APP_VERSION: "$1"}
    deploy: {replicas: 2}
YML
}
write_compose 0
(cd "$WORK/compose" && docker-compose -p berthbench up -d >/dev/null 2>&1)
sleep 2
run_load "$LOAD_SECONDS" app.bench.localhost "$WORK/compose.wrk" &
load=$!
sleep 2
c_durations=()
for i in $(seq 1 "$ROLLOUTS"); do
  write_compose "$i"
  start=$(date +%s.%N)
  (cd "$WORK/compose" && docker-compose -p berthbench up -d >/dev/null 2>&1)
  c_durations+=("$(awk "BEGIN{print $(date +%s.%N) - $start}")")
  sleep 2
done
wait "$load"
(cd "$WORK/compose" && docker-compose -p berthbench down -v >/dev/null 2>&1) || true
read -r c_req c_fail c_conn c_rps < <(summarize_wrk "$WORK/compose.wrk")
read -r c_med c_max < <(stats "${c_durations[@]}")

# ---------- no-op apply of 50 projects ----------
rm -rf "$WORK/repo/projects/bench"
for n in $(seq -f '%02g' 1 50); do
  mkdir -p "$WORK/repo/projects/noop$n"
  printf 'services:\n  web:\n    image: berth-demo/static:1\n' >"$WORK/repo/projects/noop$n/compose.yml"
  printf 'ingress:\n  - service: web\n    hosts: [noop%s.bench.localhost]\n    port: 8080\n    tls: false\n' "$n" >"$WORK/repo/projects/noop$n/project.yml"
done
"$BERTH" apply -c "$WORK/repo" --yes --state-dir "$STATE" >/dev/null
noop_start=$(date +%s.%N)
"$BERTH" apply -c "$WORK/repo" --yes --state-dir "$STATE" | tail -1
noop=$(awk "BEGIN{print $(date +%s.%N) - $noop_start}")

printf '\n%-16s %9s %8s %9s %8s %9s %12s %12s\n' run requests req/s failed conn-err reloads "median (s)" "max (s)"
printf '%-16s %9s %8.0f %9s %8s %9s %12s %12s\n' "berth ($ROLLOUTS)" "$b_req" "$b_rps" "$b_fail" "$b_conn" "$reloads" "$b_med" "$b_max"
printf '%-16s %9s %8.0f %9s %8s %9s %12s %12s\n' "caddy reloads" "$r_req" "$r_rps" "$r_fail" "$r_conn" "$ROLLOUTS" "-" "-"
printf '%-16s %9s %8.0f %9s %8s %9s %12s %12s\n' "docker-compose" "$c_req" "$c_rps" "$c_fail" "$c_conn" "-" "$c_med" "$c_max"
echo "wrk: 2 threads, $CONNECTIONS connections, GET /index.html (a static file served by busybox httpd, 2 replicas)"
printf 'berth rollout phases (median): new replicas started and ready %.2f s, switch %.2f s, drain %.2f s, old stopped and removed %.2f s\n' \
  "$start_med" "$switch_med" "$drain_med" "$stop_med"
[ -z "$outliers" ] || printf 'slow rollouts:\n%s' "$outliers"
printf 'app start-to-ready without Berth (2 replicas at once): %.2f s (1 replica: %.2f s)\n' "$app_ready" "$app_ready_single"
printf 'rollout target (app start-to-ready + drain + 1 s): %.2f s; berth median %.2f s: %s\n' \
  "$(awk "BEGIN{print $app_ready + $drain_med + 1}")" "$b_med" \
  "$(awk "BEGIN{print ($b_med <= $app_ready + $drain_med + 1) ? \"met\" : \"NOT met\"}")"
printf 'failed requests over the berth rollouts: %s (target 0); connection errors %s vs %s proxy reloads; no-op apply of 50 projects: %.2f s (target < 2 s)\n' \
  "$b_fail" "$b_conn" "$reloads" "$noop"
