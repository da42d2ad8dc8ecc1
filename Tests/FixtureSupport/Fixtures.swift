import Foundation
import NIOCore
import RemotingCodec

/// The captured Apache RocketMQ 4.9.8 traffic in `Fixtures/` (see its README).
public enum Fixtures {
    /// `<package root>/Fixtures`, found from this file's path.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    public static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(relativePath)))
    }

    /// A path under `Fixtures/`, e.g. `url("store-4.9.8", "clean-shutdown", "checkpoint")`.
    public static func url(_ components: String...) -> URL {
        components.reduce(root) { $0.appendingPathComponent($1) }
    }

    public static func buffer(_ components: String...) throws -> ByteBuffer {
        ByteBuffer(bytes: [UInt8](try Data(contentsOf: components.reduce(root) { $0.appendingPathComponent($1) })))
    }

    /// File names in a fixture directory, sorted.
    public static func contents(_ components: String...) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: components.reduce(root) { $0.appendingPathComponent($1) }.path).sorted()
    }

    public static func frame(_ scenario: String, _ file: String) -> FixtureFrame? {
        frames.first { $0.scenario == scenario && $0.file == file }
    }

    /// The scenario directories that hold an `index.json`.
    public static let scenarios: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: root.appendingPathComponent("\($0)/index.json").path) }
            .sorted()
    }()

    /// Every remoting frame of every scenario, with its `index.json` entry.
    public static let frames: [FixtureFrame] = scenarios.flatMap { scenario -> [FixtureFrame] in
        guard let index = try? JSONValue.parse(bytes("\(scenario)/index.json")),
              let entries = index["frames"]?.arrayValue else { return [] }
        return entries.compactMap { entry -> FixtureFrame? in
            guard entry["kind"]?.stringValue != "raw_stream", let file = entry["file"]?.stringValue,
                  let data = try? bytes("\(scenario)/\(file)") else { return nil }
            return FixtureFrame(scenario: scenario, file: file, meta: entry, bytes: data)
        }
    }

    public static func frames(where predicate: (FixtureFrame) -> Bool) -> [FixtureFrame] {
        frames.filter(predicate)
    }

    /// The request a response answers, from its `request_seq`.
    public static func request(answeredBy response: FixtureFrame) -> FixtureFrame? {
        guard let seq = response.meta["request_seq"]?.intValue else { return nil }
        return frames.first { $0.scenario == response.scenario && $0.seq == seq }
    }
}

/// One captured frame (4-byte length prefix included) and its metadata.
public struct FixtureFrame: Sendable, CustomStringConvertible {
    public let scenario: String
    public let file: String
    public let meta: JSONValue
    public let bytes: [UInt8]

    public var description: String { "\(scenario)/\(file)" }
    public var seq: Int { meta["seq"]?.intValue ?? -1 }
    public var isRequest: Bool { meta["kind"]?.stringValue == "request" }
    public var isResponse: Bool { meta["kind"]?.stringValue == "response" }
    public var codeName: String { meta["code_name"]?.stringValue ?? "" }
    public var requestCodeName: String? { meta["request_code_name"]?.stringValue }
    public var language: String? { meta["language"]?.stringValue }
    public var serialize: String? { meta["serialize"]?.stringValue }

    /// The decoded command.
    public func command() throws -> RemotingCommand {
        var buffer = ByteBuffer(bytes: bytes)
        guard let command = try RemotingFrameDecoder().decode(buffer: &buffer) else { throw FixtureFrameError.incomplete(description) }
        return command
    }

    /// The frame's body (empty when it has none), as a slice starting at index 0.
    public func body() throws -> ByteBuffer {
        (try command().body ?? ByteBuffer()).slice()
    }
}

public enum FixtureFrameError: Error {
    case incomplete(String)
}
