/// Computes one measure per group key with a single pass over the measure column.
enum MeasureAccumulator {
    /// `rows` is the number of keyed rows per group (`GroupAccumulators.rowCounts`), computed once
    /// per query and shared by its measures.
    static func compute(
        _ measure: AggregationQuery.Measure, table: Table, keys: [Int32], groupCount: Int, rows: [Int]? = nil
    ) throws -> [Double?] {
        let rows = rows ?? GroupAccumulators.rowCounts(keys: keys, groups: groupCount)
        guard let name = measure.column else {
            return rows.map { $0 > 0 ? Double($0) : nil }
        }
        guard let column = table.column(named: name) else { throw AggregationError.unknownColumn(name) }
        let validity = column.validity
        let all = validity.nullCount == 0
        switch measure.function {
        case .count where all:
            return rows.map { $0 > 0 ? Double($0) : nil }
        case .count:
            var counts = [Int](repeating: 0, count: groupCount)
            for i in 0..<keys.count where keys[i] >= 0 && (all || validity[i]) { counts[Int(keys[i])] += 1 }
            return zip(counts, rows).map { c, r in r > 0 ? Double(c) : nil }
        case .countDistinct:
            return countDistinct(column, keys: keys, groupCount: groupCount, rows: rows)
        case .median:
            guard let values = ColumnValues.doubles(column) else {
                throw AggregationError.notNumeric(column: name, function: measure.function.rawValue)
            }
            return medians(values, keys: keys, groupCount: groupCount)
        case .sum, .mean, .min, .max:
            let wantExtremes = measure.function == .min || measure.function == .max
            let acc: GroupAccumulators
            switch column.storage {
            case .float(let a):
                acc = GroupAccumulators.run(values: a, keys: keys, groups: groupCount, validity: all ? nil : validity,
                                            extremes: wantExtremes)
            case .integer(let a):
                acc = GroupAccumulators.run(values: a, keys: keys, groups: groupCount, validity: all ? nil : validity,
                                            extremes: wantExtremes)
            case .boolean(let a):
                acc = GroupAccumulators.run(values: a, keys: keys, groups: groupCount, validity: all ? nil : validity,
                                            extremes: wantExtremes)
            default:
                throw AggregationError.notNumeric(column: name, function: measure.function.rawValue)
            }
            return (0..<groupCount).map { g -> Double? in
                guard rows[g] > 0, acc.counts[g] > 0 else { return nil }
                switch measure.function {
                case .sum: return acc.sums[g]
                case .mean: return acc.sums[g] / Double(acc.counts[g])
                case .min: return acc.mins[g]
                default: return acc.maxs[g]
                }
            }
        }
    }

    /// Groups values by key with a counting sort, then selects each group's median in place.
    static func medians(_ values: [Double], keys: [Int32], groupCount: Int) -> [Double?] {
        var starts = [Int](repeating: 0, count: groupCount + 1)
        for i in 0..<keys.count where keys[i] >= 0 && !values[i].isNaN { starts[Int(keys[i]) + 1] += 1 }
        for g in 0..<groupCount { starts[g + 1] += starts[g] }
        var cursor = starts
        var grouped = [Double](repeating: 0, count: starts[groupCount])
        for i in 0..<keys.count where keys[i] >= 0 && !values[i].isNaN {
            let g = Int(keys[i])
            grouped[cursor[g]] = values[i]
            cursor[g] += 1
        }
        return grouped.withUnsafeMutableBufferPointer { buffer in
            (0..<groupCount).map { g -> Double? in
                let slice = UnsafeMutableBufferPointer(rebasing: buffer[starts[g]..<starts[g + 1]])
                return Quantiles.inPlace(slice, [0.5])?.first
            }
        }
    }

    /// Distinct valid values per group, on category codes or value bit patterns (strings for text).
    private static func countDistinct(_ column: Column, keys: [Int32], groupCount: Int, rows: [Int]) -> [Double?] {
        var sets = [Set<UInt64>](repeating: [], count: groupCount)
        var interned: [String: UInt64] = [:]
        for i in 0..<keys.count where keys[i] >= 0 && column.isValid(i) {
            let id: UInt64
            switch column.storage {
            case .category(let codes, _): id = UInt64(codes[i])
            case .integer(let a): id = UInt64(bitPattern: a[i])
            case .float(let a): id = a[i].bitPattern
            case .boolean(let a): id = a[i] ? 1 : 0
            case .date(let a): id = UInt64(bitPattern: Int64(a[i]))
            case .datetime(let a): id = UInt64(bitPattern: a[i])
            case .text:
                let s = column.string(at: i) ?? ""
                if let known = interned[s] {
                    id = known
                } else {
                    id = UInt64(interned.count)
                    interned[s] = id
                }
            }
            sets[Int(keys[i])].insert(id)
        }
        return (0..<groupCount).map { rows[$0] > 0 ? Double(sets[$0].count) : nil }
    }
}

