import Foundation

/// The DOCKER-USER chain read with `nft -j list chain ip filter DOCKER-USER`, for when rules were written
/// with nft itself: iptables-nft then refuses to list the table ("incompatible, use 'nft' tool").
extension DockerUserChain {
    /// A JSON value of nft's output (its schema nests objects of one key).
    indirect enum NFTValue: Decodable, Sendable {
        case string(String), number(Double), bool(Bool), null, array([NFTValue]), object([String: NFTValue])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let n = try? c.decode(Double.self) { self = .number(n) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let a = try? c.decode([NFTValue].self) { self = .array(a) }
            else { self = .object(try c.decode([String: NFTValue].self)) }
        }

        subscript(key: String) -> NFTValue? {
            if case .object(let o) = self { return o[key] }
            return nil
        }

        var string: String? {
            if case .string(let s) = self { return s }
            return nil
        }

        /// A string, or the strings of an nft set (`{"set": ["established", "related"]}`) or a list.
        var strings: [String] {
            switch self {
            case .string(let s): [s]
            case .array(let a): a.flatMap(\.strings)
            case .object(let o): o["set"]?.strings ?? []
            default: []
            }
        }
    }

    /// Parses `nft -j list chain …`; nil when the output is not nft's JSON.
    public init?(nftJSON data: Data) {
        guard let top = try? JSONDecoder().decode(NFTValue.self, from: data), case .array(let items)? = top["nftables"] else { return nil }
        rules = items.compactMap { $0["rule"] }.map(Self.rule(nft:))
    }

    static func rule(nft rule: NFTValue) -> Rule {
        var r = Rule(text: "", inputMatch: nil, outputMatch: nil, states: nil, target: nil, restricted: false)
        var words: [String] = []
        guard case .array(let exprs)? = rule["expr"] else { return r }
        for expr in exprs {
            guard case .object(let o) = expr, let (kind, value) = o.first else { continue }
            switch kind {
            case "match":
                let op = value["op"]?.string ?? "=="
                let negated = op == "!="
                let right = value["right"]?.strings ?? []
                if let key = value["left"]?["meta"]?["key"]?.string, key == "iifname" || key == "oifname", right.count == 1 {
                    // nft writes iptables' `eth+` as `eth*`.
                    let name = right[0].hasSuffix("*") ? String(right[0].dropLast()) + "+" : right[0]
                    let match = Rule.Match(negated: negated, name: name)
                    if key == "iifname" { r.inputMatch = match } else { r.outputMatch = match }
                    words.append("\(key) \(negated ? "!= " : "")\"\(right[0])\"")
                } else if value["left"]?["ct"]?["key"]?.string == "state" {
                    r.states = Rule.States(negated: negated, list: Set(right.map { $0.uppercased() }))
                    words.append("ct state \(negated ? "!= " : "")\(right.joined(separator: ","))")
                } else {
                    r.restricted = true
                    words.append("(match)")
                }
            case "counter", "log", "comment":
                if kind == "log" { r.target = r.target ?? "LOG" }
                continue
            case "drop", "reject", "return", "accept":
                r.target = kind.uppercased()
                words.append(kind)
            case "jump", "goto":
                r.target = value["target"]?.string ?? kind
                words.append("\(kind) \(r.target ?? "")")
            default:
                r.restricted = true
                words.append("(\(kind))")
            }
        }
        r.text = "nft: " + words.joined(separator: " ")
        return r
    }
}
