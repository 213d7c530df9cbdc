"""Writes test_hostile.c: every function of include/plexus.h called with hostile values.

    python3 Tests/c/gen_hostile.py include/plexus.h OUT.c

The header is the list: each function found there is called once per hostile value in each of its
integer and float parameters and in each field of the option structs it takes, every other
argument a working default, in a child process of its own (test_hostile_main.h runs them). Arrays
point into large regions mapped without reserve, so a size that is wrong but not absurd reads
zeros instead of faulting, and the library's own checks are what is tested. A new function in the
header is covered the day it is declared, or the generator stops and names the parameter type it
does not know.
"""
import re
import sys

UNSIGNED64 = ["0", "1", "(1ull << 31)", "(1ull << 32)", "(1ull << 63)", "UINT64_MAX"]
UNSIGNED32 = ["0", "1", "(1u << 31)", "UINT32_MAX"]
SIGNED32 = ["0", "1", "-1", "INT32_MIN", "INT32_MAX", "99"]
FLOATS = ["NAN", "INFINITY", "-INFINITY", "-0.0f", "0.0f", "1e-40f", "FLT_MAX", "-FLT_MAX"]

# Defaults by parameter name (integers and floats); anything else named here is a mistake.
INTEGER_DEFAULTS = {
    "n_sizes": "3", "flags": "0", "seed": "1", "layer": "1", "batch": "1", "n": "4", "epochs": "1",
    "batch_size": "1", "shuffle_seed": "0", "epoch": "0", "capacity": "8", "rows": "4", "cols": "2",
    "size": "ctx->buffer_size", "threads": "1", "status": "0", "activation": "PLEXUS_SIGMOID",
    "loss": "PLEXUS_MSE", "optimizer": "PLEXUS_SGD", "f": "PLEXUS_SIGMOID", "centered": "0",
    "a": "ctx->square", "b": "ctx->square", "prediction": "ctx->square", "target": "ctx->other",
    "root": "ctx->total", "node": "ctx->square", "index": "0", "side": "PLEXUS_INPUTS", "kind": "PLEXUS_SGD",
    "rank": "1", "count": "1",
}
FLOAT_DEFAULTS = {
    "learning_rate": "0.1f", "momentum": "0.0f", "beta1": "0.9f", "beta2": "0.999f", "epsilon": "1e-8f",
    "weight_decay": "0.0f", "alpha": "0.99f", "max_norm": "0.0f", "p": "0.0f", "lambda": "0.0f",
}
# Graph functions take rows/cols as uint32_t; quantize takes rows as size_t (4 calibration rows).
GRAPH_ROWS = "2"

# Option structs: (type, its defaults; each field's hostile values come from its type).
STRUCTS = {
    "plexus_train_options": [
        ("struct_size", "size_t", "sizeof(plexus_train_options)"), ("epochs", "size_t", "1"),
        ("batch_size", "size_t", "2"), ("shuffle_seed", "uint64_t", "0"), ("val_n", "size_t", "0"),
        ("patience", "size_t", "0"), ("restore_best", "int", "0"), ("lr_schedule", "enum", "PLEXUS_LR_CONSTANT"),
        ("step_size", "size_t", "0"), ("gamma", "float", "0.0f"), ("t_max", "size_t", "0"), ("eta_min", "float", "0.0f"),
    ],
    "plexus_train_report": [("struct_size", "size_t", "sizeof(plexus_train_report)")],
    "plexus_export_options": [
        ("struct_size", "size_t", "sizeof(plexus_export_options)"), ("train_step", "int", "0"),
        ("max_parameters", "size_t", "0"),
    ],
    "plexus_quantized_layer": [("struct_size", "size_t", "sizeof(plexus_quantized_layer)")],
    "plexus_save_options": [("struct_size", "size_t", "sizeof(plexus_save_options)"), ("weights_only", "int", "0")],
    "plexus_optimizer_options": [
        ("struct_size", "size_t", "sizeof(plexus_optimizer_options)"), ("kind", "enum", "PLEXUS_SGD"),
        ("learning_rate", "float", "0.1f"), ("weight_decay", "float", "0.0f"), ("momentum", "float", "0.0f"),
        ("beta1", "float", "0.9f"), ("beta2", "float", "0.999f"), ("epsilon", "float", "1e-8f"),
        ("alpha", "float", "0.99f"), ("centered", "int", "0"), ("eta_minus", "float", "0.5f"),
        ("eta_plus", "float", "1.2f"), ("step_min", "float", "1e-6f"), ("step_max", "float", "50.0f"),
    ],
    "plexus_layer": [
        ("struct_size", "size_t", "sizeof(plexus_layer)"), ("kind", "layer_kind", "PLEXUS_LAYER_DENSE"),
        ("units", "uint32_t", "2"), ("activation", "activation", "PLEXUS_SIGMOID"), ("flags", "uint32_t", "0"),
        ("rate", "float", "0.0f"), ("eps", "float", "1e-5f"),
    ],
}
# The enum type of each enum field.
ENUM_FIELDS = {"lr_schedule": "plexus_lr_schedule", "kind": "plexus_optimizer", "layer_kind": "plexus_layer_kind",
               "activation": "plexus_activation"}
