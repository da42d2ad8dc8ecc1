import ClusterSupport
import NIOPosix
import RemotingNIO
import RocketMQClient
import Testing

/// A client given a one-loop group and an `EventLoopTaskExecutor` keeps a message's path on that loop.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct TaskExecutorTests {
    @Test func sendersAndConsumeHandlersRunOnTheClientsLoop() async throws {
        try await TestCluster.with { namesrv in
            let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let executor = EventLoopTaskExecutor(loop.next())
            var client = ClientEndToEndTests.client(namesrv)
            client.eventLoopGroup = loop
            client.taskExecutor = executor
            let producer = Producer(configuration: ProducerConfiguration(group: "PG_LOOP"), client: client)
            try await producer.start()

            // A sender preferring the executor runs on the loop before its send and resumes there after it.
            let onLoop = try await Task(executorPreference: executor) {
                let before = executor.eventLoop.inEventLoop
                let result = try await producer.send(Message(topic: "LoopTopic", body: "on the loop"))
                return before && executor.eventLoop.inEventLoop && result.status == .sendOK
            }.value
            #expect(onLoop)

            // The consumer's handler calls run there too (ClientConfiguration.taskExecutor).
            let inbox = Inbox<Bool>()
            let consumer = PushConsumer(configuration: ClientEndToEndTests.consumerConfiguration("CG_LOOP"), client: client)
            try consumer.subscribe(topic: "LoopTopic")
            try await consumer.start(concurrently: { messages in
                for _ in messages { inbox.append(executor.eventLoop.inEventLoop) }
                return .consumeSuccess
            })
            #expect(await inbox.wait(for: 1) == [true])
            await consumer.shutdown()
            await producer.shutdown()
            try await loop.shutdownGracefully()
        }
    }
}
