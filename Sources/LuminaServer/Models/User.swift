import Foundation

/// What a signed-in person may do; checked by `Authorization` on every route.
public enum Role: String, Codable, Sendable, CaseIterable {
    case admin, analyst, viewer

    /// Viewers only look at what is shared with them.
    var canCreateContent: Bool { self != .viewer }
}

/// A LuminaBI account.
public struct User: Sendable, Equatable {
    public var id: Int
    public var email: String
    public var name: String
    public var role: Role
    public var passwordHash: String
    public var createdAt: Date
    public var updatedAt: Date

    /// The public shape in the contract: `{"id","email","name","role"}`.
    public var publicView: PublicUser { PublicUser(id: id, email: email, name: name, role: role) }
}

public struct PublicUser: Codable, Sendable, Equatable {
    public var id: Int
    public var email: String
    public var name: String
    public var role: Role
}
