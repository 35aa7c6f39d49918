/// Exact order statistics of large samples by bucket refinement, without copying or sorting.
///
/// Quickselect's data-dependent branches mispredict on every other element of real data, which
/// makes it ~10 ns per element. Here one pass finds min and max, one pass counts values into 4,096
/// equal-width buckets (the bucket index is monotonic in the value, so ranks carry over), and one
/// pass gathers only the buckets holding the wanted ranks; the gathered values, usually a tiny
/// fraction, are refined the same way until small enough for quickselect. A bucket whose values
/// are all equal answers at once, which makes heavily tied columns (discounts, ages) cheap.
/// Values must not contain NaN.
public enum RankSelector {
    static let bucketCount = 4096
    static let smallCutoff = 8192

    /// The values that sorted order would put at each of `ranks` (0-based, each < count).
    public static func values(at ranks: [Int], in values: UnsafeBufferPointer<Double>) -> [Double] {
        guard !ranks.isEmpty, !values.isEmpty else { return [] }
        if values.count <= smallCutoff { return small(ranks, values) }
        var lo = values[0], hi = values[0]
        for v in values {
            lo = v < lo ? v : lo
            hi = v > hi ? v : hi
        }
        if lo == hi { return ranks.map { _ in lo } }
        let scale = Double(bucketCount) / (hi - lo)
        guard scale.isFinite, scale > 0 else { return small(ranks, values) }
        let top = bucketCount - 1
        var counts = [Int](repeating: 0, count: bucketCount)
        // Per-bucket extremes: a bucket whose minimum equals its maximum answers without a gather.
        var bucketMin = [Double](repeating: .infinity, count: bucketCount)
        var bucketMax = [Double](repeating: -.infinity, count: bucketCount)
        counts.withUnsafeMutableBufferPointer { c in
            bucketMin.withUnsafeMutableBufferPointer { mn in
                bucketMax.withUnsafeMutableBufferPointer { mx in
                    for v in values {
                        var b = Int((v - lo) * scale)
                        b = b < top ? b : top
                        c[b] += 1
                        mn[b] = v < mn[b] ? v : mn[b]
                        mx[b] = v > mx[b] ? v : mx[b]
                    }
                }
            }
        }
        // Bucket and rank within it for every wanted rank.
        var starts = [Int](repeating: 0, count: bucketCount + 1)
        for b in 0..<bucketCount { starts[b + 1] = starts[b] + counts[b] }
        var slotOfBucket = [Int](repeating: -1, count: bucketCount)
        var wantedBuckets: [Int] = []
        var located: [(slot: Int, rank: Int)] = []
        var direct: [Int: Double] = [:]
        for r in ranks {
            var b = 0
            var low = 0, high = bucketCount - 1
            // Last bucket whose start is <= r.
            while low <= high {
                let mid = (low + high) / 2
                if starts[mid] <= r { b = mid; low = mid + 1 } else { high = mid - 1 }
            }
            while counts[b] == 0 { b += 1 }
            if bucketMin[b] == bucketMax[b] {
                direct[r] = bucketMin[b]
                continue
            }
            if slotOfBucket[b] < 0 {
                slotOfBucket[b] = wantedBuckets.count
                wantedBuckets.append(b)
            }
            located.append((slotOfBucket[b], r - starts[b]))
        }
        if wantedBuckets.isEmpty { return ranks.map { direct[$0]! } }
        var gathered = wantedBuckets.map { b -> [Double] in
            var a: [Double] = []
            a.reserveCapacity(counts[b])
            return a
        }
        slotOfBucket.withUnsafeBufferPointer { slots in
            for v in values {
                let b = Int((v - lo) * scale)
                let s = slots[b < top ? b : top]
                if s >= 0 { gathered[s].append(v) }
            }
        }
        var answers = [[Int: Double]](repeating: [:], count: wantedBuckets.count)
        for s in wantedBuckets.indices {
            let inner = Array(Set(located.filter { $0.slot == s }.map(\.rank))).sorted()
            let found = gathered[s].withUnsafeBufferPointer { Self.values(at: inner, in: $0) }
            for (r, v) in zip(inner, found) { answers[s][r] = v }
        }
        var next = 0
        return ranks.map { r in
            if let v = direct[r] { return v }
            defer { next += 1 }
            return answers[located[next].slot][located[next].rank]!
        }
    }

    private static func small(_ ranks: [Int], _ values: UnsafeBufferPointer<Double>) -> [Double] {
        var copy = Array(values)
        return copy.withUnsafeMutableBufferPointer { buffer in
            OrderStatistics.select(ranks: ranks, in: buffer)
            return ranks.map { buffer[$0] }
        }
    }
}
