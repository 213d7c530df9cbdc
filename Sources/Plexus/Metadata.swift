// The caller's own notes in a model: units, feature names, a dataset's version. UTF-8 keys and
// values, saved in the safetensors header beside Plexus's own "plexus." keys, kept in key order
// (bytewise) so that `key(at:)` and the saved file do not depend on the order they were set in.

/// Key–value strings that travel with a network. Limits keep a file's header, and what a
/// hostile file can make a reader allocate, small.
public struct Metadata: Equatable, Sendable {
    /// The longest key, in UTF-8 bytes.
    public static let maxKeyBytes = 256
    /// The longest value, in UTF-8 bytes.
    public static let maxValueBytes = 65536
    /// The most entries.
    public static let maxEntries = 256
    /// The most bytes of keys and values together.
    public static let maxTotalBytes = 1 << 20
    /// Keys with this prefix belong to Plexus's own format.
    public static let reservedPrefix = "plexus."
    /// The one reserved key a caller may set: the class names of the outputs, a JSON array of
    /// strings, one per output (two for a single sigmoid output: the class of 0, then of 1).
    /// Checked against the network when set and when a file is read.
    public static let classesKey = "plexus.classes"

    private var entries: [(key: String, value: String)] = []

    public init() {}

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    /// Every entry, in key order.
    public var all: [(key: String, value: String)] { entries }

    public subscript(key: String) -> String? { entries.first { Metadata.same($0.key, key) }?.value }

    /// The `index`th key in key order, nil past the end.
    public func key(at index: Int) -> String? { index >= 0 && index < entries.count ? entries[index].key : nil }

    /// Sets `key` to `value`, or removes it for nil (removing an absent key does nothing).
    /// - Throws: `.argument` for an empty, reserved or too-long key, a too-long value, or a set
    ///   that would pass the entry or byte limits; nothing changes then.
    public mutating func set(_ key: String, _ value: String?) throws(PlexusError) {
        try Metadata.checkKey(key)
        let index = entries.firstIndex { Metadata.same($0.key, key) }
        guard let value else {
            if let index { entries.remove(at: index) }
            return
        }
        guard value.utf8.count <= Metadata.maxValueBytes else {
            throw .argument("the value of metadata \"\(key.prefix(64))\" is \(value.utf8.count) bytes; at most \(Metadata.maxValueBytes) are allowed")
        }
        if index == nil && entries.count >= Metadata.maxEntries {
            throw .argument("the network already has \(entries.count) metadata entries, the most allowed; remove one first")
        }
        let others = entries.reduce(0) { $0 + (Metadata.same($1.key, key) ? 0 : $1.key.utf8.count + $1.value.utf8.count) }
        guard others + key.utf8.count + value.utf8.count <= Metadata.maxTotalBytes else {
            throw .argument("metadata would hold \(others + key.utf8.count + value.utf8.count) bytes of keys and values; at most \(Metadata.maxTotalBytes) are allowed")
        }
        if let index {
            entries[index].value = value
        } else {
            let at = entries.firstIndex { Metadata.precedes(key, $0.key) } ?? entries.count
            entries.insert((key, value), at: at)
        }
    }

    static func checkKey(_ key: String) throws(PlexusError) {
        guard !key.isEmpty else { throw .argument("a metadata key is empty; use a name such as \"units\"") }
        guard key.utf8.count <= maxKeyBytes else {
            throw .argument("the metadata key \"\(key.prefix(64))…\" is \(key.utf8.count) bytes; at most \(maxKeyBytes) are allowed")
        }
        guard isCallers(key) else {
            throw .argument("the metadata key \"\(key)\" starts with \"\(reservedPrefix)\", which is reserved for Plexus's own entries; choose another name")
        }
    }

    /// Whether `key` is the caller's to set and a file's metadata to carry: not reserved, or the
    /// one reserved key a caller may set (`classesKey`).
    static func isCallers(_ key: String) -> Bool { !key.hasPrefix(reservedPrefix) || same(key, classesKey) }

