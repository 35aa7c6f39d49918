import Foundation

/// Reads typed values out of the bytes of one cell, the way people write them in spreadsheets:
/// `1,234.50`, `$3.00`, `£23,705`, `12%`, `1,5` (decimal comma), `Apr 05, 2023`, `yes`.
///
/// Everything works on views into the file and allocates nothing: this runs for every cell.
enum CellParser {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    /// Surrounding spaces, tabs and no-break spaces removed.
    @inline(__always)
    static func trimmed(_ bytes: Bytes) -> Bytes {
        // Most cells start and end with a byte that cannot begin or end any of those (above
        // the space, no 0xC2 lead byte first, no 0xA0 last): two bytes decide, no loop runs.
        let n = bytes.count
        if n > 0 {
            let first = bytes[0], last = bytes[n - 1]
            if first > 0x20 && first != 0xC2 && last > 0x20 && last != 0xA0 { return bytes }
        }
        return trimmedByLoop(bytes)
    }

    /// `trimmed` byte by byte: for the cells its first test does not settle.
    @inline(__always)
    static func trimmedByLoop(_ bytes: Bytes) -> Bytes {
        var start = 0, end = bytes.count
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
        if start == 0 && end == bytes.count { return bytes }
        return Bytes(rebasing: bytes[start..<end])
    }

    static let nullTokens: [[UInt8]] = ["na", "n/a", "null", "none", "nan", "-", "--", "---", "?", ".", "#n/a", "nil", "missing"]
        .map { Array($0.utf8) }

    /// The null tokens as `(length, packed lowercase bytes)`: one integer comparison each (see `packedLowercase`).
    static let packedNullTokens: [(count: Int, key: UInt64)] = nullTokens.map { token in
        (token.count, token.withUnsafeBufferPointer { packedLowercase($0) })
    }

    /// Whether `cell` spells `token` (lowercase ASCII) in any letter case, without allocating: the
    /// plain definition the packed comparisons below must agree with (the tests hold them to it).
    static func equalsIgnoringCase(_ cell: Bytes, _ token: [UInt8]) -> Bool {
        guard cell.count == token.count else { return false }
        for i in 0..<cell.count {
            var b = cell[i]
            if b >= 0x41 && b <= 0x5A { b |= 0x20 }
            if b != token[i] { return false }
        }
        return true
    }

