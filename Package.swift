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
    ],
    targets: [
        // Config model, loading and strict validation. Depends on nothing of Berth's.
        .target(
            name: "BerthConfig",
            dependencies: [.product(name: "Yams", package: "Yams")]
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
        // Executes plans against Docker and the proxy: rollouts, readiness, drain, lock, status.
        .target(
            name: "BerthEngine",
            dependencies: [
                "BerthConfig", "BerthPlan", "BerthRender", "BerthDocker",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The commands (one per file); the executable only calls into this.
        .target(
            name: "BerthCLI",
            dependencies: [
                "BerthConfig", "BerthPlan", "BerthRender", "BerthDocker", "BerthEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "berth", dependencies: ["BerthCLI"]),
        .target(name: "TestSupport", dependencies: ["BerthConfig"], path: "Tests/TestSupport"),
        .testTarget(name: "BerthConfigTests", dependencies: ["BerthConfig", "TestSupport"]),
        .testTarget(name: "BerthPlanTests", dependencies: ["BerthConfig", "BerthPlan", "TestSupport"]),
        .testTarget(
            name: "BerthRenderTests", dependencies: ["BerthConfig", "BerthPlan", "BerthRender", "TestSupport"],
            exclude: ["Golden"]
        ),
        .testTarget(name: "BerthDockerTests", dependencies: ["BerthDocker", "TestSupport"]),
        .testTarget(name: "BerthEngineTests", dependencies: ["BerthEngine", "BerthDocker", "BerthPlan", "BerthConfig", "TestSupport"]),
        .testTarget(name: "IntegrationTests", dependencies: ["BerthCLI", "BerthDocker", "BerthEngine", "TestSupport"]),
    ]
)
