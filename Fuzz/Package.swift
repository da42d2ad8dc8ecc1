// swift-tools-version:6.0
// libFuzzer target for the remoting frame decoder. Build and run with Scripts/fuzz-frame-decoder.sh:
// the target has no `main` of its own and links only under `-sanitize=fuzzer`.
import PackageDescription

let package = Package(
    name: "swift-rocketmq-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "swift-rocketmq", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "FuzzFrameDecoder",
            dependencies: [
                .product(name: "RemotingCodec", package: "swift-rocketmq"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
    ]
)
