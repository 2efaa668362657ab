#!/usr/bin/env python3
"""Generates a realistic Berth configuration repository with N projects (for benchmarks).

Each project has a web service with ingress and middlewares, most have a database on the internal
network, some need internet egress, and every tenth consumes the previous project's database.
"""
import os
import sys

root, count = sys.argv[1], int(sys.argv[2])
os.makedirs(os.path.join(root, "projects"), exist_ok=True)
with open(os.path.join(root, "platform.yml"), "w") as f:
    f.write("""domain: bench.example.com
proxy: {kind: traefik}
acme: {email: ops@bench.example.com, ca: staging}
entrypoints:
  tcp-bench: {port: 9000, protocol: tcp}
middlewares:
  secure-headers: {headers: {sts_seconds: 31536000, frame_deny: true}}
  gzip: {compress: {}}
  limit: {rate_limit: {average: 100, burst: 200}}
default_middlewares: [secure-headers, gzip]
network:
  pools: [10.64.0.0/12]
  subnet_prefix: 26
""")
for i in range(count):
    name = f"p{i:04d}"
    d = os.path.join(root, "projects", name)
    os.makedirs(d, exist_ok=True)
    has_db = i % 4 != 3
    with open(os.path.join(d, "compose.yml"), "w") as f:
        f.write(f"""services:
  web:
    image: registry.example.com/{name}/web:1.{i}
    environment:
      APP_NAME: {name}
      DATABASE_HOST: db
      WORKERS: "4"
    healthcheck:
      test: ["CMD", "wget", "-q", "-O-", "http://127.0.0.1:8080/health"]
      interval: 5s
      retries: 3
    deploy:
      replicas: {1 + i % 3}
      resources:
        limits: {{cpus: 0.5, memory: 256m}}
""")
        if has_db:
            f.write("""    depends_on:
      db: {condition: service_healthy}
  db:
    image: postgres:16-alpine
    environment: {POSTGRES_DB: app, POSTGRES_USER: app}
    volumes: [data:/var/lib/postgresql/data]
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U app"]
volumes:
  data: {}
""")
    with open(os.path.join(d, "project.yml"), "w") as f:
        f.write(f"""ingress:
  - service: web
    hosts: [{name}.bench.example.com, www.{name}.bench.example.com]
    port: 8080
    middlewares: [limit]
    health: {{path: /health}}
  - service: web
    hosts: [{name}.bench.example.com]
    path: /api
    port: 8080
""")
        if i % 5 == 0:
            f.write("egress:\n  internet: [web]\n")
        if i % 10 == 9 and (i - 1) % 4 != 3:
            prev = f"p{i - 1:04d}"
            if i % 5 != 0:
                f.write("egress:\n")
            f.write(f"  services:\n    - from: web\n      to: {prev}/db\n")
