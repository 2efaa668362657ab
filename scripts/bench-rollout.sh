#!/usr/bin/env bash
# Rollout benchmark (issue: berth apply). One run measures, side by side, ROLLOUTS (10) rollouts of
# the same change (the app's APP_VERSION changes each time; 2 replicas of berth-demo/static:1) under
# the same wrk load (CONNECTIONS connections, a fixed window of ROLLOUTS x SLOT + 4 s per system,
# one rollout started every SLOT seconds):
#   1. `berth apply` on a Traefik platform (berth/traefik:3.7, proxy on the host network);
#   2. `berth apply` on a Caddy platform (berth/caddy:2.11, proxy on the host network), plus Caddy's
#      own cost: the same number of bare config reloads, with no rollout;
#   3. `docker-compose up -d` (Debian's docker-compose 1.29) behind a Caddy container;
#   4. Docker Swarm's own start-first rolling update (`docker service update --detach=false`),
#      routed by Traefik's swarm provider (a plain `docker run` container on an attachable overlay
#      network), which is what Dokploy does;
# and a no-op `berth apply` of a 50-project repository (on the Traefik platform).
# Prints requests, failed requests (non-2xx/3xx responses, as wrk counts them), connection errors
# (wrk socket errors: connect, read, write, timeout) and rollout durations (median, max) for each;
# the phases of Berth's rollouts (new replicas started and ready, switch, drain, stop + remove of
# the old); the app's own start-to-ready time without Berth; and whether the targets are met:
# Berth on Traefik 0 failed and 0 connection errors; its rollout median <= 1.2 x Berth on Caddy's;
# the no-op apply of 50 projects < 0.1 s. A missed target prints MISSED; the exit code stays 0.
#
# Traffic goes only to 127.0.0.1. Ports 18280-18299 and 18300-18319, addresses from 10.215.0.0/16.
# Everything created is removed on exit: both Berth platforms (benchtraefik, benchcaddy: their
# projects, proxies and locks), the Compose project, and the swarm service, its Traefik, its overlay
# network (and the swarm itself, only if this script initialized it).
#
# BERTH=/path/to/berth uses that binary instead of building one (scripts/build-release.sh).
# SYSTEMS="traefik caddy compose swarm" runs a subset (for debugging the script).
set -euo pipefail
cd "$(dirname "$0")/.."
ROLLOUTS="${ROLLOUTS:-10}"
# wrk connections. 4 give ~1,600-1,800 requests/s through Berth's proxies here (the issue asks
# >= 1,000) and reproduce the issue's measurement of Caddy's own cost (about 1 connection reset per
# reload); Caddy resets more of them per reload the more connections are open (8: ~1.2 per reload,
# 32: ~3.5), Berth or not.
CONNECTIONS="${CONNECTIONS:-4}"
# One rollout starts every SLOT seconds (the next one at once if a rollout overruns its slot), so
# every system is loaded for the same time. 12 s fit a swarm update of 2 replicas (~9-10 s here).
SLOT="${SLOT:-12}"
SYSTEMS="${SYSTEMS:-traefik caddy compose swarm}"
LOAD_SECONDS=$((ROLLOUTS * SLOT + 4))

T_PORT=18280      # Berth on Traefik: http 18280, https 18281, api 18289
C_PORT=18290      # Berth on Caddy: http 18290, https 18291
COMPOSE_PORT=18300
SWARM_PORT=18310
T_PLATFORM=benchtraefik
C_PLATFORM=benchcaddy
T_PROJECT=benchtr
C_PROJECT=benchcd
SWARM_NET=berthbench-swarm
SWARM_SVC=berthbench-swarm-app
SWARM_PROXY=berthbench-swarm-traefik
COMPOSE_PROJECT=berthbench
HOST=app.bench.localhost

WORK="$(mktemp -d /tmp/berth-bench-rollout.XXXXXX)"
RUN_ID="$(basename "$WORK")"
want() { [[ " $SYSTEMS " == *" $1 "* ]]; }

