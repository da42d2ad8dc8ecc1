#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTypes
import Hummingbird
import NIOCore
import RemotingCodec
import RocketMQClient

/// An error answered as JSON `{code, message}`; `code` repeats the HTTP status.
public struct GatewayError: HTTPResponseError, Equatable {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    static func badRequest(_ message: String) -> GatewayError { GatewayError(.badRequest, message) }
    static func notFound(_ message: String) -> GatewayError { GatewayError(.notFound, message) }
    static func unavailable(_ message: String) -> GatewayError { GatewayError(.serviceUnavailable, message) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        jsonResponse
    }

    var jsonResponse: Response {
        struct Body: Encodable { var code: Int; var message: String }
        let data = (try? JSONEncoder().encode(Body(code: status.code, message: message))) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// What a client or broker failure means to the HTTP caller: the cluster could not be reached (503),
    /// the message was refused (400), or the broker answered with an error.
    static func from(_ error: any Error) -> GatewayError {
        switch error {
        case let error as GatewayError: return error
        case let error as MQClientError:
            switch error {
            case .noRoute(let topic): return .notFound("topic \(topic) does not exist")
            case .messageIllegal(let reason): return .badRequest(reason)
            case .brokerNotFound, .nameServerUnavailable, .timeout, .connectionFailed, .notRunning:
                return .unavailable("no broker reachable: \(error)")
            case .badResponse: return GatewayError(.badGateway, "\(error)")
            }
        case let error as MQBrokerError:
            switch error.code {
            case .topicNotExist: return .notFound(error.remark ?? "topic does not exist")
            case .messageIllegal: return .badRequest(error.remark ?? "message illegal")
            default: return .unavailable("the broker refused: \(error)")
            }
        case let error as HTTPError:
            return GatewayError(error.status, error.body ?? error.status.reasonPhrase)
        case is NIOTooManyBytesError:
            return GatewayError(.contentTooLarge, "the request body is larger than allowed")
        case let error as DecodingError:
            return .badRequest("malformed JSON: \(error)")
        default:
            return GatewayError(.internalServerError, "\(error)")
        }
    }
}

/// Turns every error, including the router's own (404 for an unknown path, 413 from a body limit), into
/// the JSON error answer.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return GatewayError.from(error).jsonResponse
        }
    }
}
