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

    init(_ bytes: UnsafeRawBufferPointer, _ path: String) throws(PlexusError) {
        guard !path.isEmpty else { throw PlexusError(.argument, "path is empty; pass a file name") }

        // Replacing a device, folder or socket would be destructive (as root, a rename replaces even
        // /dev/null): only regular files, or links to them, are replaced.
        var status = stat()
        if lstat(path, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG {
            var target = stat()
            let followsToRegular = (status.st_mode & S_IFMT) == S_IFLNK && stat(path, &target) == 0 && (target.st_mode & S_IFMT) == S_IFREG
            if !followsToRegular {
                throw PlexusError(.io, "cannot save \"\(path)\": it exists and is not a regular file; refusing to replace it")
            }
        }

        let slash = path.lastIndex(of: "/")
        let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !base.isEmpty else { throw PlexusError(.argument, "path \"\(path)\" names a folder; add a file name") }

        var generator = SystemRandomNumberGenerator()
        var temporary = ""
        var fd: Int32 = -1
        for _ in 0..<16 {
            temporary = "\(folder)/.\(base).tmp-\(getpid())-\(String(generator.next() & 0xFFFF_FFFF, radix: 16))"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw StagedFile.failure(path, "cannot create a temporary file in \"\(folder)\"", errno) }

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

/// Reads the whole regular file at `path` into a `malloc`ed buffer the caller frees.
func readWholeFile(_ path: String) throws(PlexusError) -> UnsafeMutableRawBufferPointer {
    func failure(_ what: String, _ code: Int32) -> PlexusError {
        PlexusError(.io, "cannot load \"\(path)\": \(what): \(systemReason(code))")
    }
    guard !path.isEmpty else { throw PlexusError(.argument, "path is empty; pass a file name") }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw failure("cannot open it", errno) }
    defer { close(fd) }
    var status = stat()
    guard fstat(fd, &status) == 0 else { throw failure("cannot inspect it", errno) }
    guard (status.st_mode & S_IFMT) == S_IFREG else {
        throw PlexusError(.io, "cannot load \"\(path)\": it is not a regular file")
    }
    let size = Int(status.st_size)
    guard let raw = malloc(max(size, 1)) else {
        throw PlexusError(.memory, "cannot allocate \(size) bytes to read \"\(path)\"")
    }
    var done = 0
    while done < size {
        let n = read(fd, raw + done, size - done)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 {
            let code = n < 0 ? errno : EIO
            free(raw)
            throw failure(n == 0 ? "the file shrank while being read" : "reading failed", code)
        }
        done += n
    }
    return UnsafeMutableRawBufferPointer(start: raw, count: size)
}
