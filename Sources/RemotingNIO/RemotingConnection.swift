import NIOConcurrencyHelpers
import NIOCore
import RemotingCodec

/// One accepted or opened remoting connection, as processors and managers see it: an identity, the
/// peer address and a way to close it (Java's `Channel` in `RouteInfoManager`, `ConsumerManager`).
public final class RemotingConnection: Sendable, Hashable, CustomStringConvertible {
    private static let nextID = NIOLockedValueBox<UInt64>(0)

    public let id: UInt64
    public let remoteAddress: SocketAddress?
    private let channel: any Channel
    /// A flush is queued on the loop behind the writes of this turn.
    private let flushPending: NIOLoopBoundBox<Bool>
    /// The connection's handler while it is in the pipeline: requests written on the loop go straight to
    /// it (no `NIOAny` box, cast and pipeline walk per request). Absent for a bare channel (tests).
    private let direct: NIOLoopBoundBox<DirectWriter?>

    struct DirectWriter {
        let handler: RemotingConnectionHandler
        let context: ChannelHandlerContext
    }

    public init(channel: any Channel) {
        self.id = Self.nextID.withLockedValue { value in
            value += 1
            return value
        }
        self.channel = channel
        self.remoteAddress = channel.remoteAddress
        // Made off the loop too (a connection object is created wherever a test or handler needs it).
        self.flushPending = NIOLoopBoundBox.makeBoxSendingValue(false, as: Bool.self, eventLoop: channel.eventLoop)
        self.direct = NIOLoopBoundBox.makeBoxSendingValue(nil, as: DirectWriter?.self, eventLoop: channel.eventLoop)
    }

    /// On the loop, by the handler that made this connection.
    func attach(_ handler: RemotingConnectionHandler, context: ChannelHandlerContext) {
        direct.value = DirectWriter(handler: handler, context: context)
    }

    /// On the loop, when the handler leaves (it references this connection: the cycle ends here).
    func detach() {
        direct.value = nil
    }

    /// `ip:port` of the peer, as Java's `RemotingHelper.parseChannelRemoteAddr` prints it.
    public var remoteAddressText: String {
        guard let remoteAddress, let ip = remoteAddress.ipAddress, let port = remoteAddress.port else { return "" }
        return "\(ip):\(port)"
    }

    /// Closes once everything written before is on the wire: a oneway request sent just before
    /// (a producer's last sends, then shutdown) is not dropped with the channel's pending writes.
    public func close() {
        let eventLoop = channel.eventLoop
        guard eventLoop.inEventLoop else {
            eventLoop.execute { self.close() }
            return
        }
        // A pipeline without our handler (a test's embedded channel) closes at once.
        let handled = eventLoop.makePromise(of: Void.self)
        handled.futureResult.whenFailure { _ in self.channel.close(promise: nil) }
        channel.triggerUserOutboundEvent(CloseAfterWrites(), promise: handled)
    }

    /// Sends a request and waits for its response (Java `invokeSync`); fails with
    /// `RemotingError.timeout` or `.connectionClosed`.
    public func send(_ request: RemotingCommand, timeout: TimeAmount = .seconds(3)) async throws -> RemotingCommand {
        // A task running on the connection's loop (an EventLoopTaskExecutor) waits without a promise.
        guard channel.eventLoop.inEventLoop, let direct = direct.value else {
            return try await sendRequest(request, timeout: timeout).get()
        }
        guard channel.isActive else { throw RemotingError.connectionClosed }
        return try await withUnsafeThrowingContinuation { continuation in
            direct.handler.enqueue(request, responder: .continuation(continuation), timeout: timeout, context: direct.context)
            scheduleFlush()
        }
    }

    /// Writes the request now and returns its response to come: requests sent one after another
    /// reach the peer in that order, however their responses are awaited (pipelining).
    public func sendRequest(_ request: RemotingCommand, timeout: TimeAmount = .seconds(3)) -> EventLoopFuture<RemotingCommand> {
        let response = channel.eventLoop.makePromise(of: RemotingCommand.self)
        write(OutboundRequest(command: request, response: response, timeout: timeout))
        return response.futureResult
    }

    /// Sends a oneway request: flag bit 1 set, no response expected (Java `invokeOneway`).
    public func sendOneway(_ request: RemotingCommand) {
        var request = request
        request.flag |= RemotingCommand.onewayFlag
        write(OutboundRequest(command: request, response: nil, timeout: .zero))
    }

    /// Writes now and flushes once for every request queued on the loop meanwhile: many concurrent
    /// senders share one write syscall (and the peer one read) instead of one each. Tasks that run
    /// on the loop itself (NIO as the global executor, a processor) defer the flush the same way:
    /// the requests of the jobs that the last read batch resumed leave in one write.
    private func write(_ request: OutboundRequest) {
        let eventLoop = channel.eventLoop
        if eventLoop.inEventLoop {
            writeAndScheduleFlush(request)
        } else {
            eventLoop.execute { self.writeAndScheduleFlush(request) }
        }
    }

    private func writeAndScheduleFlush(_ request: OutboundRequest) {
        // A closed channel's pipeline no longer reaches the handler that answers pending requests.
        guard channel.isActive else {
            request.response?.fail(RemotingError.connectionClosed)
            return
        }
        if let direct = direct.value {
            direct.handler.enqueue(request.command, responder: request.response.map { .promise($0) }, timeout: request.timeout,
                                   context: direct.context)
        } else {
            channel.write(request, promise: nil)
        }
        scheduleFlush()
    }

    /// Flushes at the end of this loop turn, once for every request written meanwhile.
    private func scheduleFlush() {
        guard !flushPending.value else { return }
        flushPending.value = true
        channel.eventLoop.execute {
            self.flushPending.value = false
            self.channel.flush()
        }
    }

    public var isActive: Bool { channel.isActive }

    /// The loop this connection runs on: futures a processor returns complete best here.
    public var eventLoop: any EventLoop { channel.eventLoop }

    public var description: String { "connection#\(id)(\(remoteAddressText))" }

    public static func == (lhs: RemotingConnection, rhs: RemotingConnection) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}
