#!/usr/bin/env bash
# Checks the images scripts/build-images.sh builds: answers, env vars, stop time,
# PostgreSQL data surviving a recreate, Caddy's admin API on a bind-mounted unix
# socket, Traefik's version and /ping. Containers and named volumes carry the label berth.test=images-<pid> and
# are removed at the end with their anonymous volumes, even on failure. Traffic goes only to 127.0.0.1 and to the
# containers started here. Prints "N passed, N failed"; exits 1 on a failure.
# Usage: scripts/images/smoke-test.sh   (after scripts/build-images.sh)
set -uo pipefail

RUN=images-$$
LABEL="berth.test=$RUN"
TMP=$(mktemp -d)
passed=0
failed=0

cleanup() {
	local ids
	ids=$(docker ps -aq --filter "label=$LABEL")
	# shellcheck disable=SC2086 # a list of ids
	[ -z "$ids" ] || docker rm -f -v $ids >/dev/null 2>&1
	ids=$(docker volume ls -q --filter "label=$LABEL")
	# shellcheck disable=SC2086 # a list of names
	[ -z "$ids" ] || docker volume rm $ids >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

check() { # check NAME COMMAND...
	local name=$1
	shift
	if "$@" >"$TMP/out" 2>&1; then
		passed=$((passed + 1))
		echo "ok   $name"
	else
		failed=$((failed + 1))
		echo "FAIL $name"
		sed 's/^/     /' "$TMP/out" | tail -n 20
	fi
}

run() { docker run -d --label "$LABEL" "$@" >/dev/null; }
port() { docker port "$1" "$2" | head -n 1 | sed 's/.*://'; }
get() { curl -s --max-time 10 "$@"; }
wait_http() { # wait_http URL: until it answers 2xx/3xx (Traefik answers 404 before its ping router is loaded)
	local _
	for _ in $(seq 1 50); do
		curl -sf -o /dev/null --max-time 1 "$1" && return 0
		sleep 0.1
	done
	return 1
}
# stop_within CONTAINER SECONDS: docker stop finishes in less than SECONDS.
stop_within() {
	local t0 t1
	t0=$(date +%s%N)
	docker stop "$1" >/dev/null || return 1
	t1=$(date +%s%N)
	echo "stopped in $(((t1 - t0) / 1000000)) ms"
	[ $(((t1 - t0) / 1000000)) -lt $(($2 * 1000)) ]
}
contains() { grep -q -- "$2" <<<"$1" || { echo "expected '$2' in: $1"; return 1; }; }
equals() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }
pg_ready() { # pg_ready CONTAINER USER DB
	local _
	for _ in $(seq 1 80); do
		docker exec "$1" pg_isready -q -h 127.0.0.1 -U "$2" -d "$3" && return 0
		sleep 0.25
	done
	docker logs "$1" 2>&1 | tail -n 20
	return 1
}

for image in berth-demo/static:1 berth-demo/app:1 berth-demo/postgres:15 berth/caddy:2.11 berth/traefik:3.7; do
	check "$image exists with label org.berth.demo=true" \
		test "$(docker image inspect -f '{{index .Config.Labels "org.berth.demo"}}' "$image" 2>&1)" = true
done

# --- static ---------------------------------------------------------------------
s=bi-static-$$
run --name "$s" -p 127.0.0.1::8080 berth-demo/static:1
wait_http "http://127.0.0.1:$(port "$s" 8080)/"
check "static: / is the demo page" contains "$(get "http://127.0.0.1:$(port "$s" 8080)/")" "Berth demo static site"
check "static: wget inside" docker exec "$s" wget -q -O /dev/null http://127.0.0.1:8080/
check "static: docker stop < 2 s" stop_within "$s" 2
check "static: exit code 0 after stop" equals "$(docker inspect -f '{{.State.ExitCode}}' "$s")" 0

s=bi-site-$$
run --name "$s" --init --read-only --user 65534:65534 --cap-drop ALL -p 127.0.0.1::8080 berth-demo/static:1 httpd -f -p 8080 -h /www
check "static: read-only, uid 65534, init: serves" wait_http "http://127.0.0.1:$(port "$s" 8080)/"
check "static: read-only, uid 65534, init: stop < 2 s" stop_within "$s" 2

