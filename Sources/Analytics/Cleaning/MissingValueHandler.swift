/// Fills empty cells per `CleaningOptions` and says what it did for every column with gaps.
///
/// Cells are filled where they lie: a column handed over by its only owner is not copied.
enum MissingValueHandler {
    struct Outcome {
        var imputed: Int
        var details: [String: JSONValue]
    }

    static func handle(_ column: inout Column, options: CleaningOptions) -> Outcome {
        let missing = column.validity.nullCount
        var details: [String: JSONValue] = ["missing": .int(missing)]
        guard missing > 0 else { return Outcome(imputed: 0, details: details) }
        func leave(_ reason: String) -> Outcome {
            details["strategy"] = "none"
            details["reason"] = .string(reason)
            details["imputed"] = 0
            return Outcome(imputed: 0, details: details)
        }
        guard missing < column.count else { return leave("the column is entirely empty") }
        let validity = column.validity
        switch column.storage {
        case .integer:
            guard options.numericImputation != .none else { return leave("numeric imputation is off") }
            let fill = Int64(centre(column, options).rounded(.toNearestOrEven))
            guard case .integer(var a) = column.takeStorage() else { preconditionFailure() }
            ColumnRebuilding.fillEmpty(&a, validity: validity, with: fill)
            column.storage = .integer(a)
            details["strategy"] = .string(options.numericImputation.rawValue)
            details["value"] = .number(Double(fill))
        case .float:
            guard options.numericImputation != .none else { return leave("numeric imputation is off") }
            let fill = centre(column, options)
            guard case .float(var a) = column.takeStorage() else { preconditionFailure() }
            ColumnRebuilding.fillEmpty(&a, validity: validity, with: fill)
            column.storage = .float(a)
            details["strategy"] = .string(options.numericImputation.rawValue)
            details["value"] = .number(fill)
        case .boolean:
            guard options.imputeCategoriesWithMode else { return leave("category imputation is off") }
            let fill = booleanMode(column)
            guard case .boolean(var a) = column.takeStorage() else { preconditionFailure() }
            ColumnRebuilding.fillEmpty(&a, validity: validity, with: fill)
            column.storage = .boolean(a)
            details["strategy"] = "mode"
            details["value"] = .bool(fill)
        case .category:
            guard options.imputeCategoriesWithMode else { return leave("category imputation is off") }
            let mode = categoryMode(column)
            guard case .category(var a, let dictionary) = column.takeStorage() else { preconditionFailure() }
            ColumnRebuilding.fillEmpty(&a, validity: validity, with: UInt32(mode))
            column.storage = .category(codes: a, dictionary: dictionary)
            details["strategy"] = "mode"
            details["value"] = .string(dictionary[mode])
        case .date, .datetime:
            return leave("dates are not imputed: an invented date would move trends")
        case .text:
            return leave("free text is not imputed")
        }
        details["imputed"] = .int(missing)
        ColumnRebuilding.markAllValid(&column)
        return Outcome(imputed: missing, details: details)
    }

    // The fill values are worked out in functions of their own, so no binding to the column's
    // arrays outlives them and the arrays are still uniquely held when they are filled.

    /// Median (type 7) or mean of the valid cells.
    private static func centre(_ column: Column, _ options: CleaningOptions) -> Double {
        let values = ColumnValues.validDoubles(column) ?? []
        switch options.numericImputation {
        case .mean: return Descriptive.mean(values) ?? 0
        default: return Quantiles.median(values) ?? 0
        }
    }

    /// The more frequent of true and false among the valid cells; ties go to false, since
    /// claiming the rarer "yes" on a coin flip would bias rates upward.
    private static func booleanMode(_ column: Column) -> Bool {
        guard case .boolean(let values) = column.storage else { return false }
        var trues = 0
        for i in 0..<values.count where column.validity[i] && values[i] { trues += 1 }
        return trues > (values.count - column.validity.nullCount - trues)
    }

    /// The code of the most frequent value; ties to the alphabetically first so the choice is stable.
    private static func categoryMode(_ column: Column) -> Int {
        guard case .category(let codes, let dictionary) = column.storage else { return 0 }
        let counts = CategoryRemapper.codeCounts(codes, validity: column.validity, dictionarySize: dictionary.count)
        return counts.indices.max { a, b in
            counts[a] != counts[b] ? counts[a] < counts[b] : dictionary[a] > dictionary[b]
        }!
    }
}
