#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// Whole-file reads and atomic whole-file writes with POSIX calls; every failure is `.io` naming
// the path and the system's reason.

private func systemReason(_ code: Int32) -> String { String(cString: strerror(code)) }

/// Writes `bytes` to `path` atomically: a temporary file in the same folder is written, flushed
/// and fsynced, then renamed over `path`, and the folder is fsynced. On failure the temporary file
/// is removed and any earlier file at `path` is left as it was.
///
/// A process that does not ignore SIGXFSZ is killed by the kernel when the write exceeds its
/// RLIMIT_FSIZE; one that ignores it gets `.io` ("File too large").
func writeFileAtomically(_ bytes: UnsafeRawBufferPointer, to path: String) throws(PlexusError) {
    try StagedFile(bytes, path).commit()
}

/// Writes several files as `writeFileAtomically` does, each to its temporary first: no file is
/// replaced until every one is written and flushed, and a failure before that leaves none of
/// them changed and no temporary behind. (A rename failing after the first has succeeded, which
/// needs the folder to change under the call, replaces only the files before it.)
func writeFilesAtomically(_ files: [(bytes: [UInt8], path: String)]) throws(PlexusError) {
    var staged: [StagedFile] = []
    for file in files {
        // withUnsafeBytes does not carry typed throws: the result comes out as a Result.
        let result = file.bytes.withUnsafeBytes { raw in Result { () throws(PlexusError) in try StagedFile(raw, file.path) } }
        switch result {
        case .success(let file): staged.append(file)
        case .failure(let error):
            staged.forEach { $0.discard() }
            throw error
        }
    }
    for index in staged.indices {
        do {
            try staged[index].commit()
        } catch {
            staged[(index + 1)...].forEach { $0.discard() }
            throw error
        }
    }
}

/// A file's new contents written and fsynced to a temporary beside it, not yet in place.
private struct StagedFile {
    let path: String, folder: String, temporary: String

    private static func failure(_ path: String, _ what: String, _ code: Int32) -> PlexusError {
        PlexusError(.io, "cannot save \"\(path)\": \(what): \(systemReason(code))")
    }

    init(_ bytes: UnsafeRawBufferPointer, _ requested: String) throws(PlexusError) {
        guard !requested.isEmpty else { throw PlexusError(.argument, "path is empty; pass a file name") }
        // A symbolic link is followed to the file it names, which is replaced; the link stays.
        let path = try finalTarget(of: requested)

        // Replacing a device, folder or socket would be destructive (as root, a rename replaces even
        // /dev/null): only regular files are replaced. An existing file's mode and owner carry over
        // to its replacement (the owner where the system permits), so a private model stays private.
        var status = stat()
        var existing: stat?
        if lstat(path, &status) == 0 {
            guard (status.st_mode & S_IFMT) == S_IFREG else {
                throw PlexusError(.io, "cannot save \"\(requested)\": \(path == requested ? "it" : "\"\(path)\", where the link leads,") exists and is \(fileKind(status.st_mode)), not a regular file; refusing to replace it")
            }
            existing = status
        }

        let slash = path.lastIndex(of: "/")
        let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !base.isEmpty else { throw PlexusError(.argument, "path \"\(requested)\" names a folder; add a file name") }

        var generator = SystemRandomNumberGenerator()
        var temporary = ""
        var fd: Int32 = -1
        for _ in 0..<16 {
            temporary = "\(folder)/.\(base).tmp-\(getpid())-\(String(generator.next() & 0xFFFF_FFFF, radix: 16))"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw StagedFile.failure(path, "cannot create a temporary file in \"\(folder)\"", errno) }
        if let existing {
            // The owner first: chown may clear set-id bits that the mode then puts back.
            _ = fchown(fd, existing.st_uid, existing.st_gid)
            if fchmod(fd, existing.st_mode & 0o7777) != 0 {
                let code = errno
                close(fd); unlink(temporary)
                throw StagedFile.failure(path, "cannot give the new file the old one's mode \(String(existing.st_mode & 0o7777, radix: 8))", code)
            }
        }

        var written = 0
        while written < bytes.count {
            let n = write(fd, bytes.baseAddress! + written, bytes.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd); unlink(temporary)
                throw StagedFile.failure(path, "writing failed after \(written) of \(bytes.count) bytes", code)
            }
            written += n
        }
        if fsync(fd) != 0 {
            let code = errno
            close(fd); unlink(temporary)
            throw StagedFile.failure(path, "flushing to disk failed", code)
        }
        if close(fd) != 0 {
            let code = errno
            unlink(temporary)
            throw StagedFile.failure(path, "closing the temporary file failed", code)
        }
        self.path = path
        self.folder = folder
        self.temporary = temporary
    }

    /// Renames the temporary over `path`, then makes the rename durable.
    func commit() throws(PlexusError) {
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw StagedFile.failure(path, "replacing the file failed", code)
        }
        // The new file is already complete, so a failure here is not reported (some file systems
        // refuse fsync on folders).
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            _ = fsync(folderFD)
            close(folderFD)
        }
    }

    func discard() { unlink(temporary) }
}

