import Foundation
import LuminaTestSupport
import Testing
@testable import LuminaServer

@Suite("admin job pages") struct AdminJobsPagesTests {
    /// Registers the first account (an admin) through the form and returns the signed-in browser.
    static func adminBrowser(_ client: TestClient) async throws -> (BrowserSession, String) {
        var browser = BrowserSession(client: client)
        let csrf = try #require(BrowserSession.csrfToken(in: try await browser.get("/accounts/register/").text))
        _ = try await browser.post("/accounts/register/", form: ["csrf_token": csrf, "name": "Ada", "email": "ada@example.com",
                                                                 "password": "long enough", "password_confirm": "long enough"])
        let page = try await browser.get("/admin/jobs/")
        return (browser, try #require(BrowserSession.csrfToken(in: page.text)))
    }

    @Test func jobsPageListsJobsAndRunNowShowsTheRunWithItsLog() async throws {
        try await TestServer.run { client in
            var (browser, csrf) = try await Self.adminBrowser(client)
            let page = try await browser.get("/admin/jobs/")
            #expect(page.status == .ok)
            for job in ["data_cleaning", "insights_generation", "report_generation"] {
                #expect(page.text.contains(#"<tr data-job="\#(job)">"#))
                #expect(page.text.contains(#"action="/admin/jobs/\#(job)/run/""#))
            }
            #expect(page.text.contains(TestServer.quietSchedule), "the configured schedule is shown")
            #expect(page.text.contains("No runs yet."))

            // Without the CSRF token the form is refused; with it, the run starts and its page opens.
            #expect(try await browser.post("/admin/jobs/report_generation/run/", form: [:]).status == .forbidden)
            let started = try await browser.post("/admin/jobs/report_generation/run/", form: ["csrf_token": csrf])
            #expect(started.status == .seeOther)
            let location = try #require(started.headers[.location])
            #expect(location.hasPrefix("/admin/jobs/runs/"))
            var runPage = try await browser.get(location)
            let deadline = ContinuousClock.now + .seconds(15)
            while runPage.text.contains("status-running"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                runPage = try await browser.get(location)
            }
            #expect(runPage.status == .ok)
            #expect(runPage.text.contains("status-succeeded"))
            #expect(runPage.text.contains("No scheduled report is due."))
            #expect(runPage.text.contains("manual"))

            let filtered = try await browser.get("/admin/jobs/?job=report_generation&status=succeeded")
            #expect(filtered.text.contains(#"<option value="report_generation" selected>"#))
            #expect(filtered.text.contains(#"data-run-id=""#))
            let none = try await browser.get("/admin/jobs/?job=data_cleaning")
            #expect(none.text.contains("No runs match these filters yet."))
            let bad = try await browser.get("/admin/jobs/?status=finished")
            #expect(bad.text.contains("&#39;status&#39; must be") || bad.text.contains("'status' must be"))
        }
    }

    @Test func nonAdminsAreForbidden() async throws {
        try await TestServer.run { client in
            _ = try await client.registerAndLogin("admin@example.com")
            var browser = BrowserSession(client: client)
            let csrf = try #require(BrowserSession.csrfToken(in: try await browser.get("/accounts/register/").text))
            _ = try await browser.post("/accounts/register/", form: ["csrf_token": csrf, "email": "ana@example.com",
                                                                     "password": "long enough", "password_confirm": "long enough"])
            #expect(try await browser.get("/admin/jobs/").status == .forbidden)
            #expect(try await browser.get("/admin/jobs/runs/1/").status == .forbidden)
        }
    }
}
