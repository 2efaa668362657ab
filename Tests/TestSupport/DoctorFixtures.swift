/// Repositories for `berth doctor`'s tests: one whose services break every per-service rule, one whose
/// services pass them all. `platform` takes the policy block (gates unset by default).
public enum DoctorFixtures {
    public static let digest = "sha256:" + String(repeating: "ab", count: 32)

    public static func platform(policy: String = "") -> String {
        """
        domain: doctor.localhost
        network: {pools: [10.219.0.0/16]}
        \(policy)

        """
    }

    /// Project `bad`: privileged, host namespaces, the Docker socket (read-only), default capabilities,
    /// root, untagged/latest images without digest, and a routed service without a health check.
    /// `imguser` sets no user: it runs as its image's USER (1000 in the end-to-end test's image).
    public static func badProject(image: String = "berth-doctor/app:1", nonRootImage: String = "berth-doctor/nonroot:1") -> [String: String] {
        [
            "projects/bad/compose.yml": """
                services:
                  priv:
                    image: berth-doctor/app
                    privileged: true
                  hostns:
                    image: berth-doctor/app:latest
                    network_mode: host
                    pid: host
                  sock:
                    image: \(image)
                    volumes:
                      - /var/run/docker.sock:/var/run/docker.sock:ro
                  web:
                    image: \(image)
                  imguser:
                    image: \(nonRootImage)

                """,
            "projects/bad/project.yml": """
                ingress:
                  - service: web
                    hosts: [bad.doctor.localhost]
                    port: 8080
                    tls: false

                """,
        ]
    }

    /// Project `good`: every rule passes.
    public static func goodProject() -> [String: String] {
        [
            "projects/good/compose.yml": """
                services:
                  web:
                    image: berth-doctor/app:1@\(digest)
                    user: "1000:1000"
                    cap_drop: [ALL]
                    healthcheck:
                      test: ["CMD", "true"]
                  probed:
                    image: berth-doctor/app:1@\(digest)
                    user: app
                    cap_drop: [all]

                """,
            "projects/good/project.yml": """
                ingress:
                  - service: web
                    hosts: [web.doctor.localhost]
                    port: 8080
                    tls: false
                  - service: probed
                    hosts: [probed.doctor.localhost]
                    port: 8080
                    tls: false
                    health: {path: /healthz}

                """,
        ]
    }
}
