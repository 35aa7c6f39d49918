/// Flags outlying numeric cells by robust z and Tukey fences, without touching them.
///
/// Identifier columns (integers unique on every row) are skipped: an order id is not a
/// measurement and its "outliers" are meaningless.
enum OutlierFlagger {
    struct Flags {
        var summary: RobustSummary
        var robustZ: Int
        var iqr: Int
        /// First rows flagged by robust z, for the report.
        var sampleRows: [Int]
    }

    static let sampleLimit = 20

    static func flag(_ column: Column) -> Flags? {
        guard ColumnValues.isQuantity(column), !IdentifierDetector.isIdentifier(column),
              let values = ColumnValues.doubles(column) else { return nil }
        let valid = column.validity.nullCount == 0 ? values : values.filter { !$0.isNaN }
        guard valid.count >= 8, let summary = RobustSummary(valid) else { return nil }
        var z = 0, iqr = 0
        var sample: [Int] = []
        let lower = summary.lowerFence, upper = summary.upperFence
        for (i, v) in values.enumerated() where !v.isNaN {
            if summary.isRobustZOutlier(v) {
                z += 1
                if sample.count < sampleLimit { sample.append(i) }
            }
            if v < lower || v > upper { iqr += 1 }
        }
        return Flags(summary: summary, robustZ: z, iqr: iqr, sampleRows: sample)
    }
}

/// Recognises identifier columns: integers, no empty cells, every value distinct, and either an
/// id-like name (`order_id`, `CustomerKey`, `invoice no`) or values that mostly count up by one.
/// Distinctness alone is not enough: a monthly series that only ever grows is unique too, and
/// it is a measurement.
enum IdentifierDetector {
    static let idWords: Set<String> = ["id", "uuid", "guid", "key", "code", "no", "nr", "num", "number", "serial", "index", "idx"]

    static func isIdentifier(_ column: Column) -> Bool {
        guard case .integer(let a) = column.storage, column.validity.nullCount == 0, a.count > 1 else { return false }
        var unitSteps = 0
        var increasing = true
        for i in 1..<a.count {
            if a[i] &- a[i - 1] == 1 { unitSteps += 1 }
            if a[i] <= a[i - 1] { increasing = false }
        }
        let counting = Double(unitSteps) >= 0.9 * Double(a.count - 1)
        guard counting || hasIdName(column.name) else { return false }
        // Strictly increasing values are distinct: no need for a set of a million values.
        if increasing { return true }
        // Stops at the first repeated value, which non-identifiers reach within a few rows.
        var seen = ValueCounter()
        for (i, v) in a.enumerated() where !seen.add(UInt64(bitPattern: v), row: i) { return false }
        return true
    }

    static func hasIdName(_ name: String) -> Bool {
        words(of: name).contains { idWords.contains($0.lowercased()) }
    }

    /// Words that make an integer column a label (`Region Code`, `customer_id`): its numbers name
    /// things, so sums, trends and correlations of them mean nothing, even when values repeat.
    static let codeWords: Set<String> = ["id", "uuid", "guid", "code"]

    static func isCode(_ column: Column) -> Bool {
        column.type == .integer && words(of: column.name).contains { codeWords.contains($0.lowercased()) }
    }

    /// `customerID`, `customer_id` and `Customer Id` all give `customer`, `id`.
    static func words(of name: String) -> [String] {
        var words: [String] = []
        var current = ""
        for ch in name {
            if !ch.isLetter && !ch.isNumber {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else if ch.isUppercase && !(current.last?.isUppercase ?? true) {
                words.append(current)
                current = String(ch)
            } else {
                current.append(ch)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}
