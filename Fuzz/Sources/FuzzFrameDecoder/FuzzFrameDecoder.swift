import NIOCore
import RemotingCodec

// libFuzzer entry point (STYLE.md §4, "garbage errors out, never crashes"). The input is a byte
// stream as a peer would send it: frames are cut from it until the decoder wants more bytes or
// rejects the stream. Every command that decodes must re-encode into a frame that decodes to the
// same command; a failure there traps, and libFuzzer keeps the input as a crash reproducer.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var stream = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))
    let decoder = RemotingFrameDecoder()
    while true {
        let command: RemotingCommand
        do {
            guard let next = try decoder.decode(buffer: &stream) else { break }
            command = next
        } catch {
            break  // a FrameError closes the connection: nothing after it is read
        }
        checkReencodes(command, decoder: decoder)
        if let body = command.body {
            _ = body.withUnsafeReadableBytes { bytes in try? JSONValue.parse(bytes) }
        }
    }
    return 0
}

/// Encodes `command`, decodes the frame again, and traps unless exactly that one frame comes back
/// with the same fields.
func checkReencodes(_ command: RemotingCommand, decoder: RemotingFrameDecoder) {
    var frame = RemotingFrameEncoder.encode(command)
    let frameBytes = frame.readableBytes
    let again: RemotingCommand?
    do {
        again = try decoder.decode(buffer: &frame)
    } catch {
        fatalError("re-encoded \(command.serializeType) frame (\(frameBytes) B) does not decode: \(error)")
    }
    guard let again else {
        fatalError("re-encoded \(command.serializeType) frame (\(frameBytes) B) is incomplete")
    }
    guard frame.readableBytes == 0 else {
        fatalError("re-encoded frame left \(frame.readableBytes) of \(frameBytes) bytes undecoded")
    }
    let mismatches = differences(command, again)
    guard mismatches.isEmpty else {
        fatalError("re-encoded \(command.serializeType) frame decodes differently in: \(mismatches)")
    }
}

/// Field names that differ. extFields are compared in order, field by field: `ExtFields ==` is
/// map equality, which a header with a repeated name never satisfies.
func differences(_ lhs: RemotingCommand, _ rhs: RemotingCommand) -> [String] {
    var names: [String] = []
    if lhs.code != rhs.code { names.append("code \(lhs.code) != \(rhs.code)") }
    if lhs.language != rhs.language { names.append("language \(lhs.language) != \(rhs.language)") }
    if lhs.version != rhs.version { names.append("version \(lhs.version) != \(rhs.version)") }
    if lhs.opaque != rhs.opaque { names.append("opaque \(lhs.opaque) != \(rhs.opaque)") }
    if lhs.flag != rhs.flag { names.append("flag \(lhs.flag) != \(rhs.flag)") }
    if lhs.remark != rhs.remark { names.append("remark \(String(reflecting: lhs.remark)) != \(String(reflecting: rhs.remark))") }
    if lhs.serializeType != rhs.serializeType { names.append("serializeType") }
    let lhsFields = lhs.extFields.map { Array($0) }
    let rhsFields = rhs.extFields.map { Array($0) }
    if lhsFields != rhsFields {
        names.append("extFields \(String(reflecting: lhsFields)) != \(String(reflecting: rhsFields))")
    }
    if lhs.body != rhs.body { names.append("body") }
    return names
}
