/// Group-by without a key array: each row's group is worked out inside the measure pass.
///
/// The general path writes a key per row (4 MB for a million rows, freshly allocated and
/// faulted in), reads it back for every measure, and for two dimensions rewrites it once more.
/// For the common chart queries (categories and dates from the day index, sums, means and
/// counts, no filter or top N) the key is instead computed from the stored codes or day numbers
/// as each row is summed, so a query is one pass over its columns. The accumulation is the
/// general path's to the letter: the same two halves of the rows, the same four lanes per group
/// (row i in lane i mod 4), the same order of folding, so sums are bit for bit the same (the
/// tests run both paths).
protocol RowKeySource: Sendable {
    /// Group of row `i`, or −1 when the row has no group.
    func key(_ i: Int) -> Int32
}

/// Dictionary codes remapped to their sorted-label rank; empty cells have no group.
struct CategoryRowKeys: RowKeySource, @unchecked Sendable {
    let codes: UnsafePointer<UInt32>
    let remap: UnsafePointer<Int32>
    let validity: ValidityBitmap?

    @inline(__always)
    func key(_ i: Int) -> Int32 {
        if let validity, !validity[i] { return -1 }
        return remap[Int(codes[i])]
    }
}

/// Day numbers looked up in a period table (slot 0 for an empty cell, as `indexedTemporalKeys`).
struct DayRowKeys: RowKeySource, @unchecked Sendable {
    let days: UnsafePointer<Int32>
    let table: UnsafePointer<Int32>
    let base: Int32

    @inline(__always)
    func key(_ i: Int) -> Int32 {
        let d = days[i]
        return table[d == ColumnValues.missingDay ? 0 : Int(d &- base)]
    }
}

/// Two dimensions combined as `k1·n2 + k2`, no group when either has none.
struct PairRowKeys<First: RowKeySource, Second: RowKeySource>: RowKeySource {
    let first: First
    let second: Second
    let secondCount: Int32

    @inline(__always)
    func key(_ i: Int) -> Int32 {
        let a = first.key(i), b = second.key(i)
        return a < 0 || b < 0 ? -1 : a &* secondCount &+ b
    }
}

/// How one dimension's keys can be computed per row, with its labels; `nil` from `plan` when
/// the dimension needs the general path.
enum RowKeyPlan {
    case category(codes: [UInt32], remap: [Int32], validity: ValidityBitmap?, labels: [String])
    case day(index: Aggregator.DayIndex, table: [Int32], base: Int32, labels: [String])

    var labels: [String] {
        switch self {
        case .category(_, _, _, let labels), .day(_, _, _, let labels): return labels
        }
    }

    /// Same labels and keys as `GroupKeys(column:bucket:mask:days:)` without a mask.
    static func plan(column: Column, bucket: TimeBucket?, days: Aggregator.DayIndex?) -> RowKeyPlan? {
        switch column.storage {
        case .category(let codes, let dictionary) where bucket == nil:
            let (remap, labels) = GroupKeys.sortedRemap(dictionary)
            return .category(codes: codes, remap: remap, validity: column.validity.nullCount == 0 ? nil : column.validity, labels: labels)
        case .date, .datetime:
            guard let days else { return nil }
            let (table, labels) = GroupKeys.periodTable(days, bucket: bucket ?? .day)
            return .day(index: days, table: table, base: Int32(days.first) - 1, labels: labels)
        default:
            return nil
        }
    }

    /// Hands `consumer` this plan's key source as its concrete type, so the row loops are
    /// specialised for it (no per-row dynamic dispatch); buffers stay valid for the call.
    func withKeys<C: RowKeyConsumer>(_ consumer: C) -> C.Output {
        switch self {
        case .category(let codes, let remap, let validity, _):
            return codes.withUnsafeBufferPointer { c in
                remap.withUnsafeBufferPointer { r in
                    consumer.consume(CategoryRowKeys(codes: c.baseAddress!, remap: r.baseAddress!, validity: validity))
                }
            }
        case .day(let index, let table, let base, _):
            return index.days.withUnsafeBufferPointer { d in
                table.withUnsafeBufferPointer { t in
                    consumer.consume(DayRowKeys(days: d.baseAddress!, table: t.baseAddress!, base: base))
                }
            }
        }
    }

