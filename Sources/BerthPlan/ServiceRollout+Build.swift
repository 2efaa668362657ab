/// What a plan says about services built from source (Compose `build`).
extension ServiceSpec {
    /// `builds ./app (Dockerfile) as web-app:0123456789ab` for a service with `build`, else nil.
    public var buildSummary: String? {
        guard let build = spec.build, let digest = build.contextDigest else { return nil }
        let dockerfile = build.dockerfileInline == nil ? build.dockerfilePath : "dockerfile_inline"
        return "builds \(build.context) (\(dockerfile)) as \(project)-\(name):\(digest.prefix(12))"
    }
}

extension ServiceRollout {
    /// The build context's digest differs from the one the running replicas were built from (their
    /// image is `<project>-<service>:<digest>`): a source change.
    public var contextDigestChanged: (from: String, to: String)? {
        guard let digest = service.spec.build?.contextDigest else { return nil }
        let repository = "\(service.project)-\(service.name):"
        let old = old.compactMap { c in c.image.hasPrefix(repository) ? String(c.image.dropFirst(repository.count)) : nil }
        guard let previous = old.first(where: { $0 != digest }) else {
            // Replicas of a prebuilt image before: the service now builds from source.
            return self.old.contains { !$0.image.hasPrefix(repository) } ? ("(prebuilt image)", digest) : nil
        }
        return (previous, digest)
    }
}