bash scripts/setup.sh >/dev/null
bash scripts/build-images.sh static caddy traefik >/dev/null
if [ -z "${BERTH:-}" ]; then
  BERTH="$(bash scripts/build-release.sh)"
fi

SWARM_INITIALIZED=0
GWBRIDGE_CREATED=0
cleanup() {
  set +e
  for sys in traefik caddy; do
    [ -d "$WORK/$sys/repo" ] || continue
    for p in "$T_PROJECT" "$C_PROJECT" $(seq -f 'bnoop%02g' 1 50); do
      "$BERTH" down "$p" -c "$WORK/$sys/repo" --state-dir "$WORK/$sys/state" >/dev/null 2>&1
    done
  done
  for plat in "$T_PLATFORM" "$C_PLATFORM"; do
    docker ps -aq --filter label=berth.managed=true --filter "label=berth.platform=$plat" | xargs -r docker rm -f >/dev/null 2>&1
    docker rm -f "berth-$plat-proxy" "berth-$plat-proxy-next" "berth-$plat-lock" >/dev/null 2>&1
    docker network ls -q --filter label=berth.managed=true --filter "label=berth.platform=$plat" | xargs -r docker network rm >/dev/null 2>&1
    docker volume ls -q --filter label=berth.managed=true --filter "label=berth.platform=$plat" | xargs -r docker volume rm >/dev/null 2>&1
  done
  (cd "$WORK/compose" 2>/dev/null && docker-compose -p "$COMPOSE_PROJECT" down -v >/dev/null 2>&1)
  docker rm -f "$SWARM_PROXY" >/dev/null 2>&1
  if docker service rm "$SWARM_SVC" >/dev/null 2>&1; then
    # Its task containers go a few seconds after `service rm`.
    for _ in $(seq 1 30); do
      [ -z "$(docker ps -aq --filter "label=com.docker.swarm.service.name=$SWARM_SVC")" ] && break
      sleep 1
    done
    docker ps -aq --filter "label=com.docker.swarm.service.name=$SWARM_SVC" | xargs -r docker rm -f >/dev/null 2>&1
  fi
  if docker network inspect "$SWARM_NET" >/dev/null 2>&1; then
    # The service's tasks leave the overlay network a few seconds after `service rm`.
    for _ in $(seq 1 30); do docker network rm "$SWARM_NET" >/dev/null 2>&1 && break; sleep 1; done
  fi
  docker ps -aq --filter "label=berth.bench=$RUN_ID" | xargs -r docker rm -f >/dev/null 2>&1
  if [ "$SWARM_INITIALIZED" = 1 ]; then docker swarm leave --force >/dev/null 2>&1; fi
  if [ "$GWBRIDGE_CREATED" = 1 ]; then
    for _ in $(seq 1 10); do docker network rm docker_gwbridge >/dev/null 2>&1 && break; sleep 1; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---------- helpers ----------
run_load() {  # duration_s host port file
  wrk -t2 -c"$CONNECTIONS" -d"$1"s -H "Host: $2" "http://127.0.0.1:$3/index.html" >"$4" 2>&1
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
socket_errors() { grep -o 'Socket errors:.*' "$1" || echo "Socket errors: none"; }
stats() { python3 -c "import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print(f'{statistics.median(v):.2f} {max(v):.2f}')" "$@"; }
now() { date +%s.%N; }
since() { awk "BEGIN{printf \"%.3f\", $(now) - $1}"; }
# Waits until SLOT x (i - 1) seconds after $2 (at once when that time has passed).
wait_slot() {  # i t0
  local delay
  delay=$(awk "BEGIN{d = $2 + ($1 - 1) * $SLOT - $(now); print (d > 0) ? d : 0}")
  sleep "$delay"
}

# ---------- Berth (one platform per proxy kind) ----------
setup_platform() {  # sys platform project proxy-yaml
  local repo="$WORK/$1/repo"
  mkdir -p "$repo/projects/$3" "$WORK/$1/state"
  cat >"$repo/platform.yml" <<YML
name: $2
domain: bench.localhost
proxy: $4
network: {pools: [10.215.0.0/17]}
YML
  cat >"$repo/projects/$3/project.yml" <<YML
ingress:
  - service: app
    hosts: [$HOST]
    port: 8080
    tls: false
    health: {path: /index.html, interval: 1s, timeout: 1s}
rollout: {ready_timeout: 30s, drain_timeout: 10s}
YML
  write_app "$1" "$3" 0
  "$BERTH" apply -c "$repo" --yes --state-dir "$WORK/$1/state" >"$WORK/$1/first-apply.log" 2>&1 \
    || { echo "first berth apply on $1 failed:" >&2; cat "$WORK/$1/first-apply.log" >&2; return 1; }
}
write_app() {  # sys project version
  cat >"$WORK/$1/repo/projects/$2/compose.yml" <<YML
services:
  app:
    image: berth-demo/static:1
    environment: {APP_VERSION: "$3"}
    deploy: {replicas: 2}
YML
}

# The phases of one rollout from its step events: start-to-ready of the new replicas, the switch,
# the drain (and the drain step's own message, e.g. "drained in 0.52s (tcp connections)"), stop +
# remove of the old ones. Prints "ready switch drain stop | drain-message".
phases_of() {
  python3 -c '
import json, sys
steps, drained = {}, "-"
for line in sys.stdin:
    line = line.strip()
    if not line.startswith("{"): continue
    e = json.loads(line)
    if e.get("event") != "step": continue
    m = e["message"]
    steps.setdefault(m.split()[0], e["elapsed"])
    if m.startswith("drained in") or m.startswith("drain timeout"): drained = m
g = lambda k: steps.get(k, 0.0)
print("%.3f %.3f %.3f %.3f | %s" % (g("switching") - g("starting"), g("draining") - g("switching"),
                                    g("stopping") - g("draining"), g("rolled") - g("stopping"), drained))'
}

# ROLLOUTS rollouts on one platform under load. Sets <sys>_{req,fail,conn,rps,med,max,reloads,...}.
berth_rollouts() {  # sys project port
  local sys=$1 project=$2 port=$3 repo="$WORK/$1/repo" state="$WORK/$1/state"
  local durations=() phases=() drains=() failures="" reloads=0 overran=0 t0 start out rc i
  run_load "$LOAD_SECONDS" "$HOST" "$port" "$WORK/$sys.wrk" &
  local load=$!
  sleep 2
  t0=$(now)
  for i in $(seq 1 "$ROLLOUTS"); do
    wait_slot "$i" "$t0"
    write_app "$sys" "$project" "$i"
    start=$(now)
    rc=0
    out=$("$BERTH" apply -c "$repo" --yes --json --state-dir "$state" 2>"$WORK/$sys.err.$i") || rc=$?
    durations+=("$(since "$start")")
    if awk "BEGIN{exit !(${durations[-1]} > $SLOT)}"; then overran=$((overran + 1)); fi
    echo "$out" >"$WORK/$sys.apply.$i.json"
    local summary
    summary=$(echo "$out" | python3 -c '
import json, sys
ev = [json.loads(l) for l in sys.stdin if l.strip().startswith("{")]
s = [e for e in ev if e.get("event") == "summary"]
if not s: print("0 false"); sys.exit()
print(s[-1].get("proxy_reloads", 0), str(s[-1].get("succeeded", False)).lower())')
    reloads=$((reloads + ${summary% *}))
    if [ "$rc" != 0 ] || [ "${summary#* }" != true ]; then
      failures+="  rollout $i (exit $rc): $(echo "$out" | grep -v '"event":"step"' | tail -3 | tr '\n' ' ') $(tr '\n' ' ' <"$WORK/$sys.err.$i")"$'\n'
    fi
    local p
    p=$(echo "$out" | phases_of)
    phases+=("${p%% |*}")
    drains+=("${p#*| }")
  done
  wait "$load"
  local r
  read -r r < <(summarize_wrk "$WORK/$sys.wrk")
  eval "${sys}_wrk=(\$r)"
  read -r r < <(stats "${durations[@]}")
  eval "${sys}_dur=(\$r)"
  eval "${sys}_reloads=$reloads ${sys}_overran=$overran"
  printf -v "${sys}_failures" '%s' "$failures"
  printf -v "${sys}_socket" '%s' "$(socket_errors "$WORK/$sys.wrk")"
  printf -v "${sys}_durations" '%s' "${durations[*]}"
  column() { for x in "${phases[@]}"; do echo "$x" | cut -d' ' -f"$1"; done; }
  local meds=() k
  for k in 1 2 3 4; do read -r r _ < <(stats $(column "$k")); meds+=("$r"); done
  printf -v "${sys}_phases" '%s' "${meds[*]}"
  # The drain step's messages, counted ("drained in 0.52s (tcp connections)" x 9, ...).
  printf -v "${sys}_drains" '%s' "$(printf '%s\n' "${drains[@]}" | sed -E 's/in [0-9.]+s/in X.XXs/' | sort | uniq -c | sed -E 's/^ *([0-9]+) (.*)/\2 x\1/' | paste -sd';' -)"
  local drain_times
  drain_times=$(printf '%s\n' "${drains[@]}" | sed -nE 's/^drained in ([0-9.]+)s.*/\1/p' | tr '\n' ' ')
  if [ -n "$drain_times" ]; then read -r r < <(stats $drain_times); printf -v "${sys}_drained" '%s' "$r"; else printf -v "${sys}_drained" '%s' "- -"; fi
  # A rollout over twice the median is shown with its phases, to tell where the time went.
  local med=${durations[0]} outliers=""
  read -r med _ < <(stats "${durations[@]}")
  for i in "${!durations[@]}"; do
    if awk "BEGIN{exit !(${durations[$i]} > 2 * $med)}"; then
      outliers+="  rollout $((i + 1)): ${durations[$i]} s (ready, switch, drain, stop+remove: ${phases[$i]} s; ${drains[$i]})"$'\n'
    fi
  done
  printf -v "${sys}_outliers" '%s' "$outliers"
}

# The app's own start-to-ready time without Berth, under load (the load slows every Docker operation
# on 2 cores), median of 3: its 2 replicas started the way Docker starts them (`docker run -d` on the
# project's ingress network, both at once, as docker-compose does) until both answer. For
# comparison, the same for a single replica.
app_ready_once() {  # network replicas -> seconds
  local start ids=() ip n
  start=$(now)
  for n in $(seq 1 "$2"); do docker run -d --rm --label "berth.bench=$RUN_ID" --network "$1" berth-demo/static:1 >"$WORK/cid.$n" & done
  wait
  for f in "$WORK"/cid.*; do ids+=("$(cat "$f")"); done
  rm -f "$WORK"/cid.*
  for cid in "${ids[@]}"; do
    ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$cid")
    for _ in $(seq 1 1000); do wget -q -T 1 -O /dev/null "http://$ip:8080/index.html" 2>/dev/null && break; sleep 0.02; done
  done
  since "$start"; echo
  docker rm -f "${ids[@]}" >/dev/null
}

if want traefik; then
  echo "berth on traefik: $ROLLOUTS rollouts under load ($LOAD_SECONDS s)..." >&2
  setup_platform traefik "$T_PLATFORM" "$T_PROJECT" \
    "{kind: traefik, image: berth/traefik:3.7, http_port: $T_PORT, https_port: $((T_PORT + 1)), api_port: $((T_PORT + 9)), bind_address: 127.0.0.1}"
  berth_rollouts traefik "$T_PROJECT" "$T_PORT"
  # No-op apply of 50 projects, on the Traefik platform.
  echo "no-op apply of 50 projects (traefik)..." >&2
  "$BERTH" down "$T_PROJECT" -c "$WORK/traefik/repo" --state-dir "$WORK/traefik/state" >/dev/null 2>&1 || true
  rm -rf "$WORK/traefik/repo/projects/$T_PROJECT"
  for n in $(seq -f '%02g' 1 50); do
    mkdir -p "$WORK/traefik/repo/projects/bnoop$n"
    printf 'services:\n  web:\n    image: berth-demo/static:1\n' >"$WORK/traefik/repo/projects/bnoop$n/compose.yml"
    printf 'ingress:\n  - service: web\n    hosts: [bnoop%s.bench.localhost]\n    port: 8080\n    tls: false\n' "$n" >"$WORK/traefik/repo/projects/bnoop$n/project.yml"
  done
  start=$(now)
  "$BERTH" apply -c "$WORK/traefik/repo" --yes --state-dir "$WORK/traefik/state" >"$WORK/noop-first.log" 2>&1 \
    || { echo "apply of 50 projects failed:"; tail -5 "$WORK/noop-first.log"; }
  noop_first=$(since "$start")
  start=$(now)
  noop_out=$("$BERTH" apply -c "$WORK/traefik/repo" --yes --state-dir "$WORK/traefik/state" 2>&1 | tail -1) || true
  noop=$(since "$start")
  for n in $(seq -f '%02g' 1 50); do "$BERTH" down "bnoop$n" -c "$WORK/traefik/repo" --state-dir "$WORK/traefik/state" >/dev/null 2>&1 || true; done
  docker ps -aq --filter label=berth.managed=true --filter "label=berth.platform=$T_PLATFORM" | xargs -r docker rm -f >/dev/null 2>&1 || true
fi

if want caddy; then
  echo "berth on caddy: $ROLLOUTS rollouts under load ($LOAD_SECONDS s)..." >&2
  setup_platform caddy "$C_PLATFORM" "$C_PROJECT" \
    "{kind: caddy, image: berth/caddy:2.11, http_port: $C_PORT, https_port: $((C_PORT + 1)), bind_address: 127.0.0.1}"
  # The app's own start-to-ready time, under the same load (a fixed 30 s window of its own).
  run_load 30 "$HOST" "$C_PORT" "$WORK/ready.wrk" &
  load=$!
  sleep 1
  readies=(); singles=()
  for _ in 1 2 3; do readies+=("$(app_ready_once "${C_PROJECT}_ingress" 2)"); singles+=("$(app_ready_once "${C_PROJECT}_ingress" 1)"); done
  wait "$load"
  read -r app_ready _ < <(stats "${readies[@]}")
  read -r app_ready_single _ < <(stats "${singles[@]}")
  berth_rollouts caddy "$C_PROJECT" "$C_PORT"

  # Caddy's own cost: the same number of reloads with no rollout (two configs that differ only in
  # the order of the upstreams, loaded alternately through the admin socket; an identical config is
  # not reloaded).
  SOCK="$WORK/caddy/state/$C_PLATFORM/proxy/admin.sock"
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
  run_load $((ROLLOUTS * 2 + 4)) "$HOST" "$C_PORT" "$WORK/reload.wrk" &
  load=$!
  sleep 2
  for i in $(seq 1 "$ROLLOUTS"); do
    f="$WORK/cfg-a.json"; [ $((i % 2)) = 1 ] && f="$WORK/cfg-b.json"
    curl -s --unix-socket "$SOCK" -H 'Content-Type: application/json' -X POST --data-binary @"$f" http://localhost/load || true
    sleep 2
  done
  wait "$load"
  read -r -a reload_wrk < <(summarize_wrk "$WORK/reload.wrk")
  "$BERTH" down "$C_PROJECT" -c "$WORK/caddy/repo" --state-dir "$WORK/caddy/state" >/dev/null 2>&1 || true
  docker ps -aq --filter label=berth.managed=true --filter "label=berth.platform=$C_PLATFORM" | xargs -r docker rm -f >/dev/null 2>&1 || true
fi

# ---------- docker-compose baseline ----------
if want compose; then
  echo "docker-compose: $ROLLOUTS rollouts under load ($LOAD_SECONDS s)..." >&2
  mkdir -p "$WORK/compose"
  cat >"$WORK/compose/Caddyfile" <<CADDY
{
  admin off
  auto_https off
}
:$COMPOSE_PORT {
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
    ports: ["127.0.0.1:$COMPOSE_PORT:$COMPOSE_PORT"]
    labels: {berth.bench: "$RUN_ID"}
  app:
    image: berth-demo/static:1
    environment: {APP_VERSION: "$1"}
    deploy: {replicas: 2}
    labels: {berth.bench: "$RUN_ID"}
networks:
  default:
    ipam: {config: [{subnet: 10.215.200.0/24}]}
YML
  }
  write_compose 0
  (cd "$WORK/compose" && docker-compose -p "$COMPOSE_PROJECT" up -d >"$WORK/compose.log" 2>&1) \
    || { echo "docker-compose up failed:" >&2; cat "$WORK/compose.log" >&2; exit 1; }
  sleep 2
  run_load "$LOAD_SECONDS" "$HOST" "$COMPOSE_PORT" "$WORK/compose.wrk" &
  load=$!
  sleep 2
  c_durations=(); compose_overran=0; compose_failures=""
  t0=$(now)
  for i in $(seq 1 "$ROLLOUTS"); do
    wait_slot "$i" "$t0"
    write_compose "$i"
    start=$(now)
    (cd "$WORK/compose" && docker-compose -p "$COMPOSE_PROJECT" up -d >"$WORK/compose.$i.log" 2>&1) \
      || compose_failures+="  rollout $i: $(tail -2 "$WORK/compose.$i.log" | tr '\n' ' ')"$'\n'
    c_durations+=("$(since "$start")")
    if awk "BEGIN{exit !(${c_durations[-1]} > $SLOT)}"; then compose_overran=$((compose_overran + 1)); fi
  done
  wait "$load"
  (cd "$WORK/compose" && docker-compose -p "$COMPOSE_PROJECT" down -v >/dev/null 2>&1) || true
  read -r -a compose_wrk < <(summarize_wrk "$WORK/compose.wrk")
  read -r -a compose_dur < <(stats "${c_durations[@]}")
  compose_socket=$(socket_errors "$WORK/compose.wrk")
  compose_durations="${c_durations[*]}"
fi

# ---------- Docker Swarm start-first update behind Traefik's swarm provider ----------
if want swarm; then
  echo "docker swarm: $ROLLOUTS rolling updates under load ($LOAD_SECONDS s)..." >&2
  if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
    # Swarm's networks take their addresses from the bench's pool too: docker_gwbridge (made here
    # unless it exists) and the ingress network (the swarm's default address pool).
    if ! docker network inspect docker_gwbridge >/dev/null 2>&1; then
      docker network create --subnet 10.215.250.0/24 \
        --opt com.docker.network.bridge.name=docker_gwbridge \
        --opt com.docker.network.bridge.enable_icc=false \
        --opt com.docker.network.bridge.enable_ip_masquerade=true docker_gwbridge >/dev/null
      GWBRIDGE_CREATED=1
    fi
    docker swarm init --advertise-addr 127.0.0.1 --default-addr-pool 10.215.224.0/20 --default-addr-pool-mask-length 24 >/dev/null
    SWARM_INITIALIZED=1
  fi
  docker network create -d overlay --attachable --subnet 10.215.241.0/24 --label "berth.bench=$RUN_ID" "$SWARM_NET" >/dev/null
  docker service create --detach=false -q --name "$SWARM_SVC" --network "$SWARM_NET" --replicas 2 --no-resolve-image \
    --update-order start-first --update-parallelism 1 --update-failure-action rollback \
    --health-cmd 'wget -q -O- http://127.0.0.1:8080/index.html >/dev/null || exit 1' \
    --health-interval 1s --health-timeout 2s --health-retries 3 \
    --env APP_VERSION=0 --label "berth.bench=$RUN_ID" --container-label "berth.bench=$RUN_ID" \
    --label traefik.enable=true \
    --label "traefik.http.routers.x.rule=Host(\`$HOST\`)" \
    --label traefik.http.routers.x.entrypoints=web \
    --label traefik.http.services.x.loadbalancer.server.port=8080 \
    berth-demo/static:1 >"$WORK/swarm-create.log" 2>&1 \
    || { echo "docker service create failed:" >&2; cat "$WORK/swarm-create.log" >&2; exit 1; }
  # Traefik as a plain container on the attachable overlay network (the routing mesh does not
  # answer on 127.0.0.1 here); the swarm provider polls the Docker API (default every 15 s).
  docker run -d --name "$SWARM_PROXY" --label "berth.bench=$RUN_ID" --network "$SWARM_NET" \
    -p "127.0.0.1:$SWARM_PORT:80" -v /var/run/docker.sock:/var/run/docker.sock:ro berth/traefik:3.7 \
    --entrypoints.web.address=:80 --providers.swarm=true --providers.swarm.exposedByDefault=false \
    --providers.swarm.network="$SWARM_NET" --ping=true >/dev/null
  ok=0
  for _ in $(seq 1 60); do
    curl -sf -o /dev/null -H "Host: $HOST" "http://127.0.0.1:$SWARM_PORT/index.html" && { ok=1; break; }
    sleep 0.5
  done
  [ "$ok" = 1 ] || { echo "swarm: Traefik does not route $HOST after 30 s" >&2; docker logs "$SWARM_PROXY" 2>&1 | tail -5 >&2; exit 1; }
  sleep 2
  run_load "$LOAD_SECONDS" "$HOST" "$SWARM_PORT" "$WORK/swarm.wrk" &
  load=$!
  sleep 2
  s_durations=(); swarm_overran=0; swarm_failures=""
  t0=$(now)
  for i in $(seq 1 "$ROLLOUTS"); do
    wait_slot "$i" "$t0"
    start=$(now)
    rc=0
    docker service update --detach=false --no-resolve-image --env-add "APP_VERSION=$i" "$SWARM_SVC" >"$WORK/swarm.$i.log" 2>&1 || rc=$?
    s_durations+=("$(since "$start")")
    if awk "BEGIN{exit !(${s_durations[-1]} > $SLOT)}"; then swarm_overran=$((swarm_overran + 1)); fi
    state=$(docker service inspect -f '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' "$SWARM_SVC" 2>/dev/null || echo '?')
    if [ "$rc" != 0 ] || [ "$state" != completed ]; then
      swarm_failures+="  update $i (exit $rc, state $state): $(tail -2 "$WORK/swarm.$i.log" | tr '\n' ' ')"$'\n'
    fi
  done
  wait "$load"
  read -r -a swarm_wrk < <(summarize_wrk "$WORK/swarm.wrk")
  read -r -a swarm_dur < <(stats "${s_durations[@]}")
  swarm_socket=$(socket_errors "$WORK/swarm.wrk")
  swarm_durations="${s_durations[*]}"
fi

# ---------- report ----------
row() {  # label wrk-array-name dur-array-name reloads
  local -n w=$2 d=$3
  printf '%-24s %9s %8.0f %8s %9s %12s %9s %9s\n' "$1" "${w[0]}" "${w[3]}" "${w[1]}" "${w[2]}" "$4" "${d[0]}" "${d[1]}"
}
echo
echo "== rollout benchmark: $ROLLOUTS rollouts each (APP_VERSION changes, 2 replicas of berth-demo/static:1) =="
echo "wrk: 2 threads, $CONNECTIONS connections, GET /index.html, a fixed $LOAD_SECONDS s window per system, one rollout every $SLOT s"
printf '%-24s %9s %8s %8s %9s %12s %9s %9s\n' run requests req/s failed conn-err proxy-reloads "median(s)" "max(s)"
want traefik && row "berth on traefik" traefik_wrk traefik_dur "$traefik_reloads"
want caddy && row "berth on caddy" caddy_wrk caddy_dur "$caddy_reloads"
want caddy && { none=(- -); row "caddy bare reloads" reload_wrk none "$ROLLOUTS"; }
want compose && row "docker-compose up -d" compose_wrk compose_dur "-"
want swarm && row "swarm start-first+traefik" swarm_wrk swarm_dur "-"
echo "(failed = non-2xx/3xx responses; conn-err = wrk socket errors, all kinds; 'caddy bare reloads' = Caddy's own cost: $ROLLOUTS config reloads, no rollout, $((ROLLOUTS * 2 + 4)) s window)"
echo
for sys in traefik caddy compose swarm; do
  want "$sys" || continue
  v="${sys}_socket"; d="${sys}_durations"; o="${sys}_overran"; f="${sys}_failures"
  echo "$sys: ${!v}; rollout durations (s): ${!d}"
  [ "${!o}" = 0 ] || echo "  $sys: ${!o} rollout(s) took longer than the $SLOT s slot (the next started late)"
  [ -z "${!f}" ] || printf '  %s rollouts that FAILED:\n%s' "$sys" "${!f}"
done
for sys in traefik caddy; do
  want "$sys" || continue
  read -r p1 p2 p3 p4 <<<"$(eval echo "\$${sys}_phases")"
  read -r dm dx <<<"$(eval echo "\$${sys}_drained")"
  printf 'berth on %s, phases (median): new replicas started and ready %.2f s, switch %.2f s, drain %.2f s, old stopped and removed %.2f s\n' \
    "$sys" "$p1" "$p2" "$p3" "$p4"
  v="${sys}_drains"; o="${sys}_outliers"
  echo "  drain step: ${!v} (reported drain time median $dm s, max $dx s)"
  [ -z "${!o}" ] || printf '  slow rollouts (over twice the median):\n%s' "${!o}"
done
want swarm && echo "swarm: docker service update --detach=false (converged), update-order start-first, parallelism 1, healthcheck every 1 s; Traefik swarm provider with its default refresh (15 s)"
want caddy && printf 'app start-to-ready without Berth (2 replicas at once, docker run, under load): %.2f s (1 replica: %.2f s)\n' "$app_ready" "$app_ready_single"
want traefik && printf 'no-op apply of 50 projects (traefik platform): %.3f s (first apply creating them: %.1f s); its output: %s\n' "$noop" "$noop_first" "$noop_out"

echo
echo "== targets =="
verdict() { if [ "$1" = 1 ]; then echo met; else echo MISSED; fi; }
if want traefik; then
  ok=$([ "${traefik_wrk[1]}" = 0 ] && [ "${traefik_wrk[2]}" = 0 ] && [ -z "$traefik_failures" ] && echo 1 || echo 0)
  echo "berth on traefik: 0 failed and 0 connection errors (got ${traefik_wrk[1]} failed, ${traefik_wrk[2]} connection errors$([ -z "$traefik_failures" ] || echo ', and failed rollouts')): $(verdict "$ok")"
fi
if want traefik && want caddy; then
  limit=$(awk "BEGIN{printf \"%.2f\", 1.2 * ${caddy_dur[0]}}")
  ok=$(awk "BEGIN{print (${traefik_dur[0]} <= $limit) ? 1 : 0}")
  echo "berth on traefik rollout median ${traefik_dur[0]} s <= 1.2 x caddy's ${caddy_dur[0]} s = $limit s: $(verdict "$ok")"
fi
if want traefik; then
  ok=$(awk "BEGIN{print ($noop < 0.1) ? 1 : 0}")
  echo "no-op apply of 50 projects (traefik) $noop s < 0.1 s: $(verdict "$ok")"
fi
exit 0