# Extra settings that make a struct's field meaningful when it is the one under test.
FIELD_CONTEXT = {
    ("plexus_train_options", "val_n"): "o->val_x = ctx->region[10]; o->val_y = ctx->region[11];",
    ("plexus_train_options", "patience"): "o->val_x = ctx->region[10]; o->val_y = ctx->region[11]; o->val_n = 2;",
    ("plexus_train_options", "step_size"): "o->lr_schedule = PLEXUS_LR_STEP; o->gamma = 0.5f;",
    ("plexus_train_options", "gamma"): "o->lr_schedule = PLEXUS_LR_STEP; o->step_size = 1;",
    ("plexus_train_options", "t_max"): "o->lr_schedule = PLEXUS_LR_COSINE;",
    ("plexus_train_options", "eta_min"): "o->lr_schedule = PLEXUS_LR_COSINE; o->t_max = 2;",
}


def prototypes(header):
    text = re.sub(r"/\*.*?\*/", "", header, flags=re.S)
    found = re.findall(r"^(?:PLEXUS_MUST_USE\s+)?([A-Za-z_][\w\s\*]*?)\b(plexus_\w+)\s*\(([^;{]*?)\)\s*;", text, flags=re.M | re.S)
    out = []
    for returns, name, params in found:
        params = [" ".join(p.split()) for p in params.split(",")]
        parsed = []
        if params != ["void"]:
            for p in params:
                m = re.fullmatch(r"(.*?)\s*(\w+)(\[\d+\])?", p)
                kind, pname, array = m.group(1).strip(), m.group(2), m.group(3)
                parsed.append((kind + ("*" if array else ""), pname))
        out.append((" ".join(returns.split()), name, parsed))
    return out


def argument(function, kind, name, index):
    """(C expression of the default, list of hostile values or None, struct type or None)."""
    k = kind.replace(" ", "")
    if k in ("size_t", "uint64_t"):
        return INTEGER_DEFAULTS[name], UNSIGNED64, None
    if k == "uint32_t":
        return (GRAPH_ROWS if name in ("rows", "cols") else INTEGER_DEFAULTS[name]), UNSIGNED32, None
    if k == "plexus_layer_kind":
        return "PLEXUS_LAYER_DENSE", SIGNED32, None
    if k in ("int", "plexus_node", "plexus_activation", "plexus_loss", "plexus_optimizer", "plexus_status", "plexus_side"):
        return INTEGER_DEFAULTS[name], SIGNED32, None
    if k == "float":
        return FLOAT_DEFAULTS[name], FLOATS, None
    if k in ("plexus_net*", "constplexus_net*"):
        return "ctx->net", None, None
    if k in ("plexus_graph*", "constplexus_graph*"):
        return "ctx->graph", None, None
    if k in ("plexus_quantized*", "constplexus_quantized*"):
        return "ctx->quantized", None, None
    if k == "constuint32_t*":
        return "ctx->sizes", None, None
    if k == "constplexus_activation*":
        return "ctx->activations", None, None
    if k in ("constfloat*", "float*", "void*", "constvoid*", "size_t*", "uint32_t*", "plexus_node*",
             "plexus_activation*", "plexus_loss*", "plexus_optimizer*", "plexus_net**", "plexus_quantized**",
             "plexus_graph**", "void**", "char*", "int*"):
        if function == "plexus_load_buffer" and name == "data":
            return "ctx->buffer", None, None
        if function == "plexus_free_buffer":
            return "ctx->buffer_owned", None, None
        cast = kind.replace("const ", "const ")
        return f"({cast})ctx->region[{index}]", None, None
    if k == "constchar*":
        return {"path": "ctx->path" if function != "plexus_load" else "ctx->saved", "dir": "ctx->dir",
                "name": '"m"', "key": '"units"', "value": '"m/s"'}[name], None, None
    if k in ("plexus_epoch_fn",):
        return "NULL", None, None
    for struct in STRUCTS:
        if k in (struct + "*", "const" + struct + "*"):
            return f"({kind})ctx->region[{index}]", None, struct
    raise SystemExit(f"gen_hostile: {function}: no default for parameter {kind} {name}")


