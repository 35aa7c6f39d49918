/// Computes one measure per group key with a single pass over the measure column.
enum MeasureAccumulator {
    static func compute(
        _ measure: AggregationQuery.Measure, table: Table, keys: [Int32], groupCount: Int
    ) throws -> [Double?] {
        var rows = [Int](repeating: 0, count: groupCount)
        keys.withUnsafeBufferPointer { k in
            rows.withUnsafeMutableBufferPointer { r in
                for key in k where key >= 0 { r[Int(key)] += 1 }
            }
        }
        guard let name = measure.column else {
            return rows.map { $0 > 0 ? Double($0) : nil }
        }
        guard let column = table.column(named: name) else { throw AggregationError.unknownColumn(name) }
        let validity = column.validity
        let all = validity.nullCount == 0
        switch measure.function {
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
            var sums = [Double](repeating: 0, count: groupCount)
            var counts = [Int](repeating: 0, count: groupCount)
            var mins = [Double](repeating: .infinity, count: groupCount)
            var maxs = [Double](repeating: -.infinity, count: groupCount)
            let wantExtremes = measure.function == .min || measure.function == .max
            func accumulate<T>(_ a: [T], _ convert: (T) -> Double) {
                a.withUnsafeBufferPointer { v in
                    keys.withUnsafeBufferPointer { k in
                        for i in 0..<k.count {
                            let key = Int(k[i])
                            guard key >= 0, all || validity[i] else { continue }
                            let x = convert(v[i])
                            sums[key] += x
                            counts[key] += 1
                            if wantExtremes {
                                if x < mins[key] { mins[key] = x }
                                if x > maxs[key] { maxs[key] = x }
                            }
                        }
                    }
                }
            }
            switch column.storage {
            case .float(let a): accumulate(a) { $0 }
            case .integer(let a): accumulate(a) { Double($0) }
            case .boolean(let a): accumulate(a) { $0 ? 1 : 0 }
            default: throw AggregationError.notNumeric(column: name, function: measure.function.rawValue)
            }
            return (0..<groupCount).map { g -> Double? in
                guard rows[g] > 0 else { return nil }
                switch measure.function {
                case .sum: return sums[g]
                case .mean: return counts[g] > 0 ? sums[g] / Double(counts[g]) : nil
                case .min: return counts[g] > 0 ? mins[g] : nil
                default: return counts[g] > 0 ? maxs[g] : nil
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
