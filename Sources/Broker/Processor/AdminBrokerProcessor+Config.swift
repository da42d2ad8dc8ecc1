import MessageStore
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// The broker's settings and figures: GET_BROKER_CONFIG, UPDATE_BROKER_CONFIG, GET_BROKER_RUNTIME_INFO,
/// VIEW_BROKER_STATS_DATA.
extension AdminBrokerProcessor {
    /// Java `getBrokerConfig`: every setting as `key=value` lines; the `version` header is the config's data
    /// version as JSON.
    func getBrokerConfig(_ request: RemotingCommand) -> RemotingCommand {
        let version = String(buffer: configuration.dataVersion.encoded())
        return request.makeResponse(
            code: .success, extFields: GetBrokerConfigResponseHeader(version: version).extFields,
            body: ByteBuffer(string: configuration.allConfigsFormatString))
    }

    /// Java `updateBrokerConfig`: a `.properties` body; NO_PERMISSION when it names a black-listed key. A new
    /// `brokerPermission` bumps the topic data version and re-registers before the answer, as Java does.
    func updateBrokerConfig(_ request: RemotingCommand, context: RequestContext) -> ProcessorResult {
        guard let body = request.body else { return .response(request.makeResponse(code: .success)) }
        let text = String(buffer: body)
        logger.info("updateBrokerConfig", metadata: ["remote": "\(context.connection.remoteAddressText)", "config": "\(text)"])
        let version = metadata.topicsVersion
        switch configuration.update(JavaProperties(parsing: text)) {
        case .refused:
            return .response(request.makeResponse(code: .noPermission, remark: "Can not update config in black list."))
        case .applied(let brokerPermissionChanged):
            if brokerPermissionChanged { metadata.nextTopicsVersion() }
            return metadata.answeringAfterRegistration(since: version, on: context.connection.eventLoop, .response(request.makeResponse(code: .success)))
        }
    }

    /// Java `getBrokerRuntimeInfo`: the keys Java's broker and store report. Figures we do not keep have the
    /// value Java reports before it has any: no thread-pool queues (sizes and waits 0, Java's default
    /// capacities), no put latencies (`putMessageDistributeTime` null, maxima 0).
    func getBrokerRuntimeInfo(_ request: RemotingCommand) -> RemotingCommand {
        request.makeResponse(code: .success, body: KVTable(table: runtimeInfo()).encoded())
    }

    func runtimeInfo() -> [String: String] {
        let config = metadata.config
        let now = metadata.clock()
        let snapshot = stats.snapshot
        var info: [String: String] = [:]

        // Java StoreStatsService.
        let putTimes = max(1, snapshot.putTotal)
        let putSize = max(0, store.maxPhysicalOffset - stats.bootPhysicalOffset)
        info["bootTimestamp"] = String(stats.bootTimestamp)
        info["runtime"] = Self.formatRuntime(now - stats.bootTimestamp)
        info["putMessageEntireTimeMax"] = "0"
        info["putMessageTimesTotal"] = String(putTimes)
        info["putMessageFailedTimes"] = "0"
        info["putMessageSizeTotal"] = String(putSize)
        info["putMessageDistributeTime"] = "null"
        info["putMessageAverageSize"] = JavaDouble.toString(Double(putSize) / Double(putTimes))
        info["dispatchMaxBuffer"] = "0"
        info["getMessageEntireTimeMax"] = "0"
        info["putTps"] = snapshot.putTps.map { $0.map(JavaDouble.toString) ?? "" }.joined(separator: " ")
        func rates(_ values: [Double?]) -> String { values.map { $0.map(JavaDouble.toString) ?? "" }.joined(separator: " ") }
        info["getFoundTps"] = rates(snapshot.getFoundTps)
        info["getMissTps"] = rates(snapshot.getMissTps)
        // Java adds found and miss, each 0 while the broker is younger than the window.
        info["getTotalTps"] = zip(snapshot.getFoundTps, snapshot.getMissTps)
            .map { JavaDouble.toString(($0 ?? 0) + ($1 ?? 0)) }.joined(separator: " ")
        info["getTransferedTps"] = rates(snapshot.getTransferredTps)
        info["putLatency99"] = "0.00"
        info["putLatency999"] = "0.00"

        // Java DefaultMessageStore.getRuntimeInfo.
        let storeConfig = store.config
        let commitLogRatio = DiskUsage.usedRatio(storeConfig.storePathCommitLog)
        info["commitLogDiskRatio_\(storeConfig.storePathCommitLog)"] = JavaDouble.toString(commitLogRatio)
        info["commitLogDiskRatio"] = JavaDouble.toString(commitLogRatio)
        info["consumeQueueDiskRatio"] = JavaDouble.toString(DiskUsage.usedRatio(storeConfig.storePathConsumeQueue))
        for entry in schedule.offsetTable.offsetTable {
            let maxOffset = store.getMaxOffsetInQueue(topic: TopicValidator.scheduleTopic, queueId: entry.level - 1)
            info["scheduleMessageOffset_\(entry.level)"] = "\(entry.offset),\(maxOffset)"
        }
        info["commitLogMinOffset"] = String(store.minPhysicalOffset)
        info["commitLogMaxOffset"] = String(store.maxPhysicalOffset)

        // Java AdminBrokerProcessor.prepareRuntimeInfo.
        info["brokerVersionDesc"] = MQVersion.description(of: MQVersion.current)
        info["brokerVersion"] = String(MQVersion.current)
        info["msgPutTotalYesterdayMorning"] = String(snapshot.yesterdayMorning)
        info["msgPutTotalTodayMorning"] = String(snapshot.todayMorning)
        info["msgPutTotalTodayNow"] = String(snapshot.putTotal)
        info["msgGetTotalYesterdayMorning"] = String(snapshot.getYesterdayMorning)
        info["msgGetTotalTodayMorning"] = String(snapshot.getTodayMorning)
        info["msgGetTotalTodayNow"] = String(snapshot.getTotal)
        info["sendThreadPoolQueueSize"] = "0"
        info["sendThreadPoolQueueCapacity"] = "10000"
        info["pullThreadPoolQueueSize"] = "0"
        info["pullThreadPoolQueueCapacity"] = "100000"
        info["queryThreadPoolQueueSize"] = "0"
        info["queryThreadPoolQueueCapacity"] = "20000"
        info["EndTransactionQueueSize"] = "0"
        info["EndTransactionThreadPoolQueueCapacity"] = "100000"
        info["dispatchBehindBytes"] = String(store.dispatchBehindBytes)
        info["pageCacheLockTimeMills"] = "0"
        info["sendThreadPoolQueueHeadWaitTimeMills"] = "0"
        info["pullThreadPoolQueueHeadWaitTimeMills"] = "0"
        info["queryThreadPoolQueueHeadWaitTimeMills"] = "0"
        info["earliestMessageTimeStamp"] = String(store.getEarliestMessageTime())
        info["startAcceptSendRequestTimeStamp"] = String(config.startAcceptSendRequestTimeStamp)
        // No transient store pool: Java reports Integer.MAX_VALUE then.
        info["remainTransientStoreBufferNumbs"] = String(Int32.max)
        info["remainHowManyDataToFlush"] = DiskUsage.humanReadableByteCount(max(0, store.maxPhysicalOffset - store.flushedPhysicalOffset))
        if let space = DiskUsage.space(storeConfig.storePathRootDir) {
            info["commitLogDirCapacity"] = "Total : \(DiskUsage.humanReadableByteCount(space.total)), Free : \(DiskUsage.humanReadableByteCount(space.usable))."
        }
        return info
    }