s=bi-echo-$$
run --name "$s" --init -p 127.0.0.1::7000 berth-demo/static:1 nc -lk -p 7000 -e cat
sleep 0.5
check "static: nc -lk echo server" contains "$(python3 - "$(port "$s" 7000)" <<'PY'
import socket, sys
for i in range(2):
    c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
    c.sendall(b"echo %d\n" % i)
    print(c.recv(100).decode().strip())
    c.close()
PY
)" "echo 1"
check "static: nc stop < 2 s" stop_within "$s" 2

# --- app ------------------------------------------------------------------------
a=bi-app-$$
run --name "$a" --read-only --user 65534:65534 -e APP_VERSION=7 -e NOTES_TITLE="My notes" -p 127.0.0.1::8080 berth-demo/app:1
ap=$(port "$a" 8080)
wait_http "http://127.0.0.1:$ap/"
check "app: / shows NOTES_TITLE" contains "$(get "http://127.0.0.1:$ap/")" "<h1>My notes</h1>"
check "app: /index.html shows APP_VERSION" contains "$(get "http://127.0.0.1:$ap/index.html")" "version=7 host="
check "app: /cgi-bin/health is ok" equals "$(get -w ' %{http_code}' "http://127.0.0.1:$ap/cgi-bin/health")" "ok
 200"
check "app: /cgi-bin/version" equals "$(get "http://127.0.0.1:$ap/cgi-bin/version")" "version=7 host=$(docker inspect -f '{{.Config.Hostname}}' "$a")"
check "app: /cgi-bin/slow?1" equals "$(get "http://127.0.0.1:$ap/cgi-bin/slow?1")" "slow done"
# A request in flight finishes during `docker stop`; new connections are refused.
get -w ' %{http_code}' "http://127.0.0.1:$ap/cgi-bin/slow?2" >"$TMP/slow" &
slow=$!
# Stop only once the request is being served (its CGI script sleeps): a fixed wait lost the race on a loaded machine.
for _ in $(seq 1 50); do
	docker top "$a" -o pid,args 2>/dev/null | grep -q 'sleep 2' && break
	sleep 0.1
done
check "app: stop waits for a slow request (< 5 s)" stop_within "$a" 5
wait "$slow"
check "app: the slow request completed during stop" equals "$(cat "$TMP/slow")" "slow done
 200"

a=bi-app-fail-$$
run --name "$a" -e APP_FAIL_HEALTH=1 -p 127.0.0.1::8080 berth-demo/app:1
ap=$(port "$a" 8080)
wait_http "http://127.0.0.1:$ap/"
check "app: APP_FAIL_HEALTH=1 -> /cgi-bin/health 500" equals "$(get -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ap/cgi-bin/health")" 500
check "app: APP_FAIL_HEALTH=1 -> / still 200" equals "$(get -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ap/")" 200
check "app: idle stop < 2 s" stop_within "$a" 2

# A connection that never sends a request (a proxy's pre-opened connection) holds
# the stop for at most 1 s, not the whole grace period.
a=bi-app-open-$$
run --name "$a" -p 127.0.0.1::8080 berth-demo/app:1
ap=$(port "$a" 8080)
wait_http "http://127.0.0.1:$ap/"
exec 3<>"/dev/tcp/127.0.0.1/$ap"
sleep 0.3
check "app: stop with an idle connection open < 3 s" stop_within "$a" 3
exec 3<&-

a=bi-app-slow-$$
run --name "$a" -e APP_START_DELAY=2 -p 127.0.0.1::8080 berth-demo/app:1
ap=$(port "$a" 8080)
sleep 0.5
check "app: APP_START_DELAY=2 -> not serving at 0.5 s" equals "$(get -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ap/")" 000
check "app: APP_START_DELAY=2 -> serving later" wait_http "http://127.0.0.1:$ap/"
docker restart -t 5 "$a" >/dev/null
sleep 0.3
check "app: stop during APP_START_DELAY < 2 s" stop_within "$a" 2

