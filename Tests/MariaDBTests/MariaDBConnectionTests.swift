import Foundation
import XCTest

@testable import MariaDB

/// Runs against a real server given by FUSIO_AUTH_TEST_MARIADB_SOCKET (+ _USER, _PASSWORD, _DATABASE);
/// skipped without it. Each test uses its own tables, dropped first.
final class MariaDBConnectionTests: XCTestCase {
    private static let libraryInitialized: Void = MariaDBConnection.initializeLibrary()

    private var connections: [MariaDBConnection] = []

    override func tearDown() {
        for connection in connections {
            connection.close()
        }
        connections = []
        super.tearDown()
    }

    private func configuration() throws -> MariaDBConfiguration {
        let environment = ProcessInfo.processInfo.environment
        guard let socket = environment["FUSIO_AUTH_TEST_MARIADB_SOCKET"], !socket.isEmpty else {
            throw XCTSkip("FUSIO_AUTH_TEST_MARIADB_SOCKET not set")
        }
        return MariaDBConfiguration(
            host: "localhost",
            port: 0,
            user: environment["FUSIO_AUTH_TEST_MARIADB_USER"] ?? "fusio",
            password: environment["FUSIO_AUTH_TEST_MARIADB_PASSWORD"] ?? "",
            database: environment["FUSIO_AUTH_TEST_MARIADB_DATABASE"] ?? "fusio",
            unixSocket: socket
        )
    }

    private func makeConnection() throws -> MariaDBConnection {
        _ = Self.libraryInitialized
        let connection = MariaDBConnection(configuration: try configuration())
        connections.append(connection)
        return connection
    }

    private func connectionID(_ connection: MariaDBConnection) throws -> Int {
        try XCTUnwrap(connection.query("SELECT CONNECTION_ID()").first?.int(0))
    }

    /// KILLs `victim`'s server connection from `killer` and waits until the server has dropped it.
    private func kill(_ victimID: Int, from killer: MariaDBConnection) throws {
        try killer.executeScript("KILL \(victimID)")
        for _ in 0..<200 {
            let rows = try killer.query(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?", [.int(Int64(victimID))])
            if rows.first?.int(0) == 0 { return }
            usleep(10_000)
        }
        XCTFail("connection \(victimID) still alive after KILL")
    }

    // MARK: - Queries

    func testQueryBindsIntTextAndNullAndReturnsNull() throws {
        let db = try makeConnection()
        XCTAssertFalse(db.isConnected)  // lazy
        let rows = try db.query("SELECT ? + 1, ?, ?, NULL, 'x' WHERE 1 = ?", [.int(41), .text("héllo ✓"), .null, .int(1)])
        XCTAssertTrue(db.isConnected)
        XCTAssertEqual(rows.count, 1)
        let row = try XCTUnwrap(rows.first)
        XCTAssertEqual(row.columns.count, 5)
        XCTAssertEqual(row.int(0), 42)
        XCTAssertEqual(row[1], "héllo ✓")
        XCTAssertNil(row[2])
        XCTAssertNil(row.string(3))
        XCTAssertNil(row.int(3))
        XCTAssertEqual(row.string(4), "x")
        XCTAssertNil(row.int(4))

        XCTAssertEqual(try db.query("SELECT 1 WHERE 1 = ?", [.int(2)]).count, 0)
        XCTAssertEqual(try db.query("SELECT ''").first?[0], "")
        XCTAssertEqual(try db.query("SELECT ?", [.text("")]).first?[0], "")
        XCTAssertEqual(try db.query("SELECT ?", [.int(Int64.min)]).first?[0], String(Int64.min))
    }

    func testTypedColumnsComeBackAsText() throws {
        let db = try makeConnection()
        try db.executeScript("""
            DROP TABLE IF EXISTS mdbtest_types;
            CREATE TABLE mdbtest_types (
                id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                big BIGINT NULL,
                created DATETIME NULL,
                amount DECIMAL(10,2) NULL,
                name VARCHAR(3) NULL
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
            """)
        try db.execute(
            "INSERT INTO mdbtest_types (big, created, amount, name) VALUES (?, ?, ?, ?)",
            [.int(-9_000_000_000_000), .text("2024-02-29 13:14:15"), .text("12345678.90"), .text("äöü")])
        try db.execute("INSERT INTO mdbtest_types (big, created, amount, name) VALUES (NULL, NULL, NULL, NULL)")
        let rows = try db.query("SELECT id, big, created, amount, name FROM mdbtest_types ORDER BY id")
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows[0].int(0), 1)
        XCTAssertEqual(rows[0].int(1), -9_000_000_000_000)
        XCTAssertEqual(rows[0][2], "2024-02-29 13:14:15")
        XCTAssertEqual(rows[0][3], "12345678.90")
        XCTAssertEqual(rows[0][4], "äöü")
        XCTAssertEqual(rows[1].columns, [rows[1][0], nil, nil, nil, nil])
    }

