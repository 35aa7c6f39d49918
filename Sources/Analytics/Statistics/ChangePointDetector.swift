/// Finds shifts in the level of a series by binary segmentation with a t-test at each split.
///
/// For a segment, every split leaving at least `minimumSegment` points on each side is scored
/// by the pooled two-sample t statistic of the means before and after; the best split is kept
/// when its two-sided p-value, multiplied by the number of splits tried (Bonferroni, because the
/// best of many splits is a maximum, not a single test), is below `alpha`, and the shift is at
/// least `minimumRelativeShift` of the overall level. The two halves are then searched the same
/// way. Prefix sums make each segment scan linear. Callers remove a linear trend first, or a
/// steady rise reads as a step.
public enum ChangePointDetector {
    public struct ChangePoint: Sendable, Equatable, Codable {
        /// Index of the first point of the new level.
        public var index: Int
        public var meanBefore: Double
        public var meanAfter: Double
        /// Bonferroni-adjusted p-value (capped at 1).
        public var pValue: Double
    }

    public static func detect(
        _ series: [Double],
        minimumSegment: Int = 8,
        alpha: Double = 0.001,
        minimumRelativeShift: Double = 0.1,
        maximumCount: Int = 3
    ) -> [ChangePoint] {
        let n = series.count
        guard n >= 2 * minimumSegment, minimumSegment >= 2 else { return [] }
        var prefix = [Double](repeating: 0, count: n + 1)
        var prefixSquares = [Double](repeating: 0, count: n + 1)
        let centre = series.reduce(0, +) / Double(n)
        for i in 0..<n {
            let v = series[i] - centre
            prefix[i + 1] = prefix[i] + v
            prefixSquares[i + 1] = prefixSquares[i] + v * v
        }
        let scale = series.map(abs).reduce(0, +) / Double(n)
        var found: [ChangePoint] = []
        var pending: [(Int, Int)] = [(0, n)]
        while let (start, end) = pending.popLast(), found.count < maximumCount {
            guard let best = bestSplit(start, end, minimumSegment, prefix, prefixSquares) else { continue }
            let adjusted = min(1, best.p * Double(best.tried))
            let shift = abs(best.meanAfter - best.meanBefore)
            guard adjusted < alpha, shift >= minimumRelativeShift * scale else { continue }
            found.append(ChangePoint(
                index: best.index, meanBefore: best.meanBefore + centre,
                meanAfter: best.meanAfter + centre, pValue: adjusted))
            pending.append((start, best.index))
            pending.append((best.index, end))
        }
        return found.sorted { $0.index < $1.index }
    }

    private struct Split {
        var index: Int
        var meanBefore: Double
        var meanAfter: Double
        var p: Double
        var tried: Int
    }

    private static func bestSplit(
        _ start: Int, _ end: Int, _ minSeg: Int, _ prefix: [Double], _ squares: [Double]
    ) -> Split? {
        let n = end - start
        guard n >= 2 * minSeg else { return nil }
        let total = prefix[end] - prefix[start]
        let totalSq = squares[end] - squares[start]
        var bestT = 0.0
        var best: Split?
        var tried = 0
        for k in (start + minSeg)...(end - minSeg) {
            tried += 1
            let n1 = Double(k - start), n2 = Double(end - k)
            let s1 = prefix[k] - prefix[start]
            let q1 = squares[k] - squares[start]
            let s2 = total - s1, q2 = totalSq - q1
            let m1 = s1 / n1, m2 = s2 / n2
            let ss = max(0, q1 - s1 * m1) + max(0, q2 - s2 * m2)
            let pooled = ss / (n1 + n2 - 2)
            guard pooled > 0 else { continue }
            let t = abs(m1 - m2) / (pooled * (1 / n1 + 1 / n2)).squareRoot()
            if t > bestT {
                bestT = t
                best = Split(index: k, meanBefore: m1, meanAfter: m2, p: 1, tried: 0)
            }
        }
        guard var split = best else { return nil }
        split.p = Distributions.studentTTwoSidedP(bestT, df: Double(n - 2))
        split.tried = tried
        return split
    }
}
