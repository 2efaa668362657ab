import BerthDocker

/// What the doctor knows of the daemon's settings, from where it could read them.
public struct DaemonFacts: Sendable, Hashable {
    /// `GET /info`; nil when the daemon did not answer.
    public var info: SystemInfo?
    /// The default bridge's driver options; nil when there is no default bridge (`--bridge=none`) or it was not read.
    public var defaultBridgeOptions: [String: String]?
    /// Why the default bridge could not be inspected (other than its absence).
    public var bridgeProblem: String?
    /// The configuration file's path and content (nil content: the file does not exist, so dockerd's defaults apply).
    public var configPath: String?
    public var config: DaemonConfigFile?
    /// Why the configuration file could not be used (unreadable, invalid, or the daemon is not local).
    public var configProblem: String?
    /// dockerd's command line when it runs on this host.
    public var commandLine: DaemonCommandLine?

    public init(
        info: SystemInfo? = nil, defaultBridgeOptions: [String: String]? = nil, configPath: String? = nil,
        config: DaemonConfigFile? = nil, configProblem: String? = nil, commandLine: DaemonCommandLine? = nil
    ) {
        self.info = info
        self.defaultBridgeOptions = defaultBridgeOptions
        self.configPath = configPath
        self.config = config
        self.configProblem = configProblem
        self.commandLine = commandLine
    }

    /// A setting dockerd does not report over its API: from the command line, else the configuration file,
    /// else dockerd's default — with where it came from; nil when neither could be read.
    func setting<T>(_ flag: String, _ key: String, line: (DaemonCommandLine) -> T?, file: (DaemonConfigFile) -> T?, default: T)
        -> (value: T, source: String)?
    {
        if let commandLine, let v = line(commandLine) { return (v, "dockerd \(flag)") }
        if let configPath, let config, let v = file(config) { return (v, "\(configPath) \"\(key)\"") }
        if configProblem == nil, let configPath { return (`default`, "dockerd's default: not set in \(configPath)\(commandLine == nil ? "" : " nor on dockerd's command line")") }
        return nil
    }

    /// Where to put a setting: the configuration file the daemon uses.
    var configFileName: String { configPath ?? "/etc/docker/daemon.json" }
}
