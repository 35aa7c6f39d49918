/// Mann-Kendall test for a monotonic trend, with the tie-corrected variance and Sen's slope.
///
/// Chosen over the slope t-test for the significance of a trend in aggregated series because it
/// assumes neither normal residuals nor a linear shape and is not moved by a few extreme
/// periods. `S = Σ_{i<j} sign(x_j − x_i)`;
/// `Var(S) = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18` over tie groups of size t;
/// `z = (S − sign(S)) / √Var(S)` (continuity correction); two-sided normal p-value.
/// Quadratic in n, so callers pass aggregated series (periods), not raw rows.
public struct MannKendall: Sendable, Equatable, Codable {
    public var count: Int
    public var s: Double
    public var variance: Double
    public var z: Double
    public var pValue: Double
    /// Kendall's tau-a, S / (n(n−1)/2).
    public var tau: Double
    /// Theil–Sen slope: the median of all pairwise slopes (per step of the series); `nil` above
    /// `senSlopeLimit` points, where the O(n²) pairwise slopes would cost too much memory.
    public var senSlope: Double?

    public static let senSlopeLimit = 3000

    /// Tests `series` (evenly spaced, no NaN); `nil` for fewer than 4 points.
    public init?(_ series: [Double]) {
        let n = series.count
        guard n >= 4 else { return nil }
        var sTotal = 0
        let keepSlopes = n <= Self.senSlopeLimit
        var slopes: [Double] = []
        if keepSlopes { slopes.reserveCapacity(n * (n - 1) / 2) }
        series.withUnsafeBufferPointer { x in
            for i in 0..<(n - 1) {
                let xi = x[i]
                for j in (i + 1)..<n {
                    let d = x[j] - xi
                    sTotal += d > 0 ? 1 : (d < 0 ? -1 : 0)
                    if keepSlopes { slopes.append(d / Double(j - i)) }
                }
            }
        }
        let nd = Double(n)
        var v = nd * (nd - 1) * (2 * nd + 5)
        for t in Ranks.tieGroupSizes(series) {
            let td = Double(t)
            v -= td * (td - 1) * (2 * td + 5)
        }
        v /= 18
        count = n
        s = Double(sTotal)
        variance = v
        if v <= 0 || sTotal == 0 {
            z = 0
        } else {
            z = (s - (sTotal > 0 ? 1 : -1)) / v.squareRoot()
        }
        pValue = v > 0 ? Distributions.normalTwoSidedP(z) : 1
        tau = s / (nd * (nd - 1) / 2)
        senSlope = keepSlopes ? Quantiles.median(slopes) : nil
    }
}