    func testLongTextLargerThanBufferRoundTrips() throws {
        let db = try makeConnection()
        try db.executeScript("""
            DROP TABLE IF EXISTS mdbtest_long;
            CREATE TABLE mdbtest_long (id INT PRIMARY KEY, body LONGTEXT NULL, tail VARCHAR(10) NULL)
                DEFAULT CHARSET=utf8mb4;
            """)
        // ~100 KB with multi-byte characters, so a wrong byte count would corrupt UTF-8.
        let unit = "abcdefghij-ä-€-😀\n"
        let big = String(repeating: unit, count: 100_000 / unit.utf8.count + 1)
        XCTAssertGreaterThan(big.utf8.count, 100_000)
        try db.execute("INSERT INTO mdbtest_long (id, body, tail) VALUES (?, ?, ?)", [.int(1), .text(big), .text("end")])
        try db.execute("INSERT INTO mdbtest_long (id, body, tail) VALUES (?, ?, ?)", [.int(2), .text("short"), .null])
        try db.execute("INSERT INTO mdbtest_long (id, body, tail) VALUES (?, ?, ?)", [.int(3), .null, .text("t")])

        for _ in 0..<3 {  // the cached statement and its buffers are reused
            let rows = try db.query("SELECT id, body, tail FROM mdbtest_long ORDER BY id")
            XCTAssertEqual(rows.count, 3)
            XCTAssertEqual(rows[0][1]?.utf8.count, big.utf8.count)
            XCTAssertTrue(rows[0][1] == big)
            XCTAssertEqual(rows[0][2], "end")
            XCTAssertEqual(rows[1][1], "short")
            XCTAssertNil(rows[1][2])
            XCTAssertNil(rows[2][1])
            XCTAssertEqual(rows[2][2], "t")
        }
        let length = try db.query("SELECT LENGTH(body) FROM mdbtest_long WHERE id = ?", [.int(1)])
        XCTAssertEqual(length.first?.int(0), big.utf8.count)
    }

    // MARK: - Writes

    func testExecuteReturnsLastInsertIDAndAffectedRows() throws {
        let db = try makeConnection()
        try db.executeScript("""
            DROP TABLE IF EXISTS mdbtest_exec;
            CREATE TABLE mdbtest_exec (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL);
            """)
        let first = try db.execute("INSERT INTO mdbtest_exec (name) VALUES (?)", [.text("a")])
        XCTAssertEqual(first.affectedRows, 1)
        XCTAssertEqual(first.lastInsertID, 1)
        let second = try db.execute("INSERT INTO mdbtest_exec (name) VALUES (?)", [.text("b")])
        XCTAssertEqual(second.lastInsertID, 2)
        let update = try db.execute("UPDATE mdbtest_exec SET name = ? WHERE id <= ?", [.text("z"), .int(2)])
        XCTAssertEqual(update.affectedRows, 2)
        XCTAssertEqual(update.lastInsertID, 0)
        let unchanged = try db.execute("UPDATE mdbtest_exec SET name = ? WHERE id = ?", [.text("z"), .int(1)])
        XCTAssertEqual(unchanged.affectedRows, 0)  // no CLIENT_FOUND_ROWS
        let delete = try db.execute("DELETE FROM mdbtest_exec WHERE id = ?", [.int(1)])
        XCTAssertEqual(delete.affectedRows, 1)
        XCTAssertEqual(try db.query("SELECT COUNT(*) FROM mdbtest_exec").first?.int(0), 1)
    }

