import Foundation

/// Image calls: `client.images.inspect(…)`, `.pull(…)`, `.remove(…)`.
public struct ImageAPI: Sendable {
    let client: DockerClient

    /// The image, or nil when the engine does not have it.
    public func inspect(_ reference: String) async throws -> ImageDetails? {
        do {
            return try await client.get(
                ImageDetails.self, "/images/\(QueryString.escapePath(reference))/json", context: "inspecting image \(reference)")
        } catch let error as DockerError where error.code == .notFound {
            return nil
        }
    }

    /// Pulls `reference` (`name`, `name:tag` or `name@digest`; a bare name means `:latest`), consuming
    /// the progress stream; an `error` reported inside the stream is thrown. Bounded by `timeout`.
    public func pull(_ reference: String, auth: RegistryAuth? = nil, timeout: Duration = .seconds(900)) async throws {
        let context = "pulling image \(reference)"
        let (name, tag) = Self.split(reference)
        var query = QueryString()
        query.add("fromImage", name)
        query.add("tag", tag)
        var headers: [(String, String)] = []
        if let auth {
            do {
                headers.append(("X-Registry-Auth", try auth.headerValue()))
            } catch {
                throw DockerError(.badRequest, message: "cannot encode the registry credentials: \(error)", context: context, cause: error)
            }
        }
        let missingHint = "image \(reference) not found; check the name and tag, and the registry credentials"
        let response: DockerResponse
        do {
            response = try await client.send(.POST, "/images/create", query: query, headers: headers, timeout: timeout, context: context)
        } catch var error as DockerError where error.code == .notFound && error.hint == nil {
            error.hint = missingHint
            throw error
        }
        if let failure = Self.streamError(response.data) {
            var error = DockerError.fromResponse(status: 500, message: failure, context: context)
            error.status = response.status
            if ["not found", "manifest unknown", "does not exist"].contains(where: failure.contains) {
                error.code = .notFound
                error.hint = missingHint
            }
            throw error
        }
    }

    /// Creates `repository:tag` from a root file system tarball (`docker import`).
    public func importTarball(_ tar: Data, repository: String, tag: String, changes: [String] = []) async throws {
        var query = QueryString()
        query.add("fromSrc", "-")
        query.add("repo", repository)
        query.add("tag", tag)
        for change in changes { query.add("changes", change) }
        let context = "importing image \(repository):\(tag)"
        let response = try await client.send(.POST, "/images/create", query: query, body: tar,
                                             headers: [("Content-Type", "application/x-tar")], context: context)
        if let failure = Self.streamError(response.data) {
            throw DockerError.fromResponse(status: 500, message: failure, context: context)
        }
    }

    /// Removes the image (or just this tag of it, when it has others); `force` also when containers use it.
    public func remove(_ reference: String, force: Bool = false) async throws {
        var query = QueryString()
        query.add("force", force)
        _ = try await client.send(
            .DELETE, "/images/\(QueryString.escapePath(reference))", query: query, context: "removing image \(reference)")
    }

    /// `("ghcr.io/a/b", "1.2")` from `ghcr.io/a/b:1.2`; the tag is nil for a digest reference and
    /// `latest` for a bare name (an empty tag would make the engine pull every tag).
    static func split(_ reference: String) -> (name: String, tag: String?) {
        if reference.contains("@") { return (reference, nil) }
        let lastSlash = reference.lastIndex(of: "/") ?? reference.startIndex
        if let colon = reference[lastSlash...].lastIndex(of: ":") {
            return (String(reference[..<colon]), String(reference[reference.index(after: colon)...]))
        }
        return (reference, "latest")
    }

    /// The first `error` (or `errorDetail.message`) of a newline-delimited JSON progress stream.
    static func streamError(_ data: Data) -> String? {
        struct Progress: Decodable {
            struct Detail: Decodable { var message: String? }
            var error: String?
            var errorDetail: Detail?
        }
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard let progress = try? JSONDecoder().decode(Progress.self, from: Data(line)) else { continue }
            if let message = progress.error ?? progress.errorDetail?.message { return message }
        }
        return nil
    }
}

extension DockerClient {
    public nonisolated var images: ImageAPI { ImageAPI(client: self) }
}
