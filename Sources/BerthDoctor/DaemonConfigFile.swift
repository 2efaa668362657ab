import Foundation

/// The settings of dockerd's configuration file (`/etc/docker/daemon.json`) that the doctor checks and that
/// `GET /info` does not report. Other keys are ignored.
public struct DaemonConfigFile: Sendable, Hashable, Decodable {
    public var icc: Bool?
    public var userlandProxy: Bool?
    public var liveRestore: Bool?
    public var noNewPrivileges: Bool?
    public var logDriver: String?
    public var logOpts: [String: String]?
    public var hosts: [String]?
    public var iptables: Bool?

    enum CodingKeys: String, CodingKey {
        case icc, userlandProxy = "userland-proxy", liveRestore = "live-restore", noNewPrivileges = "no-new-privileges"
        case logDriver = "log-driver", logOpts = "log-opts", hosts, iptables
    }

    public init() {}

    /// A file that is missing counts as empty (dockerd's defaults); an unreadable one is an error naming the file.
    public static func load(_ path: String) throws(DoctorError) -> DaemonConfigFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DoctorError("cannot read \(path)", fix: "run berth doctor as root, or pass --daemon-config with a readable copy")
        }
        return try parse(data, path: path)
    }

    public static func parse(_ data: Data, path: String) throws(DoctorError) -> DaemonConfigFile {
        do {
            return try JSONDecoder().decode(DaemonConfigFile.self, from: data)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw DoctorError("\(path): \"\(key)\" has the wrong type (\(context.debugDescription))", fix: "dockerd refuses this file too; correct the value")
        } catch {
            throw DoctorError("\(path) is not valid JSON (\(error.localizedDescription))", fix: "dockerd refuses this file too; correct its syntax")
        }
    }
}

/// A problem the doctor itself hit (a file it cannot read), with what to do.
public struct DoctorError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var fix: String

    public init(_ message: String, fix: String) {
        self.message = message
        self.fix = fix
    }

    public var description: String { "\(message); \(fix)" }
}
