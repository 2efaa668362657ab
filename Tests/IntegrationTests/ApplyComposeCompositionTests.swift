import Foundation
import Testing
import TestSupport

/// Compose files composed of several files (`include`, `extends` from another file) and `profiles`, end to end.
extension ApplyE2ETests {
    /// The included service and the extended one run with what their own files say (a bind mount relative to
    /// the other file's directory, merged environment); a service with a profile runs only once project.yml
    /// enables it, and the plan says which service it left out.
    @Test func includeExtendsAndProfilesDeploy() async throws {
        try await E2EScenario.run("e2ecompose-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            let project = "e2ecompose-app"
            try s.write("shared/base.yml", """
                services:
                  app:
                    image: berth-demo/app:1
                    environment: [APP_VERSION=1, FROM_BASE=base]
                    volumes:
                      - ./www:/srv/shared:ro
                """)
            try s.write("shared/www/hello.txt", "hello from the shared directory\n")
            try s.write("projects/\(project)/db.yml", """
                services:
                  db:
                    image: berth-demo/app:1
                    environment: {APP_VERSION: db}
                """)
            try s.write("projects/\(project)/compose.yml", """
                include: [db.yml]
                services:
                  web:
                    extends: { file: ../../shared/base.yml, service: app }
                    environment: {FROM_WEB: web}
                    depends_on: [db]
                  debug:
                    image: berth-demo/app:1
                    profiles: [debug]
                """)
            try s.write("projects/\(project)/project.yml", "rollout: {ready_timeout: 30s}\n")
            let plan = try await s.berth("plan")
            #expect(plan.stdout.contains("Not deployed: \(project)/debug (profiles: debug)"), "\(plan.stdout)")
            let first = try await s.apply()
            try #require(first.status == 0, "\(first)")
            #expect(await E2E.runningContainers("\(project)-db-").count == 1)
            #expect(await E2E.containers("\(project)-debug-").isEmpty, "the debug profile is not enabled")
            let web = try #require(await E2E.runningContainers("\(project)-web-").first)
            let file = await E2E.exec(web, "cat /srv/shared/hello.txt")
            #expect(file.stdout == "hello from the shared directory\n", "\(file)")
            let env = await E2E.exec(web, "echo $FROM_BASE-$FROM_WEB-$APP_VERSION")
            #expect(env.stdout == "base-web-1\n", "\(env)")

            try s.write("projects/\(project)/project.yml", "rollout: {ready_timeout: 30s}\nprofiles: [debug]\n")
            let second = try await s.apply()
            try #require(second.status == 0, "\(second)")
            #expect(await E2E.runningContainers("\(project)-debug-").count == 1, "enabling the profile starts the service")
            #expect(await E2E.runningContainers("\(project)-web-") == [web], "nothing else rolls out")
        }
    }
}
