#!/usr/bin/env bash
# The demo: installs what is needed, builds Berth, and runs its main job on examples/homelab:
# validate, plan, render; then checks the rendered files with the real tools.
set -euo pipefail
cd "$(dirname "$0")/.."
BERTH_SETUP_DOCKER=0 bash scripts/setup.sh
swift build -c release --product berth
BERTH="$(swift build -c release --show-bin-path)/berth"
REPO=examples/homelab
OUT=out/homelab

echo; echo "== berth validate -c $REPO"
"$BERTH" validate -c "$REPO"
echo; echo "== berth plan -c $REPO"
"$BERTH" plan -c "$REPO"
echo; echo "== berth render -c $REPO --out $OUT"
"$BERTH" render -c "$REPO" --out "$OUT"

echo; echo "== checking the rendered files with the real tools"
caddy validate --config "$OUT/caddy/caddy.json" 2>&1 | tail -1
for f in "$OUT"/compose/*/docker-compose.yml; do
  docker-compose -f "$f" config -q && echo "docker-compose config: $f OK"
done
echo; echo "Done. The rendered platform is in $OUT/."
