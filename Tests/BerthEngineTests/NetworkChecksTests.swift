import BerthConfig
@testable import BerthEngine
import BerthRuntime
import Foundation
import Testing
import TestSupport

/// What only the engine can check about user networks, before anything changes.
@Suite struct NetworkChecksTests {
    func prepare(_ compose: String, foreign: [ForeignNetwork] = []) async throws -> (error: String?, log: [String]) {
        let root = Fixtures.repository(["platform.yml": "domain: example.test\n", "projects/app/compose.yml": compose])
        let state = Fixtures.tempDirectory("berth-netcheck")
        defer {
            Fixtures.cleanup(root)
            Fixtures.cleanup(state)
        }
        let runtime = MemoryRuntime(foreignNetworks: foreign)
        let engine = ApplyEngine(runtime: runtime, stateDirectory: state)
        do {
            _ = try await engine.prepare(try Fixtures.load(root), options: ApplyOptions())
            return (nil, runtime.state.withLock { $0.log })
        } catch let error as PrepareError {
            return (error.message, runtime.state.withLock { $0.log })
        }
    }

    @Test func aFixedSubnetOverlappingAnExistingNetworkIsRefused() async throws {
        let compose = "services:\n  web: {image: nginx, networks: [seg]}\nnetworks:\n  seg: {ipam: {config: [{subnet: 172.30.0.0/24}]}}\n"
        let clash = try await prepare(compose, foreign: [ForeignNetwork(name: "corp", subnets: ["172.30.0.0/16"], managed: false)])
        #expect(clash.error?.contains("subnet 172.30.0.0/24 of network app_seg (project 'app') overlaps subnet 172.30.0.0/16 of the existing network 'corp', which Berth does not manage") == true, "\(clash)")
        #expect(clash.log.isEmpty, "nothing is changed")
        let free = try await prepare(compose, foreign: [ForeignNetwork(name: "corp", subnets: ["172.31.0.0/16"], managed: false)])
        #expect(free.error == nil, "\(free)")
    }

    @Test func externalNetworksAndContainersMustExist() async throws {
        let compose = "services:\n  web: {image: nginx, networks: [lan]}\n  side: {image: nginx, network_mode: \"container:gluetun\"}\nnetworks:\n  lan: {external: true, name: corp-lan}\n"
        let missing = try await prepare(compose)
        #expect(missing.error?.contains("joins the external network 'corp-lan', which does not exist") == true, "\(missing)")
        #expect(missing.error?.contains("shares the network of container 'gluetun'") == true, "\(missing)")
        let present = try await prepare(compose.replacingOccurrences(of: ", network_mode: \"container:gluetun\"", with: ""),
                                        foreign: [ForeignNetwork(name: "corp-lan", subnets: ["10.9.0.0/24"], managed: false)])
        #expect(present.error == nil, "\(present)")
    }
}
