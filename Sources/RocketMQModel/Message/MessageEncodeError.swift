/// Why a message or batch cannot be written in the stored or batch layout.
public enum MessageEncodeError: Error, Equatable, Sendable {
    /// The topic takes more than 127 UTF-8 bytes (1-byte length; 5.x V2 magic allows 32767).
    case topicTooLong(Int)
    /// The properties string takes more than 32767 UTF-8 bytes (Java's PROPERTIES_SIZE_EXCEEDED).
    case propertiesTooLong(Int)
    /// The body or the whole entry does not fit a 4-byte length.
    case bodyTooLong(Int)
}
