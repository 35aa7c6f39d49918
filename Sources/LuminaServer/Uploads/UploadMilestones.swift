/// The progress points the contract promises an uploader: 10, 25, 50, 75 and 100 percent.
enum UploadMilestones {
    static let percents = [10, 25, 50, 75, 100]

    /// Milestones reached or crossed when the received bytes go from `before` to `after` of `total`,
    /// in order: one frame may cross several, and each is reported once.
    static func crossed(from before: Int64, to after: Int64, total: Int64) -> [Int] {
        guard total > 0, after > before else { return [] }
        return percents.filter { percent in
            let threshold = Int64(percent) * total
            return after * 100 >= threshold && before * 100 < threshold
        }
    }
}