    func testDuplicateKeyErrorIsClassifiedAndDescriptionHasNoValue() throws {
        let db = try makeConnection()
        try db.executeScript("""
            DROP TABLE IF EXISTS mdbtest_dup;
            CREATE TABLE mdbtest_dup (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, token VARCHAR(64) NOT NULL,
                UNIQUE KEY uniq_token (token));
            """)
        let secret = "secret-token-4711"
        try db.execute("INSERT INTO mdbtest_dup (token) VALUES (?)", [.text(secret)])
        do {
            try db.execute("INSERT INTO mdbtest_dup (token) VALUES (?)", [.text(secret)])
            XCTFail("expected a duplicate key error")
        } catch let error as MariaDBError {
            XCTAssertTrue(error.isDuplicateKey)
            XCTAssertFalse(error.isConnectionFailure)
            XCTAssertFalse(error.isDeadlockOrLockTimeout)
            XCTAssertEqual(error.code, 1062)
            XCTAssertEqual(error.sqlState, "23000")
            XCTAssertEqual(error.description, "MariaDB error 1062 (23000)")
            XCTAssertEqual("\(error)", "MariaDB error 1062 (23000)")
            XCTAssertFalse(error.description.contains(secret))
            XCTAssertTrue(error.serverMessage.contains(secret))
        }
        // The connection and the cached statement stay usable after a statement error.
        XCTAssertTrue(db.isConnected)
        try db.execute("INSERT INTO mdbtest_dup (token) VALUES (?)", [.text("other")])
        XCTAssertEqual(try db.query("SELECT COUNT(*) FROM mdbtest_dup").first?.int(0), 2)
    }

    func testSyntaxErrorLeavesConnectionUsable() throws {
        let db = try makeConnection()
        XCTAssertThrowsError(try db.query("SELEC nonsense")) { error in
            XCTAssertEqual((error as? MariaDBError)?.code, 1064)
            XCTAssertEqual((error as? MariaDBError)?.isConnectionFailure, false)
        }
        XCTAssertThrowsError(try db.query("SELECT * FROM mdbtest_does_not_exist"))
        XCTAssertEqual(try db.query("SELECT 7").first?.int(0), 7)
    }

    // MARK: - Transactions

    private struct BodyError: Error {}

    func testTransactionCommitsAndRollsBackOnThrow() throws {
        let db = try makeConnection()
        let other = try makeConnection()
        try db.executeScript("""
            DROP TABLE IF EXISTS mdbtest_tx;
            CREATE TABLE mdbtest_tx (id INT NOT NULL PRIMARY KEY, name VARCHAR(20) NOT NULL) ENGINE=InnoDB;
            """)
        let result = try db.transaction { tx -> Int in
            try tx.execute("INSERT INTO mdbtest_tx (id, name) VALUES (?, ?)", [.int(1), .text("one")])
            try tx.execute("INSERT INTO mdbtest_tx (id, name) VALUES (?, ?)", [.int(2), .text("two")])
            // Not visible to another connection before COMMIT.
            XCTAssertEqual(try other.query("SELECT COUNT(*) FROM mdbtest_tx").first?.int(0), 0)
            return try tx.query("SELECT COUNT(*) FROM mdbtest_tx").first?.int(0) ?? -1
        }
        XCTAssertEqual(result, 2)
        XCTAssertEqual(try other.query("SELECT COUNT(*) FROM mdbtest_tx").first?.int(0), 2)

        XCTAssertThrowsError(try db.transaction { tx in
            try tx.execute("INSERT INTO mdbtest_tx (id, name) VALUES (?, ?)", [.int(3), .text("three")])
            try tx.execute("UPDATE mdbtest_tx SET name = ? WHERE id = ?", [.text("changed"), .int(1)])
            throw BodyError()
        }) { error in
            XCTAssertTrue(error is BodyError)
        }
        XCTAssertEqual(try other.query("SELECT COUNT(*) FROM mdbtest_tx").first?.int(0), 2)
        XCTAssertEqual(try other.query("SELECT name FROM mdbtest_tx WHERE id = ?", [.int(1)]).first?[0], "one")

        // A database error in the body rolls back too, and the connection is usable afterwards.
        XCTAssertThrowsError(try db.transaction { tx in
            try tx.execute("INSERT INTO mdbtest_tx (id, name) VALUES (?, ?)", [.int(4), .text("four")])
            try tx.execute("INSERT INTO mdbtest_tx (id, name) VALUES (?, ?)", [.int(1), .text("dup")])
        }) { error in
            XCTAssertEqual((error as? MariaDBError)?.isDuplicateKey, true)
        }
        XCTAssertEqual(try db.query("SELECT COUNT(*) FROM mdbtest_tx").first?.int(0), 2)
    }

