import Foundation
import Testing
import TestSupport

extension ApplyE2ETests {
    // MARK: the demo images the end-to-end tests deploy

    /// The demo images behave as the tests assume (scripts/images/smoke-test.sh): pages and CGI paths,
    /// environment switches, and stop behaviour — a request in flight finishes during `docker stop`,
    /// an idle stop is quick, and an open connection without a request does not hold the stop.
    @Test func demoImagesPassTheirSmokeTest() async throws {
        try E2E.ensureImages()
        let script = Fixtures.packageRoot.appendingPathComponent("scripts/images/smoke-test.sh").path
        let result = await E2ECommand.run(["bash", script], timeout: 180)
        let failures = result.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL") }
        #expect(result.status == 0 && failures.isEmpty, "\(failures)\n\(result.stderr.suffix(2000))")
        #expect(result.stdout.contains(" passed, 0 failed"), "\(result.stdout.suffix(2000))")
    }
}
