import Foundation
import Testing
@testable import LuminaServer

@Suite("HTML pages") struct PagesTests {
    @Test func signedOutPageRequestRedirectsToLoginWithNext() async throws {
        try await TestServer.run { client in
            var browser = BrowserSession(client: client)
            let reply = try await browser.get("/datasets/")
            #expect(reply.status == .seeOther)
            #expect(reply.headers[.location] == "/accounts/login/?next=/datasets/")
        }
    }

    @Test func registerSignsInAndShowsTheNavigation() async throws {
        try await TestServer.run { client in
            var browser = BrowserSession(client: client)
            let page = try await browser.get("/accounts/register/")
            let csrf = try #require(BrowserSession.csrfToken(in: page.text))
            let reply = try await browser.post("/accounts/register/", form: [
                "csrf_token": csrf, "name": "Ana", "email": "ana@example.com", "password": "correct horse", "password_confirm": "correct horse",
            ])
            #expect(reply.status == .seeOther)
            #expect(reply.headers[.location] == "/dashboards/")
            let session = try #require(reply.headers[values: .setCookie].first { $0.hasPrefix("lumina_session=") })
            #expect(session.contains("HttpOnly"))
            #expect(session.contains("SameSite=Lax"))
            let list = try await browser.get("/dashboards/")
            #expect(list.status == .ok)
            for item in ["Dashboards", "Datasets", "Reports", "Admin", "Sign out", "No dashboards yet"] {
                #expect(list.text.contains(item), "dashboard list shows \(item)")
            }
        }
    }

    @Test func loginWithWrongPasswordShowsTheError() async throws {
        try await TestServer.run { client in
            _ = try await client.registerAndLogin("ana@example.com")
            var browser = BrowserSession(client: client)
            let csrf = try #require(BrowserSession.csrfToken(in: try await browser.get("/accounts/login/").text))
            let reply = try await browser.post("/accounts/login/", form: ["csrf_token": csrf, "email": "ana@example.com", "password": "wrong one"])
            #expect(reply.status == .unauthorized)
            #expect(reply.text.contains("The email or password is not correct."))
            #expect(reply.text.contains(#"value="ana@example.com""#))
        }
    }

    @Test func loginFollowsLocalNextOnly() async throws {
        try await TestServer.run { client in
            _ = try await client.registerAndLogin("ana@example.com")
            for (next, expected) in [("/datasets/", "/datasets/"), ("https://evil.example/", "/dashboards/"), ("//evil.example", "/dashboards/")] {
                var browser = BrowserSession(client: client)
                let csrf = try #require(BrowserSession.csrfToken(in: try await browser.get("/accounts/login/").text))
                let reply = try await browser.post("/accounts/login/", form: ["csrf_token": csrf, "email": "ana@example.com",
                                                                              "password": "correct horse", "next": next])
                #expect(reply.headers[.location] == expected)
            }
        }
    }

    @Test func formWithoutOrWithWrongCSRFTokenIsRefused() async throws {
        try await TestServer.run { client in
            _ = try await client.registerAndLogin("ana@example.com")
            var browser = BrowserSession(client: client)
            _ = try await browser.get("/accounts/login/")
            let missing = try await browser.post("/accounts/login/", form: ["email": "ana@example.com", "password": "correct horse"])
            #expect(missing.status == .forbidden)
            #expect(missing.text.contains("security token is missing or out of date"))
            let wrong = try await browser.post("/accounts/login/", form: ["csrf_token": "forged", "email": "ana@example.com", "password": "correct horse"])
            #expect(wrong.status == .forbidden)
        }
    }

    @Test func registerFormShowsFieldErrors() async throws {
        try await TestServer.run { client in
            _ = try await client.registerAndLogin("ana@example.com")
            var browser = BrowserSession(client: client)
            let csrf = try #require(BrowserSession.csrfToken(in: try await browser.get("/accounts/register/").text))
            let taken = try await browser.post("/accounts/register/", form: ["csrf_token": csrf, "email": "ana@example.com",
                                                                             "password": "long enough", "password_confirm": "long enough"])
            #expect(taken.status == .conflict)
            #expect(taken.text.contains(#"data-field="email">An account with this email already exists."#))
            let short = try await browser.post("/accounts/register/", form: ["csrf_token": csrf, "email": "new@example.com",
                                                                             "password": "short", "password_confirm": "short"])
            #expect(short.status == .unprocessableContent)
            #expect(short.text.contains(#"data-field="password">Use at least 8 characters."#))
        }
    }

