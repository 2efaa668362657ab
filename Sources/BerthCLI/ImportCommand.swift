import ArgumentParser
import BerthConfig
import Foundation

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Bring an existing Compose project or itsUP repository into a Berth repository.",
        subcommands: [ImportComposeCommand.self, ImportItsupCommand.self]
    )
}

struct ImportComposeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compose",
        abstract: "Turn a Compose project (with Traefik labels) into projects/NAME/.",
        discussion: """
            compose.yml is copied as it is, without its Traefik labels: they become ingress rows in project.yml.
            With a directory, its other files (.env, config files) are copied too. Labels that have no
            counterpart are commented out and listed.

            Examples:
              berth import compose ~/stacks/blog --project blog -c ./platform
              berth import compose ./docker-compose.yml --project wiki
            """
    )

    @Argument(help: "A Compose file, or the directory that holds it.") var source: String
    @Option(help: "The project's name (its directory under projects/).") var project: String
    @Option(name: [.short, .customLong("config")], help: "The Berth repository to write into.") var config: String = "."

    func run() throws {
        let report = try ImportReporter.run {
            try ComposeImport().run(source: URL(fileURLWithPath: source), project: project, repository: URL(fileURLWithPath: config))
        }
        ImportReporter.print(report, repository: config)
    }
}

struct ImportItsupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "itsup",
        abstract: "Turn an itsUP repository into a Berth repository.",
        discussion: """
            Each projects/NAME/docker-compose.yml becomes projects/NAME/compose.yml, and its itsup-project.yml
            (or ingress.yml) becomes project.yml; projects/itsup.yml gives platform.yml. What has no
            counterpart in Berth is listed.

            Examples:
              berth import itsup ~/srv -c ./platform --domain example.com
            """
    )

    @Argument(help: "The root of the itsUP repository.") var source: String
    @Option(name: [.short, .customLong("config")], help: "The new Berth repository (a directory without platform.yml).") var config: String = "."
    @Option(help: "The platform's domain (default: the domain every route shares).") var domain: String?

    func run() throws {
        let report = try ImportReporter.run {
            try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
            return try ItsupImport().run(source: URL(fileURLWithPath: source), repository: URL(fileURLWithPath: config), domain: domain)
        }
        ImportReporter.print(report, repository: config)
    }
}

enum ImportReporter {
    static func run(_ body: () throws -> ComposeImport.Report) throws -> ComposeImport.Report {
        do { return try body() } catch let failure as ComposeImport.Failure {
            FileHandle.standardError.write(Data("error: \(failure.description)\n".utf8))
            throw BerthExit(.invalidInput)
        }
    }

    static func print(_ report: ComposeImport.Report, repository: String) {
        for file in report.written { Swift.print("wrote \(file)") }
        Swift.print("\(report.routes) route\(report.routes == 1 ? "" : "s") from the original's routing")
        if !report.notCarried.isEmpty {
            Swift.print("Not carried over (\(report.notCarried.count)):")
            for item in report.notCarried { Swift.print("  - \(item)") }
        }
        Swift.print("Next: berth validate -c \(repository)")
    }
}