    func testTransactionRerunsBodyAfterConnectionLoss() throws {
        let db = try makeConnection()
        let killer = try makeConnection()
        try db.executeScript("""
            DROP TABLE IF EXISTS mdbtest_txkill;
            CREATE TABLE mdbtest_txkill (id INT NOT NULL PRIMARY KEY, attempt INT NOT NULL) ENGINE=InnoDB;
            """)
        var attempts = 0
        try db.transaction { tx in
            attempts += 1
            try tx.execute("INSERT INTO mdbtest_txkill (id, attempt) VALUES (?, ?)", [.int(1), .int(Int64(attempts))])
            if attempts == 1 {
                try kill(try connectionID(tx), from: killer)
            }
            try tx.execute("INSERT INTO mdbtest_txkill (id, attempt) VALUES (?, ?)", [.int(2), .int(Int64(attempts))])
        }
        XCTAssertEqual(attempts, 2)
        let rows = try killer.query("SELECT id, attempt FROM mdbtest_txkill ORDER BY id")
        XCTAssertEqual(rows.map { $0.int(0) }, [1, 2])
        XCTAssertEqual(rows.map { $0.int(1) }, [2, 2])
    }

    /// The connection dies after the body, so COMMIT is what fails: the server rolled back. With a `committed`
    /// check that finds nothing, the body runs once more and its rows are there exactly once.
    func testLostCommitIsCheckedThenRerunOnce() throws {
        let db = try makeConnection()
        let killer = try makeConnection()
        try db.executeScript("""
            DROP TABLE IF EXISTS mdbtest_txcommit;
            CREATE TABLE mdbtest_txcommit (id INT NOT NULL PRIMARY KEY, attempt INT NOT NULL) ENGINE=InnoDB;
            """)
        var attempts = 0
        var checks = 0
        let value = try db.transaction({ tx in
            attempts += 1
            try tx.execute("INSERT INTO mdbtest_txcommit (id, attempt) VALUES (1, ?)", [.int(Int64(attempts))])
            if attempts == 1 {
                try kill(try connectionID(tx), from: killer)
            }
            return attempts
        }, committed: { connection in
            checks += 1
            return try !connection.query("SELECT 1 FROM mdbtest_txcommit WHERE id = 1").isEmpty
        })
        XCTAssertEqual(value, 2)
        XCTAssertEqual(checks, 1)
        let rows = try killer.query("SELECT attempt FROM mdbtest_txcommit")
        XCTAssertEqual(rows.map { $0.int(0) }, [2])
    }

