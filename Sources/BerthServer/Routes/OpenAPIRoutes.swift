import Hummingbird

/// `GET /openapi.json` and `GET /openapi.yaml` (no token): the API's OpenAPI 3.1 description.
enum OpenAPIRoutes {
    static func add(to router: Router<APIContext>, _ services: APIServices) {
        let document = OpenAPI.document
        let json = document.json()
        let yaml = document.yaml()
        router.get("/openapi.json") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        router.get("/openapi.yaml") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: yaml)))
        }
    }
}
