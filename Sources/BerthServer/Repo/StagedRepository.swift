import BerthConfig
import Foundation

/// A copy of the configuration repository as it would be after a change, made of symbolic links to the
/// real files plus the changed project, so that the real loader can validate the change before anything
/// is written. Removed when done.
struct StagedRepository {
    let root: URL

    /// The repository at `source` with `projects/<project>` replaced by `files` (nil: removed).
    static func validate(source: URL, project: String, files: [(path: String, text: String)]?) throws(ConfigError) -> Repository {
        let fm = FileManager.default
        let stage = fm.temporaryDirectory.appendingPathComponent("berth-stage-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: stage) }  // a temporary directory: leaving it behind is harmless
        do {
            try fm.createDirectory(at: stage.appendingPathComponent("projects"), withIntermediateDirectories: true)
            for entry in try fm.contentsOfDirectory(atPath: source.path) where entry != "projects" && entry != ".git" {
                try fm.createSymbolicLink(at: stage.appendingPathComponent(entry), withDestinationURL: source.appendingPathComponent(entry))
            }
            let projects = source.appendingPathComponent("projects")
            for entry in (try? fm.contentsOfDirectory(atPath: projects.path)) ?? [] where entry != project {
                try fm.createSymbolicLink(at: stage.appendingPathComponent("projects/\(entry)"), withDestinationURL: projects.appendingPathComponent(entry))
            }
            if let files {
                try write(files, to: stage.appendingPathComponent("projects/\(project)"))
            }
        } catch {
            throw ConfigError([Diagnostic(Location(file: "projects/\(project)"), "cannot stage the change for validation: \(error)")])
        }
        return try RepositoryLoader().load(stage.path)
    }

    static func write(_ files: [(path: String, text: String)], to directory: URL) throws {
        let fm = FileManager.default
        for file in files {
            let url = directory.appendingPathComponent(file.path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.text.utf8).write(to: url, options: .atomic)
        }
    }
}
