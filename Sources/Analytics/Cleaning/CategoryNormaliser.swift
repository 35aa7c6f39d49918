/// Merges category spellings that differ only in case or inner spacing.
///
/// Entries are grouped by a folded key (lowercased, runs of whitespace collapsed to one space);
/// each group takes its most frequent spelling (ties: the alphabetically first), so `North`,
/// `north` and `NORTH` become whatever most rows already say. Deciding per dictionary entry keeps
/// this independent of row count.
enum CategoryNormaliser {
    static func normalise(_ column: Column) -> (Column, changed: Int, merged: [String: String]) {
        guard case .category(let codes, let dictionary) = column.storage, dictionary.count > 1 else {
            return (column, 0, [:])
        }
        let counts = CategoryRemapper.codeCounts(codes, validity: column.validity, dictionarySize: dictionary.count)
        var groups: [String: [Int]] = [:]
        for (code, s) in dictionary.enumerated() { groups[fold(s), default: []].append(code) }
        guard groups.count < dictionary.count else { return (column, 0, [:]) }
        var spelling = dictionary
        var merged: [String: String] = [:]
        for members in groups.values where members.count > 1 {
            let canonical = members.max { a, b in
                counts[a] != counts[b] ? counts[a] < counts[b] : dictionary[a] > dictionary[b]
            }!
            for m in members where m != canonical {
                spelling[m] = dictionary[canonical]
                merged[dictionary[m]] = dictionary[canonical]
            }
        }
        let (newCodes, newDictionary, changed) = CategoryRemapper.remap(
            codes: codes, validity: column.validity, dictionary: dictionary, to: spelling)
        let out = ColumnRebuilding.with(column, type: column.type, storage: .category(codes: newCodes, dictionary: newDictionary),
                                        validity: column.validity)
        return (out, changed, merged)
    }

    static func fold(_ s: String) -> String {
        s.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
