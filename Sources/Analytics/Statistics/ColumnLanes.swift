/// Several columns summed side by side, four at a time in SIMD lanes, each lane adding its own
/// column's values in row order.
///
/// A lone running sum waits for the previous addition on every row (a latency chain of about
/// four cycles), so a million-row pass costs over a millisecond however simple its body, and the
/// insight rules took one such pass per measure and statistic. Putting four columns in the four
/// lanes of a `SIMD4<Double>` runs four chains at once. Lane arithmetic is IEEE arithmetic on each
/// lane, and every lane sees its column's values in the same order as the one-column loop, so the
/// results are bit for bit those of that loop (the tests compare them); that is why the chains
/// are not simply split into partial sums, which would change the last bits.
///
/// Rows a lane skips add `+0.0`, which leaves any running sum started at `+0.0` unchanged (such a
/// sum can never be `−0.0`).
enum ColumnLanes {
    typealias Lanes = SIMD4<Double>
    static let width = 4

    /// `body` with a buffer of each array, in order (no copies).
    static func withBuffers<T, R>(_ arrays: [[T]], _ body: ([UnsafeBufferPointer<T>]) throws -> R) rethrows -> R {
        var buffers: [UnsafeBufferPointer<T>] = []
        buffers.reserveCapacity(arrays.count)
        func nest(_ i: Int) throws -> R {
            guard i < arrays.count else { return try body(buffers) }
            return try arrays[i].withUnsafeBufferPointer { b in
                buffers.append(b)
                return try nest(i + 1)
            }
        }
        return try nest(0)
    }

    /// Indices `0..<count` in groups of four; the unused lanes of the last group repeat its
    /// first index (their results are computed and dropped).
    static func groups(_ count: Int) -> [[Int]] {
        stride(from: 0, to: count, by: width).map { start in
            (0..<width).map { start + $0 < count ? start + $0 : start }
        }
    }

    /// `abs` of each lane for comparisons (a `−0.0` lane stays `−0.0`, which compares equal to `+0.0`).
    @inline(__always)
    static func magnitudes(_ v: Lanes) -> Lanes {
        v.replacing(with: -v, where: v .< 0)
    }

    /// Row `i` of four columns as one vector.
    @inline(__always)
    static func load(_ c: (UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>), _ i: Int) -> Lanes {
        Lanes(c.0[i], c.1[i], c.2[i], c.3[i])
    }

    /// The base addresses of a group's four columns (`count` rows each, at least one row).
    static func pointers(
        _ columns: [UnsafeBufferPointer<Double>], _ group: [Int]
    ) -> (UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>) {
        (columns[group[0]].baseAddress!, columns[group[1]].baseAddress!,
         columns[group[2]].baseAddress!, columns[group[3]].baseAddress!)
    }

    /// Neumaier-compensated sum of each column, exactly as `Descriptive.sum` gives it. Columns
    /// have equal length and no NaN.
    static func compensatedSums(_ columns: [UnsafeBufferPointer<Double>]) -> [Double] {
        guard let n = columns.first?.count, n > 0 else { return columns.map { _ in 0 } }
        var out = [Double](repeating: 0, count: columns.count)
        for group in groups(columns.count) {
            let c = pointers(columns, group)
            var total = Lanes(repeating: 0), compensation = Lanes(repeating: 0)
            for i in 0..<n {
                let v = load(c, i)
                let t = total + v
                let big = (total - t) + v, small = (v - t) + total
                compensation += big.replacing(with: small, where: magnitudes(total) .< magnitudes(v))
                total = t
            }
            let sums = total + compensation
            for (lane, column) in group.enumerated() where lane == 0 || column != group[0] { out[column] = sums[lane] }
        }
        return out
    }

    /// `Σ (x − mx)(y − my)` for each pair, summed in row order as a one-pair loop would. Columns
    /// have equal length.
    static func centredProducts(
        _ pairs: [(x: UnsafeBufferPointer<Double>, mx: Double, y: UnsafeBufferPointer<Double>, my: Double)]
    ) -> [Double] {
        guard let n = pairs.first?.x.count, n > 0 else { return pairs.map { _ in 0 } }
        var out = [Double](repeating: 0, count: pairs.count)
        let xs = pairs.map(\.x), ys = pairs.map(\.y)
        for group in groups(pairs.count) {
            let cx = pointers(xs, group), cy = pointers(ys, group)
            let mx = Lanes(group.map { pairs[$0].mx }), my = Lanes(group.map { pairs[$0].my })
            var sum = Lanes(repeating: 0)
            for i in 0..<n {
                sum += (load(cx, i) - mx) * (load(cy, i) - my)
            }
            for (lane, p) in group.enumerated() where lane == 0 || p != group[0] { out[p] = sum[lane] }
        }
        return out
    }

