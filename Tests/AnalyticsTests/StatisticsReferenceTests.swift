import Foundation
import Testing
@testable import Analytics

/// Statistics agree with numpy/scipy to 1e-9 relative. The expected values were written once by
/// `Fixtures/stats/make_reference.py` (see its docstring) into `Fixtures/stats/reference.json`.
struct StatisticsReferenceTests {
    struct Reference: Decodable {
        struct Sample: Decodable {
            var values: [Double]
            var mean, variance_ddof1, std_ddof1, skewness_adjusted, median, mad_raw: Double
            var quantiles_linear: [String: Double]
            var histogram_10, histogram_7: Hist
            var average_ranks: [Double]
        }
        struct Hist: Decodable { var counts: [Int]; var edges: [Double] }
        struct Pair: Decodable {
            var x, y: [Double]
            var slope, intercept, r2, slope_stderr, slope_p: Double
            var pearson_r, pearson_p, spearman_r, spearman_p: Double
        }
        struct MK: Decodable { var s, variance, z, p, tau, sen_slope: Double }
        struct Series: Decodable { var values: [Double]; var mann_kendall: MK; var acf: [String: Double] }
        struct TCase: Decodable { var t, df, p: Double }
        struct NCase: Decodable { var x, p: Double }
        struct BCase: Decodable { var a, b, x, p: Double }
        struct Dists: Decodable { var t_two_sided: [TCase]; var normal_cdf: [NCase]; var incomplete_beta: [BCase] }
        var samples: [String: Sample]
        var pairs: [String: Pair]
        var series: [String: Series]
        var distributions: Dists
    }

    static let reference: Reference = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/stats/reference.json")
        // A missing or malformed fixture is a broken checkout: fail loudly.
        return try! JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }()

    func close(_ actual: Double?, _ expected: Double, relative: Double = 1e-9, absolute: Double = 1e-12,
               _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let actual else {
            Issue.record("\(what): no value", sourceLocation: sourceLocation)
            return
        }
        let ok = abs(actual - expected) <= max(absolute, relative * abs(expected))
        #expect(ok, "\(what): \(actual) vs reference \(expected)", sourceLocation: sourceLocation)
    }

    @Test func momentsMatchNumpy() {
        for (name, s) in Self.reference.samples {
            close(Descriptive.mean(s.values), s.mean, "\(name) mean")
            close(Descriptive.variance(s.values), s.variance_ddof1, "\(name) variance")
            close(Descriptive.standardDeviation(s.values), s.std_ddof1, "\(name) std")
            close(Descriptive.skewness(s.values), s.skewness_adjusted, relative: 1e-8, "\(name) skewness")
        }
    }

    @Test func quantilesUseLinearInterpolationLikeNumpy() {
        for (name, s) in Self.reference.samples {
            let ps = s.quantiles_linear.keys.sorted()
            let got = Quantiles.of(s.values, ps.map { Double($0)! })!
            for (p, value) in zip(ps, got) {
                close(value, s.quantiles_linear[p]!, "\(name) q\(p)")
            }
            let sorted = s.values.sorted()
            close(Quantiles.ofSorted(sorted, 0.9), s.quantiles_linear["0.9"]!, "\(name) sorted q0.9")
            close(Quantiles.median(s.values), s.median, "\(name) median")
        }
    }

    @Test func robustSummaryMatchesMedianAndRawMAD() {
        for (name, s) in Self.reference.samples {
            let r = RobustSummary(s.values)!
            close(r.median, s.median, "\(name) median")
            close(r.mad, s.mad_raw, "\(name) MAD")
            close(r.q1, s.quantiles_linear["0.25"]!, "\(name) q1")
            close(r.q3, s.quantiles_linear["0.75"]!, "\(name) q3")
        }
    }

    @Test func histogramsMatchNumpyBinForBin() {
        for (name, s) in Self.reference.samples {
            for (bins, h) in [(10, s.histogram_10), (7, s.histogram_7)] {
                let got = Histogram(s.values, binCount: bins)
                #expect(got.counts == h.counts, "\(name) \(bins) bins")
                for (e, x) in zip(got.edges, h.edges) { close(e, x, "\(name) edge") }
            }
        }
    }

    @Test func averageRanksMatchScipy() {
        for (name, s) in Self.reference.samples {
            #expect(Ranks.average(s.values) == s.average_ranks, "\(name) ranks")
        }
    }

    @Test func regressionAndCorrelationMatchScipy() {
        for (name, p) in Self.reference.pairs {
            let fit = LinearFit(x: p.x, y: p.y)!
            close(fit.slope, p.slope, "\(name) slope")
            close(fit.intercept, p.intercept, "\(name) intercept")
            close(fit.rSquared, p.r2, "\(name) r2")
            close(fit.slopeStandardError, p.slope_stderr, "\(name) stderr")
            close(fit.pValue, p.slope_p, "\(name) slope p")
            let pearson = Correlation.pearson(p.x, p.y)!
            close(pearson.r, p.pearson_r, "\(name) pearson r")
            close(pearson.pValue, p.pearson_p, "\(name) pearson p")
            let spearman = Correlation.spearman(p.x, p.y)!
            close(spearman.r, p.spearman_r, "\(name) spearman r")
            close(spearman.pValue, p.spearman_p, "\(name) spearman p")
        }
    }

    @Test func mannKendallMatchesTextbookWithTieCorrection() {
        for (name, s) in Self.reference.series {
            let mk = MannKendall(s.values)!
            close(mk.s, s.mann_kendall.s, "\(name) S")
            close(mk.variance, s.mann_kendall.variance, "\(name) var")
            close(mk.z, s.mann_kendall.z, absolute: 1e-12, "\(name) z")
            close(mk.pValue, s.mann_kendall.p, "\(name) p")
            close(mk.tau, s.mann_kendall.tau, "\(name) tau")
            close(mk.senSlope, s.mann_kendall.sen_slope, "\(name) Sen")
            for (lag, r) in s.acf {
                close(Autocorrelation.acf(s.values, lag: Int(lag)!), r, "\(name) acf \(lag)")
            }
        }
    }

    @Test func distributionTailsMatchScipy() {
        let d = Self.reference.distributions
        for c in d.t_two_sided {
            close(Distributions.studentTTwoSidedP(c.t, df: c.df), c.p, "t=\(c.t) df=\(c.df)")
        }
        for c in d.normal_cdf { close(Distributions.normalCDF(c.x), c.p, "Φ(\(c.x))") }
        for c in d.incomplete_beta {
            close(Distributions.regularizedIncompleteBeta(a: c.a, b: c.b, x: c.x), c.p, "I(\(c.a),\(c.b),\(c.x))")
        }
    }
}
