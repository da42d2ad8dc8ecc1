enum Entry {
    /// In an async function the parser's async `main` is chosen (top-level code would pick the sync one).
    static func run() async { await RocketMQCommand.main() }
}
await Entry.run()
