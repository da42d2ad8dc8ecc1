import HAReplication
import MessageStore
import NIOCore
import RocketMQModel
import Testing

/// A master and a slave store in one process, replicating over loopback.
@Suite struct ReplicationTests {
    /// Without a slave a SYNC_MASTER put is stored and answered SLAVE_NOT_AVAILABLE; once a slave follows, puts
    /// wait for its acknowledgement and the slave ends with the same commit-log bytes and consume queues.
    @Test(arguments: [FlushDiskType.asyncFlush, .syncFlush])
    func slaveFollowsSyncMaster(flushDiskType: FlushDiskType) async throws {
        try await withTemporaryDirectory { root in
            let master = try openStore(haConfig(root: root + "/master", role: .syncMaster, flushDiskType: flushDiskType))
            let slave = try openStore(haConfig(root: root + "/slave", role: .slave, flushDiskType: flushDiskType))
            defer {
                slave.shutdown()
                master.shutdown()
            }
            let first = await master.putMessage(makeMessage(body: "before the slave"))
            #expect(first.status == .slaveNotAvailable)
            let firstEnd = try #require(first.appendResult).nextOffset

            let service = HAService(store: master, logger: testLogger)
            let address = try await service.bind(host: "127.0.0.1", port: 0)
            let port = try #require(address.port)
            let client = HAClient(store: slave, masterAddress: "127.0.0.1:\(port)", logger: testLogger)
            let following = Task { await client.run() }
            defer { following.cancel() }

            // The message stored before the slave came is replicated from the start of the master's last segment.
            await slave.waitForDispatch(upTo: firstEnd)
            #expect(master.groupTransfer.connectionCount == 1)

            // Puts now wait for the slave: when answered PUT_OK, the slave has reported their end.
            var ends: [Int64] = []
            for index in 0..<400 {
                let body = String(repeating: "m\(index)-", count: 1 + index % 40)
                let result = await master.putMessage(makeMessage(queueId: Int32(index % 4), body: body, keys: "k\(index)"))
                #expect(result.status == .putOK)
                let end = try #require(result.appendResult).nextOffset
                #expect(master.groupTransfer.push2SlaveMaxOffset >= end)
                ends.append(end)
            }
            let end = master.maxPhysicalOffset
            #expect(end > 64 * 1024, "the log rolls into a second segment")
            await master.waitForDispatch(upTo: end)
            await slave.waitForDispatch(upTo: end)
            #expect(slave.maxPhysicalOffset == end)
            #expect(commitLogBytes(slave) == commitLogBytes(master))
            for queueId in Int32(0)..<4 {
                let onMaster = try readQueue(master, queueId: queueId)
                #expect(onMaster.count == (queueId == 0 ? 101 : 100))
                #expect(try readQueue(slave, queueId: queueId) == onMaster)
            }
            // The index is rebuilt too.
            let hits = slave.queryMessage(topic: "TopicTest", key: "k7", maxNum: 32, begin: 0, end: Int64.max)
            #expect(try StoredMessage.decodeAll(hits.body).map { String(buffer: $0.body) } == [String(repeating: "m7-", count: 8)])

            following.cancel()
            await service.shutdown()
        }
    }

    /// A slave that connects and then never acknowledges: SYNC_MASTER puts are stored and answered
    /// FLUSH_SLAVE_TIMEOUT after `slaveTimeout`; the master streamed them in Java's layout all the same.
    @Test func silentSlaveTimesOut() async throws {
        try await withTemporaryDirectory { root in
            var config = haConfig(root: root, role: .syncMaster)
            config.slaveTimeout = 200
            let master = try openStore(config)
            defer { master.shutdown() }
            let service = HAService(store: master, logger: testLogger)
            let port = try #require(try await service.bind(host: "127.0.0.1", port: 0).port)
            let peer = try await RawPeer.connect(port: port)
            var report = ByteBuffer()
            HASlaveReport(maxOffset: 0).encode(into: &report)
            try await peer.send(report)
            // The first transfer is the heartbeat at the start offset.
            var heartbeat = await peer.receive(count: HATransfer.headerSize)
            let first = try #require(try HATransferDecoder().decode(&heartbeat))
            #expect(first == HATransfer.heartbeat(at: 0))

            let result = await master.putMessage(makeMessage(body: "unacknowledged"))
            #expect(result.status == .flushSlaveTimeout)
            let append = try #require(result.appendResult)
            await master.waitForDispatch(upTo: append.nextOffset)
            #expect(master.getMaxOffsetInQueue(topic: "TopicTest", queueId: 0) == 1, "stored all the same")

            // The stream: header (offset 0, size) and the entry's bytes, exactly as the log holds them.
            var stream = heartbeat
            var more = await peer.receive(count: HATransfer.headerSize + Int(append.wroteBytes) - stream.readableBytes)
            stream.writeBuffer(&more)
            let data = try #require(try HATransferDecoder().decode(&stream))
            #expect(data.physicalOffset == 0)
            #expect(Array(data.body.readableBytesView) == commitLogBytes(master))
            let entries = try StoredMessage.decodeAll(data.body, verifyBodyCRC: true)
            #expect(entries.map { String(buffer: $0.body) } == ["unacknowledged"])

            // Its acknowledgement arrives late: later puts are fine again.
            var ack = ByteBuffer()
            HASlaveReport(maxOffset: append.nextOffset).encode(into: &ack)
            try await peer.send(ack)
            try? await peer.channel.close()
            await service.shutdown()
        }
    }

