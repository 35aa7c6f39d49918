import Testing
@testable import Realtime

@Suite struct JSONValueTests {
    @Test func roundTripsNestedValues() throws {
        let text = #"{"type":"filter_change","filters":{"region":["EU","US"],"min":-1.5,"n":42,"ok":true,"none":null}}"#
        let value = try JSONValue(parsing: text)
        #expect(value["filters"]?["n"] == .integer(42))
        #expect(value["filters"]?["min"] == .double(-1.5))
        #expect(value["filters"]?["none"] == .null)
        let again = try JSONValue(parsing: value.encoded())
        #expect(again == value)
    }

    @Test func writesTypeFirstAndOtherKeysSorted() {
        let value: JSONValue = ["b": 1, "type": "x", "a": 2]
        #expect(String(decoding: value.encoded(), as: UTF8.self) == #"{"type":"x","a":2,"b":1}"#)
    }

    @Test func escapesAndUnescapesStrings() throws {
        let original = "quote \" backslash \\ newline \n tab \t bell \u{07} é 😀"
        let encoded = JSONValue.string(original).encoded()
        #expect(try JSONValue(parsing: encoded) == .string(original))
        #expect(try JSONValue(parsing: #""\u00e9\ud83d\ude00""#) == .string("é😀"))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"abc", "tru", "{} x", "\"\\ud800\"", "\"a\u{01}\""])
    func rejectsMalformedJSON(_ text: String) {
        #expect(throws: ChannelError.self) { try JSONValue(parsing: text) }
    }

    @Test func rejectsNestingBeyondTheLimit() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: ChannelError.self) { try JSONValue(parsing: deep) }
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONValue(parsing: fine) }
    }

    @Test func writesNonFiniteDoublesAsNull() {
        #expect(JSONValue.array([.double(.nan), .double(.infinity)]).encoded() == Array("[null,null]".utf8))
    }
}
