import Foundation

/// Short human forms of numbers for labels and insight sentences.
enum NumberFormatting {
    /// `1234.5` → `1234.5`, `0.000123` → `0.000123`, `12000000` → `12000000`: up to 4 significant
    /// decimals without trailing zeros, no exponent for ordinary magnitudes.
    static func compact(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "∞" : "-∞") }
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        let magnitude = abs(v)
        let decimals = magnitude >= 100 ? 2 : (magnitude >= 1 ? 3 : 4 + max(0, Int(-log10(magnitude))))
        var s = String(format: "%.\(min(decimals, 12))f", v)
        while s.contains(".") && (s.hasSuffix("0") || s.hasSuffix(".")) { s.removeLast() }
        return s
    }

    /// `1234567.8` → `1,234,568`; `23.456` → `23.46`: for sentences people read.
    static func readable(_ v: Double) -> String {
        guard v.isFinite else { return compact(v) }
        let magnitude = abs(v)
        if magnitude >= 1000 { return grouped(Int64(v.rounded())) }
        if magnitude >= 10 { return trim(String(format: "%.1f", v)) }
        if magnitude >= 1 { return trim(String(format: "%.2f", v)) }
        return compact(v)
    }

    /// `0.2345` → `23%`, `0.0123` → `1.2%`.
    static func percent(_ fraction: Double) -> String {
        let p = fraction * 100
        return abs(p) >= 10 ? "\(Int(p.rounded()))%" : trim(String(format: "%.1f", p)) + "%"
    }

    /// `p < 0.001`, `p = 0.004`.
    static func pValue(_ p: Double) -> String {
        p < 0.001 ? "p < 0.001" : "p = \(String(format: "%.3f", p))"
    }

    static func grouped(_ v: Int64) -> String {
        let digits = String(v.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return v < 0 ? "-" + out : out
    }

    private static func trim(_ s: String) -> String {
        var s = s
        while s.contains(".") && (s.hasSuffix("0") || s.hasSuffix(".")) { s.removeLast() }
        return s
    }
}
