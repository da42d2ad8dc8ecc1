/// Message ids (PROTOCOL.md §4.6).
///
/// The **offsetMsgId** (Java `MessageDecoder.createMessageId` / `decodeMessageId`) names a stored message by
/// where it is: upper-case hex of the store host's address bytes, its port (4 bytes) and the commit-log
/// physical offset (8 bytes), 32 characters for IPv4 and 56 for IPv6. The client's UNIQ_KEY is a different id,
/// see ``UniqueKeyGenerator``.
public enum MessageId {
    /// Length of an offsetMsgId with an IPv4 store host.
    public static let ipv4Length = 32
    /// Length of an offsetMsgId with an IPv6 store host.
    public static let ipv6Length = 56

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// The offsetMsgId of the message stored at `physicalOffset` by `storeHost`.
    public static func offsetMsgId(storeHost: MessageHost, physicalOffset: Int64) -> String {
        let length = storeHost.isIPv6 ? Self.ipv6Length : Self.ipv4Length
        return String(unsafeUninitializedCapacity: length) { output in
            var position = 0
            func put<I: FixedWidthInteger>(_ value: I) {
                var shift = I.bitWidth - 4
                while shift >= 0 {
                    output[position] = Self.hexDigits[Int((value >> shift) & 0xF)]
                    position += 1
                    shift -= 4
                }
            }
            switch storeHost.address {
            case .ipv4(let value):
                put(value)
            case .ipv6(let high, let low):
                put(high)
                put(low)
            }
            put(UInt32(bitPattern: storeHost.port))
            put(UInt64(bitPattern: physicalOffset))
            return position
        }
    }

    /// Splits an offsetMsgId into store host and physical offset; nil unless it has 32 or 56 hex digits
    /// (either case, as Java upper-cases before decoding).
    public static func decodeOffsetMsgId(_ id: some StringProtocol) -> (host: MessageHost, physicalOffset: Int64)? {
        let utf8 = id.utf8
        guard utf8.count == Self.ipv4Length || utf8.count == Self.ipv6Length else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var pending: UInt8? = nil
        for character in utf8 {
            guard let nibble = MessageHost.hexValue(character) else { return nil }
            if let high = pending {
                bytes.append(high << 4 | nibble)
                pending = nil
            } else {
                pending = nibble
            }
        }
        let addressCount = bytes.count - 12
        var port: UInt32 = 0
        for byte in bytes[addressCount..<(addressCount + 4)] { port = port << 8 | UInt32(byte) }
        var offset: UInt64 = 0
        for byte in bytes[(addressCount + 4)...] { offset = offset << 8 | UInt64(byte) }
        guard let host = MessageHost(addressBytes: bytes[0..<addressCount], port: Int32(bitPattern: port)) else {
            return nil
        }
        return (host, Int64(bitPattern: offset))
    }
}
