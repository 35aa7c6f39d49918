import SQLKit

extension DatasetTableStore {
    /// Every generated dataset table in the database (`ds_…`), for tests and housekeeping that must
    /// prove nothing was left behind.
    func allDatasetTables() async throws -> [String] {
        try await database.withConnection { db in
            let query: SQLQueryString = database.engine == .postgres
                ? "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'ds\\_%'"
                : "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'ds\\_%' ESCAPE '\\'"
            return try await db.raw(query).all().map { try $0.decode(column: "name", as: String.self) }.sorted()
        }
    }

    /// The generated tables of one dataset (raw and cleaned versions).
    func tableNames(ofDataset id: Int) async throws -> [String] {
        try await allDatasetTables().filter { $0.hasPrefix("ds_\(id)_") }
    }
}
