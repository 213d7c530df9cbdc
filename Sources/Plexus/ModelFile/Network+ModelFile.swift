#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// Model files on disk: the encoder and decoder (Network+ModelEncoding/Decoding.swift) with the
// atomic write and the whole-file read (AtomicFile.swift).

extension Network {
    /// Saves the network, its loss and its optimizer state to `path` atomically
    /// (docs/model-format.md); `weightsOnly` leaves the optimizer's state out (`modelDataBuffer`).
    /// - Throws: `.io` naming the path and the reason; `.memory`.
    public func save(to path: String, weightsOnly: Bool = false) throws(PlexusError) {
        let bytes = try modelDataBuffer(weightsOnly: weightsOnly)
        defer { free(bytes.baseAddress) }
        try writeFileAtomically(UnsafeRawBufferPointer(bytes), to: path)
    }

    /// Loads a network saved by `save(to:)` (or written by any tool in the documented format).
    /// Only a regular file is opened (a FIFO, socket, device or directory is refused without
    /// blocking), and nothing past what its header declares is read (`readModelFile`).
    /// - Throws: `.io` for a missing or unreadable file or one that is not a regular file,
    ///   `.format` for an invalid one, `.memory`.
    public static func load(from path: String) throws(PlexusError) -> Network {
        do {
            let bytes = try readModelFile(path)
            defer { free(bytes.baseAddress) }
            return try load(modelData: UnsafeRawBufferPointer(bytes))
        } catch where error.code == .format {
            throw PlexusError(.format, "\"\(path)\" is not a valid model file: \(error.message)")
        }
    }
}
