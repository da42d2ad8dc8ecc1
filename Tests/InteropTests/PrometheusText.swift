import Foundation

/// A strict reader of the Prometheus text exposition format (version 0.0.4), for checking `/metrics`:
/// every line is a `# HELP`, a `# TYPE` or a sample; names and label names match the format's patterns;
/// label values use only its three escapes; a metric's samples follow its TYPE line and stay together;
/// no series appears twice; histograms have `le` buckets that never decrease and end at `+Inf` = `_count`.
struct PrometheusText {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Failure: Error, CustomStringConvertible {
        var line: Int
        var reason: String
        var description: String { "line \(line): \(reason)" }
    }

    private(set) var samples: [Sample] = []
    private(set) var types: [String: String] = [:]

    init(_ text: String) throws {
        var seenSeries: Set<String> = []
        var finishedFamilies: Set<String> = []
        var currentFamily: String?
        var lineNumber = 0
        guard text.isEmpty || text.hasSuffix("\n") else { throw Failure(line: 0, reason: "the text does not end with a newline") }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            lineNumber += 1
            let line = String(line)
            func fail(_ reason: String) -> Failure { Failure(line: lineNumber, reason: "\(reason): \(line)") }
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
                guard parts.count >= 3, parts[0] == "#", ["HELP", "TYPE"].contains(parts[1]) else { continue }  // a comment
                let name = parts[2]
                guard Self.isMetricName(name) else { throw fail("bad metric name") }
                if parts[1] == "TYPE" {
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                        throw fail("bad TYPE")
                    }
                    guard types[name] == nil, !finishedFamilies.contains(name) else { throw fail("second TYPE for \(name)") }
                    if let currentFamily, currentFamily != name { finishedFamilies.insert(currentFamily) }
                    types[name] = parts[3]
                    currentFamily = name
                }
                continue
            }
            let sample = try Self.parseSample(line, fail: fail)
            let family = family(of: sample.name)
            if let currentFamily, currentFamily != family { finishedFamilies.insert(currentFamily) }
            guard !finishedFamilies.contains(family) else { throw fail("samples of \(family) are not together") }
            currentFamily = family
            let series = sample.name + "{" + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}"
            guard seenSeries.insert(series).inserted else { throw fail("duplicate series") }
            if types[family] == "counter", !(sample.value >= 0) { throw fail("negative counter") }
            samples.append(sample)
        }
        try checkHistograms()
    }

    /// The family a sample belongs to: `x_bucket`, `x_sum` and `x_count` belong to histogram `x`.
    private func family(of name: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" || types[base] == "summary" { return base }
        }
        return name
    }

    private func checkHistograms() throws {
        for (name, type) in types where type == "histogram" {
            let buckets = samples.filter { $0.name == name + "_bucket" }
            var bySeries: [[String: String]: [(le: Double, count: Double)]] = [:]
            for bucket in buckets {
                guard let leText = bucket.labels["le"], let le = Self.number(leText) else {
                    throw Failure(line: 0, reason: "\(name)_bucket without a numeric le")
                }
                var labels = bucket.labels
                labels["le"] = nil
                bySeries[labels, default: []].append((le, bucket.value))
            }
            for (labels, list) in bySeries {
                guard list.last?.le == .infinity else { throw Failure(line: 0, reason: "\(name)\(labels) does not end with le=\"+Inf\"") }
                for (earlier, later) in zip(list, list.dropFirst()) {
                    guard earlier.le < later.le, earlier.count <= later.count else {
                        throw Failure(line: 0, reason: "\(name)\(labels) buckets out of order or decreasing")
                    }
                }
                guard let count = samples.first(where: { $0.name == name + "_count" && $0.labels == labels }),
                      samples.contains(where: { $0.name == name + "_sum" && $0.labels == labels }) else {
                    throw Failure(line: 0, reason: "\(name)\(labels) without _sum or _count")
                }
                guard count.value == list.last?.count else { throw Failure(line: 0, reason: "\(name)\(labels) +Inf bucket ≠ _count") }
            }
        }
    }

    /// The value of the one sample named `name` with exactly `labels` (besides any others given as nil).
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    func samples(named name: String) -> [Sample] { samples.filter { $0.name == name } }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first,
              first == "_" || first == ":" || ("a"..."z").contains(first) || ("A"..."Z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0 == ":" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || ("a"..."z").contains(first) || ("A"..."Z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    static func number(_ text: String) -> Double? {
        switch text {
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(text)
        }
    }

    private static func parseSample(_ line: String, fail: (String) -> Failure) throws -> Sample {
        var index = line.startIndex
        while index < line.endIndex, line[index] != "{", line[index] != " " { index = line.index(after: index) }
        let name = String(line[..<index])
        guard isMetricName(name) else { throw fail("bad metric name") }
        var labels: [String: String] = [:]
        if index < line.endIndex, line[index] == "{" {
            index = line.index(after: index)
            while true {
                guard index < line.endIndex else { throw fail("unterminated labels") }
                if line[index] == "}" { index = line.index(after: index); break }
                var nameEnd = index
                while nameEnd < line.endIndex, line[nameEnd] != "=" { nameEnd = line.index(after: nameEnd) }
                let labelName = String(line[index..<nameEnd])
                guard isLabelName(labelName), nameEnd < line.endIndex else { throw fail("bad label name") }
                index = line.index(after: nameEnd)
                guard index < line.endIndex, line[index] == "\"" else { throw fail("label value not quoted") }
                index = line.index(after: index)
                var value = ""
                while true {
                    guard index < line.endIndex else { throw fail("unterminated label value") }
                    let character = line[index]
                    if character == "\"" { index = line.index(after: index); break }
                    if character == "\\" {
                        index = line.index(after: index)
                        guard index < line.endIndex else { throw fail("dangling escape") }
                        switch line[index] {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw fail("bad escape")
                        }
                    } else {
                        value.append(character)
                    }
                    index = line.index(after: index)
                }
                guard labels.updateValue(value, forKey: labelName) == nil else { throw fail("label \(labelName) twice") }
                guard index < line.endIndex else { throw fail("unterminated labels") }
                if line[index] == "," { index = line.index(after: index) } else if line[index] != "}" { throw fail("expected , or }") }
            }
        }
        guard index < line.endIndex, line[index] == " " else { throw fail("no value") }
        let rest = line[line.index(after: index)...].split(separator: " ", omittingEmptySubsequences: false)
        guard (1...2).contains(rest.count), let value = number(String(rest[0])) else { throw fail("bad value") }
        if rest.count == 2, Int64(rest[1]) == nil { throw fail("bad timestamp") }
        return Sample(name: name, labels: labels, value: value)
    }
}
