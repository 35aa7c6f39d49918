/// One category holding most of a total (rows, or the sum of a non-negative measure).
///
/// Reported when a single category of at least three holds 50% or more: the kind of dependence
/// (one region, one customer, one product) a reader should know about.
enum ConcentrationRule {
    static let minimumShare = 0.5

    static func evaluate(_ ctx: InsightContext, _ options: InsightOptions) -> [Insight] {
        var out: [Insight] = []
        for column in ctx.table.columns {
            guard case .category(let codes, let dictionary) = column.storage, dictionary.count >= 3, dictionary.count <= 1000,
                  column.count - column.validity.nullCount >= options.minimumRows else { continue }
            // Shares of a total only make sense for quantities that cannot be negative: measures the
            // profile knows to go below 0 are left out, and without a profile those with a negative cell.
            let measures = ctx.measures.filter { m in
                if case .number(let low)? = ctx.profile?.column(named: m.name)?.min, low < 0 { return false }
                return true
            }
            let (rows, sums, negative) = codes.withUnsafeBufferPointer { c in
                ColumnLanes.withBuffers(measures.map(\.values)) {
                    ColumnLanes.codeSums(codes: c, validity: column.validity, groups: dictionary.count, $0)
                }
            }
            var totals: [(String?, [Double])] = [(nil, rows.map(Double.init))]
            for (index, m) in measures.enumerated() where ctx.profile != nil || !negative[index] {
                totals.append((m.name, sums[index]))
            }
            for (measure, values) in totals {
                let used = values.filter { $0 > 0 }.count
                let total = values.reduce(0, +)
                guard used >= 3, total > 0, let top = values.indices.max(by: { values[$0] < values[$1] }) else { continue }
                let share = values[top] / total
                guard share >= minimumShare else { continue }
                let what = measure.map { DisplayName.lower($0) } ?? "rows"
                out.append(Insight(
                    kind: .concentration, score: 0.3 + 0.6 * share,
                    title: "\(dictionary[top]) accounts for \(NumberFormatting.percent(share)) of \(what)",
                    description: "Of \(used) \(DisplayName.lower(column.name)) values, \(dictionary[top]) holds "
                        + "\(NumberFormatting.readable(values[top])) of \(NumberFormatting.readable(total)) \(what).",
                    columns: [column.name] + (measure.map { [$0] } ?? []),
                    data: ["category": .string(dictionary[top]), "share": .number(share), "value": .number(values[top]),
                           "total": .number(total), "categories": .int(used)]))
            }
        }
        return out
    }
}
