import Analytics
import Foundation
import LuminaTestSupport
import SQLKit
import Testing
@testable import LuminaServer

/// Dataset rows in tables of their own, on the engine under test (SQLite or PostgreSQL).
@Suite("dataset tables") struct DatasetTableStoreTests {
    // MARK: Building tables by hand

    static func column(_ name: String, _ type: ColumnType, _ storage: ColumnStorage, count: Int, nulls: [Int] = []) -> Column {
        var validity = ValidityBitmap(count: count)
        for row in nulls { validity[row] = false }
        return Column(name: name, type: type, storage: storage, validity: validity)
    }

    static func days(_ year: Int, _ month: Int, _ day: Int) -> Int32 { Int32(CivilDate(year: year, month: month, day: day).days) }

    static func seconds(_ year: Int, _ month: Int, _ day: Int, _ h: Int, _ m: Int, _ s: Int) -> Int64 {
        Int64(CivilDate(year: year, month: month, day: day).days) * 86_400 + Int64(h * 3600 + m * 60 + s)
    }

    /// Every type, with a null row and the edges of each range; null cells hold the reader's fillers.
    static var everyType: Table {
        let n = 5
        return Table(columns: [
            column("Order ID", .integer, .integer([1, -42, 0, .max, .min]), count: n, nulls: [2]),
            column("price €", .float, .float([1.5, -0.001, 0, 1e300, Double.leastNonzeroMagnitude]), count: n, nulls: [2]),
            column("paid?", .boolean, .boolean([true, false, false, true, false]), count: n, nulls: [2]),
            column("day", .date, .date([days(2024, 2, 29), days(1969, 12, 31), 0, days(9999, 12, 31), days(1, 1, 1)]), count: n, nulls: [2]),
            column("at", .datetime, .datetime([seconds(2024, 3, 1, 12, 34, 56), seconds(1960, 1, 1, 0, 0, 1), 0,
                                               seconds(9999, 12, 31, 23, 59, 59), seconds(1, 1, 1, 0, 0, 0)]), count: n, nulls: [2]),
            column("region", .category, .category(codes: [0, 1, 0, 0, 2], dictionary: ["north", "south", "Ünïcode 🎉"]), count: n, nulls: [2]),
            column("note", .text, .text(TextStorage(["hello", "", "", "x", "last"])), count: n, nulls: [2]),
        ], rowCount: n)
    }

    static let nasty: [String?] = [
        "plain", "\"; DROP TABLE users; --", "it's \"quoted\"", "tab\there", "line\nbreak", "carriage\rreturn", "crlf\r\n",
        "back\\slash", "\\N", "\\\\N", "\\t not a tab", "trailing backslash \\", "emoji 🎉👩‍👩‍👧", "中文 ünïcödé", "", nil,
        "  spaced  ", "a\u{1}control", "\u{FEFF}bom", "semi;colon,comma|pipe",
    ]

    static func nastyTable() -> Table {
        let values = nasty
        let text = Column(name: "text; DROP", values: values)
        var dictionary: [String] = []
        let codes = values.map { value -> UInt32 in
            guard let value else { return 0 }
            if let code = dictionary.firstIndex(of: value) { return UInt32(code) }
            dictionary.append(value)
            return UInt32(dictionary.count - 1)
        }
        let nulls = values.indices.filter { values[$0] == nil }
        let category = column("\"quoted\" name", .category, .category(codes: codes, dictionary: dictionary), count: values.count, nulls: nulls)
        return Table(columns: [text, category], rowCount: values.count)
    }

    /// Loads `table` as `name` in one bulk transaction, returning its columns.
    static func load(_ table: Table, as name: String, into store: DatasetTableStore,
                     progress: @escaping @Sendable (Int, Int) async -> Void = { _, _ in }) async throws -> [DatasetColumn] {
        try await store.database.bulkTransaction { connection in
            try await store.create(name, from: table, in: connection, progress: progress)
        }
    }

    // MARK: Tests

