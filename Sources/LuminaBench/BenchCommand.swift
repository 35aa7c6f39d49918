import Analytics
import Foundation

/// Parses the command line and runs the benchmark: read + infer, clean, profile, insights and
/// three chart aggregations, each timed over several runs (medians reported), plus peak RSS.
struct BenchCommand {
    static let usage = """
        usage: lumina-bench FILE.csv [--runs N] [--json] [--expected expected_detections.json [--key NAME]]
               lumina-bench FILE.csv --read-only [--runs N]
               lumina-bench FILE.csv --phase-peaks [--runs N]   (peak RSS of each phase of the last run)
               lumina-bench FILE.csv [--read-only] --steps [--runs N]   (also the medians of the reader's and cleaner's stages)
               lumina-bench FILE.csv... --digest   (what reading and cleaning make of each file, to compare builds)
               lumina-bench --generate ROWS [--out FILE.csv] [--runs N] [--json]
        """

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    var file: URL
    var generateRows: Int?
    var runs = 3
    var json = false
    var expected: URL?
    var key: String?
    /// Times reading alone (for profiling the reader without the later phases).
    var readOnly = false
    /// Reports the peak RSS of each phase of the last run (resetting the peak between phases).
    var phasePeaks = false
    /// Prints `BenchDigest` for every file given instead of timing anything.
    var digest = false
    var digestFiles: [URL] = []
    /// Also times the stages of reading and the steps of cleaning.
    var steps = false

