/// Encodes one group-by dimension as a dense key per row plus the label of each key.
///
/// Categories use their dictionary codes directly and dates their period ordinal offset from the
/// first period, so building keys is a single pass over a typed array. Key −1 means "no group"
/// (empty cell or filtered out). Labels come out in natural order (chronological, dictionary
/// order, ascending numbers, false before true).
struct GroupKeys {
    var keys: [Int32]
    var labels: [String]

    init(column: Column, bucket: TimeBucket?, mask: [Bool]?) throws {
        let n = column.count
        let validity = column.validity
        if bucket != nil && !ColumnValues.isTemporal(column) {
            throw AggregationError.bucketOnNonTemporal(column.name)
        }
        var keys = [Int32](repeating: -1, count: n)
        switch column.storage {
        case .category(let codes, let dictionary):
            // Sort labels alphabetically and remap codes through a small table.
            let order = dictionary.indices.sorted { dictionary[$0] < dictionary[$1] }
            var remap = [Int32](repeating: 0, count: dictionary.count)
            for (rank, code) in order.enumerated() { remap[code] = Int32(rank) }
            keys.withUnsafeMutableBufferPointer { k in
                codes.withUnsafeBufferPointer { c in
                    for i in 0..<n where validity[i] { k[i] = remap[Int(c[i])] }
                }
            }
            labels = order.map { dictionary[$0] }
        case .boolean(let a):
            for i in 0..<n where validity[i] { keys[i] = a[i] ? 1 : 0 }
            labels = ["false", "true"]
        case .date, .datetime:
            let days = ColumnValues.days(column) ?? []
            let b = bucket ?? .day
            var minDay = Int32.max, maxDay = Int32.min
            for d in days where d != ColumnValues.missingDay {
                minDay = min(minDay, d)
                maxDay = max(maxDay, d)
            }
            guard minDay <= maxDay else {
                labels = []
                break
            }
            // Period ordinal per day of the span, computed once per distinct day.
            let firstOrdinal = b.ordinal(ofDay: Int(minDay))
            let span = Int(maxDay - minDay) + 1
            var table = [Int32](repeating: 0, count: span)
            for d in 0..<span { table[d] = Int32(b.ordinal(ofDay: Int(minDay) + d) - firstOrdinal) }
            keys.withUnsafeMutableBufferPointer { k in
                days.withUnsafeBufferPointer { dd in
                    table.withUnsafeBufferPointer { t in
                        for i in 0..<n {
                            let d = dd[i]
                            if d != ColumnValues.missingDay { k[i] = t[Int(d - minDay)] }
                        }
                    }
                }
            }
            let count = Int(table[span - 1]) + 1
            labels = (0..<count).map { b.label(ofOrdinal: firstOrdinal + $0) }
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
        }
        self.keys = keys
    }
}
