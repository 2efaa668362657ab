/// The settings on dockerd's command line (`/proc/<pid>/cmdline`) that the doctor checks. dockerd refuses to
/// start when a setting is both here and in its configuration file, so the two never disagree.
public struct DaemonCommandLine: Sendable, Hashable {
    public var arguments: [String]
    public var configFile: String?
    public var hosts: [String] = []
    public var icc: Bool?
    public var userlandProxy: Bool?
    public var liveRestore: Bool?
    public var noNewPrivileges: Bool?
    public var logDriver: String?
    public var logOpts: [String: String] = [:]

    /// Parses `dockerd --flag=value --flag value -H unix:///…` (Go flag syntax: booleans take `=false`, never a separate value).
    public init(_ arguments: [String]) {
        self.arguments = arguments
        var i = arguments.startIndex == arguments.endIndex ? 0 : 1
        func value(_ flag: String, _ argument: String) -> String? {
            if argument.hasPrefix(flag + "=") { return String(argument.dropFirst(flag.count + 1)) }
            if argument == flag, i + 1 < arguments.count {
                i += 1
                return arguments[i]
            }
            return nil
        }
        func bool(_ flag: String, _ argument: String) -> Bool? {
            if argument == flag { return true }
            guard argument.hasPrefix(flag + "=") else { return nil }
            return Bool(String(argument.dropFirst(flag.count + 1)).lowercased())
        }
        while i < arguments.count {
            let a = arguments[i]
            if let v = value("--config-file", a) {
                configFile = v
            } else if let v = value("-H", a) ?? value("--host", a) {
                hosts.append(v)
            } else if let v = value("--log-driver", a) {
                logDriver = v
            } else if let v = value("--log-opt", a) {
                let parts = v.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { logOpts[parts[0]] = parts[1] }
            } else if let b = bool("--icc", a) {
                icc = b
            } else if let b = bool("--userland-proxy", a) {
                userlandProxy = b
            } else if let b = bool("--live-restore", a) {
                liveRestore = b
            } else if let b = bool("--no-new-privileges", a) {
                noNewPrivileges = b
            }
            i += 1
        }
    }
}
