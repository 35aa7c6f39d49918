import Foundation
import Hummingbird

/// A JSON object from a request body, read with a size cap, with per-field validation that
/// collects every problem before answering 422 so a client can fix them all at once.
struct JSONBody {
    private(set) var object: [String: JSONValue]
    private var problems: [String: String] = [:]

    init(_ request: Request, limit: Int) async throws {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw APIError.tooLarge("The request body is larger than \(limit / 1024) KiB.")
        }
        guard buffer.readableBytes > 0 else {
            throw APIError.badRequest("invalid_json", "The request body is empty; send a JSON object.")
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError.badRequest("invalid_json", "The request body is not valid JSON: \(Self.describe(error))")
        }
        guard case .object(let object) = value else {
            throw APIError.badRequest("invalid_json", "The request body must be a JSON object.")
        }
        self.object = object
    }

    mutating func string(_ key: String, required: Bool = true, maxLength: Int = 1000) -> String? {
        switch object[key] {
        case .string(let s)?:
            let trimmed = s.trimmingCharacters(in: .whitespacesAndNewlines)
            if required && trimmed.isEmpty { problems[key] = "This field may not be blank." ; return nil }
            if trimmed.count > maxLength { problems[key] = "Use at most \(maxLength) characters."; return nil }
            return trimmed
        case nil, .null?:
            if required { problems[key] = "This field is required." }
            return nil
        default:
            problems[key] = "Expected a string."
            return nil
        }
    }

    /// Like `string` but keeps surrounding whitespace (passwords).
    mutating func rawString(_ key: String) -> String? {
        switch object[key] {
        case .string(let s)?: return s
        case nil, .null?: problems[key] = "This field is required."; return nil
        default: problems[key] = "Expected a string."; return nil
        }
    }

    mutating func int(_ key: String, required: Bool = true) -> Int? {
        switch object[key] {
        case .number(let n)? where n.rounded() == n && abs(n) < 1e15: return Int(n)
        case nil, .null?:
            if required { problems[key] = "This field is required." }
            return nil
        default:
            problems[key] = "Expected an integer."
            return nil
        }
    }

    mutating func oneOf<T: RawRepresentable>(_ key: String, _ type: T.Type, required: Bool = true) -> T? where T.RawValue == String {
        guard let text = string(key, required: required) else { return nil }
        guard let value = T(rawValue: text) else { problems[key] = "'\(text)' is not one of the allowed values."; return nil }
        return value
    }

    mutating func fail(_ key: String, _ message: String) { problems[key] = message }

    /// Throws 422 with every collected problem.
    func validate() throws {
        if !problems.isEmpty { throw APIError.validation(problems) }
    }

    static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return (context.underlyingError as NSError?)?.localizedDescription ?? context.debugDescription
        }
        return "\(error)"
    }
}

/// A URL-encoded HTML form whose CSRF token has been checked against the session (or, before sign-in,
/// against the double-submit cookie).
struct FormBody {
    let fields: [String: String]

    init(_ request: Request, context: LuminaRequestContext, limit: Int = 64 * 1024) async throws {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw APIError.tooLarge("The form is larger than \(limit / 1024) KiB.")
        }
        fields = Self.parse(String(buffer: buffer))
        let expected = context.identity?.csrfToken ?? context.anonymousCSRFToken
        guard let expected, let sent = fields["csrf_token"], SecureToken.constantTimeEquals(sent, expected) else {
            throw APIError.csrf
        }
    }

    subscript(_ key: String) -> String { fields[key]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }

    static func parse(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            guard let key = parts.first else { continue }
            result[decode(key)] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return result
    }
}
