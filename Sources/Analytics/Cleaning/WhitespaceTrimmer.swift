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
        case .text(let text):
            // Only values that start or end with a byte outside printable ASCII can need trimming;
            // the rest are checked without creating a string.
            var needsTrim: [Int] = []
            for i in 0..<column.count where column.validity[i] {
                let plain = text.withValue(i) { v in
                    guard let first = v.first, let last = v.last else { return true }
                    return first > 0x20 && first < 0x80 && last > 0x20 && last < 0x80
                }
                if !plain && text[i].trimmingWhitespace().utf8.count != text.byteCount(i) { needsTrim.append(i) }
            }
            guard !needsTrim.isEmpty else { return (column, 0) }
            var validity = column.validity
            var builder = TextStorage.Builder(capacity: column.count, byteCapacity: text.bytes.count)
            var next = 0
            for i in 0..<column.count {
                if next < needsTrim.count && needsTrim[next] == i {
                    next += 1
                    let trimmed = text[i].trimmingWhitespace()
                    if trimmed.isEmpty { validity[i] = false; builder.appendEmpty() } else { builder.append(trimmed) }
                } else {
                    text.withValue(i) { builder.append($0) }
                }
            }
            return (ColumnRebuilding.with(column, type: .text, storage: .text(builder.finish()), validity: validity), needsTrim.count)
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
