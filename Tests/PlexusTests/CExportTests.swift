import Foundation
import Plexus
import PlexusTestSupport
import Testing

/// The code export's Swift side: names, limits, the files' contents and the int8 model's numbers.
/// (The generated C is compiled and compared bit for bit in Tests/python/test_code_export.py.)
@Suite struct CExportTests {
    private func net(_ sizes: [Int] = [4, 6, 3], _ activations: [Activation] = [.relu, .softmax], bias: Bool = true) throws -> Network {
        try Network(sizes: sizes, activations: activations, bias: bias, seed: 9)
    }

    @Test func namesMustBeShortCIdentifiers() throws {
        let network = try net()
        for bad in ["", "9lives", "a-b", "a b", "_x", "int", "return", String(repeating: "n", count: 18), "é"] {
            #expect(throws: PlexusError.self) { try network.cExport(name: bad) }
        }
        for good in ["m", "digits", "Model_2", String(repeating: "n", count: 17)] {
            _ = try network.cExport(name: good)
        }
    }

    @Test func theSourceHoldsEveryWeightAsTheSameFloat() throws {
        let network = try net()
        let files = try network.cExport(name: "probe")
        let (weights, bias) = try network.weights(layer: 1)
        // Every weight appears as a literal that reads back as the same bits.
        let literals = files.source.split(whereSeparator: { " ,{}\n;".contains($0) }).filter { $0.hasSuffix("f") }
            .compactMap { Float(String($0.dropLast())) }
        for w in weights + bias! { #expect(literals.contains(where: { $0.bitPattern == w.bitPattern })) }
        #expect(files.header.contains("int probe_predict(const float *x, float *y);"))
        #expect(files.header.contains("#define PROBE_INPUTS 4"))
        #expect(!files.source.contains("probe_train_step"))
        let training = try network.cExport(name: "probe", options: CExportOptions(trainStep: true))
        #expect(training.source.contains("int probe_train_step(const float *x, const float *y, float lr)"))
        #expect(training.source.contains("static float layer1_weights[24]"))
    }

    @Test func theParameterLimitRefusesLargeNetworks() throws {
        let network = try net()   // 4·6 + 6 + 6·3 + 3 = 51 parameters
        #expect(throws: PlexusError.self) { try network.cExport(name: "m", options: CExportOptions(maxParameters: 50)) }
        _ = try network.cExport(name: "m", options: CExportOptions(maxParameters: 51))
    }

    @Test func theInt8ModelFollowsTheScheme() throws {
        let network = try net([5, 8, 4], [.sigmoid, .identity], bias: false)
        let rows = uniformData(count: 50 * 5, seed: 3, low: -2, high: 2)
        let q = try rows.withUnsafeBufferPointer { (x) throws(PlexusError) in
            try QuantizedNetwork(network: network, calibration: x.baseAddress!, rows: 50)
        }
        #expect(q.layers.count == 2 && q.hasBias == false)
        for layer in q.layers {
            #expect(layer.bias == nil)
            for o in 0..<layer.outputs {
                let m = Double(layer.multipliers[o]), shift = Int(layer.shifts[o])
                #expect(m == 0 || (m >= 1_073_741_824 && m < 2_147_483_648))
                let factor = Double(layer.inputScale) * Double(layer.weightScales[o]) / Double(layer.requantScale)
                #expect(abs(m * pow(2, Double(shift - 31)) - factor) <= factor * 1e-9)
                let row = layer.weights[(o * layer.inputs)..<((o + 1) * layer.inputs)]
                #expect(row.map { abs(Int($0)) }.max() == 127)
            }
        }
        let sigmoidLayer = q.layers[0]
        #expect(sigmoidLayer.table?.count == 256 && sigmoidLayer.softmaxExp == nil)
        #expect(zip(sigmoidLayer.table!, sigmoidLayer.table!.dropFirst()).allSatisfy { $0 <= $1 })
        // The inputs' range: -2…2 in 255 steps, 0 exactly representable.
        #expect(abs(q.inputScale - 4.0 / 255) < 4.0 / 255 * 0.02)   // the rows span nearly −2…2
        #expect(throws: PlexusError.self) {
            try network.cExport(name: "m", options: CExportOptions(quantized: q, trainStep: true))
        }
        let other = try net([5, 9, 4], [.sigmoid, .identity], bias: false)
        #expect(throws: PlexusError.self) { try other.cExport(name: "m", options: CExportOptions(quantized: q)) }
        let files = try network.cExport(name: "q8", options: CExportOptions(quantized: q))
        #expect(!files.source.contains("#include <math.h>") && files.header.contains("int q8_predict_int8(const int8_t *x, int8_t *y);"))
    }

    @Test func calibrationRowsMustBeFinite() throws {
        let network = try net()
        var rows = uniformData(count: 3 * 4, seed: 1)
        rows[5] = .nan
        #expect(throws: PlexusError.self) {
            try rows.withUnsafeBufferPointer { (x) throws(PlexusError) in
                _ = try QuantizedNetwork(network: network, calibration: x.baseAddress!, rows: 3)
            }
        }
    }

    @Test func exportWritesBothFilesOrNeither() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plexus-cexport-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let network = try net()
        try network.exportC(to: folder.path, name: "pair")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) == ["pair.h", "pair.c"])
        try FileManager.default.removeItem(at: folder.appendingPathComponent("pair.c"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("pair.c"), withIntermediateDirectories: false)
        let before = try String(contentsOf: folder.appendingPathComponent("pair.h"), encoding: .utf8)
        let other = try net([4, 7, 3])
        #expect(throws: PlexusError.self) { try other.exportC(to: folder.path, name: "pair") }
        #expect(try String(contentsOf: folder.appendingPathComponent("pair.h"), encoding: .utf8) == before)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) == ["pair.h", "pair.c"])
    }
}
