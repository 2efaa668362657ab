import ArgumentParser
import BerthRender
import Foundation

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write the proxy and Compose files for the repository.",
        discussion: """
            Writes, under OUT:
              traefik/traefik.yml              Traefik static configuration
              traefik/dynamic/<project>.yml    Traefik file-provider routes, services, middlewares
              compose/<project>/docker-compose.yml   itsUP-style export for plain docker-compose
              caddy/caddy.json                 the same routes as a Caddy JSON config
              dns/<zone>.zone, dns/Corefile, dns/knot.conf   with 'dns' in platform.yml: the zones
                                               (the serial changes only when a record does)
            Files of removed projects are deleted from traefik/dynamic and compose.

            Examples:
              berth render -c ./platform --out ./out
              berth render --out /etc/berth/rendered --json
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(name: .customLong("out"), help: "Output directory.")
    var out: String

    @Flag(help: "Print the list of written files as JSON.")
    var json = false

    func run() throws {
        let repository = try options.load()
        let state = try options.desiredState(repository)
        let outURL = URL(fileURLWithPath: out)
        let rendered = PlatformRenderer.render(state) { path in
            try? String(contentsOf: outURL.appendingPathComponent(path), encoding: .utf8)
        }
        for warning in rendered.warnings { Terminal.standardError("warning: \(warning)") }
        let removed: [String]
        do {
            removed = try OutputDirectory(root: URL(fileURLWithPath: out), durable: false).write(rendered.files)
        } catch {
            throw RuntimeFailure("\(error)")
        }
        if json {
            let doc = Document.object([
                ("written", .strings(rendered.files.map(\.path))), ("removed", .strings(removed)),
                ("warnings", .strings(rendered.warnings)),
            ])
            print(doc.json(), terminator: "")
            return
        }
        for file in rendered.files { print("  wrote \(out)/\(file.path)") }
        for path in removed { print("  removed \(out)/\(path)") }
    }
}
