import NIOCore
import RemotingCodec

/// What a processor hands back for a request (STYLE §3): a response now, one later, or nothing
/// (oneway-style requests, or a request parked for long polling).
public enum ProcessorResult: Sendable {
    case response(RemotingCommand)
    case future(EventLoopFuture<RemotingCommand?>)
    case none
}

/// Where a request came from. Processors never see the channel itself.
public struct RequestContext: Sendable {
    public let connection: RemotingConnection

    public init(connection: RemotingConnection) {
        self.connection = connection
    }

    public var remoteAddress: SocketAddress? { connection.remoteAddress }
}

/// Handles the requests of some codes (Java `NettyRequestProcessor`). Thrown `HeaderError`s and
/// `BodyError`s become SYSTEM_ERROR responses with their remark; a oneway request gets nothing.
public protocol RequestProcessor: Sendable {
    func process(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult
    /// A connection closed (Java `ChannelEventListener.onChannelClose`).
    func connectionClosed(_ connection: RemotingConnection)
}

extension RequestProcessor {
    public func connectionClosed(_ connection: RemotingConnection) {}
}

/// Request code → processor, fixed at start-up.
public struct RequestProcessorTable: Sendable {
    private var processors: [Int32: any RequestProcessor] = [:]
    private var all: [any RequestProcessor] = []
    /// Where request latencies go (`rocketmq_rpc_latency`); nil records none.
    public var rpcMetrics: RPCMetrics?

    public init() {}

    public mutating func register(_ processor: any RequestProcessor, for codes: [RequestCode]) {
        for code in codes { processors[code.rawValue] = processor }
        all.append(processor)
    }

    public func processor(for code: Int32) -> (any RequestProcessor)? { processors[code] }

    /// Every distinct registered processor, for connection-closed notices.
    public var registered: [any RequestProcessor] { all }
}

extension RemotingCommand {
    /// Java's answer to a code no processor handles (`NettyRemotingAbstract.processRequestCommand`).
    public func makeRequestCodeNotSupportedResponse() -> RemotingCommand {
        makeResponse(code: .requestCodeNotSupported, remark: " request type \(code) not supported")
    }
}
