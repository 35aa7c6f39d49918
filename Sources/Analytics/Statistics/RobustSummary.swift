/// Median, MAD and quartiles of a sample, with the two outlier rules built on them.
///
/// * Robust z (Iglewicz & Hoaglin's modified z-score): `0.6745·(x − median) / MAD`, where MAD
///   is the raw (unscaled) median absolute deviation; a value is an outlier when `|z| > 3.5`.
///   When MAD is 0 (over half the values identical) the mean absolute deviation scaled by
///   1.253314 stands in, the usual fallback, so a near-constant column still flags a stray.
/// * Tukey fences: outside `[Q1 − 1.5·IQR, Q3 + 1.5·IQR]`, quartiles by `Quantiles` (type 7).
///
/// Both are insensitive to the outliers they look for, unlike mean ± 3σ, which a single
/// typo-sized value inflates enough to hide itself.
public struct RobustSummary: Sendable, Equatable, Codable {
    public var count: Int
    public var median: Double
    public var mad: Double
    public var q1: Double
    public var q3: Double
    /// Scale used for the robust z: MAD, or 0.6745 × 1.253314 × mean absolute deviation when MAD is 0.
    public var zScale: Double

    public static let robustZThreshold = 3.5
    public static let iqrMultiplier = 1.5

    public var iqr: Double { q3 - q1 }
    public var lowerFence: Double { q1 - Self.iqrMultiplier * iqr }
    public var upperFence: Double { q3 + Self.iqrMultiplier * iqr }

    /// Modified z-score of `x`; 0 when every value is the same.
    @inlinable
    public func robustZ(_ x: Double) -> Double {
        zScale > 0 ? 0.6745 * (x - median) / zScale : 0
    }

    @inlinable
    public func isRobustZOutlier(_ x: Double) -> Bool {
        abs(robustZ(x)) > Self.robustZThreshold
    }

    @inlinable
    public func isIQROutlier(_ x: Double) -> Bool {
        x < lowerFence || x > upperFence
    }

    /// The values that are *not* robust-z outliers, as a closed range: for every non-NaN `x`,
    /// `!isRobustZOutlier(x)` exactly when `low <= x && x <= high`. Two comparisons per row instead
    /// of a division; found once by bisecting over the doubles, which is exact because the
    /// robust z is monotonic in `x` (each rounded step keeps order). `nil` when the median or
    /// scale is not finite (then test each value); unbounded when nothing can be an outlier.
    public var inlierBounds: (low: Double, high: Double)? {
        guard zScale > 0 else { return (-.infinity, .infinity) }
        guard median.isFinite, zScale.isFinite else { return nil }
        // Doubles in order as integers (−0 and +0 share 0), and back.
        func ordinal(_ x: Double) -> Int64 {
            x.sign == .minus ? -Int64(bitPattern: (-x).bitPattern) : Int64(bitPattern: x.bitPattern)
        }
        func double(_ k: Int64) -> Double {
            k < 0 ? -Double(bitPattern: UInt64(-k)) : Double(bitPattern: UInt64(k))
        }
        // Invariant: `inlier` holds at one end and not at the other; close in on the boundary.
        func boundary(inlier: Int64, outlier: Int64) -> Double {
            var (a, b) = (inlier, outlier)
            while true {
                // Floor of the mean without overflow; it is a or b only once they are adjacent.
                let mid = (a >> 1) + (b >> 1) + (a & b & 1)
                guard mid != a && mid != b else { return double(a) }
                if isRobustZOutlier(double(mid)) { b = mid } else { a = mid }
            }
        }
        let centre = ordinal(median)
        return (boundary(inlier: centre, outlier: ordinal(-.infinity)), boundary(inlier: centre, outlier: ordinal(.infinity)))
    }

    /// Summarises `values` (no NaN); `nil` when empty. The input is not reordered.
    public init?(_ values: UnsafeBufferPointer<Double>) {
        guard let q = Quantiles.of(values, [0.25, 0.5, 0.75]) else { return nil }
        let med = q[1]
        var deviations = [Double](repeating: 0, count: values.count)
        var absSum = 0.0
        deviations.withUnsafeMutableBufferPointer { d in
            for i in 0..<values.count {
                let x = abs(values[i] - med)
                d[i] = x
                absSum += x
            }
        }
        let mad = Quantiles.of(deviations, [0.5])?.first ?? 0
        self.init(count: values.count, median: med, mad: mad, q1: q[0], q3: q[2], meanAbsoluteDeviation: absSum / Double(values.count))
    }

    public var meanAbsoluteDeviation: Double

    public init(count: Int, median: Double, mad: Double, q1: Double, q3: Double, meanAbsoluteDeviation: Double) {
        self.meanAbsoluteDeviation = meanAbsoluteDeviation
        self.count = count
        self.median = median
        self.mad = mad
        self.q1 = q1
        self.q3 = q3
        // With the fallback, 0.6745 / zScale equals 1 / (1.253314 · mean absolute deviation).
        self.zScale = mad > 0 ? mad : 0.6745 * 1.253314 * meanAbsoluteDeviation
    }

    public init?(_ values: [Double]) {
        guard let s = values.withUnsafeBufferPointer({ RobustSummary($0) }) else { return nil }
        self = s
    }
}
