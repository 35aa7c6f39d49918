/// Pearson and Spearman correlation with two-sided p-values.
///
/// Pearson's p uses `t = r·√((n−2)/(1−r²))` with n − 2 degrees of freedom, exactly equivalent
/// to scipy's beta-distribution form. Spearman is Pearson on average ranks (ties share the mean
/// of their positions) with the same t approximation, as `scipy.stats.spearmanr`.
public struct Correlation: Sendable, Equatable, Codable {
    public var count: Int
    public var r: Double
    public var pValue: Double

    public init(count: Int, r: Double) {
        self.count = count
        self.r = r
        if count < 3 {
            pValue = 1
        } else if abs(r) >= 1 {
            pValue = 0
        } else {
            let df = Double(count - 2)
            pValue = Distributions.studentTTwoSidedP(r * (df / (1 - r * r)).squareRoot(), df: df)
        }
    }

    /// Pearson correlation of paired values; `nil` when fewer than 3 pairs or a side is constant.
    public static func pearson(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>) -> Correlation? {
        let sums = CentredSums(x, y)
        guard sums.count >= 3, sums.sxx > 0, sums.syy > 0 else { return nil }
        let r = max(-1, min(1, sums.sxy / (sums.sxx * sums.syy).squareRoot()))
        return Correlation(count: sums.count, r: r)
    }

    public static func pearson(_ x: [Double], _ y: [Double]) -> Correlation? {
        x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in pearson(xb, yb) } }
    }

    /// Spearman rank correlation; `nil` when fewer than 3 pairs or a side is constant.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Correlation? {
        let n = min(x.count, y.count)
        guard n >= 3 else { return nil }
        let rx = Ranks.average(Array(x.prefix(n)))
        let ry = Ranks.average(Array(y.prefix(n)))
        return pearson(rx, ry)
    }
}

/// Ranks 1…n with ties given the average of the positions they span ("average" method).
public enum Ranks {
    public static func average(_ values: [Double]) -> [Double] {
        values.contains(where: \.isNaN) ? averageByPositions(values) : averageOfNumbers(values)
    }

    /// Positions sorted through the values array (any input, NaN included).
    static func averageByPositions(_ values: [Double]) -> [Double] {
        let n = values.count
        var order = Array(0..<n)
        values.withUnsafeBufferPointer { v in
            order.sort { v[$0] < v[$1] || (v[$0] == v[$1] && $0 < $1) }
        }
        var ranks = [Double](repeating: 0, count: n)
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && values[order[j + 1]] == values[order[i]] { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = rank }
            i = j + 1
        }
        return ranks
    }

    /// `average` for values without NaN, where "smaller value, then earlier position" is a
    /// strict total order, so sorting (value, position) pairs held side by side (rather than
    /// positions compared through the values array) gives the very same order, faster.
    static func averageOfNumbers(_ values: [Double]) -> [Double] {
        let n = values.count
        var pairs = values.enumerated().map { (value: $0.element, position: $0.offset) }
        pairs.sort { $0.value < $1.value || ($0.value == $1.value && $0.position < $1.position) }
        var ranks = [Double](repeating: 0, count: n)
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && pairs[j + 1].value == pairs[i].value { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j { ranks[pairs[k].position] = rank }
            i = j + 1
        }
        return ranks
    }

    /// Sizes of groups of tied values (only groups larger than one), for tie corrections.
    public static func tieGroupSizes(_ values: [Double]) -> [Int] {
        let sorted = values.sorted()
        var sizes: [Int] = []
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1] == sorted[i] { j += 1 }
            if j > i { sizes.append(j - i + 1) }
            i = j + 1
        }
        return sizes
    }
}
