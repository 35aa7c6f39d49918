/// A category column that splits a long-format table into separate time series: `symbol,date,price`
/// holds one price series per symbol, not one price series.
///
/// Pooling such series produces nonsense that reads like a finding: a trend from the cheapest
/// symbol's first dates to the dearest one's last ("Price rose 9903%"), a "jump" where a dear
/// symbol joins, every value of the dearest symbol an "outlier". So trends, change points and
/// anomalies are judged per series when a split is found.
///
/// A column qualifies when, together with the timeline, it identifies the rows (a symbol has at
/// most one row per timestamp, allowing a few repeats) while the timeline alone does not
/// (timestamps repeat, on average, at least 1.5 times). Of several, the one with fewest values wins.
struct SeriesSplit {
    var column: String
    var labels: [String]
    /// Series index per row; −1 where the category is empty.
    var series: [Int32]
    /// Rows per series.
    var counts: [Int]

    /// More series than this and the column is a dimension, not a list of series.
    static let maximumSeries = 20
    /// Share of rows allowed to repeat a (series, timestamp) pair (a corrected quote, a duplicate).
    static let repeatTolerance = 0.02

    init?(table: Table, timeline: InsightContext.Timeline) {
        let days = timeline.days
        let candidates = table.columns.compactMap { column -> (Column, [UInt32], [String])? in
            guard case .category(let codes, let dictionary) = column.storage,
                  (2...Self.maximumSeries).contains(dictionary.count),
                  Self.identifiesRows(codes: codes, validity: column.validity, days: days, sampled: true) else { return nil }
            return (column, codes, dictionary)
        }.sorted { $0.2.count < $1.2.count }
        // Most tables stop here: their categories are dimensions, which the sample shows at once.
        guard !candidates.isEmpty, Self.timestampsRepeat(days) else { return nil }
        for (column, codes, dictionary) in candidates
        where Self.identifiesRows(codes: codes, validity: column.validity, days: days, sampled: false) {
            self.column = column.name
            labels = dictionary
            series = codes.indices.map { column.validity[$0] ? Int32(codes[$0]) : -1 }
            counts = [Int](repeating: 0, count: dictionary.count)
            for s in series where s >= 0 { counts[Int(s)] += 1 }
            return
        }
        return nil
    }

    /// Whether timestamps repeat at least 1.5 times on average (several series share them).
    private static func timestampsRepeat(_ days: [Double]) -> Bool {
        var distinct = Set<UInt64>()
        var rows = 0
        for d in days where !d.isNaN {
            distinct.insert(d.bitPattern)
            rows += 1
        }
        return rows > 0 && Double(rows) >= 1.5 * Double(distinct.count)
    }

    /// Whether (code, timestamp) pairs repeat in at most `repeatTolerance` of the rows that have
    /// both. The sampled check looks at an evenly spaced 4,000 rows first, so a column that is
    /// plainly a dimension (regions of a sales table) costs next to nothing on a large table.
    private static func identifiesRows(codes: [UInt32], validity: ValidityBitmap, days: [Double], sampled: Bool) -> Bool {
        let step = sampled ? max(1, codes.count / 4_000) : 1
        var seen = Set<Pair>()
        var rows = 0, repeats = 0
        for i in stride(from: 0, to: codes.count, by: step) where validity[i] && !days[i].isNaN {
            rows += 1
            if !seen.insert(Pair(code: codes[i], time: days[i].bitPattern)).inserted { repeats += 1 }
        }
        return rows > 0 && Double(repeats) <= repeatTolerance * Double(rows)
    }

    private struct Pair: Hashable {
        var code: UInt32
        var time: UInt64
    }

    /// Rows a series needs for its trend and level shifts to be judged: twice `minimumPeriods`
    /// (16), fewer than a whole column's `minimumRows`, so that 17 yearly values of one source's
    /// generation can show a trend; a trend must still pass both the slope test and Mann-Kendall
    /// on the periods. Anomalies within a series keep needing `minimumRows` for a stable MAD.
    static func minimumRowsForTrend(_ options: InsightOptions) -> Int { 2 * options.minimumPeriods }

    /// The series worth judging on their own (enough rows), largest first.
    func judged(minimumRows: Int) -> [Int] {
        counts.indices.filter { counts[$0] >= minimumRows }.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
    }

    /// `measure` with every row outside series `s` made empty (NaN), so the rules' own code judges
    /// one series as if it were the whole table.
    func measure(_ measure: InsightContext.Measure, series s: Int) -> InsightContext.Measure {
        var values = [Double](repeating: .nan, count: measure.values.count)
        var valid = 0
        let code = Int32(s)
        for i in series.indices where series[i] == code && !measure.values[i].isNaN {
            values[i] = measure.values[i]
            valid += 1
        }
        return InsightContext.Measure(name: measure.name, values: values, validCount: valid)
    }

    /// First and last timestamp (fractional days) among the rows of `measure` that have a value.
    static func span(of measure: InsightContext.Measure, timeline: InsightContext.Timeline) -> (first: Double, last: Double)? {
        var first = Double.infinity, last = -Double.infinity
        for i in measure.values.indices where !measure.values[i].isNaN && !timeline.days[i].isNaN {
            first = min(first, timeline.days[i])
            last = max(last, timeline.days[i])
        }
        return last > first ? (first, last) : nil
    }
}
