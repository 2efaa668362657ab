import BerthConfig
import Testing

/// The small parsers: durations, sizes, shell words, env files, CIDR blocks and suggestions.
@Suite struct TextFormatTests {
    @Test(arguments: [
        ("0", 0), ("0s", 0), ("30s", 30_000), ("1m30s", 90_000), ("500ms", 500), ("1.5s", 1_500), ("2h", 7_200_000),
        ("1h2m3s", 3_723_000), ("250us", 0), ("1500us", 2), ("90m", 5_400_000), (" 10s ", 10_000), ("0.5m", 30_000),
    ])
    func timeSpanParses(_ text: String, _ milliseconds: Int) {
        #expect(TimeSpan(parsing: text)?.milliseconds == milliseconds)
    }

    @Test(arguments: ["", "10", "s", "1x", "1 s", "-1s", "1s2", "1..5s", "1e3s", "99999999999999999h"])
    func timeSpanRejects(_ text: String) {
        #expect(TimeSpan(parsing: text) == nil)
    }

    @Test(arguments: [
        (0, "0s"), (500, "500ms"), (1_000, "1s"), (1_500, "1.5s"), (90_000, "1m30s"), (90_500, "1m30.5s"),
        (3_600_000, "1h"), (3_630_000, "1h30s"), (3_723_040, "1h2m3.04s"), (60_000, "1m"),
    ])
    func timeSpanPrintsGoStyleAndParsesBack(_ milliseconds: Int, _ text: String) {
        let span = TimeSpan(milliseconds: milliseconds)
        #expect(span.description == text)
        #expect(TimeSpan(parsing: span.description) == span)
    }

    @Test func timeSpanOrdersAndConverts() {
        #expect(TimeSpan.seconds(2) < TimeSpan(milliseconds: 2_001))
        #expect(TimeSpan.seconds(3).seconds == 3.0 && TimeSpan(milliseconds: 2).nanoseconds == 2_000_000)
    }

