/// The error every throwing Plexus call raises: a stable code and a message that says what was
/// wrong and how to fix it.
///
/// The codes mirror `plexus_status` in `include/plexus.h` value for value; the C layer returns
/// `code.rawValue` and stores `message` as `plexus_last_error()`.
public struct PlexusError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A status code. A struct rather than an enum so that new codes never break a `switch`.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// A wrong argument: NULL, zero, unknown enum, index out of range, bad hyperparameter.
        public static let argument = Code(rawValue: 1)
        /// Dimensions stated by the caller do not match the network.
        public static let shape = Code(rawValue: 2)
        /// A call out of order, such as `backward` without a matching `forward`.
        public static let state = Code(rawValue: 3)
        /// A file could not be read or written.
        public static let io = Code(rawValue: 4)
        /// A file or buffer is not a valid Plexus model.
        public static let format = Code(rawValue: 5)
        /// An allocation failed or a size cannot be allocated.
        public static let memory = Code(rawValue: 6)
        /// A gradient or an update is not finite.
        public static let numeric = Code(rawValue: 7)
        /// The object is in use by a conflicting call on another thread (a network takes many
        /// readers or one writer): nothing was done; retry once that call has returned.
        public static let busy = Code(rawValue: 8)
        /// A handle that is not a live object of its type (freed, never made by Plexus, of
        /// another type): only the C API returns it.
        public static let misuse = Code(rawValue: 9)

        /// The C enumerator's name, such as `PLEXUS_ERR_SHAPE` ("PLEXUS_ERR_UNKNOWN" for a value
        /// that is no status): static text, the one table of the names (`plexus_status_name`
        /// returns it).
        public var name: StaticString {
            switch rawValue {
            case 0: return "PLEXUS_OK"
            case 1: return "PLEXUS_ERR_ARGUMENT"
            case 2: return "PLEXUS_ERR_SHAPE"
            case 3: return "PLEXUS_ERR_STATE"
            case 4: return "PLEXUS_ERR_IO"
            case 5: return "PLEXUS_ERR_FORMAT"
            case 6: return "PLEXUS_ERR_MEMORY"
            case 7: return "PLEXUS_ERR_NUMERIC"
            case 8: return "PLEXUS_ERR_BUSY"
            case 9: return "PLEXUS_ERR_MISUSE"
            default: return "PLEXUS_ERR_UNKNOWN"
            }
        }

        /// `name`, with the value when it is no status: "PLEXUS_ERR_UNKNOWN(42)".
        public var description: String {
            let text = name.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
            return text == "PLEXUS_ERR_UNKNOWN" ? "\(text)(\(rawValue))" : text
        }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func argument(_ message: String) -> PlexusError { PlexusError(.argument, message) }
    static func shape(_ message: String) -> PlexusError { PlexusError(.shape, message) }
    static func state(_ message: String) -> PlexusError { PlexusError(.state, message) }
    static func memory(_ message: String) -> PlexusError { PlexusError(.memory, message) }
    static func numeric(_ message: String) -> PlexusError { PlexusError(.numeric, message) }
    static func busy(_ message: String) -> PlexusError { PlexusError(.busy, message) }
}
