/// Positions in project.yml of the names that `RepositoryValidator` checks against other files, so that
/// a cross-file problem points at the exact name (the config model keeps only one position per route).
struct ProjectLocations {
    struct Route: Sendable, Hashable {
        var service: Location
        var hosts: [Location] = []
        var middlewares: [Location] = []
        var entrypoint: Location?
    }

    /// Keyed by `IngressRoute.location`.
    var routes: [Location: Route] = [:]
    /// One per `egress.internet` item, in order.
    var internet: [Location] = []
    /// Keyed by service name.
    var rolloutServices: [String: Location] = [:]
    /// One per `rollout.shared_volumes` item, in order.
    var sharedVolumes: [Location] = []
    /// The positions of each edge's `from` items, keyed by `EgressEdge.location`.
    var edgeFrom: [Location: [Location]] = [:]
    /// One per `profiles` item, in order.
    var profiles: [Location] = []
}
