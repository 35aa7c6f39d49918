/// Trims leading and trailing whitespace in category dictionaries and text cells.
///
/// Categories are trimmed per dictionary entry and entries that become equal are merged, so the
/// cost depends on the number of distinct values, not rows. Returns per column the cells changed.
enum WhitespaceTrimmer {
    static func trim(_ column: Column) -> (Column, changed: Int) {
        switch column.storage {
        case .category(let codes, let dictionary):
            let trimmed = dictionary.map { $0.trimmingWhitespace() }
            guard trimmed != dictionary else { return (column, 0) }
            let (newCodes, newDictionary, changed) = CategoryRemapper.remap(
                codes: codes, validity: column.validity, dictionary: dictionary, to: trimmed)
            return (ColumnRebuilding.with(column, type: column.type, storage: .category(codes: newCodes, dictionary: newDictionary),
                                          validity: column.validity), changed)
        case .text:
            var values = ColumnRebuilding.texts(column)
            var changed = 0
            for i in values.indices {
                guard let v = values[i] else { continue }
                let t = v.trimmingWhitespace()
                if t.utf8.count != v.utf8.count {
                    values[i] = t.isEmpty ? nil : t
                    changed += 1
                }
            }
            return changed == 0 ? (column, 0) : (ColumnRebuilding.text(named: column.name, values), changed)
        default:
            return (column, 0)
        }
    }
}

/// Maps a category column onto a new spelling per dictionary entry, merging entries that
/// collide, and counts the cells whose spelling changed.
enum CategoryRemapper {
    static func remap(
        codes: [UInt32], validity: ValidityBitmap, dictionary: [String], to spelling: [String]
    ) -> (codes: [UInt32], dictionary: [String], changed: Int) {
        var newDictionary: [String] = []
        var index: [String: UInt32] = [:]
        var table = [UInt32](repeating: 0, count: dictionary.count)
        for (old, s) in spelling.enumerated() {
            if let existing = index[s] {
                table[old] = existing
            } else {
                let code = UInt32(newDictionary.count)
                index[s] = code
                newDictionary.append(s)
                table[old] = code
            }
        }
        let differs = dictionary.indices.map { dictionary[$0] != spelling[$0] }
        var changed = 0
        var newCodes = codes
        newCodes.withUnsafeMutableBufferPointer { c in
            for i in 0..<c.count {
                let old = Int(c[i])
                c[i] = table[old]
                if differs[old] && validity[i] { changed += 1 }
            }
        }
        return (newCodes, newDictionary, changed)
    }

    /// Cells per dictionary code (valid cells only).
    static func codeCounts(_ codes: [UInt32], validity: ValidityBitmap, dictionarySize: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: dictionarySize)
        let all = validity.nullCount == 0
        codes.withUnsafeBufferPointer { c in
            for i in 0..<c.count where all || validity[i] { counts[Int(c[i])] += 1 }
        }
        return counts
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks (including non-breaking space).
    func trimmingWhitespace() -> String {
        // Fast path: first and last bytes are printable ASCII, so nothing to trim.
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 {
            return self
        }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return self }
        return String(scalars[first...last])
    }
}
