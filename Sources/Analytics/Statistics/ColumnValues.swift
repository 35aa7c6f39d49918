/// Typed, allocation-light views of a column for the statistics, insight and chart code.
///
/// Everything downstream of reading works on dense `[Double]` (NaN marks an empty cell) or on
/// day numbers, so hot loops never switch on the storage enum or box a cell.
enum ColumnValues {
    /// Sentinel day number for an empty date cell.
    static let missingDay = Int32.min

    /// Whether the column holds quantities (integers or floats) that statistics apply to.
    static func isQuantity(_ column: Column) -> Bool {
        column.type == .integer || column.type == .float
    }

    static func isTemporal(_ column: Column) -> Bool {
        column.type == .date || column.type == .datetime
    }

    /// One double per row, NaN where the cell is empty; `nil` unless integer or float.
    static func doubles(_ column: Column) -> [Double]? {
        let validity = column.validity
        switch column.storage {
        case .integer(let a):
            var out = [Double](repeating: .nan, count: a.count)
            out.withUnsafeMutableBufferPointer { o in
                a.withUnsafeBufferPointer { src in
                    for i in 0..<src.count where validity[i] { o[i] = Double(src[i]) }
                }
            }
            return out
        case .float(let a):
            if validity.nullCount == 0 { return a }
            var out = a
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<o.count where !validity[i] { o[i] = .nan }
            }
            return out
        default:
            return nil
        }
    }

    /// The valid values only, in row order.
    static func validDoubles(_ column: Column) -> [Double]? {
        let validity = column.validity
        guard validity.nullCount > 0 else { return doubles(column) }
        // One pass into an array of the exact size, not a column-sized array of NaNs filtered again.
        var out: [Double] = []
        out.reserveCapacity(validity.count - validity.nullCount)
        switch column.storage {
        case .integer(let a):
            for i in 0..<a.count where validity[i] { out.append(Double(a[i])) }
        case .float(let a):
            for i in 0..<a.count where validity[i] && !a[i].isNaN { out.append(a[i]) }
        default:
            return nil
        }
        return out
    }

    /// Day number (days since 1970-01-01 UTC) per row, `missingDay` where empty; datetimes are
    /// floored to their day. `nil` unless the column is a date or datetime.
    static func days(_ column: Column) -> [Int32]? {
        let validity = column.validity
        switch column.storage {
        case .date(let a):
            if validity.nullCount == 0 { return a }
            var out = a
            for i in 0..<out.count where !validity[i] { out[i] = missingDay }
            return out
        case .datetime(let a):
            var out = [Int32](repeating: missingDay, count: a.count)
            out.withUnsafeMutableBufferPointer { o in
                a.withUnsafeBufferPointer { src in
                    for i in 0..<src.count where validity[i] {
                        let s = src[i]
                        o[i] = Int32(truncatingIfNeeded: s >= 0 ? s / 86_400 : (s - 86_399) / 86_400)
                    }
                }
            }
            return out
        default:
            return nil
        }
    }

    /// `days(column)` with the first and last filled day (`nil` span when every cell is empty),
    /// in one pass over each half of the rows on both cores for large columns.
    static func daysWithSpan(_ column: Column) -> (days: [Int32], span: ClosedRange<Int32>?)? {
        let validity = column.validity
        let all = validity.nullCount == 0
        var out: [Int32]
        var extremes: [(Int32, Int32)]
        switch column.storage {
        case .date(let a) where all:
            // The stored day numbers are the index as they are: no copy, only their range.
            out = a
            let n = a.count
            extremes = Parallel.map(Parallel.worthIt(rows: n) ? [0..<(n / 2), (n / 2)..<n] : [0..<n]) { range in
                a.withUnsafeBufferPointer { src in
                    var lo = Int32.max, hi = Int32.min
                    for i in range where src[i] != missingDay {
                        lo = src[i] < lo ? src[i] : lo
                        hi = src[i] > hi ? src[i] : hi
                    }
                    return (lo, hi)
                }
            }
        case .date(let a):
            out = [Int32](repeating: missingDay, count: a.count)
            extremes = Parallel.halves(&out) { range, o in
                a.withUnsafeBufferPointer { src in
                    var lo = Int32.max, hi = Int32.min
                    for i in range where all || validity[i] {
                        let d = src[i]
                        o[i] = d
                        // A stored Int32.min reads as empty, as in `days`' consumers.
                        guard d != missingDay else { continue }
                        lo = d < lo ? d : lo
                        hi = d > hi ? d : hi
                    }
                    return (lo, hi)
                }
            }
        case .datetime(let a):
            out = [Int32](repeating: missingDay, count: a.count)
            extremes = Parallel.halves(&out) { range, o in
                a.withUnsafeBufferPointer { src in
                    var lo = Int32.max, hi = Int32.min
                    for i in range where all || validity[i] {
                        let s = src[i]
                        let d = Int32(truncatingIfNeeded: s >= 0 ? s / 86_400 : (s - 86_399) / 86_400)
                        o[i] = d
                        guard d != missingDay else { continue }
                        lo = d < lo ? d : lo
                        hi = d > hi ? d : hi
                    }
                    return (lo, hi)
                }
            }
        default:
            return nil
        }
        let lo = extremes.map(\.0).min()!, hi = extremes.map(\.1).max()!
        return (out, lo <= hi ? lo...hi : nil)
    }

    /// `fractionalDays(column)` with the smallest and largest filled value (±infinity when none),
    /// each half of the rows on its own core for large columns.
    static func fractionalDaysWithRange(_ column: Column) -> (days: [Double], first: Double, last: Double)? {
        let validity = column.validity
        var out = [Double](repeating: .nan, count: column.count)
        let parts: [(Double, Double)]
        switch column.storage {
        case .date(let a):
            parts = Parallel.halves(&out) { range, o in
                a.withUnsafeBufferPointer { src in
                    var lo = Double.infinity, hi = -Double.infinity
                    for i in range where validity[i] {
                        let d = Double(src[i])
                        o[i] = d
                        lo = d < lo ? d : lo
                        hi = d > hi ? d : hi
                    }
                    return (lo, hi)
                }
            }
        case .datetime(let a):
            parts = Parallel.halves(&out) { range, o in
                a.withUnsafeBufferPointer { src in
                    var lo = Double.infinity, hi = -Double.infinity
                    for i in range where validity[i] {
                        let d = Double(src[i]) / 86_400
                        o[i] = d
                        lo = d < lo ? d : lo
                        hi = d > hi ? d : hi
                    }
                    return (lo, hi)
                }
            }
        default:
            return nil
        }
        return (out, parts.map(\.0).min()!, parts.map(\.1).max()!)
    }

    /// Fractional days since the epoch per row (NaN where empty), keeping the time of day of
    /// datetimes so a trend's slope is per day whatever the column's resolution.
    static func fractionalDays(_ column: Column) -> [Double]? {
        let validity = column.validity
        switch column.storage {
        case .date(let a):
            return (0..<a.count).map { validity[$0] ? Double(a[$0]) : .nan }
        case .datetime(let a):
            return (0..<a.count).map { validity[$0] ? Double(a[$0]) / 86_400 : .nan }
        default:
            return nil
        }
    }
}
