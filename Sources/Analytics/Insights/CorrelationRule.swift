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

    /// - Parameter moments: `completeMoments` of the context's measures, when already computed
    ///   (the detector sums the products on both cores).
    static func pairs(
        _ ctx: InsightContext, _ options: InsightOptions,
        moments prepared: (moments: [(mean: Double, ss: Double)?], crossProducts: [Pair: Double])? = nil
    ) -> [PairResult] {
        let ms = ctx.measures
        guard ms.count >= 2 else { return [] }
        let n = ms[0].values.count
        let sampleRows = Self.sampleRows(n, options)
        // Per measure, once: mean and centred sum of squares (complete columns), sample ranks
        // (the context prepares them on both cores); and the cross products of every pair of
        // complete columns, all in shared passes.
        let (moments, crossProducts) = prepared ?? completeMoments(ms, rows: n)
        let ranked = ctx.sampleRanks.count == ms.count && ctx.rankSampleSize == options.rankSampleSize
        let ranks = ranked ? ctx.sampleRanks : ms.map { Self.sampleRanks($0, rows: sampleRows) }
        var results: [PairResult] = []
        for i in 0..<(ms.count - 1) {
            for j in (i + 1)..<ms.count {
                let pearson: Correlation?
                if let a = moments[i], let b = moments[j], let sxy = crossProducts[Pair(i, j)] {
                    pearson = centredPearson(count: n, a, b, sxy: sxy)
                } else {
                    let (x, y) = Self.paired(ms[i].values, ms[j].values)
                    guard x.count >= options.minimumRows else { continue }
                    pearson = Correlation.pearson(x, y)
                }
                let spearman: Correlation?
                if let rx = ranks[i], let ry = ranks[j] {
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

    /// The evenly spaced rows Spearman's correlation uses on a large table (every row on a small one).
    static func sampleRows(_ n: Int, _ options: InsightOptions) -> [Int] {
        Array(stride(from: 0, to: n, by: max(1, n / max(1, options.rankSampleSize))))
    }

    /// Average ranks of a measure's values on `rows`; `nil` when one of them is empty.
    static func sampleRanks(_ m: InsightContext.Measure, rows: [Int]) -> [Double]? {
        let sample = rows.map { m.values[$0] }
        return sample.contains(where: \.isNaN) ? nil : Ranks.average(sample)
    }

    /// Pearson r of two complete columns from their means, sums of squares and cross products.
    private static func centredPearson(
        count: Int, _ a: (mean: Double, ss: Double), _ b: (mean: Double, ss: Double), sxy: Double
    ) -> Correlation? {
        guard a.ss > 0, b.ss > 0, count >= 3 else { return nil }
        return Correlation(count: count, r: max(-1, min(1, sxy / (a.ss * b.ss).squareRoot())))
    }

    struct Pair: Hashable {
        var a: Int, b: Int
        init(_ a: Int, _ b: Int) { (self.a, self.b) = (a, b) }
    }

    /// For the measures without empty cells: the mean (`Descriptive.mean`), `Σ (x − mean)²`, and
    /// `Σ (x − mean_x)(y − mean_y)` of every pair, each summed in row order exactly as a loop over
    /// one column or pair would, but four sums per pass (`ColumnLanes`).
    static func completeMoments(
        _ ms: [InsightContext.Measure], rows n: Int
    ) -> (moments: [(mean: Double, ss: Double)?], crossProducts: [Pair: Double]) {
        let complete = completeIndices(ms, rows: n)
        let means = completeMeans(ms, complete, rows: n)
        let products = productPairs(complete.count)
        return assemble(ms.count, complete, means, products, centredProducts(ms, complete, means, products[...]))
    }

    /// Positions of the measures without empty cells.
    static func completeIndices(_ ms: [InsightContext.Measure], rows n: Int) -> [Int] {
        n > 0 ? ms.indices.filter { ms[$0].validCount == n && ms[$0].values.count == n } : []
    }

    /// `Descriptive.mean` of each of the `complete` measures (all of `rows` values).
    static func completeMeans(_ ms: [InsightContext.Measure], _ complete: [Int], rows n: Int) -> [Double] {
        ColumnLanes.withBuffers(complete.map { ms[$0].values }) { ColumnLanes.compensatedSums($0).map { $0 / Double(n) } }
    }

    /// The products to sum over `count` complete measures (positions in that list): squares
    /// first (pair (k, k)), then every pair of distinct measures.
    static func productPairs(_ count: Int) -> [Pair] {
        var pairs = (0..<count).map { Pair($0, $0) }
        for k in 0..<count { for l in (k + 1)..<count { pairs.append(Pair(k, l)) } }
        return pairs
    }

    /// The centred sums of `products` (any slice of `productPairs`; each sum is independent of
    /// which others share its pass).
    static func centredProducts(
        _ ms: [InsightContext.Measure], _ complete: [Int], _ means: [Double], _ products: ArraySlice<Pair>
    ) -> [Double] {
        ColumnLanes.withBuffers(complete.map { ms[$0].values }) { columns in
            ColumnLanes.centredProducts(products.map { (columns[$0.a], means[$0.a], columns[$0.b], means[$0.b]) })
        }
    }

    /// Moments per measure and cross products per pair (measure positions) from the sums of
    /// `productPairs`.
    static func assemble(
        _ count: Int, _ complete: [Int], _ means: [Double], _ products: [Pair], _ sums: [Double]
    ) -> (moments: [(mean: Double, ss: Double)?], crossProducts: [Pair: Double]) {
        var moments = [(mean: Double, ss: Double)?](repeating: nil, count: count)
        var crossProducts: [Pair: Double] = [:]
        for (p, sum) in zip(products, sums) {
            if p.a == p.b {
                moments[complete[p.a]] = (means[p.a], sum)
            } else {
                crossProducts[Pair(complete[p.a], complete[p.b])] = sum
            }
        }
        return (moments, crossProducts)
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
