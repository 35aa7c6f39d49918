/// Whether the row taken as the header looks like something else.
///
/// Some files start with a note or the first data row where the names should be: scikit-learn's
/// `iris.csv` opens with `150,4,setosa,versicolor,virginica` (row count, feature count, class
/// names). Read as names, it gives columns called `150` and `4` and insights about "setosa".
/// Numbers as names of numeric columns are the sign; years are not (`1960,1961,…` heads the
/// columns of a wide table), nor are numbers over text columns.
enum HeaderCheck {
    static func warning(names: [String], columns: [Column]) -> ReadWarning? {
        let numeric = zip(names, columns).filter { name, column in
            [.integer, .float].contains(column.type) && Double(name) != nil && !isYear(name)
        }.map(\.0)
        guard !numeric.isEmpty else { return nil }
        let listed = numeric.prefix(5).joined(separator: ", ")
        return ReadWarning(code: "header_looks_like_data",
                           message: "The first row was read as column names, but \(numeric.count == 1 ? "one of them is a number" : "\(numeric.count) of them are numbers") (\(listed)): "
                               + "it may be a note or a data row. Check the column names.",
                           column: nil, count: numeric.count, samples: Array(numeric.prefix(5)))
    }

    private static func isYear(_ name: String) -> Bool {
        guard name.utf8.count == 4, let year = Int(name) else { return false }
        return (1000...2999).contains(year)
    }
}
