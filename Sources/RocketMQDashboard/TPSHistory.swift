import NIOConcurrencyHelpers

/// The cluster's in/out TPS over the last minutes, sampled by the dashboard every `interval` seconds
/// (a bounded ring: `capacity` samples), drawn as an inline SVG chart (no script, no CDN).
public final class TPSHistory: Sendable {
    public struct Sample: Sendable, Equatable {
        /// Seconds since the epoch.
        public var time: Int64
        public var throughput: Throughput
        public init(time: Int64, throughput: Throughput) {
            self.time = time
            self.throughput = throughput
        }
    }

    public let capacity: Int
    private let samples = NIOLockedValueBox<[Sample]>([])

    public init(capacity: Int = 120) {
        self.capacity = max(2, capacity)
    }

    public func add(_ sample: Sample) {
        samples.withLockedValue { samples in
            samples.append(sample)
            if samples.count > capacity { samples.removeFirst(samples.count - capacity) }
        }
    }

    public var all: [Sample] { samples.withLockedValue { $0 } }

    /// An SVG line chart of in (green) and out (blue) TPS; the y axis tops at the largest value seen.
    public func svg(width: Int = 640, height: Int = 140) -> String {
        let samples = all
        let top = max(1, samples.map { max($0.throughput.inTps, $0.throughput.outTps) }.max() ?? 1)
        let left = 48.0, right = Double(width) - 8, upper = 10.0, lower = Double(height) - 22
        func x(_ index: Int) -> Double {
            samples.count < 2 ? left : left + (right - left) * Double(index) / Double(samples.count - 1)
        }
        func y(_ value: Double) -> Double { lower - (lower - upper) * value / top }
        func points(_ value: (Throughput) -> Double) -> String {
            samples.enumerated().map { "\(format(x($0.offset))),\(format(y(value($0.element.throughput))))" }.joined(separator: " ")
        }
        let span = samples.count >= 2 ? samples[samples.count - 1].time - samples[0].time : 0
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"\(width)\" height=\"\(height)\""
        svg += " viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"messages in and out per second\">"
        svg += "<rect x=\"\(Int(left))\" y=\"\(Int(upper))\" width=\"\(Int(right - left))\" height=\"\(Int(lower - upper))\" fill=\"#fafafa\" stroke=\"#ccc\"/>"
        svg += "<text x=\"\(Int(left) - 4)\" y=\"\(Int(upper) + 10)\" text-anchor=\"end\" font-size=\"11\">\(format(top))</text>"
        svg += "<text x=\"\(Int(left) - 4)\" y=\"\(Int(lower))\" text-anchor=\"end\" font-size=\"11\">0</text>"
        svg += "<text x=\"\(Int(left))\" y=\"\(height - 6)\" font-size=\"11\">−\(span) s</text>"
        svg += "<text x=\"\(Int(right))\" y=\"\(height - 6)\" text-anchor=\"end\" font-size=\"11\">now</text>"
        if samples.isEmpty {
            svg += "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" font-size=\"12\">no samples yet</text>"
        } else {
            svg += "<polyline class=\"tps-in\" fill=\"none\" stroke=\"#2e7d32\" stroke-width=\"2\" points=\"\(points { $0.inTps })\"><title>in TPS</title></polyline>"
            svg += "<polyline class=\"tps-out\" fill=\"none\" stroke=\"#1565c0\" stroke-width=\"2\" points=\"\(points { $0.outTps })\"><title>out TPS</title></polyline>"
        }
        return svg + "</svg>"
    }

    private func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
    }
}
