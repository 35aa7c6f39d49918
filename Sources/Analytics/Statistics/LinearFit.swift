/// Ordinary least-squares line `y = intercept + slope·x` with the usual slope t-test.
///
/// The p-value is two-sided for H0: slope = 0 with n − 2 degrees of freedom (as
/// `scipy.stats.linregress`). Sums are taken around the means so epoch-second or day-number
/// x values do not cancel catastrophically.
public struct LinearFit: Sendable, Equatable, Codable {
    public var count: Int
    public var slope: Double
    public var intercept: Double
    public var rSquared: Double
    /// Standard error of the slope.
    public var slopeStandardError: Double
    public var pValue: Double

    /// Value the line predicts at `x`.
    public func predict(_ x: Double) -> Double { intercept + slope * x }

    /// Fits `y` on `x` (same length, no NaN); `nil` for fewer than three points or constant x.
    public init?(x: UnsafeBufferPointer<Double>, y: UnsafeBufferPointer<Double>) {
        let sums = CentredSums(x, y)
        self.init(count: sums.count, meanX: sums.meanX, meanY: sums.meanY, sxx: sums.sxx, syy: sums.syy, sxy: sums.sxy)
    }

    /// Fits over the pairs where neither value is NaN, without copying them out first.
    public init?(skippingNaN x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>, xOffset: Double = 0) {
        let n = min(x.count, y.count)
        var count = 0
        var sx = 0.0, sy = 0.0
        for i in 0..<n where !x[i].isNaN && !y[i].isNaN {
            count += 1
            sx += x[i] - xOffset
            sy += y[i]
        }
        guard count >= 3 else { return nil }
        let mx = sx / Double(count), my = sy / Double(count)
        var sxx = 0.0, syy = 0.0, sxy = 0.0
        for i in 0..<n where !x[i].isNaN && !y[i].isNaN {
            let dx = x[i] - xOffset - mx, dy = y[i] - my
            sxx += dx * dx
            syy += dy * dy
            sxy += dx * dy
        }
        self.init(count: count, meanX: mx, meanY: my, sxx: sxx, syy: syy, sxy: sxy)
    }

    /// One fit per column of `ys` on the same `x`, each exactly as `init(skippingNaN:_:xOffset:)`
    /// gives it, from two passes over the rows for all of them (four columns per pass in the
    /// lanes of `ColumnLanes`) instead of two passes per column.
    static func fits(skippingNaN x: UnsafeBufferPointer<Double>, _ ys: [UnsafeBufferPointer<Double>], xOffset: Double = 0) -> [LinearFit?] {
        typealias Lanes = ColumnLanes.Lanes
        var out = [LinearFit?](repeating: nil, count: ys.count)
        guard let xBase = x.baseAddress else { return out }
        for group in ColumnLanes.groups(ys.count) {
            let n = group.map { min(x.count, ys[$0].count) }.min() ?? 0
            guard n > 0 else { continue }
            let c = ColumnLanes.pointers(ys, group)
            if let fitted = fitsOfFilledColumns(xBase, c, rows: n, xOffset: xOffset) {
                for (lane, column) in group.enumerated() where lane == 0 || column != group[0] {
                    guard min(x.count, ys[column].count) == n else {
                        out[column] = LinearFit(skippingNaN: x, ys[column], xOffset: xOffset)
                        continue
                    }
                    out[column] = fitted[lane]
                }
                continue
            }
            var count = SIMD4<Int64>(repeating: 0)
            var sx = Lanes(repeating: 0), sy = Lanes(repeating: 0)
            for i in 0..<n {
                let xi = xBase[i]
                guard !xi.isNaN else { continue }
                let y = ColumnLanes.load(c, i)
                let valid = y .== y
                count &+= SIMD4(repeating: 0).replacing(with: 1, where: valid)
                sx += Lanes(repeating: 0).replacing(with: xi - xOffset, where: valid)
                sy += Lanes(repeating: 0).replacing(with: y, where: valid)
            }
            let counts = SIMD4<Double>(Double(count[0]), Double(count[1]), Double(count[2]), Double(count[3]))
            // Lanes without three points give NaN or infinite means here; they are dropped below.
            let mx = sx / counts, my = sy / counts
            var sxx = Lanes(repeating: 0), syy = Lanes(repeating: 0), sxy = Lanes(repeating: 0)
            for i in 0..<n {
                let xi = xBase[i]
                guard !xi.isNaN else { continue }
                let y = ColumnLanes.load(c, i)
                let valid = y .== y
                let dx = Lanes(repeating: xi - xOffset) - mx, dy = y - my
                sxx += (dx * dx).replacing(with: 0, where: .!valid)
                syy += (dy * dy).replacing(with: 0, where: .!valid)
                sxy += (dx * dy).replacing(with: 0, where: .!valid)
            }
            for (lane, column) in group.enumerated() where lane == 0 || column != group[0] {
                // Each column's own row count, as the one-column fit would use.
                let own = min(x.count, ys[column].count)
                guard own == n else {
                    out[column] = LinearFit(skippingNaN: x, ys[column], xOffset: xOffset)
                    continue
                }
                guard count[lane] >= 3 else { continue }
                out[column] = LinearFit(
                    count: Int(count[lane]), meanX: mx[lane], meanY: my[lane], sxx: sxx[lane], syy: syy[lane], sxy: sxy[lane])
            }
        }
        return out
    }

