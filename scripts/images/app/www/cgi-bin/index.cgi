#!/bin/sh
# "/" and "/index.html": a page with APP_VERSION and NOTES_TITLE.
if [ "${APP_FAIL:-0}" = 1 ]; then
	printf 'Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nfailing (APP_FAIL=1)\n'
	exit 0
fi
esc() { printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'; }
version=$(esc "${APP_VERSION:-1}")
title=$(esc "${NOTES_TITLE:-Berth demo app}")
host=$(hostname)
printf 'Content-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n\r\n'
cat <<HTML
<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>$title</title></head>
<body>
<h1>$title</h1>
<p>Berth demo app</p>
<p id="version">version=$version host=$host</p>
</body>
</html>
HTML
