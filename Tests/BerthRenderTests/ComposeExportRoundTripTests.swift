import BerthConfig
import BerthPlan
import BerthRender
import Foundation
import Testing
import TestSupport

/// Every Compose key Berth honours survives the export: a project using all of them is exported,
/// the export (minus the networks and Traefik labels Berth adds) is loaded again by Berth's strict
/// loader, and the services, volumes and config hashes come out identical.
@Suite struct ComposeExportRoundTripTests {
    static let compose = """
        services:
          app:
            image: registry.example/app:2.1
            command: ["serve", "--listen", ":8080", "--price", "$$5"]
            entrypoint: /bin/entry --verbose
            environment:
              PLAIN: value
              DOLLARS: "a$$b$${NOT_A_VAR}"
              NUMBERISH: "0123"
              BOOLISH: "yes"
              EMPTY: ""
            env_file: app.env
            volumes:
              - data:/var/lib/app
              - type: volume
                source: cache
                target: /cache
                read_only: true
                volume:
                  nocopy: true
              - ./config:/etc/app:ro
              - type: bind
                source: /srv/shared
                target: /shared
                bind:
                  create_host_path: false
              - type: tmpfs
                target: /scratch
                tmpfs:
                  size: 65536
              - /anonymous
            healthcheck:
              test: ["CMD-SHELL", "curl -fsS http://127.0.0.1:8080/health || exit 1"]
              interval: 1m30s
              timeout: 500ms
              retries: 4
              start_period: 20s
              start_interval: 2s
            restart: on-failure:3
            labels:
              org.example.team: "core: $$team"
              org.example.tier: "1"
            user: "1000:1000"
            working_dir: /srv/app
            cap_add: [NET_BIND_SERVICE]
            cap_drop: [ALL]
            read_only: true
            tmpfs: [/run, /tmp]
            security_opt: ["no-new-privileges:true"]
            ulimits:
              nofile: {soft: 1024, hard: 4096}
              nproc: 512
            init: true
            shm_size: 64m
            sysctls:
              net.core.somaxconn: "1024"
            extra_hosts: ["host.docker.internal:host-gateway", "db.local=10.0.0.5"]
            stop_signal: SIGTERM
            stop_grace_period: 45s
            depends_on:
              db:
                condition: service_healthy
                restart: true
              migrate:
                condition: service_completed_successfully
                required: false
              cache:
                condition: service_started
            logging:
              driver: json-file
              options:
                max-size: 10m
                max-file: "3"
            deploy:
              replicas: 3
              resources:
                limits:
                  cpus: 1.5
                  memory: 1536m
                  pids: 200
            hostname: app-host
            expose: ["8080", "9090/tcp"]
          db:
            image: postgres:16
            healthcheck:
              disable: true
            volumes:
              - data:/var/lib/postgresql/data
            deploy:
              resources:
                limits:
                  cpus: 2
          migrate:
            image: registry.example/app:2.1
            command: migrate
            restart: "no"
            deploy:
              replicas: 0
          cache:
            image: redis:7
            entrypoint: ["redis-server"]
            logging:
              options:
                tag: cache
        volumes:
          data:
            driver: local
            driver_opts:
              type: none
              o: bind
              device: /srv/data
            labels:
              org.example.backup: "daily"
          cache:
            name: shared-cache
          outside:
            external: true
        """

    static let project = """
        ingress:
          - service: app
            hosts: [app.example.test]
            port: 8080
        egress:
          internet: [app]
        """

    /// Drops the top-level and per-service networks and the Traefik labels, which Berth derives from
    /// project.yml and its own compose loader rejects; everything else is kept as written.
    static let strip = """
        import sys, yaml
        doc = yaml.safe_load(open(sys.argv[1]))
        doc.pop("networks", None)
        for service in doc["services"].values():
            service.pop("networks", None)
            labels = {k: v for k, v in service.get("labels", {}).items() if not k.startswith("traefik.")}
            if labels:
                service["labels"] = labels
            else:
                service.pop("labels", None)
        yaml.safe_dump(doc, open(sys.argv[2], "w"), sort_keys=False)
        """

    @Test func everySupportedKeyRoundTrips() throws {
        let original = ComposeExportChecks.repository([
            "projects/full/compose.yml": Self.compose,
            "projects/full/project.yml": Self.project,
            "projects/full/app.env": "FROM_FILE=1\nPLAIN=overridden-by-environment\n",
        ])
        defer { Fixtures.cleanup(original) }
        let repository = try Fixtures.load(original)
        let state = try DesiredStateBuilder(repository: repository).build()
        let file = try ComposeExportChecks.export(ComposeExporter.render(state), project: "full")

        let exported = try ComposeExportChecks.write([file])
        defer { Fixtures.cleanup(exported) }
        let schema = try ComposeExportChecks.validateAgainstSchema([exported.appendingPathComponent(file.path)])
        #expect(schema.status == 0, "\(schema.output)")

        let reloadedRoot = ComposeExportChecks.repository(["projects/full/project.yml": Self.project])
        defer { Fixtures.cleanup(reloadedRoot) }
        let stripped = try Fixtures.run([
            "python3", "-c", Self.strip, exported.appendingPathComponent(file.path).path,
            reloadedRoot.appendingPathComponent("projects/full/compose.yml").path,
        ])
        try #require(stripped.status == 0, "\(stripped.output)")
        let reloaded = try Fixtures.load(reloadedRoot)
        let reloadedState = try DesiredStateBuilder(repository: reloaded).build()

        let before = try #require(repository.project("full")?.compose.services)
        let after = try #require(reloaded.project("full")?.compose.services)
        #expect(before.keys.sorted() == after.keys.sorted())
        for name in before.keys.sorted() {
            #expect(before[name] == after[name], "service \(name) differs after the export:\n\(String(describing: before[name]))\n\(String(describing: after[name]))")
        }
        #expect(state.volumes == reloadedState.volumes)
        #expect(state.services.map(\.configHash) == reloadedState.services.map(\.configHash))

        // Spot checks that the loader really saw the values (not two equal defaults).
        let app = try #require(after["app"])
        #expect(app.environment["DOLLARS"] == "a$b${NOT_A_VAR}")
        #expect(app.environment["FROM_FILE"] == "1")
        #expect(app.command == ["serve", "--listen", ":8080", "--price", "$5"])
        #expect(app.labels["org.example.team"] == "core: $team")
        #expect(app.replicas == 3)
        #expect(app.limits?.pids == 200)
        #expect(app.dependsOn["migrate"]?.required == false)
        #expect(app.healthcheck?.startInterval == TimeSpan(milliseconds: 2000))
        #expect(after["db"]?.healthcheck?.disabled == true)
        #expect(after["migrate"]?.replicas == 0)
    }
}