    /// Two plans combined (`k1·n2 + k2`), handed to `consumer` as one concrete key source.
    static func withPairKeys<C: RowKeyConsumer>(_ first: RowKeyPlan, _ second: RowKeyPlan, _ consumer: C) -> C.Output {
        first.withKeys(FirstOfPair(second: second, consumer: consumer))
    }

    private struct FirstOfPair<C: RowKeyConsumer>: RowKeyConsumer {
        let second: RowKeyPlan
        let consumer: C
        func consume<K: RowKeySource>(_ keys: K) -> C.Output {
            second.withKeys(SecondOfPair(first: keys, secondCount: Int32(second.labels.count), consumer: consumer))
        }
    }

    private struct SecondOfPair<First: RowKeySource, C: RowKeyConsumer>: RowKeyConsumer {
        let first: First
        let secondCount: Int32
        let consumer: C
        func consume<K: RowKeySource>(_ keys: K) -> C.Output {
            consumer.consume(PairRowKeys(first: first, second: keys, secondCount: secondCount))
        }
    }
}

/// Work done with a key source of a concrete type (see `RowKeyPlan.withKeys`).
protocol RowKeyConsumer {
    associatedtype Output
    func consume<K: RowKeySource>(_ keys: K) -> Output
}

extension GroupAccumulators {
    /// Sums and counts per group of `value(i)` over rows whose key is valid (and whose cell is
    /// valid, with `validity`), plus the keyed rows per group; halves and lanes exactly as
    /// `run(values:keys:groups:validity:extremes:)` without extremes.
    static func fused<K: RowKeySource, T: GroupCell>(
        values: [T], keys: K, groups: Int, validity: ValidityBitmap?
    ) -> (accumulators: GroupAccumulators, rows: [Int]) {
        let n = values.count
        guard Parallel.worthIt(rows: n) else {
            return values.withUnsafeBufferPointer { v in
                fusedPart(rows: 0..<n, keys: keys, groups: groups, validity: validity) { v[$0].groupValue }
            }
        }
        let parts = Parallel.map([0..<(n / 2), (n / 2)..<n]) { range in
            values.withUnsafeBufferPointer { v in
                fusedPart(rows: range, keys: keys, groups: groups, validity: validity) { v[$0].groupValue }
            }
        }
        var merged = parts[0]
        for g in 0..<groups {
            merged.accumulators.sums[g] += parts[1].accumulators.sums[g]
            merged.accumulators.counts[g] += parts[1].accumulators.counts[g]
            merged.rows[g] += parts[1].rows[g]
        }
        return merged
    }

    /// Rows per group only (a query whose measures are all row counts).
    static func fusedRowCounts<K: RowKeySource>(rows n: Int, keys: K, groups: Int) -> [Int] {
        let parts = Parallel.map(Parallel.worthIt(rows: n) ? [0..<(n / 2), (n / 2)..<n] : [0..<n]) { range in
            var laned = [Int](repeating: 0, count: groups * lanes)
            laned.withUnsafeMutableBufferPointer { l in
                for i in range {
                    let k = keys.key(i)
                    if k >= 0 { l[Int(k) &* lanes &+ (i & 3)] &+= 1 }
                }
            }
            return laned
        }
        return foldLanes(addLanes(parts), groups: groups)
    }

    @inline(__always)
    private static func fusedPart<K: RowKeySource>(
        rows: Range<Int>, keys: K, groups: Int, validity: ValidityBitmap?, _ value: (Int) -> Double
    ) -> (accumulators: GroupAccumulators, rows: [Int]) {
        var sums = [Double](repeating: 0, count: groups * lanes)
        var counts = [Int](repeating: 0, count: groups * lanes)
        var keyed = [Int](repeating: 0, count: groups * lanes)
        sums.withUnsafeMutableBufferPointer { s in
            counts.withUnsafeMutableBufferPointer { c in
                keyed.withUnsafeMutableBufferPointer { r in
                    if let validity {
                        for i in rows {
                            let k = keys.key(i)
                            guard k >= 0 else { continue }
                            let slot = Int(k) &* lanes &+ (i & 3)
                            r[slot] &+= 1
                            if validity[i] {
                                s[slot] += value(i)
                                c[slot] &+= 1
                            }
                        }
                    } else {
                        for i in rows {
                            let k = keys.key(i)
                            guard k >= 0 else { continue }
                            let slot = Int(k) &* lanes &+ (i & 3)
                            r[slot] &+= 1
                            s[slot] += value(i)
                            c[slot] &+= 1
                        }
                    }
                }
            }
        }
        let groupSums = (0..<groups).map { g in (sums[g * lanes] + sums[g * lanes + 1]) + (sums[g * lanes + 2] + sums[g * lanes + 3]) }
        let groupCounts = foldLanes(counts, groups: groups)
        return (GroupAccumulators(sums: groupSums, counts: groupCounts, mins: [], maxs: []), foldLanes(keyed, groups: groups))
    }
}

