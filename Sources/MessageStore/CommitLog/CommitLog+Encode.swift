import NIOCore
import RocketMQModel

/// One message with everything but QUEUEOFFSET, PHYSICALOFFSET and STORETIMESTAMP worked out outside the append
/// lock (length, BODYCRC, flags, the delay rewrite). Under the lock, ``write(to:queueOffset:physicalOffset:storeTimestamp:)``
/// lays it out straight into the mapped file: field stores and copies, no intermediate buffer.
struct PreparedMessage: Sendable {
    /// Topic and queue, after the delay rewrite.
    var key: CommitLog.TopicQueueKey
    var length: Int
    var bodyCRC: Int32
    var flag: Int32
    var sysFlag: MessageSysFlag
    var bornTimestamp: Int64
    var bornHost: MessageHost
    var storeHost: MessageHost
    var reconsumeTimes: Int32
    var preparedTransactionOffset: Int64
    var body: ByteBuffer
    var properties: ByteBuffer
    /// False for prepared and rollback transaction messages, which take queue offset 0 and no consume-queue unit.
    var consumesQueueOffset: Bool

    /// Writes the entry (§4.1) at `base` except its first four bytes, TOTALSIZE, which the caller stores last.
    func write(to base: UnsafeMutableRawPointer, queueOffset: Int64, physicalOffset: Int64, storeTimestamp: Int64) {
        var out = EntryWriter(base: base, position: 4)
        out.int32(CommitLog.messageMagicCode)
        out.int32(self.bodyCRC)
        out.int32(self.key.queueId)
        out.int32(self.flag)
        out.int64(queueOffset)
        out.int64(physicalOffset)
        out.int32(self.sysFlag.rawValue)
        out.int64(self.bornTimestamp)
        out.host(self.bornHost)
        out.int64(storeTimestamp)
        out.host(self.storeHost)
        out.int32(self.reconsumeTimes)
        out.int64(self.preparedTransactionOffset)
        out.int32(Int32(self.body.readableBytes))
        // The copies take the destination as a constant: a closure capturing `out` costs exclusivity checks.
        var destination = base + out.position
        self.body.withUnsafeReadableBytes { EntryWriter.copy($0, to: destination) }
        out.position += self.body.readableBytes
        let topic = self.key.topic.utf8
        out.int8(Int8(topic.count))
        destination = base + out.position
        if topic.withContiguousStorageIfAvailable({ EntryWriter.copy(UnsafeRawBufferPointer($0), to: destination) }) == nil {
            Array(topic).withUnsafeBytes { EntryWriter.copy($0, to: destination) }
        }
        out.position += topic.count
        out.int16(Int16(self.properties.readableBytes))
        destination = base + out.position
        self.properties.withUnsafeReadableBytes { EntryWriter.copy($0, to: destination) }
        out.position += self.properties.readableBytes
        assert(out.position == self.length, "entry length \(self.length), wrote \(out.position)")
    }
}

/// A batch's entries (§4.5 turned into §4.1 entries) encoded back to back outside the lock; under it they are
/// copied and each entry's offsets and store time patched.
struct EncodedBatch: Sendable {
    var buffer: ByteBuffer
    /// Each entry's TOTALSIZE.
    var entryLengths: [Int32]
    var key: CommitLog.TopicQueueKey
    var storeTimestampPosition: Int
    var storeHost: MessageHost
}

/// Big-endian stores at a moving position (a value type, so the stores need no exclusivity checks at run time).
struct EntryWriter {
    let base: UnsafeMutableRawPointer
    var position: Int

    mutating func int8(_ value: Int8) {
        (self.base + self.position).storeBytes(of: value, as: Int8.self)
        self.position += 1
    }

    mutating func int16(_ value: Int16) {
        (self.base + self.position).storeBytes(of: value.bigEndian, as: Int16.self)
        self.position += 2
    }

    mutating func int32(_ value: Int32) {
        (self.base + self.position).storeBytes(of: value.bigEndian, as: Int32.self)
        self.position += 4
    }

    mutating func int64(_ value: Int64) {
        (self.base + self.position).storeBytes(of: value.bigEndian, as: Int64.self)
        self.position += 8
    }

    /// 4 or 16 address bytes, then the port.
    mutating func host(_ host: MessageHost) {
        switch host.address {
        case .ipv4(let address):
            self.int32(Int32(bitPattern: address))
        case .ipv6(let high, let low):
            self.int64(Int64(bitPattern: high))
            self.int64(Int64(bitPattern: low))
        }
        self.int32(host.port)
    }

    static func copy(_ bytes: UnsafeRawBufferPointer, to destination: UnsafeMutableRawPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        destination.copyMemory(from: source, byteCount: bytes.count)
    }
}

