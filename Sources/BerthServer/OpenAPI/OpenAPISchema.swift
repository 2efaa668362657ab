import BerthRender

/// Small builders for the OpenAPI document's JSON Schema and operation objects (see `OpenAPI`).
enum Schema {
    static func ref(_ name: String) -> Document { .object([("$ref", .string("#/components/schemas/\(name)"))]) }

    static func string(_ description: String? = nil, enum values: [String]? = nil, format: String? = nil) -> Document {
        .object([
            "type": .string("string"),
            "format": format.map(Document.string),
            "enum": values.map(Document.strings),
            "description": description.map(Document.string),
        ])
    }

    static func nonEmptyString(_ description: String) -> Document {
        .object([("type", .string("string")), ("minLength", .int(1)), ("description", .string(description))])
    }

    static func integer(_ description: String? = nil, minimum: Int? = nil, maximum: Int? = nil) -> Document {
        .object([
            "type": .string("integer"),
            "minimum": minimum.map(Document.int),
            "maximum": maximum.map(Document.int),
            "description": description.map(Document.string),
        ])
    }

    static let boolean: Document = .object([("type", .string("boolean"))])
    static let dateTime = string(format: "date-time")
    /// A path parameter: one non-empty segment.
    static let pathSegment: Document = .object([("type", .string("string")), ("minLength", .int(1)), ("pattern", .string("^[^/]+$"))])

    static func array(_ items: Document, minItems: Int? = nil) -> Document {
        .object(["type": .string("array"), "items": items, "minItems": minItems.map(Document.int)])
    }

    /// An object; `required` lists the keys always present.
    static func object(_ properties: [(String, Document)], required: [String], additional: Bool? = nil,
                       description: String? = nil) -> Document {
        .object([
            "type": .string("object"),
            "description": description.map(Document.string),
            "properties": .object(properties),
            "required": required.isEmpty ? nil : .strings(required),
            "additionalProperties": additional.map(Document.bool),
        ])
    }
}

/// One operation of a path, and the pieces it is made of.
struct Operation {
    var method: String
    var id: String
    var summary: String
    var tags: [String]
    var parameters: [Document] = []
    var body: Document?
    var responses: [(String, Document)]
    /// nil: the document's default (bearer token); an empty array: no authentication.
    var security: Document?

    var document: Document {
        .object([
            "operationId": .string(id),
            "summary": .string(summary),
            "tags": .strings(tags),
            "parameters": parameters.isEmpty ? nil : .array(parameters),
            "requestBody": body,
            "responses": .object(responses),
            "security": security,
        ])
    }

    static func query(_ name: String, _ schema: Document, _ description: String, required: Bool = false) -> Document {
        .object(["name": .string(name), "in": .string("query"), "required": .bool(required), "description": .string(description), "schema": schema])
    }

    static func path(_ name: String, _ description: String) -> Document {
        .object(["name": .string(name), "in": .string("path"), "required": .bool(true), "description": .string(description),
                 "schema": Schema.pathSegment])
    }

    static func header(_ name: String, _ schema: Document, _ description: String) -> Document {
        .object(["name": .string(name), "in": .string("header"), "required": .bool(false), "description": .string(description), "schema": schema])
    }

    static func content(_ type: String, _ schema: Document) -> Document { .object([(type, .object([("schema", schema)]))]) }

    static func json(_ description: String, _ schema: Document, headers: Document? = nil) -> Document {
        .object(["description": .string(description), "headers": headers, "content": content("application/json", schema)])
    }

    static func text(_ description: String, _ type: String) -> Document {
        .object(["description": .string(description), "content": content(type, Schema.string())])
    }

    /// A shared error answer from `components/responses`.
    static func error(_ status: Int) -> (String, Document) {
        (String(status), .object([("$ref", .string("#/components/responses/E\(status)"))]))
    }

    static let open: Document = .array([])
}
