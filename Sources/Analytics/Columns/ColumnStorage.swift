import Foundation

/// The logical type of a column, as inference decides it and the API reports it.
public enum ColumnType: String, Sendable, Codable, CaseIterable {
    case integer, float, boolean, date, datetime, category, text
}

/// Which cells hold a value: bit `i` set means row `i` is present, clear means null.
///
/// Packed 64 rows per word so a million-row column costs 125 KB, and kept with its null count so
/// profiling never rescans it.
public struct ValidityBitmap: Sendable, Equatable {
    public var words: [UInt64]
    public let count: Int
    public var nullCount: Int

    public init(count: Int, allValid: Bool = true) {
        self.count = count
        words = [UInt64](repeating: allValid ? ~0 : 0, count: (count + 63) / 64)
        nullCount = allValid ? 0 : count
    }

    public subscript(i: Int) -> Bool {
        get { words[i >> 6] & (1 << UInt64(i & 63)) != 0 }
        set {
            let mask: UInt64 = 1 << UInt64(i & 63)
            let old = words[i >> 6] & mask != 0
            guard old != newValue else { return }
            if newValue {
                words[i >> 6] |= mask
                nullCount -= 1
            } else {
                words[i >> 6] &= ~mask
                nullCount += 1
            }
        }
    }

    public static func == (lhs: ValidityBitmap, rhs: ValidityBitmap) -> Bool {
        guard lhs.count == rhs.count, lhs.nullCount == rhs.nullCount else { return false }
        return (0..<lhs.count).allSatisfy { lhs[$0] == rhs[$0] }
    }
}

/// Typed cell storage: numbers in flat arrays, categories as codes into a dictionary.
public enum ColumnStorage: Sendable, Equatable {
    case integer([Int64])
    case float([Double])
    case boolean([Bool])
    /// Days since 1970-01-01.
    case date([Int32])
    /// Seconds since 1970-01-01T00:00:00Z.
    case datetime([Int64])
    case category(codes: [UInt32], dictionary: [String])
    case text(TextStorage)
}
