import Crypto
import NIOCore

/// The signature a delivery carries when its subscription has a secret:
/// `X-RocketMQ-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`, with the timestamp
/// (ms since the epoch) in `X-RocketMQ-Timestamp`. The receiver recomputes it; the timestamp lets it
/// refuse replays.
public enum DeliverySignature {
    public static let timestampHeader = "X-RocketMQ-Timestamp"
    public static let signatureHeader = "X-RocketMQ-Signature"

    public static func sign(secret: String, timestamp: Int64, body: ByteBuffer) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
        mac.update(data: Array("\(timestamp).".utf8))
        body.withUnsafeReadableBytes { mac.update(data: $0) }
        return "sha256=" + hex(mac.finalize())
    }

    /// Constant-time check of a received signature.
    public static func verify(secret: String, timestamp: Int64, body: ByteBuffer, signature: String) -> Bool {
        let expected = Array(sign(secret: secret, timestamp: timestamp, body: body).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= expected[index] ^ given[index] }
        return difference == 0
    }

    private static func hex(_ code: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in code {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