    /// A negative offset report closes the connection; the master keeps serving.
    @Test func malformedReportClosesTheConnection() async throws {
        try await withTemporaryDirectory { root in
            let master = try openStore(haConfig(root: root, role: .asyncMaster))
            defer { master.shutdown() }
            let service = HAService(store: master, logger: testLogger)
            let port = try #require(try await service.bind(host: "127.0.0.1", port: 0).port)
            let peer = try await RawPeer.connect(port: port)
            var report = ByteBuffer()
            report.writeInteger(Int64(-1))
            try await peer.send(report)
            _ = await peer.receive(count: Int.max)
            try await peer.channel.closeFuture.get()
            // ASYNC_MASTER: puts never wait for a slave.
            let result = await master.putMessage(makeMessage(body: "still serving"))
            #expect(result.status == .putOK)
            await service.shutdown()
        }
    }

    /// Without any HA connection, a SYNC_MASTER put whose WAIT is false is answered at once.
    @Test func syncMasterWithoutWaitDoesNotAskForTheSlave() async throws {
        try await withTemporaryDirectory { root in
            let master = try openStore(haConfig(root: root, role: .syncMaster))
            defer { master.shutdown() }
            var message = makeMessage(body: "no wait")
            message.waitStoreMessageOK = false
            #expect(await master.putMessage(message).status == .putOK)
        }
    }

    /// A slave restarted with part of the log reports its end and gets the rest; a slave refuses puts.
    @Test func slaveResumesFromItsOffset() async throws {
        try await withTemporaryDirectory { root in
            let master = try openStore(haConfig(root: root + "/master", role: .asyncMaster))
            defer { master.shutdown() }
            for index in 0..<50 { _ = await master.putMessage(makeMessage(body: "first \(index)")) }
            let service = HAService(store: master, logger: testLogger)
            let port = try #require(try await service.bind(host: "127.0.0.1", port: 0).port)

            let slaveConfig = haConfig(root: root + "/slave", role: .slave)
            let slave = try openStore(slaveConfig)
            try await follow(slave, port: port) {
                await slave.waitForDispatch(upTo: master.maxPhysicalOffset)
                #expect(await slave.putMessage(makeMessage(body: "refused")).status == .serviceNotAvailable)
            }
            slave.shutdown()

            for index in 0..<50 { _ = await master.putMessage(makeMessage(body: "second \(index)")) }
            let reopened = try openStore(slaveConfig)
            try await follow(reopened, port: port) {
                await master.waitForDispatch(upTo: master.maxPhysicalOffset)
                await reopened.waitForDispatch(upTo: master.maxPhysicalOffset)
                #expect(commitLogBytes(reopened) == commitLogBytes(master))
                let onSlave = try readQueue(reopened, queueId: 0)
                let onMaster = try readQueue(master, queueId: 0)
                #expect(onMaster.count == 100)
                #expect(onSlave == onMaster)
            }
            reopened.shutdown()
            await service.shutdown()
        }
    }

    /// Runs `body` while `slave` follows the master on `port`.
    private func follow(_ slave: LocalFileMessageStore, port: Int, _ body: () async throws -> Void) async throws {
        let client = HAClient(store: slave, masterAddress: "127.0.0.1:\(port)", logger: testLogger)
        let following = Task { await client.run() }
        defer { following.cancel() }
        try await body()
        following.cancel()
        await following.value
    }

