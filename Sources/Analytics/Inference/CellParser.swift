import Foundation

/// Reads typed values out of the bytes of one cell, the way people write them in spreadsheets:
/// `1,234.50`, `$3.00`, `£23,705`, `12%`, `1,5` (decimal comma), `Apr 05, 2023`, `yes`.
enum CellParser {
    /// Surrounding spaces, tabs and no-break spaces removed.
    static func trimmed<C: RandomAccessCollection<UInt8>>(_ bytes: C) -> C.SubSequence where C.Index == Int {
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end {
            if bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            else if bytes[start] == 0xC2 && start + 1 < end && bytes[start + 1] == 0xA0 { start += 2 }
            else { break }
        }
        while end > start {
            if bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            else if end - 2 >= start && bytes[end - 2] == 0xC2 && bytes[end - 1] == 0xA0 { end -= 2 }
            else { break }
        }
        return bytes[start..<end]
    }

    static let nullTokens: [[UInt8]] = ["na", "n/a", "null", "none", "nan", "-", "--", "---", "?", ".", "#n/a", "nil", "missing"]
        .map { Array($0.utf8) }

    /// Whether `cell` spells `token` (lowercase ASCII) in any letter case, without allocating.
    @inline(__always)
    static func equalsIgnoringCase<C: RandomAccessCollection<UInt8>>(_ cell: C, _ token: [UInt8]) -> Bool where C.Index == Int {
        guard cell.count == token.count else { return false }
        var i = cell.startIndex
        for expected in token {
            var b = cell[i]
            if b >= 0x41 && b <= 0x5A { b |= 0x20 }
            if b != expected { return false }
            i += 1
        }
        return true
    }

    /// Whether a trimmed cell means "no value". Runs of asterisks (`****`) are a common placeholder too.
    static func isNull<C: RandomAccessCollection<UInt8>>(_ cell: C) -> Bool where C.Index == Int {
        if cell.isEmpty { return true }
        if cell.count > 8 { return false }
        let first = cell[cell.startIndex]
        // Numbers, the common case, are never null tokens (a lone "-" or "." is handled below).
        if first >= 0x30 && first <= 0x39 { return false }
        if cell.allSatisfy({ $0 == 0x2A }) { return true }
        return nullTokens.contains { equalsIgnoringCase(cell, $0) }
    }

    struct Number {
        var value: Double
        /// Written as a whole number without currency or percent: an integer column candidate.
        var isInteger: Bool
    }

    /// A number, or nil. Codes with leading zeros (`08123`) are not numbers: they are identifiers.
    static func number<C: RandomAccessCollection<UInt8>>(_ cell: C, decimalComma: Bool) -> Number? where C.Index == Int {
        guard cell.count < 64 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { scratch in
            number(cell, decimalComma: decimalComma, into: scratch)
        }
    }

