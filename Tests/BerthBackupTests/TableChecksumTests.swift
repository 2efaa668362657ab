@testable import BerthBackup
import Foundation
import Testing
import TestSupport

/// The per-table checksum a backup records and a restore is compared with, computed by a real PostgreSQL 15.
@Suite(.serialized, .enabled(if: PostgresServer.available, "PostgreSQL 15 is not installed (scripts/setup.sh installs it)"))
struct TableChecksumTests {
    func counts(_ server: PostgresServer, legacy: Bool = false) throws -> [TableDigest] {
        let output = try server.psql(Postgres.countsSQL(["public.t", "public.empty"], legacy: legacy))
        return Postgres.parseCounts(output.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) })
    }

    @Test func theChecksumIgnoresRowOrderAndCatchesAnyChangedValue() throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        _ = try server.psql("CREATE TABLE t (id int, name text); CREATE TABLE empty (x int); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 5000) g;")
        let first = try counts(server)
        #expect(first.map(\.rows) == [5000, 0])
        #expect(first.allSatisfy { $0.checksum.hasPrefix(Postgres.sum64Prefix) } && first[1].checksum == "s64:0", "\(first)")
        #expect(!Postgres.isLegacy(first))
        // The same rows in another physical order: the same checksum.
        _ = try server.psql("CREATE TABLE t2 AS SELECT * FROM t ORDER BY random(); DROP TABLE t; ALTER TABLE t2 RENAME TO t;")
        #expect(try counts(server) == first)
        // One value changed, or two rows' values swapped: another checksum.
        _ = try server.psql("UPDATE t SET name = name || 'x' WHERE id = 4321;")
        let changed = try counts(server)
        #expect(changed[0].rows == 5000 && changed[0].checksum != first[0].checksum)
        _ = try server.psql("UPDATE t SET name = substr(name, 1, 32) WHERE id = 4321;")
        #expect(try counts(server)[0].checksum == first[0].checksum)  // the value back: the same rows
        // Two rows exchanging their names: the same multiset of names, other rows.
        _ = try server.psql("UPDATE t SET name = CASE id WHEN 1 THEN md5('2') ELSE md5('1') END WHERE id IN (1, 2);")
        #expect(try counts(server)[0].checksum != first[0].checksum)
    }

    @Test func recordsMadeTheOldWayAreComparedTheOldWay() throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        _ = try server.psql("CREATE TABLE t (id int); CREATE TABLE empty (x int); INSERT INTO t SELECT generate_series(1, 100);")
        let legacy = try counts(server, legacy: true)
        let expected = try server.psql("SELECT md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))) FROM t")
        #expect(legacy[0].checksum == expected && legacy[1].checksum == "")
        #expect(Postgres.isLegacy(legacy))
        #expect(!Postgres.isLegacy([TableDigest(table: "public.empty", rows: 0, checksum: "")]))
    }
}
