extension ChannelConnection {
    /// The outbox as an `AsyncSequence` for the writer: `for await event in connection.outbox { ... }`.
    ///
    /// It ends after yielding `.close(code:reason:)` or when the connection is disconnected.
    /// Single consumer: iterate it from one task only (the socket's writer).
    public var outbox: Outbox { Outbox(connection: self) }

    public struct Outbox: AsyncSequence, Sendable {
        public typealias Element = OutboxEvent
        public typealias Failure = Never

        let connection: ChannelConnection

        public struct AsyncIterator: AsyncIteratorProtocol {
            let connection: ChannelConnection

            public mutating func next() async -> OutboxEvent? {
                await connection.next()
            }

            public mutating func next(isolation actor: isolated (any Actor)?) async -> OutboxEvent? {
                await connection.next()
            }
        }

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(connection: connection)
        }
    }
}
