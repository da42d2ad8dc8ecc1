import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import RemotingCodec
import RocketMQModel

/// `rocketmq frames FILE…`: prints the remoting frames in captured files (one frame per file, or a
/// whole recorded stream), with their stored messages when a body holds some.
struct FramesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frames",
        abstract: "Decode remoting frames from files (e.g. Fixtures/*/*.bin) and print them."
    )

    @Argument(help: "Files holding one or more length-prefixed remoting frames.")
    var files: [String]

    func run() throws {
        for path in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            var buffer = ByteBuffer(bytes: data)
            print("== \(path)")
            do {
                while let command = try RemotingFrameDecoder().decode(buffer: &buffer) {
                    print(describe(command))
                }
                if buffer.readableBytes > 0 { print("   (\(buffer.readableBytes) bytes of an incomplete frame)") }
            } catch {
                print("   corrupt frame: \(error)")
                throw ExitCode.failure
            }
        }
    }

    private func describe(_ command: RemotingCommand) -> String {
        let name = command.isResponse ? command.responseCode.description : command.requestCode.description
        var lines = [
            "\(command.isResponse ? "response" : "request") \(name) (\(command.code)) opaque=\(command.opaque) flag=\(command.flag)"
                + " \(command.language) v\(command.version) [\(command.serializeType)]",
        ]
        if let remark = command.remark { lines.append("   remark: \(remark.debugDescription)") }
        for field in command.extFields ?? ExtFields() {
            lines.append("   \(field.name) = \(field.value.debugDescription)")
        }
        if let body = command.body {
            lines.append("   body: \(body.readableBytes) bytes")
            if let messages = try? StoredMessage.decodeAll(body), !messages.isEmpty {
                for message in messages {
                    lines.append("     message \(message.offsetMsgId) topic=\(message.topic) queueId=\(message.queueId)"
                        + " queueOffset=\(message.queueOffset) body=\(message.body.readableBytes)B"
                        + " properties=\(message.propertiesString.debugDescription)")
                }
            } else if let json = try? body.withUnsafeReadableBytes({ try JSONValue.parse($0) }) {
                lines.append("     " + JSONWriter().string(json))
            }
        }
        return lines.joined(separator: "\n")
    }
}
