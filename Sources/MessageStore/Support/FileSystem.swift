import SystemPackage
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file-system calls the store makes besides mapping files, with typed errors.
enum FileSystem {
    /// The current `errno` as an `Errno`.
    static var lastErrno: Errno { Errno(rawValue: errno) }

    /// `mkdir -p`.
    static func createDirectories(_ path: String) throws(StoreError) {
        guard !path.isEmpty else { return }
        var current = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            current += (current.isEmpty || current.hasSuffix("/") ? "" : "/") + component
            if mkdir(current, 0o755) != 0 {
                let error = Self.lastErrno
                guard error == .fileExists else { throw .io(operation: "mkdir", path: current, errno: error) }
                guard Self.isDirectory(current) else { throw .io(operation: "mkdir", path: current, errno: .notDirectory) }
            }
        }
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Size of a regular file, nil if it does not exist.
    static func fileSize(_ path: String) throws(StoreError) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let error = Self.lastErrno
            if error == .noSuchFileOrDirectory { return nil }
            throw .io(operation: "stat", path: path, errno: error)
        }
        return Int(info.st_size)
    }

    /// Names in a directory (without `.` and `..`), sorted ascending; [] if the directory does not exist.
    static func contents(of path: String) throws(StoreError) -> [String] {
        guard let directory = opendir(path) else {
            let error = Self.lastErrno
            if error == .noSuchFileOrDirectory || error == .notDirectory { return [] }
            throw .io(operation: "opendir", path: path, errno: error)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Removes a file; a missing file is not an error.
    static func removeFile(_ path: String) throws(StoreError) {
        if unlink(path) != 0 {
            let error = Self.lastErrno
            guard error == .noSuchFileOrDirectory else { throw .io(operation: "unlink", path: path, errno: error) }
        }
    }

    /// Removes an empty directory; a missing or non-empty one is left alone.
    static func removeEmptyDirectory(_ path: String) {
        _ = rmdir(path)
    }

    /// Creates an empty file if it does not exist and syncs it and its directory (the abort file).
    static func createEmptyFile(_ path: String) throws(StoreError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: Self.lastErrno) }
        _ = fsync(fd)
        close(fd)
        Self.syncDirectory(containing: path)
    }

    /// fsyncs the directory holding `path`, so that a created or removed name is durable.
    static func syncDirectory(containing path: String) {
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = "."
        }
        let fd = open(directory, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// `path` + "/" + `name`.
    static func join(_ path: String, _ name: String) -> String {
        path.hasSuffix("/") ? path + name : path + "/" + name
    }

    /// Java `UtilAll.offset2FileName`: the offset as 20 zero-padded decimal digits.
    static func offsetFileName(_ offset: Int64) -> String {
        let digits = String(offset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }
}

/// An exclusive `flock` on the store's `lock` file for the process lifetime (Java `DefaultMessageStore.start`
/// locks the same file).
final class StoreLockFile: Sendable {
    let path: String
    private let fd: LockedValue<Int32?>

    init(path: String) throws(StoreError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: FileSystem.lastErrno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .storeLocked(path: path)
        }
        // Java writes the word "lock" into it.
        _ = "lock".withCString { pwrite(fd, $0, 4, 0) }
        self.path = path
        self.fd = LockedValue(fd)
    }

    /// Releases the lock (at shutdown, as Java does).
    func release() {
        let fd = self.fd.withLock { fd -> Int32? in
            defer { fd = nil }
            return fd
        }
        if let fd {
            _ = flock(fd, LOCK_UN)
            close(fd)
        }
    }

    deinit {
        self.release()
    }
}
