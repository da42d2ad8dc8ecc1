import ArgumentParser
import RocketMQModel

/// The HTTP port's settings: the `metricsPort` / `metricsHost` properties keys (ours; Java's broker has
/// no HTTP port) or the options that override them. A port of -1 serves nothing; 0 takes a free port
/// (printed at start).
struct OpsPortSettings {
    var host: String
    var port: Int
    /// Chosen by the operator (an option or a key), not the default: a taken port then fails the start.
    var explicit: Bool

    /// Takes `metricsPort` / `metricsHost` out of `properties` (the server's own config does not know them).
    static func take(from properties: inout JavaProperties, port: Int?, defaultPort: Int, defaultHost: String = "0.0.0.0") throws -> Self {
        let keyPort = properties["metricsPort"]
        let keyHost = properties["metricsHost"]
        properties["metricsPort"] = nil
        properties["metricsHost"] = nil
        var settings = Self(host: keyHost ?? defaultHost, port: defaultPort, explicit: false)
        if let keyPort {
            guard let value = Int(keyPort.filter { $0 != " " && $0 != "\t" }), value >= -1, value <= 65535 else {
                throw ValidationError("bad value for metricsPort: \(keyPort)")
            }
            settings.port = value
            settings.explicit = true
        }
        if let port {
            settings.port = port
            settings.explicit = true
        }
        return settings
    }
}
