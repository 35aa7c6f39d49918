import Foundation

/// Equal-width histogram bins, bin for bin the same as `numpy.histogram`.
///
/// Edges are `min + i·(max − min)/bins`; every bin is half-open `[left, right)` except the last,
/// which also holds the maximum. Counts are corrected at edges the way numpy does, so a value
/// that floating-point division puts one bin off lands where its edge comparison says.
public struct Histogram: Sendable, Equatable, Codable {
    public var edges: [Double]
    public var counts: [Int]

    /// Bins `values` (no NaN) into `binCount` bins over `range`, or over min…max of the data.
    /// A constant sample gets the ±0.5 range numpy uses.
    public init(_ values: UnsafeBufferPointer<Double>, binCount: Int, range: ClosedRange<Double>? = nil) {
        let bins = max(1, binCount)
        var lo = range?.lowerBound ?? .infinity
        var hi = range?.upperBound ?? -.infinity
        if range == nil {
            for v in values {
                if v < lo { lo = v }
                if v > hi { hi = v }
            }
        }
        if values.isEmpty && range == nil { lo = 0; hi = 1 }
        if lo == hi { lo -= 0.5; hi += 0.5 }
        let width = (hi - lo) / Double(bins)
        edges = (0...bins).map { $0 == bins ? hi : lo + Double($0) * width }
        var counts = [Int](repeating: 0, count: bins)
        let norm = Double(bins) / (hi - lo)
        let edgesCopy = edges
        for v in values where v >= lo && v <= hi {
            var i = Int((v - lo) * norm)
            if i >= bins { i = bins - 1 }
            if i > 0 && v < edgesCopy[i] { i -= 1 }
            if i < bins - 1 && v >= edgesCopy[i + 1] { i += 1 }
            counts[i] += 1
        }
        self.counts = counts
    }

    public init(_ values: [Double], binCount: Int, range: ClosedRange<Double>? = nil) {
        self = values.withUnsafeBufferPointer { Histogram($0, binCount: binCount, range: range) }
    }

    /// A bin count for charts: the larger of Sturges (`⌈log2 n⌉ + 1`) and Freedman–Diaconis
    /// (`range / (2·IQR·n^(−1/3))`), as numpy's "auto", capped at `maximum` so the result stays
    /// readable and small to send to a browser.
    public static func suggestedBinCount(count: Int, iqr: Double, range: Double, maximum: Int = 50) -> Int {
        guard count > 1, range > 0 else { return 1 }
        let sturges = Int(log2(Double(count)).rounded(.up)) + 1
        var fd = 0
        if iqr > 0 {
            let width = 2 * iqr / pow(Double(count), 1.0 / 3.0)
            fd = Int((range / width).rounded(.up))
        }
        return min(maximum, max(sturges, fd, 1))
    }
}
