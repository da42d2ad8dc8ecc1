import NIOCore
import RocketMQModel

/// Entries encoded outside the append lock, ready for ``CommitLog/append(encoded:entryLengths:key:consumesQueueOffset:storeTimestampPosition:)``.
struct EncodedEntries: Sendable {
    var buffer: ByteBuffer
    /// Each entry's TOTALSIZE for a batch; nil for one message.
    var entryLengths: [Int32]?
    var key: CommitLog.TopicQueueKey
    /// False for prepared and rollback transaction messages, which take queue offset 0 and no consume-queue unit.
    var consumesQueueOffset: Bool
    var storeTimestampPosition: Int
    var storeHost: MessageHost
}

extension CommitLog {
    /// Encodes one message (Java `MessageExtEncoder.encode` after `CommitLog.asyncPutMessage`'s preparation):
    /// a delayed NOT_TYPE/COMMIT message moves to `SCHEDULE_TOPIC_XXXX` queue `level - 1` with `REAL_TOPIC` and
    /// `REAL_QID` added (§5.7); the host V6 bits follow the hosts; BODYCRC is computed. Size limits give
    /// MESSAGE_ILLEGAL or PROPERTIES_SIZE_EXCEEDED as in Java.
    func encode(_ message: BrokerInnerMessage) -> Result<EncodedEntries, PutMessageFailure> {
        var topic = message.topic
        var queueId = message.queueId
        var rawProperties = message.rawProperties
        var sysFlag = message.sysFlag
        let transactionType = sysFlag.transactionType
        if (transactionType == .notType || transactionType == .commit) && message.delayTimeLevel > 0 && self.maxDelayLevel > 0 {
            let level = min(message.delayTimeLevel, self.maxDelayLevel)
            var properties = MessageProperties(decoding: rawProperties)
            if level != message.delayTimeLevel {
                properties[MessageConst.delayTimeLevel] = String(level)
            }
            properties[MessageConst.realTopic] = topic
            properties[MessageConst.realQueueId] = String(queueId)
            rawProperties = ByteBuffer()
            properties.write(to: &rawProperties)
            topic = TopicValidator.scheduleTopic
            queueId = level - 1
        }
        if message.bornHost.isIPv6 { sysFlag.insert(.bornHostV6) } else { sysFlag.remove(.bornHostV6) }
        if message.storeHost.isIPv6 { sysFlag.insert(.storeHostV6) } else { sysFlag.remove(.storeHostV6) }

        // DefaultMessageStore.checkMessage, then the encoder's checks.
        let topicLength = topic.utf8.count
        guard Self.isStorableTopic(topic) else { return .failure(.messageIllegal) }
        let propertiesLength = rawProperties.readableBytes
        if propertiesLength > Int(Int16.max) {
            // Java measures the string in UTF-16 units first (MESSAGE_ILLEGAL), then in bytes.
            return .failure(String(buffer: rawProperties).utf16.count > Int(Int16.max) ? .messageIllegal : .propertiesSizeExceeded)
        }
        let bodyLength = message.body.readableBytes
        guard bodyLength <= self.config.maxMessageSize else { return .failure(.messageIllegal) }
        let length = StoredMessage.encodedLength(
            bodyLength: bodyLength, topicLength: topicLength, propertiesLength: propertiesLength,
            bornHostV6: message.bornHost.isIPv6, storeHostV6: message.storeHost.isIPv6)
        guard length <= self.config.maxMessageSize + Self.maxEntryOverhead,
            length + Self.endFileMinBlankLength <= self.mappedFileSize
        else { return .failure(.messageIllegal) }

        var buffer = ByteBuffer()
        buffer.reserveCapacity(length)
        buffer.writeMultipleIntegers(
            Int32(length), Self.messageMagicCode, CRC32.masked(message.body), queueId, message.flag,
            Int64(0), Int64(0), sysFlag.rawValue, message.bornTimestamp)
        message.bornHost.write(to: &buffer)
        buffer.writeInteger(Int64(0))
        message.storeHost.write(to: &buffer)
        buffer.writeMultipleIntegers(message.reconsumeTimes, message.preparedTransactionOffset, Int32(bodyLength))
        buffer.writeImmutableBuffer(message.body)
        buffer.writeInteger(Int8(topicLength))
        buffer.writeString(topic)
        buffer.writeInteger(Int16(propertiesLength))
        buffer.writeImmutableBuffer(rawProperties)
        return .success(EncodedEntries(
            buffer: buffer, entryLengths: nil, key: TopicQueueKey(topic: topic, queueId: queueId),
            consumesQueueOffset: transactionType == .notType || transactionType == .commit,
            storeTimestampPosition: Self.storeTimestampPosition(sysFlag: sysFlag), storeHost: message.storeHost))
    }

