import Analytics
import Foundation

/// Any JSON document (filters, widget settings, cleaning reports, pushed events): the server uses
/// the Analytics module's value type, so insights and reports pass through without conversion.
public typealias JSONValue = Analytics.JSONValue

extension Analytics.JSONValue {
    var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    var intValue: Int? { if case .number(let n) = self, n.rounded() == n, abs(n) < 1e15 { Int(n) } else { nil } }
    var objectValue: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }

    /// The element at `index` of an array, nil when out of range or not an array.
    subscript(index: Int) -> JSONValue? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }

    /// Parses JSON text stored in a database column; malformed text reads as null rather than failing a page.
    static func parse(_ text: String?) -> JSONValue {
        guard let text, let data = text.data(using: .utf8) else { return .null }
        return (try? JSONDecoder().decode(JSONValue.self, from: data)) ?? .null
    }

    /// Compact JSON text for storage.
    var jsonText: String {
        let data = (try? JSONEncoder.sortedCompact.encode(self)) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

extension JSONEncoder {
    /// The contract's JSON: ISO 8601 UTC timestamps. Models spell their snake_case keys in `CodingKeys`
    /// because a key strategy would also rewrite the keys of free-form objects such as filters.
    static var lumina: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static var sortedCompact: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension JSONDecoder {
    /// Reads what `JSONEncoder.lumina` wrote (ISO 8601 timestamps).
    static var lumina: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
