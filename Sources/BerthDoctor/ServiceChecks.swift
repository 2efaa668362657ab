import BerthConfig

/// The services group: each service of the repository against each rule, from its Compose definition (and
/// its image's configuration when the engine has the image). A violation that a platform policy gate
/// explicitly allows (`policy.privileged: true`…) is a warn that names the gate; with the gate unset it is a fail.
public struct ServiceChecks: Sendable {
    public var policy: PolicyConfig

    public init(policy: PolicyConfig) { self.policy = policy }

    public func all(_ s: ServiceFacts) -> [Finding] {
        [privileged(s), hostNamespaces(s), dockerSocket(s), capDropAll(s), rootUser(s), imageTag(s), imageDigest(s), healthcheck(s)].map {
            var f = $0
            f.location = s.location?.description
            return f
        }
    }

    /// A fail, or a warn naming the gate when every gate involved is explicitly true.
    func violation(_ id: CheckID, _ s: ServiceFacts, _ gates: [(key: String, allowed: Bool?)], why: String, fix: String) -> Finding {
        let keys = gates.map { "policy.\($0.key)" }.joined(separator: " and ")
        if !gates.isEmpty, gates.allSatisfy({ $0.allowed == true }) {
            return Finding(id, .warn, subject: s.subject, why: "\(why) (allowed by \(keys))", fix: fix, allowedBy: keys)
        }
        return Finding(id, .fail, subject: s.subject, why: why, fix: fix + "; or set \(keys): false in platform.yml to refuse such services")
    }

    static let unconfined: Set<String> = [
        "seccomp:unconfined", "seccomp=unconfined", "apparmor:unconfined", "apparmor=unconfined", "label:disable", "label=disable",
        "systempaths=unconfined", "systempaths:unconfined",
    ]

    public func privileged(_ s: ServiceFacts) -> Finding {
        var found: [String] = []
        if s.service.settings?.privileged == true { found.append("privileged: true") }
        found += s.service.securityOpt.filter { Self.unconfined.contains($0) }.map { "security_opt \($0)" }
        guard !found.isEmpty else { return Finding(.privileged, .pass, subject: s.subject, why: "not privileged, seccomp/AppArmor/SELinux confinement on") }
        return violation(
            .privileged, s, [("privileged", policy.privileged)],
            why: "\(found.joined(separator: ", ")): root on the host in all but name",
            fix: "remove \(found.joined(separator: " and ")) from service '\(s.name)'; add only the capabilities it needs (cap_add)")
    }

    public func hostNamespaces(_ s: ServiceFacts) -> Finding {
        var found: [String] = []
        var gates: [(key: String, allowed: Bool?)] = []
        if s.service.networkMode == "host" {
            found.append("network_mode: host")
            gates.append(("host_network", policy.hostNetwork))
        }
        let c = s.service.settings
        for (key, mode) in [("pid", c?.pid), ("ipc", c?.ipc), ("uts", c?.uts), ("userns_mode", c?.usernsMode), ("cgroup", c?.cgroup)] where mode == "host" {
            found.append("\(key): host")
            if !gates.contains(where: { $0.key == "host_namespaces" }) { gates.append(("host_namespaces", policy.hostNamespaces)) }
        }
        guard !found.isEmpty else { return Finding(.hostNamespaces, .pass, subject: s.subject, why: "no host namespace shared") }
        return violation(
            .hostNamespaces, s, gates, why: "shares the host's namespaces (\(found.joined(separator: ", "))), bypassing the project's isolation",
            fix: "remove \(found.joined(separator: " and ")) from service '\(s.name)'; use the project's networks (and a published port if the host must reach it)")
    }

    /// Binds of the Docker socket itself or of a directory that contains it.
    static func exposesDockerSocket(_ path: String) -> Bool {
        var p = path
        while p.count > 1, p.hasSuffix("/") { p.removeLast() }
        return ["/", "/var", "/var/run", "/run", "/var/run/docker", "/run/docker", "/var/run/docker.sock", "/run/docker.sock"].contains(p)
            || p.hasSuffix("/docker.sock")
    }

    public func dockerSocket(_ s: ServiceFacts) -> Finding {
        let mounts = s.service.volumes.filter { $0.type == .bind && Self.exposesDockerSocket($0.source ?? "") }
        guard !mounts.isEmpty else { return Finding(.dockerSocket, .pass, subject: s.subject, why: "no Docker socket mounted") }
        let list = mounts.map { "\($0.source ?? ""):\($0.target)\($0.readOnly ? ":ro" : "")" }.joined(separator: ", ")
        let readOnly = mounts.allSatisfy(\.readOnly) ? " (read-only does not help: the API still takes every request)" : ""
        return violation(
            .dockerSocket, s, [("docker_socket", policy.dockerSocket)],
            why: "mounts \(list): control of the Docker engine is root on the host\(readOnly)",
            fix: "remove the mount from service '\(s.name)'; if it needs the API, give it a socket proxy that allows only the calls it makes")
    }

    public func capDropAll(_ s: ServiceFacts) -> Finding {
        if s.service.capDrop.contains(where: { PolicyConfig.normalized($0) == "ALL" }) {
            return Finding(.capDropAll, .pass, subject: s.subject, why: "drops every capability (cap_drop: [ALL])" + (s.service.capAdd.isEmpty ? "" : ", adds back \(s.service.capAdd.joined(separator: ", "))"))
        }
        return Finding(
            .capDropAll, .warn, subject: s.subject, why: "keeps Docker's default capabilities (no cap_drop: [ALL])",
            fix: "cap_drop: [ALL] in service '\(s.name)', and cap_add only what it needs (e.g. NET_BIND_SERVICE to listen below 1024)")
    }

