/// The few ways cleaning rebuilds a column: keep a subset of rows, fill empty cells, change the
/// type. Each works on the column where it lies: the caller's table has handed its columns over
/// (`Cleaner.clean` consumes it), so a column is freed as soon as its replacement exists and the
/// table never exists twice.
enum ColumnRebuilding {
    /// Restricts the column to the members of `rows`.
    static func gather(_ column: inout Column, rows: RowSet) {
        let validity = column.validity.nullCount > 0 ? column.validity.gathering(rows) : ValidityBitmap(count: rows.count, allValid: true)
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
    /// The elements at the members of `rows`, in order, in an array of exactly that size, copied
    /// a run of consecutive rows at a time.
    func gathering(_ rows: RowSet) -> [Element] {
        precondition(rows.rows <= count, "a row set of a longer table")
        return withUnsafeBufferPointer { source in
            [Element](unsafeUninitializedCapacity: rows.count) { out, initialized in
                var j = 0
                if let from = source.baseAddress, let to = out.baseAddress {
                    rows.forEachRun { run in
                        (to + j).initialize(from: from + run.lowerBound, count: run.count)
                        j += run.count
                    }
                }
                initialized = j
            }
        }
    }
}

extension ValidityBitmap {
    /// The bits of the members of `rows`, in order, written a word at a time.
    func gathering(_ rows: RowSet) -> ValidityBitmap {
        precondition(rows.rows <= count, "a row set of a longer table")
        var result = ValidityBitmap(count: rows.count, allValid: false)
        var valid = 0
        words.withUnsafeBufferPointer { source in
            result.words.withUnsafeMutableBufferPointer { target in
                var j = 0
                var word: UInt64 = 0
                rows.forEachRun { run in
                    for i in run {
                        word |= ((source[i >> 6] >> UInt64(i & 63)) & 1) << UInt64(j & 63)
                        j += 1
                        if j & 63 == 0 {
                            target[(j >> 6) - 1] = word
                            valid += word.nonzeroBitCount
                            word = 0
                        }
                    }
                }
                if j & 63 != 0 {
                    target[j >> 6] = word
                    valid += word.nonzeroBitCount
                }
            }
        }
        result.nullCount = rows.count - valid
        return result
    }
}