/// What a file's mode says it is, in words for a message.
func fileKind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFREG: return "a regular file"
    case S_IFDIR: return "a directory"
    case S_IFIFO: return "a FIFO (named pipe)"
    case S_IFSOCK: return "a socket"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFLNK: return "a symbolic link"
    default: return "not a regular file"
    }
}

/// The path a save writes: `path` itself, or, through symbolic links (40 at most, as the kernel
/// allows), the file the last link names, which need not exist yet.
private func finalTarget(of path: String) throws(PlexusError) -> String {
    var current = path
    for _ in 0..<40 {
        var status = stat()
        guard lstat(current, &status) == 0, (status.st_mode & S_IFMT) == S_IFLNK else { return current }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(current, &buffer, buffer.count - 1)
        guard n > 0 else { throw PlexusError(.io, "cannot save \"\(path)\": cannot read the link \"\(current)\": \(systemReason(errno))") }
        let target = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if target.hasPrefix("/") {
            current = target
        } else if let slash = current.lastIndex(of: "/") {
            current = String(current[...slash]) + target
        } else {
            current = target
        }
    }
    throw PlexusError(.io, "cannot save \"\(path)\": more than 40 symbolic links lead from it (a loop?)")
}

/// A model file read as its header declares it, into a `malloc`ed buffer the caller frees: the
/// path must name a regular file (anything else is refused before it is opened, and it is opened
/// without blocking in case it changes meanwhile); its 8-byte header length and its header are
/// read and checked first, and the rest only when the file's size is exactly what the header
/// declares, so junk is refused after a few bytes and no allocation exceeds the declared file.
///
/// - Throws: `.io` naming the path and the reason (or the kind of file it is), `.format` for
///   framing that is not a model file's, `.memory`.
func readModelFile(_ path: String) throws(PlexusError) -> UnsafeMutableRawBufferPointer {
    func failure(_ what: String, _ code: Int32) -> PlexusError {
        PlexusError(.io, "cannot load \"\(path)\": \(what): \(systemReason(code))")
    }
    func notRegular(_ mode: mode_t) -> PlexusError {
        PlexusError(.io, "cannot load \"\(path)\": it is \(fileKind(mode)), not a regular file")
    }
    func malformed(_ what: String) -> PlexusError { PlexusError(.format, what) }
    guard !path.isEmpty else { throw PlexusError(.argument, "path is empty; pass a file name") }
    var status = stat()
    guard stat(path, &status) == 0 else { throw failure("cannot open it", errno) }
    guard (status.st_mode & S_IFMT) == S_IFREG else { throw notRegular(status.st_mode) }
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
    guard fd >= 0 else { throw failure("cannot open it", errno) }
    defer { close(fd) }
    guard fstat(fd, &status) == 0 else { throw failure("cannot inspect it", errno) }
    guard (status.st_mode & S_IFMT) == S_IFREG else { throw notRegular(status.st_mode) }
    let size = Int(status.st_size)

    /// Reads `count` bytes at `offset` into `destination`.
    func readExactly(_ destination: UnsafeMutableRawPointer, _ count: Int, at offset: Int) throws(PlexusError) {
        var done = 0
        while done < count {
            let n = pread(fd, destination + done, count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                throw failure(n == 0 ? "the file shrank while being read" : "reading failed", n < 0 ? errno : EIO)
            }
            done += n
        }
    }

    guard size >= 8 else { throw malformed("the file is \(size) bytes; a model file starts with an 8-byte header length") }
    var lengthField: UInt64 = 0
    try readExactly(&lengthField, 8, at: 0)
    let declared = UInt64(littleEndian: lengthField)
    guard declared <= UInt64(size - 8) else {
        throw malformed("the header length is \(declared) bytes but only \(size - 8) bytes follow it (truncated or not a model file)")
    }
    guard declared <= UInt64(ModelFormat.maxHeaderBytes) else {
        throw malformed("the header length is \(declared) bytes, more than the \(ModelFormat.maxHeaderBytes) allowed")
    }
    let headerEnd = 8 + Int(declared)
    guard let raw = malloc(headerEnd) else { throw PlexusError(.memory, "cannot allocate \(headerEnd) bytes to read \"\(path)\"'s header") }
    var buffer = raw
    var keep = false
    defer { if !keep { free(buffer) } }
    buffer.storeBytes(of: lengthField, as: UInt64.self)
    try readExactly(buffer + 8, headerEnd - 8, at: 8)
    let dataBytes = try ModelFormat.declaredDataBytes(header: UnsafeRawBufferPointer(start: buffer + 8, count: headerEnd - 8))
    guard size == headerEnd + dataBytes else {
        throw malformed("the file is \(size) bytes, but its header declares \(headerEnd + dataBytes) (8 + a \(declared)-byte header + \(dataBytes) bytes of tensors)")
    }
    guard let grown = realloc(buffer, max(size, 1)) else { throw PlexusError(.memory, "cannot allocate \(size) bytes to read \"\(path)\"") }
    buffer = grown
    try readExactly(buffer + headerEnd, dataBytes, at: headerEnd)
    keep = true
    return UnsafeMutableRawBufferPointer(start: buffer, count: size)
}
