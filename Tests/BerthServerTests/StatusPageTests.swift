import BerthConfig
import BerthProxy
@testable import BerthServer
import Foundation
import Testing

@Suite("Status page HTML")
struct StatusPageTests {
    static let hostile = "<script>alert(1)</script>"

    func page(project: String = "blog", host: String = "blog.example.com", message: String = "waiting") -> StatusPage {
        var task = DeployTask(projects: [project], createdBy: "ci")
        task.state = .running
        task.step = 1
        task.total = 2
        task.percent = 50
        task.phase = "waiting_ready"
        task.message = message
        let cert = CertificateInfo(issuer: "Pebble <Intermediate>", sans: [host], notBefore: Date(), notAfter: Date().addingTimeInterval(20 * 86_400),
                                   serial: "01", source: "acme.json")
        return StatusPage(
            viewer: "viewer (read)",
            projects: [.init(name: project, services: [.init(name: "web", healthy: 1, running: 2, replicas: 2,
                                                              links: [.init(text: host, url: "http://\(host):8080/")])],
                             lastDeployment: .init(id: "d-1", result: .succeeded, finishedAt: Date()))],
            projectsError: nil, tasks: [task],
            certificates: CertificateReport.hosts([host], certificates: [cert]), certificatesError: nil, generatedAt: Date())
    }

    @Test func showsServicesHealthRoutesTasksAndCertificates() {
        let html = page().html
        #expect(html.contains("<td rowspan=\"1\" class=\"project\">blog</td>"))
        #expect(html.contains("<td class=\"replicas warn\">1/2</td>"))
        #expect(html.contains("<a href=\"http://blog.example.com:8080/\">blog.example.com</a>"))
        #expect(html.contains("succeeded</span> d-1"))
        #expect(html.contains("<progress max=\"100\" value=\"50\"></progress> 50% (1/2)"))
        #expect(html.contains("<td>19</td>") || html.contains("<td>20</td>"), "days left")
        #expect(html.contains("<meta http-equiv=\"refresh\" content=\"5\">"))
        #expect(!html.contains("<script"), "the page has no script")
    }

    @Test func namesHostsAndMessagesWithMarkupStayText() {
        let html = page(project: Self.hostile, host: "\(Self.hostile).example", message: "<img src=x onerror=alert(2)>").html
        #expect(!html.contains("<script"), "markup from outside was not escaped")
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("href=\"http://&lt;script&gt;alert(1)&lt;/script&gt;.example:8080/\""))
        #expect(StatusPage.escape("a\"b'c&") == "a&quot;b&#39;c&amp;")
        #expect(!StatusPage.loginPage(message: Self.hostile).contains("<script"))
    }

    @Test func linksUseTheProxysPortsAndLeaveWildcardsAsText() {
        let at = Location(file: "projects/blog/project.yml", line: 1, column: 1)
        var proxy = ProxyConfig()
        var http = IngressRoute(service: "web", hosts: ["a.example", "*.b.example"], port: 80, tls: false, location: at)
        http.path = "/api"
        #expect(StatusPage.links(http, proxy).map(\.url) == ["http://a.example/api", nil])
        proxy.httpsPort = 8443
        let tls = IngressRoute(service: "web", hosts: ["a.example"], port: 80, location: at)
        #expect(StatusPage.links(tls, proxy).map(\.url) == ["https://a.example:8443/"])
        #expect(StatusPage.links(IngressRoute(service: "db", hosts: [], port: 5432, proto: .tcp, location: at), proxy).first?.url == nil)
    }

    @Test func formFieldsAreDecoded() {
        #expect(StatusPageRoutes.formField("token", in: "a=1&token=berth_ab%2Bc+d") == "berth_ab+c d")
        #expect(StatusPageRoutes.formField("token", in: "tokens=x") == nil)
    }
}