    /// Without a `committed` check a lost COMMIT stays an error: whether it happened is unknown.
    func testLostCommitWithoutCheckIsThrown() throws {
        let db = try makeConnection()
        let killer = try makeConnection()
        try db.executeScript("""
            DROP TABLE IF EXISTS mdbtest_txcommit2;
            CREATE TABLE mdbtest_txcommit2 (id INT NOT NULL PRIMARY KEY) ENGINE=InnoDB;
            """)
        var attempts = 0
        XCTAssertThrowsError(try db.transaction { tx in
            attempts += 1
            try tx.execute("INSERT INTO mdbtest_txcommit2 (id) VALUES (1)")
            try kill(try connectionID(tx), from: killer)
        }) { error in
            XCTAssertTrue((error as? MariaDBError)?.isConnectionFailure == true)
        }
        XCTAssertEqual(attempts, 1)
    }

    // MARK: - Statement cache

    func testStatementCacheSurvivesThousandExecutions() throws {
        let db = try makeConnection()
        let statusSQL = "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'COM_STMT_PREPARE'"
        let before = try XCTUnwrap(db.query(statusSQL).first?.int(0))
        for i in 0..<1000 {
            let rows = try db.query("SELECT ? * 2, ?", [.int(Int64(i)), i % 3 == 0 ? .null : .text("v\(i)")])
            XCTAssertEqual(rows.first?.int(0), i * 2)
            XCTAssertEqual(rows.first?[1], i % 3 == 0 ? nil : "v\(i)")
        }
        let after = try XCTUnwrap(db.query(statusSQL).first?.int(0))
        XCTAssertEqual(after - before, 1, "the loop's statement should be prepared exactly once")
    }

    // MARK: - Connection failures

    func testQueryReconnectsTransparentlyAfterKill() throws {
        let db = try makeConnection()
        let killer = try makeConnection()
        let firstID = try connectionID(db)
        XCTAssertEqual(try db.query("SELECT ?", [.int(1)]).first?.int(0), 1)  // cache a statement
        try kill(firstID, from: killer)
        XCTAssertTrue(db.isConnected)  // does not know yet

        let rows = try db.query("SELECT ?", [.int(2)])
        XCTAssertEqual(rows.first?.int(0), 2)
        let secondID = try connectionID(db)
        XCTAssertNotEqual(firstID, secondID)

        // ping reconnects the same way.
        try kill(secondID, from: killer)
        try db.ping()
        XCTAssertNotEqual(try connectionID(db), secondID)
    }

    func testExecuteIsNotRetriedAfterKill() throws {
        let db = try makeConnection()
        let killer = try makeConnection()
        try db.executeScript("""
            DROP TABLE IF EXISTS mdbtest_noretry;
            CREATE TABLE mdbtest_noretry (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY);
            """)
        try kill(try connectionID(db), from: killer)
        XCTAssertThrowsError(try db.execute("INSERT INTO mdbtest_noretry () VALUES ()")) { error in
            XCTAssertEqual((error as? MariaDBError)?.isConnectionFailure, true)
            XCTAssertFalse("\(error)".isEmpty)
        }
        XCTAssertFalse(db.isConnected)
        // The next call reconnects.
        try db.execute("INSERT INTO mdbtest_noretry () VALUES ()")
        XCTAssertEqual(try db.query("SELECT COUNT(*) FROM mdbtest_noretry").first?.int(0), 1)
    }

