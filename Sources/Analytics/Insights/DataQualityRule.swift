/// Alerts about the data itself: constant, mostly empty, identifier-like, high-cardinality and
/// heavily skewed columns. Scores stay below the analytical findings: these are warnings.
enum DataQualityRule {
    static func evaluate(_ profile: DatasetProfile, _ options: InsightOptions) -> [Insight] {
        guard profile.rowCount >= options.minimumRows else { return [] }
        var out: [Insight] = []
        for c in profile.columns {
            let name = DisplayName.of(c.name)
            let filled = c.count - c.nulls
            func alert(_ issue: String, _ score: Double, _ title: String, _ description: String, _ extra: [String: JSONValue] = [:]) {
                var data: [String: JSONValue] = ["issue": .string(issue), "nulls": .int(c.nulls), "distinct": .int(c.distinct),
                                                 "count": .int(c.count)]
                data.merge(extra) { $1 }
                out.append(Insight(kind: .dataQuality, score: score, title: title, description: description,
                                   columns: [c.name], data: .object(data)))
            }
            if c.nullFraction > 0.5 {
                alert("mostly_missing", 0.3 + 0.3 * c.nullFraction,
                      "\(name) is \(NumberFormatting.percent(c.nullFraction)) empty",
                      "Only \(NumberFormatting.grouped(Int64(filled))) of \(NumberFormatting.grouped(Int64(c.count))) rows have a value; "
                        + "statistics on it describe a minority of rows.")
            }
            if filled > 0 && c.distinct == 1 {
                alert("constant", 0.35, "\(name) has the same value in every row",
                      "Every filled cell is \(c.topValues.first?.value ?? "the same"); it carries no information.")
                continue
            }
            if c.isIdentifier || (filled == c.count && c.distinct == c.count && ![.float, .date, .datetime].contains(c.type)) {
                alert("all_unique", 0.2, "\(name) is unique on every row",
                      "\(NumberFormatting.grouped(Int64(c.distinct))) distinct values in \(NumberFormatting.grouped(Int64(c.count))) rows: "
                        + "it identifies rows and is left out of statistics.")
                continue
            }
            if c.type == .category && c.distinct > 50 && Double(c.distinct) > 0.5 * Double(filled) {
                alert("high_cardinality", 0.25, "\(name) has \(NumberFormatting.grouped(Int64(c.distinct))) distinct values",
                      "More than half the rows have their own value, too many to chart as categories.")
            }
            if let skew = c.skewness, filled >= 100, abs(skew) > 2, c.type == .integer || c.type == .float {
                let side = skew > 0 ? "right" : "left"
                alert("skewed", 0.2 + 0.1 * min(1, abs(skew) / 10),
                      "\(name) is heavily \(side)-skewed (skewness \(NumberFormatting.compact((skew * 10).rounded() / 10)))",
                      "A few large values pull the mean (\(NumberFormatting.readable(c.mean ?? 0))) away from the median "
                        + "(\(NumberFormatting.readable(c.median ?? 0))); the median describes a typical row better.",
                      ["skewness": .number(skew)])
            }
        }
        return out
    }
}
