import BerthConfig
import Foundation
import Testing
import TestSupport

@Suite("Project templates: templates/<name>/ with ${param} placeholders")
struct TemplateTests {
    static let platform = "domain: example.com\nnetwork: {pools: [10.40.0.0/16]}\n"
    static let compose = """
        services:
          web:
            image: ${image}
            environment:
              TEAM: "${name}"
              LITERAL: "$$$${HOME}"

        """
    static let project = """
        ingress:
          - service: web
            hosts: [${host}]
            port: 8080

        """

    func repository(_ extra: [String: String] = [:]) -> URL {
        Fixtures.repository(["platform.yml": Self.platform, "templates/web/compose.yml": Self.compose,
                             "templates/web/project.yml": Self.project].merging(extra) { _, b in b })
    }

    @Test func renderSubstitutesParametersAndTheProjectName() throws {
        let root = repository()
        defer { Fixtures.cleanup(root) }
        let repo = try Fixtures.load(root)
        let template = try #require(repo.template("web"))
        #expect(template.parameters == ["host", "image", "name"])
        let files = Dictionary(uniqueKeysWithValues: try template.render(project: "team-a", params: ["host": "a.example.com", "image": "nginx:1"]).map { ($0.path, $0.text) })
        #expect(files["compose.yml"]?.contains("image: nginx:1") == true)
        #expect(files["compose.yml"]?.contains("TEAM: \"team-a\"") == true)
        #expect(files["compose.yml"]?.contains("LITERAL: \"$${HOME}\"") == true)  // $$ is one literal $
        #expect(files["project.yml"]?.contains("hosts: [a.example.com]") == true)
    }

    @Test func missingAndUnknownParametersAreErrorsWithTheirPlace() throws {
        let root = repository()
        defer { Fixtures.cleanup(root) }
        let template = try #require(try Fixtures.load(root).template("web"))
        do {
            _ = try template.render(project: "team-a", params: ["hots": "a.example.com", "image": "x:1"])
            Issue.record("a missing parameter rendered")
        } catch {
            let text = error.description
            #expect(text.contains("templates/web/project.yml:3:13: template parameter 'host' is not given"), "\(text)")
            #expect(text.contains("templates/web:1:1: unknown parameter 'hots'") && text.contains("did you mean 'host'"), "\(text)")
        }
        #expect(throws: ConfigError.self) { try template.render(project: "x", params: ["host": "a\nb", "image": "x:1"]) }
        #expect(throws: ConfigError.self) { try template.render(project: "x", params: ["host": "h", "image": "x:1", "name": "y"]) }
    }

    @Test func malformedTemplatesFailTheRepositoryLoad() throws {
        let root = repository(["templates/bad/compose.yml": "services:\n  web:\n    image: ${image\n",
                               "templates/worse/compose.yml": "services: {web: {image: \"${1x}\"}}\n",
                               "templates/nocompose/project.yml": "ingress: []\n",
                               "templates/yaml/compose.yml": "services: [\n"])
        defer { Fixtures.cleanup(root) }
        do {
            _ = try Fixtures.load(root)
            Issue.record("malformed templates loaded")
        } catch {
            let text = "\(error)"
            #expect(text.contains("templates/bad/compose.yml:3:12: unterminated template parameter"), "\(text)")
            #expect(text.contains("templates/worse/compose.yml:1:26: '${1x}' is not a template parameter"), "\(text)")
            #expect(text.contains("templates/nocompose:1:1: template 'nocompose' has no compose.yml"), "\(text)")
            #expect(text.contains("templates/yaml/compose.yml:"), "\(text)")
        }
    }
}