    /// Up to eight bytes in one word, ASCII capitals lowered. Two cells of the same length (at most
    /// eight) have the same word exactly when they are equal ignoring ASCII case, so comparing a
    /// cell with a short lowercase word is one integer comparison instead of a loop per word.
    @inline(__always)
    static func packedLowercase(_ cell: Bytes) -> UInt64 {
        var key: UInt64 = 0
        for b in cell {
            key = key << 8 | UInt64(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
        }
        return key
    }

    /// Whether a trimmed cell means "no value". Runs of asterisks (`****`) are a common placeholder too.
    @inline(__always)
    static func isNull(_ cell: Bytes) -> Bool {
        if cell.isEmpty { return true }
        if cell.count > 8 { return false }
        // Every null token and placeholder starts with one of `n m - ? . # *` (any case): other
        // cells, numbers and most words, are ruled out by their first byte. (The `| 0x20` lets a
        // few control bytes through too; the exact test below rejects them.)
        switch cell[0] | 0x20 {
        case 0x6E, 0x6D, 0x2D, 0x3F, 0x2E, 0x23, 0x2A: break
        default: return false
        }
        if cell.allSatisfy({ $0 == 0x2A }) { return true }
        let count = cell.count, key = packedLowercase(cell)
        for token in packedNullTokens where token.count == count && token.key == key { return true }
        return false
    }

    /// How many bytes of `cell` are spaces, eight bytes at a time (a byte loop here was one of
    /// the larger costs of reading text and category columns). The tests hold it to a byte count.
    @inline(__always)
    static func spaceCount(_ cell: Bytes) -> Int {
        var count = 0
        var i = 0
        let n = cell.count
        #if _endian(little)
        if let base = cell.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                count += CSVTokenizer.markedByteCount(CSVTokenizer.zeroBytes(word ^ 0x2020_2020_2020_2020))
                i += 8
            }
        }
        #endif
        while i < n {
            if cell[i] == 0x20 { count += 1 }
            i += 1
        }
        return count
    }

    struct Number {
        var value: Double
        /// Written as a whole number without currency or percent: an integer column candidate.
        var isInteger: Bool
    }

    /// Whether the cell has a `,` or `.`: only then can decimal-comma and decimal-point readings differ.
    @inline(__always)
    static func hasSeparator(_ cell: Bytes) -> Bool {
        for b in cell where b == 0x2C || b == 0x2E { return true }
        return false
    }

    /// Exact powers of ten: a mantissa below 2^53 divided or multiplied by one of these is
    /// correctly rounded, i.e. the same double `strtod` returns.
    static let powersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }

    /// `powersOfTen[k]` for 0 ≤ k ≤ 22 as constants: reading the global array checks its lazy
    /// initialisation (a call) on every cell with a fraction. The tests hold the two equal.
    @inline(__always)
    static func powerOfTen(_ k: Int) -> Double {
        switch k {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// A number, or nil. Codes with leading zeros (`08123`) are not numbers: they are identifiers.
    /// Inlined into the scan with the plain case and the first-byte test; the general parser is
    /// one call away (kept out of line, so the scan's loop stays small).
    @inline(__always)
    static func number(_ cell: Bytes, decimalComma: Bool) -> Number? {
        if let plain = plainNumber(cell, decimal: decimalComma ? 0x2C : 0x2E) { return plain }
        guard let first = cell.first, canStartNumber(first) else { return nil }
        if let money = dollarsOrPercent(cell, decimal: decimalComma ? 0x2C : 0x2E) { return money }
        return formattedNumberOutOfLine(cell, decimalComma: decimalComma)
    }

    /// The next most common cells, `$17.85` and `12%`: a plain number after a dollar sign or
    /// before a percent sign, read by `plainNumber` and marked as no integer (a percent also
    /// divided by 100), exactly as `formattedNumber` reads them. Nil sends the cell on to it.
    @inline(__always)
    static func dollarsOrPercent(_ cell: Bytes, decimal: UInt8) -> Number? {
        let n = cell.count
        guard n >= 2 else { return nil }
        if cell[0] == 0x24, cell[n - 1] != 0x25, let plain = plainNumber(Bytes(rebasing: cell[1..<n]), decimal: decimal) {
            return Number(value: plain.value, isInteger: false)
        }
        if cell[n - 1] == 0x25, let plain = plainNumber(Bytes(rebasing: cell[0..<(n - 1)]), decimal: decimal) {
            return Number(value: plain.value / 100, isInteger: false)
        }
        return nil
    }

    @inline(never)
    private static func formattedNumberOutOfLine(_ cell: Bytes, decimalComma: Bool) -> Number? {
        formattedNumber(cell, decimalComma: decimalComma)
    }

    /// The common case in one tight loop: 1 to 15 ASCII digits with at most one decimal separator
    /// and no leading-zero code (`123`, `0.05`, `192.78`). Nil means "not that simple": the
    /// general parser then decides, so the result is always the one `formattedNumber` gives
    /// (with at most 15 digits its fast path computes the same mantissa and scale).
    @inline(__always)
    static func plainNumber(_ cell: Bytes, decimal: UInt8) -> Number? {
        let n = cell.count
        guard n > 0, n <= 16 else { return nil }
        var mantissa: UInt64 = 0
        var digits = 0, fractionDigits = 0
        var sawPoint = false
        for b in cell {
            let d = b &- 0x30
            if d < 10 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                digits += 1
                if sawPoint { fractionDigits += 1 }
            } else if b == decimal && !sawPoint {
                sawPoint = true
            } else {
                return nil
            }
        }
        guard digits > 0, digits <= 15 else { return nil }
        // `08123` is an identifier: the general parser says so.
        if !sawPoint && digits > 1 && cell[0] == 0x30 { return nil }
        var value = Double(mantissa)
        if fractionDigits > 0 { value /= powerOfTen(fractionDigits) }
        return Number(value: value, isInteger: !sawPoint)
    }

    /// Whether a number can start with byte `b`: a digit, a sign, a separator (`.5`, `,5`) or a
    /// currency sign (`$`, the first byte of `£`, `¥` and `€`). Words, the other common cells, are
    /// ruled out here without calling the general parser (which would reject them too).
    @inline(__always)
    static func canStartNumber(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x24, 0x2B, 0x2C, 0x2D, 0x2E, 0xC2, 0xE2: true
        default: false
        }
    }

    /// Any number `number` accepts: signs, currency, grouping, percent, exponent, long mantissas.
    static func formattedNumber(_ cell: Bytes, decimalComma: Bool) -> Number? {
        guard cell.count < 64 else { return nil }
        var i = 0
        let end = cell.count
        var negative = false
        var currency = false
        var percent = false
        var digitsBeforePoint = 0
        var sawPoint = false, sawExponent = false, sawDigit = false
        var groupDigits = -1
        var leadingZero = false
        // The value as mantissa × 10^(exponent − fractionDigits), while it fits the fast path.
        var mantissa: UInt64 = 0
        var significant = 0
        var fractionDigits = 0
        var exponent = 0, exponentNegative = false, exponentDigits = 0
        let decimal: UInt8 = decimalComma ? 0x2C : 0x2E
        let thousands: UInt8 = decimalComma ? 0x2E : 0x2C
        if skipCurrency(cell, at: &i) { currency = true }
        if i < end && (cell[i] == 0x2D || cell[i] == 0x2B) { negative = cell[i] == 0x2D; i += 1 }
        if skipCurrency(cell, at: &i) { currency = true }
        while i < end {
            let b = cell[i]
            if b >= 0x30 && b <= 0x39 {
                if sawExponent {
                    if exponentDigits < 6 { exponent = exponent * 10 + Int(b - 0x30) }
                    exponentDigits += 1
                } else {
                    if !sawPoint {
                        if digitsBeforePoint == 0 && b == 0x30 { leadingZero = true }
                        digitsBeforePoint += 1
                        if groupDigits >= 0 { groupDigits += 1 }
                    } else {
                        fractionDigits += 1
                    }
                    if mantissa != 0 || b != 0x30 { significant += 1 }
                    if significant <= 19 { mantissa = mantissa &* 10 &+ UInt64(b - 0x30) }
                }
                sawDigit = true
            } else if b == thousands && !sawPoint && !sawExponent && sawDigit {
                if groupDigits >= 0 && groupDigits != 3 { return nil }
                if groupDigits < 0 && digitsBeforePoint > 3 { return nil }
                groupDigits = 0
            } else if b == decimal && !sawPoint && !sawExponent {
                if groupDigits >= 0 && groupDigits != 3 { return nil }
                sawPoint = true
            } else if (b == 0x65 || b == 0x45) && sawDigit && !sawExponent {
                sawExponent = true
                if i + 1 < end && (cell[i + 1] == 0x2B || cell[i + 1] == 0x2D) { exponentNegative = cell[i + 1] == 0x2D; i += 1 }
            } else if b == 0x25 && i == end - 1 && sawDigit {
                percent = true
            } else if b == 0x20 && i > 0 {
                // A space before a currency sign or percent, as in `4.00 €`: only allowed at the end.
                var j = i
                while j < end && cell[j] == 0x20 { j += 1 }
                i = j
                if skipCurrency(cell, at: &i) { currency = true }
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
        var value: Double
        let scale = (exponentNegative ? -exponent : exponent) - fractionDigits
        if significant <= 15 && exponentDigits <= 6 && scale >= -22 && scale <= 22 {
            value = Double(mantissa)
            if scale < 0 { value /= powerOfTen(-scale) } else if scale > 0 { value *= powerOfTen(scale) }
            if negative { value = -value }
        } else {
            value = slowValue(cell, decimalComma: decimalComma)
        }
        if percent { value /= 100 }
        return Number(value: value, isInteger: !sawPoint && !sawExponent && !percent && !currency && abs(value) < 9.0e15)
    }

    /// Moves `i` past a currency sign (`$`, `£`, `¥`, `€`) if one is there; whether one was. A static
    /// function with the position passed in: a nested one capturing it would box it, and every
    /// access would be checked at run time.
    @inline(__always)
    private static func skipCurrency(_ cell: Bytes, at i: inout Int) -> Bool {
        let end = cell.count
        if i < end && cell[i] == 0x24 { i += 1; return true }
        if i + 1 < end && cell[i] == 0xC2 && (cell[i + 1] == 0xA3 || cell[i + 1] == 0xA5) { i += 2; return true }
        if i + 2 < end && cell[i] == 0xE2 && cell[i + 1] == 0x82 && cell[i + 2] == 0xAC { i += 3; return true }
        return false
    }

    /// Long or extreme numbers: the sign, digits, point and exponent copied out for `strtod`.
    /// Only called on cells `number` has already validated.
    private static func slowValue(_ cell: Bytes, decimalComma: Bool) -> Double {
        let decimal: UInt8 = decimalComma ? 0x2C : 0x2E
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 72) { buffer in
            var n = 0
            var sawExponent = false
            for (k, b) in cell.enumerated() {
                if b >= 0x30 && b <= 0x39 {
                    buffer[n] = CChar(bitPattern: b); n += 1
                } else if b == 0x2D && n == 0 && !sawExponent {
                    buffer[n] = 0x2D; n += 1
                } else if b == decimal && !sawExponent {
                    buffer[n] = 0x2E; n += 1
                } else if (b == 0x65 || b == 0x45) && n > 0 && !sawExponent {
                    sawExponent = true
                    buffer[n] = 0x65; n += 1
                    if k + 1 < cell.count && (cell[k + 1] == 0x2B || cell[k + 1] == 0x2D) { buffer[n] = CChar(bitPattern: cell[k + 1]); n += 1 }
                } else if b == 0x25 || b == 0x20 {
                    break
                }
                if n >= 70 { break }
            }
            buffer[n] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    enum Truth { case word(Bool), digit(Bool) }

    static let trueWords: [[UInt8]] = ["true", "yes", "y", "t"].map { Array($0.utf8) }
    static let falseWords: [[UInt8]] = ["false", "no", "n", "f"].map { Array($0.utf8) }

    /// Packed lowercase keys (see `packedLowercase`) of the words above.
    private static let packedTrue: [(count: Int, key: UInt64)] = trueWords.map { ($0.count, $0.withUnsafeBufferPointer { packedLowercase($0) }) }
    private static let packedFalse: [(count: Int, key: UInt64)] = falseWords.map { ($0.count, $0.withUnsafeBufferPointer { packedLowercase($0) }) }

    @inline(__always)
    static func boolean(_ cell: Bytes) -> Truth? {
        guard cell.count <= 5, !cell.isEmpty else { return nil }
        if cell.count == 1 {
            if cell[0] == 0x31 { return .digit(true) }
            if cell[0] == 0x30 { return .digit(false) }
        }
        let count = cell.count, key = packedLowercase(cell)
        for word in packedTrue where word.count == count && word.key == key { return .word(true) }
        for word in packedFalse where word.count == count && word.key == key { return .word(false) }
        return nil
    }
}
