#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `subscriptions.json` in the data directory: written whole to `subscriptions.json.tmp`, synced, then
/// renamed over the old file, so a crash leaves the old or the new list, never half of one.
struct SubscriptionFile: Sendable {
    let directory: String
    let path: String

    init(directory: String) {
        self.directory = directory
        path = directory + "/subscriptions.json"
    }

    private struct Content: Codable {
        var version: Int
        var subscriptions: [SubscriptionRecord]
    }

    /// The saved subscriptions; none when the file does not exist yet.
    func load() throws -> [SubscriptionRecord] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(Content.self, from: data).subscriptions
    }

    func save(_ records: [SubscriptionRecord]) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(Content(version: 1, subscriptions: records.sorted { $0.subscription.group < $1.subscription.group }))
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw SubscriptionFileError("cannot open \(temporary): errno \(errno)") }
        let written = data.withUnsafeBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let count = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if count <= 0 { return false }
                offset += count
            }
            return true
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard written && synced else { throw SubscriptionFileError("cannot write \(temporary): errno \(errno)") }
        guard rename(temporary, path) == 0 else { throw SubscriptionFileError("cannot rename \(temporary): errno \(errno)") }
    }
}

struct SubscriptionFileError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
