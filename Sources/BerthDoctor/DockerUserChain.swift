/// The DOCKER-USER chain as `iptables -S DOCKER-USER` prints it, and whether it stops new connections from
/// the external interfaces to containers. Docker jumps to DOCKER-USER first in FORWARD, before its own
/// ACCEPT rules for published ports, so a packet that this chain RETURNs reaches the container.
public struct DockerUserChain: Sendable, Hashable {
    public struct Rule: Sendable, Hashable {
        public var text: String
        /// `-i` / `-o`, with `!`.
        var inputMatch: Match?
        var outputMatch: Match?
        /// `--ctstate` / `--state` states, with `!`.
        var states: States?
        /// `-j` target (`DROP`, `REJECT`, `RETURN`, `ACCEPT`, `LOG`, a user chain); nil without one.
        public var target: String?
        /// Other matches (address, protocol, port, other modules): the rule covers only part of the traffic.
        public var restricted: Bool

        struct Match: Sendable, Hashable {
            var negated: Bool
            var name: String
        }

        struct States: Sendable, Hashable {
            var negated: Bool
            var list: Set<String>
        }
    }

    public var rules: [Rule]

    /// Parses the `-A DOCKER-USER …` lines (others, such as `-N DOCKER-USER`, are skipped).
    public init(iptablesSave text: String) {
        rules = text.split(separator: "\n").compactMap { line in
            let tokens = Self.tokens(String(line))
            guard tokens.count >= 2, tokens[0] == "-A", tokens[1] == "DOCKER-USER" else { return nil }
            return Self.rule(Array(tokens.dropFirst(2)), text: String(line))
        }
    }

    /// What a new connection from `interface` to a container on a Docker bridge meets.
    public enum Verdict: Sendable, Hashable {
        /// Dropped or rejected by this rule.
        case blocked(rule: String)
        /// Returned or accepted (by this rule, or at the end of the chain when nil).
        case open(rule: String?)
        /// Sent to another chain the doctor does not follow.
        case unknown(jump: String)
    }

    /// Follows a NEW connection arriving on `interface` (nil: an external interface whose name is not known)
    /// towards both the default bridge and a user-defined one (Berth's networks); the worst of the two counts.
    public func verdict(from interface: String?) -> Verdict {
        var worst: Verdict?
        for bridge in ["docker0", "br-0123456789ab"] {
            let v = verdict(input: interface, output: bridge)
            switch (worst, v) {
            case (nil, _), (.blocked, _), (.unknown, .open): worst = v
            default: break
            }
        }
        return worst ?? .open(rule: nil)
    }

    func verdict(input: String?, output: String) -> Verdict {
        for rule in rules {
            if let m = rule.inputMatch, Self.matches(m.name, input) == m.negated { continue }
            if let m = rule.outputMatch, Self.matches(m.name, output) == m.negated { continue }
            if let s = rule.states, s.list.contains("NEW") == s.negated { continue }
            guard let target = rule.target else { continue }
            switch target {
            case "DROP", "REJECT":
                // A drop of part of the traffic (one port, one address) leaves the rest open.
                if !rule.restricted { return .blocked(rule: rule.text) }
            case "RETURN", "ACCEPT":
                // An exception for part of the traffic (one source network) is deliberate; keep following the rest.
                if !rule.restricted { return .open(rule: rule.text) }
            case "LOG", "NFLOG", "MARK", "CONNMARK", "NOTRACK", "CT":
                continue
            default:
                return .unknown(jump: rule.text)
            }
        }
        return .open(rule: nil)
    }

    /// iptables interface names: `eth+` matches every name that starts with `eth`. A nil name (an external
    /// interface not known by name) matches only `+`.
    static func matches(_ pattern: String, _ name: String?) -> Bool {
        if pattern.hasSuffix("+") {
            let prefix = pattern.dropLast()
            guard let name else { return prefix.isEmpty }
            return name.hasPrefix(prefix)
        }
        return pattern == name
    }

    static func rule(_ tokens: [String], text: String) -> Rule {
        var rule = Rule(text: text, inputMatch: nil, outputMatch: nil, states: nil, target: nil, restricted: false)
        var negate = false
        var i = 0
        func next() -> String? {
            i += 1
            return i < tokens.count ? tokens[i] : nil
        }
        while i < tokens.count {
            let t = tokens[i]
            switch t {
            case "!": negate = true; i += 1; continue
            case "-i", "--in-interface": rule.inputMatch = next().map { Rule.Match(negated: negate, name: $0) }
            case "-o", "--out-interface": rule.outputMatch = next().map { Rule.Match(negated: negate, name: $0) }
            case "--ctstate", "--state":
                rule.states = next().map { Rule.States(negated: negate, list: Set($0.split(separator: ",").map { $0.uppercased() })) }
            case "-j", "--jump", "-g", "--goto": rule.target = next()
            case "-m", "--match":
                let module = next() ?? ""
                if !["conntrack", "state", "comment"].contains(module) { rule.restricted = true }
            case "--comment": _ = next()
            case "--reject-with", "--log-prefix", "--log-level", "--set-xmark", "--set-mark": _ = next()
            default:
                // -s, -d, -p, --dport, --sport, module options: the rule covers part of the traffic.
                if t.hasPrefix("-") {
                    rule.restricted = true
                    if i + 1 < tokens.count, !tokens[i + 1].hasPrefix("-") { i += 1 }
                }
            }
            negate = false
            i += 1
        }
        return rule
    }

    /// Splits an `iptables -S` line into words, keeping `"quoted comments"` together.
    static func tokens(_ line: String) -> [String] {
        var result: [String] = []
        var current = ""
        var quoted = false
        for c in line {
            if c == "\"" {
                quoted.toggle()
            } else if c == " " && !quoted {
                if !current.isEmpty { result.append(current) }
                current = ""
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }
}
