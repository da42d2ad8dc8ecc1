import SystemPackage

/// Errors of the message store: I/O failures and store directories it cannot open.
///
/// Expected outcomes of puts and gets (a full disk, a flush timeout, an offset out of range) are not errors but
/// ``PutMessageStatus`` and ``GetMessageStatus`` values.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed on `path`.
    case io(operation: String, path: String, errno: Errno)
    /// A commit-log or consume-queue file whose size differs from the configured file size (Java refuses to load
    /// such a store too: `MappedFileQueue.doLoad`).
    case fileSizeMismatch(path: String, expected: Int, actual: Int)
    /// Another process holds the store's `lock` file.
    case storeLocked(path: String)
    /// The store has been shut down.
    case shutDown

    /// Whether the file system is out of space or quota (ENOSPC, EDQUOT): the store then refuses puts until the
    /// disk check finds room.
    public var isOutOfSpace: Bool {
        guard case .io(_, _, let errno) = self else { return false }
        return errno == .noSpace || errno == .diskQuotaExceeded
    }

    public var description: String {
        switch self {
        case .io(let operation, let path, let errno):
            return "\(operation) \(path): \(errno)"
        case .fileSizeMismatch(let path, let expected, let actual):
            return "\(path) is \(actual) bytes, the configured file size is \(expected)"
        case .storeLocked(let path):
            return "\(path) is locked by another process (is a broker already running on this store?)"
        case .shutDown:
            return "the message store has been shut down"
        }
    }
}