def main():
    header, out = sys.argv[1], sys.argv[2]
    cases = []   # (label, C statements of the call)
    for returns, function, params in prototypes(open(header).read()):
        defaults = [argument(function, kind, name, i) for i, (kind, name) in enumerate(params)]
        setup = []
        for i, (_, _, struct) in enumerate(defaults):
            if struct:
                setup.append(f"{{ {struct} *o = ({struct} *)ctx->region[{i}]; memset(o, 0, 4096); "
                             + " ".join(f"o->{f} = {d};" for f, _, d in STRUCTS[struct]) + " }")

        def call(args):
            expression = f"{function}({', '.join(args)})"
            if returns == "void":
                return f"{expression}; result = -1;"
            if returns == "plexus_status":
                return f"result = (int){expression};"
            return f"(void){expression}; result = -1;"

        base = [d for d, _, _ in defaults]
        cases.append((f"{function} (defaults)", setup, call(base), None))
        for i, ((kind, name), (default, values, struct)) in enumerate(zip(params, defaults)):
            for value in values or []:
                args = list(base)
                args[i] = f"({kind}){value}" if "plexus_" in kind else value
                cases.append((f"{function} {name} = {value}", setup, call(args), (value, kind)))
            if struct:
                for field, ftype, _ in STRUCTS[struct]:
                    hostile = {"size_t": UNSIGNED64, "uint64_t": UNSIGNED64, "int": SIGNED32, "enum": SIGNED32,
                               "layer_kind": SIGNED32, "activation": SIGNED32, "uint32_t": UNSIGNED32,
                               "float": FLOATS}[ftype]
                    for value in hostile:
                        extra = FIELD_CONTEXT.get((struct, field), "")
                        cast = f"({ENUM_FIELDS[ftype if ftype in ENUM_FIELDS else field]})" if ftype in ENUM_FIELDS or ftype == "enum" else ""
                        field_setup = setup + [f"{{ {struct} *o = ({struct} *)ctx->region[{i}]; {extra} o->{field} = {cast}{value}; }}"]
                        cases.append((f"{function} {name}->{field} = {value}", field_setup, call(base),
                                      (value, ftype)))
    lines = ["/* Generated by Tests/c/gen_hostile.py from include/plexus.h: do not edit. */",
             '#include "test_hostile_main.h"', ""]
    for n, (label, setup, body, _) in enumerate(cases):
        lines.append(f"static int case_{n}(struct context *ctx) {{")
        lines.append("    int result;")
        lines.append("    (void)ctx;")
        lines += ["    " + s for s in setup]
        lines.append("    " + body)
        lines.append("    return result;")
        lines.append("}")
    lines.append("const struct hostile_case hostile_cases[] = {")
    for n, (label, _, _, value) in enumerate(cases):
        shown = label.replace('"', '\\"')
        unsigned = "1" if value and value[1].replace(" ", "") in ("size_t", "uint64_t") else "0"
        number = f"(uint64_t){value[0]}" if value and unsigned == "1" else "0"
        lines.append(f'    {{"{shown}", case_{n}, {unsigned}, {number}}},')
    lines.append("};")
    lines.append("const size_t hostile_case_count = sizeof hostile_cases / sizeof hostile_cases[0];")
    open(out, "w").write("\n".join(lines) + "\n")
    print(f"gen_hostile: {len(cases)} calls of {len(prototypes(open(header).read()))} functions", file=sys.stderr)


if __name__ == "__main__":
    main()