extension Aggregator {
    /// Labels per dimension, values per measure and keyed rows per group of `query` (no filter,
    /// no top N) by the fused path; `nil` when the query needs the general path (which also
    /// reports any error in it).
    func fusedGroups(_ query: AggregationQuery) -> (labels: [[String]], results: [[Double?]], rows: [Int])? {
        guard !query.groupBy.isEmpty, query.groupBy.count <= 2 else { return nil }
        var plans: [RowKeyPlan] = []
        for d in query.groupBy {
            guard let c = table.column(named: d.column), d.bucket == nil || ColumnValues.isTemporal(c),
                  let plan = RowKeyPlan.plan(column: c, bucket: d.bucket, days: days[c.name]) else { return nil }
            plans.append(plan)
        }
        for m in query.measures {
            guard let name = m.column else {
                guard m.function == .count else { return nil }
                continue
            }
            guard let c = table.column(named: name) else { return nil }
            switch (m.function, c.storage) {
            case (.count, _) where c.validity.nullCount == 0: break
            case (.sum, .float), (.sum, .integer), (.sum, .boolean), (.mean, .float), (.mean, .integer), (.mean, .boolean): break
            default: return nil
            }
        }
        let consumer = FusedMeasures(table: table, measures: query.measures, groups: plans.map(\.labels.count).reduce(1, *))
        let output = plans.count == 1 ? plans[0].withKeys(consumer) : RowKeyPlan.withPairKeys(plans[0], plans[1], consumer)
        return (plans.map(\.labels), output.results, output.rows)
    }
}

/// The measures of a fused query over one key source: one pass per summed column (which also
/// counts the keyed rows), or a counting pass when every measure is a row count.
private struct FusedMeasures: RowKeyConsumer {
    let table: Table
    let measures: [AggregationQuery.Measure]
    let groups: Int

    func consume<K: RowKeySource>(_ keys: K) -> (results: [[Double?]], rows: [Int]) {
        var rows: [Int]?
        var sums: [GroupAccumulators?] = []
        for m in measures {
            guard m.function != .count, let name = m.column, let c = table.column(named: name) else {
                sums.append(nil)
                continue
            }
            let validity = c.validity.nullCount == 0 ? nil : c.validity
            let pass: (accumulators: GroupAccumulators, rows: [Int])
            switch c.storage {
            case .float(let a): pass = GroupAccumulators.fused(values: a, keys: keys, groups: groups, validity: validity)
            case .integer(let a): pass = GroupAccumulators.fused(values: a, keys: keys, groups: groups, validity: validity)
            case .boolean(let a): pass = GroupAccumulators.fused(values: a, keys: keys, groups: groups, validity: validity)
            default: preconditionFailure("checked by fusedGroups")
            }
            rows = rows ?? pass.rows
            sums.append(pass.accumulators)
        }
        let keyed = rows ?? GroupAccumulators.fusedRowCounts(rows: table.rowCount, keys: keys, groups: groups)
        let results = zip(measures, sums).map { m, acc -> [Double?] in
            guard let acc else { return keyed.map { $0 > 0 ? Double($0) : nil } }
            return (0..<groups).map { g -> Double? in
                guard keyed[g] > 0, acc.counts[g] > 0 else { return nil }
                return m.function == .sum ? acc.sums[g] : acc.sums[g] / Double(acc.counts[g])
            }
        }
        return (results, keyed)
    }
}
