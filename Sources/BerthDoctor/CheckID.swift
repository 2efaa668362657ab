/// Every check of `berth doctor`, with what it verifies. The ids are stable (they are the `id` of the JSON
/// output and the rows of docs/doctor.md, which is generated from this list).
public enum CheckID: String, Sendable, Hashable, Codable, CaseIterable {
    case dockerUser = "host.docker-user"
    case publishedPorts = "host.published-ports"
    case daemonAPI = "daemon.api"
    case liveRestore = "daemon.live-restore"
    case icc = "daemon.icc"
    case userlandProxy = "daemon.userland-proxy"
    case logRotation = "daemon.log-rotation"
    case noNewPrivileges = "daemon.no-new-privileges"
    case privileged = "service.privileged"
    case hostNamespaces = "service.host-namespaces"
    case dockerSocket = "service.docker-socket"
    case capDropAll = "service.cap-drop-all"
    case rootUser = "service.root-user"
    case imageTag = "service.image-tag"
    case imageDigest = "service.image-digest"
    case healthcheck = "service.healthcheck"

    public var group: CheckGroup {
        switch self {
        case .dockerUser, .publishedPorts: .host
        case .daemonAPI, .liveRestore, .icc, .userlandProxy, .logRotation, .noNewPrivileges: .daemon
        case .privileged, .hostNamespaces, .dockerSocket, .capDropAll, .rootUser, .imageTag, .imageDigest, .healthcheck: .services
        }
    }

    public var title: String {
        switch self {
        case .dockerUser: "DOCKER-USER chain blocks outside access to container ports"
        case .publishedPorts: "No published port beyond loopback except the proxy's"
        case .daemonAPI: "The Docker daemon answers"
        case .liveRestore: "live-restore is on"
        case .icc: "Inter-container communication is off on the default bridge"
        case .userlandProxy: "userland-proxy is off"
        case .logRotation: "Container logs are rotated"
        case .noNewPrivileges: "no-new-privileges is the default"
        case .privileged: "Not privileged, confinement on"
        case .hostNamespaces: "No host namespaces"
        case .dockerSocket: "No Docker socket mount"
        case .capDropAll: "cap_drop: [ALL]"
        case .rootUser: "Does not run as root"
        case .imageTag: "Image has a fixed tag"
        case .imageDigest: "Image is pinned by digest"
        case .healthcheck: "Routed service has a health check"
        }
    }

    /// The status a violation gets (a violation allowed by a platform policy gate is a warn).
    public var violation: CheckStatus {
        switch self {
        case .dockerUser, .publishedPorts, .daemonAPI, .logRotation, .privileged, .hostNamespaces, .dockerSocket: .fail
        case .liveRestore, .icc, .userlandProxy, .noNewPrivileges, .capDropAll, .rootUser, .imageTag, .imageDigest, .healthcheck:
            .warn
        }
    }

    /// Why the check matters (the documentation's column; each finding has its own one-line why).
    public var rationale: String {
        switch self {
        case .dockerUser:
            "Docker's NAT rules make every published container port reachable from any network the host is on, past the host's INPUT firewall; only DOCKER-USER runs before them."
        case .publishedPorts:
            "A port bound to 0.0.0.0 or :: bypasses the proxy (no TLS, no middlewares, no CrowdSec) and is reachable from outside."
        case .daemonAPI: "Without the daemon the host checks cannot run (service checks still do, from the repository)."
        case .liveRestore: "Without it every container stops while dockerd restarts or is upgraded."
        case .icc:
            "Containers on the default bridge (docker0) can reach each other on every port; Berth's own networks are isolated per project."
        case .userlandProxy:
            "docker-proxy hides the real client address behind the bridge gateway (IP allow-lists, rate limits and bans see one client) and costs a process per port."
        case .logRotation: "json-file logs grow without bound until the disk is full and the host stops."
        case .noNewPrivileges: "Without it a setuid binary inside a container can gain privileges."
        case .privileged:
            "A privileged container (or one with seccomp/AppArmor/SELinux switched off) is root on the host in all but name."
        case .hostNamespaces:
            "network_mode, pid, ipc, uts, userns or cgroup set to host share the host's namespace and bypass the project's isolation."
        case .dockerSocket: "Access to the Docker API is root on the host, read-only mount or not."
        case .capDropAll: "Docker's default capability set (NET_RAW, CHOWN, SETUID…) is more than most apps need."
        case .rootUser: "A process running as root in the container is root on the host after an escape."
        case .imageTag: "`latest` or no tag changes under you: the next pull deploys an image nobody reviewed."
        case .imageDigest: "A tag can be moved; only a digest names exactly one image."
        case .healthcheck:
            "Without a health check (Compose healthcheck, image HEALTHCHECK or a route's health.path) a zero-downtime rollout waits only for a TCP connect."
        }
    }

    /// How to fix a violation, in general (each finding has its own concrete fix).
    public var remedy: String {
        switch self {
        case .dockerUser: "`iptables -I DOCKER-USER -i EXT -m conntrack ! --ctstate RELATED,ESTABLISHED -j DROP` (EXT: the external interface)"
        case .publishedPorts: "publish on 127.0.0.1 (`127.0.0.1:8080:80`) or route the service through the proxy (project.yml ingress)"
        case .daemonAPI: "start dockerd, or point `--docker-host`/`DOCKER_HOST` at it"
        case .liveRestore: "`\"live-restore\": true` in daemon.json"
        case .icc: "`\"icc\": false` in daemon.json"
        case .userlandProxy: "`\"userland-proxy\": false` in daemon.json"
        case .logRotation: "`\"log-opts\": {\"max-size\": \"10m\", \"max-file\": \"3\"}` in daemon.json, or `\"log-driver\": \"local\"`"
        case .noNewPrivileges: "`\"no-new-privileges\": true` in daemon.json"
        case .privileged: "remove `privileged: true` and the `*=unconfined`/`label=disable` security_opt; add only the capabilities needed"
        case .hostNamespaces: "remove the `host` mode and use the project's networks; publish a port if the host must reach it"
        case .dockerSocket: "remove the mount; give the app a scoped API (a socket proxy that allows only what it needs)"
        case .capDropAll: "`cap_drop: [ALL]` and `cap_add` only what the app needs"
        case .rootUser: "`user: \"1000:1000\"` (or an image with a non-root USER)"
        case .imageTag: "`image: name:1.2.3`"
        case .imageDigest: "`image: name:1.2.3@sha256:…` (`docker buildx imagetools inspect name:1.2.3` shows the digest)"
        case .healthcheck: "a Compose `healthcheck:` or `health: {path: /healthz}` on the route in project.yml"
        }
    }
}
