import BerthConfig
import Foundation

extension ConfigRepository {
    /// What a fast-forward brought.
    public struct Pull: Sendable {
        public var from: String
        public var to: String
        /// Projects whose files changed and that still exist; nil when files outside `projects/` changed
        /// (platform.yml, templates…): then every project is deployed.
        public var changed: [String]?
        /// Projects whose directory the pull removed.
        public var removed: [String]
        public var upToDate: Bool { from == to }
    }

    /// Fast-forwards the repository to its upstream (`git fetch` + `git merge --ff-only`). A working tree
    /// with uncommitted changes, an upstream that is not ahead of HEAD (diverged), or a pulled repository
    /// that does not load is an error, and the repository stays as it was.
    public func pull() async throws(ChangeError) -> Pull {
        guard await git.isRepository() else {
            throw .failed("the configuration directory \(root.path) is not a git repository; the webhook needs one with an upstream")
        }
        do {
            let dirty = try await git.run(["status", "--porcelain", "--untracked-files=no"])
            guard dirty.isEmpty else {
                throw ChangeError.failed("the repository has uncommitted changes; commit or discard them first:\n\(dirty)")
            }
            let from = try await git.head()
            let upstream: String
            do {
                upstream = try await git.run(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"]).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw ChangeError.failed("the current branch has no upstream; set one with git branch --set-upstream-to=origin/main")
            }
            let remote = String(upstream.prefix { $0 != "/" })
            try await git.run(["fetch", "-q", remote])
            let to = try await git.run(["rev-parse", "@{upstream}"]).trimmingCharacters(in: .whitespacesAndNewlines)
            if to == from { return Pull(from: from, to: to, changed: [], removed: []) }
            do { try await git.run(["merge-base", "--is-ancestor", "HEAD", "@{upstream}"]) } catch {
                throw ChangeError.failed("\(upstream) (\(to.prefix(12))) is not a fast-forward of HEAD (\(from.prefix(12))): the histories diverged; nothing was changed. Reconcile them by hand (git pull --rebase or reset)")
            }
            try await git.run(["merge", "-q", "--ff-only", "@{upstream}"])
            do { _ = try RepositoryLoader().load(root.path) } catch {
                try await git.run(["reset", "-q", "--hard", from])
                throw ChangeError.invalid(error)
            }
            let paths = try await git.run(["diff", "--name-only", from, to]).split(separator: "\n").map(String.init)
            let removed = removedProjects(paths)
            return Pull(from: from, to: to, changed: Self.changedProjects(paths)?.filter { !removed.contains($0) }, removed: removed)
        } catch let error as ChangeError {
            throw error
        } catch {
            throw .failed("\(error)")
        }
    }

    /// The projects under `projects/` that `paths` touch; nil when a path is outside `projects/<p>/`.
    static func changedProjects(_ paths: [String]) -> [String]? {
        var projects = Set<String>()
        for path in paths {
            let parts = path.split(separator: "/")
            guard parts.count >= 3, parts[0] == "projects" else { return nil }
            projects.insert(String(parts[1]))
        }
        return projects.sorted()
    }

    func removedProjects(_ paths: [String]) -> [String] {
        Set(paths.compactMap { path -> String? in
            let parts = path.split(separator: "/")
            return parts.count >= 3 && parts[0] == "projects" ? String(parts[1]) : nil
        }).filter { !FileManager.default.fileExists(atPath: root.appendingPathComponent("projects/\($0)").path) }.sorted()
    }
}
