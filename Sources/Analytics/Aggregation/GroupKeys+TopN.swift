extension GroupKeys {
    /// Keeps the `keeping` groups ranked highest by `ranking` (largest first) and maps every
    /// other group to a final "Other" key. Groups without a value rank last.
    mutating func foldIntoOther(keeping: Int, ranking: [Double?]) {
        let order = labels.indices.sorted { a, b in
            let va = ranking[a] ?? -.infinity, vb = ranking[b] ?? -.infinity
            return va != vb ? va > vb : a < b
        }
        let kept = Array(order.prefix(max(0, keeping)))
        var remap = [Int32](repeating: Int32(kept.count), count: labels.count)
        for (rank, key) in kept.enumerated() { remap[key] = Int32(rank) }
        keys.withUnsafeMutableBufferPointer { k in
            for i in 0..<k.count where k[i] >= 0 { k[i] = remap[Int(k[i])] }
        }
        labels = kept.map { labels[$0] } + [AggregationQuery.otherLabel]
    }
}

/// Final presentation of grouped values: drops labels no row fell into and orders bars.
struct ChartShaper {
    var labels: [String]
    var series: [AggregationResult.Series] = []

    mutating func dropEmptyLabels() {
        let keep = labels.indices.filter { i in series.contains { $0.values[i] != nil } }
        guard keep.count < labels.count else { return }
        labels = keep.map { labels[$0] }
        for s in series.indices { series[s].values = keep.map { series[s].values[$0] } }
    }

    mutating func sortByFirstSeriesDescending() {
        guard let first = series.first else { return }
        let order = labels.indices.sorted { a, b in
            let va = first.values[a] ?? -.infinity, vb = first.values[b] ?? -.infinity
            return va != vb ? va > vb : a < b
        }
        labels = order.map { labels[$0] }
        for s in series.indices { series[s].values = order.map { series[s].values[$0] } }
    }
}
