/// Encodes one group-by dimension as a dense key per row plus the label of each key.
///
/// Categories use their dictionary codes directly and dates their period ordinal offset from the
/// first period, so building keys is a single pass over a typed array. Key −1 means "no group"
/// (empty cell or filtered out). Labels come out in natural order (chronological, dictionary
/// order, ascending numbers, false before true).
struct GroupKeys {
    var keys: [Int32]
    var labels: [String]
    /// Rows per key when the key pass could count them on the way (saves the caller a pass).
    var counts: [Int]?

    init(column: Column, bucket: TimeBucket?, mask: [Bool]?, days: Aggregator.DayIndex? = nil) throws {
        let n = column.count
        let validity = column.validity
        if bucket != nil && !ColumnValues.isTemporal(column) {
            throw AggregationError.bucketOnNonTemporal(column.name)
        }
        var keys = [Int32](repeating: -1, count: n)
        switch column.storage {
        case .category(let codes, let dictionary):
            // Sort labels alphabetically and remap codes through a small table.
            let (remap, sortedLabels) = Self.sortedRemap(dictionary)
            let lanes = GroupAccumulators.lanes, groups = dictionary.count, all = validity.nullCount == 0
            let remapped = remap
            let parts = Parallel.halves(&keys) { range, k in
                var laned = [Int](repeating: 0, count: groups * lanes)
                codes.withUnsafeBufferPointer { c in
                    remapped.withUnsafeBufferPointer { r in
                        laned.withUnsafeMutableBufferPointer { l in
                            for i in range where all || validity[i] {
                                let key = r[Int(c[i])]
                                k[i] = key
                                l[Int(key) &* lanes &+ (i & 3)] &+= 1
                            }
                        }
                    }
                }
                return laned
            }
            counts = GroupAccumulators.foldLanes(GroupAccumulators.addLanes(parts), groups: groups)
            labels = sortedLabels
        case .boolean(let a):
            for i in 0..<n where validity[i] { keys[i] = a[i] ? 1 : 0 }
            labels = ["false", "true"]
        case .date, .datetime:
            if let days {
                (labels, counts) = Self.indexedTemporalKeys(days, bucket: bucket ?? .day, into: &keys)
            } else {
                (labels, counts) = Self.temporalKeys(column, bucket: bucket ?? .day, into: &keys)
            }
        case .integer(let a):
            var distinct = Set<Int64>()
            for i in 0..<n where validity[i] { distinct.insert(a[i]) }
            let sorted = distinct.sorted()
            var index = [Int64: Int32](minimumCapacity: sorted.count)
            for (k, v) in sorted.enumerated() { index[v] = Int32(k) }
            for i in 0..<n where validity[i] { keys[i] = index[a[i]]! }
            labels = sorted.map(String.init)
        case .float, .text:
            var distinct = [String: Int32]()
            var raw = [String]()
            for i in 0..<n {
                guard let s = column.string(at: i) else { continue }
                if let k = distinct[s] {
                    keys[i] = k
                } else {
                    let k = Int32(raw.count)
                    distinct[s] = k
                    raw.append(s)
                    keys[i] = k
                }
            }
            let order = raw.indices.sorted { raw[$0] < raw[$1] }
            var remap = [Int32](repeating: 0, count: raw.count)
            for (rank, k) in order.enumerated() { remap[k] = Int32(rank) }
            for i in 0..<n where keys[i] >= 0 { keys[i] = remap[Int(keys[i])] }
            labels = order.map { raw[$0] }
        }
        if let mask {
            for i in 0..<n where !mask[i] { keys[i] = -1 }
            counts = nil
        }
        self.keys = keys
    }
}

extension GroupKeys {
    /// Day number of epoch seconds, rounded down.
    @inline(__always)
    static func day(ofSeconds s: Int64) -> Int { Int(s >= 0 ? s / 86_400 : (s - 86_399) / 86_400) }

