import Foundation
import Testing
@testable import LuminaServer

@Suite("Accounts API") struct AccountsAPITests {
    @Test func firstAccountBecomesAdminAndLaterOnesAreAnalysts() async throws {
        try await TestServer.run { client in
            let first = try await client.registerAndLogin("boss@example.com")
            let second = try await client.registerAndLogin("ana@example.com")
            #expect(first.role == "admin")
            #expect(second.role == "analyst")
            let me = try await client.request(.get, "/api/v1/auth/me", token: second.token)
            #expect(me.status == .ok)
            #expect(me.json["email"]?.stringValue == "ana@example.com")
        }
    }

    @Test func registerAnswersWithThePublicUserObject() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.post, "/api/v1/auth/register",
                                                 json: #"{"email":"Mixed.Case@Example.com","password":"long enough","name":"Mia"}"#)
            #expect(reply.status == .created)
            #expect(reply.json["email"]?.stringValue == "mixed.case@example.com")
            #expect(reply.json["name"]?.stringValue == "Mia")
            #expect(reply.json["password_hash"] == nil)
            #expect(reply.json["id"] != nil)
        }
    }

    @Test func duplicateEmailIsAConflict() async throws {
        try await TestServer.run { client in
            _ = try await client.registerAndLogin("ana@example.com")
            let again = try await client.request(.post, "/api/v1/auth/register", json: #"{"email":"ANA@example.com","password":"whatever123"}"#)
            #expect(again.status == .conflict)
            #expect(again.errorCode == "email_taken")
        }
    }

    @Test func shortPasswordAndBadEmailAreValidationErrorsPerField() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.post, "/api/v1/auth/register", json: #"{"email":"not-an-email","password":"short"}"#)
            #expect(reply.status == .unprocessableContent)
            #expect(reply.errorCode == "validation_error")
            #expect(reply.json["error"]?["details"]?["password"]?.stringValue?.contains("8 characters") == true)
            #expect(reply.json["error"]?["details"]?["email"] != nil)
        }
    }

    @Test func missingFieldsAreNamed() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.post, "/api/v1/auth/token", json: #"{"email":"a@b.co"}"#)
            #expect(reply.status == .unprocessableContent)
            #expect(reply.json["error"]?["details"]?["password"]?.stringValue == "This field is required.")
        }
    }

    @Test func malformedJSONIsABadRequest() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.post, "/api/v1/auth/token", json: #"{"email": "#)
            #expect(reply.status == .badRequest)
            #expect(reply.errorCode == "invalid_json")
            #expect(reply.errorMessage?.hasPrefix("The request body is not valid JSON") == true)
        }
    }

    @Test func oversizedBodyIsRefused() async throws {
        try await TestServer.run(configure: { $0.maxBodySize = 1024 }) { client in
            let big = #"{"email":"a@b.co","password":""# + String(repeating: "x", count: 4000) + #""}"#
            let reply = try await client.request(.post, "/api/v1/auth/token", json: big)
            #expect(reply.status == .contentTooLarge)
            #expect(reply.errorCode == "too_large")
        }
    }

    @Test func wrongPasswordAndUnknownEmailGetTheSameAnswer() async throws {
        try await TestServer.run { client in
            _ = try await client.registerAndLogin("ana@example.com")
            let wrong = try await client.request(.post, "/api/v1/auth/token", json: #"{"email":"ana@example.com","password":"nope nope"}"#)
            let unknown = try await client.request(.post, "/api/v1/auth/token", json: #"{"email":"who@example.com","password":"nope nope"}"#)
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(wrong.errorCode == "invalid_credentials")
            #expect(wrong.text == unknown.text)
        }
    }

    @Test func revokedTokenNoLongerWorks() async throws {
        try await TestServer.run { client in
            let ana = try await client.registerAndLogin("ana@example.com")
            #expect(try await client.request(.get, "/api/v1/dashboards", token: ana.token).status == .ok)
            #expect(try await client.request(.delete, "/api/v1/auth/token", token: ana.token).status == .noContent)
            let after = try await client.request(.get, "/api/v1/dashboards", token: ana.token)
            #expect(after.status == .unauthorized)
            #expect(after.errorCode == "invalid_token")
        }
    }

    @Test func expiredTokenAndExpiredSessionAreRefused() async throws {
        try await TestServer.run(configure: { $0.sessionTTL = -60 }) { client in
            let ana = try await client.registerAndLogin("ana@example.com")
            let (expired, _) = try await client.services.tokens.create(userID: ana.id, name: "old", expiresAt: Date().addingTimeInterval(-1))
            let reply = try await client.request(.get, "/api/v1/dashboards", token: expired)
            #expect(reply.status == .unauthorized)
            #expect(reply.errorCode == "invalid_token")
            // Sessions created with a lifetime already over sign nobody in.
            var browser = BrowserSession(client: client)
            let csrf = try #require(BrowserSession.csrfToken(in: try await browser.get("/accounts/login/").text))
            let login = try await browser.post("/accounts/login/", form: ["csrf_token": csrf, "email": "ana@example.com", "password": "correct horse"])
            #expect(login.status == .seeOther)
            #expect(try await browser.get("/dashboards/").status == .seeOther, "an expired session redirects to sign-in")
        }
    }

    @Test func unknownTokenIsUnauthorized() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.get, "/api/v1/datasets", token: "lum_forged")
            #expect(reply.status == .unauthorized)
            #expect(reply.errorMessage?.contains("unknown, expired or revoked") == true)
        }
    }

    @Test func repeatedFailuresAreRateLimitedWithRetryAfter() async throws {
        try await TestServer.run(configure: { $0.loginLimits.perAccount = 3 }) { client in
            _ = try await client.registerAndLogin("ana@example.com")
            for _ in 0..<3 {
                let reply = try await client.request(.post, "/api/v1/auth/token", json: #"{"email":"ana@example.com","password":"guess guess"}"#)
                #expect(reply.status == .unauthorized)
            }
            let blocked = try await client.request(.post, "/api/v1/auth/token", json: #"{"email":"ana@example.com","password":"correct horse"}"#)
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.errorCode == "rate_limited")
            #expect(blocked.errorMessage?.contains("Too many failed sign-in attempts for this account") == true)
            #expect(Int(blocked.headers[.retryAfter] ?? "") ?? 0 > 0)
        }
    }

    @Test func guessingAcrossAccountsFromOneAddressIsRateLimited() async throws {
        try await TestServer.run(configure: { $0.loginLimits.perAddress = 4 }) { client in
            for n in 0..<4 {
                let reply = try await client.request(.post, "/api/v1/auth/token", json: #"{"email":"user\#(n)@example.com","password":"guess guess"}"#)
                #expect(reply.status == .unauthorized)
            }
            let blocked = try await client.request(.post, "/api/v1/auth/token", json: #"{"email":"other@example.com","password":"guess guess"}"#)
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.errorMessage?.contains("from your network address") == true)
        }
    }

    @Test func signedOutAPIRequestIsUnauthorized() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.get, "/api/v1/dashboards")
            #expect(reply.status == .unauthorized)
            #expect(reply.errorCode == "not_authenticated")
        }
    }
}
