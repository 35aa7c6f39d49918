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
    /// Least-squares line of each measure over the timeline's fractional days (rows where both
    /// are filled), shared by the trend rule and the anomaly rule's trend check.
    var fits: [String: LinearFit] = [:]
    /// Period means of each measure without its robust-z outliers (the profile's summary),
    /// periods of at least 5 such rows, for the anomaly rule's per-period check; from the same
    /// pass as `periodMeans`. Only for measures the profile summarises.
    var outlierFreePeriodMeans: [String: (indices: [Int], values: [Double], counts: [Int])] = [:]
    /// Average ranks of each measure over `CorrelationRule.sampleRows` (`nil` where the sample
    /// has an empty cell), for Spearman's correlation; empty with fewer than two measures.
    var sampleRanks: [[Double]?] = []
    /// Positions of the measures without empty cells and their means (`Descriptive.mean`), for
    /// the correlation moments; `nil` with fewer than two measures.
    var completeMeans: (complete: [Int], means: [Double])?
    /// The `InsightOptions.rankSampleSize` the sample ranks were taken with.
    var rankSampleSize: Int

    init(table: Table, profile: DatasetProfile?, options: InsightOptions) {
        self.table = table
        self.profile = profile
        rankSampleSize = options.rankSampleSize
        let parallel = Parallel.worthIt(rows: table.rowCount)
        let minimumRows = options.minimumRows
        // The timeline first, each of its passes on both cores, then the measures' values shared
        // out over the cores.
        timeline = Self.timeline(table, options)
        dayIndex = timeline.map(Self.dayIndex) ?? []
        split = timeline.flatMap { SeriesSplit(table: table, timeline: $0) }
        measures = Parallel.map(table.columns, parallel: parallel) { c -> Measure? in
            guard ColumnValues.isQuantity(c), !IdentifierDetector.isCode(c), c.count - c.validity.nullCount >= minimumRows,
                  profile?.column(named: c.name)?.isIdentifier ?? IdentifierDetector.isIdentifier(c) == false,
                  let values = ColumnValues.doubles(c) else { return nil }
            return Measure(name: c.name, values: values, validCount: c.count - c.validity.nullCount)
        }.compactMap { $0 }
        // Independent passes over the measures, shared out over both cores: the fits (one task
        // per four measures) and period means when there is a timeline, and each measure's
        // sample ranks when there are pairs to correlate.
        var work: [Shared] = []
        if timeline != nil {
            work += stride(from: 0, to: measures.count, by: ColumnLanes.width)
                .map { .fits($0..<min($0 + ColumnLanes.width, measures.count), []) }
            work.append(.means([], []))
        }
        let complete = measures.count >= 2 ? CorrelationRule.completeIndices(measures, rows: table.rowCount) : []
        if measures.count >= 2 {
            work += measures.indices.map { .ranks($0, nil) }
            work += stride(from: 0, to: complete.count, by: ColumnLanes.width)
                .map { .completeMeans($0..<min($0 + ColumnLanes.width, complete.count), []) }
        }
        let context = self
        let sampleRows = CorrelationRule.sampleRows(table.rowCount, options)
        let shared = Parallel.map(work, parallel: parallel) { item -> Shared in
            switch item {
            case .fits(let group, _): return .fits(group, context.linearFits(Array(context.measures[group])))
            case .means:
                let summaries = context.measures.map { context.profile?.column(named: $0.name)?.robustSummary }
                let (all, kept) = context.periodSeriesWithAndWithout(context.measures, excluding: summaries, keptMinimumRows: 5)
                return .means(all, zip(kept, summaries).map { $1 == nil ? nil : $0 })
            case .ranks(let index, _): return .ranks(index, CorrelationRule.sampleRanks(context.measures[index], rows: sampleRows))
            case .completeMeans(let positions, _):
                return .completeMeans(positions, CorrelationRule.completeMeans(
                    context.measures, Array(complete[positions]), rows: context.table.rowCount))
            }
        }
        if measures.count >= 2 {
            sampleRanks = measures.map { _ in nil }
            completeMeans = (complete, complete.map { _ in 0 })
        }
        for part in shared {
            switch part {
            case .fits(let group, let fitted):
                for (m, fit) in zip(measures[group], fitted) { fits[m.name] = fit }
            case .means(let means, let outlierFree):
                for (m, series) in zip(measures, means) { periodMeans[m.name] = series }
                for (m, series) in zip(measures, outlierFree) where series != nil { outlierFreePeriodMeans[m.name] = series }
            case .ranks(let index, let ranks):
                sampleRanks[index] = ranks
            case .completeMeans(let positions, let means):
                for (position, mean) in zip(positions, means) { completeMeans?.means[position] = mean }
            }
        }
    }

    /// A piece of shared work and, once done, its result.
    private enum Shared: Sendable {
        case fits(Range<Int>, [LinearFit?])
        case means([(indices: [Int], values: [Double], counts: [Int])?], [(indices: [Int], values: [Double], counts: [Int])?])
        case ranks(Int, [Double]?)
        case completeMeans(Range<Int>, [Double])
    }

    /// `LinearFit(skippingNaN:_:xOffset:)` of each of `measures` on the timeline's days.
    private func linearFits(_ measures: [Measure]) -> [LinearFit?] {
        guard let t = timeline else { return measures.map { _ in nil } }
        return t.days.withUnsafeBufferPointer { x in
            ColumnLanes.withBuffers(measures.map(\.values)) { ys in LinearFit.fits(skippingNaN: x, ys, xOffset: t.firstDay) }
        }
    }

    /// Whole days since the timeline's first day per row, −1 where the date is empty.
    private static func dayIndex(_ t: Timeline) -> [Int32] {
        var out = [Int32](repeating: -1, count: t.days.count)
        let start = t.firstDay.rounded(.down)
        _ = Parallel.halves(&out) { range, o in
            t.days.withUnsafeBufferPointer { d in
                for i in range where !d[i].isNaN { o[i] = Int32((d[i] - start).rounded(.down)) }
            }
        }
        return out
    }

    /// The date column with the most filled cells, bucketed to the finest period that gives
    /// at most 400 periods (enough points for tests, few enough to chart and to run the
    /// quadratic Mann-Kendall on).
    private static func timeline(_ table: Table, _ options: InsightOptions) -> Timeline? {
        let candidates = table.columns.filter { ColumnValues.isTemporal($0) }
        guard let column = candidates.max(by: { $0.validity.nullCount > $1.validity.nullCount }),
              column.count - column.validity.nullCount >= options.minimumRows,
              let (days, first, last) = ColumnValues.fractionalDaysWithRange(column) else { return nil }
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
    /// and their positions kept in `indices`. Values that `excludingOutliersOf` calls robust-z
    /// outliers are left out.
    func periodSeries(
        _ measure: Measure, sum: Bool = false, minimumRows: Int = 1, excludingOutliersOf summary: RobustSummary? = nil
    ) -> (indices: [Int], values: [Double], counts: [Int])? {
        periodSeries([measure], sum: sum, minimumRows: minimumRows, excluding: [summary])[0]
    }

    /// `periodSeries` of several measures with all their values and without the outliers of
    /// `excluding`, from one pass over the rows per four measures for both.
    func periodSeriesWithAndWithout(
        _ measures: [Measure], excluding: [RobustSummary?], keptMinimumRows: Int
    ) -> (all: [(indices: [Int], values: [Double], counts: [Int])?], kept: [(indices: [Int], values: [Double], counts: [Int])?]) {
        guard let t = timeline else { return (measures.map { _ in nil }, measures.map { _ in nil }) }
        let totals = t.period.withUnsafeBufferPointer { p in
            ColumnLanes.withBuffers(measures.map(\.values)) { columns in
                ColumnLanes.keyedSumsWithAndWithout(
                    keys: UnsafeBufferPointer(rebasing: p.prefix(columns.map(\.count).min() ?? 0)),
                    groups: t.labels.count, columns, excluding: excluding)
            }
        }
        return (totals.all.map { Self.series($0, sum: false, minimumRows: 1) },
                totals.kept.map { Self.series($0, sum: false, minimumRows: keptMinimumRows) })
    }

    /// Periods with at least `minimumRows` values, and their mean or sum.
    private static func series(
        _ totals: (sums: [Double], counts: [Int]), sum: Bool, minimumRows: Int
    ) -> (indices: [Int], values: [Double], counts: [Int]) {
        let (sums, counts) = totals
        let indices = counts.indices.filter { counts[$0] >= max(1, minimumRows) }
        return (indices, indices.map { sum ? sums[$0] : sums[$0] / Double(counts[$0]) }, indices.map { counts[$0] })
    }

    /// `periodSeries` of several measures, from one pass over the rows per four measures.
    func periodSeries(
        _ measures: [Measure], sum: Bool = false, minimumRows: Int = 1, excluding: [RobustSummary?] = []
    ) -> [(indices: [Int], values: [Double], counts: [Int])?] {
        guard let t = timeline else { return measures.map { _ in nil } }
        let count = t.labels.count
        let totals = t.period.withUnsafeBufferPointer { p in
            ColumnLanes.withBuffers(measures.map(\.values)) { columns in
                ColumnLanes.keyedSums(keys: UnsafeBufferPointer(rebasing: p.prefix(columns.map(\.count).min() ?? 0)),
                                      groups: count, columns, excluding: excluding)
            }
        }
        return totals.map { Self.series($0, sum: sum, minimumRows: minimumRows) }
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
