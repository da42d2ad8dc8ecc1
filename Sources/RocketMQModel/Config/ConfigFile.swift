#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small persisted file as Java's `ConfigManager` keeps it (`topics.json`, `consumerOffset.json`,
/// `kvConfig.json`, …): written off the event loops on a serial queue, through `<file>.tmp`, with the
/// previous content kept as `<file>.bak`; read back from the `.bak` when the file is missing or
/// unreadable.
public final class ConfigFile: Sendable {
    public let path: String
    private let queue: DispatchQueue
    private let onError: @Sendable (String, any Error) -> Void

    /// `onError(path, error)` reports a failed write; the next save tries again.
    public init(path: String, onError: @escaping @Sendable (String, any Error) -> Void) {
        self.path = path
        self.onError = onError
        self.queue = DispatchQueue(label: "rocketmq.config-file")
    }

    /// The file's content, or nil when absent or empty.
    public func load() -> [UInt8]? {
        Self.read(path)
    }

    /// Java `ConfigManager.load`: the file decoded by `decode`, or the `.bak` when the file is
    /// missing or does not decode. Nil when neither gives a value.
    public func load<Value>(_ decode: ([UInt8]) throws -> Value) -> Value? {
        for candidate in [path, path + ".bak"] {
            guard let bytes = Self.read(candidate) else { continue }
            if let value = try? decode(bytes) { return value }
        }
        return nil
    }

    /// Writes asynchronously; saves are applied in order.
    public func save(_ bytes: [UInt8]) {
        queue.async { [path, onError] in
            do {
                try Self.write(bytes, to: path)
            } catch {
                onError(path, error)
            }
        }
    }

    /// Writes now, on the caller's thread, after the pending saves (shutdown).
    public func saveNow(_ bytes: [UInt8]) throws {
        try queue.sync { try Self.write(bytes, to: path) }
    }

    /// Waits for pending writes (tests, shutdown).
    public func flush() { queue.sync {} }

    private static func read(_ path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return nil }
        return Array(data)
    }

    /// Java `MixAll.string2File`: the new content to `.tmp`, the old one to `.bak`, then the rename.
    private static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = URL(fileURLWithPath: path + ".tmp")
        try Data(bytes).write(to: temporary)
        if let previous = FileManager.default.contents(atPath: path), !previous.isEmpty {
            try previous.write(to: URL(fileURLWithPath: path + ".bak"))
        }
        // rename(2) replaces the file atomically; a reader sees the old content or the new.
        guard rename(temporary.path, path) == 0 else { throw ConfigFileError(path: path, errno: errno) }
    }
}

public struct ConfigFileError: Error, CustomStringConvertible {
    public let path: String
    public let errno: Int32
    public var description: String { "cannot replace \(path): \(String(cString: strerror(errno)))" }
}
