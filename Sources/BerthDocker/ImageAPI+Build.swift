import Foundation

/// What `POST /build` builds (the classic builder's query parameters, API 1.41).
public struct BuildOptions: Sendable, Hashable {
    /// Tags of the built image (`t`), the first one Berth's own.
    public var tags: [String]
    /// The Dockerfile's path in the context.
    public var dockerfile: String = "Dockerfile"
    public var buildArgs: [String: String] = [:]
    public var target: String?
    public var labels: [String: String] = [:]
    /// `default`, `none` or `host`.
    public var networkMode: String?
    public var shmSize: Int?
    /// `host:ip`.
    public var extraHosts: [String] = []
    public var cacheFrom: [String] = []
    public var noCache = false
    public var pull = false

    public init(tags: [String]) { self.tags = tags }

    var query: QueryString {
        var query = QueryString()
        for tag in tags { query.add("t", tag) }
        query.add("dockerfile", dockerfile)
        if !buildArgs.isEmpty { query.add("buildargs", Self.json(buildArgs)) }
        query.add("target", target)
        if !labels.isEmpty { query.add("labels", Self.json(labels)) }
        query.add("networkmode", networkMode)
        query.add("shmsize", shmSize)
        for host in extraHosts { query.add("extrahosts", host) }
        if !cacheFrom.isEmpty { query.add("cachefrom", Self.json(cacheFrom)) }
        query.add("nocache", noCache)
        query.add("pull", pull)
        query.add("rm", true)
        query.add("forcerm", true)  // a failed step's intermediate container is removed too
        return query
    }

    private static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Maps and lists of strings always encode.
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// One line of the build's output stream.
public struct BuildProgress: Sendable, Hashable {
    /// A line of the builder's output (`Step 2/4 : COPY . /www`, a RUN step's output), without its newline.
    public var line: String
}

extension ImageAPI {
    /// Builds an image from `context` (a tar with the Dockerfile), handing each output line to
    /// `progress`. Returns the built image's id. An `error` in the stream, or a non-2xx answer, throws
    /// a `DockerError` whose message carries the error and the last lines of output before it.
    @discardableResult
    public func build(context: Data, options: BuildOptions, timeout: Duration = .seconds(1800),
                      progress: @Sendable (BuildProgress) -> Void = { _ in }) async throws -> String {
        let context = context
        let what = "building image \(options.tags.first ?? "")"
        struct Line: Decodable {
            struct Detail: Decodable { var message: String? }
            struct Aux: Decodable {
                var ID: String?  // swiftlint:disable:this identifier_name
            }
            var stream: String?
            var status: String?
            var error: String?
            var errorDetail: Detail?
            var aux: Aux?
        }
        let response = try await client.openStream(
            .POST, "/build", query: options.query, headers: [("Content-Type", "application/x-tar")], body: context, context: what)
        var buffer = Data()
        var recent: [String] = []
        var imageID: String?
        var failure: String?
        let deadline = ContinuousClock.now + timeout
        func handle(_ raw: Data) {
            guard !raw.isEmpty, let line = try? JSONDecoder().decode(Line.self, from: raw) else { return }
            if let message = line.error ?? line.errorDetail?.message {
                failure = message
                return
            }
            if let id = line.aux?.ID { imageID = id }
            let text = line.stream ?? line.status ?? ""
            for piece in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
                let out = String(piece)
                recent.append(out)
                if recent.count > 10 { recent.removeFirst() }
                progress(BuildProgress(line: out))
            }
        }
        do {
            for try await chunk in response.body {
                if ContinuousClock.now > deadline {
                    throw DockerError(.timeout, message: "the build did not finish within \(timeout)", context: what)
                }
                buffer.append(contentsOf: chunk.readableBytesView)
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    handle(buffer[buffer.startIndex..<newline])
                    buffer.removeSubrange(buffer.startIndex...newline)
                }
            }
            handle(buffer)
        } catch {
            throw client.transportError(error, context: what)
        }
        if let failure {
            let tail = recent.suffix(5).joined(separator: "\n")
            throw DockerError(.badRequest, message: failure + (tail.isEmpty ? "" : "\nlast output:\n" + tail), context: what)
        }
        guard let imageID else {
            // Without BuildKit the engine reports the id in an `aux` line; an older engine writes
            // "Successfully built <id>" only.
            if let built = recent.last(where: { $0.hasPrefix("Successfully built ") }) {
                return String(built.dropFirst("Successfully built ".count))
            }
            throw DockerError(.server, message: "the engine finished the build without naming the image", context: what)
        }
        return imageID
    }
}
