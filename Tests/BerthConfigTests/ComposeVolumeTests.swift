import BerthConfig
import Foundation
import Testing
import TestSupport

/// Volumes (top-level and mounts) and env files.
@Suite struct ComposeVolumeTests {
    static let compose = """
        services:
          web:
            image: nginx
            volumes:
              - data:/var/lib/data
              - cache:/cache:ro
              - ./config:/etc/app:ro
              - /srv/shared:/shared:rw
              - /anonymous
              - type: volume
                source: data
                target: /more
                read_only: true
                volume: {nocopy: true}
              - type: bind
                source: ./static
                target: /static
                bind: {create_host_path: false}
              - type: tmpfs
                target: /scratch
                tmpfs: {size: 64m}
        volumes:
          data:
          cache:
            name: shared-cache
            driver: local
            driver_opts: {type: none, o: bind, device: /srv/cache}
            labels: {backup: daily}
          outside:
            external: true
        """

    @Test func mountsInShortAndLongSyntax() throws {
        let root = Repo.write(["projects/app/compose.yml": Self.compose])
        defer { Fixtures.cleanup(root) }
        let repository = try Fixtures.load(root)
        let project = try #require(repository.project("app"))
        let mounts = try #require(project.compose.services["web"]?.volumes)
        let dir = project.directory.path
        #expect(mounts.map(\.type) == [.volume, .volume, .bind, .bind, .volume, .volume, .bind, .tmpfs])
        #expect(mounts.map(\.source) == ["data", "cache", "\(dir)/config", "/srv/shared", nil, "data", "\(dir)/static", nil])
        #expect(mounts.map(\.target) == ["/var/lib/data", "/cache", "/etc/app", "/shared", "/anonymous", "/more", "/static", "/scratch"])
        #expect(mounts.map(\.readOnly) == [false, true, true, false, false, true, false, false])
        #expect(mounts[5].noCopy && !mounts[0].noCopy)
        #expect(mounts[6].createHostPath == false && mounts[2].createHostPath)
        #expect(mounts[7].tmpfsSize == 64 << 20)
        #expect(project.compose.services["web"]?.namedVolumes == ["data", "cache", "data"])
    }

    @Test func topLevelVolumes() throws {
        let root = Repo.write(["projects/app/compose.yml": Self.compose])
        defer { Fixtures.cleanup(root) }
        let volumes = try #require(try Fixtures.load(root).project("app")?.compose.volumes)
        #expect(volumes.keys.sorted() == ["cache", "data", "outside"])
        #expect(volumes["data"] == ComposeVolume())
        let cache = try #require(volumes["cache"])
        #expect(cache.name == "shared-cache" && cache.driver == "local" && !cache.external)
        #expect(cache.driverOpts == ["type": "none", "o": "bind", "device": "/srv/cache"] && cache.labels == ["backup": "daily"])
        #expect(volumes["outside"]?.external == true)
    }

    static func web(_ lines: String) -> String { "services:\n  web:\n    image: nginx\n" + lines }

    struct Case: Sendable, CustomStringConvertible {
        var lines: String
        var line: Int
        var column: Int
        var fragment: String
        var description: String { fragment }
    }

    static let mountProblems: [Case] = [
        Case(lines: "    volumes: [dta:/data]\nvolumes:\n  data: {}\n", line: 4, column: 15,
             fragment: "mounts volume 'dta', which is not declared under the top-level 'volumes' (did you mean 'data'?)"),
        Case(lines: "    volumes: [\"/a:b\"]\n", line: 4, column: 15, fragment: "mount target 'b' in service 'web' must be an absolute path"),
        Case(lines: "    volumes: [\"/a:/b:rox\"]\n", line: 4, column: 15, fragment: "unknown mount option 'rox'"),
        Case(lines: "    volumes: [\"data:/b:rslave\"]\nvolumes:\n  data: {}\n", line: 4, column: 15, fragment: "unknown mount option 'rslave'"),
        Case(lines: "    volumes: [\"/a:/b:ro:x\"]\n", line: 4, column: 15, fragment: "is not SOURCE:TARGET[:MODE]"),
        Case(lines: "    volumes:\n      - type: npipe\n        target: /x\n", line: 5, column: 15, fragment: "must be volume, bind or tmpfs, found 'npipe'"),
        Case(lines: "    volumes:\n      - type: bind\n        target: /x\n", line: 5, column: 9, fragment: "a bind mount in service 'web' needs 'source'"),
        Case(lines: "    volumes:\n      - type: bind\n        source: /x\n        target: /x\n        bind: {propagation: sideways}\n",
             line: 8, column: 29, fragment: "'propagation' must be one of private, rprivate, shared, rshared, slave, rslave"),
        Case(lines: "    volumes:\n      - type: tmpfs\n        target: /x\n        tmpfs: {mode: 1789}\n",
             line: 7, column: 23, fragment: "must be an octal file mode"),
        Case(lines: "    volumes:\n      - type: tmpfs\n        target: /x\n        bind: {create_host_path: true}\n",
             line: 7, column: 15, fragment: "'bind' options apply to bind mounts only, but this mount is 'tmpfs'"),
        Case(lines: "    volumes: data:/data\n", line: 4, column: 14, fragment: "'volumes' in service 'web' must be a list, found a scalar"),
    ]

