// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "swift-rocketmq",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rocketmq", targets: ["rocketmq"]),
        .library(name: "RocketMQModel", targets: ["RocketMQModel"]),
        .library(name: "RemotingCodec", targets: ["RemotingCodec"]),
        .library(name: "RemotingNIO", targets: ["RemotingNIO"]),
        .library(name: "NameServer", targets: ["NameServer"]),
        .library(name: "MessageStore", targets: ["MessageStore"]),
        .library(name: "RocketMQClient", targets: ["RocketMQClient"]),
        .library(name: "HAReplication", targets: ["HAReplication"]),
        // For Benchmarks/ (HATool runs brokers in-process).
        .library(name: "Broker", targets: ["Broker"]),
        .library(name: "HTTPGateway", targets: ["HTTPGateway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        // [ops] metrics and the dashboard.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // Message and stored-record format, ids, properties, names. No I/O.
        .target(
            name: "RocketMQModel",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Frames, RemotingCommand, headers, codes, fastjson dialect. No I/O.
        .target(
            name: "RemotingCodec",
            dependencies: [
                "RocketMQModel",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // NIO channel handlers over the codec.
        .target(
            name: "RemotingNIO",
            dependencies: [
                "RemotingCodec",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Commit log, consume queues, index, flush, dispatch, recovery. No networking.
        .target(
            name: "MessageStore",
            dependencies: [
                "RocketMQModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        // Master/slave commit-log streaming on haListenPort (Java's HA format), SYNC_MASTER acks.
        .target(
            name: "HAReplication",
            dependencies: [
                "MessageStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Route table, broker expiry, KV config and their processor.
        .target(
            name: "NameServer",
            dependencies: [
                "RemotingNIO", "RemotingCodec", "RocketMQModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Thin processors, topic/subscription/offset managers, registration (the store joins with [store]).
        .target(
            name: "Broker",
            dependencies: [
                "MessageStore", "HAReplication", "RemotingNIO", "RemotingCodec", "RocketMQModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Producer, consumers, route cache: a client of any RocketMQ 4.x cluster.
        .target(
            name: "RocketMQClient",
            dependencies: [
                "RemotingNIO", "RemotingCodec", "RocketMQModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP gateway: POST to send, push to a subscriber's backurl; a client of any cluster.
        .target(
            name: "HTTPGateway",
            dependencies: [
                "RocketMQClient", "RemotingCodec", "RocketMQModel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "rocketmq",
            dependencies: [
                "HTTPGateway",
                "RocketMQClient",
                "RemotingCodec",
                "RocketMQModel",
                "NameServer",
                "Broker",
                "MessageStore",
                "RemotingNIO",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "RocketMQDashboard",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        // [ops] The web dashboard's pages (Hummingbird + Mustache); the CLI gives it the cluster's figures.
        .target(
            name: "RocketMQDashboard",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RocketMQDashboardTests",
            dependencies: [
                "RocketMQDashboard",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Loads Fixtures/ for the test targets.
        .target(
            name: "FixtureSupport",
            dependencies: ["RemotingCodec", .product(name: "NIOCore", package: "swift-nio")],
            path: "Tests/FixtureSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RocketMQModelTests",
            dependencies: ["RocketMQModel", "RemotingCodec", "FixtureSupport", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RemotingCodecTests",
            dependencies: ["RemotingCodec", "RocketMQModel", "FixtureSupport", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MessageStoreTests",
            dependencies: [
                "MessageStore", "RocketMQModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // A name server and broker in-process, for the client and gateway tests.
        .target(
            name: "ClusterSupport",
            dependencies: [
                "Broker", "NameServer", "RocketMQModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/ClusterSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RocketMQClientTests",
            dependencies: [
                "RocketMQClient", "Broker", "NameServer", "RemotingCodec", "RemotingNIO", "RocketMQModel", "FixtureSupport",
                "ClusterSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HAReplicationTests",
            dependencies: [
                "HAReplication", "MessageStore", "RocketMQModel", "FixtureSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BrokerTests",
            dependencies: [
                "Broker", "MessageStore", "NameServer", "RemotingCodec", "RemotingNIO", "RocketMQModel", "FixtureSupport",
                "ClusterSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NameServerTests",
            dependencies: [
                "NameServer", "RemotingNIO", "RemotingCodec", "RocketMQModel", "FixtureSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HTTPGatewayTests",
            dependencies: [
                "HTTPGateway", "RocketMQClient", "Broker", "NameServer", "RocketMQModel", "ClusterSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Third-party clients (Interop/) against our servers, started in-process on free ports.
        .testTarget(
            name: "InteropTests",
            dependencies: [
                "ClusterSupport",
                "NameServer",
                "Broker",
                "MessageStore",
                "RocketMQClient",
                "RemotingCodec",
                "RocketMQModel",
                .product(name: "NIOCore", package: "swift-nio"),
                "HTTPGateway",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RemotingNIOTests",
            dependencies: [
                "RemotingNIO", "RemotingCodec", "FixtureSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
