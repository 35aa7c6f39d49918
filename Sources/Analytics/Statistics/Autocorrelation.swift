/// Sample autocorrelation and a seasonality check built on it.
///
/// `acf(k) = Σ_{t<n−k} (x_t − m)(x_{t+k} − m) / Σ (x_t − m)²` (the biased estimator statsmodels
/// uses, which keeps the function positive semi-definite). A period is called seasonal when its
/// autocorrelation clears both a strength floor and the 99% white-noise band `2.576/√n`, stands
/// above its neighbouring lags (a smooth, slowly wandering series has large autocorrelation at
/// every short lag, but no peak), and the series covers at least three full periods: fewer
/// cycles cannot tell a season from a coincidence.
public enum Autocorrelation {
    public static func acf(_ series: [Double], lag: Int) -> Double? {
        let n = series.count
        guard lag > 0, lag < n else { return nil }
        let m = series.reduce(0, +) / Double(n)
        var denominator = 0.0
        for v in series { denominator += (v - m) * (v - m) }
        guard denominator > 0 else { return nil }
        var numerator = 0.0
        for t in 0..<(n - lag) { numerator += (series[t] - m) * (series[t + lag] - m) }
        return numerator / denominator
    }

    public struct Seasonality: Sendable, Equatable, Codable {
        public var period: Int
        public var autocorrelation: Double
        public var cycles: Int
    }

    /// The strongest seasonal period among `candidates`, or `nil` when none is convincing.
    /// Pass a detrended series, or a trend alone produces large autocorrelations at every lag.
    public static func seasonality(
        _ series: [Double], candidates: [Int], minimumStrength: Double = 0.3
    ) -> Seasonality? {
        let n = series.count
        let band = 2.576 / Double(max(n, 1)).squareRoot()
        var best: Seasonality?
        for period in candidates where period >= 2 && n >= 3 * period {
            guard let r = acf(series, lag: period), r >= minimumStrength, r > band else { continue }
            let before = acf(series, lag: period - 1) ?? 0
            let after = acf(series, lag: period + 1) ?? 0
            guard r >= max(before, after) + 0.1 else { continue }
            if r > (best?.autocorrelation ?? -1) {
                best = Seasonality(period: period, autocorrelation: r, cycles: n / period)
            }
        }
        return best
    }
}