    func testWrongSocketFailsFastWithConnectionFailure() throws {
        var configuration = try configuration()
        configuration.unixSocket = "/tmp/fusio-auth-no-such-dir/mysqld.sock"
        _ = Self.libraryInitialized
        let db = MariaDBConnection(configuration: configuration)
        let start = Date()
        XCTAssertThrowsError(try db.connect()) { error in
            let error = error as? MariaDBError
            XCTAssertEqual(error?.isConnectionFailure, true)
            XCTAssertEqual(error?.code, 2002)
        }
        XCTAssertThrowsError(try db.query("SELECT 1")) { error in
            XCTAssertEqual((error as? MariaDBError)?.isConnectionFailure, true)
        }
        XCTAssertThrowsError(try db.ping())
        XCTAssertFalse(db.isConnected)
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0)
    }

    func testWrongPasswordIsConnectionFailureWithoutSecretInDescription() throws {
        var configuration = try configuration()
        configuration.password = "definitely-wrong-password"
        _ = Self.libraryInitialized
        let db = MariaDBConnection(configuration: configuration)
        XCTAssertThrowsError(try db.connect()) { error in
            let error = error as? MariaDBError
            XCTAssertEqual(error?.code, 1045)
            XCTAssertEqual(error?.isConnectionFailure, true)
            XCTAssertEqual(error?.description.contains("definitely"), false)
        }
    }

    func testCloseAndReconnect() throws {
        let db = try makeConnection()
        try db.connect()
        XCTAssertTrue(db.isConnected)
        let firstID = try connectionID(db)
        try db.connect()  // reconnects
        XCTAssertNotEqual(try connectionID(db), firstID)
        db.close()
        XCTAssertFalse(db.isConnected)
        XCTAssertEqual(try db.query("SELECT 3").first?.int(0), 3)  // lazily reconnects
    }

    // MARK: - Scripts

    func testExecuteScriptHandlesSemicolonsInLiteralsAndComments() throws {
        let db = try makeConnection()
        try db.executeScript("""
            -- setup; with a semicolon in a comment
            DROP TABLE IF EXISTS mdbtest_script;
            # another comment; here
            CREATE TABLE `mdbtest_script` (
                id INT NOT NULL PRIMARY KEY,
                body VARCHAR(100) NOT NULL /* inline; comment */
            );
            INSERT INTO mdbtest_script (id, body) VALUES (1, 'a;b');
            INSERT INTO mdbtest_script (id, body) VALUES (2, 'it''s; \\'quoted\\'');
            INSERT INTO mdbtest_script (id, body) VALUES (3, "double; \\"q\\"");;
            ;
            /* trailing; block */
            """)
        let rows = try db.query("SELECT body FROM mdbtest_script ORDER BY id")
        XCTAssertEqual(rows.map { $0[0] }, ["a;b", "it's; 'quoted'", "double; \"q\""])

        XCTAssertThrowsError(try db.executeScript("SELECT 1; SELEC 2;")) { error in
            XCTAssertEqual((error as? MariaDBError)?.code, 1064)
        }
    }

    func testScriptSplitterWithoutServer() {
        XCTAssertEqual(SQLScriptSplitter.statements(in: ""), [])
        XCTAssertEqual(SQLScriptSplitter.statements(in: " ; ;\n -- only a comment\n"), [])
        XCTAssertEqual(SQLScriptSplitter.statements(in: "SELECT 1;SELECT 2"), ["SELECT 1", "SELECT 2"])
        XCTAssertEqual(SQLScriptSplitter.statements(in: "SELECT 'a;b'; SELECT \"c;d\""), ["SELECT 'a;b'", "SELECT \"c;d\""])
        XCTAssertEqual(SQLScriptSplitter.statements(in: "SELECT `x;y` FROM t; SELECT 1"), ["SELECT `x;y` FROM t", "SELECT 1"])
        XCTAssertEqual(SQLScriptSplitter.statements(in: "SELECT 'it''s;'; SELECT 'a\\';b'"), ["SELECT 'it''s;'", "SELECT 'a\\';b'"])
        XCTAssertEqual(SQLScriptSplitter.statements(in: "SELECT 1 -- c;c\n; SELECT 2 # d;d\n"), ["SELECT 1 -- c;c", "SELECT 2 # d;d"])
        XCTAssertEqual(SQLScriptSplitter.statements(in: "SELECT 1--1;SELECT 2"), ["SELECT 1--1", "SELECT 2"])
        XCTAssertEqual(SQLScriptSplitter.statements(in: "SELECT /* a;b */ 1; /* only; comment */"), ["SELECT /* a;b */ 1"])
        XCTAssertEqual(SQLScriptSplitter.statements(in: "/*!40101 SET NAMES utf8mb4 */;"), ["/*!40101 SET NAMES utf8mb4 */"])
    }
}
