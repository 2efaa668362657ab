import ArgumentParser
import Foundation

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a working example configuration repository.",
        discussion: """
            Writes platform.yml and two projects (a web site, and an app with a PostgreSQL backend \
            that only the app can reach). Existing files are never overwritten.

            Examples:
              berth init my-platform
              berth init my-platform --domain example.org --email ops@example.org
            """
    )

    @Argument(help: "Directory to create (may exist if empty).")
    var directory: String

    @Option(help: "The platform's base domain.")
    var domain: String = "example.com"

    @Option(help: "Contact email for Let's Encrypt.")
    var email: String = "admin@example.com"

    @Flag(help: "Also set up SOPS secrets: an age key (created with age-keygen unless --age-key-file exists) and .sops.yaml with its public key as recipient.")
    var age = false

    @Option(help: "Where the age private key is (created when missing); default: sops's own location, ~/.config/sops/age/keys.txt. Keep it out of the repository.")
    var ageKeyFile: String?

    func run() throws {
        let root = URL(fileURLWithPath: directory)
        let fm = FileManager.default
        var files = InitTemplate.files(domain: domain, email: email)
        if age { files.merge(AgeSetup.plannedFiles) { a, _ in a } }
        let clashes = files.keys.sorted().filter { fm.fileExists(atPath: root.appendingPathComponent($0).path) }
        guard clashes.isEmpty else {
            throw ValidationError("\(directory) already has \(clashes.joined(separator: ", ")); choose an empty directory")
        }
        if age {
            let setup = try AgeSetup(repository: root, keyFile: ageKeyFile).run()
            files.merge(setup.files) { _, real in real }
            print(setup.summary)
        }
        for path in files.keys.sorted() {
            let url = root.appendingPathComponent(path)
            do {
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(files[path]!.utf8).write(to: url)
            } catch {
                throw RuntimeFailure("cannot write \(url.path): \(error.localizedDescription)")
            }
            print("  created \(directory)/\(path)")
        }
        print("""

            Next:
              berth validate -c \(directory)
              berth plan -c \(directory)
              berth render -c \(directory) --out \(directory)/out
            """)
    }
}

/// The files `berth init` writes.
enum InitTemplate {
    static func files(domain: String, email: String) -> [String: String] {
        [
            "platform.yml": """
                # The platform: shared by every project. Every key is described in docs/config.md.
                domain: \(domain)

                proxy:
                  kind: traefik          # traefik | caddy
                  image: traefik:v3.7    # offline: berth/traefik:3.7 from scripts/build-images.sh
                  network: host          # the proxy sees real client addresses
                  http_port: 80
                  https_port: 443

                acme:
                  email: \(email)
                  ca: staging            # switch to production once DNS points here
                  challenge: http        # http | tls-alpn | dns (wildcards; with dns_provider, dns_credentials)

                middlewares:
                  secure-headers:
                    headers:
                      sts_seconds: 31536000
                      frame_deny: true
                      content_type_nosniff: true
                  gzip:
                    compress: {}

                default_middlewares: [secure-headers, gzip]

                # What Compose files may ask for. Each gate unset allows with a warning; set to true to allow.
                policy:
                  published_ports: loopback   # any | loopback | none
                  privileged: false
                  devices: false
                  host_namespaces: false
                  docker_socket: false
                  host_network: false
                  capabilities: []           # beyond the safe set, e.g. [SYS_ADMIN]

                network:
                  pools: [10.213.0.0/16]
                  subnet_prefix: 26

                """,
            "projects/website/compose.yml": """
                services:
                  web:
                    image: nginx:1.27-alpine
                    healthcheck:
                      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]
                      interval: 5s
                      retries: 5
                    deploy:
                      replicas: 2

                """,
            "projects/website/project.yml": """
                ingress:
                  - service: web
                    hosts: [www.\(domain), \(domain)]
                    port: 80

                """,
            "projects/notes/compose.yml": """
                services:
                  app:
                    image: ghcr.io/example/notes:1.0
                    environment:
                      DATABASE_URL: postgres://notes@db:5432/notes
                    depends_on:
                      db:
                        condition: service_healthy
                  db:
                    image: postgres:16-alpine
                    environment:
                      POSTGRES_USER: notes
                      POSTGRES_DB: notes
                      POSTGRES_HOST_AUTH_METHOD: trust
                    volumes:
                      - pgdata:/var/lib/postgresql/data
                    healthcheck:
                      test: ["CMD-SHELL", "pg_isready -U notes"]
                      interval: 5s
                      retries: 10

                volumes:
                  pgdata: {}

                """,
            "projects/notes/project.yml": """
                # The app is public; the database stays on the project's internal network.
                ingress:
                  - service: app
                    hosts: [notes.\(domain)]
                    port: 8080
                    health:
                      path: /healthz
                rollout:
                  ready_timeout: 90s

                """,
        ]
    }
}
