import Logging
import MessageStore
import NIOCore
import Synchronization

/// One slave on the master (Java `HAConnection`, its read and write services in one handler on the channel's
/// event loop). It reads the slave's 8-byte offset reports; the first decides where streaming starts (0: the
/// start of the master's last segment). It then streams commit-log bytes in transfers of at most
/// `haTransferBatchSize`, pushed as soon as a put lands (the store's data listener), else found by a poll every
/// 100 ms; a heartbeat goes out after `haSendHeartbeatInterval` without data, and the very first transfer is one.
/// A slave silent for `haHousekeepingInterval`, or sending a negative offset, is disconnected.
final class HAConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let store: LocalFileMessageStore
    private let settings: HASettings
    private let logger: Logger
    private var received = ByteBuffer()
    /// Where streaming goes on from; -1 until the first report (Java `nextTransferFromWhere`).
    private var nextTransferFromWhere: Int64 = -1
    /// The slave's last report (Java `slaveAckOffset`).
    private var slaveAckOffset: Int64 = -1
    private var lastReadNanos: UInt64 = 0
    /// 0 until the first transfer: the first one is a heartbeat.
    private var lastWriteNanos: UInt64 = 0
    private var counted = false
    private var poll: RepeatedTask?
    private var listenerID: Int?
    /// Whether a push is queued on the event loop already (puts on other threads coalesce into it).
    private let pushQueued = PushFlag()

    init(store: LocalFileMessageStore, settings: HASettings, logger: Logger) {
        self.store = store
        self.settings = settings
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        self.counted = true
        self.store.groupTransfer.slaveConnected()
        self.lastReadNanos = NIODeadline.now().uptimeNanoseconds
        self.logger.info("slave connected", metadata: ["remote": "\(context.remoteAddress.map { "\($0)" } ?? "?")"])
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        let boundContext = NIOLoopBound(context, eventLoop: loop)
        let flag = self.pushQueued
        self.listenerID = self.store.groupTransfer.addDataListener {
            guard flag.queue() else { return }
            loop.execute {
                flag.clear()
                handler.value.transfer(context: boundContext.value)
            }
        }
        self.poll = loop.scheduleRepeatedTask(initialDelay: self.settings.pollInterval, delay: self.settings.pollInterval) { _ in
            handler.value.housekeep(context: boundContext.value)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.stop()
        self.logger.info("slave disconnected", metadata: ["slaveAckOffset": "\(self.slaveAckOffset)"])
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.stop()
    }

    private func stop() {
        self.poll?.cancel()
        self.poll = nil
        if let id = self.listenerID {
            self.store.groupTransfer.removeDataListener(id)
            self.listenerID = nil
        }
        if self.counted {
            self.counted = false
            self.store.groupTransfer.slaveDisconnected()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = self.unwrapInboundIn(data)
        self.received.writeBuffer(&bytes)
        self.lastReadNanos = NIODeadline.now().uptimeNanoseconds
        // Java acts on the last whole report of a read only; the others add nothing (offsets only grow).
        var last: Int64?
        do {
            while let report = try HASlaveReport.decode(&self.received) { last = report.maxOffset }
        } catch {
            self.logger.warning("malformed slave report; closing", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        self.received.discardReadBytes()
        guard let offset = last else { return }
        self.slaveAckOffset = offset
        if self.nextTransferFromWhere < 0 {
            self.nextTransferFromWhere = self.startOffset(report: offset)
            self.logger.info("slave requested data", metadata: [
                "slaveRequestOffset": "\(offset)", "nextTransferFromWhere": "\(self.nextTransferFromWhere)",
            ])
        }
        self.store.groupTransfer.slaveAcknowledged(offset: offset)
        self.transfer(context: context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { self.transfer(context: context) }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.logger.debug("HA connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// Report 0: the start of the last segment (a new slave does not get the whole history); else the offset.
    private func startOffset(report: Int64) -> Int64 {
        guard report == 0 else { return report }
        let max = self.store.maxPhysicalOffset
        return max - max % Int64(self.settings.mappedFileSizeCommitLog)
    }

    private func housekeep(context: ChannelHandlerContext) {
        let now = NIODeadline.now().uptimeNanoseconds
        if now - self.lastReadNanos > UInt64(self.settings.housekeepingInterval.nanoseconds) {
            self.logger.warning("slave silent too long; closing", metadata: ["slaveAckOffset": "\(self.slaveAckOffset)"])
            context.close(promise: nil)
            return
        }
        self.transfer(context: context)
    }

    /// Sends what the commit log holds past ``nextTransferFromWhere`` while the channel is writable, or a
    /// heartbeat when nothing was sent for `haSendHeartbeatInterval`.
    private func transfer(context: ChannelHandlerContext) {
        guard self.nextTransferFromWhere >= 0, context.channel.isActive else { return }
        let now = NIODeadline.now().uptimeNanoseconds
        var wrote = false
        if self.lastWriteNanos == 0 || now - self.lastWriteNanos > UInt64(self.settings.heartbeatInterval.nanoseconds) {
            var header = context.channel.allocator.buffer(capacity: HATransfer.headerSize)
            HATransfer.encodeHeader(physicalOffset: self.nextTransferFromWhere, bodySize: 0, into: &header)
            context.write(self.wrapOutboundOut(header), promise: nil)
            wrote = true
        }
        while context.channel.isWritable,
            let data = self.store.commitLogData(from: self.nextTransferFromWhere, maxSize: self.settings.transferBatchSize)
        {
            var header = context.channel.allocator.buffer(capacity: HATransfer.headerSize)
            HATransfer.encodeHeader(physicalOffset: self.nextTransferFromWhere, bodySize: Int32(data.readableBytes), into: &header)
            context.write(self.wrapOutboundOut(header), promise: nil)
            context.write(self.wrapOutboundOut(data), promise: nil)
            self.nextTransferFromWhere += Int64(data.readableBytes)
            wrote = true
        }
        if wrote {
            self.lastWriteNanos = now
            context.flush()
        }
    }
}

/// A set-once-until-cleared flag shared with the put threads.
final class PushFlag: Sendable {
    private let queued = Atomic<Bool>(false)

    /// True when the caller should queue the push (it was not queued yet).
    func queue() -> Bool {
        !self.queued.exchange(true, ordering: .acquiringAndReleasing)
    }

    func clear() {
        self.queued.store(false, ordering: .releasing)
    }
}
