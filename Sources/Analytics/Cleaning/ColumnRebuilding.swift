/// The few ways cleaning rebuilds a column: keep a subset of rows, fill empty cells, change the
/// type. Each works on the column where it lies: the caller's table has handed its columns over
/// (`Cleaner.clean` consumes it), so a column is freed as soon as its replacement exists and the
/// table never exists twice.
enum ColumnRebuilding {
    /// Restricts the column to the members of `rows`.
    static func gather(_ column: inout Column, rows: RowSet) {
        var validity = ValidityBitmap(count: rows.count, allValid: true)
        if column.validity.nullCount > 0 {
            for (j, i) in rows.enumerated() where !column.validity[i] { validity[j] = false }
        }
        // The old arrays go when `storage` does, right after their smaller copies are built.
        let storage = column.takeStorage()
        switch storage {
        case .integer(let a): column.storage = .integer(a.gathering(rows))
        case .float(let a): column.storage = .float(a.gathering(rows))
        case .boolean(let a): column.storage = .boolean(a.gathering(rows))
        case .date(let a): column.storage = .date(a.gathering(rows))
        case .datetime(let a): column.storage = .datetime(a.gathering(rows))
        case .category(let codes, let dictionary): column.storage = .category(codes: codes.gathering(rows), dictionary: dictionary)
        case .text(let t): column.storage = .text(t.gather(rows: rows))
        }
        column.validity = validity
    }

    /// Marks every cell valid, after its empty cells were given values.
    static func markAllValid(_ column: inout Column) {
        column.validity = ValidityBitmap(count: column.count, allValid: true)
    }

    /// Sets the cells that `validity` marks empty to `fill`, in place.
    static func fillEmpty<T>(_ values: inout [T], validity: ValidityBitmap, with fill: T) {
        values.withUnsafeMutableBufferPointer { v in
            for i in 0..<v.count where !validity[i] { v[i] = fill }
        }
    }
}

extension Array {
    /// The elements at the members of `rows`, in order, in an array of exactly that size.
    func gathering(_ rows: RowSet) -> [Element] {
        withUnsafeBufferPointer { source in
            [Element](unsafeUninitializedCapacity: rows.count) { out, initialized in
                var j = 0
                for i in rows {
                    out.initializeElement(at: j, to: source[i])
                    j += 1
                }
                initialized = j
            }
        }
    }
}
