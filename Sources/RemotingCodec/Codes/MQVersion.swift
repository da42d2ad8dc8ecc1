/// Version numbers on the wire are ordinals of Java's `MQVersion.Version` enum.
public enum MQVersion {
    public static let v3_0_11: Int32 = 37
    public static let v3_1_8: Int32 = 63
    public static let v3_4_9: Int32 = 121
    public static let v4_0_0: Int32 = 213
    public static let v4_1_0Snapshot: Int32 = 232
    /// The route-JSON threshold (§3.2.3). PROTOCOL.md says 405; the 4.9.8 enum makes it 401.
    public static let v4_9_4: Int32 = 401
    public static let v4_9_8: Int32 = 409
    public static let v5_0_0: Int32 = 413

    /// What this server reports in every command it creates (clients read it from HEART_BEAT).
    public static let current: Int32 = v4_9_8

    /// Java `MQVersion.getVersionDesc`: the enum constant's name for an ordinal.
    public static func description(of ordinal: Int32) -> String {
        let prefix = ["V3_0_0_SNAPSHOT", "V3_0_0_ALPHA1", "V3_0_0_BETA1", "V3_0_0_BETA2", "V3_0_0_BETA3",
                      "V3_0_0_BETA4", "V3_0_0_BETA5", "V3_0_0_BETA6_SNAPSHOT", "V3_0_0_BETA6",
                      "V3_0_0_BETA7_SNAPSHOT", "V3_0_0_BETA7", "V3_0_0_BETA8_SNAPSHOT", "V3_0_0_BETA8",
                      "V3_0_0_BETA9_SNAPSHOT", "V3_0_0_BETA9", "V3_0_0_FINAL"]
        if ordinal < 0 { return prefix[0] }
        if ordinal < prefix.count { return prefix[Int(ordinal)] }
        // After the 3.0.0 pre-releases every version comes as a SNAPSHOT/release pair:
        // 3.0.1–3.0.15, 3.1.0–3.2.9, 3.3.1–3.9.9 (no x.y.0), then 4.0.0–5.9.9.
        var versions: [(Int, Int, Int)] = []
        versions += (1...15).map { (3, 0, $0) }
        for minor in 1...2 { versions += (0...9).map { (3, minor, $0) } }
        for minor in 3...9 { versions += (1...9).map { (3, minor, $0) } }
        for major in 4...5 { for minor in 0...9 { versions += (0...9).map { (major, minor, $0) } } }
        let index = Int(ordinal) - prefix.count
        guard index < versions.count * 2 else { return "HIGHER_VERSION" }
        let (major, minor, patch) = versions[index / 2]
        return "V\(major)_\(minor)_\(patch)" + (index % 2 == 0 ? "_SNAPSHOT" : "")
    }
}