    @Test func sessionAPIWritesNeedTheCSRFHeader() async throws {
        try await TestServer.run { client in
            var browser = BrowserSession(client: client)
            let csrf = try #require(BrowserSession.csrfToken(in: try await browser.get("/accounts/register/").text))
            _ = try await browser.post("/accounts/register/", form: ["csrf_token": csrf, "email": "ana@example.com",
                                                                     "password": "long enough", "password_confirm": "long enough"])
            let page = try await browser.get("/dashboards/")
            let sessionCSRF = try #require(BrowserSession.csrfToken(in: page.text))
            let cookie = browser.cookieHeader
            let without = try await client.request(.post, "/api/v1/dashboards", json: #"{"name":"X"}"#, headers: [.cookie: cookie])
            #expect(without.status == .forbidden)
            #expect(without.errorCode == "csrf_failed")
            let with = try await client.request(.post, "/api/v1/dashboards", json: #"{"name":"X"}"#,
                                                headers: [.cookie: cookie, .init("X-CSRF-Token")!: sessionCSRF])
            #expect(with.status == .created)
        }
    }

    @Test func logoutEndsTheSession() async throws {
        try await TestServer.run { client in
            _ = try await client.registerAndLogin("ana@example.com")
            var browser = BrowserSession(client: client)
            let csrf = try #require(BrowserSession.csrfToken(in: try await browser.get("/accounts/login/").text))
            let login = try await browser.post("/accounts/login/", form: ["csrf_token": csrf, "email": "ana@example.com", "password": "correct horse"])
            let oldCookie = try #require(login.cookies["lumina_session"])
            let sessionCSRF = try #require(BrowserSession.csrfToken(in: try await browser.get("/dashboards/").text))
            let out = try await browser.post("/accounts/logout/", form: ["csrf_token": sessionCSRF])
            #expect(out.headers[.location] == "/accounts/login/")
            // The old cookie, replayed, no longer signs anyone in.
            let replay = try await client.request(.get, "/dashboards/", headers: [.accept: "text/html", .cookie: "lumina_session=\(oldCookie)"])
            #expect(replay.status == .seeOther)
        }
    }

    @Test func dashboardPagesCreateRenameAndShare() async throws {
        try await TestServer.run { client in
            _ = try await client.registerAndLogin("bob@example.com")
            var browser = BrowserSession(client: client)
            let csrf = try #require(BrowserSession.csrfToken(in: try await browser.get("/accounts/register/").text))
            _ = try await browser.post("/accounts/register/", form: ["csrf_token": csrf, "email": "ana@example.com",
                                                                     "password": "long enough", "password_confirm": "long enough"])
            let token = try #require(BrowserSession.csrfToken(in: try await browser.get("/dashboards/").text))
            let created = try await browser.post("/dashboards/", form: ["csrf_token": token, "name": "Revenue <2026>"])
            let location = try #require(created.headers[.location])
            let detail = try await browser.get(location)
            #expect(detail.text.contains("Revenue &lt;2026&gt;"), "names are HTML-escaped")
            let renamed = try await browser.post(location + "rename/", form: ["csrf_token": token, "name": "Revenue", "version": "1"])
            #expect(renamed.status == .seeOther)
            let stale = try await browser.post(location + "rename/", form: ["csrf_token": token, "name": "Other", "version": "1"])
            #expect(stale.status == .conflict)
            #expect(stale.text.contains("Someone else changed this dashboard"))
            let shared = try await browser.post(location + "sharing/", form: ["csrf_token": token, "email": "bob@example.com", "role": "editor"])
            #expect(shared.status == .ok)
            #expect(shared.text.contains("Shared with bob@example.com as editor."))
            let unknown = try await browser.post(location + "sharing/", form: ["csrf_token": token, "email": "nobody@example.com", "role": "viewer"])
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.text.contains("No LuminaBI account uses nobody@example.com"))
        }
    }

    @Test func nonAdminGetsForbiddenOnAdminPage() async throws {
        try await TestServer.run { client in
            _ = try await client.registerAndLogin("admin@example.com")
            var browser = BrowserSession(client: client)
            let csrf = try #require(BrowserSession.csrfToken(in: try await browser.get("/accounts/register/").text))
            _ = try await browser.post("/accounts/register/", form: ["csrf_token": csrf, "email": "ana@example.com",
                                                                     "password": "long enough", "password_confirm": "long enough"])
            let admin = try await browser.get("/admin/")
            #expect(admin.status == .forbidden)
            #expect(admin.text.contains("Only administrators may do this."))
            #expect(!(try await browser.get("/dashboards/").text.contains(#"href="/admin/""#)))
        }
    }

    @Test func unknownRoutesAre404AsHTMLOrJSONByAccept() async throws {
        try await TestServer.run { client in
            let html = try await client.request(.get, "/no/such/page", headers: [.accept: "text/html"])
            #expect(html.status == .notFound)
            #expect(html.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(html.text.contains("Not Found"))
            let json = try await client.request(.get, "/no/such/page", headers: [.accept: "application/json"])
            #expect(json.status == .notFound)
            #expect(json.errorCode == "not_found")
            #expect(try await client.request(.get, "/api/v1/nothing").status == .notFound)
        }
    }
}