/// Per-group sums, counts and extremes from one pass over a typed column.
///
/// Few groups (a KPI, five regions) means consecutive rows add into the same slot, and each
/// addition waits for the previous store: a latency chain of ~4 ns per row. Rows are therefore
/// spread over four interleaved lanes per group (row i uses lane i mod 4), which lets the CPU run
/// four chains in parallel; the lanes are added up at the end.
struct GroupAccumulators {
    static let lanes = 4

    var sums: [Double]
    var counts: [Int]
    var mins: [Double]
    var maxs: [Double]

    static func rowCounts(keys: [Int32], groups: Int) -> [Int] {
        var laned = [Int](repeating: 0, count: groups * lanes)
        keys.withUnsafeBufferPointer { k in
            laned.withUnsafeMutableBufferPointer { r in
                for i in 0..<k.count where k[i] >= 0 { r[Int(k[i]) &* lanes &+ (i & 3)] &+= 1 }
            }
        }
        return foldLanes(laned, groups: groups)
    }

    /// Element-wise sum of per-half lane counts.
    static func addLanes(_ parts: [[Int]]) -> [Int] {
        var total = parts[0]
        for part in parts.dropFirst() {
            for i in total.indices { total[i] += part[i] }
        }
        return total
    }

    static func foldLanes(_ laned: [Int], groups: Int) -> [Int] {
        (0..<groups).map { g in laned[g * lanes] + laned[g * lanes + 1] + laned[g * lanes + 2] + laned[g * lanes + 3] }
    }

    /// Accumulates a typed column; large columns are split in two halves summed on separate
    /// cores, then merged (sums and counts add, extremes combine).
    static func run<T: GroupCell>(
        values: [T], keys: [Int32], groups: Int, validity: ValidityBitmap?, extremes: Bool
    ) -> GroupAccumulators {
        let n = min(values.count, keys.count)
        guard Parallel.worthIt(rows: n) else {
            return values.withUnsafeBufferPointer { v in
                run(rows: 0..<n, keys: keys, groups: groups, validity: validity, extremes: extremes) { v[$0].groupValue }
            }
        }
        let parts = Parallel.map([0..<(n / 2), (n / 2)..<n]) { range in
            values.withUnsafeBufferPointer { v in
                run(rows: range, keys: keys, groups: groups, validity: validity, extremes: extremes) { v[$0].groupValue }
            }
        }
        var merged = parts[0]
        for g in 0..<groups {
            merged.sums[g] += parts[1].sums[g]
            merged.counts[g] += parts[1].counts[g]
            if extremes {
                merged.mins[g] = min(merged.mins[g], parts[1].mins[g])
                merged.maxs[g] = max(merged.maxs[g], parts[1].maxs[g])
            }
        }
        return merged
    }

    /// `value(i)` reads row i; inlined so each storage type gets its own tight loop.
    @inline(__always)
    static func run(
        rows: Range<Int>, keys: [Int32], groups: Int, validity: ValidityBitmap?, extremes: Bool, _ value: (Int) -> Double
    ) -> GroupAccumulators {
        var sums = [Double](repeating: 0, count: groups * lanes)
        var counts = [Int](repeating: 0, count: groups * lanes)
        var mins = [Double](repeating: .infinity, count: extremes ? groups : 0)
        var maxs = [Double](repeating: -.infinity, count: extremes ? groups : 0)
        keys.withUnsafeBufferPointer { k in
            sums.withUnsafeMutableBufferPointer { s in
                counts.withUnsafeMutableBufferPointer { c in
                    if let validity {
                        for i in rows where k[i] >= 0 && validity[i] {
                            let slot = Int(k[i]) &* lanes &+ (i & 3)
                            s[slot] += value(i)
                            c[slot] &+= 1
                        }
                    } else {
                        for i in rows where k[i] >= 0 {
                            let slot = Int(k[i]) &* lanes &+ (i & 3)
                            s[slot] += value(i)
                            c[slot] &+= 1
                        }
                    }
                }
            }
            if extremes {
                mins.withUnsafeMutableBufferPointer { mn in
                    maxs.withUnsafeMutableBufferPointer { mx in
                        for i in rows where k[i] >= 0 && (validity?[i] ?? true) {
                            let x = value(i), g = Int(k[i])
                            if x < mn[g] { mn[g] = x }
                            if x > mx[g] { mx[g] = x }
                        }
                    }
                }
            }
        }
        let groupSums = (0..<groups).map { g in (sums[g * lanes] + sums[g * lanes + 1]) + (sums[g * lanes + 2] + sums[g * lanes + 3]) }
        let groupCounts = (0..<groups).map { g in counts[g * lanes] + counts[g * lanes + 1] + counts[g * lanes + 2] + counts[g * lanes + 3] }
        return GroupAccumulators(sums: groupSums, counts: groupCounts, mins: mins, maxs: maxs)
    }
}

/// A stored cell that sums as a double.
protocol GroupCell: Sendable {
    var groupValue: Double { get }
}

extension Double: GroupCell {
    var groupValue: Double { self }
}

extension Int64: GroupCell {
    var groupValue: Double { Double(self) }
}

extension Bool: GroupCell {
    var groupValue: Double { self ? 1 : 0 }
}
