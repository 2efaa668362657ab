import BerthServer
import Foundation
import Testing

@Suite("SQLite store: migrations, events, tokens, audit")
struct StoreTests {
    @Test func reopeningKeepsDataAndTheSchemaVersion() async throws {
        try await withTemporaryStore { store, dir in
            try await store.insert(DeployTask(projects: ["a"], createdBy: "x"))
            try await store.close()
            let again = try await SQLiteTaskStore.open(stateDirectory: dir)
            #expect(try await again.tasks(state: nil, project: nil, limit: 10).count == 1)
            #expect(try await again.schemaVersion() == 1)
            try await again.close()
        }
    }

    @Test func eventsHaveIncreasingIdsAndResumeAfterAnID() async throws {
        try await withTemporaryStore { store, _ in
            let a = try await store.append(TaskEvent(taskID: "t1", kind: .state, state: .queued, message: "q"))
            let b = try await store.append(TaskEvent(taskID: "t2", kind: .state, state: .queued, message: "q"))
            let c = try await store.append(TaskEvent(taskID: "t1", kind: .progress, step: 1, total: 2, message: "p"))
            #expect(a.id < b.id && b.id < c.id)
            #expect(try await store.events(after: a.id, taskID: nil, limit: 10).map(\.id) == [b.id, c.id])
            #expect(try await store.events(after: 0, taskID: "t1", limit: 10).map(\.id) == [a.id, c.id])
        }
    }

    @Test func tokensAreStoredHashedAndRevokedTokensAreNotFoundActive() async throws {
        try await withTemporaryStore { store, dir in
            let secret = APIToken.generateSecret()
            #expect(secret.count == "berth_".count + 64)
            try await store.insert(APIToken(name: "ci", hash: APIToken.hash(of: secret), scope: .deploy, projects: ["blog"], expiresAt: nil))
            await #expect(throws: StoreError.self) {
                try await store.insert(APIToken(name: "ci", hash: "other", scope: .read, projects: [], expiresAt: nil))
            }
            #expect(try await store.token(hash: APIToken.hash(of: secret))?.name == "ci")
            #expect(try await store.revokeToken(named: "ci", at: Date()))
            #expect(try await store.token(hash: APIToken.hash(of: secret))?.revokedAt != nil)
            #expect(try await store.revokeToken(named: "ci", at: Date()) == false)
            // The name is free again after a revoke.
            try await store.insert(APIToken(name: "ci", hash: "h2", scope: .read, projects: [], expiresAt: nil))
            // The secret itself is nowhere in the file.
            for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
                let bytes = try Data(contentsOf: dir.appendingPathComponent(file))
                #expect(!String(decoding: bytes, as: UTF8.self).contains(secret), "\(file)")
            }
        }
    }
}
