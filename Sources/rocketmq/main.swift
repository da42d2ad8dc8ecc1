import NIOCore
import NIOPosix

// The load generators run their tasks on NIO's event loops: a send's continuation resumes where its
// connection lives, with no hop to and from Swift's global pool.
let arguments = CommandLine.arguments
if arguments.count > 2, arguments[1] == "bench", arguments[2] == "producer" || arguments[2] == "consumer" {
    _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
}

enum Entry {
    /// In an async function the parser's async `main` is chosen (top-level code would pick the sync one).
    static func run() async { await RocketMQCommand.main() }
}
await Entry.run()
