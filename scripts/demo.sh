#!/usr/bin/env bash
# The demo: installs what is needed (Docker engine, Caddy, docker-compose, busybox...), builds the
# example images offline and Berth itself, then deploys examples/homelab for real behind a Caddy
# proxy container and prints the URLs to try.
#
# This machine cannot run Traefik (no package, no registry), so the demo deploys the example with
# the caddy proxy: it copies examples/homelab to $DEMO_DIR, switches platform.yml to caddy on
# 127.0.0.1:8080/8443 without ACME (Caddy's local CA signs the *.localhost certificates), and leaves
# out what stock Caddy cannot serve (the raw TCP `echo` project and the rate-limit middleware).
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO_DIR="${DEMO_DIR:-/tmp/berth-demo}"
STATE_DIR="${BERTH_STATE_DIR:-/tmp/berth-demo-state}"
HTTP_PORT="${HTTP_PORT:-8080}"
HTTPS_PORT="${HTTPS_PORT:-8443}"

bash scripts/setup.sh
bash scripts/build-images.sh
swift build -c release --product berth
BERTH="$(swift build -c release --show-bin-path)/berth"

echo; echo "== berth validate + render on examples/homelab (Traefik, as committed)"
"$BERTH" validate -c examples/homelab
"$BERTH" render -c examples/homelab --out out/homelab >/dev/null
echo "rendered Traefik, Caddy and Compose files into out/homelab/"

rm -rf "$DEMO_DIR"
cp -r examples/homelab "$DEMO_DIR"
rm -rf "$DEMO_DIR/projects/echo"
python3 - "$DEMO_DIR" "$HTTP_PORT" "$HTTPS_PORT" <<'PY'
import sys, yaml
root, http_port, https_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
p = yaml.safe_load(open(f"{root}/platform.yml"))
p["proxy"] = {"kind": "caddy", "image": "berth/caddy:2.11", "http_port": http_port,
              "https_port": https_port, "bind_address": "127.0.0.1"}
p.pop("acme", None)
p.pop("entrypoints", None)
p["middlewares"].pop("api-limit", None)
yaml.safe_dump(p, open(f"{root}/platform.yml", "w"), sort_keys=False)
api = yaml.safe_load(open(f"{root}/projects/api/project.yml"))
for route in api["ingress"]:
    route["middlewares"] = [m for m in route.get("middlewares", []) if m != "api-limit"]
yaml.safe_dump(api, open(f"{root}/projects/api/project.yml", "w"), sort_keys=False)
PY

echo; echo "== berth apply -c $DEMO_DIR --yes"
"$BERTH" apply -c "$DEMO_DIR" --yes --state-dir "$STATE_DIR"
echo; echo "== berth status"
"$BERTH" status -c "$DEMO_DIR" --state-dir "$STATE_DIR"

try() {  # host path [curl args...]
  local host=$1 path=$2; shift 2
  local url="https://$host:$HTTPS_PORT$path"
  printf '%-60s ' "curl -k --resolve $host:$HTTPS_PORT:127.0.0.1 $* $url"
  curl -sk -o /dev/null -w '%{http_code}\n' --resolve "$host:$HTTPS_PORT:127.0.0.1" "$@" "$url"
}
echo; echo "== the platform answers through the proxy (status codes):"
try www.homelab.localhost /
try notes.homelab.localhost /
try api.homelab.localhost /cgi-bin/version
try api.homelab.localhost /admin/
try api.homelab.localhost /admin/ -u admin:berth-demo
echo
echo "Tear down with: $BERTH down site -c $DEMO_DIR --state-dir $STATE_DIR  (and notes, api), then docker rm -f berth-proxy"
