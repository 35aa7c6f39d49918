import Analytics

/// The phases the benchmark times after reading: clean, profile, insights, three chart queries.
struct BenchPipeline {
    struct Outcome {
        var cleaning: CleaningResult
        var profile: DatasetProfile
        var analysis: InsightDetector.Analysis
        /// by_region, by_day, by_month_product (timed) and by_week (checked only).
        var aggregations: [String: AggregationResult]
        var seconds: [String: Double]
        /// Peak RSS of each phase in bytes, when asked for (`--phase-peaks`).
        var peaks: [String: Int] = [:]
        /// Seconds of each cleaning step, from the cleaner's step announcements (`--steps`).
        var stepSeconds: [String: Double] = [:]
    }

    /// The three chart queries of the reference benchmark.
    static let chartQueries: [(String, AggregationQuery)] = [
        ("by_region", AggregationQuery(groupBy: [.init("region")], measures: [.init(.sum, "revenue"), .init(.count)])),
        ("by_day", AggregationQuery(groupBy: [.init("order_date", bucket: .day)], measures: [.init(.sum, "revenue"), .init(.count)])),
        ("by_month_product", AggregationQuery(
            groupBy: [.init("order_date", bucket: .month), .init("product")], measures: [.init(.sum, "units")])),
    ]

    static let weekQuery = AggregationQuery(groupBy: [.init("order_date", bucket: .week)], measures: [.init(.sum, "revenue")])

    /// Consumes `table`: cleaning rebuilds it in place, so the raw and cleaned tables never
    /// coexist (as in an upload, where the read table goes straight to cleaning).
    static func run(_ table: consuming Table, phasePeaks: Bool = false) throws -> Outcome {
        var seconds: [String: Double] = [:]
        var peaks: [String: Int] = [:]
        func peak(_ phase: String) {
            guard phasePeaks else { return }
            peaks[phase] = PeakMemory.bytes()
            PeakMemory.reset()
        }
        // Timed by hand: a closure could not hand the table over.
        let cleaningStarted = ContinuousClock.now
        var marks: [(String, ContinuousClock.Instant, cpu: Double)] = []
        let cleaning = Cleaner().clean(consume table) { step, _ in marks.append((step, ContinuousClock.now, Stopwatch.cpuSeconds())) }
        seconds["clean"] = Stopwatch.seconds(ContinuousClock.now - cleaningStarted)
        var stepSeconds: [String: Double] = [:]
        for (k, mark) in marks.enumerated().dropLast() {
            let name = "clean: " + mark.0.replacingOccurrences(of: "...", with: "")
            stepSeconds[name] = Stopwatch.seconds(marks[k + 1].1 - mark.1)
            stepSeconds[name + " (cpu)"] = marks[k + 1].cpu - mark.cpu
        }
        peak("clean")
        let (profile, tProfile) = Stopwatch.time { Profiler().profile(cleaning.table) }
        seconds["profile"] = tProfile
        peak("profile")
        let (analysis, tInsights) = Stopwatch.time { InsightDetector().analyze(cleaning.table, profile: profile) }
        seconds["insights"] = tInsights
        peak("insights")
        var aggregations: [String: AggregationResult] = [:]
        if cleaning.table.column(named: "region") != nil && cleaning.table.column(named: "order_date") != nil {
            // Built once per dataset (day numbers per date column), reported on its own line.
            let (aggregator, tIndex) = Stopwatch.time { Aggregator(table: cleaning.table) }
            seconds["aggregation index"] = tIndex
            let (results, tAgg) = try Stopwatch.time {
                try chartQueries.map { ($0.0, try aggregator.run($0.1)) }
            }
            seconds["aggregations"] = tAgg
            for (name, r) in results { aggregations[name] = r }
            aggregations["by_week"] = try aggregator.run(weekQuery)
        }
        peak("aggregations")
        return Outcome(cleaning: cleaning, profile: profile, analysis: analysis, aggregations: aggregations, seconds: seconds, peaks: peaks,
                       stepSeconds: stepSeconds)
    }
}
