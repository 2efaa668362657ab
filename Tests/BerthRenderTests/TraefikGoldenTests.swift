import BerthRender
import Foundation
import Testing

/// examples/homelab rendered for Traefik: matches the golden files and validates against the schemas.
@Suite struct TraefikGoldenTests {
    @Test func homelabMatchesGoldenFiles() throws {
        let state = try RenderFixture.homelab()
        let files = [TraefikRenderer.staticConfig(state)] + TraefikRenderer.dynamicConfigs(state)
        for file in files {
            let mismatch = try Golden.mismatch(file, set: "homelab")
            #expect(mismatch == nil, "\(mismatch ?? "")")
        }
        if !Golden.updating {
            // A golden file nothing renders any more is a file Berth would leave behind.
            #expect(Golden.files(set: "homelab", under: "traefik") == files.map(\.path).sorted())
        }
    }

    @Test func homelabRendersOneFilePerProjectWithRoutes() throws {
        let state = try RenderFixture.homelab()
        let paths = TraefikRenderer.dynamicConfigs(state).map(\.path)
        #expect(paths.first == "traefik/dynamic/_middlewares.yml")
        let projects = state.projects.filter { !$0.routes.isEmpty }.map { "traefik/dynamic/\($0.name).yml" }
        #expect(Array(paths.dropFirst()) == projects)
        #expect(projects.count == 4)
        #expect(TraefikRenderer.staticConfig(state).path == "traefik/traefik.yml")
    }

    @Test func homelabStaticConfigValidatesAgainstSchema() throws {
        let state = try RenderFixture.homelab()
        let errors = try SchemaCheck.errors(TraefikRenderer.staticConfig(state).contents, schema: SchemaCheck.traefikStatic)
        #expect(errors.isEmpty, "\(errors.joined(separator: "\n"))")
    }

    @Test func homelabDynamicConfigsValidateAgainstSchema() throws {
        let state = try RenderFixture.homelab()
        for file in TraefikRenderer.dynamicConfigs(state) {
            let errors = try SchemaCheck.errors(file.contents, schema: SchemaCheck.traefikDynamic)
            #expect(errors.isEmpty, "\(file.path):\n\(errors.joined(separator: "\n"))")
        }
    }

    /// The check above is only worth something if the checker rejects what Traefik's schema rejects.
    @Test(arguments: [
        (SchemaCheck.traefikDynamic, "http:\n  routers:\n    a:\n      rule: Host(`a`)\n      service: a\n      bogus: 1\n"),
        (SchemaCheck.traefikDynamic, "http:\n  services:\n    a:\n      loadBalancer:\n        servers: []\n"),
        (SchemaCheck.traefikStatic, "entryPoints:\n  web:\n    address: ':80'\n    port: 80\n"),
    ])
    func schemaCheckRejectsInvalidDocuments(schema: String, contents: String) throws {
        let errors = try SchemaCheck.errors(contents, schema: schema)
        #expect(!errors.isEmpty)
    }
}