    init(arguments: [String]) throws {
        var file: URL?
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < arguments.count else { throw UsageError(description: "\(arguments[i - 1]) needs a value") }
            return arguments[i]
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--runs":
                guard let n = Int(try value()), n > 0 else { throw UsageError(description: "--runs takes a positive number") }
                runs = n
            case "--json": json = true
            case "--read-only": readOnly = true
            case "--phase-peaks": phasePeaks = true
            case "--digest": digest = true
            case "--steps": steps = true
            case "--expected": expected = URL(fileURLWithPath: try value())
            case "--key": key = try value()
            case "--generate":
                guard let n = Int(try value()), n > 0 else { throw UsageError(description: "--generate takes a row count") }
                generateRows = n
            case "--out": file = URL(fileURLWithPath: try value())
            case "-h", "--help": throw UsageError(description: "help")
            case let arg where arg.hasPrefix("-"): throw UsageError(description: "unknown option \(arg)")
            default:
                file = URL(fileURLWithPath: arguments[i])
                digestFiles.append(URL(fileURLWithPath: arguments[i]))
            }
            i += 1
        }
        if let rows = generateRows {
            self.file = file ?? FileManager.default.temporaryDirectory.appendingPathComponent("lumina_bench_\(rows).csv")
        } else {
            guard let file else { throw UsageError(description: "no CSV file given") }
            self.file = file
        }
    }

    /// Runs everything; returns false when an expected-detections check failed.
    func run() throws -> Bool {
        if let rows = generateRows {
            try SalesGenerator(rows: rows).write(to: file)
        }
        if readOnly { return try runReadOnly() }
        if digest {
            for url in digestFiles {
                FileHandle.standardOutput.write(Data("== \(url.path)\n\(BenchDigest.text(for: url))".utf8))
            }
            return true
        }
        var timings: [String: [Double]] = [:]
        var stepTimings: [String: [Double]] = [:]
        var last: (rows: Int, outcome: BenchPipeline.Outcome)?
        for _ in 0..<runs {
            last = nil  // release the previous run's tables before reading again
            if phasePeaks { PeakMemory.reset() }
            let ((table, stages), tRead) = try Stopwatch.time {
                steps ? try BenchReading.readTimingStages(file) : (try BenchReading.read(file), [:])
            }
            for (stage, seconds) in stages { stepTimings[stage, default: []].append(seconds) }
            let readPeak = phasePeaks ? PeakMemory.bytes() : nil
            if phasePeaks { PeakMemory.reset() }
            let rows = table.rowCount
            // Handed over: cleaning frees the raw columns as it replaces them.
            var outcome = try BenchPipeline.run(consume table, phasePeaks: phasePeaks)
            if let readPeak { outcome.peaks["read + infer"] = readPeak }
            timings["read + infer", default: []].append(tRead)
            for (phase, seconds) in outcome.seconds { timings[phase, default: []].append(seconds) }
            for (step, seconds) in outcome.stepSeconds { stepTimings[step, default: []].append(seconds) }
            last = (rows, outcome)
        }
        guard let (rows, outcome) = last else { return true }
        var check: ExpectedCheck?
        if let expected {
            check = try loadCheck(expected, outcome)
        }
        let report = BenchReport(
            file: file.lastPathComponent, bytes: (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0,
            rows: rows, runs: runs, timings: timings, peakBytes: phasePeaks ? outcome.peaks.values.max() : PeakMemory.bytes(), outcome: outcome, check: check)
        var text = json ? try report.json() : report.text()
        if phasePeaks && !json {
            let phases = ["read + infer", "clean", "profile", "insights", "aggregations"]
            text += "peak RSS by phase (last run, MiB): "
                + phases.compactMap { p in outcome.peaks[p].map { "\(p) \($0 / 1_048_576)" } }.joined(separator: ", ") + "\n"
        }
        if steps && !json { text += Self.stepLines(stepTimings) }
        FileHandle.standardOutput.write(Data(text.utf8))
        return check?.passed ?? true
    }

    /// Reads the file `runs` times and prints the median, minimum and maximum read time and peak RSS.
    private func runReadOnly() throws -> Bool {
        var times: [Double] = []
        var stepTimings: [String: [Double]] = [:]
        var rows = 0
        for _ in 0..<runs {
            let ((table, stages), t) = try Stopwatch.time {
                steps ? try BenchReading.readTimingStages(file) : (try BenchReading.read(file), [:])
            }
            for (stage, seconds) in stages { stepTimings[stage, default: []].append(seconds) }
            rows = table.rowCount
            times.append(t)
        }
        let peak = PeakMemory.bytes().map { "\($0 / 1_048_576) MiB" } ?? "?"
        let line = String(format: "read + infer  %d rows  median %.4f s  min %.4f s  max %.4f s  (%d runs)",
                          rows, BenchReport.median(times), times.min() ?? 0, times.max() ?? 0, runs) + "  peak RSS \(peak)\n"
        FileHandle.standardOutput.write(Data((line + (steps ? Self.stepLines(stepTimings) : "")).utf8))
        return true
    }

    /// Median seconds of each reading stage and cleaning step, in the order they run.
    static func stepLines(_ timings: [String: [Double]]) -> String {
        let order = ["read: checks, header, first rows", "read: scan", "read: merge and build columns"]
            + Cleaner.stepNames.map { "clean: " + $0.replacingOccurrences(of: "...", with: "") }
        var out = "stages and steps (medians, wall and CPU seconds of all threads):\n"
        for name in order {
            guard let t = timings[name] else { continue }
            out += "  " + name.padding(toLength: 36, withPad: " ", startingAt: 0) + String(format: "%.4f s", BenchReport.median(t))
            if let cpu = timings[name + " (cpu)"] { out += String(format: "   cpu %.4f s", BenchReport.median(cpu)) }
            out += "\n"
        }
        return out
    }

    private func loadCheck(_ url: URL, _ outcome: BenchPipeline.Outcome) throws -> ExpectedCheck {
        let all = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
        let name = key ?? file.lastPathComponent
        guard let entry = (all[name] as? [String: Any])?["expected"] as? [String: Any] else {
            throw UsageError(description: "\(url.lastPathComponent) has no entry for \(name) (use --key)")
        }
        var check = ExpectedCheck()
        check.check(entry, outcome)
        return check
    }
}
