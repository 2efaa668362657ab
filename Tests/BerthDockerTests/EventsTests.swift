import Foundation
import Testing

@testable import BerthDocker

extension DockerEngineTests {
    @Test func eventsStreamReportsAStartedContainer() async throws {
        try await DockerTest.withDocker { docker in
            let events = docker.events(
                since: Date().addingTimeInterval(-1),
                filters: ["type": ["container"], "label": DockerTest.runFilter, "event": ["start"]])
            let name = DockerTest.name("evented")
            let id = try await docker.containers.create(
                name: name,
                config: ContainerConfig(
                    image: TestImages.busybox, cmd: ["sleep", "60"], labels: DockerTest.labels,
                    hostConfig: HostConfig(initProcess: true)))
            try await docker.containers.start(id)

            let event = try await withThrowingTaskGroup(of: DockerEvent?.self) { group in
                group.addTask {
                    for try await event in events where event.actor.id == id { return event }
                    return nil
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(20))
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            let started = try #require(event, "no start event within 20 s")
            #expect(started.type == "container")
            #expect(started.action == "start")
            #expect(started.actor.attributes["name"] == name)
            #expect(started.actor.attributes["berth.test"] == DockerTest.runID)
        }
    }
}
