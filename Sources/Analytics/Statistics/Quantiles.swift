/// Quantiles by linear interpolation between order statistics (Hyndman & Fan type 7).
///
/// This is the one definition LuminaBI uses everywhere (profiles, box plots, IQR fences,
/// medians): it is numpy's and pandas' default and Excel's `QUANTILE.INC`, so numbers users
/// check in a notebook or spreadsheet agree. For probability `p` over `n` sorted values the
/// position is `h = (n − 1)·p`; the result is `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`.
///
/// Unsorted input is handled by selection (`OrderStatistics`) rather than a full sort, which
/// keeps a quartile summary of a million values at a few milliseconds.
public enum Quantiles {
    /// The quantile `p` (0...1) of already sorted values; `nil` when empty.
    public static func ofSorted(_ sorted: UnsafeBufferPointer<Double>, _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let h = Double(sorted.count - 1) * min(max(p, 0), 1)
        let lo = Int(h.rounded(.down))
        let frac = h - Double(lo)
        guard frac > 0, lo + 1 < sorted.count else { return sorted[lo] }
        return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo])
    }

    public static func ofSorted(_ sorted: [Double], _ p: Double) -> Double? {
        sorted.withUnsafeBufferPointer { ofSorted($0, p) }
    }

    /// Several quantiles of unsorted values, reordering `scratch` in place (no allocation).
    /// Values must not contain NaN; callers pass only valid cells.
    public static func inPlace(_ scratch: UnsafeMutableBufferPointer<Double>, _ ps: [Double]) -> [Double]? {
        guard !scratch.isEmpty else { return nil }
        let n = scratch.count
        var positions: [(lo: Int, frac: Double)] = []
        var ranks: [Int] = []
        for p in ps {
            let h = Double(n - 1) * min(max(p, 0), 1)
            let lo = Int(h.rounded(.down))
            let frac = h - Double(lo)
            positions.append((lo, frac))
            ranks.append(lo)
            if frac > 0, lo + 1 < n { ranks.append(lo + 1) }
        }
        OrderStatistics.select(ranks: ranks, in: scratch)
        return positions.map { pos in
            guard pos.frac > 0, pos.lo + 1 < n else { return scratch[pos.lo] }
            return scratch[pos.lo] + pos.frac * (scratch[pos.lo + 1] - scratch[pos.lo])
        }
    }

    /// Several quantiles of unsorted values; the input is neither copied nor reordered.
    public static func of(_ values: UnsafeBufferPointer<Double>, _ ps: [Double]) -> [Double]? {
        guard !values.isEmpty else { return nil }
        let n = values.count
        var ranks: [Int] = []
        let positions = ps.map { p -> (lo: Int, frac: Double) in
            let h = Double(n - 1) * min(max(p, 0), 1)
            let lo = Int(h.rounded(.down))
            ranks.append(lo)
            if h - Double(lo) > 0, lo + 1 < n { ranks.append(lo + 1) }
            return (lo, h - Double(lo))
        }
        let unique = Array(Set(ranks)).sorted()
        let found = RankSelector.values(at: unique, in: values)
        var at: [Int: Double] = [:]
        for (r, v) in zip(unique, found) { at[r] = v }
        return positions.map { pos in
            guard pos.frac > 0, pos.lo + 1 < n else { return at[pos.lo]! }
            return at[pos.lo]! + pos.frac * (at[pos.lo + 1]! - at[pos.lo]!)
        }
    }

    public static func of(_ values: [Double], _ ps: [Double]) -> [Double]? {
        values.withUnsafeBufferPointer { of($0, ps) }
    }

    /// The median (quantile 0.5, the mean of the two middle values for even counts).
    public static func median(_ values: [Double]) -> Double? {
        of(values, [0.5])?.first
    }
}
