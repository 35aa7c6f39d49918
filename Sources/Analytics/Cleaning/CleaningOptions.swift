/// What `Cleaner` does, with the defaults a careful analyst would pick.
///
/// Defaults, and why:
/// * whitespace is trimmed and category spellings merged (`north`, ` NORTH ` → `North`, the most
///   common spelling) because they are the same value typed differently;
/// * exact duplicate rows are removed (first occurrence kept): a copied row double-counts sums;
/// * empty numeric cells take the column **median** (robust to the outliers we flag), integer
///   columns the median rounded to the nearest integer so they stay integers;
/// * empty category and boolean cells take the **mode**;
/// * dates and free text are **not** imputed: an invented date moves a trend, an invented note
///   is a lie; those cells stay empty and are reported;
/// * columns more than 60% empty are dropped: imputing a majority of a column manufactures data;
/// * rows are never dropped for missing cells by default (set `dropRowsMissingFraction`);
/// * outliers are flagged and reported, never removed or altered.
public struct CleaningOptions: Sendable, Codable, Equatable {
    public enum NumericImputation: String, Sendable, Codable {
        case median, mean, none
    }

    public var trimWhitespace = true
    public var normaliseCategories = true
    /// Turn category columns whose every value is a formatted number (`$1,200`, `12%`) into numbers.
    public var parseFormattedValues = true
    public var removeDuplicates = true
    public var numericImputation: NumericImputation = .median
    public var imputeCategoriesWithMode = true
    /// Drop a column when more than this fraction of its cells are empty; `nil` keeps all columns.
    public var dropColumnsMissingFraction: Double? = 0.6
    /// Drop a row when more than this fraction of its cells are empty; `nil` keeps all rows.
    public var dropRowsMissingFraction: Double?
    public var flagOutliers = true

    public init() {}

    enum CodingKeys: String, CodingKey {
        case trimWhitespace = "trim_whitespace", normaliseCategories = "normalise_categories"
        case parseFormattedValues = "parse_formatted_values", removeDuplicates = "remove_duplicates"
        case numericImputation = "numeric_imputation", imputeCategoriesWithMode = "impute_categories_with_mode"
        case dropColumnsMissingFraction = "drop_columns_missing_fraction"
        case dropRowsMissingFraction = "drop_rows_missing_fraction", flagOutliers = "flag_outliers"
    }
}

/// What cleaning did, step by step and per column. Encodes as the contract's snake_case JSON:
/// `{"rows_before","rows_after","duplicates_removed","columns_dropped":[…],"steps":[{"name","changed","details"}]}`.
public struct CleaningReport: Sendable, Codable, Equatable {
    public struct Step: Sendable, Codable, Equatable {
        public var name: String
        /// Cells (or rows, for duplicates) this step changed.
        public var changed: Int
        /// Per column (or step-wide) facts: counts, strategies, fill values.
        public var details: [String: JSONValue]
    }

    public var rowsBefore: Int
    public var rowsAfter: Int
    public var duplicatesRemoved: Int
    public var columnsDropped: [String]
    public var steps: [Step]
    /// Cells of text-like columns whose final value differs from the input (trim and spelling combined).
    public var normalizedCells: [String: Int]
    /// Cells filled per column, including 0 for columns deliberately left empty.
    public var imputed: [String: Int]
    /// Outlier counts per numeric column: `robust_z` (|modified z| > 3.5) and `iqr` (Tukey fences).
    public var outliers: [String: [String: Int]]

    enum CodingKeys: String, CodingKey {
        case rowsBefore = "rows_before", rowsAfter = "rows_after", duplicatesRemoved = "duplicates_removed"
        case columnsDropped = "columns_dropped", steps, normalizedCells = "normalized_cells", imputed, outliers
    }

    public func step(named prefix: String) -> Step? {
        steps.first { $0.name.hasPrefix(prefix) }
    }
}

/// The cleaned table and what was done to it.
public struct CleaningResult: Sendable {
    public var table: Table
    public var report: CleaningReport
}