    @Test(arguments: [
        ("1024", 1024), ("0", 0), ("100b", 100), ("64k", 65_536), ("64kb", 65_536), ("512m", 536_870_912),
        ("64M", 67_108_864), ("1g", 1_073_741_824), ("1.5g", 1_610_612_736), ("2GB", 2_147_483_648),
    ])
    func byteSizeParses(_ text: String, _ bytes: Int) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test(arguments: ["", "-1", "m", "12q", "1 g", "-1m", "1e3m", "99999999999999999999g", "lots"])
    func byteSizeRejects(_ text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    @Test(arguments: [
        ("echo hi", ["echo", "hi"]), ("  a   b  ", ["a", "b"]), ("sh -c 'echo $HOME'", ["sh", "-c", "echo $HOME"]),
        ("say \"two words\" 'x y'", ["say", "two words", "x y"]), ("a\\ b c", ["a b", "c"]), ("''", [""]),
        ("\"a \\\"quoted\\\" b\"", ["a \"quoted\" b"]), ("x'y'z", ["xyz"]), ("", []),
    ])
    func shellWordsSplit(_ text: String, _ words: [String]) {
        #expect(ShellWords.split(text) == words)
    }

    @Test(arguments: ["echo 'open", "echo \"open", "trailing\\"])
    func shellWordsRejectUnclosed(_ text: String) {
        #expect(ShellWords.split(text) == nil)
    }

    static func env(_ text: String, variables: [String: String]? = nil, raw: Bool = false) -> ([String: String], [Diagnostic]) {
        let sink = DiagnosticSink()
        let pairs = EnvFile.parse(text, file: "x.env", variables: variables, raw: raw, sink: sink)
        return (Dictionary(pairs, uniquingKeysWith: { _, later in later }), sink.sorted)
    }

    @Test func envFileSyntax() {
        let text = """
            # comment
            \u{20}\u{20}# indented comment

            A=1
            export B = two
            C="double \\"quoted\\"\\nline"
            D='single $NOT # kept'
            E=unquoted # comment
            F=url#fragment
            G=
            H="multi
            line"
            I=a=b
            A=last wins
            """
        let (values, problems) = Self.env(text)
        #expect(problems.isEmpty, "\(render(problems))")
        #expect(values == ["A": "last wins", "B": "two", "C": "double \"quoted\"\nline", "D": "single $NOT # kept",
                           "E": "unquoted", "F": "url#fragment", "G": "", "H": "multi\nline", "I": "a=b"])
    }

    @Test func envFileInterpolatesUnlessSingleQuotedOrRaw() {
        let text = "A=${OUT}\nB=\"$A-${OUT}\"\nC='$A'\nD=$$A\n"
        let (values, problems) = Self.env(text, variables: ["OUT": "o", "A": "from-environment"])
        #expect(problems.isEmpty, "\(render(problems))")
        #expect(values == ["A": "o", "B": "from-environment-o", "C": "$A", "D": "$A"])
        let (literal, _) = Self.env(text, variables: nil)
        #expect(literal["A"] == "${OUT}")
        let (raw, _) = Self.env("A=\"${OUT}\" # c\n", variables: ["OUT": "o"], raw: true)
        #expect(raw == ["A": "\"${OUT}\" # c"])
    }

    @Test func envFileLaterKeysSeeEarlierOnes() {
        let (values, _) = Self.env("HOST=db\nURL=postgres://${HOST}:5432\n", variables: [:])
        #expect(values["URL"] == "postgres://db:5432")
    }

    @Test func envFileProblemsHavePositions() {
        let (_, problems) = Self.env("OK=1\n  = nothing\nA=\"x\" junk\nB=${NOPE}\nC=\"${NOPE:?why}\"\n", variables: [:])
        #expect(problems.map(\.location.description) == ["x.env:2:3", "x.env:3:7", "x.env:4:3", "x.env:5:4"], "\(render(problems))")
        #expect(problems[0].message.contains("names no variable"))
        #expect(problems[1].message.contains("unexpected 'junk' after the closing quote"))
        #expect(problems[2].message.contains("variable NOPE is not set"))
        #expect(problems[3].message.contains("variable NOPE is required but not set: why"))
    }

    @Test func envFileHandlesCRLFAndBOM() {
        let (values, problems) = Self.env("\u{FEFF}A=1\r\nB=\"2\"\r\n# c\r\nC=3")
        #expect(problems.isEmpty && values == ["A": "1", "B": "2", "C": "3"])
    }

    @Test(arguments: [
        ("10.213.0.0/16", "10.213.0.0/16", 65_536), ("0.0.0.0/0", "0.0.0.0/0", 4_294_967_296), ("192.168.1.7/32", "192.168.1.7/32", 1),
    ])
    func cidrParses(_ text: String, _ printed: String, _ size: UInt64) throws {
        let net = try #require(IPv4Network(parsing: text))
        #expect(net.description == printed && net.size == size)
    }

    @Test(arguments: ["10.213.0.1/16", "10.213.0.0", "10.213.0/16", "256.0.0.0/8", "10.0.0.0/33", "10.0.0.0/-1", "a.b.c.d/8", "10.0.0.0/"])
    func cidrRejects(_ text: String) {
        #expect(IPv4Network(parsing: text) == nil)
    }

    @Test func cidrArithmetic() throws {
        let pool = try #require(IPv4Network(parsing: "10.213.0.0/16"))
        let sub = try #require(IPv4Network(parsing: "10.213.4.0/26"))
        #expect(pool.contains(sub) && !sub.contains(pool) && pool.overlaps(sub) && sub.overlaps(pool))
        #expect(!pool.overlaps(try #require(IPv4Network(parsing: "10.214.0.0/16"))))
        #expect(pool.subnetCount(prefix: 26) == 1024 && pool.subnetCount(prefix: 16) == 1 && pool.subnetCount(prefix: 8) == 0)
        #expect(pool.subnet(0, prefix: 26).description == "10.213.0.0/26")
        #expect(pool.subnet(1023, prefix: 26).description == "10.213.255.192/26")
        #expect(sub.gateway == "10.213.4.1" && IPv4Network.format(sub.last) == "10.213.4.63")
        #expect(IPv4Network.parseAddress("1.2.3.4") == 0x0102_0304 && IPv4Network.parseAddress("1.2.3") == nil)
        #expect(IPv4Network(address: 0x0A0A_0A0A, prefix: 8).description == "10.0.0.0/8")
    }

    @Test(arguments: [
        ("imgae", ["image", "command"], "image"), ("enviroment", ["environment", "env_file"], "environment"),
        ("Image", ["image"], "image"), ("restrat", ["restart", "read_only"], "restart"), ("hossts", ["host", "hosts"], "hosts"),
    ])
    func suggestionFindsTheClosest(_ word: String, _ candidates: [String], _ expected: String) {
        #expect(Suggestion.closest(to: word, in: candidates) == expected)
        #expect(Suggestion.hint(for: word, in: candidates) == " (did you mean '\(expected)'?)")
    }

    @Test(arguments: [("web", ["db"]), ("x", ["to"]), ("zzzz", ["image"]), ("image", ["image"])])
    func suggestionStaysQuietWhenNothingIsClose(_ word: String, _ candidates: [String]) {
        #expect(Suggestion.closest(to: word, in: candidates) == nil)
        #expect(Suggestion.hint(for: word, in: candidates) == "")
    }

    @Test func suggestionTiesGoToTheFirstAlphabetically() {
        #expect(Suggestion.closest(to: "ab", in: ["ac", "aa", "ad"]) == "aa")
        #expect(Suggestion.closest(to: "ab", in: Set(["ad", "ac", "aa"])) == "aa")
    }
}
