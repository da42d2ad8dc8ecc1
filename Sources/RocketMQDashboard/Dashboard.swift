#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Hummingbird
import Logging
import Mustache
import NIOCore
import ServiceLifecycle

/// The web dashboard (what operators of Apache RocketMQ run as the separate rocketmq-dashboard): cluster,
/// topics, consumer groups with their lag, message lookup by key or id, and a form to send a test message.
/// Pages are rendered on the server from ``DashboardSource``'s answers. Read-only unless `actionsEnabled`.
///
/// As a `Service` it samples the cluster's TPS every `sampleInterval` for the cluster page's chart.
public struct Dashboard: Service {
    public let source: any DashboardSource
    public let actionsEnabled: Bool
    public let history: TPSHistory
    public let sampleInterval: Duration
    private let library: MustacheLibrary
    private let logger: Logger

    public init(
        source: any DashboardSource, actionsEnabled: Bool = false, history: TPSHistory = TPSHistory(),
        sampleInterval: Duration = .seconds(5), logger: Logger
    ) throws {
        self.source = source
        self.actionsEnabled = actionsEnabled
        self.history = history
        self.sampleInterval = sampleInterval
        self.logger = logger
        var library = MustacheLibrary()
        for (name, text) in Templates.all { try library.register(text, named: name) }
        self.library = library
    }

    /// Samples the TPS until shutdown; a failed sample (a broker restarting) is skipped.
    public func run() async throws {
        // Shutdown need not wait for the next sample's time.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sample()
                try await Task.sleep(for: sampleInterval)
            }
        }
    }

    /// Takes one TPS sample now.
    public func sample() async {
        do {
            let throughput = try await source.throughput()
            history.add(.init(time: Int64(Date().timeIntervalSince1970), throughput: throughput))
        } catch {
            logger.debug("TPS sample failed", metadata: ["error": "\(error)"])
        }
    }

    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/") { _, _ in await self.clusterPage() }
        router.get("/topics") { _, _ in
            await self.page("topics", title: "Topics") { ["rows": try await self.source.topics()] }
        }
        router.get("/topic") { request, _ in
            let name = request.uri.queryParameters.get("name") ?? ""
            return await self.page("topic", title: "Topic \(name)") { ["view": try await self.source.topic(name)] }
        }
        router.get("/groups") { _, _ in
            await self.page("groups", title: "Consumer groups") { ["rows": try await self.source.groups()] }
        }
        router.get("/group") { request, _ in
            let name = request.uri.queryParameters.get("name") ?? ""
            return await self.page("group", title: "Consumer group \(name)") { ["view": try await self.source.group(name)] }
        }
        router.get("/messages") { request, _ in
            let query = request.uri.queryParameters
            let topic = query.get("topic") ?? ""
            let key = query.get("key").flatMap { $0.isEmpty ? nil : $0 }
            let msgId = query.get("msgId").flatMap { $0.isEmpty ? nil : $0 }
            let fields: [String: Any] = ["topic": topic, "key": key ?? "", "msgId": msgId ?? ""]
            guard !topic.isEmpty, key != nil || msgId != nil else {
                return self.render("messages", title: "Messages", fields)
            }
            return await self.page("messages", title: "Messages", fields) {
                let results = try await self.source.messages(topic: topic, key: key, msgId: msgId)
                return ["results": results, "searched": ["count": results.count]]
            }
        }
        router.get("/send") { request, _ in
            self.render("send", title: "Send a test message", [
                "actionsEnabled": self.actionsEnabled, "topic": request.uri.queryParameters.get("topic") ?? "TopicTest",
            ])
        }
        router.post("/send") { request, _ in
            guard self.actionsEnabled else {
                return self.render("send", title: "Send a test message", ["actionsEnabled": false], status: .forbidden)
            }
            let body = try await request.body.collect(upTo: 256 * 1024)
            let form = Self.formFields(String(buffer: body))
            let topic = form["topic"] ?? ""
            return await self.page("send", title: "Send a test message", ["actionsEnabled": true, "topic": topic]) {
                guard !topic.isEmpty else { throw DashboardError("a topic is required") }
                let result = try await self.source.sendTestMessage(
                    topic: topic, tags: form["tags"].flatMap { $0.isEmpty ? nil : $0 },
                    keys: form["keys"].flatMap { $0.isEmpty ? nil : $0 }, body: form["body"] ?? "")
                return ["result": result]
            }
        }
    }

    private func clusterPage() async -> Response {
        let fields: [String: Any] = [
            "chart": history.svg(), "interval": Int(sampleInterval.components.seconds),
        ]
        return await page("cluster", title: "Cluster", fields) { ["view": try await self.source.cluster()] }
    }

    /// Renders `template` with `fields` and what `load` returns; a failed load shows its error (status 502:
    /// the cluster, not the dashboard, failed).
    private func page(
        _ template: String, title: String, _ fields: [String: Any] = [:], load: () async throws -> [String: Any]
    ) async -> Response {
        do {
            let loaded = try await load()
            return render(template, title: title, fields.merging(loaded) { _, new in new })
        } catch {
            logger.debug("dashboard page failed", metadata: ["page": "\(template)", "error": "\(error)"])
            var fields = fields
            fields["error"] = "\(error)"
            return render(template, title: title, fields, status: .badGateway)
        }
    }

    private func render(_ template: String, title: String, _ fields: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var context = fields
        context["title"] = title
        let html = library.render(context, withTemplate: template) ?? ""
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// `application/x-www-form-urlencoded` fields.
    static func formFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                var bytes: [UInt8] = []
                var utf8 = part.utf8[...]
                while let byte = utf8.popFirst() {
                    if byte == UInt8(ascii: "+") {
                        bytes.append(UInt8(ascii: " "))
                    } else if byte == UInt8(ascii: "%"), utf8.count >= 2,
                              let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                        bytes.append(value)
                        utf8 = utf8.dropFirst(2)
                    } else {
                        bytes.append(byte)
                    }
                }
                return String(decoding: bytes, as: UTF8.self)
            }
            guard let name = parts.first else { continue }
            fields[decode(name)] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}

public struct DashboardError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
