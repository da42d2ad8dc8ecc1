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

    init(raw: ByteBuffer, waitStoreMessageOK: Bool, delayTimeLevel: Int32) {
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
        // Every piece must be a pair: the general path drops the others when it rewrites the string.
        let pieces = bytes.reduce(1) { $1 == MessageProperties.propertySeparator ? $0 + 1 : $0 }
        guard pieces <= maxPairs else { return nil }
        return withUnsafeTemporaryAllocation(of: (name: Range<Int>, value: Range<Int>).self, capacity: maxPairs) { room in
            var count = 0
            var plain = true
            var wait = true
            var delay: Int32 = 0
            var waitIndex = -1
            MessageProperties.forEachPair(bytes) { nameRange, valueRange in
                guard plain, count < maxPairs else { return }
                let name = UnsafeRawBufferPointer(rebasing: bytes[nameRange])
                let value = UnsafeRawBufferPointer(rebasing: bytes[valueRange])
                for seen in room[..<count] where seen.name.count == name.count {
                    if memcmp(bytes.baseAddress! + seen.name.lowerBound, name.baseAddress!, name.count) == 0 { plain = false }
                }
                if name.equals("WAIT") {
                    wait = !value.equals("false")
                    waitIndex = count
                } else if name.equals("DELAY") {
                    if let level = Int32(String(decoding: value, as: UTF8.self)) { delay = level } else { plain = false }
                } else if isGeneral(name) {
                    plain = false
                }
                room.initializeElement(at: count, to: (nameRange, valueRange))
                count += 1
            }
            guard plain, count == pieces else { return nil }
            return Self.write(
                pairs: UnsafeBufferPointer(rebasing: room[..<count]), of: bytes, skipping: waitIndex, cluster: cluster,
                waitStoreMessageOK: wait, delayTimeLevel: delay)
        }
    }

    private static func write(
        pairs: UnsafeBufferPointer<(name: Range<Int>, value: Range<Int>)>, of bytes: UnsafeRawBufferPointer, skipping waitIndex: Int,
        cluster: String, waitStoreMessageOK wait: Bool, delayTimeLevel delay: Int32
    ) -> StoredProperties {
        // One allocation of the exact size, filled in place.
        var cluster = cluster, name = MessageConst.cluster
        return cluster.withUTF8 { clusterBytes in name.withUTF8 { name in
            var length = name.count + 1 + clusterBytes.count
            for (offset, pair) in pairs.enumerated() where offset != waitIndex {
                length += pair.value.upperBound - pair.name.lowerBound + 1
            }
            var raw = ByteBufferAllocator().buffer(capacity: length)
            raw.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { output in
                var written = 0
                func put(_ part: UnsafeRawBufferPointer) {
                    if !part.isEmpty { (output.baseAddress! + written).copyMemory(from: part.baseAddress!, byteCount: part.count) }
                    written += part.count
                }
                func put(_ byte: UInt8) {
                    output[written] = byte
                    written += 1
                }
                for (offset, pair) in pairs.enumerated() where offset != waitIndex {
                    put(UnsafeRawBufferPointer(rebasing: bytes[pair.name.lowerBound..<pair.value.upperBound]))
                    put(MessageProperties.propertySeparator)
                }
                put(UnsafeRawBufferPointer(name))
                put(MessageProperties.nameValueSeparator)
                put(UnsafeRawBufferPointer(clusterBytes))
                return written
            }
            return StoredProperties(raw: raw, waitStoreMessageOK: wait, delayTimeLevel: delay)
        } }
    }
}

extension UnsafeRawBufferPointer {
    /// Byte equality with an ASCII literal, without a generic sequence comparison.
    fileprivate func equals(_ literal: StaticString) -> Bool {
        count == literal.utf8CodeUnitCount && (count == 0 || memcmp(baseAddress!, literal.utf8Start, count) == 0)
    }
}
