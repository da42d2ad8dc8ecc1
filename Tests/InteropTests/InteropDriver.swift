import Foundation

/// Runs a driver from `Interop/` with the project's `.venv` Python (made by `.ci/run`).
enum InteropDriver {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = root.appendingPathComponent(".venv/bin/python").path

    struct Outcome {
        var status: Int32
        var output: String
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

    /// Runs `Interop/<script> <arguments>`; kills it after `timeout` seconds.
    static func run(_ script: String, _ arguments: [String], timeout: TimeInterval = 90) async throws -> Outcome {
        guard FileManager.default.isExecutableFile(atPath: python) else { throw Failure.noVenv }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("Interop/\(script)").path] + arguments
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let finished = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { finished.continuation.yield($0.terminationStatus); finished.continuation.finish() }
        try process.run()
        let killer = Task {
            try? await Task.sleep(for: .seconds(timeout))
            guard !Task.isCancelled else { return false }
            process.terminate()
            return true
        }
        var status: Int32 = -1
        for await code in finished.stream { status = code }
        killer.cancel()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if await killer.value { throw Failure.timedOut(output) }
        return Outcome(status: status, output: output)
    }
}