    /// Java `ViewBrokerStatsData`: a stats item's figures over the last minute, hour and day. We keep
    /// TOPIC_PUT_NUMS, GROUP_GET_NUMS, GROUP_GET_SIZE, BROKER_PUT_NUMS and BROKER_GET_NUMS (what `mqadmin
    /// statsAll` reads); any other item, or one nothing was counted under yet, is Java's "not exist".
    func viewBrokerStatsData(_ request: RemotingCommand) throws -> RemotingCommand {
        let header = try request.decodeHeader(ViewBrokerStatsDataRequestHeader.self)
        guard let figures = stats.itemFigures(name: header.statsName, key: header.statsKey, clusterName: metadata.config.brokerClusterName) else {
            return request.makeResponse(code: .systemError, remark: "The stats <\(header.statsName)> <\(header.statsKey)> not exist")
        }
        let body = BrokerStatsData(statsMinute: figures.minute, statsHour: figures.hour, statsDay: figures.day)
        return request.makeResponse(code: .success, body: body.encoded())
    }

    /// The ACL requests (UPDATE_AND_CREATE_ACL_CONFIG, DELETE_ACL_CONFIG, UPDATE_GLOBAL_WHITE_ADDRS_CONFIG,
    /// GET_BROKER_CLUSTER_ACL_INFO) answered as a 4.9.8 broker without ACL answers them: it has no access
    /// validator, so each update fails with its FAILED code and no remark (Java's NullPointerException has no
    /// message), and the version query gets no answer at all. We implement no ACL, whatever `aclEnable` says.
    func aclConfigWithoutACL(_ request: RemotingCommand) throws -> ProcessorResult {
        // Java decodes the header first: a missing accessKey is refused before anything else.
        switch request.requestCode {
        case .updateAndCreateAclConfig:
            _ = try request.decodeHeader(CreateAccessConfigRequestHeader.self)
            return .response(request.makeResponse(code: .updateAndCreateAclConfigFailed))
        case .deleteAclConfig:
            _ = try request.decodeHeader(DeleteAccessConfigRequestHeader.self)
            return .response(request.makeResponse(code: .deleteAclConfigFailed))
        case .updateGlobalWhiteAddrsConfig:
            _ = try request.decodeHeader(UpdateGlobalWhiteAddrsConfigRequestHeader.self)
            return .response(request.makeResponse(code: .updateGlobalWhiteAddrsConfigFailed))
        default:
            logger.debug("GET_BROKER_CLUSTER_ACL_INFO without ACL: not answered, as Java")
            return .none
        }
    }

    /// Java `StoreStatsService.getFormatRuntime`.
    static func formatRuntime(_ millis: Int64) -> String {
        let time = max(0, millis)
        let day: Int64 = 86_400_000
        let hour: Int64 = 3_600_000
        let minute: Int64 = 60_000
        return "[ \(time / day) days, \(time % day / hour) hours, \(time % hour / minute) minutes, \(time % minute / 1000) seconds ]"
    }
}
