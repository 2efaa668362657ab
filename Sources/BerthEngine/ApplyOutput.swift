/// One line of an apply's progress stream (`berth apply --json`, one JSON object a line; the same
/// values a server streams). Each has an `event` naming what it is:
/// - `planned`: `{"event": "planned", "proxy_change", "plan": PlanReport}`
/// - an `ApplyEvent` (`project_started`, `step`, `service_done`, … `lock_released`, `finished`)
/// - `finished` without changes: `{"event": "finished", "changes": false}` (nothing to do)
/// - `summary`: `{"event": "summary", …ApplyReport}`
/// - `error`: `{"event": "error", "error": ErrorReport}` (the apply did not run or stopped with an error)
public enum ApplyOutput: Codable, Sendable, Equatable {
    case planned(PlanReport)
    case event(ApplyEvent)
    case unchanged
    case summary(ApplyReport)
    case error(ErrorReport)

    enum CodingKeys: String, CodingKey { case event, plan, proxyChange = "proxy_change", changes, error }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .event) {
        case "planned": self = .planned(try c.decode(PlanReport.self, forKey: .plan))
        case "summary": self = .summary(try ApplyReport(from: decoder))
        case "error": self = .error(try c.decode(ErrorReport.self, forKey: .error))
        case "finished" where c.contains(.changes): self = .unchanged
        default: self = .event(try ApplyEvent(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .planned(let plan):
            try c.encode("planned", forKey: .event)
            try c.encode(plan.proxyChange, forKey: .proxyChange)
            try c.encode(plan, forKey: .plan)
        case .event(let event):
            try event.encode(to: encoder)
        case .unchanged:
            try c.encode("finished", forKey: .event)
            try c.encode(false, forKey: .changes)
        case .summary(let report):
            try c.encode("summary", forKey: .event)
            try report.encode(to: encoder)
        case .error(let error):
            try c.encode("error", forKey: .event)
            try c.encode(error, forKey: .error)
        }
    }
}
