import Foundation

/// 64-bit hashes of whole rows over typed values, for exact-duplicate detection.
///
/// Each column is folded into the row hashes in one tight pass over its typed array (category
/// codes, integer and float bit patterns, date numbers; text by its UTF-8 bytes), so hashing a
/// million rows costs a few milliseconds. Empty cells hash as a constant distinct from any value.
/// Equal rows always hash equal; unequal rows may collide and are told apart by `rowsEqual`.
enum RowHasher {
    static let nullHash: UInt64 = 0x9E37_79B9_7F4A_7C15

    @inline(__always)
    static func mix(_ h: UInt64, _ v: UInt64) -> UInt64 {
        var x = (h ^ v) &* 0xBF58_476D_1CE4_E5B9
        x ^= x >> 31
        return x &* 0x94D0_49BB_1331_11EB
    }

    /// Row hashes; large tables hash their two halves on separate cores, each into its own part
    /// of the one result array.
    static func hashes(_ table: Table) -> [UInt64] {
        var hashes = [UInt64](repeating: 0x243F_6A88_85A3_08D3, count: table.rowCount)
        _ = Parallel.halves(&hashes) { rows, h in fold(table, rows: rows, into: h) }
        return hashes
    }

    /// Folds every column's cells of `rows` into `h` (indexed by row, like the table). Validity
    /// is read from the bitmap's words directly, and columns without empty cells skip it.
    static func fold(_ table: Table, rows: Range<Int>, into h: UnsafeMutableBufferPointer<UInt64>) {
        for column in table.columns {
            let all = column.validity.nullCount == 0
            column.validity.words.withUnsafeBufferPointer { words in
                func fold<T>(_ a: [T], _ bits: (T) -> UInt64) {
                    a.withUnsafeBufferPointer { v in
                        if all {
                            for i in rows { h[i] = mix(h[i], bits(v[i])) }
                        } else {
                            for i in rows {
                                let valid = (words[i >> 6] >> UInt64(i & 63)) & 1 != 0
                                h[i] = mix(h[i], valid ? bits(v[i]) : nullHash)
                            }
                        }
                    }
                }
                switch column.storage {
                case .integer(let a): fold(a) { UInt64(bitPattern: $0) }
                // +0.0 for -0.0 so values that compare equal hash equal.
                case .float(let a): fold(a) { ($0 == 0 ? 0.0 : $0).bitPattern }
                case .boolean(let a): fold(a) { $0 ? 1 : 2 }
                case .date(let a): fold(a) { UInt64(bitPattern: Int64($0)) }
                case .datetime(let a): fold(a) { UInt64(bitPattern: $0) }
                case .category(let codes, _): fold(codes) { UInt64($0) }
                case .text(let text):
                    text.bytes.withUnsafeBytes { bytes in
                        text.offsets.withUnsafeBufferPointer { offsets in
                            for i in rows {
                                let valid = all || (words[i >> 6] >> UInt64(i & 63)) & 1 != 0
                                h[i] = mix(h[i], valid ? bytesHash(UnsafeRawBufferPointer(rebasing: bytes[offsets[i]..<offsets[i + 1]])) : nullHash)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Hash of the UTF-8 bytes, eight at a time: deterministic across runs (unlike `Hasher`).
    static func stringHash(_ s: String) -> UInt64 {
        if let h = s.utf8.withContiguousStorageIfAvailable({ bytesHash(UnsafeRawBufferPointer($0)) }) { return h }
        var copy = s
        return copy.withUTF8 { bytesHash(UnsafeRawBufferPointer($0)) }
    }

    static func bytesHash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(bytes.count)
        var i = 0
        while i + 8 <= bytes.count {
            h = mix(h, bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        // The last 0–7 bytes as one little-endian number, read four, two and one at a time (the
        // same number a byte loop builds, so hashes do not change; most category values are short).
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        let rest = bytes.count - i
        if rest & 4 != 0 {
            tail = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self)))
            shift = 32
            i += 4
        }
        if rest & 2 != 0 {
            tail |= UInt64(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt16.self))) << shift
            shift += 16
            i += 2
        }
        if rest & 1 != 0 {
            tail |= UInt64(bytes[i]) << shift
        }
        return mix(h, tail)
    }

    /// Whether rows `i` and `j` hold the same value (or both nothing) in every column.
    static func rowsEqual(_ table: Table, _ i: Int, _ j: Int) -> Bool {
        for column in table.columns {
            let vi = column.isValid(i), vj = column.isValid(j)
            if vi != vj { return false }
            if !vi { continue }
            let same: Bool
            switch column.storage {
            case .integer(let a): same = a[i] == a[j]
            case .float(let a): same = a[i] == a[j]
            case .boolean(let a): same = a[i] == a[j]
            case .date(let a): same = a[i] == a[j]
            case .datetime(let a): same = a[i] == a[j]
            case .category(let codes, _): same = codes[i] == codes[j]
            // Byte equality: the reader keeps every value's spelling, so this is value equality.
            // Lengths, then memcmp: deduplication compares every repeated row with its first
            // occurrence, and a generic element-by-element comparison was a visible cost there.
            case .text(let t): same = t.byteCount(i) == t.byteCount(j) && t.withValue(i) { a in
                t.withValue(j) { b in a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
            }
            }
            if !same { return false }
        }
        return true
    }
}
