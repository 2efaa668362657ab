import BerthConfig
import Testing
import TestSupport

/// `${VAR}` and friends: the Interpolator itself, and compose.yml with the environment and `.env`.
@Suite struct InterpolationTests {
    static let interpolator = Interpolator(variables: ["SET": "value", "EMPTY": "", "PORT": "8080"])

    @Test(arguments: [
        ("plain text", "plain text"),
        ("$SET", "value"), ("${SET}", "value"), ("a${SET}b", "avalueb"), ("$SET-$PORT", "value-8080"),
        ("${SET:-default}", "value"), ("${EMPTY:-default}", "default"), ("${UNSET:-default}", "default"),
        ("${SET-default}", "value"), ("${EMPTY-default}", ""), ("${UNSET-default}", "default"),
        ("${SET:+alt}", "alt"), ("${EMPTY:+alt}", ""), ("${EMPTY+alt}", "alt"), ("${UNSET+alt}", ""),
        ("${UNSET:-${SET}}", "value"), ("${UNSET:-}", ""), ("${UNSET-}", ""),
        ("${SET:-${UNSET}}", "value"),  // an unused default is not expanded
        ("$$", "$"), ("$${SET}", "${SET}"), ("cost: $$5", "cost: $5"), ("$$$SET", "$value"),
        ("${SET:?needed}", "value"), ("${EMPTY?needed}", ""),
        ("héllo ${SET} ✓", "héllo value ✓"),
    ])
    func expands(_ text: String, _ expected: String) throws {
        #expect(try Self.interpolator.interpolate(text) == expected)
    }

    @Test(arguments: [
        ("${UNSET:?set UNSET to the API key}", Interpolator.Failure.required(name: "UNSET", message: "set UNSET to the API key"), 0),
        ("x ${EMPTY:?must not be empty}", .required(name: "EMPTY", message: "must not be empty"), 2),
        ("${UNSET?}", .required(name: "UNSET", message: ""), 0),
        ("${UNSET}", .unset(name: "UNSET"), 0),
        ("abc $UNSET", .unset(name: "UNSET"), 4),
        ("ü${UNSET}", .unset(name: "UNSET"), 1),
    ])
    func failsAtTheDollar(_ text: String, _ failure: Interpolator.Failure, _ offset: Int) {
        #expect(throws: Interpolator.LocatedFailure(failure: failure, offset: offset)) {
            try Self.interpolator.interpolateLocated(text)
        }
        #expect(throws: failure) { try Self.interpolator.interpolate(text) }
    }

    @Test(arguments: ["${SET", "$-x", "cost 5$", "${}", "${1X}", "${SET:x}", "${SET!}"])
    func syntaxErrors(_ text: String) {
        #expect(throws: Interpolator.Failure.self) { try Self.interpolator.interpolate(text) }
        do {
            _ = try Self.interpolator.interpolate(text)
        } catch {
            guard case .syntax = error else {
                Issue.record("expected a syntax error for \(text), got \(error)")
                return
            }
        }
    }

    // MARK: - In a repository

    static let compose = """
        services:
          web:
            image: ${IMAGE:-nginx}:${TAG}
            command: echo ${GREETING-hello} $$HOME
            environment:
              EMPTY_OR_DEFAULT: ${BLANK:-fallback}
              UNSET_ONLY: ${BLANK-fallback}
              FROM_DOTENV: ${DOTENV_ONLY}
              OVERRIDDEN: ${BOTH}
        """

    @Test func environmentAndDotEnv() throws {
        let s = try Repo.service(Self.compose, files: [
            "projects/app/.env": "TAG=1.27\nBOTH=from-dotenv\nDOTENV_ONLY=${TAG}-dot\nBLANK=\n",
        ], environment: ["BOTH": "from-environment", "GREETING": "hi"])
        #expect(s.image == "nginx:1.27")
        #expect(s.command == ["echo", "hi", "$HOME"])
        #expect(s.environment["EMPTY_OR_DEFAULT"] == "fallback")  // set but empty: ':-' uses the default
        #expect(s.environment["UNSET_ONLY"] == "")  // set but empty: '-' keeps the empty value
        #expect(s.environment["FROM_DOTENV"] == "1.27-dot")
        #expect(s.environment["OVERRIDDEN"] == "from-environment")  // the environment wins over .env
    }

    @Test func environmentWinsOverDotEnvInsideDotEnvToo() throws {
        let s = try Repo.service(Repo.webCompose + "\n    environment: {V: \"$${X} ${V}\"}\n", files: ["projects/app/.env": "X=1\nV=${X}\n"],
                                 environment: ["X": "2"])
        #expect(s.environment["V"] == "${X} 2")
    }

    @Test func requiredVariableNamesItselfAtItsPosition() {
        let compose = "services:\n  web:\n    image: nginx\n    command: run --token ${TOKEN:?create a token first}\n"
        let problems = Repo.problems(["projects/app/compose.yml": compose])
        expectSingle(problems, "projects/app/compose.yml", 4, 26, "variable TOKEN is required but not set: create a token first",
                     "environment or the project's .env file")
    }

    @Test func requiredVariableInAQuotedScalar() {
        let compose = "services:\n  web:\n    image: \"nginx:${TAG:?}\"\n"
        let problems = Repo.problems(["projects/app/compose.yml": compose])
        expectSingle(problems, "projects/app/compose.yml", 3, 19, "variable TAG is required but not set")
    }

    @Test func unsetVariableIsAnErrorNotAnEmptyString() {
        let compose = "services:\n  web:\n    image: nginx\n    environment:\n      PASSWORD: ${POSTGRES_PASSWROD}\n"
        let problems = Repo.problems(["projects/app/compose.yml": compose], environment: ["POSTGRES_PASSWORD": "x"])
        expectSingle(problems, "projects/app/compose.yml", 5, 17, "variable POSTGRES_PASSWROD is not set", "${POSTGRES_PASSWROD:-}")
    }

    @Test func requiredVariableInAMultiLineScalarPointsAtTheScalar() {
        let compose = "services:\n  web:\n    image: nginx\n    command: >\n      run\n      ${MISSING:?}\n"
        let problems = Repo.problems(["projects/app/compose.yml": compose])
        expectSingle(problems, "projects/app/compose.yml", 4, 14, "variable MISSING is required")
    }

    @Test func loneDollarIsAnError() {
        let problems = Repo.problems(["projects/app/compose.yml": Repo.webCompose + "\n    environment: {PRICE: 5$}\n"])
        expectSingle(problems, "projects/app/compose.yml", 4, 27, "a lone '$' at the end of \"5$\"; write '$$'")
    }

    @Test func dotEnvProblemsAreReportedInTheDotEnvFile() {
        let problems = Repo.problems(["projects/app/compose.yml": Repo.webCompose, "projects/app/.env": "A=1\nB='open\n"])
        expectSingle(problems, "projects/app/.env", 2, 3, "the quoted value starting here is never closed")
    }

    @Test func platformFileIsNotInterpolated() {
        let problems = Repo.problems(["platform.yml": "domain: ${DOMAIN}\n"], environment: ["DOMAIN": "example.test"])
        expectSingle(problems, "platform.yml", 1, 9, "'domain' is not a valid DNS name: '${DOMAIN}'")
    }

    @Test func keysAreNotInterpolated() throws {
        let s = try Repo.service(Repo.webCompose + "\n    labels: {\"${NOT_A_VAR}\": x}\n")
        #expect(s.labels == ["${NOT_A_VAR}": "x"])
    }
}
