#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import RocketMQModel

/// The properties a plain send stores, made straight from the request's properties string: the pairs
/// as sent without `WAIT`, then `CLUSTER` (what the general path does through ``MessageProperties``,
/// without a `String` per name and value). Only for strings that path would store unchanged apart
/// from those two: anything else (a transaction, a delivery time, a repeated or malformed pair, a
/// `CLUSTER` of the client's own) returns nil and takes the general path.
struct StoredProperties {
    var raw: ByteBuffer
    var waitStoreMessageOK: Bool
    var delayTimeLevel: Int32

    init?(_ properties: String, cluster: String) {
        var properties = properties
        guard let made = properties.withUTF8({ Self.make(UnsafeRawBufferPointer($0), cluster: cluster) }) else { return nil }
        self = made
    }

    private init(raw: ByteBuffer, waitStoreMessageOK: Bool, delayTimeLevel: Int32) {
        self.raw = raw
        self.waitStoreMessageOK = waitStoreMessageOK
        self.delayTimeLevel = delayTimeLevel
    }

    /// Names that send the message elsewhere than its topic, or that the broker sets itself.
    private static func isGeneral(_ name: UnsafeRawBufferPointer) -> Bool {
        name.equals("TRAN_MSG") || name.equals("__STARTDELIVERTIME") || name.equals("CLUSTER")
    }

    /// More pairs than this: the repeated-name check is not worth it, take the general path.
    private static let maxPairs = 16

    private static func make(_ bytes: UnsafeRawBufferPointer, cluster: String) -> StoredProperties? {
        var pairs: [(piece: Range<Int>, nameCount: Int)] = []
        pairs.reserveCapacity(8)
        var wait = true
        var delay: Int32 = 0
        var waitIndex = -1
        var pieceStart = 0
        let count = bytes.count
        for index in 0...count where index == count || bytes[index] == MessageProperties.propertySeparator {
            let piece = pieceStart..<index
            pieceStart = index + 1
            // Empty or malformed pieces are dropped by the general path: it rewrites the string.
            guard let separator = bytes[piece].firstIndex(of: MessageProperties.nameValueSeparator),
                  separator > piece.lowerBound, separator + 1 < piece.upperBound, pairs.count < maxPairs else { return nil }
            let name = UnsafeRawBufferPointer(rebasing: bytes[piece.lowerBound..<separator])
            let value = UnsafeRawBufferPointer(rebasing: bytes[(separator + 1)..<piece.upperBound])
            for seen in pairs where seen.nameCount == name.count {
                if memcmp(bytes.baseAddress! + seen.piece.lowerBound, name.baseAddress!, name.count) == 0 { return nil }
            }
            if name.equals("WAIT") {
                wait = !value.equals("false")
                waitIndex = pairs.count
            } else if name.equals("DELAY") {
                guard let level = Int32(String(decoding: value, as: UTF8.self)) else { return nil }
                delay = level
            } else if isGeneral(name) {
                return nil
            }
            pairs.append((piece, name.count))
        }
        var raw = ByteBuffer()
        raw.reserveCapacity(count + cluster.utf8.count + 9)
        for (offset, pair) in pairs.enumerated() where offset != waitIndex {
            raw.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[pair.piece]))
            raw.writeInteger(MessageProperties.propertySeparator)
        }
        raw.writeString(MessageConst.cluster)
        raw.writeInteger(MessageProperties.nameValueSeparator)
        raw.writeString(cluster)
        return StoredProperties(raw: raw, waitStoreMessageOK: wait, delayTimeLevel: delay)
    }
}

extension UnsafeRawBufferPointer {
    /// Byte equality with an ASCII literal, without a generic sequence comparison.
    fileprivate func equals(_ literal: StaticString) -> Bool {
        count == literal.utf8CodeUnitCount && (count == 0 || memcmp(baseAddress!, literal.utf8Start, count) == 0)
    }
}
