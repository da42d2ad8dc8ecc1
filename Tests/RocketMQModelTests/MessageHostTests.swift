import NIOCore
import RocketMQModel
import Testing

@Suite struct MessageHostTests {
    @Test func parsesIPv4() throws {
        let host = try #require(MessageHost(parsing: "127.0.0.1:10911"))
        #expect(host == MessageHost(ipv4: 127, 0, 0, 1, port: 10911))
        #expect(host.description == "127.0.0.1:10911")
        #expect(host.addressString == "127.0.0.1")
        #expect(host.addressBytes == [127, 0, 0, 1])
        #expect(!host.isIPv6)
        #expect(host.encodedLength == 8)
        #expect(MessageHost(ipv4: "192.168.1.10", port: 10911)?.address == .ipv4(0xC0A8_010A))
    }

    @Test func parsesIPv6() throws {
        let bracketed = try #require(MessageHost(parsing: "[::1]:10911"))
        #expect(bracketed.isIPv6)
        #expect(bracketed.address == .ipv6(high: 0, low: 1))
        #expect(bracketed.addressString == "0:0:0:0:0:0:0:1")
        #expect(bracketed.description == "[0:0:0:0:0:0:0:1]:10911")
        #expect(bracketed.encodedLength == 20)
        // Java's unbracketed form: the last colon separates the port.
        #expect(MessageHost(parsing: "0:0:0:0:0:0:0:1:10911") == bracketed)
        #expect(MessageHost(parsing: bracketed.description) == bracketed)
        let full = try #require(MessageHost(ipv6: "2001:db8:85a3:0:0:8a2e:370:7334", port: 1))
        #expect(full.addressBytes == [0x20, 0x01, 0x0D, 0xB8, 0x85, 0xA3, 0, 0, 0, 0, 0x8A, 0x2E, 0x03, 0x70, 0x73, 0x34])
        #expect(MessageHost(ipv6: "2001:DB8:85A3::8A2E:370:7334", port: 1) == full)
        #expect(MessageHost(ipv6: "::", port: 1)?.address == .ipv6(high: 0, low: 0))
        #expect(MessageHost(ipv6: "1::", port: 1)?.address == .ipv6(high: 0x0001_0000_0000_0000, low: 0))
        #expect(MessageHost(ipv6: "::ffff:10.1.2.3", port: 1)?.address == .ipv6(high: 0, low: 0xFFFF_0A01_0203))
    }

    @Test(arguments: [
        "", "127.0.0.1", "127.0.0.1:", ":10911", "1.2.3:1", "256.0.0.1:1", "1.2.3.4:65536", "1.2.3.4:-1", "1.2.3.4:+1",
        "1.2.3.4.5:1", "01234.1.1.1:1", "a.b.c.d:1", "[::1:10911", "[]:1", "[::1::2]:1", "[1:2:3:4:5:6:7:8:9]:1",
        "[12345::]:1", "[1:2:3:4:5:6:7]:1", "[:1]:1", "[1:]:1", "[::1.2.3]:1", "[g::]:1",
    ])
    func rejectsGarbage(_ text: String) {
        #expect(MessageHost(parsing: text) == nil)
    }

    @Test func normalizesIPv4MappedIPv6() throws {
        let mapped = try #require(MessageHost(ipv6: "::ffff:10.1.2.3", port: 5000))
        #expect(mapped.normalized == MessageHost(ipv4: 10, 1, 2, 3, port: 5000))
        let plain = try #require(MessageHost(ipv6: "::1", port: 5000))
        #expect(plain.normalized == plain)
        let v4 = MessageHost(ipv4: 1, 2, 3, 4, port: 5)
        #expect(v4.normalized == v4)
    }

    @Test func addressBytesInit() {
        #expect(MessageHost(addressBytes: [10, 0, 0, 1], port: 1) == MessageHost(ipv4: 10, 0, 0, 1, port: 1))
        #expect(MessageHost(addressBytes: [UInt8](repeating: 0, count: 15) + [1], port: 1)?.address == .ipv6(high: 0, low: 1))
        #expect(MessageHost(addressBytes: [1, 2, 3], port: 1) == nil)
        #expect(MessageHost(addressBytes: [], port: 1) == nil)
    }

    @Test func wireRoundTrip() throws {
        for host in [MessageHost(ipv4: 192, 168, 1, 5, port: 53211), try #require(MessageHost(ipv6: "fe80::abcd", port: 10911))] {
            var buffer = ByteBuffer()
            #expect(host.write(to: &buffer) == host.encodedLength)
            #expect(MessageHost.read(from: &buffer, ipv6: host.isIPv6) == host)
            #expect(buffer.readableBytes == 0)
        }
        var short = ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7])
        #expect(MessageHost.read(from: &short, ipv6: false) == nil)
        #expect(short.readableBytes == 7)
        var encoded = ByteBuffer()
        MessageHost(ipv4: 192, 168, 1, 5, port: 53211).write(to: &encoded)
        #expect(Array(encoded.readableBytesView) == [0xC0, 0xA8, 0x01, 0x05, 0x00, 0x00, 0xCF, 0xDB])
    }
}
