import Logging
import MessageStore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The slave's end of replication (Java `HAService.HAClient`): connects to the master's HA address, reports
/// its commit log's max offset at once, after every batch it appends and at least every
/// `haSendHeartbeatInterval`, and appends what the master streams at exactly the offsets it names. When the
/// connection drops, goes silent for `haHousekeepingInterval`, or the master's offset disagrees with the log's
/// end, it reconnects (and the first report tells the master where to resume).
public final class HAClient: Sendable {
    private struct State {
        var masterAddress: String?
        var channel: (any Channel)?
        /// Set by the task's cancellation: a connection that completes afterwards is closed at once (else
        /// ``run()`` would wait on it until the master drops it).
        var cancelled = false
    }

    private let store: LocalFileMessageStore
    private let settings: HASettings
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    /// Wakes ``run()`` when the master address changes.
    private let addressChanges: AsyncStream<Void>
    private let addressChanged: AsyncStream<Void>.Continuation
    /// Between two connection attempts (Java waits 5 s; a slave should catch up soon after a restart).
    public static let reconnectDelay: TimeAmount = .seconds(1)

    public init(
        store: LocalFileMessageStore, masterAddress: String? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) {
        self.store = store
        self.settings = HASettings(store.config)
        self.group = group
        self.logger = logger
        (self.addressChanges, self.addressChanged) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.state.withLockedValue { $0.masterAddress = masterAddress }
    }

    /// The master's HA address (`host:port`).
    public var masterAddress: String? {
        self.state.withLockedValue { $0.masterAddress }
    }

    /// Java `updateMasterAddress`: a new address closes the current connection; the next one goes there.
    public func updateMasterAddress(_ address: String?) {
        let (changed, previous) = self.state.withLockedValue { state -> (Bool, (any Channel)?) in
            guard state.masterAddress != address else { return (false, nil) }
            state.masterAddress = address
            defer { state.channel = nil }
            return (true, state.channel)
        }
        guard changed else { return }
        previous?.close(promise: nil)
        self.logger.info("master HA address updated", metadata: ["haMasterAddress": "\(address ?? "none")"])
        self.addressChanged.yield()
    }

    /// Whether a connection to the master is open.
    public var isConnected: Bool {
        self.state.withLockedValue { $0.channel?.isActive ?? false }
    }

    /// Connects, follows the master until the connection ends, and starts over, until the task is cancelled.
    public func run() async {
        await withTaskCancellationHandler {
            // Warn once per run of failed attempts, not every second.
            var failing = false
            while !Task.isCancelled {
                guard let address = self.masterAddress else {
                    // Nothing to connect to until registration (or the operator) names a master.
                    for await _ in self.addressChanges { break }
                    continue
                }
                do {
                    let channel = try await self.connect(to: address)
                    failing = false
                    try? await channel.closeFuture.get()
                    self.state.withLockedValue { if $0.channel === channel { $0.channel = nil } }
                    self.logger.info("HA connection to the master closed", metadata: ["master": "\(address)"])
                } catch {
                    let metadata: Logger.Metadata = ["master": "\(address)", "error": "\(error)"]
                    if failing {
                        self.logger.debug("cannot connect to the master's HA port", metadata: metadata)
                    } else {
                        self.logger.warning("cannot connect to the master's HA port; retrying every second", metadata: metadata)
                    }
                    failing = true
                }
                guard !Task.isCancelled else { break }
                try? await Task.sleep(for: .nanoseconds(Self.reconnectDelay.nanoseconds))
            }
        } onCancel: {
            self.addressChanged.finish()
            let channel = self.state.withLockedValue { state in
                state.cancelled = true
                return state.channel
            }
            channel?.close(promise: nil)
        }
    }

    private func connect(to address: String) async throws -> any Channel {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw HAClientError.badAddress(address)
        }
        let host = String(address[..<colon])
        let store = self.store
        let settings = self.settings
        let logger = self.logger
        let channel = try await ClientBootstrap(group: self.group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(3))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HAClientHandler(store: store, settings: settings, logger: logger))
                }
            }
            .connect(host: host, port: port).get()
        let current = self.state.withLockedValue { state -> Bool in
            guard state.masterAddress == address, !state.cancelled else { return false }
            state.channel = channel
            return true
        }
        if !current { try? await channel.close() }
        self.logger.info("connected to the master's HA port", metadata: ["master": "\(address)"])
        return channel
    }
}

public enum HAClientError: Error, Hashable, Sendable {
    case badAddress(String)
}

/// The slave's connection handler: reports, appends, watches for silence.
final class HAClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let store: LocalFileMessageStore
    private let settings: HASettings
    private let logger: Logger
    private let decoder = HATransferDecoder()
    private var received = ByteBuffer()
    private var reportedOffset: Int64 = -1
    private var lastReadNanos: UInt64 = 0
    private var lastReportNanos: UInt64 = 0
    private var timer: RepeatedTask?

    init(store: LocalFileMessageStore, settings: HASettings, logger: Logger) {
        self.store = store
        self.settings = settings
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        self.lastReadNanos = NIODeadline.now().uptimeNanoseconds
        self.report(context: context, force: true)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let tick = min(TimeAmount.seconds(1), self.settings.heartbeatInterval)
        self.timer = context.eventLoop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in
            handler.value.housekeep(context: boundContext.value)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = self.unwrapInboundIn(data)
        self.received.writeBuffer(&bytes)
        self.lastReadNanos = NIODeadline.now().uptimeNanoseconds
        do {
            while let transfer = try self.decoder.decode(&self.received) {
                guard self.apply(transfer) else {
                    context.close(promise: nil)
                    return
                }
            }
        } catch {
            self.logger.warning("malformed HA transfer from the master; reconnecting", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        self.received.discardReadBytes()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // One report per read batch that moved the log's end.
        self.report(context: context, force: false)
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.logger.debug("HA connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// Checks that the transfer continues the log (unless the log is empty) and appends it.
    private func apply(_ transfer: HATransfer) -> Bool {
        let end = self.store.maxPhysicalOffset
        if end != 0 && end != transfer.physicalOffset {
            self.logger.error("master's offset differs from the slave's; reconnecting", metadata: [
                "masterPhyOffset": "\(transfer.physicalOffset)", "slavePhyOffset": "\(end)",
            ])
            return false
        }
        guard !transfer.isHeartbeat else { return true }
        let result = self.store.appendToCommitLog(at: transfer.physicalOffset, data: transfer.body)
        guard result == .appended else {
            self.logger.error("cannot append replicated data; reconnecting", metadata: [
                "offset": "\(transfer.physicalOffset)", "result": "\(result)",
            ])
            return false
        }
        return true
    }

    private func housekeep(context: ChannelHandlerContext) {
        let now = NIODeadline.now().uptimeNanoseconds
        if now - self.lastReadNanos > UInt64(self.settings.housekeepingInterval.nanoseconds) {
            self.logger.warning("master silent too long; reconnecting")
            context.close(promise: nil)
            return
        }
        self.report(context: context, force: now - self.lastReportNanos >= UInt64(self.settings.heartbeatInterval.nanoseconds))
    }

    /// Sends the log's end when it moved (or when `force`).
    private func report(context: ChannelHandlerContext, force: Bool) {
        let offset = self.store.maxPhysicalOffset
        guard force || offset > self.reportedOffset else { return }
        var buffer = context.channel.allocator.buffer(capacity: HASlaveReport.size)
        HASlaveReport(maxOffset: offset).encode(into: &buffer)
        context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
        self.reportedOffset = offset
        self.lastReportNanos = NIODeadline.now().uptimeNanoseconds
    }
}
