import Foundation

/// Finds exact duplicate rows with open-addressing tables keyed by row hash.
///
/// Equal rows hash equal, so rows whose hashes fall in different classes (the top bits of the
/// hash) can never repeat each other: large tables split their rows into one class per core, and
/// each core finds the first occurrences in its class in row order, with a table of its own.
/// Every row is a duplicate exactly when an earlier row of its class is equal to it, so the
/// result is the one a single pass gives (`firstOccurrencesInOnePass`, which the tests compare).
enum Deduplicator {
    /// The rows to keep (first occurrences) and how many rows repeat an earlier one.
    ///
    /// Memory beyond the table: the row hashes (8 bytes a row), the rows of each class (4 bytes
    /// a row) and the slots (8 bytes each, between 4/3 and 8/3 per row of a class, so probe runs
    /// stay short), all freed on return; the result is one bit per row.
    static func firstOccurrences(_ table: Table) -> (keep: RowSet, duplicates: Int) {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard Parallel.worthIt(rows: table.rowCount), cores > 1 else { return firstOccurrencesInOnePass(table) }
        let n = table.rowCount
        let hashes = RowHasher.hashes(table)
        // A power of two of classes, at least one per core; each class's rows in ascending order.
        var classes = 1
        while classes < cores { classes <<= 1 }
        let shift = UInt64(64 - classes.trailingZeroBitCount)
        var members = [[Int32]](repeating: [], count: classes)
        for c in 0..<classes { members[c].reserveCapacity(n / classes + n / (8 * classes) + 16) }
        for (i, h) in hashes.enumerated() { members[Int(h >> shift)].append(Int32(i)) }
        let repeated = Parallel.map(members) { rows in
            hashes.withUnsafeBufferPointer { h in
                rows.withUnsafeBufferPointer { repeatedRows(table, hashes: h, rows: $0) }
            }
        }
        var keep = RowSet(rows: n, all: true)
        for rows in repeated {
            for row in rows { keep.remove(Int(row)) }
        }
        return (keep, n - keep.count)
    }

    /// The same answer in one pass over all rows on one core: for small tables, and the plain
    /// definition the parallel search must agree with.
    static func firstOccurrencesInOnePass(_ table: Table) -> (keep: RowSet, duplicates: Int) {
        let n = table.rowCount
        let hashes = RowHasher.hashes(table)
        var keep = RowSet(rows: n, all: true)
        let all = (0..<Int32(n)).map { $0 }
        let repeated = hashes.withUnsafeBufferPointer { h in all.withUnsafeBufferPointer { repeatedRows(table, hashes: h, rows: $0) } }
        for row in repeated { keep.remove(Int(row)) }
        return (keep, n - keep.count)
    }

    /// Those of `rows` (ascending) that are equal to an earlier one of them.
    ///
    /// A slot holds a row + 1 in its low 32 bits and the top 32 bits of the row's hash above:
    /// a probe compares those bits before it reads the other row's hash (a cache miss, since
    /// rows land in random slots), so most probes past other rows cost one memory access.
    private static func repeatedRows(_ table: Table, hashes h: UnsafeBufferPointer<UInt64>, rows: UnsafeBufferPointer<Int32>) -> [Int32] {
        var capacity = 16
        while capacity * 3 < 4 * rows.count { capacity <<= 1 }
        let mask = capacity - 1
        // 0 marks an empty slot.
        var slots = [UInt64](repeating: 0, count: capacity)
        var repeated: [Int32] = []
        slots.withUnsafeMutableBufferPointer { s in
            for row in rows {
                let i = Int(row)
                let hash = h[i]
                let tag = hash & 0xFFFF_FFFF_0000_0000
                var slot = Int(truncatingIfNeeded: hash) & mask
                var duplicate = false
                while s[slot] != 0 {
                    let entry = s[slot]
                    if entry & 0xFFFF_FFFF_0000_0000 == tag {
                        let j = Int(entry & 0xFFFF_FFFF) - 1
                        if h[j] == hash && RowHasher.rowsEqual(table, i, j) {
                            duplicate = true
                            break
                        }
                    }
                    slot = (slot + 1) & mask
                }
                if duplicate {
                    repeated.append(row)
                } else {
                    s[slot] = tag | UInt64(i + 1)
                }
            }
        }
        return repeated
    }
}
