import Foundation

/// Turns query filters into one row mask (all filters must hold).
///
/// Category filters are decided once per dictionary entry and then looked up by code, so an
/// `equals` over a million rows never compares strings per row.
enum RowFilter {
    static func mask(_ filters: [AggregationQuery.Filter], table: Table) throws -> [Bool]? {
        guard !filters.isEmpty else { return nil }
        var mask = [Bool](repeating: true, count: table.rowCount)
        for filter in filters {
            guard let column = table.column(named: filter.column) else {
                throw AggregationError.unknownColumn(filter.column)
            }
            try apply(filter, column, &mask)
        }
        return mask
    }

    private static func apply(_ filter: AggregationQuery.Filter, _ column: Column, _ mask: inout [Bool]) throws {
        let n = column.count
        let validity = column.validity
        switch filter {
        case .isNull(_, let wantNull):
            for i in 0..<n where mask[i] && validity[i] == wantNull { mask[i] = false }
        case .range(_, let lo, let hi):
            let low = lo ?? -.infinity, high = hi ?? .infinity
            if let values = ColumnValues.doubles(column) {
                for i in 0..<n where mask[i] {
                    let v = values[i]
                    if v.isNaN || v < low || v > high { mask[i] = false }
                }
            } else if let days = ColumnValues.days(column) {
                for i in 0..<n where mask[i] {
                    let d = days[i]
                    if d == ColumnValues.missingDay || Double(d) < low || Double(d) > high { mask[i] = false }
                }
            } else {
                throw AggregationError.notNumeric(column: column.name, function: "range")
            }
        case .equals(_, let value):
            try keep(column, &mask) { $0 == value }
        case .oneOf(_, let values):
            let set = Set(values)
            try keep(column, &mask) { set.contains($0) }
        case .contains(_, let text):
            let needle = text.lowercased()
            try keep(column, &mask) { $0.lowercased().contains(needle) }
        }
    }

    /// Keeps rows whose text form passes `predicate`; empty cells never pass.
    private static func keep(_ column: Column, _ mask: inout [Bool], _ predicate: (String) -> Bool) throws {
        let validity = column.validity
        if case .category(let codes, let dictionary) = column.storage {
            let passes = dictionary.map(predicate)
            for i in 0..<column.count where mask[i] {
                if !validity[i] || !passes[Int(codes[i])] { mask[i] = false }
            }
            return
        }
        if case .boolean(let a) = column.storage {
            let t = predicate("true"), f = predicate("false")
            for i in 0..<column.count where mask[i] {
                if !validity[i] || !(a[i] ? t : f) { mask[i] = false }
            }
            return
        }
        for i in 0..<column.count where mask[i] {
            guard let s = column.string(at: i), predicate(s) else {
                mask[i] = false
                continue
            }
        }
    }
}
