import BerthConfig
import Foundation

/// The daemon's writes to the configuration repository, one at a time: tenant projects created from a
/// template or removed, and fast-forwards from the git upstream. Every change is validated with the real
/// loader before it is written; in a git repository it is committed (or, for a pull, only fast-forwarded).
public actor ConfigRepository {
    public let root: URL
    var git: Git { Git(directory: root.path) }

    public init(directory: String) {
        root = URL(fileURLWithPath: directory).standardizedFileURL
    }

    public struct Change: Sendable {
        /// The new commit, when the repository is a git repository.
        public var commit: String?
    }

    public enum ChangeError: Error, Sendable {
        case invalid(ConfigError)
        case unknownTemplate(String)
        case exists(String)
        case notFound(String)
        case invalidName(String)
        case failed(String)
    }

    /// Writes `projects/<name>/` rendered from `templates/<template>/` with `params`, after the repository
    /// with it has loaded without a problem; commits it with `author` as the author.
    public func create(template: String, name: String, params: [String: String], author: String) async throws(ChangeError) -> Change {
        guard Names.isProjectName(name) else {
            throw .invalidName("project name '\(name)' is invalid: use lowercase letters, digits and '-' (at most 40), starting with a letter or digit")
        }
        let current: Repository
        do { current = try RepositoryLoader().load(root.path) } catch { throw .invalid(error) }
        guard let found = current.template(template) else {
            let known = current.templates.map(\.name)
            throw .unknownTemplate("no template named '\(template)' in templates/\(Suggestion.hint(for: template, in: known))"
                + (known.isEmpty ? " (the repository has none)" : "; known: \(known.joined(separator: ", "))"))
        }
        let directory = root.appendingPathComponent("projects/\(name)")
        guard !FileManager.default.fileExists(atPath: directory.path) else {
            throw .exists("projects/\(name) already exists; DELETE /v1/projects/\(name) first, or choose another name")
        }
        let files: [(path: String, text: String)]
        do { files = try found.render(project: name, params: params) } catch { throw .invalid(error) }
        do { _ = try StagedRepository.validate(source: root, project: name, files: files) } catch { throw .invalid(error) }
        // Written beside its place and renamed into it: a reader sees the whole project or none of it.
        let partial = root.appendingPathComponent("projects/.\(name).berth-new")
        do {
            try? FileManager.default.removeItem(at: partial)  // a leftover of a crash; absent is the usual case
            try StagedRepository.write(files, to: partial)
            try FileManager.default.moveItem(at: partial, to: directory)
        } catch {
            try? FileManager.default.removeItem(at: partial)  // best effort; the error below is what matters
            throw .failed("cannot write projects/\(name): \(error)")
        }
        return try await commitOrUndo("projects/\(name)", message: "berth: create project \(name) from template \(template)", author: author) {
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Removes `projects/<name>/`, after the repository without it has loaded without a problem (another
    /// project's egress edge to it, say, refuses the removal); commits the removal.
    public func remove(_ name: String, author: String) async throws(ChangeError) -> Change {
        let directory = root.appendingPathComponent("projects/\(name)")
        var isDir: ObjCBool = false
        guard Names.isProjectName(name), FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDir), isDir.boolValue else {
            throw .notFound("no project \(name) in projects/ of the configuration repository")
        }
        do { _ = try StagedRepository.validate(source: root, project: name, files: nil) } catch { throw .invalid(error) }
        let trash = root.appendingPathComponent("projects/.\(name).berth-removed")
        do {
            try? FileManager.default.removeItem(at: trash)  // a leftover of a crash
            try FileManager.default.moveItem(at: directory, to: trash)
        } catch {
            throw .failed("cannot remove projects/\(name): \(error)")
        }
        let change = try await commitOrUndo("projects/\(name)", message: "berth: remove project \(name)", author: author) {
            try? FileManager.default.moveItem(at: trash, to: directory)
        }
        do { try FileManager.default.removeItem(at: trash) } catch {
            throw .failed("projects/\(name) was removed but its files could not be deleted from \(trash.path): \(error)")
        }
        return change
    }

    private func commitOrUndo(_ path: String, message: String, author: String, undo: () -> Void) async throws(ChangeError) -> Change {
        guard await git.isRepository() else { return Change(commit: nil) }
        do {
            return Change(commit: try await git.commit([path], message: message, author: author))
        } catch {
            undo()
            _ = try? await git.run(["reset", "-q", "--", path])  // unstage what was added; the error below is reported
            throw .failed("the change was not committed, so it was undone: \(error)")
        }
    }
}
