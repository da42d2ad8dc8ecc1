import Logging
import NIOConcurrencyHelpers
import NIOCore
import RemotingCodec
import RemotingNIO

/// A slave's copy of its master's metadata (Java `SlaveSynchronize`), every 10 s: topics (GET_ALL_TOPIC_CONFIG,
/// on the master's VIP port, listenPort − 2, as Java asks it — capture 11), consumer offsets, delay offsets and
/// subscription groups (on the master's port). Each part is applied and persisted on its own; a part that fails
/// waits for the next round. Ours also reads the master's `commitLogMaxOffset` (GET_BROKER_RUNTIME_INFO), so
/// that the slave's metrics can say how far behind it is: the HA stream never tells a slave the master's end.
final class SlaveSynchronize: Sendable {
    private let metadata: BrokerMetadata
    private let schedule: ScheduleMessageService
    private let files: BrokerConfigFiles
    private let logger: Logger
    private let timeout: TimeAmount = .seconds(3)
    private let master = NIOLockedValueBox<String?>(nil)
    private let masterMaxOffset = NIOLockedValueBox<Int64?>(nil)
    private let connections = NIOLockedValueBox<[String: RemotingConnection]>([:])

    init(metadata: BrokerMetadata, schedule: ScheduleMessageService, files: BrokerConfigFiles, logger: Logger) {
        self.metadata = metadata
        self.schedule = schedule
        self.files = files
        self.logger = logger
    }

    /// The master's `brokerAddr`, from the REGISTER_BROKER answer.
    var masterAddr: String? {
        get { master.withLockedValue { $0 } }
        set { master.withLockedValue { $0 = newValue } }
    }

    /// The master's commit-log max offset at the last sync; nil until one succeeded.
    var masterCommitLogMaxOffset: Int64? { masterMaxOffset.withLockedValue { $0 } }

    /// Java `syncAll`, then the master's commit-log max offset.
    func syncAll() async {
        guard let address = masterAddr, let vip = Self.vipAddress(address) else { return }
        await sync("topics", code: .getAllTopicConfig, address: vip) { body in
            let wrapper = try TopicConfigSerializeWrapper(body: body)
            if self.metadata.replaceTopics(with: wrapper) {
                self.logger.info("topics copied from the master", metadata: ["topics": "\(wrapper.topicConfigTable.count)"])
            }
        }
        await sync("consumer offsets", code: .getAllConsumerOffset, address: address) { body in
            let wrapper = try ConsumerOffsetSerializeWrapper(body: body)
            let all = self.metadata.withState { state in
                state.offsets.load(wrapper)
                return state.offsets.wrapper
            }
            self.files.offsets.save(all)
        }
        await sync("delay offsets", code: .getAllDelayOffset, address: address) { body in
            let wrapper = try DelayOffsetSerializeWrapper(body: body)
            self.schedule.replaceOffsets(wrapper)
            self.files.delayOffsets.save(self.schedule.offsetTable)
        }
        await sync("subscription groups", code: .getAllSubscriptionGroupConfig, address: address) { body in
            let wrapper = try SubscriptionGroupWrapper(body: body)
            if self.metadata.replaceSubscriptionGroups(with: wrapper) {
                self.logger.info("subscription groups copied from the master", metadata: [
                    "groups": "\(wrapper.subscriptionGroupTable.count)"])
            }
        }
        await sync("runtime info", code: .getBrokerRuntimeInfo, address: address) { body in
            guard let offset = try KVTable(body: body).table["commitLogMaxOffset"].flatMap({ Int64($0) }) else { return }
            self.masterMaxOffset.withLockedValue { $0 = offset }
        }
    }

    func close() {
        let open = connections.withLockedValue { connections in
            defer { connections.removeAll() }
            return Array(connections.values)
        }
        for connection in open { connection.close() }
    }

    /// Java `MixAll.brokerVIPChannel`: the same host, port − 2.
    static func vipAddress(_ address: String) -> String? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), port > 2 else {
            return nil
        }
        return "\(address[..<colon]):\(port - 2)"
    }

    private func sync(
        _ what: String, code: RequestCode, address: String, apply: (ByteBuffer?) throws -> Void
    ) async {
        do {
            let connection = try await connection(to: address)
            let response: RemotingCommand
            do {
                response = try await connection.send(RemotingCommand.request(code: code), timeout: timeout)
            } catch {
                connections.withLockedValue { if $0[address] == connection { $0[address] = nil } }
                connection.close()
                throw error
            }
            guard response.responseCode == .success else {
                logger.warning("the master refused a slave sync request", metadata: [
                    "what": "\(what)", "code": "\(response.code)", "remark": "\(response.remark ?? "")"])
                return
            }
            try apply(response.body)
        } catch {
            logger.warning("slave sync failed", metadata: ["what": "\(what)", "master": "\(address)", "error": "\(error)"])
        }
    }

    private func connection(to address: String) async throws -> RemotingConnection {
        if let open = connections.withLockedValue({ $0[address] }), open.isActive { return open }
        let connection = try await RemotingClient.connect(address: address, logger: logger)
        let replaced = connections.withLockedValue { connections in
            defer { connections[address] = connection }
            return connections[address]
        }
        replaced?.close()
        return connection
    }
}
