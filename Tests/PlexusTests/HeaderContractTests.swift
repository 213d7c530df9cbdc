import Foundation
import Plexus
import Testing

/// The C header's enum values and version macros must equal the Swift raw values: values only grow.
@Suite struct HeaderContractTests {
    private func header() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("include/plexus.h"), encoding: .utf8)
    }

    /// Every `NAME = value` enumerator in the header.
    private func enumerators() throws -> [String: Int32] {
        var result: [String: Int32] = [:]
        let pattern = try NSRegularExpression(pattern: #"\b(PLEXUS_[A-Z_]+)\s*=\s*(\d+)"#)
        let text = try header()
        for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let name = String(text[Range(match.range(at: 1), in: text)!])
            result[name] = Int32(text[Range(match.range(at: 2), in: text)!])
        }
        return result
    }

    @Test func activationValues() throws {
        let values = try enumerators()
        let names: [Activation: String] = [.identity: "PLEXUS_IDENTITY", .sigmoid: "PLEXUS_SIGMOID", .tanh: "PLEXUS_TANH",
                                           .relu: "PLEXUS_RELU", .leakyRelu: "PLEXUS_LEAKY_RELU", .softmax: "PLEXUS_SOFTMAX"]
        #expect(names.count == Activation.allCases.count)
        for (activation, name) in names { #expect(values[name] == activation.rawValue, "\(name)") }
    }

    @Test func lossValues() throws {
        let values = try enumerators()
        let names: [Loss: String] = [.mse: "PLEXUS_MSE", .quadratic: "PLEXUS_QUADRATIC", .crossEntropy: "PLEXUS_CROSS_ENTROPY",
                                     .binaryCrossEntropy: "PLEXUS_BINARY_CROSS_ENTROPY"]
        #expect(names.count == Loss.allCases.count)
        for (loss, name) in names { #expect(values[name] == loss.rawValue, "\(name)") }
    }

    @Test func statusValues() throws {
        let values = try enumerators()
        let codes: [PlexusError.Code] = [.argument, .shape, .state, .io, .format, .memory, .numeric]
        #expect(values["PLEXUS_OK"] == 0)
        for code in codes { #expect(values[code.description] == code.rawValue, "\(code)") }
    }

    @Test func versionMacros() throws {
        let text = try header()
        for (name, value) in [("MAJOR", PlexusVersion.major), ("MINOR", PlexusVersion.minor), ("PATCH", PlexusVersion.patch)] {
            #expect(text.contains("#define PLEXUS_VERSION_\(name) \(value)\n"), "PLEXUS_VERSION_\(name)")
        }
        #expect("\(PlexusVersion.string)" == "\(PlexusVersion.major).\(PlexusVersion.minor).\(PlexusVersion.patch)")
    }
}