extension CommitLog {
    /// Prepares one message (Java `MessageExtEncoder.encode` after `CommitLog.asyncPutMessage`'s preparation):
    /// a delayed NOT_TYPE/COMMIT message moves to `SCHEDULE_TOPIC_XXXX` queue `level - 1` with `REAL_TOPIC` and
    /// `REAL_QID` added (§5.7); the host V6 bits follow the hosts; BODYCRC is computed. Size limits give
    /// MESSAGE_ILLEGAL or PROPERTIES_SIZE_EXCEEDED as in Java.
    func prepare(_ message: borrowing BrokerInnerMessage) throws(PutMessageFailure) -> PreparedMessage {
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
        guard Self.isStorableTopic(topic) else { throw .messageIllegal }
        let propertiesLength = rawProperties.readableBytes
        if propertiesLength > Int(Int16.max) {
            // Java measures the string in UTF-16 units first (MESSAGE_ILLEGAL), then in bytes.
            throw String(buffer: rawProperties).utf16.count > Int(Int16.max) ? .messageIllegal : .propertiesSizeExceeded
        }
        let bodyLength = message.body.readableBytes
        guard bodyLength <= self.config.maxMessageSize else { throw .messageIllegal }
        let length = StoredMessage.encodedLength(
            bodyLength: bodyLength, topicLength: topicLength, propertiesLength: propertiesLength,
            bornHostV6: message.bornHost.isIPv6, storeHostV6: message.storeHost.isIPv6)
        guard length <= self.config.maxMessageSize + Self.maxEntryOverhead,
            length + Self.endFileMinBlankLength <= self.mappedFileSize
        else { throw .messageIllegal }
        return PreparedMessage(
            key: TopicQueueKey(topic: topic, queueId: queueId), length: length, bodyCRC: CRC32.masked(message.body),
            flag: message.flag, sysFlag: sysFlag, bornTimestamp: message.bornTimestamp, bornHost: message.bornHost,
            storeHost: message.storeHost, reconsumeTimes: message.reconsumeTimes,
            preparedTransactionOffset: message.preparedTransactionOffset, body: message.body, properties: rawProperties,
            consumesQueueOffset: transactionType == .notType || transactionType == .commit)
    }

    /// Encodes a batch (Java `MessageExtEncoder.encode(MessageExtBatch)`): each §4.5 entry becomes a stored
    /// message with the batch's topic, queue, sysFlag, hosts and times, its own flag, body and properties, and the
    /// batch-level properties appended. Transaction or delayed batches are MESSAGE_ILLEGAL, as in Java.
    func encode(_ batch: borrowing BrokerInnerBatch) throws(PutMessageFailure) -> EncodedBatch {
        let topicLength = batch.topic.utf8.count
        guard Self.isStorableTopic(batch.topic), batch.body.readableBytes <= self.config.maxMessageSize,
            batch.sysFlag.transactionType == .notType, batch.delayTimeLevel <= 0
        else { throw .messageIllegal }
        guard let entries = try? MessageBatch.decode(batch.body), !entries.isEmpty else { throw .messageIllegal }
        guard batch.batchProperties.readableBytes <= Int(Int16.max) else { throw .propertiesSizeExceeded }
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
            guard properties.readableBytes <= Int(Int16.max) else { throw .propertiesSizeExceeded }
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
        guard buffer.readableBytes + Self.endFileMinBlankLength <= self.mappedFileSize else { throw .messageIllegal }
        return EncodedBatch(
            buffer: buffer, entryLengths: lengths, key: TopicQueueKey(topic: batch.topic, queueId: batch.queueId),
            storeTimestampPosition: Self.storeTimestampPosition(sysFlag: sysFlag), storeHost: batch.storeHost)
    }

    /// A topic the log can hold: 1…127 UTF-8 bytes (the length is one signed byte; Java checks UTF-16 units), and
    /// no zero byte or slash, since it names a consume-queue directory and recovery treats such bytes as damage.
    static func isStorableTopic(_ topic: String) -> Bool {
        let utf8 = topic.utf8
        guard !utf8.isEmpty && utf8.count <= Int(Int8.max) else { return false }
        func clean(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            !bytes.contains(where: { $0 == 0 || $0 == UInt8(ascii: "/") })
        }
        return utf8.withContiguousStorageIfAvailable(clean) ?? Array(utf8).withUnsafeBufferPointer(clean)
    }

    /// Appends a prepared message and describes where it went.
    func append(_ message: borrowing PreparedMessage) -> PutMessageResult {
        do throws(StoreError) {
            let placement = try self.place(message)
            return PutMessageResult(status: .putOK, appendResult: AppendMessageResult(
                status: .putOK, wroteOffset: placement.wroteOffset, wroteBytes: Int32(message.length),
                storeTimestamp: placement.storeTimestamp, queueOffset: placement.queueOffset, messageCount: 1,
                storeHost: message.storeHost))
        } catch {
            return self.appendFailed(error)
        }
    }

    /// Appends an encoded batch and describes where its entries went.
    func append(_ batch: borrowing EncodedBatch) -> PutMessageResult {
        do throws(StoreError) {
            let placement = try self.place(batch)
            var offsets: [Int64] = []
            offsets.reserveCapacity(batch.entryLengths.count)
            var offset = placement.wroteOffset
            for length in batch.entryLengths {
                offsets.append(offset)
                offset += Int64(length)
            }
            return PutMessageResult(status: .putOK, appendResult: AppendMessageResult(
                status: .putOK, wroteOffset: placement.wroteOffset, wroteBytes: Int32(batch.buffer.readableBytes),
                storeTimestamp: placement.storeTimestamp, queueOffset: placement.queueOffset,
                messageCount: Int32(batch.entryLengths.count), storeHost: batch.storeHost, batchPhysicalOffsets: offsets))
        } catch {
            return self.appendFailed(error)
        }
    }

    /// Nothing was written but, when the log rolled, a BLANK filler that ends the full file as Java's does.
    private func appendFailed(_ error: StoreError) -> PutMessageResult {
        self.logger.error("could not create a commit-log file", metadata: ["error": "\(error)"])
        if error.isOutOfSpace && self.runningFlags.getAndMakeDiskFull() {
            self.logger.error("disk full: puts refused until the disk check finds room")
        }
        return PutMessageResult(status: .createMappedFileFailed)
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
