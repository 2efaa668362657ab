import BerthConfig
import Foundation

/// Compose `build` written back: the context as an absolute path (the export lives outside the
/// project directory), every setting the file had.
enum ComposeExportBuild {
    static func document(_ b: ComposeBuild, projectDirectory: String) -> Document {
        let context = b.context.hasPrefix("/") ? b.context
            : URL(fileURLWithPath: projectDirectory).appendingPathComponent(b.context).standardizedFileURL.path
        return .object([
            "context": .string(context),
            "dockerfile": b.dockerfile.map(Document.string),
            "dockerfile_inline": b.dockerfileInline.map(Document.string),
            "args": b.args.isEmpty ? nil : .sorted(b.args),
            "target": b.target.map(Document.string),
            "labels": b.labels.isEmpty ? nil : .sorted(b.labels),
            "network": b.network.map(Document.string),
            "shm_size": b.shmSize.map { .int($0) },
            "extra_hosts": b.extraHosts.isEmpty ? nil : .strings(b.extraHosts),
            "cache_from": b.cacheFrom.isEmpty ? nil : .strings(b.cacheFrom),
            "no_cache": b.noCache ? .bool(true) : nil,
            "pull": b.pull ? .bool(true) : nil,
            "tags": b.tags.isEmpty ? nil : .strings(b.tags),
        ])
    }
}
