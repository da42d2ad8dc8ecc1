import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RemotingCodec
import RemotingNIO
import Testing

/// Requests of our own over a connection: opaque matching, timeouts, oneway, server-initiated requests.
@Suite struct RemotingClientTests {
    /// Echoes requests; code 999 is never answered; code 998 makes the server send a oneway
    /// request back to the caller on the same connection.
    struct EchoProcessor: RequestProcessor {
        /// Yields when a request that will never be answered has arrived.
        let unanswered = AsyncStream<Void>.makeStream()

        func process(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
            switch request.code {
            case 999:
                unanswered.continuation.yield()
                return .none
            case 998:
                context.connection.sendOneway(.request(code: .notifyConsumerIdsChanged, extFields: ["consumerGroup": "G"]))
                return .response(request.makeResponse(code: .success))
            default:
                return .response(request.makeResponse(code: .success, remark: request.extFields?["echo"]))
            }
        }
    }

    /// Records the server's requests to the client.
    final class Recorder: RequestProcessor {
        let received = NIOLockedValueBox<[RemotingCommand]>([])
        let arrived = AsyncStream<Void>.makeStream()
        func process(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
            received.withLockedValue { $0.append(request) }
            arrived.continuation.yield()
            return .none
        }
    }

    static func startServer(_ echo: EchoProcessor = EchoProcessor()) async throws -> (RemotingServer, Int) {
        var table = RequestProcessorTable()
        table.register(echo, for: [RequestCode(1), RequestCode(998), RequestCode(999)])
        let server = RemotingServer(configuration: .init(host: "127.0.0.1", port: 0), processors: table, logger: Logger(label: "test"))
        let address = try await server.bind()
        return (server, address.port!)
    }

    /// Runs `body` on the connection's loop (its requests skip the pipeline and await no promise) or,
    /// without `onLoop`, on the global executor.
    static func run<R: Sendable>(onLoop: Bool, _ connection: RemotingConnection, _ body: () async throws -> R) async throws -> R {
        guard onLoop else { return try await body() }
        return try await withTaskExecutorPreference(EventLoopTaskExecutor(connection.eventLoop)) { try await body() }
    }

    @Test(arguments: [false, true])
    func responsesAreMatchedByOpaqueEvenOutOfOrder(onLoop: Bool) async throws {
        let (server, port) = try await Self.startServer()
        defer { Task { try await server.shutdown() } }
        let connection = try await RemotingClient.connect(host: "127.0.0.1", port: port, logger: Logger(label: "test"))
        try await Self.run(onLoop: onLoop, connection) { try await withThrowingTaskGroup(of: (String, String?).self) { group in
            for index in 0..<50 {
                group.addTask {
                    let response = try await connection.send(RemotingCommand(code: 1, extFields: ["echo": "\(index)"]))
                    return ("\(index)", response.remark)
                }
            }
            for try await (sent, echoed) in group {
                #expect(sent == echoed)
                #expect(connection.eventLoop.inEventLoop == onLoop)
            }
        } }
        connection.close()
    }

    @Test(arguments: [false, true])
    func unansweredRequestsTimeOutAndClosedConnectionsFailPendingOnes(onLoop: Bool) async throws {
        let echo = EchoProcessor()
        let (server, port) = try await Self.startServer(echo)
        defer { Task { try await server.shutdown() } }
        let connection = try await RemotingClient.connect(host: "127.0.0.1", port: port, logger: Logger(label: "test"))
        try await Self.run(onLoop: onLoop, connection) {
            await #expect(throws: RemotingError.self) {
                _ = try await connection.send(RemotingCommand(code: 999), timeout: .milliseconds(100))
            }
            // Still usable after a timeout.
            #expect(try await connection.send(RemotingCommand(code: 1, extFields: ["echo": "x"])).remark == "x")
            var arrivals = echo.unanswered.stream.makeAsyncIterator()
            _ = await arrivals.next()  // the request that timed out
            let executor = onLoop ? EventLoopTaskExecutor(connection.eventLoop) : nil
            let pending = Task(executorPreference: executor) { try await connection.send(RemotingCommand(code: 999), timeout: .seconds(30)) }
            _ = await arrivals.next()  // the server holds it: now drop the connection under it
            try await server.shutdown()
            await #expect(throws: RemotingError.connectionClosed) { _ = try await pending.value }
        }
    }

    @Test func serverSendsOnewayRequestsOnTheClientsConnection() async throws {
        let (server, port) = try await Self.startServer()
        defer { Task { try await server.shutdown() } }
        let recorder = Recorder()
        var table = RequestProcessorTable()
        table.register(recorder, for: [.notifyConsumerIdsChanged])
        let connection = try await RemotingClient.connect(host: "127.0.0.1", port: port, processors: table, logger: Logger(label: "test"))
        #expect(try await connection.send(RemotingCommand(code: 998)).responseCode == .success)
        for await _ in recorder.arrived.stream { break }
        let received = recorder.received.withLockedValue { $0 }
        #expect(received.count == 1)
        #expect(received.first?.requestCode == .notifyConsumerIdsChanged)
        #expect(received.first?.isOneway == true)
        #expect(received.first?.extFields?["consumerGroup"] == "G")
        connection.close()
    }
}
