import Analytics
import NIOCore
import Testing
@testable import LuminaServer

/// The digit-by-digit writers of dates, timestamps and integers against their plain definitions.
@Suite("dataset cell formats") struct DatasetCellFormatTests {
    /// The definition the writers must match: ISO date, then the time of day with two digits per field.
    static func reference(seconds: Int64, separator: String, zone: String) -> String {
        let days = DatasetCellFormat.floorDays(seconds)
        let rest = Int(seconds - days * 86_400)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return CivilDate(days: Int(days)).isoString + separator + two(rest / 3600) + ":" + two(rest / 60 % 60) + ":" + two(rest % 60) + zone
    }

    static var sampleDays: [Int] {
        let edges = [DatasetCellFormat.minDays, DatasetCellFormat.maxDays, 0, -1, 1, 11_016, 19_782, -719_528]
        return edges + Array(stride(from: DatasetCellFormat.minDays, through: DatasetCellFormat.maxDays, by: 9_973))
    }

    @Test func datesMatchTheISOFormEverywhereInRangeAndOutside() {
        for days in Self.sampleDays + [DatasetCellFormat.minDays - 400_000, DatasetCellFormat.maxDays + 1, DatasetCellFormat.maxDays + 5_000_000] {
            #expect(DatasetCellFormat.date(days: days) == CivilDate(days: days).isoString, "days \(days)")
        }
    }

    @Test func timestampsMatchTheirDefinitionIncludingBefore1970() {
        var samples: [Int64] = [0, -1, 59, 86_399, 86_400, -86_400, -86_401, 1_700_000_000, Int64(DatasetCellFormat.maxDays) * 86_400 + 86_399,
                                Int64(DatasetCellFormat.minDays) * 86_400, Int64(DatasetCellFormat.maxDays + 3) * 86_400 + 7]
        samples += Self.sampleDays.map { Int64($0) * 86_400 + Int64(($0 &* 7_919) % 86_400 + 86_400) % 86_400 }
        for seconds in samples {
            #expect(DatasetCellFormat.datetime(seconds: seconds) == Self.reference(seconds: seconds, separator: "T", zone: "Z"))
            #expect(DatasetCellFormat.postgresTimestamp(seconds: seconds) == Self.reference(seconds: seconds, separator: " ", zone: "+00"))
        }
    }

    @Test func decimalsAreWrittenLikeSwiftPrintsThem() {
        var samples: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, 12_345, -987_654_321, .max, .min, .max - 1, .min + 1]
        var power: Int64 = 1
        for _ in 0..<19 {
            samples += [power, power - 1, -power, 1 - power]
            power = power > Int64.max / 10 ? power : power * 10
        }
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        for value in samples {
            buffer.clear()
            buffer.writeString("x")
            CopyCellEncoder.writeDecimal(value, into: &buffer)
            #expect(buffer.readString(length: buffer.readableBytes) == "x\(value)")
        }
    }
}
