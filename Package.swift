// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "berth",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "berth", targets: ["berth"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
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
        // The commands (one per file); the executable only calls into this.
        .target(
            name: "BerthCLI",
            dependencies: [
                "BerthConfig", "BerthPlan", "BerthRender",
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
        .testTarget(name: "IntegrationTests", dependencies: ["BerthCLI", "TestSupport"]),
    ]
)
