import HummingbirdBcrypt
import NIOPosix

/// bcrypt hashing off the event loops: one hash costs tens to hundreds of milliseconds of CPU,
/// which would stall every connection sharing the loop.
struct PasswordHasher: Sendable {
    /// bcrypt's work factor; 12 in production. Each step doubles the time.
    let cost: UInt8
    static let minimumLength = 8

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
