import Foundation

/// One mutating call: who (token name), what (action), on what (target), and how it ended.
public struct AuditEntry: Codable, Sendable, Equatable {
    public var id: Int64
    public var time: Date
    public var token: String
    public var action: String
    public var target: String
    /// The HTTP status of the answer (0 for CLI actions) and a short word: accepted, denied, failed, done.
    public var status: Int
    public var result: String

    public init(id: Int64 = 0, time: Date = Date(), token: String, action: String, target: String, status: Int, result: String) {
        self.id = id
        self.time = time
        self.token = token
        self.action = action
        self.target = target
        self.status = status
        self.result = result
    }
}
