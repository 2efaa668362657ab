/// Service `profiles`: a service that lists profiles runs only when project.yml enables one of them
/// (`profiles: [NAME, ...]`); a service without profiles always runs, as with `docker compose up`.
extension ComposeLoader {
    /// Removes the services no enabled profile selects (recording them in `leftOut`), after checking the
    /// profile names and that no service that runs depends on one that does not.
    func applyProfiles(_ compose: inout ComposeFile, _ services: [YAMLEntry]) {
        var declared: [String: [String]] = [:]
        for entry in services {
            guard case .mapping(let keys, _) = entry.value, let key = keys.first(where: { $0.key.text == "profiles" }) else { continue }
            let what = "'profiles' in service '\(entry.key.text)'"
            guard let names = Scalar.strings(key.value, what, sink) else { continue }
            for name in names where !Self.isProfileName(name) {
                sink.error(key.value.location, "profile name '\(name)' in \(what) is invalid: use letters, digits, '_', '.' and '-', starting with a letter or digit")
            }
            if !names.isEmpty { declared[entry.key.text] = names }
        }
        let known = Set(declared.values.joined()).sorted()
        let enabled = Set(profiles.map(\.text))
        for profile in profiles where !known.contains(profile.text) {
            let used = known.isEmpty ? "no service of \(file) lists profiles" : "the profiles of \(file) are \(known.joined(separator: ", "))"
            sink.error(profile.location, "profile '\(profile.text)' is enabled but no service uses it (\(used))\(Suggestion.hint(for: profile.text, in: known))")
        }
        let leftOut = declared.filter { enabled.isDisjoint(with: $0.value) }
        for entry in services where compose.services[entry.key.text] != nil && leftOut[entry.key.text] == nil {
            let name = entry.key.text
            for (dep, location) in dependencyLocations(entry.value) {
                guard let profilesOfDep = leftOut[dep] else { continue }
                if compose.services[name]?.dependsOn[dep]?.required == false {
                    // Compose ignores an optional dependency on a service that does not run.
                    compose.services[name]?.dependsOn[dep] = nil
                    continue
                }
                let list = profilesOfDep.joined(separator: ", ")
                sink.error(location, "service '\(name)' depends on '\(dep)', which runs only with profile \(list) and that is not enabled; add it to 'profiles' in project.yml, give '\(name)' the same profile, or mark the dependency 'required: false'")
            }
        }
        for (name, names) in leftOut {
            compose.services[name] = nil
            compose.portLocations[name] = nil
            compose.leftOut[name] = names
        }
    }

    /// The Compose spec's pattern for profile names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
    static func isProfileName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("0"..."9").contains(first) || ("a"..."z").contains(first) || ("A"..."Z").contains(first)
        else { return false }
        return name.count >= 2 && name.unicodeScalars.allSatisfy { c in
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "." || c == "-"
        }
    }
}
