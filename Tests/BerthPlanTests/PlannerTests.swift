import BerthConfig
import BerthPlan
import Testing
import TestSupport

/// The planner against synthetic actual states (the engine reads the real one in `berth apply`).
@Suite struct PlannerTests {
    let repository: Repository
    let desired: DesiredState

    init() throws {
        repository = try Fixtures.load(Fixtures.homelab)
        desired = try DesiredStateBuilder(repository: repository).build()
    }

    /// An actual state equal to the desired one: every replica running with the desired hash.
    func converged(_ state: DesiredState) -> ActualState {
        ActualState(
            containers: state.services.flatMap { s in
                s.replicas.map {
                    ActualContainer(id: $0.name, name: $0.name, project: s.project, service: s.name, configHash: s.configHash,
                                    replica: $0.index, image: s.spec.image, running: true, healthy: true)
                }
            },
            networks: state.networks.map { ActualNetwork(id: $0.name, name: $0.name, project: $0.project, subnet: $0.subnet, isInternal: $0.isInternal) },
            volumes: state.volumes.map { ActualVolume(name: $0.name, project: $0.project) })
    }

    @Test func emptyEngineCreatesEverythingInOrder() {
        let plan = Planner().plan(desired: desired, actual: .empty)
        let kinds = plan.actions.map { action -> String in
            switch action {
            case .createNetwork, .createVolume: "setup"
            case .createService: "service"
            default: "other"
            }
        }
        #expect(!kinds.contains("other"))
        // All networks and volumes come before any service.
        #expect(kinds.firstIndex(of: "service")! > kinds.lastIndex(of: "setup")!)
        #expect(plan.summary.create == desired.networks.count + desired.volumes.count + desired.services.count)
        // Providers before consumers: notes (provides db to api) deploys before api.
        let serviceProjects = plan.actions.compactMap { if case .createService(let s) = $0 { s.project } else { nil } }
        #expect(serviceProjects.firstIndex(of: "notes")! < serviceProjects.firstIndex(of: "api")!)
        // depends_on: db before app.
        let notes = plan.actions.compactMap { if case .createService(let s) = $0, s.project == "notes" { s.name } else { nil } }
        #expect(notes == ["db", "app"])
    }

    @Test func convergedEngineHasNoChanges() {
        let plan = Planner().plan(desired: desired, actual: converged(desired))
        #expect(!plan.hasChanges)
        #expect(plan.actions.isEmpty)
    }

    @Test func forceRollsOutUnchangedServices() {
        let plan = Planner(options: .init(force: true, projects: ["site"])).plan(desired: desired, actual: converged(desired))
        #expect(plan.actions.count == 1)
        guard case .rolloutService(let r) = plan.actions.first else { Issue.record("expected a rollout"); return }
        #expect(r.reason == .forced)
        #expect(r.service.name == "www")
    }

    @Test func changedEnvironmentRollsOutOnlyThatService() throws {
        let before = converged(desired)
        let changed = try Fixtures.load(Fixtures.homelab, environment: ["NOTES_TITLE": "Changed"])
        let after = try DesiredStateBuilder(repository: changed).build()
        let plan = Planner().plan(desired: after, actual: before)
        #expect(plan.actions.count == 1)
        guard case .rolloutService(let r) = plan.actions.first else { Issue.record("expected a rollout"); return }
        #expect(r.service.project == "notes" && r.service.name == "app")
        #expect(r.reason == .changed)
        #expect(r.old.count == 1)
        #expect(r.service.strategy == .startFirst)
    }

    @Test func statefulServiceIsRecreatedAndSaysWhy() throws {
        let db = try #require(desired.project("notes")?.service("db"))
        #expect(db.strategy == .recreate)
        #expect(db.strategyReason.contains("notes_pgdata"))
        let app = try #require(desired.project("notes")?.service("app"))
        #expect(app.strategy == .startFirst)
    }

    @Test func replicaCountChangeScalesWithoutNewHash() throws {
        var actual = converged(desired)
        actual.containers.removeAll { $0.project == "site" && $0.replica == 2 }
        let plan = Planner().plan(desired: desired, actual: actual)
        #expect(plan.actions.count == 1)
        guard case .scaleService(let s, let from) = plan.actions.first else { Issue.record("expected scale"); return }
        #expect(s.name == "www" && from == 1 && s.replicas.count == 2)
    }

    @Test func stoppedReplicaIsRepaired() {
        var actual = converged(desired)
        let index = actual.containers.firstIndex { $0.project == "echo" }!
        actual.containers[index].running = false
        let plan = Planner().plan(desired: desired, actual: actual)
        guard case .rolloutService(let r) = plan.actions.first else { Issue.record("expected a rollout"); return }
        #expect(r.reason == .repair && r.service.project == "echo")
    }

    @Test func removedProjectIsTornDownButVolumesKept() {
        var actual = converged(desired)
        actual.containers.append(ActualContainer(id: "x", name: "old-web-1", project: "old", service: "web", configHash: "abc", replica: 1, image: "nginx"))
        actual.networks.append(ActualNetwork(id: "n", name: "old_internal", project: "old", subnet: "10.213.200.0/26", isInternal: true))
        actual.volumes.append(ActualVolume(name: "old_data", project: "old"))
        let plan = Planner().plan(desired: desired, actual: actual)
        #expect(plan.actions.map(\.change) == [.remove, .remove])
        guard case .removeService(let project, let service, let containers) = plan.actions[0] else { Issue.record("expected removal"); return }
        #expect(project == "old" && service == "web" && containers.map(\.name) == ["old-web-1"])
        guard case .removeNetwork(let n) = plan.actions[1] else { Issue.record("expected network removal"); return }
        #expect(n.name == "old_internal")

        let pruned = Planner(options: .init(pruneVolumes: true)).plan(desired: desired, actual: actual)
        #expect(pruned.actions.count == 3)
        guard case .removeVolume(let v) = pruned.actions.last else { Issue.record("expected volume removal last"); return }
        #expect(v.name == "old_data")
    }

    @Test func removedServiceOfKeptProjectIsRemoved() {
        var actual = converged(desired)
        actual.containers.append(ActualContainer(id: "y", name: "api-worker-1", project: "api", service: "worker", configHash: "abc", replica: 1, image: "x"))
        let plan = Planner().plan(desired: desired, actual: actual)
        #expect(plan.actions.count == 1)
        guard case .removeService(let project, let service, _) = plan.actions.first else { Issue.record("expected removal"); return }
        #expect(project == "api" && service == "worker")
    }

    @Test func projectFilterLimitsThePlan() {
        let plan = Planner(options: .init(projects: ["site"])).plan(desired: desired, actual: .empty)
        #expect(Set(plan.actions.map(\.project)) == ["site"])
        #expect(plan.routes.allSatisfy { $0.project == "site" })
    }
}