    /// Sum and count of each column's values per key (keys −1 and NaN values skipped, and values
    /// that `excluding[c]` calls robust-z outliers), as `sums[k] += x; counts[k] += 1` per column.
    ///
    /// Rows usually come in date order, so runs of rows share a key: the running sums of the
    /// current key stay in registers and are stored only when the key changes, which adds the same
    /// values in the same order as storing after every row.
    static func keyedSums(
        keys: UnsafeBufferPointer<Int32>, groups groupCount: Int, _ columns: [UnsafeBufferPointer<Double>],
        excluding: [RobustSummary?]
    ) -> [(sums: [Double], counts: [Int])] {
        keyedSums(keys: keys, groups: groupCount, columns, excluding: excluding, alsoAll: false).kept
    }

    /// `keyedSums` with the exclusions (`kept`) and without them (`all`) from the same pass:
    /// the second set of running sums is an independent chain, so it costs little extra.
    static func keyedSumsWithAndWithout(
        keys: UnsafeBufferPointer<Int32>, groups groupCount: Int, _ columns: [UnsafeBufferPointer<Double>],
        excluding: [RobustSummary?]
    ) -> (kept: [(sums: [Double], counts: [Int])], all: [(sums: [Double], counts: [Int])]) {
        keyedSums(keys: keys, groups: groupCount, columns, excluding: excluding, alsoAll: true)
    }

    private static func keyedSums(
        keys: UnsafeBufferPointer<Int32>, groups groupCount: Int, _ columns: [UnsafeBufferPointer<Double>],
        excluding: [RobustSummary?], alsoAll: Bool
    ) -> (kept: [(sums: [Double], counts: [Int])], all: [(sums: [Double], counts: [Int])]) {
        var out = columns.map { _ in (sums: [Double](repeating: 0, count: groupCount), counts: [Int](repeating: 0, count: groupCount)) }
        var everything = alsoAll ? out : []
        guard groupCount > 0, !keys.isEmpty else { return (out, everything) }
        let n = keys.count
        // A summary without finite bounds (never in practice) takes the one-column loop.
        let bounded = columns.indices.filter { excluding.isEmpty || excluding[$0] == nil || excluding[$0]!.inlierBounds != nil }
        for column in columns.indices where !bounded.contains(column) {
            out[column] = keyedSums(keys: keys, groups: groupCount, columns[column], excluding: excluding[column])
            if alsoAll { everything[column] = keyedSums(keys: keys, groups: groupCount, columns[column], excluding: nil) }
        }
        for group in groups(bounded.count).map({ $0.map { bounded[$0] } }) {
            let c = pointers(columns, group)
            // Per lane, the values kept: `low ≤ x ≤ high` (no bounds when nothing is excluded).
            let bounds = group.map { column -> (low: Double, high: Double) in
                let summary = excluding.isEmpty ? nil : excluding[column]
                return summary?.inlierBounds ?? (-.infinity, .infinity)
            }
            let filtering = bounds.contains { $0.low != -.infinity || $0.high != .infinity }
            let low = Lanes(bounds.map(\.low)), high = Lanes(bounds.map(\.high))
            // Slot 2k holds key k's kept values, slot 2k + 1 all of them (when asked).
            var sums = [Lanes](repeating: Lanes(repeating: 0), count: groupCount * 2)
            var counts = [SIMD4<Int64>](repeating: SIMD4(repeating: 0), count: groupCount * 2)
            sums.withUnsafeMutableBufferPointer { s in
                counts.withUnsafeMutableBufferPointer { k in
                    var current = -1
                    var sum = Lanes(repeating: 0), count = SIMD4<Int64>(repeating: 0)
                    var sumAll = Lanes(repeating: 0), countAll = SIMD4<Int64>(repeating: 0)
                    let zero = Lanes(repeating: 0), none = SIMD4<Int64>(repeating: 0), one = SIMD4<Int64>(repeating: 1)
                    for i in 0..<n {
                        let key = Int(keys[i])
                        // −1 (no key) and, defensively, keys past the end are skipped in one test.
                        guard UInt(bitPattern: key) < UInt(groupCount) else { continue }
                        if key != current {
                            if current >= 0 {
                                (s[2 * current], k[2 * current]) = (sum, count)
                                (s[2 * current + 1], k[2 * current + 1]) = (sumAll, countAll)
                            }
                            current = key
                            (sum, count) = (s[2 * key], k[2 * key])
                            (sumAll, countAll) = (s[2 * key + 1], k[2 * key + 1])
                        }
                        let v = load(c, i)
                        let filled = v .== v
                        var keep = filled
                        if filtering { keep = keep .& (v .>= low) .& (v .<= high) }
                        sum += zero.replacing(with: v, where: keep)
                        count &+= none.replacing(with: one, where: keep)
                        if alsoAll {
                            sumAll += zero.replacing(with: v, where: filled)
                            countAll &+= none.replacing(with: one, where: filled)
                        }
                    }
                    if current >= 0 {
                        (s[2 * current], k[2 * current]) = (sum, count)
                        (s[2 * current + 1], k[2 * current + 1]) = (sumAll, countAll)
                    }
                }
            }
            for (lane, column) in group.enumerated() where lane == 0 || column != group[0] {
                out[column] = ((0..<groupCount).map { sums[2 * $0][lane] }, (0..<groupCount).map { Int(counts[2 * $0][lane]) })
                if alsoAll {
                    everything[column] = ((0..<groupCount).map { sums[2 * $0 + 1][lane] },
                                          (0..<groupCount).map { Int(counts[2 * $0 + 1][lane]) })
                }
            }
        }
        return (out, everything)
    }

