import Foundation

/// `berth import compose`: an existing Compose project (a file, or a directory with its files) becomes
/// `projects/NAME/`: compose.yml as it was, minus the Traefik labels, which become project.yml's ingress rows.
public struct ComposeImport {
    public struct Report: Sendable {
        public var project: String
        public var written: [String] = []
        /// What could not be carried over, each with what to do.
        public var notCarried: [String] = []
        public var routes: Int = 0
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static let composeNames = ["compose.yml", "compose.yaml", "docker-compose.yml", "docker-compose.yaml"]

    public var environment: [String: String] = ProcessInfo.processInfo.environment

    public init() {}

    /// Writes `projects/<project>/` under `repository` from `source` (a Compose file or its directory).
    public func run(source: URL, project: String, repository: URL) throws -> Report {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: source.path, isDirectory: &isDirectory) else {
            throw Failure(description: "\(source.path) does not exist; pass a Compose file or the directory that holds it")
        }
        let directory = isDirectory.boolValue ? source : source.deletingLastPathComponent()
        let file: URL
        if isDirectory.boolValue {
            guard let name = Self.composeNames.first(where: { fm.fileExists(atPath: source.appendingPathComponent($0).path) }) else {
                throw Failure(description: "\(source.path) has no \(Self.composeNames.joined(separator: ", ")); pass the Compose file itself")
            }
            file = source.appendingPathComponent(name)
        } else {
            file = source
        }
        guard Names.isServiceName(project) else {
            throw Failure(description: "project name '\(project)' is invalid: use lowercase letters, digits, '-' and '_', starting with a letter or digit")
        }
        let target = repository.appendingPathComponent("projects/\(project)")
        if fm.fileExists(atPath: target.path) {
            throw Failure(description: "\(target.path) already exists; remove it or choose another --project")
        }
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw Failure(description: "cannot read \(file.path): \(error.localizedDescription)")
        }
        var report = Report(project: project)
        let converted = try convert(text, fileName: file.lastPathComponent, directory: directory, report: &report)

        try fm.createDirectory(at: target, withIntermediateDirectories: true)
        if isDirectory.boolValue {
            for item in try fm.contentsOfDirectory(atPath: directory.path).sorted()
            where item != ".git" && !Self.composeNames.contains(item) && item != "project.yml" {
                if item.hasPrefix("docker-compose.") || item.hasPrefix("compose.") {
                    report.notCarried.append("\(item): Berth reads one compose.yml per project; merge it into compose.yml by hand (or use 'include')")
                    continue
                }
                try fm.copyItem(at: directory.appendingPathComponent(item), to: target.appendingPathComponent(item))
                report.written.append("projects/\(project)/\(item)")
            }
        }
        try converted.compose.write(to: target.appendingPathComponent("compose.yml"), atomically: true, encoding: .utf8)
        report.written.insert("projects/\(project)/compose.yml", at: 0)
        if !converted.routes.isEmpty {
            try IngressWriter.projectYAML(routes: converted.routes, header: "# Imported from the Traefik labels of \(file.lastPathComponent) by `berth import compose`.")
                .write(to: target.appendingPathComponent("project.yml"), atomically: true, encoding: .utf8)
            report.written.insert("projects/\(project)/project.yml", at: 1)
        }
        report.routes = converted.routes.count
        return report
    }

    /// The compose text without its Traefik label lines, and the routes those labels make. Labels that do not
    /// convert are commented out in place and reported.
    func convert(_ text: String, fileName: String, directory: URL, report: inout Report) throws -> (compose: String, routes: [IngressRoute]) {
        let sink = DiagnosticSink()
        guard let root = YAMLValue.parse(text, file: fileName, into: sink), case .mapping(let top, _) = root else {
            throw Failure(description: sink.sorted.map(\.description).first ?? "\(fileName) is not a Compose file (no mapping at the top)")
        }
        var variables = environment
        if let dotenv = try? String(contentsOf: directory.appendingPathComponent(".env"), encoding: .utf8) {
            for (k, v) in EnvFile.parse(dotenv, file: ".env", variables: environment, sink: DiagnosticSink()) where variables[k] == nil { variables[k] = v }
        }
        let interpolator = Interpolator(variables: variables)
        var lines = text.components(separatedBy: "\n")
        var remove = Set<Int>()
        var comment = Set<Int>()
        var routes: [IngressRoute] = []
        guard case .mapping(let services, _)? = top.first(where: { $0.key.text == "services" })?.value else { return (text, []) }
        for service in services {
            guard case .mapping(let keys, _) = service.value else { continue }
            let written = TraefikLabels.written(in: keys).filter { TraefikLabels.isTraefikLabel($0.key) }
            guard !written.isEmpty else { continue }
            if written.contains(where: { $0.location.line == $0.keyLine }) {
                report.notCarried.append("service '\(service.key.text)': its labels are written on one line (flow style); the Traefik labels there were not removed — move them to project.yml's ingress by hand")
                continue
            }
            let labels = written.map { (key: $0.key, value: $0.value, location: $0.location) }
            let resolved = labels.map { label in
                (key: label.key, value: (try? interpolator.interpolate(label.value)) ?? label.value, location: label.location)
            }
            let serviceSink = DiagnosticSink()
            var declared: [Int] = []
            if case .sequence(let items, _)? = keys.first(where: { $0.key.text == "expose" })?.value {
                declared = items.compactMap { $0.scalarText.flatMap { Int($0.split(separator: "/").first ?? "") } }
            }
            let result = TraefikLabels(service: service.key.text, labels: resolved, declaredPorts: declared, sink: serviceSink).read()
            routes += result.routes
            let failedLines = Set(serviceSink.sorted.map(\.location.line))
            for problem in serviceSink.sorted {
                report.notCarried.append("\(fileName):\(problem.location.line): \(problem.message)")
            }
            for label in labels {
                if failedLines.contains(label.location.line) { comment.insert(label.location.line - 1) } else { remove.insert(label.location.line - 1) }
            }
        }
        for index in comment where index < lines.count {
            let indent = lines[index].prefix { $0 == " " }
            lines[index] = "\(indent)# berth import: not carried over: \(lines[index].trimmingCharacters(in: .whitespaces))"
        }
        // A `labels:` key left with nothing under it goes too.
        var kept: [String] = []
        for (index, line) in lines.enumerated() where !remove.contains(index) { kept.append(line) }
        var out: [String] = []
        for (index, line) in kept.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "labels:" {
                let indent = line.prefix { $0 == " " }.count
                let next = kept[(index + 1)...].first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
                if next.map({ $0.prefix { $0 == " " }.count <= indent }) ?? true { continue }
            }
            out.append(line)
        }
        return (out.joined(separator: "\n"), routes)
    }
}
