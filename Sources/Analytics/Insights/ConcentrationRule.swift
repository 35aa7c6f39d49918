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
            let validity = column.validity
            let keys = codes.indices.map { validity[$0] ? Int32(codes[$0]) : -1 }
            let rows = GroupAccumulators.rowCounts(keys: keys, groups: dictionary.count)
            var totals: [(String?, [Double])] = [(nil, rows.map(Double.init))]
            for m in ctx.measures {
                // Shares of a total only make sense for quantities that cannot be negative.
                if case .number(let low)? = ctx.profile?.column(named: m.name)?.min, low < 0 { continue }
                let acc = m.values.withUnsafeBufferPointer { v in
                    GroupAccumulators.run(rows: 0..<v.count, keys: keys, groups: dictionary.count, validity: nil,
                                          extremes: ctx.profile == nil) { v[$0].isNaN ? 0 : v[$0] }
                }
                guard !acc.mins.contains(where: { $0 < 0 }) else { continue }
                totals.append((m.name, acc.sums))
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
