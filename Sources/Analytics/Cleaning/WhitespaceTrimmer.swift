/// Trims leading and trailing whitespace in category dictionaries and text cells.
///
/// Categories are trimmed per dictionary entry and entries that become equal are merged, so the
/// cost depends on the number of distinct values, not rows. Columns are changed where they lie
/// (text values move down over the whitespace they lose), so trimming copies no column.
enum WhitespaceTrimmer {
    /// Trims the column in place; returns the rows whose value changed, or nil when none did.
    static func trim(_ column: inout Column) -> RowSet? {
        switch column.storage {
        case .category(_, let dictionary):
            let trimmed = dictionary.map { $0.trimmingWhitespace() }
            guard trimmed != dictionary else { return nil }
            return CategoryRemapper.respell(&column, to: trimmed)
        case .text:
            return trimText(&column)
        default:
            return nil
        }
    }

    private static func trimText(_ column: inout Column) -> RowSet? {
        let (changed, grows) = cellsToTrim(column)
        guard changed.count > 0 else { return nil }
        guard case .text(var text) = column.takeStorage() else { preconditionFailure("trimText needs a text column") }
        let trimmed = { (value: UnsafeBufferPointer<UInt8>) in
            if let kept = asciiTrimmed(value) { return String(decoding: UnsafeBufferPointer(rebasing: value[kept]), as: UTF8.self) }
            return String(decoding: value, as: UTF8.self).trimmingWhitespace()
        }
        if grows {
            // Only bytes that are not UTF-8 can make a trimmed value longer (each becomes U+FFFD):
            // then the column is written anew.
            var builder = TextStorage.Builder(capacity: text.count, byteCapacity: text.bytes.count)
            for i in 0..<text.count {
                text.withValue(i) { value in
                    if changed.contains(i) { builder.append(trimmed(value)) } else { builder.append(value) }
                }
            }
            text = builder.finish()
        } else {
            text.shrink(rows: changed, trimmed)
        }
        // A value that was only whitespace is now empty: an empty cell.
        for i in changed where text.byteCount(i) == 0 { column.validity[i] = false }
        column.storage = .text(text)
        return changed
    }

    /// The part of an all-ASCII value that trimming keeps: in ASCII the whitespace is tab, line
    /// feed, vertical tab, form feed, carriage return and space, so no `String` (and no Unicode
    /// property lookup) is needed. Nil when the value has a byte outside ASCII: then the general
    /// `trimmingWhitespace` decides (the tests hold the two equal).
    static func asciiTrimmed(_ value: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        var any: UInt8 = 0
        for b in value { any |= b }
        guard any < 0x80 else { return nil }
        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        var start = 0, end = value.count
        while start < end && isSpace(value[start]) { start += 1 }
        while end > start && isSpace(value[end - 1]) { end -= 1 }
        return start..<end
    }

    /// Text cells whose trimmed value differs, and whether any trimmed value has more bytes.
    /// Only values that start or end with a byte outside printable ASCII can need trimming; the
    /// rest are checked without creating a string.
    private static func cellsToTrim(_ column: Column) -> (RowSet, grows: Bool) {
        guard case .text(let text) = column.storage else { return (RowSet(rows: column.count), false) }
        var changed = RowSet(rows: column.count)
        var grows = false
        for i in 0..<column.count where column.validity[i] {
            let plain = text.withValue(i) { v in
                guard let first = v.first, let last = v.last else { return true }
                return first > 0x20 && first < 0x80 && last > 0x20 && last < 0x80
            }
            guard !plain else { continue }
            let length = text.withValue(i) { asciiTrimmed($0)?.count } ?? text[i].trimmingWhitespace().utf8.count
            if length != text.byteCount(i) {
                changed.insert(i)
                grows = grows || length > text.byteCount(i)
            }
        }
        return (changed, grows)
    }
}

/// Maps a category column onto a new spelling per dictionary entry, merging entries that
/// collide, and counts the cells whose spelling changed.
enum CategoryRemapper {
    /// Respells a category column's dictionary entries (`spelling[code]` for each code), merging
    /// entries that collide; rewrites the codes where they lie and returns the (valid) rows whose
    /// spelling changed; nil, leaving the column as it was, when no valid cell would change.
    static func respell(_ column: inout Column, to spelling: [String]) -> RowSet? {
        guard changesAnyCell(column, to: spelling) else { return nil }
        guard case .category(var codes, let dictionary) = column.takeStorage() else {
            preconditionFailure("respell needs a category column")
        }
        let (newDictionary, changed) = remap(codes: &codes, validity: column.validity, dictionary: dictionary, to: spelling)
        column.storage = .category(codes: codes, dictionary: newDictionary)
        return changed
    }

    private static func changesAnyCell(_ column: Column, to spelling: [String]) -> Bool {
        guard case .category(let codes, let dictionary) = column.storage else { return false }
        let counts = codeCounts(codes, validity: column.validity, dictionarySize: dictionary.count)
        return dictionary.indices.contains { counts[$0] > 0 && dictionary[$0] != spelling[$0] }
    }

    static func remap(
        codes: inout [UInt32], validity: ValidityBitmap, dictionary: [String], to spelling: [String]
    ) -> (dictionary: [String], changed: RowSet) {
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
        var changed = RowSet(rows: codes.count)
        codes.withUnsafeMutableBufferPointer { c in
            for i in 0..<c.count {
                let old = Int(c[i])
                c[i] = table[old]
                if differs[old] && validity[i] { changed.insert(i) }
            }
        }
        return (newDictionary, changed)
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
