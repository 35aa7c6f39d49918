import Foundation

/// Cumulative distribution functions behind every p-value LuminaBI prints.
///
/// Student's t comes from the regularised incomplete beta function
/// `P(|T| > t) = I_{ν/(ν+t²)}(ν/2, 1/2)`, evaluated by its continued fraction with the modified
/// Lentz algorithm; the normal from `erfc`, which keeps tiny tail probabilities accurate
/// (no `1 − Φ` cancellation).
public enum Distributions {
    /// Standard normal CDF Φ(x).
    public static func normalCDF(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// Two-sided p-value of a standard normal statistic: P(|Z| ≥ |z|).
    public static func normalTwoSidedP(_ z: Double) -> Double {
        erfc(abs(z) / 2.0.squareRoot())
    }

    /// Two-sided p-value of Student's t with `df` degrees of freedom: P(|T| ≥ |t|).
    public static func studentTTwoSidedP(_ t: Double, df: Double) -> Double {
        guard df > 0 else { return .nan }
        guard t.isFinite else { return t.isNaN ? .nan : 0 }
        let x = df / (df + t * t)
        return regularizedIncompleteBeta(a: df / 2, b: 0.5, x: x)
    }

    /// Student's t CDF P(T ≤ t).
    public static func studentTCDF(_ t: Double, df: Double) -> Double {
        let tail = studentTTwoSidedP(t, df: df) / 2
        return t >= 0 ? 1 - tail : tail
    }

    /// Regularised incomplete beta I_x(a, b) for a, b > 0 and 0 ≤ x ≤ 1.
    public static func regularizedIncompleteBeta(a: Double, b: Double, x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        // Prefactor x^a (1−x)^b / (a·B(a, b)), in logs to survive large a and b.
        let logFront = a * log(x) + b * log1p(-x) - logBeta(a, b)
        // The continued fraction converges fast for x < (a+1)/(a+b+2); otherwise use the
        // symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * betaContinuedFraction(a: a, b: b, x: x) / a
        }
        let logFrontSwapped = b * log1p(-x) + a * log(x) - logBeta(b, a)
        return 1 - exp(logFrontSwapped) * betaContinuedFraction(a: b, b: a, x: 1 - x) / b
    }

    static func logBeta(_ a: Double, _ b: Double) -> Double {
        lgamma(a) + lgamma(b) - lgamma(a + b)
    }

    /// Continued fraction for I_x(a, b): 1/(1+ d1/(1+ d2/(1+ …))) with
    /// d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)) and d_{2m} = m(b−m)x / ((a+2m−1)(a+2m)),
    /// evaluated by the modified Lentz method.
    private static func betaContinuedFraction(a: Double, b: Double, x: Double) -> Double {
        let tiny = 1e-300
        let epsilon = 1e-16
        var c = 1.0
        var d = 1.0 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var f = d
        for m in 1...10_000 {
            let md = Double(m)
            // Even step.
            var num = md * (b - md) * x / ((a + 2 * md - 1) * (a + 2 * md))
            d = 1 + num * d
            if abs(d) < tiny { d = tiny }
            c = 1 + num / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            f *= d * c
            // Odd step.
            num = -(a + md) * (a + b + md) * x / ((a + 2 * md) * (a + 2 * md + 1))
            d = 1 + num * d
            if abs(d) < tiny { d = tiny }
            c = 1 + num / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            f *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return f
    }
}