    /// Period keys for a date or datetime column, written straight from the stored values: a
    /// min/max pass, a table of period index per day of the span, then one lookup per row; each
    /// pass over both halves of the rows at once on large columns.
    static func temporalKeys(_ column: Column, bucket: TimeBucket, into keys: inout [Int32]) -> ([String], [Int]?) {
        let validity = column.validity
        let all = validity.nullCount == 0
        let n = column.count
        let halves = Parallel.worthIt(rows: n) ? [0..<(n / 2), (n / 2)..<n] : [0..<n]
        let extremes: [(Int, Int)]
        switch column.storage {
        case .date(let a):
            extremes = Parallel.map(halves) { range in
                a.withUnsafeBufferPointer { v in
                    var lo = Int.max, hi = Int.min
                    for i in range where all || validity[i] {
                        let d = Int(v[i])
                        lo = d < lo ? d : lo
                        hi = d > hi ? d : hi
                    }
                    return (lo, hi)
                }
            }
        case .datetime(let a):
            extremes = Parallel.map(halves) { range in
                a.withUnsafeBufferPointer { v in
                    var lo = Int.max, hi = Int.min
                    for i in range where all || validity[i] {
                        let d = Self.day(ofSeconds: v[i])
                        lo = d < lo ? d : lo
                        hi = d > hi ? d : hi
                    }
                    return (lo, hi)
                }
            }
        default: return ([], nil)
        }
        let minDay = extremes.map(\.0).min()!, maxDay = extremes.map(\.1).max()!
        guard minDay <= maxDay else { return ([], nil) }
        let firstOrdinal = bucket.ordinal(ofDay: minDay)
        let span = maxDay - minDay + 1
        var table = [Int32](repeating: 0, count: span)
        for d in 0..<span { table[d] = Int32(bucket.ordinal(ofDay: minDay + d) - firstOrdinal) }
        let groups = Int(table[span - 1]) + 1
        let lanes = GroupAccumulators.lanes
        let lookup = table
        let parts: [[Int]]
        switch column.storage {
        case .date(let a):
            parts = Parallel.halves(&keys) { range, k in
                var laned = [Int](repeating: 0, count: groups * lanes)
                a.withUnsafeBufferPointer { v in
                    lookup.withUnsafeBufferPointer { t in
                        laned.withUnsafeMutableBufferPointer { l in
                            for i in range where all || validity[i] {
                                let key = t[Int(v[i]) &- minDay]
                                k[i] = key
                                l[Int(key) &* lanes &+ (i & 3)] &+= 1
                            }
                        }
                    }
                }
                return laned
            }
        case .datetime(let a):
            parts = Parallel.halves(&keys) { range, k in
                var laned = [Int](repeating: 0, count: groups * lanes)
                a.withUnsafeBufferPointer { v in
                    lookup.withUnsafeBufferPointer { t in
                        laned.withUnsafeMutableBufferPointer { l in
                            for i in range where all || validity[i] {
                                let key = t[Self.day(ofSeconds: v[i]) &- minDay]
                                k[i] = key
                                l[Int(key) &* lanes &+ (i & 3)] &+= 1
                            }
                        }
                    }
                }
                return laned
            }
        default: return ([], nil)
        }
        return ((0..<groups).map { bucket.label(ofOrdinal: firstOrdinal + $0) },
                GroupAccumulators.foldLanes(GroupAccumulators.addLanes(parts), groups: groups))
    }
}

extension GroupKeys {
    /// Period keys from a prepared day index: one table lookup per row, counting as it goes,
    /// both halves of the rows at once.
    static func indexedTemporalKeys(_ index: Aggregator.DayIndex, bucket: TimeBucket, into keys: inout [Int32]) -> ([String], [Int]?) {
        let (table, labels) = periodTable(index, bucket: bucket)
        let groups = labels.count
        let base = Int32(index.first) - 1
        let missing = ColumnValues.missingDay
        let lanes = GroupAccumulators.lanes
        let lookup = table
        let parts = Parallel.halves(&keys) { range, k in
            var laned = [Int](repeating: 0, count: groups * lanes)
            index.days.withUnsafeBufferPointer { dd in
                lookup.withUnsafeBufferPointer { t in
                    laned.withUnsafeMutableBufferPointer { l in
                        for i in range {
                            let d = dd[i]
                            let key = t[d == missing ? 0 : Int(d &- base)]
                            k[i] = key
                            if key >= 0 { l[Int(key) &* lanes &+ (i & 3)] &+= 1 }
                        }
                    }
                }
            }
            return laned
        }
        let laned = GroupAccumulators.addLanes(parts)
        return (labels, GroupAccumulators.foldLanes(laned, groups: groups))
    }

    /// Period key per day of the index's span, in slots 1…span (slot 0, for an empty cell, is
    /// −1), and the periods' labels.
    static func periodTable(_ index: Aggregator.DayIndex, bucket: TimeBucket) -> (table: [Int32], labels: [String]) {
        let firstOrdinal = bucket.ordinal(ofDay: index.first)
        let span = index.last - index.first + 1
        // Slot 0 stands for an empty cell; day d maps to slot d − first + 1.
        var table = [Int32](repeating: -1, count: span + 1)
        for d in 0..<span { table[d + 1] = Int32(bucket.ordinal(ofDay: index.first + d) - firstOrdinal) }
        let groups = Int(table[span]) + 1
        return (table, (0..<groups).map { bucket.label(ofOrdinal: firstOrdinal + $0) })
    }

    /// Dictionary codes' ranks in alphabetical order of their labels, and the sorted labels.
    static func sortedRemap(_ dictionary: [String]) -> (remap: [Int32], labels: [String]) {
        let order = dictionary.indices.sorted { dictionary[$0] < dictionary[$1] }
        var remap = [Int32](repeating: 0, count: dictionary.count)
        for (rank, code) in order.enumerated() { remap[code] = Int32(rank) }
        return (remap, order.map { dictionary[$0] })
    }
}
