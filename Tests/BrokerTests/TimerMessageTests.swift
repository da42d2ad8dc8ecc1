import Foundation
import MessageStore
import NIOCore
import RemotingCodec
import RocketMQModel
import Testing

@testable import Broker

/// `__STARTDELIVERTIME`: messages parked until an arbitrary time, delivered in time order, once.
@Suite struct TimerMessageTests {
    static func send(_ harness: SendMessageProcessorTests.Harness, key: String, at time: Int64) async throws -> RemotingCommand {
        try await harness.send(SendMessageProcessorTests.send(
            topic: "T", queueId: 1, properties: "UNIQ_KEY\u{1}\(key)\u{2}__STARTDELIVERTIME\u{1}\(time)\u{2}"))
    }

    static func delivered(_ harness: SendMessageProcessorTests.Harness) async -> [String] {
        await harness.store.waitForDispatch(upTo: harness.store.maxPhysicalOffset)
        return harness.store.consumeQueueEntries(topic: "T", queueId: 1, from: 0, maxCount: 100)
            .compactMap { harness.store.lookMessage(byPhysicalOffset: $0.physicalOffset)?.properties.uniqueKey }
    }

    @Test func deliveredWhenDueInTimeOrderAndOnlyOnce() async throws {
        let harness = try await SendMessageProcessorTests.Harness()
        defer { harness.close() }
        let now = SystemClock.currentTimeMillis()
        let late = try await Self.send(harness, key: "late", at: now + 200_000)
        #expect(late.responseCode == .success)
        #expect(late.extFields?["queueId"] == "1")
        _ = try await Self.send(harness, key: "early", at: now + 100_000)
        // A time already past is an ordinary send.
        _ = try await Self.send(harness, key: "past", at: now - 1)
        #expect(await Self.delivered(harness) == ["past"])
        #expect(harness.store.getMaxOffsetInQueue(topic: TimerMessageService.topic, queueId: 0) == 2)

        // Times far enough ahead that a slow machine cannot overtake them; the service's clock is ours.
        let clock = SendBackAndScheduleTests.TestClock(now: now)
        let timer = TimerMessageService(store: harness.store, progress: nil, clock: { clock.now }, logger: harness.logger)
        #expect(await timer.deliverDue() == 100)
        #expect(await Self.delivered(harness) == ["past"])
        clock.now = now + 100_000
        _ = await timer.deliverDue()
        #expect(await Self.delivered(harness) == ["past", "early"])
        // The first entry is still pending: the prefix stays, the delivered one is remembered.
        #expect(timer.progress.prefix == 0)
        #expect(timer.progress.delivered == [1])
        clock.now = now + 250_000
        _ = await timer.deliverDue()
        #expect(await Self.delivered(harness) == ["past", "early", "late"])
        #expect(timer.progress == { var p = TimerMessageService.Progress(); p.prefix = 2; return p }())
        let message = try #require(harness.store.consumeQueueEntries(topic: "T", queueId: 1, from: 2, maxCount: 1).first
            .flatMap { harness.store.lookMessage(byPhysicalOffset: $0.physicalOffset) })
        #expect(message.properties[MessageConst.realTopic] == "T")

        // After a restart with the saved progress nothing is delivered again.
        let saved = try TimerMessageService.Progress(body: timer.progress.encoded())
        let restarted = TimerMessageService(store: harness.store, progress: saved, clock: { clock.now }, logger: harness.logger)
        _ = await restarted.deliverDue()
        #expect(await Self.delivered(harness).count == 3)
    }
}
