import NIOCore

/// A socket address as stored in a message's BORNHOST and STOREHOSTADDRESS fields (Java `InetSocketAddress`
/// in `MessageExt`): 4 address bytes (IPv4) or 16 (IPv6), then a 4-byte port (PROTOCOL.md §4.1).
public struct MessageHost: Sendable, Hashable {
    /// The address, stored without heap allocation.
    public enum Address: Sendable, Hashable {
        /// Big-endian IPv4 address, `127.0.0.1` = `0x7F000001`.
        case ipv4(UInt32)
        /// Big-endian IPv6 address as its high and low 64 bits.
        case ipv6(high: UInt64, low: UInt64)
    }

    public var address: Address
    public var port: Int32

    public init(address: Address, port: Int32) {
        self.address = address
        self.port = port
    }

    /// An IPv4 host from its four octets.
    public init(ipv4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, port: Int32) {
        let value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
        self.init(address: .ipv4(value), port: port)
    }

    /// A host from raw address bytes: 4 (IPv4) or 16 (IPv6); nil for any other count.
    public init?(addressBytes: some Collection<UInt8>, port: Int32) {
        switch addressBytes.count {
        case 4:
            var value: UInt32 = 0
            for byte in addressBytes { value = value << 8 | UInt32(byte) }
            self.init(address: .ipv4(value), port: port)
        case 16:
            var high: UInt64 = 0
            var low: UInt64 = 0
            for (offset, byte) in addressBytes.enumerated() {
                if offset < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
            }
            self.init(address: .ipv6(high: high, low: low), port: port)
        default:
            return nil
        }
    }

    /// Parses a dotted-quad IPv4 address (`"127.0.0.1"`, each part 0…255, no leading `+`/`-`).
    public init?(ipv4 string: some StringProtocol, port: Int32) {
        guard let value = Self.parseIPv4(Substring(string)) else { return nil }
        self.init(address: .ipv4(value), port: port)
    }

    /// Parses an IPv6 address in RFC 4291 text form (`"::1"`, `"fe80::1:2"`, `"::ffff:10.0.0.1"`), without
    /// brackets or zone id.
    public init?(ipv6 string: some StringProtocol, port: Int32) {
        guard let (high, low) = Self.parseIPv6(Substring(string)) else { return nil }
        self.init(address: .ipv6(high: high, low: low), port: port)
    }

