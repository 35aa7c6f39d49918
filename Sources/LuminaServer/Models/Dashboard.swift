import Foundation

/// A dashboard as the API returns it.
public struct Dashboard: Codable, Sendable {
    public var id: Int
    public var name: String
    public var description: String
    public var ownerId: Int
    public var version: Int
    public var filters: JSONValue
    public var widgets: [JSONValue]
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, description, version, filters, widgets
        case ownerId = "owner_id", createdAt = "created_at", updatedAt = "updated_at"
    }
}

/// Someone a dashboard is shared with.
public struct DashboardMember: Codable, Sendable, Equatable {
    public enum Role: String, Codable, Sendable { case viewer, editor }
    public var userId: Int
    public var email: String
    public var name: String
    public var role: Role
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case email, name, role
        case userId = "user_id", createdAt = "created_at"
    }
}

/// How the current user relates to a dashboard; decides what they may do with it.
enum DashboardAccess: Sendable, Equatable {
    case owner, editor, viewer, admin

    var canEdit: Bool { self != .viewer }
    var canManage: Bool { self == .owner || self == .admin }
}
