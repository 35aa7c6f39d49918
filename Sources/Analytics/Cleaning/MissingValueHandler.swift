/// Fills empty cells per `CleaningOptions` and says what it did for every column with gaps.
enum MissingValueHandler {
    struct Outcome {
        var column: Column
        var imputed: Int
        var details: [String: JSONValue]
    }

    static func handle(_ column: Column, options: CleaningOptions) -> Outcome {
        let missing = column.validity.nullCount
        var details: [String: JSONValue] = ["missing": .int(missing)]
        guard missing > 0 else { return Outcome(column: column, imputed: 0, details: details) }
        func leave(_ reason: String) -> Outcome {
            details["strategy"] = "none"
            details["reason"] = .string(reason)
            details["imputed"] = 0
            return Outcome(column: column, imputed: 0, details: details)
        }
        guard missing < column.count else { return leave("the column is entirely empty") }
        let validity = column.validity
        let storage: ColumnStorage
        switch column.storage {
        case .integer(var a):
            guard options.numericImputation != .none else { return leave("numeric imputation is off") }
            let fill = Int64(centre(column, options).rounded(.toNearestOrEven))
            for i in 0..<a.count where !validity[i] { a[i] = fill }
            storage = .integer(a)
            details["strategy"] = .string(options.numericImputation.rawValue)
            details["value"] = .number(Double(fill))
        case .float(var a):
            guard options.numericImputation != .none else { return leave("numeric imputation is off") }
            let fill = centre(column, options)
            for i in 0..<a.count where !validity[i] { a[i] = fill }
            storage = .float(a)
            details["strategy"] = .string(options.numericImputation.rawValue)
            details["value"] = .number(fill)
        case .boolean(var a):
            guard options.imputeCategoriesWithMode else { return leave("category imputation is off") }
            var trues = 0
            for i in 0..<a.count where validity[i] && a[i] { trues += 1 }
            // Ties go to false: claiming the rarer "yes" on a coin flip would bias rates upward.
            let fill = trues > (a.count - missing - trues)
            for i in 0..<a.count where !validity[i] { a[i] = fill }
            storage = .boolean(a)
            details["strategy"] = "mode"
            details["value"] = .bool(fill)
        case .category(var codes, let dictionary):
            guard options.imputeCategoriesWithMode else { return leave("category imputation is off") }
            let counts = CategoryRemapper.codeCounts(codes, validity: validity, dictionarySize: dictionary.count)
            // Most frequent value; ties to the alphabetically first so the choice is stable.
            let mode = counts.indices.max { a, b in
                counts[a] != counts[b] ? counts[a] < counts[b] : dictionary[a] > dictionary[b]
            }!
            for i in 0..<codes.count where !validity[i] { codes[i] = UInt32(mode) }
            storage = .category(codes: codes, dictionary: dictionary)
            details["strategy"] = "mode"
            details["value"] = .string(dictionary[mode])
        case .date, .datetime:
            return leave("dates are not imputed: an invented date would move trends")
        case .text:
            return leave("free text is not imputed")
        }
        details["imputed"] = .int(missing)
        return Outcome(column: ColumnRebuilding.withAllValid(column, storage: storage), imputed: missing, details: details)
    }

    /// Median (type 7) or mean of the valid cells.
    private static func centre(_ column: Column, _ options: CleaningOptions) -> Double {
        let values = ColumnValues.validDoubles(column) ?? []
        switch options.numericImputation {
        case .mean: return Descriptive.mean(values) ?? 0
        default: return Quantiles.median(values) ?? 0
        }
    }
}