    /// `fits` of four columns that have no NaN where x is filled (the usual case: measures
    /// without empty cells): every lane then counts the same rows, so the count, x's mean and
    /// x's sum of squares are one scalar shared by the lanes and no lane needs masking. Returns
    /// `nil`, having found a NaN (a NaN running sum of y), when the masked loop is needed.
    private static func fitsOfFilledColumns(
        _ x: UnsafePointer<Double>,
        _ c: (UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>),
        rows n: Int, xOffset: Double
    ) -> [LinearFit?]? {
        typealias Lanes = ColumnLanes.Lanes
        var count = 0
        var sx = 0.0, sy = Lanes(repeating: 0)
        for i in 0..<n {
            let xi = x[i]
            guard !xi.isNaN else { continue }
            count += 1
            sx += xi - xOffset
            sy += ColumnLanes.load(c, i)
        }
        // A NaN y on a row with a filled x leaves its lane's sum NaN for good.
        guard !(0..<4).contains(where: { sy[$0].isNaN }) else { return nil }
        guard count >= 3 else { return [nil, nil, nil, nil] }
        let mx = sx / Double(count), my = sy / Lanes(repeating: Double(count))
        var sxx = 0.0, syy = Lanes(repeating: 0), sxy = Lanes(repeating: 0)
        for i in 0..<n {
            let xi = x[i]
            guard !xi.isNaN else { continue }
            let dx = xi - xOffset - mx, dy = ColumnLanes.load(c, i) - my
            sxx += dx * dx
            syy += dy * dy
            sxy += dx * dy
        }
        return (0..<4).map { lane in
            LinearFit(count: count, meanX: mx, meanY: my[lane], sxx: sxx, syy: syy[lane], sxy: sxy[lane])
        }
    }

    /// From centred sums of squares and products.
    init?(count n: Int, meanX mx: Double, meanY my: Double, sxx: Double, syy: Double, sxy: Double) {
        guard n >= 3, sxx > 0 else { return nil }
        let b = sxy / sxx
        count = n
        slope = b
        intercept = my - b * mx
        let df = Double(n - 2)
        if syy <= 0 {
            rSquared = 0
            slopeStandardError = 0
            pValue = 1
            return
        }
        rSquared = min(1, sxy * sxy / (sxx * syy))
        slopeStandardError = (max(0, syy - b * sxy) / df / sxx).squareRoot()
        pValue = slopeStandardError == 0 ? 0 : Distributions.studentTTwoSidedP(b / slopeStandardError, df: df)
    }

    public init?(x: [Double], y: [Double]) {
        guard let fit = x.withUnsafeBufferPointer({ xb in
            y.withUnsafeBufferPointer { yb in LinearFit(x: xb, y: yb) }
        }) else { return nil }
        self = fit
    }

    /// Fits `y` against its index 0, 1, 2, … (an evenly spaced series).
    public init?(series y: [Double]) {
        self.init(x: (0..<y.count).map(Double.init), y: y)
    }
}

/// Means and centred sums of squares and products of paired values, shared by the least-squares
/// fit and Pearson's r. Summing around the means keeps large offsets (epoch seconds) from cancelling.
struct CentredSums {
    let count: Int
    let meanX: Double, meanY: Double
    let sxx: Double, syy: Double, sxy: Double

    init(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>) {
        let n = min(x.count, y.count)
        var sx = 0.0, sy = 0.0
        for i in 0..<n {
            sx += x[i]
            sy += y[i]
        }
        let mx = n > 0 ? sx / Double(n) : 0, my = n > 0 ? sy / Double(n) : 0
        var sxx = 0.0, syy = 0.0, sxy = 0.0
        for i in 0..<n {
            let dx = x[i] - mx, dy = y[i] - my
            sxx += dx * dx
            syy += dy * dy
            sxy += dx * dy
        }
        (count, meanX, meanY, self.sxx, self.syy, self.sxy) = (n, mx, my, sxx, syy, sxy)
    }
}
