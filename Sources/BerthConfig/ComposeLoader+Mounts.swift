import Foundation

/// Service `volumes`: the short `SOURCE:TARGET[:MODE]` and the long syntax.
extension ComposeLoader {
    func mounts(_ value: YAMLValue, service: String, volumeKeys: Set<String>) -> [VolumeMount] {
        guard case .sequence(let items, _) = value else {
            sink.error(value.location, "'volumes' in service '\(service)' must be a list, found \(value.kindName)")
            return []
        }
        var result: [VolumeMount] = []
        for item in items {
            let mount: VolumeMount?
            if case .scalar(let s) = item {
                mount = shortMount(s, service: service)
            } else {
                mount = longMount(item, service: service)
            }
            guard let mount else { continue }
            if mount.type == .volume, let source = mount.source, !volumeKeys.contains(source) {
                sink.error(item.location, "service '\(service)' mounts volume '\(source)', which is not declared under the top-level 'volumes'\(Suggestion.hint(for: source, in: volumeKeys))")
            }
            if !mount.target.hasPrefix("/") {
                sink.error(item.location, "mount target '\(mount.target)' in service '\(service)' must be an absolute path")
            }
            result.append(mount)
        }
        return result
    }

    func isHostPath(_ s: String) -> Bool {
        s.hasPrefix("/") || s.hasPrefix(".") || s.hasPrefix("~")
    }

    func resolveHostPath(_ s: String) -> String {
        if s.hasPrefix("/") { return s }
        if s.hasPrefix("~") { return NSString(string: s).expandingTildeInPath }
        return directory.appendingPathComponent(s).standardizedFileURL.path
    }

    func shortMount(_ s: YAMLScalar, service: String) -> VolumeMount? {
        let parts = s.text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1:
            return VolumeMount(type: .volume, source: nil, target: parts[0])
        case 2, 3:
            var mount = isHostPath(parts[0])
                ? VolumeMount(type: .bind, source: resolveHostPath(parts[0]), target: parts[1])
                : VolumeMount(type: .volume, source: parts[0], target: parts[1])
            if parts.count == 3 {
                for option in parts[2].split(separator: ",") {
                    switch option {
                    case "ro": mount.readOnly = true
                    case "rw": mount.readOnly = false
                    case "cached", "delegated", "consistent": break  // macOS-only hints; no effect on Linux
                    case "z", "Z": mount.selinux = String(option)
                    case _ where mount.type == .bind && ["private", "rprivate", "shared", "rshared", "slave", "rslave"].contains(String(option)):
                        mount.propagation = String(option)
                    case "nocopy": mount.noCopy = true
                    default:
                        sink.error(s.location, "unknown mount option '\(option)' in '\(s.text)' (service '\(service)'); use ro, rw, nocopy, z, Z, or for binds a propagation (rslave, rshared, …)\(Suggestion.hint(for: String(option), in: ["ro", "rw", "nocopy", "rslave", "rshared"]))")
                    }
                }
            }
            return mount
        default:
            sink.error(s.location, "volume '\(s.text)' in service '\(service)' is not SOURCE:TARGET[:MODE]")
            return nil
        }
    }

    func longMount(_ item: YAMLValue, service: String) -> VolumeMount? {
        let what = "a volume of service '\(service)'"
        guard let f = Fields(item, what: what, known: ["type", "source", "target", "read_only", "bind", "volume", "tmpfs", "consistency"],
                             unsupported: ["image": "image mounts are not supported", "npipe": "named pipes are Windows-only", "cluster": "not supported"],
                             extensions: true, sink: sink),
              let typeText = f.requiredString("type"), let target = f.requiredString("target")
        else { return nil }
        guard let type = VolumeMount.Kind(rawValue: typeText) else {
            f.error("type", "'type' in \(what) must be volume, bind or tmpfs, found '\(typeText)'")
            return nil
        }
        var source = f.string("source")
        if type == .bind {
            guard let s = source else {
                sink.error(f.location, "a bind mount in service '\(service)' needs 'source'")
                return nil
            }
            source = resolveHostPath(s)
        }
        var mount = VolumeMount(type: type, source: type == .tmpfs ? nil : source, target: target)
        mount.readOnly = f.bool("read_only") ?? false
        if let bind = f.fields("bind", known: ["create_host_path", "propagation", "selinux"], unsupported: [
            "recursive": "recursive read-only binds need Docker API 1.44; not supported yet",
        ]) {
            if type != .bind { sink.error(bind.location, "'bind' options apply to bind mounts only, but this mount is '\(type.rawValue)'") }
            mount.createHostPath = bind.bool("create_host_path") ?? true
            if let p = bind.string("propagation") {
                if !["private", "rprivate", "shared", "rshared", "slave", "rslave"].contains(p) {
                    bind.error("propagation", "'propagation' must be one of private, rprivate, shared, rshared, slave, rslave, found '\(p)'")
                }
                mount.propagation = p
            }
            if let z = bind.string("selinux") {
                if !["z", "Z"].contains(z) { bind.error("selinux", "'selinux' must be z or Z, found '\(z)'") }
                mount.selinux = z
            }
        }
        if let volume = f.fields("volume", known: ["nocopy", "subpath"]) {
            if type != .volume { sink.error(volume.location, "'volume' options apply to volume mounts only, but this mount is '\(type.rawValue)'") }
            mount.noCopy = volume.bool("nocopy") ?? false
            if volume.has("subpath") { volume.error("subpath", "'subpath' needs Docker API 1.45; it is not supported yet") }
        }
        if let tmpfs = f.fields("tmpfs", known: ["size", "mode"]) {
            if type != .tmpfs { sink.error(tmpfs.location, "'tmpfs' options apply to tmpfs mounts only, but this mount is '\(type.rawValue)'") }
            mount.tmpfsSize = tmpfs["size"].flatMap { byteSize($0, tmpfs.describe("size")) }
            if let mode = tmpfs["mode"]?.scalarText {
                // Compose writes the mode in octal (1777 or 0o1777); YAML may hand it over as decimal digits.
                let digits = mode.hasPrefix("0o") ? String(mode.dropFirst(2)) : mode
                if let octal = Int(digits, radix: 8) { mount.tmpfsMode = octal } else {
                    tmpfs.error("mode", "'mode' in tmpfs options must be an octal file mode such as 1777, found '\(mode)'")
                }
            }
        }
        return mount
    }
}
