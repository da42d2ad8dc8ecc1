import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One pre-sized file mapped into memory (Java `MappedFile`): a commit-log segment, a consume-queue file or an
/// index file, named by the offset of its first byte (20 digits) or, for index files, by its creation time.
///
/// Writers copy bytes in with ``write(_:at:)`` and then ``publish(wrotePosition:)``; readers only look below
/// ``readPosition`` (acquire), so they never see a half-copied entry. The mapping lives as long as the object:
/// a reader that holds a reference can keep copying from a file that has been ``destroy()``ed (unlinked); the
/// unmap happens in `deinit` — Swift's reference count plays the part of Java's `ReferenceResource.hold/release`.
///
/// `@unchecked Sendable`: `base` points at the shared mapping; the bytes below ``readPosition`` are immutable
/// once published (except during single-threaded recovery), writes above it come from one writer at a time
/// (the owner's append lock or its single dispatch thread), and every position is an atomic.
final class MappedFile: @unchecked Sendable {
    /// Java `MappedFile.OS_PAGE_SIZE`, the unit of `flushLeastPages`.
    static let osPageSize = 4096

    let path: String
    let fileName: String
    /// Offset of the file's first byte in its queue (Java `fileFromOffset`).
    let fileFromOffset: Int64
    let fileSize: Int
    let base: UnsafeMutableRawPointer
    private let fd: Int32

    /// Bytes written and visible to readers (Java `wrotePosition`, which is also its read position without a
    /// transient store pool).
    private let wrote: Atomic<Int>
    /// Bytes known to be on disk.
    private let flushed: Atomic<Int>
    /// Java `isFirstCreateInQueue`: created as the first file of an empty queue (consume queues pad it).
    let firstCreateInQueue: Bool
    private let destroyed = Atomic<Bool>(false)
    /// How far ``prefault(upTo:onePagePerFolio:)`` has faulted pages in.
    private let prefaulted = Atomic<Int>(0)
    /// How far ``writeAhead(upTo:chunk:while:)`` has written blocks.
    private let writtenAhead = Atomic<Int>(0)

    private init(
        path: String, fileName: String, fileFromOffset: Int64, fileSize: Int, fd: Int32, base: UnsafeMutableRawPointer,
        position: Int, firstCreateInQueue: Bool
    ) {
        self.path = path
        self.fileName = fileName
        self.fileFromOffset = fileFromOffset
        self.fileSize = fileSize
        self.fd = fd
        self.base = base
        self.wrote = Atomic(position)
        self.flushed = Atomic(position)
        self.firstCreateInQueue = firstCreateInQueue
    }

    deinit {
        munmap(self.base, self.fileSize)
        close(self.fd)
    }

