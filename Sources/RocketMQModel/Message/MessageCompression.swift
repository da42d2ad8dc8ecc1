import CompressNIO
import NIOCore

/// Why a body could not be compressed or inflated.
public enum MessageCompressionError: Error, Equatable, Sendable {
    /// The input is not a valid zlib stream.
    case corrupt
    /// The zlib stream ends early.
    case truncated
    /// The inflated body would exceed the allowed size (a "zip bomb" or a misconfigured limit).
    case tooLarge(maxSize: Int)
    /// The sysFlag names a compression type this server does not implement.
    case unsupported(MessageSysFlag.CompressionType)
    /// The sysFlag's compression bits hold a value no RocketMQ version defines.
    case unknownType(Int32)
    /// A compression level outside 0…9.
    case invalidLevel(Int32)
    /// zlib itself failed (out of memory, stream state).
    case internalError
}

/// Body compression as the Java producer does it (`UtilAll.compress`/`uncompress`, PROTOCOL.md §4.3): the zlib
/// stream format (RFC 1950, Java `Deflater`/`Inflater`), not raw deflate and not gzip.
public enum MessageCompression {
    /// Java's `rocketmq.message.compressLevel` default.
    public static let defaultLevel: Int32 = 5
    /// Java's `compressMsgBodyOverHowmuch` default: bodies of at least this size are compressed by producers.
    public static let defaultCompressThreshold = 4096

    /// Inflates a zlib stream of the readable bytes of `compressed`; the output may not exceed `maxSize` bytes.
    /// Bytes after the end of the stream are ignored, as Java's `InflaterInputStream` does.
    public static func inflate(_ compressed: ByteBuffer, maxSize: Int) throws(MessageCompressionError) -> ByteBuffer {
        guard compressed.readableBytes > 0 else { throw .truncated }
        guard maxSize >= 0 else { throw .tooLarge(maxSize: maxSize) }
        do {
            let decompressor = try ZlibDecompressor(algorithm: .zlib)
            var input = compressed
            let initialCapacity = min(maxSize == .max ? maxSize : maxSize + 1, max(64, input.readableBytes.multipliedReportingOverflow(by: 4).partialValue))
            var output = ByteBufferAllocator().buffer(capacity: max(1, initialCapacity))
            while true {
                do {
                    try decompressor.inflate(from: &input, to: &output)
                    break
                } catch let error as CompressNIOError where error == .bufferOverflow {
                    // Output full: grow, unless the limit is already reached.
                    // One byte over the limit is allowed so an output of exactly maxSize can still end cleanly.
                    let limit = maxSize == .max ? maxSize : maxSize + 1
                    guard output.readableBytes < limit else { throw MessageCompressionError.tooLarge(maxSize: maxSize) }
                    let grown = min(limit, max(output.capacity * 2, output.readableBytes + 64))
                    output.reserveCapacity(max(grown, output.writerIndex + 1))
                } catch let error as CompressNIOError where error == .inputBufferOverflow {
                    throw MessageCompressionError.truncated
                }
            }
            guard output.readableBytes <= maxSize else { throw MessageCompressionError.tooLarge(maxSize: maxSize) }
            // The call above returns both at the end of the stream and when the input ran out mid-stream. A further
            // call with no new input tells them apart: zlib answers "stream end" or "no progress possible".
            var probe = ByteBufferAllocator().buffer(capacity: 16)
            do {
                try decompressor.inflate(from: &input, to: &probe)
            } catch let error as CompressNIOError where error == .inputBufferOverflow || error == .bufferOverflow {
                throw MessageCompressionError.truncated
            }
            guard probe.readableBytes == 0 else { throw MessageCompressionError.corrupt }
            return output
        } catch let error as MessageCompressionError {
            throw error
        } catch let error as CompressNIOError where error == .corruptData {
            throw .corrupt
        } catch {
            throw .internalError
        }
    }

    /// Compresses the readable bytes of `body` into a zlib stream at `level` (0…9; Java's default is 5), with
    /// Java `Deflater`'s window (32 KiB) and memory level (8).
    public static func deflate(_ body: ByteBuffer, level: Int32 = MessageCompression.defaultLevel) throws(MessageCompressionError)
        -> ByteBuffer
    {
        guard (0...9).contains(level) else { throw .invalidLevel(level) }
        do {
            var input = body
            let configuration = ZlibConfiguration(windowSize: 15, compressionLevel: level, memoryLevel: 8, strategy: .default)
            return try input.compress(with: .zlib, configuration: configuration)
        } catch {
            throw .internalError
        }
    }
}