    /// SELinux labels, propagation and tmpfs modes, as the short and the long syntax write them.
    @Test func bindLabelsPropagationAndTmpfsMode() throws {
        let s = try Repo.service(Self.web("""
                volumes:
                  - /srv/a:/a:ro,z
                  - /:/rootfs:ro,rslave
                  - type: bind
                    source: /srv/b
                    target: /b
                    bind: {propagation: rshared, selinux: Z}
                  - type: tmpfs
                    target: /t
                    tmpfs: {size: 1m, mode: 1777}

            """))
        #expect(s.volumes.map(\.selinux) == ["z", nil, "Z", nil])
        #expect(s.volumes.map(\.propagation) == [nil, "rslave", "rshared", nil])
        #expect(s.volumes[0].readOnly && s.volumes[1].readOnly)
        #expect(s.volumes[3].tmpfsMode == 0o1777 && s.volumes[3].tmpfsSize == 1 << 20)
    }

    @Test(arguments: mountProblems)
    func mountProblem(_ c: Case) {
        expectSingle(Repo.problems(["projects/app/compose.yml": Self.web(c.lines)]), "projects/app/compose.yml", c.line, c.column, c.fragment)
    }

    @Test func nullDriverOptionIsReported() {
        let compose = Repo.webCompose + "\nvolumes:\n  data:\n    driver_opts:\n      device:\n"
        expectSingle(Repo.problems(["projects/app/compose.yml": compose]), "projects/app/compose.yml", 7, 7,
                     "'device' in 'driver_opts' in volume 'data' has no value")
    }

    // MARK: - env_file

    @Test func envFileShortAndLongSyntax() throws {
        let s = try Repo.service(Self.web("""
                env_file:
                  - common.env
                  - path: ./local.env
                    required: false
                  - path: literal.env
                    format: raw
                environment:
                  FROM_BOTH: environment
            """), files: [
                "projects/app/common.env": "# comment\nexport COMMON=1\nFROM_BOTH=file\nQUOTED=\"a b\" # trailing\nREF=${COMMON}-x\n",
                "projects/app/literal.env": "RAW=\"${NOT}\" # kept\n",
            ])
        #expect(s.environment == ["COMMON": "1", "FROM_BOTH": "environment", "QUOTED": "a b", "REF": "1-x",
                                  "RAW": "\"${NOT}\" # kept"])
    }

    @Test func envFileAsAString() throws {
        let s = try Repo.service(Self.web("    env_file: app.env\n"), files: ["projects/app/app.env": "A=1\r\nB=2\r\n"])
        #expect(s.environment == ["A": "1", "B": "2"])
    }

    @Test func missingRequiredEnvFile() {
        let problems = Repo.problems(["projects/app/compose.yml": Self.web("    env_file: [app.env, {path: opt.env, required: false}]\n")])
        expectSingle(problems, "projects/app/compose.yml", 4, 16, "env_file 'app.env' does not exist", "required: false")
    }

    @Test func problemsInsideAnEnvFileCarryItsPosition() {
        let problems = Repo.problems([
            "projects/app/compose.yml": Self.web("    env_file: app.env\n"),
            "projects/app/app.env": "OK=1\nNOT A LINE\nbad key=1\nX=${MISSING}\n",
        ])
        #expect(problems.count == 3, "\(render(problems))")
        expectContains(problems, "projects/app/app.env", 2, 1, "expected KEY=value, found 'NOT A LINE'")
        expectContains(problems, "projects/app/app.env", 3, 1, "invalid variable name 'bad key'")
        expectContains(problems, "projects/app/app.env", 4, 3, "variable MISSING is not set")
    }

    @Test func envFileFormatMustBeRaw() {
        let problems = Repo.problems([
            "projects/app/compose.yml": Self.web("    env_file:\n      - path: app.env\n        format: json\n"),
            "projects/app/app.env": "A=1\n",
        ])
        expectSingle(problems, "projects/app/compose.yml", 6, 17, "'format' of an env_file must be 'raw'")
    }
}
