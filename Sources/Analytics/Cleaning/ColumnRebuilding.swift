/// The few ways cleaning builds new columns: keep a subset of rows, replace category
/// dictionaries, replace text values, fill empty cells. Every function returns a new column;
/// the input table is never mutated.
enum ColumnRebuilding {
    /// The column restricted to `rows` (ascending row indices).
    static func gather(_ column: Column, rows: [Int]) -> Column {
        var validity = ValidityBitmap(count: rows.count, allValid: true)
        if column.validity.nullCount > 0 {
            for (j, i) in rows.enumerated() where !column.validity[i] { validity[j] = false }
        }
        let storage: ColumnStorage
        switch column.storage {
        case .integer(let a): storage = .integer(rows.map { a[$0] })
        case .float(let a): storage = .float(rows.map { a[$0] })
        case .boolean(let a): storage = .boolean(rows.map { a[$0] })
        case .date(let a): storage = .date(rows.map { a[$0] })
        case .datetime(let a): storage = .datetime(rows.map { a[$0] })
        case .category(let codes, let dictionary): storage = .category(codes: rows.map { codes[$0] }, dictionary: dictionary)
        case .text(let t): storage = .text(t.gather(rows: rows))
        }
        return Column(name: column.name, type: column.type, storage: storage, validity: validity)
    }

    /// Same column with every cell marked valid (after its empty cells were given values).
    static func withAllValid(_ column: Column, storage: ColumnStorage) -> Column {
        Column(name: column.name, type: column.type, storage: storage,
               validity: ValidityBitmap(count: column.count, allValid: true))
    }

    static func with(_ column: Column, type: ColumnType, storage: ColumnStorage, validity: ValidityBitmap) -> Column {
        Column(name: column.name, type: type, storage: storage, validity: validity)
    }
}
