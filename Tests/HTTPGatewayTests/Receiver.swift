import ClusterSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// What a backurl got: headers (lower-cased names), body and when.
struct ReceivedRequest: Sendable {
    var headers: [String: String]
    var body: ByteBuffer
    var at: ContinuousClock.Instant
    var path: String

    subscript(header name: String) -> String? { headers[name.lowercased()] }
}

/// A real HTTP server on a free loopback port standing in for a subscriber's backurl; `answer` decides
/// the status (and body) of each request, given how many came before it on the same path (and may take
/// its time, as a slow subscriber does).
enum Receiver {
    static func with<Result: Sendable>(
        answer: @escaping @Sendable (ReceivedRequest, Int) async -> (HTTPResponse.Status, String) = { _, _ in (.ok, "") },
        _ body: (_ baseURL: String, _ inbox: Inbox<ReceivedRequest>) async throws -> Result
    ) async throws -> Result {
        let inbox = Inbox<ReceivedRequest>()
        let router = Router()
        router.post("**") { request, _ -> Response in
            var request = request
            let bytes = try await request.collectBody(upTo: 16 * 1024 * 1024)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let received = ReceivedRequest(headers: headers, body: bytes, at: .now, path: request.uri.path)
            let before = inbox.all.filter { $0.path == received.path }.count
            inbox.append(received)
            let (status, text) = await answer(received, before)
            return Response(status: status, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "receiver")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
                              logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await TestCluster.running(group) {
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            return try await body("http://127.0.0.1:\(port)", inbox)
        }
    }
}