    /// Encodes a batch (Java `MessageExtEncoder.encode(MessageExtBatch)`): each §4.5 entry becomes a stored
    /// message with the batch's topic, queue, sysFlag, hosts and times, its own flag, body and properties, and the
    /// batch-level properties appended. Transaction or delayed batches are MESSAGE_ILLEGAL, as in Java.
    func encode(_ batch: BrokerInnerBatch) -> Result<EncodedEntries, PutMessageFailure> {
        let topicLength = batch.topic.utf8.count
        guard Self.isStorableTopic(batch.topic), batch.body.readableBytes <= self.config.maxMessageSize,
            batch.sysFlag.transactionType == .notType, batch.delayTimeLevel <= 0
        else { return .failure(.messageIllegal) }
        guard let entries = try? MessageBatch.decode(batch.body), !entries.isEmpty else { return .failure(.messageIllegal) }
        guard batch.batchProperties.readableBytes <= Int(Int16.max) else { return .failure(.propertiesSizeExceeded) }
        var sysFlag = batch.sysFlag
        if batch.bornHost.isIPv6 { sysFlag.insert(.bornHostV6) } else { sysFlag.remove(.bornHostV6) }
        if batch.storeHost.isIPv6 { sysFlag.insert(.storeHostV6) } else { sysFlag.remove(.storeHostV6) }
        let batchProperties = String(buffer: batch.batchProperties)

        var buffer = ByteBuffer()
        buffer.reserveCapacity(batch.body.readableBytes + entries.count * (91 + topicLength + batch.batchProperties.readableBytes + 1))
        var lengths: [Int32] = []
        lengths.reserveCapacity(entries.count)
        for entry in entries {
            let properties = entry.storedProperties(appending: batchProperties)
            guard properties.readableBytes <= Int(Int16.max) else { return .failure(.propertiesSizeExceeded) }
            let bodyLength = entry.body.readableBytes
            let length = StoredMessage.encodedLength(
                bodyLength: bodyLength, topicLength: topicLength, propertiesLength: properties.readableBytes,
                bornHostV6: batch.bornHost.isIPv6, storeHostV6: batch.storeHost.isIPv6)
            buffer.writeMultipleIntegers(
                Int32(length), Self.messageMagicCode, CRC32.masked(entry.body), batch.queueId, entry.flag,
                Int64(0), Int64(0), sysFlag.rawValue, batch.bornTimestamp)
            batch.bornHost.write(to: &buffer)
            buffer.writeInteger(Int64(0))
            batch.storeHost.write(to: &buffer)
            buffer.writeMultipleIntegers(batch.reconsumeTimes, Int64(0), Int32(bodyLength))
            buffer.writeImmutableBuffer(entry.body)
            buffer.writeInteger(Int8(topicLength))
            buffer.writeString(batch.topic)
            buffer.writeInteger(Int16(properties.readableBytes))
            buffer.writeImmutableBuffer(properties)
            lengths.append(Int32(length))
        }
        guard buffer.readableBytes + Self.endFileMinBlankLength <= self.mappedFileSize else { return .failure(.messageIllegal) }
        return .success(EncodedEntries(
            buffer: buffer, entryLengths: lengths, key: TopicQueueKey(topic: batch.topic, queueId: batch.queueId),
            consumesQueueOffset: true, storeTimestampPosition: Self.storeTimestampPosition(sysFlag: sysFlag),
            storeHost: batch.storeHost))
    }

    /// A topic the log can hold: 1…127 UTF-8 bytes (the length is one signed byte; Java checks UTF-16 units), and
    /// no zero byte or slash, since it names a consume-queue directory and recovery treats such bytes as damage.
    static func isStorableTopic(_ topic: String) -> Bool {
        let utf8 = topic.utf8
        return !utf8.isEmpty && utf8.count <= Int(Int8.max) && !utf8.contains(where: { $0 == 0 || $0 == UInt8(ascii: "/") })
    }

    /// Appends encoded entries and describes where they went.
    func append(_ entries: EncodedEntries) -> PutMessageResult {
        do {
            let placement = try self.append(
                encoded: entries.buffer, entryLengths: entries.entryLengths, key: entries.key,
                consumesQueueOffset: entries.consumesQueueOffset, storeTimestampPosition: entries.storeTimestampPosition)
            var batchOffsets: [Int64] = []
            if let lengths = entries.entryLengths {
                batchOffsets.reserveCapacity(lengths.count)
                var offset = placement.wroteOffset
                for length in lengths {
                    batchOffsets.append(offset)
                    offset += Int64(length)
                }
            }
            let result = AppendMessageResult(
                status: .putOK, wroteOffset: placement.wroteOffset, wroteBytes: Int32(entries.buffer.readableBytes),
                storeTimestamp: placement.storeTimestamp, queueOffset: placement.queueOffset,
                messageCount: Int32(entries.entryLengths?.count ?? 1), storeHost: entries.storeHost,
                batchPhysicalOffsets: batchOffsets)
            return PutMessageResult(status: .putOK, appendResult: result)
        } catch {
            // Nothing was written but, when the log rolled, a BLANK filler that ends the full file as Java's does.
            self.logger.error("could not create a commit-log file", metadata: ["error": "\(error)"])
            if error.isOutOfSpace && self.runningFlags.getAndMakeDiskFull() {
                self.logger.error("disk full: puts refused until the disk check finds room")
            }
            return PutMessageResult(status: .createMappedFileFailed)
        }
    }
}

/// Why a put was refused before anything was written.
enum PutMessageFailure: Error, Sendable {
    case messageIllegal
    case propertiesSizeExceeded

    var status: PutMessageStatus {
        switch self {
        case .messageIllegal: return .messageIllegal
        case .propertiesSizeExceeded: return .propertiesSizeExceeded
        }
    }
}
