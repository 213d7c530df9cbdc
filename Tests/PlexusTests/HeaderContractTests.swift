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
        let pattern = try NSRegularExpression(pattern: #"\b(PLEXUS_[A-Z0-9_]+)\s*=\s*(\d+)"#)
        let text = try header()
        for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let name = String(text[Range(match.range(at: 1), in: text)!])
            result[name] = Int32(text[Range(match.range(at: 2), in: text)!])
        }
        return result
    }

    @Test func activationValues() throws {
        let values = try enumerators()
        // Every case is in the header under its name; the header has no activation Swift lacks.
        let names = Activation.allCases.map { "PLEXUS_" + $0.description.uppercased() }
        for (activation, name) in zip(Activation.allCases, names) { #expect(values[name] == activation.rawValue, "\(name)") }
        let text = try header()
        let declared = text[text.range(of: "PLEXUS_IDENTITY = 0")!.lowerBound..<text.range(of: "} plexus_activation;")!.lowerBound]
        let enumerator = try NSRegularExpression(pattern: #"PLEXUS_[A-Z0-9_]+\s*=\s*\d+"#)
        let inEnum = String(declared)
        #expect(enumerator.numberOfMatches(in: inEnum, range: NSRange(inEnum.startIndex..., in: inEnum)) == Activation.allCases.count)
    }

    @Test func lossValues() throws {
        let values = try enumerators()
        for loss in Loss.allCases {
            let name = "PLEXUS_" + loss.description.uppercased()
            #expect(values[name] == loss.rawValue, "\(name)")
        }
        for kind in Optimizer.Kind.allCases {
            let name = "PLEXUS_" + kind.description.uppercased()
            #expect(values[name] == kind.rawValue, "\(name)")
        }
    }

    @Test func statusValues() throws {
        let values = try enumerators()
        let codes: [PlexusError.Code] = [.argument, .shape, .state, .io, .format, .memory, .numeric]
        #expect(values["PLEXUS_OK"] == 0)
        for code in codes { #expect(values[code.description] == code.rawValue, "\(code)") }
    }

    /// docs/maths.md's initialisation table names, for every activation, the rule the code uses.
    @Test func initialisationTableInTheDocs() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/maths.md"), encoding: .utf8)
        let section = text.components(separatedBy: "## Initialisation")[1].components(separatedBy: "\n## ")[0]
        var documented: [String: String] = [:]
        for line in section.split(separator: "\n") where line.hasPrefix("| ") && !line.hasPrefix("| activation") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            for name in cells[0].components(separatedBy: ", ") { documented[name.replacingOccurrences(of: " ", with: "_")] = cells[1] }
        }
        for activation in Activation.allCases {
            #expect(documented[activation.description] == activation.initialization.description, "\(activation)")
        }
        #expect(documented.count == Activation.allCases.count)
    }

    @Test func versionMacros() throws {
        let text = try header()
        for (name, value) in [("MAJOR", PlexusVersion.major), ("MINOR", PlexusVersion.minor), ("PATCH", PlexusVersion.patch)] {
            #expect(text.contains("#define PLEXUS_VERSION_\(name) \(value)\n"), "PLEXUS_VERSION_\(name)")
        }
        #expect("\(PlexusVersion.string)" == "\(PlexusVersion.major).\(PlexusVersion.minor).\(PlexusVersion.patch)")
        #expect(text.contains("#define PLEXUS_VERSION_NUMBER \(PlexusVersion.number)\n"), "PLEXUS_VERSION_NUMBER")
        #expect(PlexusVersion.number == PlexusVersion.major * 1_000_000 + PlexusVersion.minor * 1_000 + PlexusVersion.patch)
    }
}
