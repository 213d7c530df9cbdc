// Writing C source text: literals that read back as the same bits, arrays, and the checks on a
// model's name. The generated files are C99 and compile warning-free with
// -std=c99 -Wall -Wextra -pedantic -Werror (tested with gcc and clang, for x86-64 and ARM).

/// `value` as a C float literal that a correctly rounding compiler reads back as the same bits:
/// Swift's shortest round-trip decimal with the `f` suffix. The value must be finite.
func cFloat(_ value: Float) -> String {
    precondition(value.isFinite, "cFloat needs a finite value")
    let text = value.description
    // "1e-05" needs no dot; "5.0" has one; every form Swift prints is a valid C literal with `f`.
    return text + "f"
}

/// A C integer literal for an int32 value: INT32_MIN cannot be written as one literal.
func cInt32(_ value: Int32) -> String {
    value == Int32.min ? "(-2147483647 - 1)" : "\(value)"
}

/// C99's keywords, which a model's name may not be.
private let cKeywords: Set<String> = [
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
    "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
    "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
    "volatile", "while", "_Bool", "_Complex", "_Imaginary",
]

/// The longest model name: it prefixes every exported symbol, and C99 only promises 31
/// significant characters for external names ("_predict_batch" adds 14).
let cNameLimit = 17

/// Throws `.argument` unless `name` can prefix the generated C symbols and name the files.
/// The one wording of the name rule, in every refusal (and in the docs and the command line's help).
let cNameRule = "a model name starts with a letter, goes on with letters, digits and _, has at most \(cNameLimit) characters and is not a C keyword"

func checkCName(_ name: String) throws(PlexusError) {
    guard !name.isEmpty else { throw .argument("the model name is empty: \(cNameRule), such as \"digits\"") }
    let bytes = Array(name.utf8)
    func isLetter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) }
    func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    guard isLetter(bytes[0]) else {
        throw .argument("the model name \"\(name)\" does not start with a letter: \(cNameRule)")
    }
    guard bytes.allSatisfy({ isLetter($0) || isDigit($0) || $0 == 95 }) else {
        throw .argument("the model name \"\(name)\" holds a character other than letters, digits and _: \(cNameRule)")
    }
    guard !cKeywords.contains(name) else {
        throw .argument("the model name \"\(name)\" is a C keyword: \(cNameRule); such as \"\(name)_net\"")
    }
    guard bytes.count <= cNameLimit else {
        throw .argument("the model name \"\(name)\" has \(bytes.count) characters: \(cNameRule) (every generated symbol then stays within C99's 31 significant characters)")
    }
}

/// Appends C text.
struct CSource {
    private(set) var text = ""

    mutating func line(_ s: String = "") { text += s; text += "\n" }
    mutating func lines(_ s: String) { text += s; if !s.hasSuffix("\n") { text += "\n" } }

    /// `static [const] TYPE name[count] = { … };`, `perLine` values to a line.
    mutating func array<T>(_ declaration: String, _ values: [T], perLine: Int, _ literal: (T) -> String) {
        text += "\(declaration)[\(values.count)] = {\n"
        var index = 0
        while index < values.count {
            let end = min(index + perLine, values.count)
            text += "    " + values[index..<end].map(literal).joined(separator: ", ")
            text += end == values.count ? "\n" : ",\n"
            index = end
        }
        text += "};\n"
    }
}
