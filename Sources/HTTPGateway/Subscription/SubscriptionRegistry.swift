import AsyncHTTPClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore
import RocketMQClient
import RocketMQModel

/// The subscriptions and their consumers; every change is saved before it is answered. Control work
/// only (create, confirm, delete, resume): messages never pass through here.
actor SubscriptionRegistry {
    enum Status: String, Codable, Sendable {
        /// Waiting for the backurl to echo the confirmation token.
        case pendingConfirmation = "PENDING_CONFIRMATION"
        /// Consuming and delivering.
        case active = "ACTIVE"
        /// Its consumer could not start yet (no broker reachable); tried again in the background.
        case starting = "STARTING"
    }

    private struct Entry {
        var record: SubscriptionRecord
        var consumer: SubscriptionConsumer?
        var retry: Task<Void, Never>?
    }

    private var entries: [String: Entry] = [:]
    private let file: SubscriptionFile?
    private let instance: ClientInstance
    private let delivery: Delivery
    private let logger: Logger
    private var stopped = false

    init(file: SubscriptionFile?, instance: ClientInstance, delivery: Delivery, logger: Logger) {
        self.file = file
        self.instance = instance
        self.delivery = delivery
        self.logger = logger
    }

    /// Loads the saved subscriptions and starts those confirmed; consumers resume from the offsets their
    /// groups committed at the broker.
    func resume() async throws {
        guard let file else { return }
        for record in try file.load() {
            entries[record.subscription.group] = Entry(record: record)
            if record.confirmed {
                await startConsumer(record.subscription.group)
            } else {
                await sendConfirmation(record.subscription.group)
            }
        }
        logger.info("subscriptions resumed", metadata: ["count": "\(entries.count)"])
    }

    func create(_ subscription: PushSubscription) async throws -> (SubscriptionRecord, Status) {
        guard entries[subscription.group] == nil else {
            throw GatewayError(.conflict, "a subscription of group \(subscription.group) exists; DELETE it first")
        }
        let record = SubscriptionRecord(
            subscription: subscription, confirmed: !subscription.confirm,
            confirmationToken: subscription.confirm ? Self.newToken() : nil, createdAt: SystemClock.currentTimeMillis())
        entries[subscription.group] = Entry(record: record)
        do { try save() } catch {
            entries[subscription.group] = nil
            throw GatewayError(.internalServerError, "cannot save the subscription: \(error)")
        }
        if record.confirmed {
            await startConsumer(subscription.group)
        } else {
            await sendConfirmation(subscription.group)
        }
        let current = entries[subscription.group]?.record ?? record
        return (current, status(subscription.group) ?? .starting)
    }

    /// The confirmation token echoed through `POST /subscriptions/{group}/confirm`.
    func confirm(group: String, token: String) async throws -> Status {
        guard let entry = entries[group] else { throw GatewayError.notFound("no subscription of group \(group)") }
        if entry.record.confirmed { return status(group) ?? .starting }
        guard let expected = entry.record.confirmationToken, expected == token else {
            throw GatewayError(.forbidden, "the token does not match the one sent to the backurl")
        }
        try markConfirmed(group)
        await startConsumer(group)
        return status(group) ?? .starting
    }

    func delete(group: String) async throws {
        guard let entry = entries.removeValue(forKey: group) else {
            throw GatewayError.notFound("no subscription of group \(group)")
        }
        entry.retry?.cancel()
        do { try save() } catch {
            entries[group] = entry
            throw GatewayError(.internalServerError, "cannot save the subscriptions: \(error)")
        }
        await entry.consumer?.shutdown()
    }

    func list() -> [(SubscriptionRecord, Status)] {
        entries.keys.sorted().compactMap { group in
            guard let entry = entries[group], let status = status(group) else { return nil }
            return (entry.record, status)
        }
    }

    func get(group: String) throws -> (SubscriptionRecord, Status) {
        guard let entry = entries[group], let status = status(group) else {
            throw GatewayError.notFound("no subscription of group \(group)")
        }
        return (entry.record, status)
    }

    var count: Int { entries.count }

    /// Stops every consumer, committing what each consumed.
    func shutdown() async {
        stopped = true
        let all = entries.values
        for entry in all { entry.retry?.cancel() }
        for entry in all { await entry.consumer?.shutdown() }
        for group in entries.keys { entries[group]?.consumer = nil }
    }

    // MARK: internals

    private func status(_ group: String) -> Status? {
        guard let entry = entries[group] else { return nil }
        if !entry.record.confirmed { return .pendingConfirmation }
        return entry.consumer == nil ? .starting : .active
    }

    private func save() throws {
        try file?.save(entries.values.map(\.record))
    }

    private func markConfirmed(_ group: String) throws {
        entries[group]?.record.confirmed = true
        entries[group]?.record.confirmationToken = nil
        do { try save() } catch { throw GatewayError(.internalServerError, "cannot save the subscription: \(error)") }
    }

    /// Starts the group's consumer; when that fails (no broker yet), tries again every 5 s in the background.
    private func startConsumer(_ group: String) async {
        guard !stopped, let entry = entries[group], entry.consumer == nil else { return }
        let consumer = SubscriptionConsumer(subscription: entry.record.subscription, instance: instance, delivery: delivery)
        do {
            try await consumer.start()
        } catch {
            logger.warning("subscription consumer did not start; trying again in 5 s",
                           metadata: ["group": "\(group)", "error": "\(error)"])
            guard entries[group] != nil, entries[group]?.retry == nil else { return }
            entries[group]?.retry = Task { [weak self] in
                try? await Task.sleep(for: .seconds(5))
                guard !Task.isCancelled else { return }
                await self?.retryStart(group)
            }
            return
        }
        // Deleted or stopped while starting: undo.
        guard !stopped, entries[group] != nil, entries[group]?.consumer == nil else {
            await consumer.shutdown()
            return
        }
        entries[group]?.consumer = consumer
        logger.info("subscription active", metadata: [
            "group": "\(group)", "topic": "\(entry.record.subscription.topic)", "backurl": "\(entry.record.subscription.backurl)",
        ])
    }

    private func retryStart(_ group: String) async {
        entries[group]?.retry = nil
        await startConsumer(group)
    }

    /// The handshake: POSTs the token to the backurl; an answer that echoes it (in its body) confirms at
    /// once, otherwise the receiver confirms later with `POST /subscriptions/{group}/confirm`.
    private func sendConfirmation(_ group: String) async {
        guard let entry = entries[group], let token = entry.record.confirmationToken else { return }
        let subscription = entry.record.subscription
        var request = HTTPClientRequest(url: subscription.backurl)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: Delivery.messageTypeHeader, value: "SubscriptionConfirmation")
        request.headers.add(name: "X-RocketMQ-Group", value: subscription.group)
        let body = ConfirmationRequest(group: subscription.group, topic: subscription.topic, token: token,
                                       confirmPath: "/subscriptions/\(subscription.group)/confirm")
        let data = (try? JSONEncoder().encode(body)) ?? Data()
        let payload = ByteBuffer(bytes: data)
        if let secret = subscription.secret {
            let now = SystemClock.currentTimeMillis()
            request.headers.add(name: DeliverySignature.timestampHeader, value: String(now))
            request.headers.add(name: DeliverySignature.signatureHeader, value: DeliverySignature.sign(secret: secret, timestamp: now, body: payload))
        }
        request.body = .bytes(payload)
        let (outcome, answer) = await delivery.post(request, timeoutMs: subscription.timeoutMs)
        guard outcome == .acknowledged, let answer, String(buffer: answer).contains(token),
              entries[group]?.record.confirmed == false else {
            logger.info("subscription waits for confirmation", metadata: ["group": "\(group)", "outcome": "\(outcome)"])
            return
        }
        do { try markConfirmed(group) } catch {
            logger.error("cannot save the confirmation", metadata: ["group": "\(group)", "error": "\(error)"])
            return
        }
        await startConsumer(group)
    }

    private static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
    }
}

/// The body of the confirmation POST.
struct ConfirmationRequest: Codable {
    var type = "SubscriptionConfirmation"
    var group: String
    var topic: String
    var token: String
    /// Where to POST `{"token": …}` when the answer to this request does not echo the token.
    var confirmPath: String
}
