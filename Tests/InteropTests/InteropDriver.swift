import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a driver from `Interop/` with the project's `.venv` Python (made by `.ci/run`).
enum InteropDriver {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = root.appendingPathComponent(".venv/bin/python").path

    struct Outcome {
        var status: Int32
        var output: String

        /// The output's lines starting with `prefix` and a space, without it.
        func lines(_ prefix: String) -> [String] {
            output.split(whereSeparator: \.isNewline).filter { $0.hasPrefix(prefix + " ") }
                .map { String($0.dropFirst(prefix.count + 1)) }
        }
    }

    enum Failure: Error, CustomStringConvertible {
        case noVenv
        case timedOut(String)
        var description: String {
            switch self {
            case .noVenv: "no .venv with rocketmq==0.4.4: run `python3 -m venv .venv && .venv/bin/pip install rocketmq==0.4.4` (.ci/run does)"
            case .timedOut(let output): "driver timed out; output so far:\n\(output)"
            }
        }
    }

    /// Runs `Interop/<script> <arguments>` (stdout and stderr together); kills it after `timeout`
    /// seconds. `environment` is added to this process's environment.
    static func run(
        _ script: String, _ arguments: [String], environment extra: [String: String] = [:], timeout: TimeInterval = 90
    ) async throws -> Outcome {
        guard FileManager.default.isExecutableFile(atPath: python) else { throw Failure.noVenv }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("Interop/\(script)").path] + arguments
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        environment["PYTHONDONTWRITEBYTECODE"] = "1"  // no __pycache__ in Interop/ (broker_common.py is imported)
        environment.merge(extra) { $1 }
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let finished = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { finished.continuation.yield($0.terminationStatus); finished.continuation.finish() }
        try process.run()
        // Drained while it runs, so a chatty driver cannot block on a full pipe.
        let output = PipeDrain(pipe.fileHandleForReading)
        let killer = Task {
            try? await Task.sleep(for: .seconds(timeout))
            guard !Task.isCancelled else { return false }
            process.terminate()
            return true
        }
        var status: Int32 = -1
        for await code in finished.stream { status = code }
        killer.cancel()
        let text = await output.text()
        if await killer.value { throw Failure.timedOut(text) }
        return Outcome(status: status, output: text)
    }
}

/// Reads a pipe to its end on a thread of its own, keeping everything read; `updates` yields after
/// each chunk and finishes at the end.
final class PipeDrain: Sendable {
    private let state = Mutex((data: Data(), done: false))
    let updates: AsyncStream<Void>

    init(_ handle: FileHandle) {
        let (updates, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.updates = updates
        let thread = Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                state.withLock { $0.data.append(chunk) }
                continuation.yield()
            }
            state.withLock { $0.done = true }
            continuation.finish()
        }
        thread.start()
    }

    /// What was read so far.
    var current: String { String(decoding: state.withLock { $0.data }, as: UTF8.self) }

    /// Everything, once the writer closed the pipe (or 5 s passed, e.g. a grandchild still holds it).
    func text() async -> String {
        let deadline = ContinuousClock.now + .seconds(5)
        while !state.withLock({ $0.done }), ContinuousClock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(10)) } catch { usleep(10_000) }
        }
        return current
    }
}
