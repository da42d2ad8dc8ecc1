// swift-tools-version: 6.3
// Micro-benchmarks for the remoting codec and the message store (STYLE.md §2: a separate package, so the main
// package and CI never build ordo-one/benchmark). Run with `swift package --disable-sandbox benchmark`.
import PackageDescription

let package = Package(
    name: "swift-rocketmq-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "swift-rocketmq", path: ".."),
        // Only MallocInterposer: the default RuntimeInterposer trait pulls in swift-runtime-interposer.
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .executableTarget(
            name: "CodecBenchmarks",
            dependencies: [
                .product(name: "RemotingCodec", package: "swift-rocketmq"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/CodecBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        .executableTarget(
            name: "StoreBenchmarks",
            dependencies: [
                .product(name: "MessageStore", package: "swift-rocketmq"),
                .product(name: "RocketMQModel", package: "swift-rocketmq"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Benchmarks/StoreBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        // Store load and recovery runs to profile or time by hand (Scripts/store-recovery-time.sh), not benchmarks.
        .executableTarget(
            name: "StoreTool",
            dependencies: [
                .product(name: "MessageStore", package: "swift-rocketmq"),
                .product(name: "RocketMQModel", package: "swift-rocketmq"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tools/StoreTool"
        ),
        // The codec benchmark's decode+encode loop, to profile by hand.
        .executableTarget(
            name: "CodecTool",
            dependencies: [
                .product(name: "RemotingCodec", package: "swift-rocketmq"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tools/CodecTool"
        ),
        // Replicated puts, SYNC_MASTER + SYNC_FLUSH against ASYNC_MASTER + ASYNC_FLUSH (issue 9), timed by hand.
        .executableTarget(
            name: "HATool",
            dependencies: [
                .product(name: "MessageStore", package: "swift-rocketmq"),
                .product(name: "HAReplication", package: "swift-rocketmq"),
                .product(name: "Broker", package: "swift-rocketmq"),
                .product(name: "RemotingCodec", package: "swift-rocketmq"),
                .product(name: "RemotingNIO", package: "swift-rocketmq"),
                .product(name: "RocketMQModel", package: "swift-rocketmq"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tools/HATool"
        ),
    ]
)
