import BerthConfig
import BerthPlan
import Foundation

/// The files of Compose `secrets` and `configs`, written under the state directory before a service's
/// new replicas start, and bind-mounted read-only into them.
extension ServiceDeployer {
    struct FilesUnavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// Writes the secrets and configs of `service` that Berth provides (from `environment`/`content`, or
    /// with an owner or mode) to `<files>/<project>/<service>/<hash12>/` (directories 0700, each file with
    /// the mode and owner asked for, 0444 and root by default as in Compose), and returns every mount
    /// `host path → container path`. Each generation has its own directory, so old replicas keep the
    /// content they started with; directories of other generations are removed.
    func writeFiles(_ service: ServiceSpec) async throws -> [(host: String, container: String)] {
        guard let files = service.spec.files, !files.isEmpty else { return [] }
        var mounts: [(host: String, container: String)] = []
        guard files.contains(where: \.isWritten) else { return files.map { ($0.hostFile ?? "", $0.target) } }
        let keep = try await runtime.managedContainers()
            .filter { $0.actual.project == service.project && $0.actual.service == service.name }.map(\.actual.configHash)
        guard let base = filesDirectory else {
            throw FilesUnavailable(description: "service '\(service.name)' mounts secrets or configs, but Berth has no state directory to write them to")
        }
        let serviceDirectory = base.appendingPathComponent(service.project).appendingPathComponent(service.name)
        let generation = String(service.configHash.prefix(12))
        let directory = serviceDirectory.appendingPathComponent(generation)
        let fm = FileManager.default
        for dir in [base, base.appendingPathComponent(service.project), serviceDirectory, directory] {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: dir.path)
        }
        for (index, file) in files.enumerated() {
            guard file.isWritten else {
                mounts.append((file.hostFile ?? "", file.target))
                continue
            }
            let url = directory.appendingPathComponent("\(file.kind.rawValue)-\(index)-\(file.source)")
            guard let content = file.content else {
                // A rollback's spec comes from the deployment history, which never keeps contents: the
                // generation's own file (still there while its replicas are) is the only copy.
                if fm.fileExists(atPath: url.path) {
                    mounts.append((url.path, file.target))
                    continue
                }
                throw FilesUnavailable(description: "the \(file.kind.rawValue) '\(file.source)' of service '\(service.name)' in that deployment is no longer on disk (Berth never stores contents in its history); put the value back in the repository and run berth apply")
            }
            let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp")
            // Created with no permissions, then owner and mode set, then renamed: never readable by others.
            guard fm.createFile(atPath: temporary.path, contents: content, attributes: [.posixPermissions: 0]) else {
                throw FilesUnavailable(description: "cannot write the \(file.kind.rawValue) '\(file.source)' of service '\(service.name)' under \(directory.path)")
            }
            var attributes: [FileAttributeKey: Any] = [:]
            if let uid = file.uid.flatMap(Int.init) { attributes[.ownerAccountID] = uid }
            if let gid = file.gid.flatMap(Int.init) { attributes[.groupOwnerAccountID] = gid }
            if !attributes.isEmpty { try fm.setAttributes(attributes, ofItemAtPath: temporary.path) }
            try fm.setAttributes([.posixPermissions: file.mode ?? 0o444], ofItemAtPath: temporary.path)
            if rename(temporary.path, url.path) != 0 {
                throw FilesUnavailable(description: "cannot move the \(file.kind.rawValue) '\(file.source)' of service '\(service.name)' into place (\(String(cString: strerror(errno))))")
            }
            mounts.append((url.path, file.target))
        }
        try pruneFiles(service, keep: Set(keep))
        return mounts
    }

    /// Removes the files of the service's generations that no container in `keep` (config hashes) uses.
    func pruneFiles(_ service: ServiceSpec, keep: Set<String> = []) throws {
        guard service.spec.files != nil, let base = filesDirectory else { return }
        let serviceDirectory = base.appendingPathComponent(service.project).appendingPathComponent(service.name)
        let kept = Set(keep.map { String($0.prefix(12)) }).union([String(service.configHash.prefix(12))])
        let fm = FileManager.default
        guard fm.fileExists(atPath: serviceDirectory.path) else { return }
        for old in try fm.contentsOfDirectory(atPath: serviceDirectory.path) where !kept.contains(old) {
            try fm.removeItem(at: serviceDirectory.appendingPathComponent(old))
        }
    }

    /// Removes a removed service's secret and config files (its containers are gone).
    func removeFiles(project: String, service: String) throws {
        guard let base = filesDirectory else { return }
        let directory = base.appendingPathComponent(project).appendingPathComponent(service)
        if FileManager.default.fileExists(atPath: directory.path) { try FileManager.default.removeItem(at: directory) }
    }

    /// A spec from the deployment history has no contents: those whose digest the repository's current
    /// ones still have are taken from there (a rollback to another image with the same secrets).
    static func restoringContents(_ files: [ComposeFileMount]?, from current: [ComposeFileMount]?) -> [ComposeFileMount]? {
        files?.map { file in
            var f = file
            if f.content == nil, let digest = f.digest,
               let same = current?.first(where: { $0.kind == f.kind && $0.source == f.source && $0.digest == digest }) {
                f.content = same.content
                f.origin = same.origin
            }
            return f
        }
    }

    /// Every environment value that uses a secret must be known before a container is created: a
    /// rollback's spec from the history has only digests, and only values the repository still has apply.
    static func checkSecretValues(_ service: ServiceSpec) throws {
        for (key, entry) in (service.spec.secretEnvironment ?? [:]).sorted(by: { $0.key < $1.key }) where entry.value == nil {
            throw FilesUnavailable(description: "the environment variable \(key) of service '\(service.name)' in that deployment used \(entry.secrets.joined(separator: ", ")), whose value has changed since (Berth never stores secret values in its history); put the old value back with berth secrets set \(service.project) \(entry.secrets.first ?? key), or roll forward with berth apply")
        }
    }

    /// Environment values from the history (digests only) get their values back from the repository's
    /// current spec where the digest is the same.
    static func restoringSecretEnvironment(_ environment: [String: SecretEnvironment]?, from current: [String: SecretEnvironment]?) -> [String: SecretEnvironment]? {
        environment.map { env in
            Dictionary(uniqueKeysWithValues: env.map { key, entry in
                var e = entry
                if e.value == nil, let digest = e.digest, let same = current?[key], same.digest == digest { e.value = same.value }
                return (key, e)
            })
        }
    }
}
