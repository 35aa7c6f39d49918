import Analytics
import Foundation
import LuminaTestSupport
import Testing
@testable import LuminaServer

/// Every real and messy file of the shared corpus, uploaded through the real server with `PUT`:
/// it becomes a dataset with exactly what `lumina analyze` reads (row count, column names and
/// types), or it is refused with the reader's explanation — and then nothing is left behind.
@Suite("upload corpus") struct UploadCorpusTests {
    static let corpus: URL = URL(fileURLWithPath: TestDatabase.repositoryRoot).deletingLastPathComponent()
        .appendingPathComponent("shared/data")

    static func files() throws -> [String] {
        var files: [String] = []
        for folder in ["real", "messy", "messy/csv-spectrum"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: corpus.appendingPathComponent(folder).path)
            files += names.filter { [".csv", ".tsv", ".psv"].contains(where: $0.hasSuffix) }.sorted().map { "\(folder)/\($0)" }
        }
        return files
    }

    @Test func everyCorpusFileBecomesTheDatasetAnalyticsReadsOrIsRefusedCleanly() async throws {
        try await TestServer.run(configure: { $0.cleanAfterUpload = false }) { client in
            let ana = try await client.registerAndLogin("ana@example.com")
            var stored = 0
            var refused = 0
            for file in try Self.files() {
                let url = Self.corpus.appendingPathComponent(file)
                let bytes = [UInt8](try Data(contentsOf: url))
                let expected: Result<ReadResult, CSVError>
                do { expected = .success(try CSVDatasetReader.read(fileAt: url)) } catch let error as CSVError { expected = .failure(error) }
                let name = url.lastPathComponent
                guard !bytes.isEmpty else {
                    let empty = try await client.request(.post, "/api/v1/uploads", json: #"{"filename":"\#(name)","size":0}"#, token: ana.token)
                    #expect(empty.status == .unprocessableContent, "\(file)")
                    refused += 1
                    continue
                }
                let id = try await UploadsTests.createUpload(client, token: ana.token, filename: name, size: bytes.count)
                let response = try await client.client.executeRequest(
                    uri: "/api/v1/uploads/\(id)", method: .put,
                    headers: [.authorization: "Bearer \(ana.token)", .accept: "application/json"], body: .init(bytes: bytes))
                let json = JSONValue.parse(String(buffer: response.body))
                switch expected {
                case .success(let read) where read.table.columns.count > IngestService.maxColumns:
                    #expect(response.status == .unprocessableContent, "\(file): \(response.status)")
                    #expect(json["error"]?["code"]?.stringValue == "too_many_columns", "\(file)")
                    refused += 1
                case .success(let read):
                    #expect(response.status == .created, "\(file): \(response.status) \(json)")
                    #expect(json["raw_row_count"]?.intValue == read.rawRowCount, "\(file)")
                    #expect(json["row_count"]?.intValue == read.table.rowCount, "\(file)")
                    let columns = json["columns"]?.arrayValue ?? []
                    #expect(columns.compactMap { $0["name"]?.stringValue } == read.table.columns.map(\.name), "\(file)")
                    #expect(columns.compactMap { $0["type"]?.stringValue } == read.table.columns.map(\.type.rawValue), "\(file)")
                    // What the reader worked around is kept with the dataset and shown.
                    let warnings = json["read"]?["warnings"]?.arrayValue ?? []
                    #expect(warnings.compactMap { $0["code"]?.stringValue } == read.warnings.map(\.code), "\(file)")
                    #expect(json["read"]?["encoding"]?.stringValue == read.encoding.rawValue, "\(file)")
                    if let datasetID = json["id"]?.intValue {
                        let rows = try await client.request(.get, "/api/v1/datasets/\(datasetID)/rows?limit=1000", token: ana.token)
                        #expect(rows.json["total"]?.intValue == read.table.rowCount, "\(file)")
                        // The first row reads back exactly as the reader typed it.
                        if read.table.rowCount > 0, let first = rows.json["rows"]?[0]?.arrayValue {
                            // NUL cannot be stored in a database text column: it reads back as U+FFFD.
                            let expectedFirst = read.table.columns.map { $0.string(at: 0)?.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") }
                            #expect(first.map(Self.text) == expectedFirst, "\(file)")
                        }
                    }
                    stored += 1
                case .failure(let error):
                    #expect(response.status == .unprocessableContent, "\(file): \(response.status)")
                    #expect(json["error"]?["code"]?.stringValue == error.code, "\(file)")
                    #expect(json["error"]?["message"]?.stringValue?.contains(name) == true, "\(file)")
                    refused += 1
                }
            }
            #expect(stored >= 30, "stored \(stored), refused \(refused)")
            // Refusals left no dataset, table or file behind: only the stored ones exist.
            let list = try await client.request(.get, "/api/v1/datasets?limit=1000", token: ana.token)
            #expect(list.json["count"]?.intValue == stored)
            let uploads = client.services.configuration.dataDirectory + "/uploads"
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: uploads)) ?? []).isEmpty)
            #expect(try await client.services.tables.allDatasetTables().count == stored)
        }
    }

    /// How a stored cell reads as text, to compare with `Column.string(at:)`.
    static func text(_ value: JSONValue) -> String? {
        switch value {
        case .null: nil
        case .string(let s): s
        case .bool(let b): b ? "true" : "false"
        case .number(let n): n.rounded() == n && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        default: "\(value)"
        }
    }

    @Test func theDatasetPageSaysWhatReadingTheFileWorkedAround() async throws {
        try await TestServer.run(configure: { $0.cleanAfterUpload = false }) { client in
            let ana = try await client.registerAndLogin("ana@example.com")
            // scikit-learn's iris.csv: its first row is a note (150,4,setosa,…), not column names.
            let bytes = [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent("real/sklearn-iris.csv")))
            let id = try await UploadsTests.createUpload(client, token: ana.token, filename: "iris.csv", size: bytes.count)
            let response = try await client.client.executeRequest(
                uri: "/api/v1/uploads/\(id)", method: .put,
                headers: [.authorization: "Bearer \(ana.token)", .accept: "application/json"], body: .init(bytes: bytes))
            let dataset = try #require(JSONValue.parse(String(buffer: response.body))["id"]?.intValue)
            var browser = BrowserSession(client: client)
            let csrf = try #require(BrowserSession.csrfToken(in: try await browser.get("/accounts/login/").text))
            _ = try await browser.post("/accounts/login/", form: ["csrf_token": csrf, "email": "ana@example.com", "password": "correct horse"])
            let page = try await browser.get("/datasets/\(dataset)/")
            #expect(page.status == .ok)
            #expect(page.text.contains("Reading the file"))
            #expect(page.text.contains("2 of them are numbers (150, 4)"), "\(page.text)")
        }
    }
}