    /// Creates (or replaces) `path` with `fileSize` zero bytes, reserves its blocks (so that a full disk fails
    /// here rather than with SIGBUS on a later write) and maps it. Positions start at 0.
    static func create(
        path: String, fileName: String, fileFromOffset: Int64, fileSize: Int, firstCreateInQueue: Bool = false,
        randomAccess: Bool = false
    ) throws(StoreError) -> MappedFile {
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: FileSystem.lastErrno) }
        guard ftruncate(fd, off_t(fileSize)) == 0 else {
            let error = FileSystem.lastErrno
            close(fd)
            _ = unlink(path)
            throw .io(operation: "ftruncate", path: path, errno: error)
        }
        #if os(Linux)
        let reserved = posix_fallocate(fd, 0, off_t(fileSize))
        if reserved != 0 && reserved != EOPNOTSUPP && reserved != EINVAL {
            close(fd)
            _ = unlink(path)
            throw .io(operation: "posix_fallocate", path: path, errno: .init(rawValue: reserved))
        }
        #endif
        let base: UnsafeMutableRawPointer
        do {
            base = try Self.map(fd: fd, path: path, fileSize: fileSize, randomAccess: randomAccess)
        } catch {
            _ = unlink(path)
            throw error
        }
        return MappedFile(
            path: path, fileName: fileName, fileFromOffset: fileFromOffset, fileSize: fileSize, fd: fd, base: base,
            position: 0, firstCreateInQueue: firstCreateInQueue)
    }

    /// Maps an existing file of exactly `fileSize` bytes. As in Java's `MappedFileQueue.doLoad`, every position
    /// starts at the end of the file; recovery moves them back to the last valid entry.
    static func load(
        path: String, fileName: String, fileFromOffset: Int64, fileSize: Int, randomAccess: Bool = false
    ) throws(StoreError) -> MappedFile {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: FileSystem.lastErrno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = FileSystem.lastErrno
            close(fd)
            throw .io(operation: "fstat", path: path, errno: error)
        }
        guard Int(info.st_size) == fileSize else {
            close(fd)
            throw .fileSizeMismatch(path: path, expected: fileSize, actual: Int(info.st_size))
        }
        let base = try Self.map(fd: fd, path: path, fileSize: fileSize, randomAccess: randomAccess)
        return MappedFile(
            path: path, fileName: fileName, fileFromOffset: fileFromOffset, fileSize: fileSize, fd: fd, base: base,
            position: fileSize, firstCreateInQueue: false)
    }

    /// `randomAccess` (consume queues, index files): no read-around on a page fault. Writes to many
    /// such files (a topic with 1024 queues) otherwise make the kernel read, i.e. zero, a large block
    /// around every first touch, and the page cache churns.
    private static func map(fd: Int32, path: String, fileSize: Int, randomAccess: Bool) throws(StoreError) -> UnsafeMutableRawPointer {
        guard let pointer = mmap(nil, fileSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
            pointer != UnsafeMutableRawPointer(bitPattern: -1)
        else {
            let error = FileSystem.lastErrno
            close(fd)
            throw .io(operation: "mmap", path: path, errno: error)
        }
        #if os(Linux)
        if randomAccess {
            let madviseRandom: Int32 = 1
            _ = madvise(pointer, fileSize, madviseRandom)
        }
        #endif
        return pointer
    }

    // MARK: Positions

    /// Bytes readers may look at (Java `getReadPosition`).
    var readPosition: Int { self.wrote.load(ordering: .acquiring) }

    /// Bytes on disk.
    var flushedPosition: Int { self.flushed.load(ordering: .acquiring) }

    /// Whether the file is written to its end (Java `isFull`).
    var isFull: Bool { self.readPosition == self.fileSize }

    /// Makes the bytes below `position` visible to readers. Call after ``write(_:at:)``.
    func publish(wrotePosition position: Int) {
        self.wrote.store(position, ordering: .releasing)
    }

    /// Resets every position (recovery and truncation only).
    func setPositions(_ position: Int) {
        self.wrote.store(position, ordering: .releasing)
        self.flushed.store(position, ordering: .releasing)
    }

    // MARK: Bytes

    /// Copies `bytes` in at `position` without publishing them.
    func write(_ bytes: UnsafeRawBufferPointer, at position: Int) {
        precondition(position >= 0 && position + bytes.count <= self.fileSize, "write beyond the end of \(self.path)")
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        (self.base + position).copyMemory(from: source, byteCount: bytes.count)
    }

    func storeInt32(_ value: Int32, at position: Int) {
        (self.base + position).storeBytes(of: value.bigEndian, as: Int32.self)
    }

    func storeInt64(_ value: Int64, at position: Int) {
        (self.base + position).storeBytes(of: value.bigEndian, as: Int64.self)
    }

    func loadInt32(at position: Int) -> Int32 {
        Int32(bigEndian: (self.base + position).loadUnaligned(as: Int32.self))
    }

    func loadInt64(at position: Int) -> Int64 {
        Int64(bigEndian: (self.base + position).loadUnaligned(as: Int64.self))
    }

    /// The mapped bytes `[position, position + count)`; the caller must keep `self` alive while using them.
    func bytes(at position: Int, count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: self.base + position, count: count)
    }

    /// Faults pages in ahead of the writer, from where the last call stopped (or the write position) to `end`:
    /// the page-cache pages of the reserved blocks are allocated and zeroed here, so that the append's first write
    /// to each page costs a write-protect fault rather than a read, a zeroing and a mapping. `MADV_POPULATE_READ`
    /// (Linux 5.14) leaves the pages clean: nothing extra reaches the disk. Elsewhere this does nothing. One
    /// thread only (the allocator's), commit-log files only (mapped without `randomAccess`).
    ///
    /// `onePagePerFolio` (SYNC_FLUSH): the range is `MADV_RANDOM` while it is populated, so that every page gets a
    /// folio of its own. Read-around builds large folios (up to 2 MiB with ext4 on Linux 6.16+), and a write fault
    /// dirties a whole folio: each SYNC_FLUSH sync then wrote 0.2–1 MB for 20 KB of messages. ASYNC_FLUSH writes
    /// whole folios anyway and populates faster with read-around.
    func prefault(upTo end: Int, onePagePerFolio: Bool) {
        #if os(Linux)
        let madviseNormal: Int32 = 0
        let madviseRandom: Int32 = 1
        let populateRead: Int32 = 22
        let start = max(self.prefaulted.load(ordering: .relaxed), self.readPosition / Self.osPageSize * Self.osPageSize)
        let end = min(self.fileSize, (end + Self.osPageSize - 1) / Self.osPageSize * Self.osPageSize)
        guard end > start else { return }
        if onePagePerFolio { _ = madvise(self.base + start, end - start, madviseRandom) }
        _ = madvise(self.base + start, end - start, populateRead)
        if onePagePerFolio { _ = madvise(self.base + start, end - start, madviseNormal) }
        self.prefaulted.store(end, ordering: .relaxed)
        #endif
    }

    /// Writes the blocks ahead of the writer, from where the last call stopped (or the write position) towards
    /// `end`, in `chunk`-sized steps, each synced: the pages' current bytes (zeros ahead of the writer) go to
    /// disk, which turns the reserved, unwritten extents into written ones (Java `warmMappedFile`, SYNC_FLUSH's
    /// part of it). A SYNC_FLUSH sync then writes data only; into unwritten extents every sync also committed
    /// the file system's journal for their conversion, which made it take twice as long. `MADV_POPULATE_WRITE` (Linux
    /// 5.14) dirties the pages without changing a byte, so a page the writer has reached keeps its entries.
    /// Returns false when a step failed (nothing is lost: the writer's own syncs still work). One thread only
    /// (the allocator's), after ``prefault(upTo:onePagePerFolio:)`` of the range (one folio per page).
    @discardableResult
    func writeAhead(upTo end: Int, chunk: Int, while proceed: () -> Bool = { true }) -> Bool {
        #if os(Linux)
        let populateWrite: Int32 = 23
        let writePage = self.readPosition / Self.osPageSize * Self.osPageSize
        var start = max(self.writtenAhead.load(ordering: .relaxed), writePage)
        let end = min(self.fileSize, (end + Self.osPageSize - 1) / Self.osPageSize * Self.osPageSize)
        // Whole chunks only (but the file's last): a step is one journal commit.
        while (end - start >= chunk || (end == self.fileSize && start < end)) && proceed() {
            let stop = min(end, start + chunk)
            guard madvise(self.base + start, stop - start, populateWrite) == 0,
                msync(self.base + start, stop - start, MS_SYNC) == 0
            else { return false }
            start = stop
            self.writtenAhead.store(start, ordering: .relaxed)
        }
        #endif
        return true
    }

    // MARK: Flush

    /// Java `MappedFile.isAbleToFlush`: a full file always; otherwise at least `leastPages` new 4 KiB pages (or
    /// any new byte when 0).
    func isAbleToFlush(leastPages: Int) -> Bool {
        let flush = self.flushedPosition
        let write = self.readPosition
        if write == self.fileSize && flush < write { return true }
        if leastPages > 0 {
            return write / Self.osPageSize - flush / Self.osPageSize >= leastPages
        }
        return write > flush
    }

    /// `msync(MS_SYNC)` of the published bytes not yet flushed when ``isAbleToFlush(leastPages:)``; returns the
    /// flushed position. Java `MappedByteBuffer.force()`.
    @discardableResult
    func flush(leastPages: Int) throws(StoreError) -> Int {
        guard self.isAbleToFlush(leastPages: leastPages) else { return self.flushedPosition }
        let target = self.readPosition
        let start = (self.flushedPosition / Self.osPageSize) * Self.osPageSize
        if target > start {
            guard msync(self.base + start, target - start, MS_SYNC) == 0 else {
                throw .io(operation: "msync", path: self.path, errno: FileSystem.lastErrno)
            }
        }
        self.flushed.store(target, ordering: .releasing)
        return target
    }

    /// Syncs the whole mapping (index and checkpoint files, whose writes are not positional).
    func syncAll() throws(StoreError) {
        guard msync(self.base, self.fileSize, MS_SYNC) == 0 else {
            throw .io(operation: "msync", path: self.path, errno: FileSystem.lastErrno)
        }
    }

    /// Zeroes everything from `position` to the end of the file (recovery, after truncating a torn tail, so that
    /// stale bytes can never be read as entries later). Whole pages are punched out with
    /// `fallocate(PUNCH_HOLE)` and re-reserved, which costs no page faults; without it they are cleared by hand.
    func zero(from position: Int) {
        guard position < self.fileSize else { return }
        let pageStart = min(self.fileSize, (position + Self.osPageSize - 1) / Self.osPageSize * Self.osPageSize)
        if pageStart > position {
            memset(self.base + position, 0, pageStart - position)
        }
        guard pageStart < self.fileSize else { return }
        let length = self.fileSize - pageStart
        #if os(Linux)
        if let punch = Self.fallocate, punch(self.fd, 0x01 | 0x02, off_t(pageStart), off_t(length)) == 0 {
            _ = posix_fallocate(self.fd, off_t(pageStart), off_t(length))
            return
        }
        #endif
        // Clear only pages that hold something, to avoid dirtying a tail that is already zero.
        var page = pageStart
        while page < self.fileSize {
            let count = min(Self.osPageSize, self.fileSize - page)
            let bytes = UnsafeRawBufferPointer(start: self.base + page, count: count)
            if bytes.contains(where: { $0 != 0 }) {
                memset(self.base + page, 0, count)
            }
            page += count
        }
    }

    #if os(Linux)
    private typealias FallocateFunction = @convention(c) (Int32, Int32, off_t, off_t) -> Int32
    /// glibc's `fallocate` (not exported to Swift without `_GNU_SOURCE`), looked up once.
    private static let fallocate: FallocateFunction? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "fallocate") else { return nil }
        return unsafeBitCast(symbol, to: FallocateFunction.self)
    }()
    #endif

    // MARK: Deletion

    /// The file's modification time in ms (Java `getLastModifiedTimestamp`), 0 if it cannot be read.
    var lastModifiedTimestamp: Int64 {
        var info = stat()
        guard fstat(self.fd, &info) == 0 else { return 0 }
        #if canImport(Darwin)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    /// Unlinks the file now; the mapping stays valid for readers that still hold this object, and is unmapped
    /// (and its blocks freed) when the last of them lets go. So deleting never waits for readers, and no reader
    /// ever touches an unmapped page.
    func destroy() {
        guard self.destroyed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        _ = unlink(self.path)
    }

    var isDestroyed: Bool { self.destroyed.load(ordering: .acquiring) }
}