    /// A connected slave more than `haSlaveFallbehindMax` behind: SLAVE_NOT_AVAILABLE at once (Java's
    /// isSlaveOK), the message stored all the same.
    @Test func laggingSlaveIsNotAvailable() async throws {
        try await withTemporaryDirectory { root in
            var config = haConfig(root: root, role: .syncMaster)
            config.haSlaveFallbehindMax = 512
            config.slaveTimeout = 200
            let master = try openStore(config)
            defer { master.shutdown() }
            let service = HAService(store: master, logger: testLogger)
            let port = try #require(try await service.bind(host: "127.0.0.1", port: 0).port)
            let peer = try await RawPeer.connect(port: port)
            var report = ByteBuffer()
            HASlaveReport(maxOffset: 0).encode(into: &report)
            try await peer.send(report)
            _ = await peer.receive(count: HATransfer.headerSize)
            // Within 512 bytes of the slave's report: the put waits for it (and times out here).
            #expect(await master.putMessage(makeMessage(body: "small")).status == .flushSlaveTimeout)
            // Beyond: not waited for.
            let far = await master.putMessage(makeMessage(body: String(repeating: "x", count: 600)))
            #expect(far.status == .slaveNotAvailable)
            await master.waitForDispatch(upTo: master.maxPhysicalOffset)
            #expect(master.getMaxOffsetInQueue(topic: "TopicTest", queueId: 0) == 2)
            try? await peer.channel.close()
            await service.shutdown()
        }
    }

    /// Without data the master sends a heartbeat (its next offset, size 0) every `haSendHeartbeatInterval`,
    /// and the slave reports its offset as often.
    @Test func heartbeatsAndReportsKeepTheConnectionAlive() async throws {
        try await withTemporaryDirectory { root in
            var config = haConfig(root: root + "/master", role: .asyncMaster)
            config.haSendHeartbeatInterval = 100
            let master = try openStore(config)
            defer { master.shutdown() }
            let end = try #require(await master.putMessage(makeMessage(body: "one")).appendResult).nextOffset
            let service = HAService(store: master, logger: testLogger)
            let port = try #require(try await service.bind(host: "127.0.0.1", port: 0).port)
            let peer = try await RawPeer.connect(port: port)
            var report = ByteBuffer()
            HASlaveReport(maxOffset: 0).encode(into: &report)
            try await peer.send(report)
            var stream = ByteBuffer()
            var transfers: [HATransfer] = []
            while transfers.count < 5 {
                var more = await peer.receive(count: 1)
                guard more.readableBytes > 0 else { break }
                stream.writeBuffer(&more)
                while let transfer = try HATransferDecoder().decode(&stream) { transfers.append(transfer) }
            }
            #expect(transfers.first == HATransfer.heartbeat(at: 0))
            #expect(transfers.dropFirst().first?.endOffset == end)
            #expect(transfers.dropFirst(2).allSatisfy { $0 == HATransfer.heartbeat(at: end) })
            try? await peer.channel.close()
            await service.shutdown()

            var slaveConfig = haConfig(root: root + "/slave", role: .slave)
            slaveConfig.haSendHeartbeatInterval = 100
            let slave = try openStore(slaveConfig)
            defer { slave.shutdown() }
            let fakeMaster = try await RawServer.bind()
            let client = HAClient(store: slave, masterAddress: "127.0.0.1:\(fakeMaster.port)", logger: testLogger)
            let following = Task { await client.run() }
            var reports = ByteBuffer()
            await fakeMaster.receive(count: 3 * HASlaveReport.size, into: &reports)
            var offsets: [Int64] = []
            while let report = try HASlaveReport.decode(&reports) { offsets.append(report.maxOffset) }
            #expect(offsets.count >= 3 && offsets.allSatisfy { $0 == 0 })
            following.cancel()
            await following.value
            try? await fakeMaster.channel.close()
        }
    }

    /// The role is data: a slave's store refuses puts until it is made a master (what a failover will do).
    @Test func roleCanChange() async throws {
        try await withTemporaryDirectory { root in
            let store = try openStore(haConfig(root: root, role: .slave))
            defer { store.shutdown() }
            #expect(await store.putMessage(makeMessage(body: "refused")).status == .serviceNotAvailable)
            store.brokerRole = .syncMaster
            #expect(store.brokerRole == .syncMaster)
            #expect(await store.putMessage(makeMessage(body: "no slave yet")).status == .slaveNotAvailable)
            store.brokerRole = .asyncMaster
            #expect(await store.putMessage(makeMessage(body: "stored")).status == .putOK)
        }
    }

    /// Seeded random bytes: the decoders return transfers, ask for more or throw; they never trap.
    @Test(arguments: 0..<20)
    func garbageNeverTraps(seed: Int) throws {
        var generator = SplitMix64(seed: UInt64(seed))
        let bytes = (0..<(64 + seed * 97)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        var transfers = ByteBuffer(bytes: bytes)
        do {
            while let transfer = try HATransferDecoder().decode(&transfers) {
                #expect(transfer.physicalOffset >= 0)
            }
        } catch {}
        var reports = ByteBuffer(bytes: bytes)
        do {
            while let report = try HASlaveReport.decode(&reports) { #expect(report.maxOffset >= 0) }
        } catch {}
    }
}

/// A small seeded generator for reproducible random bytes.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
