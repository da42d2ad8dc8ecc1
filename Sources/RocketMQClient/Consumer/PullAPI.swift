import NIOConcurrencyHelpers
import NIOCore
import RemotingCodec
import RocketMQModel

/// Java `PullSysFlag` bits of a pull request.
struct PullSysFlag: OptionSet, Sendable {
    var rawValue: Int32
    static let commitOffset = PullSysFlag(rawValue: 0x1)
    static let suspend = PullSysFlag(rawValue: 0x2)
    static let subscription = PullSysFlag(rawValue: 0x4)
    static let classFilter = PullSysFlag(rawValue: 0x8)
}

/// Pull requests and their answers (Java `PullAPIWrapper`), shared by both consumers.
struct PullAPI: Sendable {
    let instance: ClientInstance
    let group: String
    /// Where to pull each queue from next (the broker's suggestWhichBrokerId).
    private let suggestions = NIOLockedValueBoxDictionary<MessageQueue, Int64>()

    init(instance: ClientInstance, group: String) {
        self.instance = instance
        self.group = group
    }

    /// The PULL_MESSAGE request as Java's push consumer sends it.
    static func makeRequest(
        group: String, queue: MessageQueue, subscription: SubscriptionData, offset: Int64, maxCount: Int32,
        sysFlag: PullSysFlag, commitOffset: Int64, suspendTimeout: Duration, serializeType: SerializeType
    ) -> RemotingCommand {
        let header = PullMessageRequestHeader(
            consumerGroup: group, topic: queue.topic, queueId: queue.queueId, queueOffset: offset, maxMsgNums: maxCount,
            sysFlag: sysFlag.rawValue, commitOffset: commitOffset, suspendTimeoutMillis: suspendTimeout.milliseconds,
            subscription: sysFlag.contains(.subscription) ? subscription.subString : nil,
            subVersion: subscription.subVersion, expressionType: subscription.expressionType, bname: queue.brokerName)
        return RemotingCommand.request(code: .pullMessage, extFields: header.extFields, serializeType: serializeType)
    }

    func pull(
        queue: MessageQueue, subscription: SubscriptionData, offset: Int64, maxCount: Int32, sysFlag: PullSysFlag,
        commitOffset: Int64, suspendTimeout: Duration, timeout: Duration
    ) async throws -> PullResult {
        let suggested = suggestions[queue] ?? MixAll.masterId
        var found = instance.findBroker(queue.brokerName, preferring: suggested)
        if found == nil {
            // Java refreshes the route once before giving up.
            _ = try? await instance.updateRoute(queue.topic)
            found = instance.findBroker(queue.brokerName, preferring: suggested)
        }
        guard let found else { throw MQClientError.brokerNotFound(brokerName: queue.brokerName) }
        let (address, brokerId) = found
        var flag = sysFlag
        // Only a master keeps offsets: never ask a slave to commit (Java clears the bit for a slave found).
        if brokerId != MixAll.masterId { flag.remove(.commitOffset) }
        let request = Self.makeRequest(
            group: group, queue: queue, subscription: subscription, offset: offset, maxCount: maxCount, sysFlag: flag,
            commitOffset: commitOffset, suspendTimeout: suspendTimeout, serializeType: instance.configuration.serializeType)
        let response = try await instance.invoke(address, request, timeout: timeout)
        let result = try Self.pullResult(response, queue: queue, subscription: subscription, address: address)
        suggestions[queue] = result.suggestWhichBrokerId
        return result
    }

    /// Java `processPullResponse` + `processPullResult`: status, offsets, decoded and tag-filtered messages.
    static func pullResult(_ response: RemotingCommand, queue: MessageQueue, subscription: SubscriptionData,
                           address: String) throws -> PullResult {
        let status: PullStatus
        switch response.responseCode {
        case .success: status = .found
        case .pullNotFound: status = .noNewMessage
        case .pullRetryImmediately: status = .noMatchedMessage
        case .pullOffsetMoved: status = .offsetIllegal
        default: throw MQBrokerError(code: response.responseCode, remark: response.remark, address: address)
        }
        let header: PullMessageResponseHeader
        do { header = try response.decodeHeader(PullMessageResponseHeader.self) } catch {
            throw MQClientError.badResponse("\(error)")
        }
        var messages: [ReceivedMessage] = []
        if status == .found, let body = response.body {
            let stored: [StoredMessage]
            do { stored = try StoredMessage.decodeAll(body) } catch { throw MQClientError.badResponse("pull body: \(error)") }
            messages.reserveCapacity(stored.count)
            for record in stored {
                var message = try ReceivedMessage(stored: record, brokerName: queue.brokerName, maxBodySize: 64 * 1024 * 1024)
                guard subscription.accepts(message) else { continue }
                // A message from the retry topic is shown under its own topic (Java resetRetryAndNamespace).
                if MixAll.isRetryTopic(message.topic), let original = message.properties[MessageConst.retryTopic] {
                    message.topic = original
                }
                messages.append(message)
            }
        }
        return PullResult(status: status, nextBeginOffset: header.nextBeginOffset, minOffset: header.minOffset,
                          maxOffset: header.maxOffset, messages: messages, suggestWhichBrokerId: header.suggestWhichBrokerId)
    }
}

/// A small locked dictionary, for tables many tasks read and write.
final class NIOLockedValueBoxDictionary<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let box = NIOLockedValueBox<[Key: Value]>([:])
    subscript(key: Key) -> Value? {
        get { box.withLockedValue { $0[key] } }
        set { box.withLockedValue { $0[key] = newValue } }
    }
    func removeValue(forKey key: Key) -> Value? { box.withLockedValue { $0.removeValue(forKey: key) } }
    var snapshot: [Key: Value] { box.withLockedValue { $0 } }
}
