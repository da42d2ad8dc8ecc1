import Logging
import NIOCore
import RemotingCodec

/// A request this side sends on a connection (broker → client, client → server). The handler gives
/// it the connection's next opaque; `response` is nil for a oneway request.
public struct OutboundRequest: Sendable {
    public var command: RemotingCommand
    public var response: EventLoopPromise<RemotingCommand>?
    public var timeout: TimeAmount

    public init(command: RemotingCommand, response: EventLoopPromise<RemotingCommand>?, timeout: TimeAmount) {
        self.command = command
        self.response = response
        self.timeout = timeout
    }
}

/// Asks the handler to close its channel once the frames written before are on the wire.
struct CloseAfterWrites: Sendable {}

/// Why a request of ours got no response.
public enum RemotingError: Error, Equatable, Sendable {
    case timeout(opaque: Int32)
    case connectionClosed
}

/// Decodes frames, dispatches requests to processors and writes their responses, flushing once per
/// read batch (Java `NettyRemotingAbstract.processRequestCommand`); sends our own requests and
/// matches their responses by opaque (Java's `responseTable`). Commands never travel the pipeline
/// as `NIOAny`: the handler owns the decoder.
final class RemotingConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = Never
    typealias OutboundIn = OutboundRequest
    typealias OutboundOut = ByteBuffer

    /// Who waits for a response: a promise (requests written through the pipeline) or a suspended task
    /// (``RemotingConnection/send(_:timeout:)`` on the connection's loop).
    enum Responder {
        case promise(EventLoopPromise<RemotingCommand>)
        case continuation(UnsafeContinuation<RemotingCommand, any Error>)

        func succeed(_ response: RemotingCommand) {
            switch self {
            case .promise(let promise): promise.succeed(response)
            case .continuation(let continuation): continuation.resume(returning: response)
            }
        }

        func fail(_ error: RemotingError) {
            switch self {
            case .promise(let promise): promise.fail(error)
            case .continuation(let continuation): continuation.resume(throwing: error)
            }
        }
    }

    private struct PendingRequest {
        var responder: Responder
        var deadline: NIODeadline
    }

    private var pending: [Int32: PendingRequest] = [:]
    /// Fails expired requests every 100 ms while any is pending (Java scans its response table every
    /// second): cheaper than a scheduled task per request at tens of thousands of requests a second.
    private var sweep: RepeatedTask?
    private static let sweepInterval: TimeAmount = .milliseconds(100)
    private var nextOpaque: Int32 = 0

    private let processors: RequestProcessorTable
    private let logger: Logger
    private var decoder: NIOSingleStepByteToMessageProcessor<RemotingFrameByteDecoder>
    private(set) var connection: RemotingConnection?
    private var needsFlush = false
    private var reading = false
    /// Frames written since the last flush, encoded back to back: one buffer (and one write) per
    /// flush instead of one per frame.
    private var outbound: ByteBuffer?

    init(processors: RequestProcessorTable, maximumFrameLength: Int, logger: Logger) {
        self.processors = processors
        self.logger = logger
        self.decoder = NIOSingleStepByteToMessageProcessor(RemotingFrameByteDecoder(maximumFrameLength: maximumFrameLength))
    }

    func channelActive(context: ChannelHandlerContext) {
        let connection = RemotingConnection(channel: context.channel)
        connection.attach(self, context: context)
        self.connection = connection
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        connection?.detach()
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection?.detach()
        let failed = pending
        pending.removeAll()
        sweep?.cancel()
        sweep = nil
        for request in failed.values {
            request.responder.fail(.connectionClosed)
        }
        if let connection {
            for processor in processors.registered { processor.connectionClosed(connection) }
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        reading = true
        do {
            try decoder.process(buffer: unwrapInboundIn(data)) { command in
                handle(command, context: context)
            }
        } catch {
            logger.warning("closing a connection that sent a corrupt frame", metadata: [
                "remote": "\(connection?.remoteAddressText ?? "?")", "error": "\(error)",
            ])
            // Answers to the frames before the corrupt one still go out, as Java's writeAndFlush does.
            if needsFlush {
                needsFlush = false
                flush(context: context)
            }
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        if needsFlush {
            needsFlush = false
            flush(context: context)
        }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            logger.debug("closing an idle connection", metadata: ["remote": "\(connection?.remoteAddressText ?? "?")"])
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func handle(_ command: RemotingCommand, context: ChannelHandlerContext) {
        guard !command.isResponse else {
            guard let request = pending.removeValue(forKey: command.opaque) else {
                // Late (after its timeout) or never asked for.
                logger.debug("dropping an unexpected response", metadata: ["opaque": "\(command.opaque)"])
                return
            }
            request.responder.succeed(command)
            return
        }
        logger.trace("request", metadata: [
            "code": "\(command.requestCode)", "opaque": "\(command.opaque)",
            "remote": "\(connection?.remoteAddressText ?? "?")",
        ])
        guard let connection else { return }
        // One clock read per request, and one per answer, only when latencies are recorded.
        let started = processors.rpcMetrics == nil ? 0 : DispatchTimeNanos.now()
        let result: ProcessorResult
        if let processor = processors.processor(for: command.code) {
            do {
                result = try processor.process(command, context: RequestContext(connection: connection))
            } catch let error as HeaderError {
                result = .response(command.makeErrorResponse(error))
            } catch let error as BodyError {
                result = .response(command.makeResponse(code: .systemError, remark: error.reason))
            } catch {
                result = .response(command.makeResponse(code: .systemError, remark: "\(error)"))
            }
        } else {
            result = .response(command.makeRequestCodeNotSupportedResponse())
        }
        switch result {
        case .response(let response):
            processors.rpcMetrics?.record(
                requestCode: command.code, responseCode: response.code, nanoseconds: DispatchTimeNanos.now() - started)
            write(response, to: command, context: context)
        case .future(let future):
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            future.hop(to: context.eventLoop).whenComplete { outcome in
                let (handler, context) = loopBound.value
                let response: RemotingCommand?
                switch outcome {
                case .success(let value): response = value
                case .failure(let error): response = command.makeResponse(code: .systemError, remark: "\(error)")
                }
                if let response {
                    handler.processors.rpcMetrics?.record(
                        requestCode: command.code, responseCode: response.code, nanoseconds: DispatchTimeNanos.now() - started)
                    handler.write(response, to: command, context: context)
                    if !handler.reading { handler.flush(context: context) }
                }
            }
        case .none:
            break
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        enqueue(request.command, responder: request.response.map(Responder.promise), timeout: request.timeout, context: context)
        if let promise { promise.succeed() }
    }

    /// Stamps one of our requests with the connection's next opaque and appends it to the outbound
    /// buffer; `responder` nil sends it oneway.
    func enqueue(_ command: RemotingCommand, responder: Responder?, timeout: TimeAmount, context: ChannelHandlerContext) {
        var command = command
        // Opaques of our own requests: a per-connection counter, kept non-negative as C++ does.
        nextOpaque = nextOpaque == Int32.max ? 0 : nextOpaque + 1
        let opaque = nextOpaque
        command.opaque = opaque
        command.flag &= ~RemotingCommand.responseFlag
        if let responder {
            command.flag &= ~RemotingCommand.onewayFlag
            pending[opaque] = PendingRequest(responder: responder, deadline: .now() + timeout)
            if sweep == nil {
                let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
                sweep = context.eventLoop.scheduleRepeatedTask(initialDelay: Self.sweepInterval, delay: Self.sweepInterval) { _ in
                    loopBound.value.failExpiredRequests()
                }
            }
        } else {
            command.flag |= RemotingCommand.onewayFlag
        }
        append(command, context: context)
    }

    func flush(context: ChannelHandlerContext) {
        if let buffer = outbound {
            outbound = nil
            context.write(wrapOutboundOut(buffer), promise: nil)
        }
        context.flush()
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is CloseAfterWrites else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        // A peer that stops reading must not keep the connection open for ever.
        let timeout = context.eventLoop.scheduleTask(in: .seconds(3)) { context.close(promise: nil) }
        let written = context.eventLoop.makePromise(of: Void.self)
        if let buffer = outbound {
            outbound = nil
            context.write(wrapOutboundOut(buffer), promise: written)
        } else {
            // Writes still queued in the channel complete in order: an empty write completes after them.
            context.write(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: written)
        }
        context.flush()
        written.futureResult.whenComplete { _ in
            timeout.cancel()
            context.close(promise: nil)
        }
        promise?.succeed()
    }

    private func append(_ command: RemotingCommand, context: ChannelHandlerContext) {
        let size = 256 + (command.body?.readableBytes ?? 0)
        if outbound == nil {
            outbound = context.channel.allocator.buffer(capacity: max(size, 4096))
        }
        RemotingFrameEncoder.encode(command, into: &outbound!)
        // A large batch leaves in parts: the peer starts on the first frames while this side encodes
        // the rest (one batch per turn would have both sides take turns instead of working together).
        if outbound!.readableBytes >= Self.earlyFlushBytes {
            flush(context: context)
        }
    }

    /// About ten send requests or thirty answers (measured: 2, 4 and 8 KiB, and per turn only).
    static let earlyFlushBytes = 4096

    private func failExpiredRequests() {
        let now = NIODeadline.now()
        let expired = pending.filter { $0.value.deadline <= now }
        for (opaque, request) in expired {
            pending.removeValue(forKey: opaque)
            request.responder.fail(.timeout(opaque: opaque))
        }
        if pending.isEmpty {
            sweep?.cancel()
            sweep = nil
        }
    }

    /// Stamps the request's opaque and the response flag; a oneway request is never answered.
    private func write(_ response: RemotingCommand, to request: RemotingCommand, context: ChannelHandlerContext) {
        guard !request.isOneway else { return }
        var response = response
        response.opaque = request.opaque
        response.flag |= RemotingCommand.responseFlag
        if request.language == .cpp { response.serializeType = .json }
        append(response, context: context)
        needsFlush = true
    }
}

/// A monotonic clock in nanoseconds for request latencies (no Foundation on the hot path).
enum DispatchTimeNanos {
    static func now() -> Int64 { Int64(NIODeadline.now().uptimeNanoseconds) }
}
