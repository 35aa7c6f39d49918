import Foundation
import Testing
@testable import Reports

@Suite("PDF documents") struct PDFDocumentTests {
    static func text(ofPDF path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pdftotext")
        process.arguments = [path, "-"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func writesTextThatAPDFReaderExtracts() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString).pdf").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let pdf = try PDFDocument(path: path)
        pdf.text("Weekly revenue", x: 40, y: 60, size: 20, bold: true)
        pdf.rectangle(x: 40, y: 80, width: 200, height: 12, color: (0.31, 0.27, 0.9))
        pdf.newPage()
        pdf.text("Umsatz in München: 1 234 €", x: 40, y: 60)
        #expect(!FileManager.default.fileExists(atPath: path), "nothing at the final path before finish()")
        try pdf.finish()
        let text = try Self.text(ofPDF: path)
        #expect(text.contains("Weekly revenue"))
        #expect(text.contains("Umsatz in München: 1 234 €"))
        #expect(text.contains("\u{0C}"), "two pages")
    }

    @Test func abandonedDocumentLeavesNoFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reports-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let pdf = try PDFDocument(path: directory + "/draft.pdf")
            pdf.text("never finished", x: 10, y: 10)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    @Test func unwritableLocationIsAClearError() {
        #expect(throws: PDFDocument.PDFError.self) { _ = try PDFDocument(path: "/nonexistent-folder/report.pdf") }
    }

    @Test func measuresText() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("m-\(UUID().uuidString).pdf").path
        let pdf = try PDFDocument(path: path)
        #expect(pdf.textWidth("WWWW") > pdf.textWidth("iiii"))
        try pdf.finish()
        try? FileManager.default.removeItem(atPath: path)
    }
}
