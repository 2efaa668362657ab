import Hummingbird

/// A path the API has, asked with a method it does not answer there: 405 with `Allow` naming the methods
/// it does answer, instead of the router's 404 (which says the path does not exist). The routes come from
/// the OpenAPI document, which a test keeps equal to the router's.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = APIContext

    /// Route template (`/v1/tasks/{id}`) → its methods, upper case.
    static let routes: [(template: [Substring], methods: [String])] = {
        var result: [(template: [Substring], methods: [String])] = []
        for (path, operation) in OpenAPI.operations {
            let template = path.split(separator: "/")
            if let i = result.firstIndex(where: { $0.template == template }) {
                result[i].methods.append(operation.method.uppercased())
            } else {
                result.append((template, [operation.method.uppercased()]))
            }
        }
        return result
    }()

    /// The methods the API answers at `path`; empty when it has no such path.
    static func methods(at path: String) -> [String] {
        let segments = path.split(separator: "/")
        let matching = routes.filter { route in
            route.template.count == segments.count
                && zip(route.template, segments).allSatisfy { template, segment in template.hasPrefix("{") || template == segment }
        }
        return Set(matching.flatMap(\.methods)).sorted()
    }

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && [nil, "NotFound"].contains(context.endpointPath) {
            // Unmatched: the router's not-found responder names the endpoint "NotFound".
            let allowed = Self.methods(at: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            throw APIError(.methodNotAllowed, "method_not_allowed",
                           "\(request.uri.path) answers \(allowed.joined(separator: ", ")), not \(request.method.rawValue)",
                           headers: [.allow: allowed.joined(separator: ", ")])
        }
    }
}
