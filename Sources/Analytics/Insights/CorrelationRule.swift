import Foundation

/// Strong relationships between pairs of measures.
///
/// Pearson uses every row where both cells are filled; Spearman (which also catches monotonic
/// curves and resists outliers) uses an evenly spaced sample when the table is large. A pair is
/// reported when either |r| reaches `minimumCorrelation` with p < alpha.
enum CorrelationRule {
    struct PairResult {
        var a: String
        var b: String
        var pearson: Correlation?
        var spearman: Correlation?
    }

    static func pairs(_ ctx: InsightContext, _ options: InsightOptions) -> [PairResult] {
        let ms = ctx.measures
        guard ms.count >= 2 else { return [] }
        let n = ms[0].values.count
        let step = max(1, n / max(1, options.rankSampleSize))
        let sampleRows = Array(stride(from: 0, to: n, by: step))
        // Per measure, once: mean and centred sum of squares (complete columns), sample ranks.
        let moments = ms.map { m -> (mean: Double, ss: Double)? in
            guard m.validCount == n else { return nil }
            let mean = Descriptive.mean(m.values) ?? 0
            var ss = 0.0
            for v in m.values { ss += (v - mean) * (v - mean) }
            return (mean, ss)
        }
        let sampleRanks = ms.map { m -> [Double]? in
            let sample = sampleRows.map { m.values[$0] }
            return sample.contains(where: \.isNaN) ? nil : Ranks.average(sample)
        }
        var results: [PairResult] = []
        for i in 0..<(ms.count - 1) {
            for j in (i + 1)..<ms.count {
                let pearson: Correlation?
                if let a = moments[i], let b = moments[j] {
                    pearson = centredPearson(ms[i].values, a, ms[j].values, b)
                } else {
                    let (x, y) = Self.paired(ms[i].values, ms[j].values)
                    guard x.count >= options.minimumRows else { continue }
                    pearson = Correlation.pearson(x, y)
                }
                let spearman: Correlation?
                if let rx = sampleRanks[i], let ry = sampleRanks[j] {
                    spearman = rx.count >= options.minimumRows ? Correlation.pearson(rx, ry) : nil
                } else {
                    var sx: [Double] = [], sy: [Double] = []
                    for r in sampleRows where !ms[i].values[r].isNaN && !ms[j].values[r].isNaN {
                        sx.append(ms[i].values[r])
                        sy.append(ms[j].values[r])
                    }
                    spearman = sx.count >= options.minimumRows ? Correlation.spearman(sx, sy) : nil
                }
                results.append(PairResult(a: ms[i].name, b: ms[j].name, pearson: pearson, spearman: spearman))
            }
        }
        return results
    }

    /// Pearson r of two complete columns from their precomputed means and sums of squares:
    /// one pass for the cross products.
    private static func centredPearson(
        _ x: [Double], _ a: (mean: Double, ss: Double), _ y: [Double], _ b: (mean: Double, ss: Double)
    ) -> Correlation? {
        guard a.ss > 0, b.ss > 0, x.count >= 3 else { return nil }
        var sxy = 0.0
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                for k in 0..<xb.count { sxy += (xb[k] - a.mean) * (yb[k] - b.mean) }
            }
        }
        return Correlation(count: x.count, r: max(-1, min(1, sxy / (a.ss * b.ss).squareRoot())))
    }

    static func evaluate(_ pairs: [PairResult], _ options: InsightOptions) -> [Insight] {
        pairs.compactMap { pair in
            let strongPearson = pair.pearson.map { abs($0.r) >= options.minimumCorrelation && $0.pValue < options.alpha } ?? false
            let strongSpearman = pair.spearman.map { abs($0.r) >= options.minimumCorrelation && $0.pValue < options.alpha } ?? false
            guard strongPearson || strongSpearman else { return nil }
            let lead = strongPearson ? pair.pearson! : pair.spearman!
            let a = DisplayName.of(pair.a), b = DisplayName.lower(pair.b)
            let direction = lead.r > 0 ? "rise and fall together" : "move in opposite directions"
            let r = String(format: abs(lead.r) >= 0.995 ? "%.3f" : "%.2f", lead.r)
            let symbol = strongPearson ? "r" : "Spearman ρ"
            let title = "\(a) and \(b) \(direction) (\(symbol) = \(r))"
            var description = "Pearson r = \(pair.pearson.map { String(format: "%.3f", $0.r) } ?? "n/a") over "
                + "\(NumberFormatting.grouped(Int64(pair.pearson?.count ?? 0))) rows (\(NumberFormatting.pValue(pair.pearson?.pValue ?? 1)))"
            if let s = pair.spearman {
                description += "; Spearman rank correlation \(String(format: "%.3f", s.r))"
            }
            description += ". r² = \(String(format: "%.2f", lead.r * lead.r)): \(NumberFormatting.percent(lead.r * lead.r)) of the variation in one is shared with the other."
            return Insight(
                kind: .correlation, score: 0.3 + 0.7 * abs(lead.r), title: title, description: description,
                columns: [pair.a, pair.b],
                data: [
                    "pearson_r": pair.pearson.map { .number($0.r) } ?? .null,
                    "pearson_p": pair.pearson.map { .number($0.pValue) } ?? .null,
                    "spearman_r": pair.spearman.map { .number($0.r) } ?? .null,
                    "spearman_p": pair.spearman.map { .number($0.pValue) } ?? .null,
                    "n": .int(pair.pearson?.count ?? 0), "spearman_n": .int(pair.spearman?.count ?? 0),
                ])
        }
    }

    static func paired(_ a: [Double], _ b: [Double]) -> ([Double], [Double]) {
        var x: [Double] = [], y: [Double] = []
        x.reserveCapacity(a.count)
        y.reserveCapacity(a.count)
        for i in 0..<min(a.count, b.count) where !a[i].isNaN && !b[i].isNaN {
            x.append(a[i])
            y.append(b[i])
        }
        return (x, y)
    }
}