# --- postgres -------------------------------------------------------------------
p=bi-pg-$$
v=bi-pgdata-$$
docker volume create --label "$LABEL" "$v" >/dev/null
mkdir -p "$TMP/initdb"
echo "CREATE TABLE seeded (x text); INSERT INTO seeded VALUES ('from initdb.d');" >"$TMP/initdb/01.sql"
run --name "$p" -e POSTGRES_DB=notes -e POSTGRES_USER=notes -v "$v:/var/lib/postgresql/data" \
	-v "$TMP/initdb:/docker-entrypoint-initdb.d:ro" berth-demo/postgres:15
check "postgres: pg_isready -h 127.0.0.1 -U notes -d notes" pg_ready "$p" notes notes
check "postgres: initdb.d ran" equals "$(docker exec "$p" psql -U notes -d notes -Atc 'SELECT x FROM seeded')" "from initdb.d"
check "postgres: postgres is PID 1 as uid 999" equals "$(docker exec "$p" sh -c 'stat -c %u /proc/1; cat /proc/1/comm')" "999
postgres"
docker exec "$p" psql -q -h 127.0.0.1 -U notes -d notes -c "CREATE TABLE t (x text); INSERT INTO t VALUES ('survives')"
docker exec -d "$p" psql -h 127.0.0.1 -U notes -d notes -c 'SELECT pg_sleep(60)'
sleep 0.3
check "postgres: docker stop < 3 s with a client connected" stop_within "$p" 3
docker rm -v "$p" >/dev/null
run --name "$p" -e POSTGRES_DB=notes -e POSTGRES_USER=notes -v "$v:/var/lib/postgresql/data" berth-demo/postgres:15
pg_ready "$p" notes notes >/dev/null
check "postgres: data survives a recreate" equals "$(docker exec "$p" psql -h 127.0.0.1 -U notes -d notes -Atc 'SELECT x FROM t')" survives
docker rm -f -v "$p" >/dev/null

p=bi-pgpw-$$
run --name "$p" -e POSTGRES_PASSWORD=secret berth-demo/postgres:15
pg_ready "$p" postgres postgres >/dev/null
check "postgres: password login over TCP" docker exec -e PGPASSWORD=secret "$p" psql -h 127.0.0.1 -U postgres -Atc 'SELECT 1'
check "postgres: wrong password refused" bash -c "! docker exec -e PGPASSWORD=wrong $p psql -h 127.0.0.1 -U postgres -Atc 'SELECT 1'"
docker rm -f -v "$p" >/dev/null

# --- caddy ----------------------------------------------------------------------
c=bi-caddy-$$
mkdir -p "$TMP/admin"
run --name "$c" -e CADDY_ADMIN=unix//run/caddy/admin.sock -v "$TMP/admin:/run/caddy" -p 127.0.0.1::8080 berth/caddy:2.11
for _ in $(seq 1 50); do [ -S "$TMP/admin/admin.sock" ] && break; sleep 0.1; done
check "caddy: version 2.11" contains "$(docker exec "$c" caddy version)" "v2.11."
check "caddy: admin API on the bind-mounted unix socket" curl -sf --unix-socket "$TMP/admin/admin.sock" http://localhost/config/
check "caddy: config loaded through the socket" curl -sf --unix-socket "$TMP/admin/admin.sock" -H 'Content-Type: application/json' \
	-d '{"apps":{"http":{"servers":{"s":{"listen":[":8080"],"routes":[{"handle":[{"handler":"static_response","body":"caddy ok"}]}]}}}}}' \
	http://localhost/load
check "caddy: serves the loaded config" equals "$(get "http://127.0.0.1:$(port "$c" 8080)/")" "caddy ok"
check "caddy: docker stop < 2 s" stop_within "$c" 2

# --- traefik --------------------------------------------------------------------
check "traefik: version 3.7" contains "$(docker run --rm --label "$LABEL" berth/traefik:3.7 version)" "Version: *3.7."
t=bi-traefik-$$
run --name "$t" -p 127.0.0.1::8080 berth/traefik:3.7 --entrypoints.web.address=:8080 --ping --ping.entrypoint=web
check "traefik: /ping answers OK" wait_http "http://127.0.0.1:$(port "$t" 8080)/ping"
check "traefik: sh and wget inside" contains "$(docker exec "$t" wget -q -O - http://127.0.0.1:8080/ping)" "OK"
check "traefik: docker stop < 3 s" stop_within "$t" 3

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
