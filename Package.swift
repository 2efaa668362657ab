// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "berth",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "berth", targets: ["berth"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // berth certs: reads the proxies' certificates (X.509).
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        // berth serve: the daemon (HTTP API, task queue in SQLite, Prometheus metrics).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // berth serve --database: the shared task queue in PostgreSQL.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Running other programs (posix_spawn, not Foundation's Process). Depends on nothing of Berth's.
        .target(name: "CBerthSystem"),
        .target(name: "BerthSystem", dependencies: ["CBerthSystem"]),
        // Config model, loading and strict validation. Depends on nothing of Berth's.
        .target(
            name: "BerthConfig",
            dependencies: ["BerthSystem", .product(name: "Yams", package: "Yams")]
        ),
        // Desired state, actual state, diff → ordered plan.
        .target(
            name: "BerthPlan",
            dependencies: ["BerthConfig", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Traefik, Caddy and Compose-export renderers.
        .target(
            name: "BerthRender",
            dependencies: ["BerthConfig", "BerthPlan", .product(name: "Yams", package: "Yams")]
        ),
        // Docker Engine API client (unix socket or tcp). Knows nothing of Berth's model.
        .target(
            name: "BerthDocker",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // What the engine needs from Docker, in Berth's terms (ContainerRuntime), over the Docker client.
        .target(
            name: "BerthRuntime",
            dependencies: ["BerthConfig", "BerthPlan", "BerthDocker"]
        ),
        // How Berth talks to its proxies: the Traefik and Caddy drivers, their API clients, the proxy container.
        .target(
            name: "BerthProxy",
            dependencies: [
                "BerthConfig", "BerthPlan", "BerthRender", "BerthRuntime", "BerthSystem",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The rollout algorithm: executes plans (readiness, switch, drain, lock, history, status).
        .target(
            name: "BerthEngine",
            dependencies: [
                "BerthConfig", "BerthPlan", "BerthRender", "BerthDocker", "BerthRuntime", "BerthProxy",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // berth doctor: audits the Docker host, its daemon's settings and the repository's services.
        .target(
            name: "BerthDoctor",
            dependencies: ["BerthConfig", "BerthDocker", "BerthRender", "BerthSystem"]
        ),
        // berth serve: the daemon — HTTP API, bearer tokens, the task queue and its store, events, metrics.
        .target(
            name: "BerthServer",
            dependencies: [
                "BerthConfig", "BerthEngine", "BerthRuntime", "BerthProxy", "BerthRender", "BerthSystem", "BerthBackup",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // berth backup: restic backups of volumes and databases, read back before they count; restores and drills.
        .target(
            name: "BerthBackup",
            dependencies: [
                "BerthConfig", "BerthSystem", "CBerthSystem",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The commands (one per file); the executable only calls into this.
        .target(
            name: "BerthCLI",
            dependencies: [
                "BerthConfig", "BerthPlan", "BerthRender", "BerthDocker", "BerthRuntime", "BerthProxy", "BerthEngine",
                "BerthDoctor", "BerthSystem",
                "BerthServer", "BerthBackup",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // --verbose / BERTH_LOG_LEVEL: the engine's log lines on standard error.
                .product(name: "Logging", package: "swift-log"),
                // the CLI's client mode (berth --server URL ...) talks to a daemon over HTTP
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .executableTarget(name: "berth", dependencies: ["BerthCLI"]),
        .target(name: "TestSupport", dependencies: ["BerthConfig", "BerthSystem"], path: "Tests/TestSupport"),
        .testTarget(name: "BerthConfigTests", dependencies: ["BerthConfig", "BerthPlan", "TestSupport"]),
        .testTarget(name: "BerthPlanTests", dependencies: ["BerthConfig", "BerthPlan", "TestSupport"]),
        .testTarget(
            name: "BerthRenderTests", dependencies: ["BerthConfig", "BerthPlan", "BerthRender", "TestSupport"],
            exclude: ["Golden"]
        ),
        .testTarget(name: "BerthDockerTests", dependencies: ["BerthDocker", "BerthSystem", "TestSupport"]),
        .testTarget(name: "BerthEngineTests", dependencies: [
            "BerthEngine", "BerthProxy", "BerthRuntime", "BerthDocker", "BerthPlan", "BerthConfig", "TestSupport",
        ]),
        .testTarget(name: "BerthDoctorTests", dependencies: ["BerthDoctor", "BerthConfig", "BerthDocker", "BerthSystem", "TestSupport"]),
        .testTarget(name: "BerthServerTests", dependencies: [
            "BerthServer", "BerthEngine", "BerthConfig", "TestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "BerthCLI", "BerthDocker", "BerthRuntime", "BerthProxy", "BerthEngine", "BerthSystem", "TestSupport",
        ]),
        .testTarget(name: "BerthSystemTests", dependencies: ["BerthSystem"]),
        .testTarget(name: "BerthBackupTests", dependencies: ["BerthBackup", "BerthConfig", "TestSupport"]),
    ]
)
