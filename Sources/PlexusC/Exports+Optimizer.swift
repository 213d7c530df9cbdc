import CPlexusSupport
import Plexus

// Optimizers through one growing struct, plexus_optimizer_options, for nets and graphs alike:
// its fields are the hyperparameters' names in model files, one table below.

/// The size of plexus_optimizer_options as 0.11.0 declared it: the whole struct (its last field
/// ends it; tail padding is not part of the first version).
let firstOptimizerOptionsSize = MemoryLayout<plexus_optimizer_options>.offset(of: \plexus_optimizer_options.step_max)!
    + MemoryLayout<Float>.size

/// Each float field of the struct and the hyperparameter name it carries (`centered` is an int).
private var floatFields: [(name: String, field: WritableKeyPath<plexus_optimizer_options, Float>)] { [
    ("learning_rate", \.learning_rate), ("weight_decay", \.weight_decay), ("momentum", \.momentum),
    ("beta1", \.beta1), ("beta2", \.beta2), ("epsilon", \.epsilon), ("alpha", \.alpha),
    ("eta_minus", \.eta_minus), ("eta_plus", \.eta_plus), ("step_min", \.step_min), ("step_max", \.step_max),
] }

/// The optimizer a caller's struct describes.
private func optimizer(from pointer: UnsafePointer<plexus_optimizer_options>?) throws(PlexusError) -> Optimizer {
    let options = try readStruct(try required(pointer, "options"), first: firstOptimizerOptionsSize, name: "options",
                                 type: "plexus_optimizer_options")
    let value = Int32(bitPattern: options.kind.rawValue)
    guard let kind = Optimizer.Kind(rawValue: value) else {
        throw argumentError("options->kind is \(value), not a plexus_optimizer (0 to \(Optimizer.Kind.allCases.count - 1))")
    }
    var values: [String: Float] = ["centered": Float(options.centered)]
    for (name, field) in floatFields { values[name] = options[keyPath: field] }
    return try Optimizer(kind: kind, values: values)
}

/// `optimizer` as the struct holds it: its kind's fields, zeros elsewhere.
private func options(of optimizer: Optimizer) -> plexus_optimizer_options {
    var filled = plexus_optimizer_options()
    filled.kind = plexus_optimizer(rawValue: UInt32(bitPattern: optimizer.kind.rawValue))
    var values = Dictionary(uniqueKeysWithValues: optimizer.hyperparameters.map { ($0.name, $0.value) })
    values["weight_decay"] = optimizer.weightDecay
    for (name, field) in floatFields { filled[keyPath: field] = values[name] ?? 0 }
    filled.centered = Int32(values["centered"] ?? 0)
    return filled
}

private func report(_ optimizer: Optimizer, to out: UnsafeMutablePointer<plexus_optimizer_options>?) throws(PlexusError) {
    let destination = try ReportDestination(try required(out, "out"), first: firstOptimizerOptionsSize, name: "out",
                                            type: "plexus_optimizer_options")
    destination.write(options(of: optimizer))
}

@_cdecl("plexus_set_optimizer")
public func plexus_set_optimizer(_ net: OpaquePointer?, _ options: UnsafePointer<plexus_optimizer_options>?) -> Int32 {
    onNetwork("plexus_set_optimizer", net, .writing(.changing)) { (net) throws(PlexusError) in
        try net.setOptimizer(try optimizer(from: options))
    }
}

@_cdecl("plexus_get_optimizer_options")
public func plexus_get_optimizer_options(_ net: OpaquePointer?, _ out: UnsafeMutablePointer<plexus_optimizer_options>?) -> Int32 {
    onNetwork("plexus_get_optimizer_options", net, .reading) { (net) throws(PlexusError) in
        try report(try net.optimizer, to: out)
    }
}

@_cdecl("plexus_optimizer_defaults")
public func plexus_optimizer_defaults(_ kind: Int32, _ out: UnsafeMutablePointer<plexus_optimizer_options>?) -> Int32 {
    guarded("plexus_optimizer_defaults") { () throws(PlexusError) in
        guard let kind = Optimizer.Kind(rawValue: kind) else {
            throw argumentError("kind is \(kind), not a plexus_optimizer (0 to \(Optimizer.Kind.allCases.count - 1))")
        }
        try report(Optimizer(kind: kind), to: out)
    }
}

@_cdecl("plexus_graph_set_optimizer")
public func plexus_graph_set_optimizer(_ g: OpaquePointer?, _ options: UnsafePointer<plexus_optimizer_options>?) -> Int32 {
    onGraph("plexus_graph_set_optimizer", g) { (g) throws(PlexusError) in
        try g.setOptimizer(try optimizer(from: options))
    }
}

@_cdecl("plexus_graph_get_optimizer_options")
public func plexus_graph_get_optimizer_options(_ g: OpaquePointer?, _ out: UnsafeMutablePointer<plexus_optimizer_options>?) -> Int32 {
    onGraph("plexus_graph_get_optimizer_options", g, .reading) { (g) throws(PlexusError) in
        try report(try g.optimizer, to: out)
    }
}
