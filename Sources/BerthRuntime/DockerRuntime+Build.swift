import BerthConfig
import BerthDocker
import BerthPlan
import Foundation

/// Compose `build` over the Engine API: the context (after .dockerignore) as a tar to `POST /build`,
/// tagged `<project>-<service>:<digest>` (and the file's `image` and `build.tags`).
extension DockerRuntime {
    public func buildImage(_ service: ServiceSpec, projectDirectory: String, progress: @escaping @Sendable (String) -> Void) async throws -> Bool {
        guard let build = service.spec.build else { return false }
        let tag = service.spec.image
        if try await client.images.inspect(tag) != nil { return false }
        let context = try BuildContext.scan(build, projectDirectory: URL(fileURLWithPath: projectDirectory), service: service.name)
        // The plan promised the image of this digest; files changed since then would build another.
        let digest = try context.digest(build)
        if let planned = build.contextDigest, digest != planned {
            throw BuildContext.Failure(message: "the build context of service '\(service.name)' changed after the plan (\(context.root.path)); nothing was changed: run berth apply again")
        }
        var options = BuildOptions(tags: [tag] + [build.image].compactMap { $0 } + build.tags)
        options.dockerfile = context.dockerfile
        options.buildArgs = build.args
        options.target = build.target
        options.labels = build.labels
        options.networkMode = build.network
        options.shmSize = build.shmSize
        options.extraHosts = build.extraHosts
        options.cacheFrom = build.cacheFrom
        options.noCache = build.noCache
        options.pull = build.pull
        try await client.images.build(context: try Self.tar(context), options: options) { progress($0.line) }
        return true
    }

    /// The context as the engine takes it. An inline Dockerfile goes in as a file that the sent
    /// `.dockerignore` names, so the engine keeps it out of the image's `COPY .`.
    static func tar(_ context: BuildContext) throws -> Data {
        var tar = TarWriter()
        var ignore: Data?
        for entry in context.entries {
            switch entry.kind {
            case .directory: tar.add(path: entry.path, kind: .directory, mode: entry.mode)
            case .symlink: tar.add(path: entry.path, kind: .symlink(entry.linkTarget ?? ""), mode: entry.mode)
            case .file:
                let data = try context.contents(of: entry)
                if entry.path == ".dockerignore" && context.inlineDockerfile != nil {
                    ignore = data
                    continue
                }
                tar.add(path: entry.path, kind: .file, mode: entry.mode, contents: data)
            }
        }
        if let inline = context.inlineDockerfile {
            tar.add(path: BuildContext.inlineName, kind: .file, mode: 0o644, contents: Data(inline.utf8))
            let names = (ignore ?? Data()) + Data("\n\(BuildContext.inlineName)\n".utf8)
            tar.add(path: ".dockerignore", kind: .file, mode: 0o644, contents: names)
        }
        return tar.finished()
    }

    public func imageTaggedAt(_ reference: String) async throws -> Date? {
        guard let image = try await client.images.inspect(reference) else { return nil }
        guard let text = image.lastTagTime else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        // Nanosecond fractions: keep the seconds.
        formatter.formatOptions = [.withInternetDateTime]
        let trimmed = text.replacingOccurrences(of: #"\.\d+"#, with: "", options: .regularExpression)
        return formatter.date(from: trimmed)
    }
}
