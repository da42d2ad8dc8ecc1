import NIOCore
import RocketMQModel
import Testing

@Suite struct MessageIdTests {
    @Test func offsetMsgIdIPv4() throws {
        let host = MessageHost(ipv4: 127, 0, 0, 1, port: 10911)
        // capture 09-queryMsgById: commit-log offset 679.
        #expect(MessageId.offsetMsgId(storeHost: host, physicalOffset: 679) == "7F00000100002A9F00000000000002A7")
        let decoded = try #require(MessageId.decodeOffsetMsgId("7F00000100002A9F00000000000002A7"))
        #expect(decoded.host == host)
        #expect(decoded.host.description == "127.0.0.1:10911")
        #expect(decoded.physicalOffset == 679)
        // Java upper-cases before decoding.
        #expect(MessageId.decodeOffsetMsgId("7f00000100002a9f00000000000002a7")?.physicalOffset == 679)
    }

    @Test func offsetMsgIdExtremes() throws {
        let host = MessageHost(ipv4: 255, 255, 255, 255, port: Int32.max)
        let id = MessageId.offsetMsgId(storeHost: host, physicalOffset: Int64.max)
        #expect(id == "FFFFFFFF7FFFFFFF7FFFFFFFFFFFFFFF")
        let decoded = try #require(MessageId.decodeOffsetMsgId(id))
        #expect(decoded.host == host)
        #expect(decoded.physicalOffset == Int64.max)
        #expect(MessageId.offsetMsgId(storeHost: MessageHost(ipv4: 0, 0, 0, 0, port: 0), physicalOffset: 0) == String(repeating: "0", count: 32))
    }

    @Test func offsetMsgIdIPv6() throws {
        let host = try #require(MessageHost(ipv6: "fe80::1:2", port: 10911))
        let id = MessageId.offsetMsgId(storeHost: host, physicalOffset: 0x1234_5678_9ABC)
        #expect(id.count == 56)
        #expect(id == "FE800000000000000000000000010002" + "00002A9F" + "0000123456789ABC")
        let decoded = try #require(MessageId.decodeOffsetMsgId(id))
        #expect(decoded.host == host)
        #expect(decoded.host.isIPv6)
        #expect(decoded.physicalOffset == 0x1234_5678_9ABC)
    }

    @Test(arguments: [
        "", "7F00000100002A9F00000000000002A", "7F00000100002A9F00000000000002A70", "7F00000100002A9F00000000000002AG",
        "7F00000100002A9F 0000000000002A7", "7F00000100002A9F0000000000000-A7", String(repeating: "0", count: 40),
        String(repeating: "Z", count: 56), "７F00000100002A9F00000000000002A",
    ])
    func garbageIsNil(_ id: String) {
        #expect(MessageId.decodeOffsetMsgId(id) == nil)
    }

    @Test func uniqueKeyLayoutMatchesCapture() {
        // capture 03: C0000202 6181 5FFD2B27 807B6B86 0003 — 192.0.2.2, pid 0x6181, hash, ms since month start, counter.
        var generator = UniqueKeyGenerator(ipAddress: [192, 0, 2, 2], pid: 0x6181, hash: 0x5FFD_2B27, counter: 3)
        #expect(generator.prefix == "C000020261815FFD2B27")
        let monthStart: Int64 = 1_793_491_200_000  // 2026-11-01T00:00:00Z
        let id = generator.next(nowMillis: monthStart + 0x807B_6B86)
        #expect(id == "C000020261815FFD2B27807B6B860003")
        #expect(id.count == 32)
        #expect(generator.counter == 4)
        #expect(generator.next(nowMillis: monthStart + 1) == "C000020261815FFD2B27000000010004")
    }

    @Test func uniqueKeyPidUsesLowBitsAndCounterWraps() {
        var generator = UniqueKeyGenerator(ipAddress: [127, 0, 0, 1], pid: 0x0012_3456, hash: -1, counter: 0xFFFF)
        #expect(generator.prefix == "7F0000013456FFFFFFFF")
        let first = generator.next(nowMillis: 1_793_491_200_000)
        #expect(first.hasSuffix("00000000FFFF"))
        #expect(generator.next(nowMillis: 1_793_491_200_000).hasSuffix("000000000000"))
    }

    @Test func monthBounds() {
        // 2024-02-15T12:00Z lies in February of a leap year.
        let bounds = UniqueKeyGenerator.monthBounds(containing: 1_707_998_400_000, utcOffsetMillis: 0)
        #expect(bounds.start == 1_706_745_600_000)  // 2024-02-01
        #expect(bounds.next == 1_709_251_200_000)  // 2024-03-01
        // At UTC+8, 2024-02-29T20:00Z is already March 1st locally.
        let shifted = UniqueKeyGenerator.monthBounds(containing: 1_709_236_800_000, utcOffsetMillis: 8 * 3_600_000)
        #expect(shifted.start == 1_709_251_200_000 - 8 * 3_600_000)
        // December rolls into January; before 1970 works too.
        let december = UniqueKeyGenerator.monthBounds(containing: 1_703_980_800_000, utcOffsetMillis: 0)  // 2023-12-31
        #expect(december.start == 1_701_388_800_000)  // 2023-12-01
        #expect(december.next == 1_704_067_200_000)  // 2024-01-01
        let old = UniqueKeyGenerator.monthBounds(containing: -1, utcOffsetMillis: 0)  // 1969-12-31T23:59:59.999Z
        #expect(old.start == -2_678_400_000)  // 1969-12-01
        #expect(old.next == 0)
    }
}
