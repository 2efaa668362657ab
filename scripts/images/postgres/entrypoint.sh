#!/bin/sh
# Entrypoint of berth-demo/postgres:15 (Debian's PostgreSQL 15 on a busybox rootfs).
#
# Environment (like the official postgres image, reduced):
#   PGDATA                     data directory (default /var/lib/postgresql/data)
#   POSTGRES_USER              superuser created by initdb (default postgres)
#   POSTGRES_DB                database created on first start (default $POSTGRES_USER)
#   POSTGRES_PASSWORD          the superuser's password; network logins then use
#                              scram-sha-256
#   POSTGRES_HOST_AUTH_METHOD  pg_hba method for network logins (default
#                              scram-sha-256 with a password, else trust: unlike the
#                              official image, no password means "trust")
#   POSTGRES_INITDB_ARGS       extra initdb arguments
# Files /docker-entrypoint-initdb.d/*.sql and *.sh run once, on first start.
#
# As root (the default) it makes $PGDATA belong to postgres (uid/gid 999), then
# re-runs itself as postgres with busybox su. As uid 999 (`user: "999:999"`) it
# runs directly; any other uid is unsupported (initdb needs a passwd entry).
# Finally it execs postgres, which stays PID 1 and listens on 0.0.0.0:5432 and
# on /var/run/postgresql; the image's STOPSIGNAL is SIGINT (fast shutdown).
set -eu

PGDATA=${PGDATA:-/var/lib/postgresql/data}
export PGDATA
POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
POSTGRES_PASSWORD=${POSTGRES_PASSWORD:-}
POSTGRES_INITDB_ARGS=${POSTGRES_INITDB_ARGS:-}

# `docker run IMAGE -c x=y` means `postgres -c x=y`.
[ $# -gt 0 ] || set -- postgres
case "$1" in -*) set -- postgres "$@" ;; esac
[ "$1" = postgres ] || exec "$@"
# `postgres --version` and friends need no data directory.
for a in "$@"; do
	case "$a" in -V | --version | -'?' | --help | --describe-config | -C*) exec "$@" ;; esac
done

log() { echo "entrypoint: $*" >&2; }

if [ "$(id -u)" = 0 ]; then
	mkdir -p "$PGDATA" /var/run/postgresql
	if [ "$(stat -c %u:%g "$PGDATA")" != 999:999 ]; then
		log "chown -R postgres $PGDATA"
		chown -R 999:999 "$PGDATA"
	fi
	chmod 700 "$PGDATA"
	chown 999:999 /var/run/postgresql
	chmod 2775 /var/run/postgresql
	# busybox su execs the shell, which execs this script again: PID 1 is kept.
	exec su -p postgres -s /bin/sh -c 'export HOME=/var/lib/postgresql; exec "$@"' -- sh "$0" "$@"
fi

sql_ident() { printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"; }

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	if [ -n "$POSTGRES_PASSWORD" ]; then
		auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
	else
		auth=${POSTGRES_HOST_AUTH_METHOD:-trust}
		[ "$auth" = trust ] && log "no POSTGRES_PASSWORD: network logins use 'trust' (demo image)"
	fi
	log "initdb: user $POSTGRES_USER, database $POSTGRES_DB, host auth $auth"
	pwfile=
	if [ -n "$POSTGRES_PASSWORD" ]; then
		pwfile=$(mktemp)
		printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
	fi
	# shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a word list on purpose
	initdb -D "$PGDATA" -U "$POSTGRES_USER" -E UTF8 --locale=C \
		--auth-local=trust --auth-host="$auth" ${pwfile:+--pwfile="$pwfile"} \
		$POSTGRES_INITDB_ARGS >/dev/null
	[ -z "$pwfile" ] || rm -f "$pwfile"
	printf '\n# Added by the berth-demo entrypoint: every network may log in.\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
	printf "\n# Added by the berth-demo entrypoint.\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
	if [ "$POSTGRES_DB" != postgres ]; then
		# Single-user mode: no server, no socket, one statement per line.
		echo "CREATE DATABASE $(sql_ident "$POSTGRES_DB") OWNER $(sql_ident "$POSTGRES_USER");" |
			postgres --single -D "$PGDATA" postgres >/dev/null
	fi
	if [ -n "$(ls -A /docker-entrypoint-initdb.d 2>/dev/null)" ]; then
		pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w -s start
		for f in /docker-entrypoint-initdb.d/*; do
			case "$f" in
			*.sql) log "running $f"; psql -v ON_ERROR_STOP=1 -q -U "$POSTGRES_USER" -d "$POSTGRES_DB" -f "$f" ;;
			*.sh)
				log "sourcing $f"
				# shellcheck disable=SC1090
				. "$f"
				;;
			*) log "ignoring $f" ;;
			esac
		done
		pg_ctl -D "$PGDATA" -m fast -w -s stop
	fi
	log "initdb done"
fi

exec "$@"
