/// Merges category spellings that differ only in case or inner spacing.
///
/// Entries are grouped by a folded key (lowercased, runs of whitespace collapsed to one space);
/// each group takes its most frequent spelling (ties: the alphabetically first), so `North`,
/// `north` and `NORTH` become whatever most rows already say. Deciding per dictionary entry keeps
/// this independent of row count.
enum CategoryNormaliser {
    /// Respells the column in place; returns the rows whose spelling changed and which spellings
    /// were merged into which, or nil when nothing was merged.
    static func normalise(_ column: inout Column) -> (changed: RowSet, merged: [String: String])? {
        guard let spelling = canonicalSpellings(column),
              let changed = CategoryRemapper.respell(&column, to: spelling.spelling) else { return nil }
        return (changed, spelling.merged)
    }

    /// The spelling each dictionary entry takes, or nil when no two entries fold together.
    private static func canonicalSpellings(_ column: Column) -> (spelling: [String], merged: [String: String])? {
        guard case .category(let codes, let dictionary) = column.storage, dictionary.count > 1 else { return nil }
        var groups: [String: [Int]] = [:]
        for (code, s) in dictionary.enumerated() { groups[fold(s), default: []].append(code) }
        guard groups.count < dictionary.count else { return nil }
        let counts = CategoryRemapper.codeCounts(codes, validity: column.validity, dictionarySize: dictionary.count)
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
        return (spelling, merged)
    }

    static func fold(_ s: String) -> String {
        s.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
