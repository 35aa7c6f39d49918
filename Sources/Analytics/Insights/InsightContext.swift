import Foundation

/// The numeric and time columns of a table, converted once and shared by every insight rule.
struct InsightContext {
    struct Measure {
        var name: String
        /// One value per row, NaN where empty.
        var values: [Double]
        var validCount: Int
    }

    struct Timeline {
        var name: String
        /// Fractional days since the epoch per row, NaN where empty.
        var days: [Double]
        var firstDay: Double
        var lastDay: Double
        var bucket: TimeBucket
        /// Period index per row (−1 where the date is empty) and the periods' labels.
        var period: [Int32]
        var labels: [String]
    }

    var table: Table
    var measures: [Measure]
    var timeline: Timeline?
    /// Set when a category column splits the rows into separate time series (long format).
    var split: SeriesSplit?
    var profile: DatasetProfile?
    /// Mean per period of each measure (see `periodSeries`), shared by trend and change-point rules.
    var periodMeans: [String: (indices: [Int], values: [Double], counts: [Int])] = [:]
    /// Day index (from the first day) per row, −1 where the date is empty.
    var dayIndex: [Int32] = []

    init(table: Table, profile: DatasetProfile?, options: InsightOptions) {
        self.table = table
        self.profile = profile
        let parallel = Parallel.worthIt(rows: table.rowCount)
        let minimumRows = options.minimumRows
        measures = Parallel.map(table.columns, parallel: parallel) { c -> Measure? in
            guard ColumnValues.isQuantity(c), !IdentifierDetector.isCode(c), c.count - c.validity.nullCount >= minimumRows,
                  profile?.column(named: c.name)?.isIdentifier ?? IdentifierDetector.isIdentifier(c) == false,
                  let values = ColumnValues.doubles(c) else { return nil }
            return Measure(name: c.name, values: values, validCount: c.count - c.validity.nullCount)
        }.compactMap { $0 }
        timeline = Self.timeline(table, options)
        if let t = timeline {
            split = SeriesSplit(table: table, timeline: t)
            dayIndex = t.days.map { $0.isNaN ? -1 : Int32(($0 - t.firstDay.rounded(.down)).rounded(.down)) }
            let context = self
            let means = Parallel.map(measures, parallel: parallel) { context.periodSeries($0) }
            for (m, series) in zip(measures, means) { periodMeans[m.name] = series }
        }
    }

    /// The date column with the most filled cells, bucketed to the finest period that gives
    /// at most 400 periods (enough points for tests, few enough to chart and to run the
    /// quadratic Mann-Kendall on).
    private static func timeline(_ table: Table, _ options: InsightOptions) -> Timeline? {
        let candidates = table.columns.filter { ColumnValues.isTemporal($0) }
        guard let column = candidates.max(by: { $0.validity.nullCount > $1.validity.nullCount }),
              column.count - column.validity.nullCount >= options.minimumRows,
              let days = ColumnValues.fractionalDays(column) else { return nil }
        var first = Double.infinity, last = -Double.infinity
        for d in days where !d.isNaN {
            first = min(first, d)
            last = max(last, d)
        }
        guard last > first else { return nil }
        let span = last - first
        let bucket: TimeBucket = span <= 400 ? .day : span <= 2800 ? .week : span <= 12000 ? .month : .year
        let keys: GroupKeys
        do {
            keys = try GroupKeys(column: column, bucket: bucket, mask: nil)
        } catch {
            return nil
        }
        return Timeline(name: column.name, days: days, firstDay: first, lastDay: last, bucket: bucket,
                        period: keys.keys, labels: keys.labels)
    }

    /// Mean (or sum) of a measure per period; periods without values are left out of `values`
    /// and their positions kept in `indices`.
    func periodSeries(
        _ measure: Measure, sum: Bool = false, minimumRows: Int = 1, keep: ((Double) -> Bool)? = nil
    ) -> (indices: [Int], values: [Double], counts: [Int])? {
        guard let t = timeline else { return nil }
        let count = t.labels.count
        var sums = [Double](repeating: 0, count: count)
        var counts = [Int](repeating: 0, count: count)
        measure.values.withUnsafeBufferPointer { v in
            t.period.withUnsafeBufferPointer { p in
                for i in 0..<v.count {
                    let k = Int(p[i])
                    let x = v[i]
                    if k >= 0 && !x.isNaN && (keep?(x) ?? true) {
                        sums[k] += x
                        counts[k] += 1
                    }
                }
            }
        }
        let indices = (0..<count).filter { counts[$0] >= max(1, minimumRows) }
        return (indices, indices.map { sum ? sums[$0] : sums[$0] / Double(counts[$0]) }, indices.map { counts[$0] })
    }
}

/// Column names as people say them: `unit_price` → `Unit price`.
enum DisplayName {
    static func of(_ column: String) -> String {
        let spaced = column.replacingOccurrences(of: "_", with: " ").trimmingWhitespace()
        guard let first = spaced.first else { return column }
        return first.uppercased() + spaced.dropFirst()
    }

    static func lower(_ column: String) -> String {
        column.replacingOccurrences(of: "_", with: " ").trimmingWhitespace()
    }
}
