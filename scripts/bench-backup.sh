#!/usr/bin/env bash
# Benchmark for berth backup (issue 11): backs up and restores a 1 GiB volume and a 1-million-row
# PostgreSQL table with berth (restic into a local repository, read-back included), and does the same
# copy with plain tar and with pg_dump/pg_restore (the physical limit on this machine). Prints each
# duration and throughput, and berth's speed as a fraction of the plain copy (goal >= 0.5).
#
# Usage: scripts/bench-backup.sh   (root, Docker running; builds the release berth with scripts/build-release.sh unless BERTH=path is set;
#   VOLUME_MIB=1024 ROWS=1000000 change the sizes). Uses projects named benchbk-*, the proxy on
#   127.0.0.1:28080 and removes everything it created at the end. Not run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
VOLUME_MIB="${VOLUME_MIB:-1024}"
ROWS="${ROWS:-1000000}"
if [ -z "${BERTH:-}" ]; then
  BERTH="$(bash scripts/build-release.sh)"
fi
bash scripts/build-images.sh static postgres >/dev/null
WORK="$(mktemp -d /tmp/berth-bench-backup.XXXXXX)"
REPO="$WORK/repo"; STATE="$WORK/state"
export BENCH_RESTIC_PW="bench-$(openssl rand -hex 12)"
mkdir -p "$REPO/projects/benchbk" "$STATE"
cat >"$REPO/platform.yml" <<YAML
domain: bench.localhost
name: benchbk
proxy: {kind: caddy, image: berth/caddy:2.11, http_port: 28080, https_port: 28443, bind_address: 127.0.0.1}
network: {pools: [10.219.0.0/16]}
backups:
  path: $WORK/restic
  password_env: BENCH_RESTIC_PW
  timeout: 1h
YAML
cat >"$REPO/projects/benchbk/compose.yml" <<'YAML'
services:
  files:
    image: berth-demo/static:1
    volumes: [data:/data]
  db:
    image: berth-demo/postgres:15
    environment: {POSTGRES_USER: bench, POSTGRES_DB: bench}
    volumes: [pgdata:/var/lib/postgresql/data]
volumes:
  data: {}
  pgdata: {}
YAML
cat >"$REPO/projects/benchbk/project.yml" <<'YAML'
backups:
  volumes: [data]
  databases: [{service: db, database: bench, user: bench}]
YAML
berth() { "$BERTH" "$@" -c "$REPO" --state-dir "$STATE"; }
cleanup() {
  berth down benchbk --volumes >/dev/null 2>&1 || true
  for v in $(docker volume ls -q | grep '^benchbk' || true); do docker volume rm -f "$v" >/dev/null || true; done
  docker rm -f berth-benchbk-proxy >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

berth apply --yes >/dev/null
files=$(docker ps --format '{{.Names}}' | grep '^benchbk-files-' | head -1)
db=$(docker ps --format '{{.Names}}' | grep '^benchbk-db-' | head -1)
for _ in $(seq 1 120); do docker exec "$db" pg_isready -U bench >/dev/null 2>&1 && break; sleep 0.5; done

echo "bench: writing ${VOLUME_MIB} MiB into the volume (half one file, half 1 MiB files) and ${ROWS} rows" >&2
half=$((VOLUME_MIB / 2))
docker exec "$files" sh -c "head -c $((half * 1048576)) /dev/urandom > /data/big && mkdir -p /data/small && i=0 && while [ \$i -lt $((VOLUME_MIB - half)) ]; do head -c 1048576 /dev/urandom > /data/small/f\$i; i=\$((i+1)); done"
docker exec "$db" psql -q -U bench -d bench -c "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS name, now() - g * interval '1 second' AS at, g % 97 AS bucket FROM generate_series(1, $ROWS) g; ALTER TABLE t ADD PRIMARY KEY (id);"
mount=$(docker volume inspect --format '{{.Mountpoint}}' benchbk_data)
vol_bytes=$(du -sb "$mount" | cut -f1)
sync

seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); awk "BEGIN{printf \"%.2f\", $e - $s}"; }
mib() { awk "BEGIN{printf \"%.0f\", $1 / 1048576}"; }

# Plain copies.
mkdir -p "$WORK/untar"
t_tar=$(seconds tar -C "$mount" -cf "$WORK/vol.tar" .)
t_untar=$(seconds tar -C "$WORK/untar" -xf "$WORK/vol.tar")
rm -rf "$WORK/vol.tar" "$WORK/untar"
t_dump=$(seconds sh -c "docker exec $db pg_dump -U bench -d bench -Fc > $WORK/db.dump")
dump_bytes=$(stat -c %s "$WORK/db.dump")
docker exec "$db" psql -q -U bench -d postgres -c "CREATE DATABASE plain_copy" >/dev/null
t_pgrestore=$(seconds sh -c "docker exec -i $db pg_restore -U bench -d plain_copy --single-transaction < $WORK/db.dump")
rm -f "$WORK/db.dump"
# restic alone (no read-back, no verification): the ceiling for any restic-based backup here.
RESTIC_PASSWORD="$BENCH_RESTIC_PW" restic -r "$WORK/restic-alone" init >/dev/null
t_ralone=$(seconds sh -c "cd $mount && RESTIC_PASSWORD=$BENCH_RESTIC_PW restic -r $WORK/restic-alone backup -q .")
t_ralone_restore=$(seconds env RESTIC_PASSWORD="$BENCH_RESTIC_PW" restic -r "$WORK/restic-alone" restore latest --target "$WORK/restic-alone-out")
rm -rf "$WORK/restic-alone" "$WORK/restic-alone-out"

# berth (each backup includes its read-back; each restore its verification). The repository is created
# first, as a platform's first backup does once (restic init: about 3 s here, not counted).
RESTIC_PASSWORD="$BENCH_RESTIC_PW" restic -r "$WORK/restic" init >/dev/null
t_bvol=$(seconds berth backup run benchbk --volume data)
t_rvol=$(seconds berth backup restore benchbk --volume data --to benchbk_data_copy)
t_bdb=$(seconds berth backup run benchbk --database bench)
t_rdb=$(seconds berth backup restore benchbk --database bench --to bench_copy)

row() {  # what, plain seconds, berth seconds, bytes
  local rate_p rate_b ratio
  rate_p=$(awk "BEGIN{printf \"%.0f\", $4 / 1048576 / $2}"); rate_b=$(awk "BEGIN{printf \"%.0f\", $4 / 1048576 / $3}")
  ratio=$(awk "BEGIN{printf \"%.2f\", $2 / $3}")
  printf '%-26s %9s s %7s MiB/s   %9s s %7s MiB/s   %5s x\n' "$1" "$2" "$rate_p" "$3" "$rate_b" "$ratio"
}
echo
printf '%-26s %21s   %21s   %s\n' "" "plain" "berth" "berth/plain speed"
row "volume backup (tar)" "$t_tar" "$t_bvol" "$vol_bytes"
row "volume restore (untar)" "$t_untar" "$t_rvol" "$vol_bytes"
row "  restic backup alone" "$t_tar" "$t_ralone" "$vol_bytes"
row "  restic restore alone" "$t_untar" "$t_ralone_restore" "$vol_bytes"
row "db backup (pg_dump)" "$t_dump" "$t_bdb" "$dump_bytes"
row "db restore (pg_restore)" "$t_pgrestore" "$t_rdb" "$dump_bytes"
echo "volume: $(mib "$vol_bytes") MiB; database: $ROWS rows, dump $(mib "$dump_bytes") MiB; goal: berth/plain >= 0.5"
