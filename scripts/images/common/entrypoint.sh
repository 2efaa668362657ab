#!/bin/sh
# Entrypoint of berth-demo/static:1 and berth-demo/app:1 (busybox ash).
#
# busybox httpd (and nc) run as PID 1 would ignore SIGTERM, so `docker stop` would
# wait for SIGKILL. This wrapper runs the command as a child instead and, on
# SIGTERM or SIGINT:
#   1. sends SIGTERM to the command (httpd stops accepting connections at once);
#   2. waits, at most APP_STOP_GRACE seconds (default 10), for requests already
#      being served to finish: CGI scripts such as /cgi-bin/slow for up to the
#      grace period, other connections (httpd's per-connection children) for up
#      to 1 s, so an open connection without a request does not hold the stop;
#      `docker exec` sessions are not waited for;
#   3. exits 0.
# With nothing in flight the container stops in a few milliseconds. It works the same
# as PID 1 or under `init: true` (docker-init).
#
# APP_START_DELAY=N (seconds) sleeps before starting the command, to simulate a
# slow start; a stop signal during the delay ends the container at once.
# With no arguments the command is `httpd -f -p 8080 -h /www`.
# The wrapper writes nothing, so it works with a read-only root file system
# and any user id.

[ $# -gt 0 ] || set -- httpd -f -p 8080 -h /www

# This busybox shell runs its own applets before looking at PATH, which would
# bypass real programs and scripts (such as /bin/nc, which adds -k to busybox
# nc): a command found in PATH as a regular file runs by its path.
case "$1" in
*/*) ;;
*)
	_cmd='' _ifs=$IFS
	IFS=:
	for _d in $PATH; do
		if [ -f "$_d/$1" ] && [ -x "$_d/$1" ] && [ ! -L "$_d/$1" ]; then
			_cmd=$_d/$1
			break
		fi
	done
	IFS=$_ifs
	if [ -n "$_cmd" ]; then
		shift
		set -- "$_cmd" "$@"
	fi
	;;
esac

pid=
stopping=
# shellcheck disable=SC2317 # called by the trap
on_stop() {
	stopping=1
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
}
trap on_stop TERM INT

case "${APP_START_DELAY:-0}" in
'' | *[!0-9]*) echo "entrypoint: ignoring APP_START_DELAY='$APP_START_DELAY' (not a whole number of seconds)" >&2 ;;
0) ;;
*)
	echo "entrypoint: APP_START_DELAY=$APP_START_DELAY, sleeping before start" >&2
	sleep "$APP_START_DELAY" &
	pid=$!
	wait "$pid"
	if [ -n "$stopping" ]; then
		kill -KILL "$pid" 2>/dev/null
		exit 0
	fi
	pid=
	;;
esac

# A background job gets /dev/null as stdin: hand it the real one through fd 3.
exec 3<&0
"$@" <&3 3<&- &
pid=$!
[ -n "$stopping" ] && kill -TERM "$pid" 2>/dev/null

# Sets _state and _ppid from /proc/PID/stat without forking; fails when PID is gone.
proc_state() {
	_state='' _ppid='' _line=''
	read -r _line 2>/dev/null <"/proc/$1/stat" || return 1
	# "pid (comm) S ppid ..."; comm may hold spaces, so cut after the last ')'.
	# shellcheck disable=SC2086 # split into fields on purpose
	set -- ${_line##*) }
	_state=$1 _ppid=$2
}

# Sets _handlers to the request handlers still running (children of the
# command, or orphans once it exited: their parent becomes PID 1, this script or
# docker-init; `docker exec` processes have parent 0 and are skipped) and _cgi
# to 1 when one of them runs a CGI program (a process whose parent is a handler).
scan() {
	_handlers='' _cgi=''
	for _p in /proc/[0-9]*; do
		_p=${_p#/proc/}
		[ "$_p" = "$$" ] && continue
		[ "$_p" = 1 ] && continue
		proc_state "$_p" || continue
		[ "$_state" = Z ] && continue
		if [ "$_p" = "$pid" ] || [ "$_ppid" = "$pid" ] || [ "$_ppid" = 1 ] || [ "$_ppid" = "$$" ]; then
			_handlers="$_handlers $_p "
		fi
	done
	[ -n "$_handlers" ] || return 0
	for _p in /proc/[0-9]*; do
		proc_state "${_p#/proc/}" || continue
		[ "$_state" = Z ] && continue
		case "$_handlers" in *" $_ppid "*) _cgi=1 && return 0 ;; esac
	done
}

while :; do
	wait "$pid"
	rc=$?
	[ -n "$stopping" ] && break
	# wait returns early only for a trapped signal, which sets $stopping.
	proc_state "$pid" || break
	[ "$_state" = Z ] && break
done

if [ -z "$stopping" ]; then
	exit "$rc"
fi

# The command got SIGTERM in on_stop: let it exit (httpd does at once), then
# poll for the requests it left in flight.
proc_state "$pid" && [ "$_state" != Z ] && wait "$pid"
# A handler running a CGI program serves a request: wait for it (at most the
# grace period). A handler without one has 1 s to finish (reading a request,
# sending a file, or relaying the output of a CGI program that just ended: the
# second counts from the last CGI seen, so a loaded machine does not cut off a
# response being written); one still there after that waits on a connection
# that sent no request (a proxy's pre-opened connection), which, like any
# server, we close.
grace=${APP_STOP_GRACE:-10}
case "$grace" in '' | *[!0-9]*) grace=10 ;; esac
ticks=$((grace * 50)) idle=50
while [ "$ticks" -gt 0 ]; do
	scan
	[ -n "$_cgi" ] && idle=50
	[ -n "$_cgi" ] || { [ -n "$_handlers" ] && [ "$idle" -gt 0 ]; } || break
	sleep 0.02
	ticks=$((ticks - 1)) idle=$((idle - 1))
done
kill -KILL "$pid" 2>/dev/null
exit 0