    /// Parses `"ip:port"`: `"127.0.0.1:10911"`, `"[::1]:10911"`, or Java's unbracketed
    /// `"0:0:0:0:0:0:0:1:10911"` (the last colon separates the port). Port must be 0…65535.
    public init?(parsing string: some StringProtocol) {
        let text = Substring(string)
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = text[..<colon]
        let portText = text[text.index(after: colon)...]
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), portText.count <= 5,
            let port = Int32(portText), port <= 65535
        else { return nil }
        if host.first == "[" {
            guard host.last == "]", host.count >= 2 else { return nil }
            host = host.dropFirst().dropLast()
            guard let (high, low) = Self.parseIPv6(host) else { return nil }
            self.init(address: .ipv6(high: high, low: low), port: port)
        } else if let value = Self.parseIPv4(host) {
            self.init(address: .ipv4(value), port: port)
        } else if let (high, low) = Self.parseIPv6(host) {
            self.init(address: .ipv6(high: high, low: low), port: port)
        } else {
            return nil
        }
    }

    /// Whether the address is IPv6 (and so takes 16 + 4 bytes in a stored message).
    public var isIPv6: Bool {
        if case .ipv6 = self.address { return true }
        return false
    }

    /// Bytes this host takes in a stored message: 8 (IPv4) or 20 (IPv6).
    public var encodedLength: Int {
        self.isIPv6 ? 20 : 8
    }

    /// The raw address bytes, 4 or 16.
    public var addressBytes: [UInt8] {
        switch self.address {
        case .ipv4(let value):
            return [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
                    UInt8(truncatingIfNeeded: value)]
        case .ipv6(let high, let low):
            var bytes = [UInt8]()
            bytes.reserveCapacity(16)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: high >> UInt64(shift))) }
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: low >> UInt64(shift))) }
            return bytes
        }
    }

    /// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) turned into plain IPv4; any other host unchanged.
    /// The C++ client can read only IPv4 hosts, so BORNHOST must be normalised before storing (PROTOCOL.md §4.1).
    public var normalized: MessageHost {
        if case .ipv6(let high, let low) = self.address, high == 0, low >> 32 == 0xFFFF {
            return MessageHost(address: .ipv4(UInt32(truncatingIfNeeded: low)), port: self.port)
        }
        return self
    }

    /// The address without the port: `"127.0.0.1"`, or Java's `Inet6Address.getHostAddress()` form
    /// (eight lower-case hex groups, no `::` compression).
    public var addressString: String {
        switch self.address {
        case .ipv4(let value):
            return "\(value >> 24).\((value >> 16) & 0xFF).\((value >> 8) & 0xFF).\(value & 0xFF)"
        case .ipv6(let high, let low):
            var groups: [String] = []
            groups.reserveCapacity(8)
            for shift in stride(from: 48, through: 0, by: -16) { groups.append(String((high >> UInt64(shift)) & 0xFFFF, radix: 16)) }
            for shift in stride(from: 48, through: 0, by: -16) { groups.append(String((low >> UInt64(shift)) & 0xFFFF, radix: 16)) }
            return groups.joined(separator: ":")
        }
    }

    // MARK: Wire form

    /// Writes address bytes and port (8 or 20 bytes), big-endian.
    @discardableResult
    public func write(to buffer: inout ByteBuffer) -> Int {
        switch self.address {
        case .ipv4(let value):
            return buffer.writeMultipleIntegers(value, self.port)
        case .ipv6(let high, let low):
            return buffer.writeMultipleIntegers(high, low, self.port)
        }
    }

    /// Reads a host (8 bytes, or 20 when `ipv6`); nil without moving the reader index if too few bytes.
    public static func read(from buffer: inout ByteBuffer, ipv6: Bool) -> MessageHost? {
        if ipv6 {
            guard let (high, low, port) = buffer.readMultipleIntegers(as: (UInt64, UInt64, Int32).self) else { return nil }
            return MessageHost(address: .ipv6(high: high, low: low), port: port)
        } else {
            guard let (value, port) = buffer.readMultipleIntegers(as: (UInt32, Int32).self) else { return nil }
            return MessageHost(address: .ipv4(value), port: port)
        }
    }

    // MARK: Parsing

    static func parseIPv4(_ text: Substring) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        var current: UInt32 = 0
        var digits = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | current
                parts += 1
                current = 0
                digits = 0
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                current = current * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, current <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        return value << 8 | current
    }

    static func parseIPv6(_ text: Substring) -> (UInt64, UInt64)? {
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        // Groups before and after a "::", each a 16-bit value; an IPv4 tail counts as two groups.
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        let utf8 = Array(text.utf8)
        var index = 0
        if utf8.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            sawDoubleColon = true
            index = 2
        } else if utf8.first == UInt8(ascii: ":") {
            return nil
        }
        while index < utf8.count {
            // One group: hex digits up to ":" or end; or an IPv4 tail.
            var end = index
            while end < utf8.count, utf8[end] != UInt8(ascii: ":") { end += 1 }
            let piece = utf8[index..<end]
            guard !piece.isEmpty else { return nil }
            if piece.contains(UInt8(ascii: ".")) {
                guard end == utf8.count, let v4 = parseIPv4(Substring(decoding: piece, as: UTF8.self)) else { return nil }
                let groups = [UInt16(v4 >> 16), UInt16(truncatingIfNeeded: v4)]
                if sawDoubleColon { tail += groups } else { head += groups }
                index = end
                break
            }
            guard piece.count <= 4 else { return nil }
            var group: UInt16 = 0
            for byte in piece {
                guard let nibble = Self.hexValue(byte) else { return nil }
                group = group << 4 | UInt16(nibble)
            }
            if sawDoubleColon { tail.append(group) } else { head.append(group) }
            index = end
            if index < utf8.count {
                // At a ':'; "::" starts the compressed run (only once), a trailing single ':' is invalid.
                if index + 1 < utf8.count, utf8[index + 1] == UInt8(ascii: ":") {
                    guard !sawDoubleColon else { return nil }
                    sawDoubleColon = true
                    index += 2
                } else {
                    index += 1
                    guard index < utf8.count else { return nil }
                }
            }
        }
        let total = head.count + tail.count
        if sawDoubleColon {
            guard total <= 7 else { return nil }
        } else {
            guard total == 8 else { return nil }
        }
        let groups = head + [UInt16](repeating: 0, count: 8 - total) + tail
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (offset, group) in groups.enumerated() {
            if offset < 4 { high = high << 16 | UInt64(group) } else { low = low << 16 | UInt64(group) }
        }
        return (high, low)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension MessageHost: CustomStringConvertible {
    /// `"127.0.0.1:10911"`; IPv6 as `"[0:0:0:0:0:0:0:1]:10911"`.
    public var description: String {
        switch self.address {
        case .ipv4: return "\(self.addressString):\(self.port)"
        case .ipv6: return "[\(self.addressString)]:\(self.port)"
        }
    }
}
