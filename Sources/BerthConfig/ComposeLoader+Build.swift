import Foundation

/// Compose `build` (the short form `build: ./dir` and the mapping) and `pull_policy`. The context and
/// Dockerfile must exist; what the Engine API's builder cannot do is refused with the reason.
extension ComposeLoader {
    static let buildKeys = [
        "context", "dockerfile", "dockerfile_inline", "args", "target", "labels", "network", "shm_size", "extra_hosts",
        "cache_from", "no_cache", "pull", "tags",
    ]
    static let buildUnsupported: [String: String] = [
        "ssh": "Berth builds through the Engine API's builder, which has no SSH agent forwarding; copy what the build needs into the context",
        "secrets": "Berth builds through the Engine API's builder, which has no build secrets; pass them at run time (environment, env_file)",
        "platforms": "Berth builds for the engine's own platform only; build multi-platform images with docker buildx and set 'image'",
        "additional_contexts": "Berth sends one context; move what the build needs into it",
        "cache_to": "the Engine API's builder exports no cache; remove cache_to",
        "entitlements": "the Engine API's builder grants no entitlements",
        "privileged": "the Engine API's builder has no privileged builds",
        "provenance": "the Engine API's builder writes no attestations; remove provenance",
        "sbom": "the Engine API's builder writes no attestations; remove sbom",
        "isolation": "isolation applies to Windows builds only",
        "ulimits": "the Engine API's builder sets no ulimits for RUN steps; remove ulimits",
    ]

    func build(_ value: YAMLValue, service: String) -> ComposeBuild? {
        var build = ComposeBuild()
        let what = "'build' in service '\(service)'"
        var contextLocation = value.location
        var dockerfileLocation = value.location
        if case .scalar(let s) = value {
            build.context = s.text
        } else {
            guard let f = Fields(value, what: what, known: Self.buildKeys, unsupported: Self.buildUnsupported, extensions: true, sink: sink)
            else { return nil }
            if let context = f.string("context") {
                build.context = context
                contextLocation = f["context"]?.location ?? f.location
            }
            build.dockerfile = f.string("dockerfile")
            dockerfileLocation = f["dockerfile"]?.location ?? f.location
            build.dockerfileInline = f.string("dockerfile_inline")
            if build.dockerfile != nil && build.dockerfileInline != nil {
                f.error("dockerfile_inline", "\(what) sets both 'dockerfile' and 'dockerfile_inline'; keep one")
            }
            for (key, value) in f.stringMap("args") ?? [:] {
                // Compose takes an argument without a value from the environment; unset, it is not passed.
                if let value = value ?? variables[key] { build.args[key] = value }
            }
            build.target = f.string("target")
            build.labels = (f.stringMap("labels") ?? [:]).mapValues { $0 ?? "" }
            if let network = f.string("network") {
                if !["default", "none", "host"].contains(network) {
                    f.error("network", "\(f.describe("network")) must be default, none or host, found '\(network)': the build runs before the project's networks exist")
                }
                build.network = network
            }
            build.shmSize = f["shm_size"].flatMap { byteSize($0, f.describe("shm_size")) }
            build.extraHosts = extraHosts(f)
            build.cacheFrom = f.strings("cache_from") ?? []
            build.noCache = f.bool("no_cache") ?? false
            build.pull = f.bool("pull") ?? false
            build.tags = f.strings("tags") ?? []
        }
        checkContext(&build, service: service, contextLocation: contextLocation, dockerfileLocation: dockerfileLocation)
        return build
    }

    /// The context must be a directory (not a URL) and hold the Dockerfile.
    private func checkContext(_ build: inout ComposeBuild, service: String, contextLocation: Location, dockerfileLocation: Location) {
        let context = build.context
        if context.contains("://") || context.hasPrefix("git@") || context.hasSuffix(".git") {
            sink.error(contextLocation, "the build context '\(context)' of service '\(service)' is a URL: Berth builds from a directory in the repository; clone it into the project directory and point 'context' there")
            return
        }
        let url = (context.hasPrefix("/") ? URL(fileURLWithPath: context) : directory.appendingPathComponent(context)).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            sink.error(contextLocation, "the build context '\(context)' of service '\(service)' is not a directory (\(url.path)); create it or fix 'context' (relative to \(directory.path))")
            return
        }
        guard build.dockerfileInline == nil else { return }
        let dockerfile = url.appendingPathComponent(build.dockerfilePath).standardizedFileURL
        if !FileManager.default.fileExists(atPath: dockerfile.path, isDirectory: &isDirectory) || isDirectory.boolValue {
            sink.error(dockerfileLocation, "service '\(service)' builds from '\(build.dockerfilePath)', which is not a file in the context '\(context)' (\(dockerfile.path)); create it or fix 'dockerfile' (relative to the context)")
        } else if !dockerfile.path.hasPrefix(url.path + "/") {
            sink.error(dockerfileLocation, "the Dockerfile '\(build.dockerfilePath)' of service '\(service)' is outside its context '\(context)'; the engine only sees the context: move it in")
        }
    }

    func pullPolicy(_ f: Fields, service: String, hasBuild: Bool) -> ComposePullPolicy? {
        guard let text = f.string("pull_policy") else { return nil }
        guard let policy = ComposePullPolicy(parsing: text) else {
            let names = ["always", "missing", "if_not_present", "never", "build", "daily", "weekly"]
            f.error("pull_policy", "'pull_policy' in service '\(service)' must be always, missing, if_not_present, never, build, daily, weekly or every_<duration> (e.g. every_12h), found '\(text)'\(Suggestion.hint(for: text, in: names))")
            return nil
        }
        if policy == .build && !hasBuild {
            f.error("pull_policy", "service '\(service)' has 'pull_policy: build' but no 'build' section; add 'build' (the context to build from) or choose another pull policy")
        }
        if hasBuild, policy == .always || { if case .refresh = policy { true } else { false } }() {
            f.error("pull_policy", "service '\(service)' has 'build' and 'pull_policy: \(text)': Berth builds its image from the context (tagged with the context's digest) and does not pull it; use 'pull_policy: build', 'missing' or 'never', or remove 'build' to pull the image")
        }
        return policy
    }
}