    static func isRoot(_ user: String) -> Bool {
        let name = user.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return name.isEmpty || name == "0" || name == "root"
    }

    public func rootUser(_ s: ServiceFacts) -> Finding {
        let fix = "user: \"1000:1000\" in service '\(s.name)' (a user the image's files allow), or an image with a non-root USER"
        let remap = s.usernsRemap ? " — but the daemon remaps container root to an unprivileged host user (userns-remap)" : ""
        let status: CheckStatus = s.usernsRemap ? .pass : .warn
        if let user = s.service.user, !user.isEmpty {
            if Self.isRoot(user) { return Finding(.rootUser, status, subject: s.subject, why: "runs as root (user: \(user))\(remap)", fix: fix) }
            return Finding(.rootUser, .pass, subject: s.subject, why: "runs as \(user) (user in compose.yml)")
        }
        if s.service.build != nil && s.image == nil {
            return Finding(.rootUser, status, subject: s.subject, why: "no user set and the image is built from source (not built yet): root unless its Dockerfile sets USER\(remap)", fix: fix)
        }
        guard let image = s.image else {
            return Finding(.rootUser, status, subject: s.subject, why: "no user set and image \(s.service.image) is not on the engine: root unless the image sets USER\(remap)", fix: fix + " (or pull the image and run berth doctor again)")
        }
        if Self.isRoot(image.user) {
            return Finding(.rootUser, status, subject: s.subject, why: "runs as root: neither the service nor image \(s.service.image) sets a user\(image.user.isEmpty ? "" : " other than \(image.user)")\(remap)", fix: fix)
        }
        return Finding(.rootUser, .pass, subject: s.subject, why: "runs as \(image.user) (the image's USER)")
    }

    /// The tag and digest of an image reference: `registry:5000/name:tag@sha256:…`.
    static func reference(_ image: String) -> (tag: String?, digest: String?) {
        let parts = image.split(separator: "@", maxSplits: 1).map(String.init)
        let digest = parts.count == 2 ? parts[1] : nil
        let lastPath = parts[0].split(separator: "/").last.map(String.init) ?? parts[0]
        let tag = lastPath.split(separator: ":", maxSplits: 1).dropFirst().first.map(String.init)
        return (tag, digest)
    }

    public func imageTag(_ s: ServiceFacts) -> Finding {
        if s.service.build != nil { return Finding(.imageTag, .pass, subject: s.subject, why: "built from source: Berth tags it with the build's digest") }
        let (tag, digest) = Self.reference(s.service.image)
        if tag == nil, digest != nil { return Finding(.imageTag, .pass, subject: s.subject, why: "\(s.service.image) is named by digest") }
        guard let tag, tag != "latest" else {
            let what = tag == nil ? "has no tag (Docker uses latest)" : "uses the latest tag"
            return Finding(
                .imageTag, .warn, subject: s.subject, why: "\(s.service.image) \(what): the next pull can deploy an image nobody reviewed",
                fix: "image: \(s.service.image.split(separator: ":").first.map(String.init) ?? s.service.image):<version> in service '\(s.name)'")
        }
        return Finding(.imageTag, .pass, subject: s.subject, why: "\(s.service.image) has the fixed tag \(tag)")
    }

    public func imageDigest(_ s: ServiceFacts) -> Finding {
        if s.service.build != nil { return Finding(.imageDigest, .pass, subject: s.subject, why: "built from source: Berth names it by the build's digest") }
        if let digest = Self.reference(s.service.image).digest, digest.hasPrefix("sha256:") {
            return Finding(.imageDigest, .pass, subject: s.subject, why: "pinned by digest \(digest.prefix(19))…")
        }
        return Finding(
            .imageDigest, .warn, subject: s.subject, why: "\(s.service.image) is not pinned by digest: the tag can be moved to another image",
            fix: "image: \(s.service.image)@sha256:<digest> in service '\(s.name)' (docker inspect --format '{{index .RepoDigests 0}}' \(s.service.image) shows it)")
    }

    public func healthcheck(_ s: ServiceFacts) -> Finding {
        guard !s.routes.isEmpty else { return Finding(.healthcheck, .pass, subject: s.subject, why: "not routed by the proxy (no readiness gate needed)") }
        let disabled = s.service.healthcheck?.disabled == true
        if let check = s.service.healthcheck, !check.disabled {
            return Finding(.healthcheck, .pass, subject: s.subject, why: "has a Compose healthcheck")
        }
        if let health = s.routes.compactMap(\.health).first {
            return Finding(.healthcheck, .pass, subject: s.subject, why: "its route probes \(health.path) (health in project.yml)")
        }
        if !disabled, let test = s.image?.healthcheck, !test.isEmpty, test.first != "NONE" {
            return Finding(.healthcheck, .pass, subject: s.subject, why: "its image has a HEALTHCHECK")
        }
        let why = disabled
            ? "routed, but its health check is disabled (healthcheck: disable): a rollout waits only for a TCP connect"
            : "routed without a health check\(s.image == nil && s.service.build == nil ? " (its image is not on the engine to look for a HEALTHCHECK)" : ""): a zero-downtime rollout waits only for a TCP connect"
        return Finding(
            .healthcheck, .warn, subject: s.subject, why: why,
            fix: s.routes.contains { $0.proto == .http }
                ? "health: {path: /healthz} on its route in projects/\(s.project)/project.yml, or a healthcheck: in service '\(s.name)' of compose.yml"
                : "a healthcheck: in service '\(s.name)' of compose.yml (its routes are raw TCP/UDP: no HTTP probe)")
    }
}
