import RemotingCodec
import RemotingNIO

/// A broker or name server answered with an error code (Java `MQBrokerException`).
public struct MQBrokerError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: ResponseCode
    public var remark: String?
    /// The address that answered.
    public var address: String

    public init(code: ResponseCode, remark: String?, address: String) {
        self.code = code
        self.remark = remark
        self.address = address
    }

    public var description: String { "CODE: \(code.rawValue)  DESC: \(remark ?? "null")  BROKER: \(address)" }
}

/// Failures on the client's side (Java `MQClientException` and the remoting exceptions).
public enum MQClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No name server knows the topic, or it has no writable/readable queue.
    case noRoute(topic: String)
    /// The named broker has no address in the route (down, or only a slave left).
    case brokerNotFound(brokerName: String)
    /// No name server answered.
    case nameServerUnavailable
    /// The request got no answer in time.
    case timeout(address: String)
    /// The connection failed or closed before the answer.
    case connectionFailed(address: String, reason: String)
    /// The message breaks a client-side rule (Java `Validators.checkMessage`).
    case messageIllegal(String)
    /// The producer or consumer is not started, or already shut down.
    case notRunning
    /// A response the client could not read.
    case badResponse(String)

    public var description: String {
        switch self {
        case .noRoute(let topic): "No route info of this topic: \(topic)"
        case .brokerNotFound(let name): "The broker[\(name)] not exist"
        case .nameServerUnavailable: "No name server address answered"
        case .timeout(let address): "wait response on the channel <\(address)> timeout"
        case .connectionFailed(let address, let reason): "connect to <\(address)> failed: \(reason)"
        case .messageIllegal(let reason): reason
        case .notRunning: "The client is not running"
        case .badResponse(let reason): "bad response: \(reason)"
        }
    }
}

extension MQClientError {
    /// A request's transport failure, named by the address it went to.
    init(_ error: RemotingError, address: String) {
        switch error {
        case .timeout: self = .timeout(address: address)
        case .connectionClosed: self = .connectionFailed(address: address, reason: "connection closed")
        }
    }
}
