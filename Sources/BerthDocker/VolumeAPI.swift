/// Volume calls: `client.volumes.list(…)`, `.create(…)`, `.inspect(…)`, `.remove(…)`.
public struct VolumeAPI: Sendable {
    let client: DockerClient

    /// Volumes, optionally only those with every label filter (`key` or `key=value`).
    public func list(labelFilters: [String] = []) async throws -> [Volume] {
        struct Listing: Decodable {
            var volumes: [Volume]?
            enum CodingKeys: String, CodingKey { case volumes = "Volumes" }
        }
        var query = QueryString()
        query.addFilters(["label": labelFilters])
        return try await client.get(Listing.self, "/volumes", query: query, context: "listing volumes").volumes ?? []
    }

    /// Creates the volume (creating an existing local volume returns it unchanged).
    @discardableResult
    public func create(_ volume: VolumeCreate) async throws -> Volume {
        let context = "creating volume \(volume.name)"
        let response = try await client.send(.POST, "/volumes/create", json: volume, context: context)
        return try client.decode(Volume.self, from: response, context: context)
    }

    public func inspect(_ name: String) async throws -> Volume {
        try await client.get(Volume.self, "/volumes/\(QueryString.escapePath(name))", context: "inspecting volume \(name)")
    }

    /// Removes the volume; fails with `conflict` while a container uses it.
    public func remove(_ name: String, force: Bool = false) async throws {
        var query = QueryString()
        query.add("force", force)
        _ = try await client.send(
            .DELETE, "/volumes/\(QueryString.escapePath(name))", query: query, context: "removing volume \(name)")
    }
}

extension DockerClient {
    public nonisolated var volumes: VolumeAPI { VolumeAPI(client: self) }
}
