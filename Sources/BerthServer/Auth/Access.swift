import Foundation
import Hummingbird

/// Who may do what (see docs/api.md): `read` reads everything within its projects; `deploy` queues and
/// cancels deploys within its projects and reads only the tasks it created; `admin` does everything.
enum Access {
    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, "forbidden", message) }

    static func requireRead(_ token: APIToken, project: String? = nil) throws {
        guard token.scope == .read || token.scope == .admin else {
            throw forbidden("the token '\(token.name)' has scope \(token.scope.rawValue); this route needs read or admin")
        }
        if let project, !token.allows(project) {
            throw forbidden("the token '\(token.name)' is limited to \(token.projects.joined(separator: ", ")); not \(project)")
        }
    }

    static func requireAdmin(_ token: APIToken) throws {
        guard token.scope == .admin else { throw forbidden("the token '\(token.name)' has scope \(token.scope.rawValue); this route needs admin") }
    }

    /// Deploying `projects` (nil: every project).
    static func requireDeploy(_ token: APIToken, projects: [String]?) throws {
        guard token.scope == .deploy || token.scope == .admin else {
            throw forbidden("the token '\(token.name)' has scope \(token.scope.rawValue); deploying needs deploy or admin")
        }
        guard !token.projects.isEmpty else { return }
        guard let projects else {
            throw forbidden("the token '\(token.name)' is limited to \(token.projects.joined(separator: ", ")); name the projects to deploy")
        }
        let outside = projects.filter { !token.allows($0) }
        if !outside.isEmpty {
            throw forbidden("the token '\(token.name)' may not deploy \(outside.joined(separator: ", ")) (limited to \(token.projects.joined(separator: ", ")))")
        }
    }

    /// Creating or removing the project `name` (a tenant stack): admin, or a deploy token limited to projects
    /// that include `name` (an unlimited deploy token may deploy, not write the repository).
    static func requireTenant(_ token: APIToken, _ name: String) throws {
        switch token.scope {
        case .admin: return
        case .deploy where token.projects.contains(name): return
        case .deploy:
            throw forbidden("the token '\(token.name)' may create or remove only projects it is limited to (--project \(name)), or needs admin")
        case .read: throw forbidden("the token '\(token.name)' has scope read; creating or removing projects needs admin or deploy")
        }
    }

    static func canSee(_ token: APIToken, _ task: DeployTask) -> Bool {
        switch token.scope {
        case .admin: true
        case .deploy: task.createdBy == token.name
        case .read: token.projects.isEmpty || (task.projects.map { $0.allSatisfy(token.allows) } ?? false)
        }
    }

    static func requireCancel(_ token: APIToken, _ task: DeployTask) throws {
        switch token.scope {
        case .admin: return
        case .deploy where task.createdBy == token.name: return
        default: throw forbidden("the token '\(token.name)' may cancel only tasks it created (or needs admin)")
        }
    }
}
