import BerthConfig
import Testing
import TestSupport

@Test func homelabLoads() throws {
    do {
        let repo = try Fixtures.load(Fixtures.homelab)
        #expect(repo.projects.map(\.name) == ["api", "echo", "notes", "site"])
    } catch let error as ConfigError {
        Issue.record("\(error)")
    }
}
