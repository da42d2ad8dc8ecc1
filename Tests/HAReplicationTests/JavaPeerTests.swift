import FixtureSupport
import HAReplication
import MessageStore
import NIOCore
import RocketMQModel
import Testing

/// Capture 11's HA session replayed against our side: our slave follows the Java master's stream, and our
/// master streams the same commit-log bytes to a peer reporting what the Java slave reported.
@Suite struct JavaPeerTests {
    static func javaTransfers() throws -> [HATransfer] {
        var buffer = ByteBuffer(bytes: try Fixtures.bytes(HACodecTests.stream))
        var transfers: [HATransfer] = []
        while let transfer = try HATransferDecoder().decode(&buffer) { transfers.append(transfer) }
        return transfers
    }

    /// The Java master's transfers, sent one at a time to our HAClient: it reports 0 on connecting and then
    /// each new end offset, as the Java slave did (0, 15046, 15270, 15495, 15719), and ends with the Java
    /// master's commit log and the three messages in their consume queue.
    @Test func ourSlaveFollowsTheJavaMastersStream() async throws {
        try await withTemporaryDirectory { root in
            var config = haConfig(root: root, role: .slave)
            config.mappedFileSizeCommitLog = 1024 * 1024 * 1024
            let slave = try openStore(config)
            defer { slave.shutdown() }
            let master = try await RawServer.bind()
            let client = HAClient(store: slave, masterAddress: "127.0.0.1:\(master.port)", logger: testLogger)
            let following = Task { await client.run() }
            defer { following.cancel() }
            var accepted = master.accepted.makeAsyncIterator()
            let connection = try #require(await accepted.next())

            var reports = ByteBuffer()
            var expected: [Int64] = [0]
            await master.receive(count: 8, into: &reports)
            let transfers = try Self.javaTransfers()
            for transfer in transfers.prefix(5) {
                var bytes = ByteBuffer()
                transfer.encode(into: &bytes)
                try await connection.writeAndFlush(bytes)
                if !transfer.isHeartbeat {
                    expected.append(transfer.endOffset)
                    await master.receive(count: 8 * expected.count - reports.readableBytes, into: &reports)
                }
            }
            var decoded: [Int64] = []
            while let report = try HASlaveReport.decode(&reports) { decoded.append(report.maxOffset) }
            #expect(decoded == [0, 15046, 15270, 15495, 15719])
            var javaReports = ByteBuffer(bytes: try Fixtures.bytes(HACodecTests.reports))
            var java: [Int64] = []
            while let report = try HASlaveReport.decode(&javaReports) { java.append(report.maxOffset) }
            #expect(Array(java.prefix(5)) == decoded)

            await slave.waitForDispatch(upTo: 15719)
            let javaLog = transfers.filter { !$0.isHeartbeat }.flatMap { Array($0.body.readableBytesView) }
            #expect(commitLogBytes(slave) == javaLog)
            let sent = try StoredMessage.decodeAll(ByteBuffer(bytes: javaLog.suffix(15719 - 15046)))
            #expect(sent.count == 3)
            for message in sent {
                let read = slave.getMessage(group: "G", topic: message.topic, queueId: message.queueId, offset: message.queueOffset, maxMsgNums: 1)
                #expect(read.status == .found)
                #expect(read.messagePhysicalOffsets == [message.physicalOffset])
            }
            following.cancel()
            await following.value
            // The slave's end closed it.
            try? await connection.close()
            try? await master.channel.close()
        }
    }

    /// Our master holding the Java master's commit log, block by block as Java wrote it, and a peer reporting
    /// what the Java slave reported: the transfers are the Java master's, byte for byte (heartbeat first).
    @Test func ourMasterStreamsWhatTheJavaMasterStreamed() async throws {
        try await withTemporaryDirectory { root in
            var config = haConfig(root: root, role: .slave)
            config.mappedFileSizeCommitLog = 1024 * 1024 * 1024
            config.haTransferBatchSize = 32 * 1024
            // A store filled with the Java bytes (appended as a slave would), served by an HAService.
            let store = try openStore(config)
            defer { store.shutdown() }
            let transfers = try Self.javaTransfers()
            let blocks = transfers.filter { !$0.isHeartbeat }
            #expect(store.appendToCommitLog(at: 0, data: blocks[0].body) == .appended)
            let service = HAService(store: store, logger: testLogger)
            let port = try #require(try await service.bind(host: "127.0.0.1", port: 0).port)
            let peer = try await RawPeer.connect(port: port)
            var report = ByteBuffer()
            HASlaveReport(maxOffset: 0).encode(into: &report)
            try await peer.send(report)

            var received = ByteBuffer()
            var ours: [HATransfer] = []
            func next() async throws -> HATransfer {
                while true {
                    if let transfer = try HATransferDecoder().decode(&received) { return transfer }
                    var more = await peer.receive(count: 1)
                    guard more.readableBytes > 0 else { throw HAFrameError.negativeOffset(-1) }
                    received.writeBuffer(&more)
                }
            }
            ours.append(try await next())
            ours.append(try await next())
            for block in blocks.dropFirst() {
                #expect(store.appendToCommitLog(at: block.physicalOffset, data: block.body) == .appended)
                var ack = ByteBuffer()
                HASlaveReport(maxOffset: block.physicalOffset).encode(into: &ack)
                try await peer.send(ack)
                ours.append(try await next())
            }
            #expect(ours == Array(transfers.prefix(5)))
            try? await peer.channel.close()
            await service.shutdown()
        }
    }
}