    /// Copies the digits into `buffer` (without separators, currency or percent) for `strtod`.
    private static func number<C: RandomAccessCollection<UInt8>>(_ cell: C, decimalComma: Bool,
                                                                   into scratch: UnsafeMutableBufferPointer<UInt8>) -> Number? where C.Index == Int {
        var buffer = ScratchBytes(storage: scratch)
        var i = cell.startIndex
        let end = cell.endIndex
        var negative = false
        var currency = false
        var percent = false
        var digitsBeforePoint = 0
        var sawPoint = false, sawExponent = false, sawDigit = false
        var groupDigits = -1
        var leadingZero = false
        let decimal: UInt8 = decimalComma ? 0x2C : 0x2E
        let thousands: UInt8 = decimalComma ? 0x2E : 0x2C
        func skipCurrency() {
            if i < end && (cell[i] == 0x24) { currency = true; i += 1 }
            else if i + 1 < end && cell[i] == 0xC2 && (cell[i + 1] == 0xA3 || cell[i + 1] == 0xA5) { currency = true; i += 2 }
            else if i + 2 < end && cell[i] == 0xE2 && cell[i + 1] == 0x82 && cell[i + 2] == 0xAC { currency = true; i += 3 }
        }
        skipCurrency()
        if i < end && (cell[i] == 0x2D || cell[i] == 0x2B) { negative = cell[i] == 0x2D; i += 1 }
        skipCurrency()
        if negative { buffer.append(0x2D) }
        while i < end {
            let b = cell[i]
            if b >= 0x30 && b <= 0x39 {
                if !sawPoint && !sawExponent {
                    if digitsBeforePoint == 0 && b == 0x30 { leadingZero = true }
                    digitsBeforePoint += 1
                    if groupDigits >= 0 { groupDigits += 1 }
                }
                sawDigit = true
                buffer.append(b)
            } else if b == thousands && !sawPoint && !sawExponent && sawDigit {
                if groupDigits >= 0 && groupDigits != 3 { return nil }
                if groupDigits < 0 && digitsBeforePoint > 3 { return nil }
                groupDigits = 0
            } else if b == decimal && !sawPoint && !sawExponent {
                if groupDigits >= 0 && groupDigits != 3 { return nil }
                sawPoint = true
                buffer.append(0x2E)
            } else if (b == 0x65 || b == 0x45) && sawDigit && !sawExponent {
                sawExponent = true
                buffer.append(0x65)
                if i + 1 < end && (cell[i + 1] == 0x2B || cell[i + 1] == 0x2D) { buffer.append(cell[i + 1]); i += 1 }
            } else if b == 0x25 && i == end - 1 && sawDigit {
                percent = true
            } else if b == 0x20 && i > cell.startIndex {
                // A space before a currency sign or percent, as in `4.00 €`: only allowed at the end.
                var j = i
                while j < end && cell[j] == 0x20 { j += 1 }
                i = j
                skipCurrency()
                if i < end && cell[i] == 0x25 && i == end - 1 { percent = true; i += 1 }
                if i != end { return nil }
                break
            } else {
                if !sawPoint, !sawExponent, i + 2 < end, cell[i] == 0xE2, cell[i + 1] == 0x82, cell[i + 2] == 0xAC, i + 3 == end {
                    currency = true
                    break
                }
                return nil
            }
            i += 1
        }
        guard sawDigit else { return nil }
        if groupDigits >= 0 && groupDigits != 3 && !sawPoint { return nil }
        if leadingZero && digitsBeforePoint > 1 && !sawPoint && !sawExponent && !currency { return nil }
        buffer.append(0)
        var value = scratch.baseAddress!.withMemoryRebound(to: CChar.self, capacity: scratch.count) { strtod($0, nil) }
        if percent { value /= 100 }
        return Number(value: value, isInteger: !sawPoint && !sawExponent && !percent && !currency && abs(value) < 9.0e15)
    }

    enum Truth { case word(Bool), digit(Bool) }

    static let trueWords: [[UInt8]] = ["true", "yes", "y", "t"].map { Array($0.utf8) }
    static let falseWords: [[UInt8]] = ["false", "no", "n", "f"].map { Array($0.utf8) }

    static func boolean<C: RandomAccessCollection<UInt8>>(_ cell: C) -> Truth? where C.Index == Int {
        guard cell.count <= 5, !cell.isEmpty else { return nil }
        if cell.count == 1 {
            if cell[cell.startIndex] == 0x31 { return .digit(true) }
            if cell[cell.startIndex] == 0x30 { return .digit(false) }
        }
        if trueWords.contains(where: { equalsIgnoringCase(cell, $0) }) { return .word(true) }
        if falseWords.contains(where: { equalsIgnoringCase(cell, $0) }) { return .word(false) }
        return nil
    }
}

/// A fixed buffer filled front to back; `number` never writes more than the cell's length plus one.
struct ScratchBytes {
    let storage: UnsafeMutableBufferPointer<UInt8>
    var count = 0

    mutating func append(_ byte: UInt8) {
        storage[count] = byte
        count += 1
    }
}