    /// Keys are equal when their bytes are (Swift's `==` would also equate canonically
    /// equivalent spellings, which C callers see as different keys).
    static func same(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

    /// Bytewise UTF-8 order (Swift's `<` on strings would compare canonically equivalent
    /// spellings as equal; bytes leave no locale or normalisation to enter).
    static func precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    public static func == (lhs: Metadata, rhs: Metadata) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { same($0.key, $1.key) && same($0.value, $1.value) }
    }
}

extension Network {
    /// The caller's own notes, saved in the model file. Throws `.busy` while another thread writes.
    public var metadata: Metadata {
        get throws(PlexusError) { try access.reading { userMetadata } }
    }

    /// Sets (or, for nil, removes) one metadata entry (`Metadata.set`); a value for
    /// `Metadata.classesKey` must name this network's classes (`checkClasses`). Throws `.busy`
    /// while another thread uses the network.
    public func setMetadata(_ key: String, _ value: String?) throws(PlexusError) {
        let token = try access.beginWriting(.changing)
        defer { access.endWriting(token) }
        if let value, Metadata.same(key, Metadata.classesKey) {
            _ = try checkClasses(value)
        }
        try userMetadata.set(key, value)
    }

    /// The class name of each output (`Metadata.classesKey`), nil when none were set. Throws
    /// `.busy` while another thread writes.
    public var classes: [String]? {
        get throws(PlexusError) {
            guard let text = try access.reading({ userMetadata[Metadata.classesKey] }) else { return nil }
            return try checkClasses(text)
        }
    }

    /// Names the classes of the outputs (nil removes the names): one per output, or two for a
    /// single sigmoid output (the class of 0, then the class of 1), distinct. They are saved in
    /// the model file as `Metadata.classesKey`. Throws `.argument` for another count or a repeated
    /// name (nothing changes), `.busy`.
    public func setClasses(_ names: [String]?) throws(PlexusError) {
        try setMetadata(Metadata.classesKey, names.map { "[" + $0.map(\.jsonQuoted).joined(separator: ",") + "]" })
    }

    /// The names in a `Metadata.classesKey` value, checked against this network: a JSON array of
    /// distinct strings, one per output (two for a single sigmoid output).
    /// - Throws: `.argument` naming what is wrong.
    func checkClasses(_ text: String) throws(PlexusError) -> [String] {
        let key = Metadata.classesKey
        var outcome: Result<JSONValue, PlexusError> = .success(.null)
        Array(text.utf8).withUnsafeBytes { (raw) -> Void in
            do throws(PlexusError) { outcome = .success(try JSONParser.parse(raw)) } catch { outcome = .failure(error) }
        }
        let parsed: JSONValue
        switch outcome {
        case let .success(value): parsed = value
        case let .failure(error):
            let prefix = "the header is not valid JSON: "
            let reason = error.message.hasPrefix(prefix) ? String(error.message.dropFirst(prefix.count)) : error.message
            throw .argument("\(key) is not valid JSON (\(reason)); pass an array of class names such as [\"cat\",\"dog\"]")
        }
        guard case let .array(items) = parsed else {
            throw .argument("\(key) is not a JSON array; pass an array of class names such as [\"cat\",\"dog\"]")
        }
        var names: [String] = []
        for (index, item) in items.enumerated() {
            guard case let .string(name) = item else {
                throw .argument("\(key)[\(index)] is not a string; every class name is a JSON string")
            }
            if names.contains(where: { Metadata.same($0, name) }) {
                throw .argument("\(key) names the class \(String(name.prefix(64)).jsonQuoted) twice; each output has its own class")
            }
            names.append(name)
        }
        let outputs = sizes[sizes.count - 1]
        let binary = outputs == 1 && activations[activations.count - 1] == .sigmoid
        guard names.count == outputs || (binary && names.count == 2) else {
            let expected = binary ? "1 or 2 (the class of 0, then the class of 1)" : "\(outputs), one per output"
            throw .argument("\(key) names \(names.count) classes but the network has \(outputs) output\(outputs == 1 ? "" : "s"); pass \(expected)")
        }
        return names
    }
}