    @Test func namesAreGeneratedAndChecked() throws {
        #expect(DatasetTableStore.tableName(dataset: 12, stage: "raw", version: 1) == "ds_12_raw_1")
        #expect(DatasetTableStore.tableName(dataset: 12, stage: "clean", version: 3) == "ds_12_clean_3")
        #expect(DatasetTableStore.tableName(dataset: 7, stage: "Cleaned\"; --", version: 2) == "ds_7_cleaned______2")
        #expect(DatasetTableStore.columnName(0) == "c0")
        #expect(DatasetTableStore.columnName(17) == "c17")
        for bad in ["", "users\"; DROP TABLE users; --", "Ds_1", "1ds", "ds 1", "ds_1_raw_1;", String(repeating: "a", count: 64)] {
            #expect(throws: DatasetTableError.invalidTableName(bad)) { try DatasetTableStore.checkedName(bad) }
        }
        #expect(DatasetTableStore.sqliteBatchRows(columnCount: 8) == 500)
        #expect(DatasetTableStore.sqliteBatchRows(columnCount: 1000) == 32)
        #expect(DatasetTableStore.sqliteBatchRows(columnCount: 40_000) == 1)
    }

    @Test func everyTypeRoundTripsWithNulls() async throws {
        try await TestServer.run { client in
            let store = DatasetTableStore(database: client.services.database)
            let table = Self.everyType
            let name = DatasetTableStore.tableName(dataset: 1, stage: "raw", version: 1)
            let columns = try await Self.load(table, as: name, into: store)
            #expect(columns.map(\.name) == ["Order ID", "price €", "paid?", "day", "at", "region", "note"])
            #expect(columns.map(\.type) == ["integer", "float", "boolean", "date", "datetime", "category", "text"])
            #expect(columns.map(\.nullable) == Array(repeating: true, count: 7))

            let page = try await store.rows(of: name, columns: columns, offset: 0, limit: 10)
            #expect(page.total == 5)
            #expect(page.rows.count == 5)
            #expect(page.rows[0] == [.number(1), .number(1.5), .bool(true), .string("2024-02-29"), .string("2024-03-01T12:34:56Z"),
                                     .string("north"), .string("hello")])
            #expect(page.rows[1] == [.number(-42), .number(-0.001), .bool(false), .string("1969-12-31"), .string("1960-01-01T00:00:01Z"),
                                     .string("south"), .string("")])
            #expect(page.rows[2] == Array(repeating: JSONValue.null, count: 7))
            #expect(page.rows[3][1] == .number(1e300))
            #expect(page.rows[3][3] == .string("9999-12-31"))
            #expect(page.rows[3][4] == .string("9999-12-31T23:59:59Z"))
            #expect(page.rows[4][1] == .number(Double.leastNonzeroMagnitude))
            #expect(page.rows[4][3] == .string("0001-01-01"))
            #expect(page.rows[4][4] == .string("0001-01-01T00:00:00Z"))
            #expect(page.rows[4][5] == .string("Ünïcode 🎉"))

            let back = try await store.table(name, columns: columns)
            #expect(back == table)
        }
    }

    @Test func nastyStringsRoundTripExactly() async throws {
        try await TestServer.run { client in
            let store = DatasetTableStore(database: client.services.database)
            let table = Self.nastyTable()
            let name = DatasetTableStore.tableName(dataset: 2, stage: "raw", version: 1)
            let columns = try await Self.load(table, as: name, into: store)
            #expect(columns.map(\.name) == ["text; DROP", "\"quoted\" name"])
            let page = try await store.rows(of: name, columns: columns, offset: 0, limit: 100)
            let expected: [JSONValue] = Self.nasty.map { $0.map(JSONValue.string) ?? .null }
            #expect(page.rows.map { $0[0] } == expected)
            #expect(page.rows.map { $0[1] } == expected)
            #expect(try await store.table(name, columns: columns) == table)
            // The users table the injection names is untouched.
            let users = try await client.services.database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM users").first()?.decode(column: "n", as: Int.self)
            }
            #expect(users != nil)
        }
    }

    @Test func csvReadTableComesBackEqual() async throws {
        try await TestServer.run { client in
            let store = DatasetTableStore(database: client.services.database)
            let csv = """
            id,amount,active,day,when,city,comment
            1,10.5,true,2024-01-05,2024-01-05 10:00:00,Paris,"first, with comma"
            2,,false,2024-01-06,2024-01-06 11:30:00,Lyon,
            3,7.25,,2024-01-07,,Paris,"multi
            line"
            4,3,true,,2024-01-08 00:00:01,,plain

            """
            let read = try CSVDatasetReader.read(data: Array(csv.utf8))
            let name = DatasetTableStore.tableName(dataset: 3, stage: "raw", version: 1)
            let columns = try await Self.load(read.table, as: name, into: store)
            #expect(columns.count == read.table.columns.count)
            #expect(try await store.table(name, columns: columns) == read.table)
        }
    }

    @Test func pagesAreStableSlicesWithTotal() async throws {
        try await TestServer.run { client in
            let store = DatasetTableStore(database: client.services.database)
            let n = 1_000
            let table = Table(columns: [
                Self.column("n", .integer, .integer((0..<n).map { Int64($0 * 2) }), count: n),
                Column(name: "label", values: (0..<n).map { $0 % 7 == 0 ? nil : "r\($0)" }),
            ], rowCount: n)
            let name = DatasetTableStore.tableName(dataset: 4, stage: "clean", version: 2)
            let columns = try await Self.load(table, as: name, into: store)
            let middle = try await store.rows(of: name, columns: columns, offset: 100, limit: 3)
            #expect(middle.total == n)
            #expect(middle.rows == [[.number(200), .string("r100")], [.number(202), .string("r101")], [.number(204), .string("r102")]])
            #expect(try await store.rows(of: name, columns: columns, offset: 98, limit: 1).rows == [[.number(196), .null]])
            let tail = try await store.rows(of: name, columns: columns, offset: 990, limit: 50)
            #expect(tail.rows.count == 10)
            #expect(tail.rows.last == [.number(1998), .string("r999")])
            #expect(try await store.rows(of: name, columns: columns, offset: 5_000, limit: 10) == ([], n))
            #expect(try await store.rows(of: name, columns: columns, offset: 0, limit: 0).rows.isEmpty)
            var all: [[JSONValue]] = []
            for offset in stride(from: 0, to: n, by: 128) {
                all += try await store.rows(of: name, columns: columns, offset: offset, limit: 128).rows
            }
            #expect(all.count == n)
            #expect(all.enumerated().allSatisfy { $0.element[0] == .number(Double($0.offset * 2)) })
            await #expect(throws: DatasetTableError.invalidPage(offset: -1, limit: 10)) {
                try await store.rows(of: name, columns: columns, offset: -1, limit: 10)
            }
        }
    }

    @Test func emptyTableLoadsAndReports() async throws {
        try await TestServer.run { client in
            let store = DatasetTableStore(database: client.services.database)
            let table = Table(columns: [Self.column("x", .float, .float([]), count: 0)], rowCount: 0)
            let name = DatasetTableStore.tableName(dataset: 5, stage: "raw", version: 1)
            let calls = ProgressLog()
            let columns = try await Self.load(table, as: name, into: store) { await calls.add($0, $1) }
            #expect(columns.first?.nullable == false)
            #expect(await calls.all.count == 1)
            #expect(await calls.all.last.map { [$0.0, $0.1] } == [0, 0])
            #expect(try await store.rows(of: name, columns: columns, offset: 0, limit: 10) == ([], 0))
            #expect(try await store.table(name, columns: columns) == table)
        }
    }

    @Test func failingBodyRollsBackTheWholeLoad() async throws {
        try await TestServer.run { client in
            let database = client.services.database
            let store = DatasetTableStore(database: database)
            let name = DatasetTableStore.tableName(dataset: 6, stage: "raw", version: 1)
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await database.bulkTransaction { connection in
                    _ = try await store.create(name, from: Self.everyType, in: connection) { _, _ in }
                    try await connection.sql.raw("CREATE TABLE side_effect (x INTEGER)").run()
                    throw Abort()
                }
            }
            #expect(try await store.exists(name) == false)
            // Nothing else from that transaction survived, and the name is free to load again.
            await #expect(throws: (any Error).self) {
                try await database.withConnection { db in try await db.raw("SELECT * FROM side_effect").run() }
            }
            _ = try await Self.load(Self.everyType, as: name, into: store)
            #expect(try await store.exists(name))
            // A failure inside create itself (a date no engine can hold) also leaves nothing behind.
            var bad = Self.everyType
            bad.columns[3] = Self.column("day", .date, .date([0, 0, 0, Int32.max, 0]), count: 5)
            let badName = DatasetTableStore.tableName(dataset: 6, stage: "raw", version: 2)
            await #expect(throws: DatasetTableError.dateOutOfRange(column: "day", row: 3)) {
                _ = try await Self.load(bad, as: badName, into: store)
            }
            #expect(try await store.exists(badName) == false)
            // Dropping works inside a transaction and outside, and twice.
            try await database.transaction { db in try await store.drop(name, in: db) }
            try await database.withConnection { db in try await store.drop(name, in: db) }
            #expect(try await store.exists(name) == false)
        }
    }

    @Test func hundredThousandRowsLoadWithProgress() async throws {
        try await TestServer.run { client in
            let store = DatasetTableStore(database: client.services.database)
            let n = 100_000
            let table = Table(columns: [
                Self.column("id", .integer, .integer((0..<n).map(Int64.init)), count: n),
                // Null cells hold 0, as the CSV reader leaves them, so the read-back table compares equal.
                Self.column("value", .float, .float((0..<n).map { $0 % 10 == 3 ? 0 : Double($0) / 8 }), count: n,
                            nulls: Array(stride(from: 3, to: n, by: 10))),
                Self.column("day", .date, .date((0..<n).map { Int32($0 % 20_000) }), count: n),
                Self.column("kind", .category, .category(codes: (0..<n).map { UInt32($0 % 3) }, dictionary: ["a", "b", "c"]), count: n),
                Column(name: "note", values: (0..<n).map { $0 % 5 == 0 ? nil : "note \($0)\twith tab" }),
            ], rowCount: n)
            let name = DatasetTableStore.tableName(dataset: 7, stage: "raw", version: 1)
            let calls = ProgressLog()
            let columns = try await Self.load(table, as: name, into: store) { await calls.add($0, $1) }
            let reports = await calls.all
            #expect(reports.last.map { [$0.0, $0.1] } == [n, n])
            #expect(reports.count <= 102)
            #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.0 < $1.0 })
            let page = try await store.rows(of: name, columns: columns, offset: 99_998, limit: 10)
            #expect(page.total == n)
            let expected: [[JSONValue]] = [
                [.number(99_998), .number(99_998.0 / 8), .string(DatasetCellFormat.date(days: 99_998 % 20_000)), .string("c"),
                 .string("note 99998\twith tab")],
                [.number(99_999), .number(99_999.0 / 8), .string(DatasetCellFormat.date(days: 99_999 % 20_000)), .string("a"),
                 .string("note 99999\twith tab")],
            ]
            #expect(page.rows == expected)
            #expect(try await store.table(name, columns: columns) == table)
        }
    }

    @Test func unknownNamesAndTypesAreTypedErrors() async throws {
        try await TestServer.run { client in
            let store = DatasetTableStore(database: client.services.database)
            let name = DatasetTableStore.tableName(dataset: 8, stage: "raw", version: 1)
            let columns = try await Self.load(Self.everyType, as: name, into: store)
            var bad = columns
            bad[0].type = "money"
            await #expect(throws: DatasetTableError.unknownColumnType(column: "Order ID", type: "money")) {
                try await store.rows(of: name, columns: bad, offset: 0, limit: 1)
            }
            // Metadata that disagrees with the stored table is an error (the database's), not a wrong table.
            await #expect(throws: (any Error).self) {
                try await store.table(name, columns: columns + [DatasetColumn(name: "extra", type: "text", nullable: true)])
            }
            await #expect(throws: DatasetTableError.invalidTableName("users; --")) {
                try await store.table("users; --", columns: [])
            }
        }
    }
}

/// Progress reports as they arrive.
actor ProgressLog {
    var all: [(Int, Int)] = []
    func add(_ written: Int, _ total: Int) { all.append((written, total)) }
}
