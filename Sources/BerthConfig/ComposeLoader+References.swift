import Foundation

/// Keys that refer to files or to other services: `label_file`, `volumes_from`.
extension ComposeLoader {
    /// Labels from `label_file` (lines of `key=value`, later files win), then `labels` over them.
    func labels(_ f: Fields, service name: String) -> [String: String] {
        var labels: [String: String] = [:]
        for (path, location) in f.stringItems("label_file", single: true) ?? [] {
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                sink.error(location, "label_file '\(path)' of service '\(name)' cannot be read (looked for \(url.path)); create it or remove it")
                continue
            }
            let fileName = path.hasPrefix("/") ? path : "projects/\(project)/\(path)"
            for (k, v) in EnvFile.parse(text, file: fileName, sink: sink) { labels[k] = v }
        }
        for (k, v) in f.stringMap("labels") ?? [:] { labels[k] = v ?? "" }
        return labels
    }

    /// Traefik labels become routes (see `TraefikLabels`) and leave the service's labels: Berth writes the routing.
    func readTraefikLabels(_ entry: YAMLEntry, into compose: inout ComposeFile) {
        let name = entry.key.text
        guard var service = compose.services[name] else { return }
        let keys = service.labels.keys.filter(TraefikLabels.isTraefikLabel).sorted()
        guard !keys.isEmpty else { return }
        var locations: [String: Location] = [:]
        if case .mapping(let serviceKeys, _) = entry.value {
            for label in TraefikLabels.written(in: serviceKeys) { locations[label.key] = label.location }
        }
        var declared = service.expose.compactMap { Int($0.split(separator: "/").first ?? "") }
        declared += (service.ports ?? []).filter { $0.proto == .tcp }.map(\.containerPort)
        let reader = TraefikLabels(
            service: name, labels: keys.map { ($0, service.labels[$0] ?? "", locations[$0] ?? entry.key.location) },
            declaredPorts: Array(Set(declared)).sorted(), sink: sink)
        let result = reader.read()
        compose.labelRoutes += result.routes
        compose.labelRouteLocations.merge(result.locations) { a, _ in a }
        for key in keys { service.labels[key] = nil }
        compose.services[name] = service
    }

    /// `volumes_from: [service[:ro|rw]]` is mapped onto mounts: the other service's named volumes and binds
    /// at the same paths (what Docker copies), so the mounts survive both services' rollouts.
    /// `container:NAME[:ro|rw]` goes to Docker as it is.
    func resolveVolumesFrom(_ entries: [YAMLEntry], into compose: inout ComposeFile) {
        for entry in entries {
            let name = entry.key.text
            guard var service = compose.services[name], case .mapping(let keys, _) = entry.value,
                  let value = keys.first(where: { $0.key.text == "volumes_from" })?.value else { continue }
            let what = "'volumes_from' in service '\(name)'"
            guard let items = Scalar.strings(value, what, single: true, sink) else { continue }
            let locations: [Location] = if case .sequence(let list, _) = value { list.map(\.location) } else { [value.location] }
            for (text, location) in zip(items, locations) {
                var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                var readOnly = false
                if parts.count > 1, ["ro", "rw"].contains(parts.last!) {
                    readOnly = parts.removeLast() == "ro"
                }
                if parts.first == "container", parts.count == 2 {
                    var settings = service.settings ?? ContainerSettings()
                    settings.volumesFrom = (settings.volumesFrom ?? []) + [text]
                    service.settings = settings
                    continue
                }
                let source = parts.count == 2 && parts[0] == "service" ? parts[1] : parts.joined(separator: ":")
                guard let other = compose.services[source], source != name else {
                    sink.error(location, "\(what) names '\(source)', which is not another service of project '\(project)'\(Suggestion.hint(for: source, in: Array(compose.services.keys)))")
                    continue
                }
                for mount in other.volumes where mount.type != .tmpfs {
                    guard mount.source != nil else {
                        sink.error(location, "\(what): service '\(source)' has an anonymous volume at \(mount.target), which Berth cannot share across rollouts; give it a name under top-level 'volumes'")
                        continue
                    }
                    guard !service.volumes.contains(where: { $0.target == mount.target }) else { continue }
                    var copy = mount
                    if readOnly { copy.readOnly = true }
                    service.volumes.append(copy)
                }
            }
            compose.services[name] = service
        }
    }
}
