#!/usr/bin/env bash
# Daemon benchmark (issue 10): `berth serve` with a 50-project repository, deployed for real on a
# Traefik platform (berth-demo/static:1, one replica each). Measures and prints:
#   1. idle RSS of `berth serve` (VmRSS after IDLE seconds without requests; target < 50 MB);
#   2. `GET /v1/projects` latency under wrk at about RATE (1,000) requests/s: CONNECTIONS connections,
#      each waiting DELAY ms between requests (Debian's wrk has no fixed-rate mode; the achieved rate is
#      printed), for DURATION seconds (bounded); p50/p99 from wrk --latency (target p99 < 10 ms);
#   3. 100 deploy tasks of unchanged projects (2 per project) posted at once: the time until every task
#      is final (target < 5 s), and how many ran and how many a newer one replaced (latest wins).
# A missed target prints MISSED; the exit code stays 0.
#
# Traffic goes only to 127.0.0.1. Ports 18320-18329, addresses from 10.216.0.0/16. Everything created
# (the platform's containers, networks, the proxy, the daemon) is removed on exit.
# BERTH=/path/to/berth uses that binary instead of building a release one (scripts/build-release.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PROJECTS="${PROJECTS:-50}"
IDLE="${IDLE:-5}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-10}"
DELAY="${DELAY:-9}"
PLATFORM=benchserve
HTTP_PORT=18320
API_PORT=18329
LISTEN_PORT=18328

bash scripts/setup.sh >/dev/null
bash scripts/build-images.sh static traefik >/dev/null
if [ -z "${BERTH:-}" ]; then
  BERTH="$(bash scripts/build-release.sh)"
fi

WORK="$(mktemp -d /tmp/berth-bench-serve.XXXXXX)"
REPO="$WORK/repo"
STATE="$WORK/state"
DAEMON_PID=""
cleanup() {
  set +e
  [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
  docker ps -aq --filter label=berth.managed=true --filter "label=berth.platform=$PLATFORM" | xargs -r docker rm -f >/dev/null 2>&1
  docker rm -f "berth-$PLATFORM-proxy" "berth-$PLATFORM-proxy-next" "berth-$PLATFORM-lock" >/dev/null 2>&1
  docker network ls -q --filter label=berth.managed=true --filter "label=berth.platform=$PLATFORM" | xargs -r docker network rm >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
verdict() { [ "$1" = 1 ] && echo "ok" || echo "MISSED"; }

mkdir -p "$REPO/projects" "$STATE"
cat >"$REPO/platform.yml" <<YML
name: $PLATFORM
domain: bench.localhost
proxy: {kind: traefik, image: berth/traefik:3.7, http_port: $HTTP_PORT, https_port: $((HTTP_PORT + 1)), api_port: $API_PORT, bind_address: 127.0.0.1}
network: {pools: [10.216.0.0/16]}
YML
for n in $(seq -f '%02g' 1 "$PROJECTS"); do
  mkdir -p "$REPO/projects/bsrv$n"
  printf 'services:\n  web:\n    image: berth-demo/static:1\n' >"$REPO/projects/bsrv$n/compose.yml"
  printf 'ingress:\n  - service: web\n    hosts: [bsrv%s.bench.localhost]\n    port: 8080\n    tls: false\n' "$n" >"$REPO/projects/bsrv$n/project.yml"
done
echo "deploying $PROJECTS projects (berth apply)..." >&2
start=$(date +%s.%N)
"$BERTH" apply -c "$REPO" --state-dir "$STATE" --yes --no-color >"$WORK/apply.log" 2>&1 || { tail -20 "$WORK/apply.log"; exit 1; }
apply_s=$(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $start}")

TOKEN=$("$BERTH" token create bench --scope admin --state-dir "$STATE")
"$BERTH" serve -c "$REPO" --state-dir "$STATE" --listen "127.0.0.1:$LISTEN_PORT" >"$WORK/serve.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$LISTEN_PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$LISTEN_PORT/healthz" >/dev/null || { cat "$WORK/serve.log"; exit 1; }
# One request first: the first status call connects to Docker and warms the repository cache.
curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$LISTEN_PORT/v1/projects" -o "$WORK/projects.json"
listed=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$WORK/projects.json")
sleep "$IDLE"
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$DAEMON_PID/status")
rss_mb=$(awk "BEGIN{printf \"%.1f\", $rss_kb / 1024}")

# wrk: every connection sends a request, then waits DELAY ms (wrk's delay() hook).
cat >"$WORK/delay.lua" <<LUA
function delay() return $DELAY end
LUA
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/delay.lua" -H "Authorization: Bearer $TOKEN" \
  "http://127.0.0.1:$LISTEN_PORT/v1/projects" >"$WORK/wrk.txt" 2>&1
read -r rps p50 p99 non2xx errors < <(python3 - "$WORK/wrk.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def ms(v, unit): return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
lat = {m.group(1): ms(m.group(2), m.group(3)) for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)", t, re.M)}
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
non = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", t)) else 0
se = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
print(f"{rps:.0f} {lat.get('50', -1):.2f} {lat.get('99', -1):.2f} {non} {sum(map(int, se.groups())) if se else 0}")
PY
)

# 100 deploy tasks of unchanged projects, two per project, posted at once by 8 clients (one curl each).
tasks=$((PROJECTS * 2))
start=$(date +%s.%N)
{ seq -f 'bsrv%02g' 1 "$PROJECTS"; seq -f 'bsrv%02g' 1 "$PROJECTS"; } |
  xargs -P 8 -I{} curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" -d '{"projects": ["{}"]}' "http://127.0.0.1:$LISTEN_PORT/v1/deployments"
posted=$(awk "BEGIN{printf \"%.2f\", $(date +%s.%N) - $start}")
for _ in $(seq 1 1200); do
  active=$(curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$LISTEN_PORT/v1/tasks?state=queued" | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")
  running=$(curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$LISTEN_PORT/v1/tasks?state=running" | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")
  [ "$active" = 0 ] && [ "$running" = 0 ] && break
  sleep 0.05
done
drain=$(awk "BEGIN{printf \"%.2f\", $(date +%s.%N) - $start}")
counts=$(curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$LISTEN_PORT/metrics" | grep '^berth_tasks_count' | tr '\n' ' ')

echo
echo "berth serve with $PROJECTS projects ($listed in GET /v1/projects; first apply creating them: $apply_s s)"
printf 'idle RSS: %s MB (target < 50 MB): %s\n' "$rss_mb" "$(verdict "$(awk "BEGIN{print ($rss_mb < 50) ? 1 : 0}")")"
printf 'GET /v1/projects: %s requests/s (%s connections, %s ms apart, %s s), p50 %s ms, p99 %s ms, non-2xx %s, socket errors %s (target p99 < 10 ms at ~1,000/s): %s\n' \
  "$rps" "$CONNECTIONS" "$DELAY" "$DURATION" "$p50" "$p99" "$non2xx" "$errors" "$(verdict "$(awk "BEGIN{print ($p99 < 10 && $p99 >= 0 && $non2xx == 0) ? 1 : 0}")")"
printf '%s deploy tasks of unchanged projects: posted in %s s, all final after %s s (target < 5 s): %s\n' "$tasks" "$posted" "$drain" \
  "$(verdict "$(awk "BEGIN{print ($drain < 5) ? 1 : 0}")")"
echo "tasks by state: $counts"
