/// Moments of a sample of doubles: sum, mean, variance and standard deviation.
///
/// Variance and standard deviation are the *sample* versions (ddof = 1, divisor n − 1), the
/// estimator analysts expect from a spreadsheet's `STDEV.S`, pandas `.std()` or R's `sd()`.
/// Both are computed in two passes (mean first, then squared deviations) so large offsets such
/// as order ids or epoch seconds do not lose precision the way the one-pass formula does.
public enum Descriptive {
    /// Sum with Neumaier compensation: totals shown to users (revenue sums over millions of
    /// rows) stay exact to the cent instead of drifting with the order of addition.
    @inlinable
    public static func sum(_ values: UnsafeBufferPointer<Double>) -> Double {
        var total = 0.0
        var compensation = 0.0
        for v in values {
            let t = total + v
            if abs(total) >= abs(v) {
                compensation += (total - t) + v
            } else {
                compensation += (v - t) + total
            }
            total = t
        }
        return total + compensation
    }

    public static func sum(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { sum($0) }
    }

    /// Arithmetic mean; `nil` for an empty sample.
    public static func mean(_ values: UnsafeBufferPointer<Double>) -> Double? {
        values.isEmpty ? nil : sum(values) / Double(values.count)
    }

    public static func mean(_ values: [Double]) -> Double? {
        values.withUnsafeBufferPointer { mean($0) }
    }

    /// Sample variance (divisor n − 1); `nil` when fewer than two values.
    public static func variance(_ values: UnsafeBufferPointer<Double>) -> Double? {
        guard values.count >= 2, let m = mean(values) else { return nil }
        var acc = 0.0
        var correction = 0.0
        for v in values {
            let d = v - m
            acc += d * d
            correction += d
        }
        // The correction term removes the rounding error left in the mean (Chan et al.).
        let n = Double(values.count)
        return (acc - correction * correction / n) / (n - 1)
    }

    public static func variance(_ values: [Double]) -> Double? {
        values.withUnsafeBufferPointer { variance($0) }
    }

    /// Sample standard deviation (ddof = 1).
    public static func standardDeviation(_ values: UnsafeBufferPointer<Double>) -> Double? {
        variance(values).map { $0.squareRoot() }
    }

    public static func standardDeviation(_ values: [Double]) -> Double? {
        values.withUnsafeBufferPointer { standardDeviation($0) }
    }

    /// Adjusted Fisher–Pearson sample skewness (G1, as pandas `.skew()` and Excel `SKEW`).
    /// Used by the data-quality alerts to call a column "heavily skewed".
    public static func skewness(_ values: UnsafeBufferPointer<Double>) -> Double? {
        let n = Double(values.count)
        guard values.count >= 3, let m = mean(values) else { return nil }
        var m2 = 0.0
        var m3 = 0.0
        for v in values {
            let d = v - m
            m2 += d * d
            m3 += d * d * d
        }
        m2 /= n
        m3 /= n
        guard m2 > 0 else { return 0 }
        let g1 = m3 / (m2 * m2.squareRoot())
        return g1 * (n * (n - 1)).squareRoot() / (n - 2)
    }

    public static func skewness(_ values: [Double]) -> Double? {
        values.withUnsafeBufferPointer { skewness($0) }
    }
}
