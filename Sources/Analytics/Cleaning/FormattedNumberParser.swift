/// Converts category columns whose every value is a formatted number into a numeric column.
///
/// The reader already types ordinary numeric columns; this catches what is left once whitespace
/// is trimmed, e.g. a column of `$1,200`, `€ 35` or `12%` that the reader kept as categories.
/// Decided per dictionary entry, so the cost is independent of the row count.
enum FormattedNumberParser {
    /// Turns the column into numbers in place (its codes are freed once the numbers exist);
    /// returns the cells converted, or nil, leaving the column as it was, when some entry is not
    /// a formatted number.
    static func parse(_ column: inout Column) -> Int? {
        guard case .category(_, let dictionary) = column.storage, !dictionary.isEmpty else { return nil }
        var parsed: [Double] = []
        parsed.reserveCapacity(dictionary.count)
        for entry in dictionary {
            guard let v = number(entry) else { return nil }
            parsed.append(v)
        }
        let integral = parsed.allSatisfy { $0 == $0.rounded() && abs($0) < 9e15 }
            && !dictionary.contains { $0.contains("%") || $0.contains(".") }
        let validity = column.validity
        guard case .category(let codes, _) = column.takeStorage() else { preconditionFailure("parse needs a category column") }
        if integral {
            column.storage = .integer(codes.enumerated().map { validity[$0.offset] ? Int64(parsed[Int($0.element)]) : 0 })
            column.type = .integer
        } else {
            column.storage = .float(codes.enumerated().map { validity[$0.offset] ? parsed[Int($0.element)] : 0 })
            column.type = .float
        }
        return column.count - validity.nullCount
    }

    /// `$1,234.50` → 1234.5, `(12)` → −12, `12%` → 0.12, `€ 35` → 35; `nil` if not a number.
    static func number(_ raw: String) -> Double? {
        var s = raw.trimmingWhitespace()
        guard !s.isEmpty else { return nil }
        var negative = false
        if s.hasPrefix("(") && s.hasSuffix(")") {
            negative = true
            s = String(s.dropFirst().dropLast())
        }
        var percent = false
        if s.hasSuffix("%") {
            percent = true
            s.removeLast()
        }
        s.removeAll { "$£€¥ ,".contains($0) }
        if s.hasPrefix("-") {
            negative.toggle()
            s.removeFirst()
        }
        guard !s.isEmpty, s.first != "+", let v = Double(s), v.isFinite else { return nil }
        let signed = negative ? -v : v
        return percent ? signed / 100 : signed
    }
}
