/// Network calls: `client.networks.list(…)`, `.create(…)`, `.connect(…)`, …
public struct NetworkAPI: Sendable {
    let client: DockerClient

    /// Networks, optionally only those with every label filter (`key` or `key=value`).
    public func list(labelFilters: [String] = []) async throws -> [Network] {
        var query = QueryString()
        query.addFilters(["label": labelFilters])
        return try await client.get([Network].self, "/networks", query: query, context: "listing networks")
    }

    /// Creates the network; returns its id.
    public func create(_ network: NetworkCreate) async throws -> String {
        let context = "creating network \(network.name)"
        let response = try await client.send(.POST, "/networks/create", json: network, context: context)
        return try client.decode(CreatedID.self, from: response, context: context).id
    }

    /// The network with its attached containers.
    public func inspect(_ idOrName: String) async throws -> Network {
        try await client.get(Network.self, "/networks/\(QueryString.escapePath(idOrName))", context: "inspecting network \(idOrName)")
    }

    public func remove(_ idOrName: String) async throws {
        _ = try await client.send(.DELETE, "/networks/\(QueryString.escapePath(idOrName))", context: "removing network \(idOrName)")
    }

    /// Attaches a container (created or running) to the network, reachable there also as `aliases`.
    public func connect(_ network: String, container: String, aliases: [String] = [], ipv4Address: String? = nil) async throws {
        struct Body: Encodable, Sendable {
            var container: String
            var endpointConfig: EndpointConfig
            enum CodingKeys: String, CodingKey { case container = "Container", endpointConfig = "EndpointConfig" }
        }
        let body = Body(container: container, endpointConfig: EndpointConfig(aliases: aliases.isEmpty ? nil : aliases, ipv4Address: ipv4Address))
        _ = try await client.send(
            .POST, "/networks/\(QueryString.escapePath(network))/connect", json: body,
            context: "connecting container \(container) to network \(network)")
    }

    /// Detaches a container; `force` also when the container is not running properly.
    public func disconnect(_ network: String, container: String, force: Bool = false) async throws {
        struct Body: Encodable, Sendable {
            var container: String
            var force: Bool
            enum CodingKeys: String, CodingKey { case container = "Container", force = "Force" }
        }
        _ = try await client.send(
            .POST, "/networks/\(QueryString.escapePath(network))/disconnect", json: Body(container: container, force: force),
            context: "disconnecting container \(container) from network \(network)")
    }
}

/// `{"Id": "…"}`, the answer of the create calls.
struct CreatedID: Decodable {
    var id: String
    enum CodingKeys: String, CodingKey { case id = "Id" }
}

extension DockerClient {
    public nonisolated var networks: NetworkAPI { NetworkAPI(client: self) }
}