    /// The one-column loop `keyedSums` stands for: the reference its lanes are tested against.
    static func keyedSums(
        keys: UnsafeBufferPointer<Int32>, groups groupCount: Int, _ values: UnsafeBufferPointer<Double>, excluding: RobustSummary?
    ) -> (sums: [Double], counts: [Int]) {
        var sums = [Double](repeating: 0, count: groupCount)
        var counts = [Int](repeating: 0, count: groupCount)
        for i in 0..<min(keys.count, values.count) {
            let k = Int(keys[i]), x = values[i]
            if k >= 0 && k < groupCount && !x.isNaN && !(excluding?.isRobustZOutlier(x) ?? false) {
                sums[k] += x
                counts[k] += 1
            }
        }
        return (sums, counts)
    }

    /// Per dictionary code (empty cells skipped): the row count, and for each column the sum of
    /// its values with NaN taken as 0, spread over four interleaved lanes per code exactly as
    /// `GroupAccumulators.run` spreads them (row i in lane i mod 4, lanes folded as
    /// (0 + 1) + (2 + 3)); and whether any summed value was negative. One pass per four columns
    /// instead of a key array and one pass per column.
    static func codeSums(
        codes: UnsafeBufferPointer<UInt32>, validity: ValidityBitmap, groups groupCount: Int, _ columns: [UnsafeBufferPointer<Double>]
    ) -> (rows: [Int], sums: [[Double]], negative: [Bool]) {
        let lanes = GroupAccumulators.lanes
        let n = min(codes.count, columns.map(\.count).min() ?? codes.count)
        let all = validity.nullCount == 0
        var rows = [Int](repeating: 0, count: groupCount * lanes)
        var sums = columns.map { _ in [Double](repeating: 0, count: groupCount) }
        var negative = columns.map { _ in false }
        rows.withUnsafeMutableBufferPointer { r in
            for i in 0..<codes.count where all || validity[i] {
                let code = Int(codes[i])
                if code < groupCount { r[code &* lanes &+ (i & 3)] &+= 1 }
            }
        }
        guard n > 0, groupCount > 0 else { return (GroupAccumulators.foldLanes(rows, groups: groupCount), sums, negative) }
        for group in groups(columns.count) {
            let c = pointers(columns, group)
            var laned = [Lanes](repeating: Lanes(repeating: 0), count: groupCount * lanes)
            var below = SIMDMask<SIMD4<Int64>>(repeating: false)
            laned.withUnsafeMutableBufferPointer { l in
                for i in 0..<n where all || validity[i] {
                    let code = Int(codes[i])
                    guard code < groupCount else { continue }
                    let raw = load(c, i)
                    let v = raw.replacing(with: 0, where: raw .!= raw)
                    l[code &* lanes &+ (i & 3)] += v
                    below .|= v .< 0
                }
            }
            for (lane, column) in group.enumerated() where lane == 0 || column != group[0] {
                sums[column] = (0..<groupCount).map { g in
                    (laned[g * lanes][lane] + laned[g * lanes + 1][lane]) + (laned[g * lanes + 2][lane] + laned[g * lanes + 3][lane])
                }
                negative[column] = below[lane]
            }
        }
        return (GroupAccumulators.foldLanes(rows, groups: groupCount), sums, negative)
    }
}
