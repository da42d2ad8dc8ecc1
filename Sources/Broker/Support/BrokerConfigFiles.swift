import Logging
import NIOConcurrencyHelpers
import NIOCore
import RemotingCodec
import RocketMQModel

/// One of the broker's JSON files, written as Java writes them (fastjson's pretty format).
struct JSONConfigFile<Body: RemotingBody>: Sendable {
    let file: ConfigFile
    /// The last bytes written, so that an unchanged table is not rewritten every few seconds.
    private let lastSaved = NIOLockedValueBox<[UInt8]?>(nil)

    init(path: String, logger: Logger) {
        file = ConfigFile(path: path) { path, error in
            logger.error("cannot persist a config file", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }

    func load() -> Body? {
        file.load { bytes in try Body(body: ByteBuffer(bytes: bytes)) }
    }

    func save(_ body: Body) {
        guard let bytes = changedBytes(body) else { return }
        file.save(bytes)
    }

    func saveNow(_ body: Body) throws {
        guard let bytes = changedBytes(body) else { return file.flush() }
        try file.saveNow(bytes)
    }

    private func changedBytes(_ body: Body) -> [UInt8]? {
        let bytes = Array(JSONWriter().prettyString(body.json).utf8)
        return lastSaved.withLockedValue { last in
            guard last != bytes else { return nil }
            last = bytes
            return bytes
        }
    }
}

/// `<storePathRootDir>/config/`: `topics.json`, `subscriptionGroup.json`, `consumerOffset.json` (Java
/// `BrokerPathConfigHelper`), `delayOffset.json` (the delay service's) and `timerProgress.json` (ours, for
/// delivery times), each with its `.bak`.
struct BrokerConfigFiles: Sendable {
    let topics: JSONConfigFile<TopicConfigSerializeWrapper>
    let groups: JSONConfigFile<SubscriptionGroupWrapper>
    let offsets: JSONConfigFile<ConsumerOffsetSerializeWrapper>
    let delayOffsets: JSONConfigFile<DelayOffsetSerializeWrapper>
    let timerProgress: JSONConfigFile<TimerMessageService.Progress>
    private let logger: Logger

    init(storePathRootDir: String, logger: Logger) {
        let directory = storePathRootDir + "/config/"
        topics = JSONConfigFile(path: directory + "topics.json", logger: logger)
        groups = JSONConfigFile(path: directory + "subscriptionGroup.json", logger: logger)
        offsets = JSONConfigFile(path: directory + "consumerOffset.json", logger: logger)
        delayOffsets = JSONConfigFile(path: directory + "delayOffset.json", logger: logger)
        timerProgress = JSONConfigFile(path: directory + "timerProgress.json", logger: logger)
        self.logger = logger
    }

    /// Java `BrokerController.initialize`: what the files hold replaces the built-in tables.
    func load(into metadata: BrokerMetadata) {
        let topics = topics.load()
        let groups = groups.load()
        let offsets = offsets.load()
        metadata.withState { state in
            if let topics { state.topics.load(topics) }
            if let groups { state.groups.load(groups) }
            if let offsets { state.offsets.load(offsets) }
        }
        logger.info("loaded the broker's config files", metadata: [
            "topics": "\(topics?.topicConfigTable.count ?? 0)", "groups": "\(groups?.subscriptionGroupTable.count ?? 0)",
            "offsets": "\(offsets?.offsetTable.count ?? 0)"])
    }

    /// Writes every table now (shutdown).
    func persistAll(from metadata: BrokerMetadata, schedule: ScheduleMessageService, timer: TimerMessageService) {
        let (topicsWrapper, groupsWrapper, offsetsWrapper) = metadata.withState { ($0.topics.wrapper, $0.groups.wrapper, $0.offsets.wrapper) }
        do {
            try topics.saveNow(topicsWrapper)
            try groups.saveNow(groupsWrapper)
            try offsets.saveNow(offsetsWrapper)
            try delayOffsets.saveNow(schedule.offsetTable)
            try timerProgress.saveNow(timer.progress)
        } catch {
            logger.error("cannot persist the broker's config files", metadata: ["error": "\(error)"])
        }
    }
}
