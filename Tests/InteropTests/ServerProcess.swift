import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `rocketmq` server (dev, namesrv or broker) run as a child process: started and awaited by its
/// boot lines on stdout, its stderr kept in a log file, stopped by pid with SIGTERM (SIGKILL after a
/// timeout).
final class ServerProcess: @unchecked Sendable {
    enum Failure: Error, CustomStringConvertible {
        case noExecutable([String])
        case exitedBeforeBoot(name: String, status: Int32, output: String, log: String)
        case bootTimedOut(name: String, output: String, log: String)
        var description: String {
            switch self {
            case .noExecutable(let tried):
                "no rocketmq executable (build it with `swift build`); looked at \(tried.joined(separator: ", "))"
            case .exitedBeforeBoot(let name, let status, let output, let log):
                "\(name) exited (\(status)) before its boot line(s); stdout:\n\(output)\nstderr:\n\(log)"
            case .bootTimedOut(let name, let output, let log):
                "\(name) printed no boot line(s) in time; stdout:\n\(output)\nstderr:\n\(log)"
            }
        }
    }

    let name: String
    let arguments: [String]
    let logFile: URL
    private let process: Process
    private let stdout: PipeDrain
    private let stopped = Mutex<Int32?>(nil)

    /// `rocketmq` as `swift build` / `swift test` put it: beside the test binary.
    static func executable() throws -> URL {
        var candidates: [URL] = []
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("rocketmq"))
        }
        #endif
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(URL(fileURLWithPath: bundle.bundlePath).deletingLastPathComponent().appendingPathComponent("rocketmq"))
        }
        if let path = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("rocketmq"))
        }
        candidates.append(InteropDriver.root.appendingPathComponent(".build/debug/rocketmq"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw Failure.noExecutable(candidates.map(\.path))
        }
        return found
    }

    /// Starts `rocketmq <arguments>` and returns once stdout holds a line starting with each of
    /// `bootLines` (Java's boot lines), or throws if it exits or `timeout` seconds pass first.
    static func start(
        name: String, _ arguments: [String], bootLines: [String], logDirectory: URL, timeout: TimeInterval = 30
    ) async throws -> ServerProcess {
        let server = try ServerProcess(name: name, arguments: arguments, logDirectory: logDirectory)
        do {
            try await server.awaitBoot(bootLines, timeout: timeout)
        } catch {
            _ = await server.stop()
            throw error
        }
        return server
    }

    private init(name: String, arguments: [String], logDirectory: URL) throws {
        self.name = name
        self.arguments = arguments
        var index = 1
        while FileManager.default.fileExists(atPath: logDirectory.appendingPathComponent("\(name)-\(index).log").path) { index += 1 }
        logFile = logDirectory.appendingPathComponent("\(name)-\(index).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        process = Process()
        process.executableURL = try Self.executable()
        process.arguments = arguments
        process.currentDirectoryURL = logDirectory
        var environment = ProcessInfo.processInfo.environment
        environment["ROCKETMQ_LOG_LEVEL"] = environment["ROCKETMQ_LOG_LEVEL"] ?? "info"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = try FileHandle(forWritingTo: logFile)
        process.standardInput = FileHandle.nullDevice
        stdout = PipeDrain(pipe.fileHandleForReading)
        process.terminationHandler = { [weak self] process in self?.stopped.withLock { $0 = process.terminationStatus } }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var output: String { stdout.current }
    var exitStatus: Int32? { stopped.withLock { $0 } }

    /// The end of the server's stderr (its log), for failure messages.
    var logTail: String {
        guard let data = FileManager.default.contents(atPath: logFile.path) else { return "" }
        let text = String(decoding: data.suffix(6000), as: UTF8.self)
        return "[\(name): \(arguments.joined(separator: " "))]\n" + text
    }

    /// Returns as soon as stdout holds every boot line (checked on each chunk read, not on a timer).
    private func awaitBoot(_ bootLines: [String], timeout: TimeInterval) async throws {
        let booted: @Sendable () -> Bool = { [self] in
            let lines = output.split(whereSeparator: \.isNewline)
            return bootLines.allSatisfy { prefix in lines.contains { $0.hasPrefix(prefix) } }
        }
        let updates = stdout.updates
        let outcome = await withTaskGroup(of: Bool?.self) { group in
            group.addTask {
                for await _ in updates where booted() { return true }
                return false  // stdout closed: the server exited
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int64(timeout * 1000)))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if outcome == true { return }
        if outcome == false {
            _ = await poll(timeout: 5) { [self] in exitStatus != nil }
            throw Failure.exitedBeforeBoot(name: name, status: exitStatus ?? -1, output: output, log: logTail)
        }
        throw Failure.bootTimedOut(name: name, output: output, log: logTail)
    }

    /// SIGTERM by pid, then SIGKILL if it has not exited after `timeout` seconds. Returns the exit
    /// status and whether SIGTERM alone ended it. Safe to call again.
    @discardableResult
    func stop(timeout: TimeInterval = 15) async -> (status: Int32, graceful: Bool) {
        if let status = exitStatus { return (status, true) }
        kill(pid, SIGTERM)
        if await poll(timeout: timeout, { [self] in exitStatus != nil }), let status = exitStatus {
            return (status, true)
        }
        kill(pid, SIGKILL)
        _ = await poll(timeout: 10) { [self] in exitStatus != nil }
        return (exitStatus ?? -1, false)
    }
}

/// Polls `condition` every 20 ms until it holds (true) or `timeout` seconds pass (false).
func poll(timeout: TimeInterval, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
    while true {
        if condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        // A cancelled task (e.g. over its time limit) still waits, so that servers get stopped.
        do { try await Task.sleep(for: .milliseconds(20)) } catch { usleep(20_000) }
    }
}

/// GET_ROUTEINFO_BY_TOPIC (code 105) to a name server on 127.0.0.1, over a plain blocking socket:
/// whether it has a route for a topic (answers SUCCESS).
enum RouteQuery {
    static func isKnown(topic: String, namesrvPort: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(namesrvPort).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return false }
        let request: [String: Any] = [
            "code": 105, "extFields": ["topic": topic], "flag": 0, "language": "JAVA", "opaque": 1,
            "serializeTypeCurrentRPC": "JSON", "version": 409,
        ]
        guard let header = try? JSONSerialization.data(withJSONObject: request) else { return false }
        var frame = Data()
        for word in [UInt32(4 + header.count), UInt32(header.count)] {
            withUnsafeBytes(of: word.bigEndian) { frame.append(contentsOf: $0) }
        }
        frame.append(header)
        let sent = frame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == frame.count, let prefix = read(fd, count: 8) else { return false }
        let headerLength = Int(prefix[4...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } & 0xFF_FFFF)
        guard let answer = read(fd, count: headerLength),
              let json = try? JSONSerialization.jsonObject(with: answer) as? [String: Any],
              let code = json["code"] as? Int
        else { return false }
        return code == 0
    }

    private static func read(_ fd: Int32, count: Int) -> Data? {
        var data = Data(count: count)
        var got = 0
        while got < count {
            let n = data.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
            guard n > 0 else { return nil }
            got += n
        }
        return data
    }
}
