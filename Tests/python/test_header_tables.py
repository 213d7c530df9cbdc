"""The Python package against include/plexus.h, parsed here: every enumeration in plexus/_tables.py
has the header's values in the header's order, and _capi.py declares exactly the header's functions
(so a value or a function added to the header and not to the package fails here)."""
import re
from pathlib import Path

import pytest

from plexus import _capi, _tables

# Part of the wheel's smoke set (Tests/python/test_wheel.sh).
pytestmark = pytest.mark.smoke

HEADER = (Path(__file__).resolve().parents[2] / "include" / "plexus.h").read_text()


def enumeration(type_name: str) -> list[tuple[str, int]]:
    """The (NAME, value) pairs of `typedef enum { ... } type_name;`."""
    match = re.search(r"typedef enum \{([^}]*)\}\s*" + type_name + r";", HEADER)
    assert match, f"no enum {type_name} in the header"
    body = re.sub(r"/\*.*?\*/", "", match.group(1), flags=re.S)
    return [(name, int(value)) for name, value in re.findall(r"(PLEXUS_\w+)\s*=\s*(\d+)", body)]


def names_in_value_order(type_name: str, prefix: str) -> tuple[str, ...]:
    pairs = enumeration(type_name)
    assert [value for _, value in pairs] == list(range(len(pairs))), f"{type_name} values are not 0, 1, 2, ..."
    return tuple(name[len(prefix):].lower() for name, _ in pairs)


def test_activations_losses_and_optimizers_match_the_header():
    assert _tables.ACTIVATIONS == names_in_value_order("plexus_activation", "PLEXUS_")
    assert _tables.LOSSES == names_in_value_order("plexus_loss", "PLEXUS_")
    assert _tables.OPTIMIZERS == names_in_value_order("plexus_optimizer", "PLEXUS_")
    assert _tables.LR_SCHEDULES == names_in_value_order("plexus_lr_schedule", "PLEXUS_LR_")
    assert _tables.SIDES == names_in_value_order("plexus_side", "PLEXUS_")
    assert _tables.LAYER_KINDS == names_in_value_order("plexus_layer_kind", "PLEXUS_LAYER_")


def test_each_optimizers_hyperparameters_are_the_headers():
    """_tables.OPTIMIZER_HYPERPARAMETERS names, in order, the learning rate and then the fields of
    plexus_optimizer_options that the header's plexus_optimizer lists for each kind; each name's
    field (_tables.optimizer_field) is one of the struct's."""
    body = re.search(r"typedef enum \{([^}]*)\}\s*plexus_optimizer;", HEADER).group(1)
    listed = {name[len("PLEXUS_"):].lower(): [word.strip() for word in re.sub(r"\s+", " ", names).split(",")]
              for name, names in re.findall(r"(PLEXUS_\w+)\s*=\s*\d+,?\s*/\*\s*([^.*]*)", body)}
    assert set(listed) == set(_tables.OPTIMIZERS) == set(_tables.OPTIMIZER_HYPERPARAMETERS)
    fields = struct_fields("plexus_optimizer_options")
    for optimizer, names in listed.items():
        python = _tables.OPTIMIZER_HYPERPARAMETERS[optimizer]
        assert tuple(_tables.optimizer_field(n) for n in python) == ("learning_rate", *names), optimizer
        assert all(_tables.optimizer_field(n) in fields for n in python), optimizer
    assert _tables.OPTIMIZER_FLAGS <= {n for names in _tables.OPTIMIZER_HYPERPARAMETERS.values() for n in names}


def struct_fields(type_name: str) -> list[str]:
    """The field names of `typedef struct type_name { ... } type_name;`, in order."""
    match = re.search(r"typedef struct " + type_name + r" \{(.*?)\}\s*" + type_name + r";", HEADER, re.S)
    assert match, f"no struct {type_name} in the header"
    body = re.sub(r"/\*.*?\*/", "", match.group(1), flags=re.S)
    return re.findall(r"(\w+);", body)


def test_the_option_and_report_structs_match_the_header():
    assert [name for name, _ in _capi.TrainOptions._fields_] == struct_fields("plexus_train_options")
    assert [name for name, _ in _capi.TrainReport._fields_] == struct_fields("plexus_train_report")
    assert [name for name, _ in _capi.ExportOptions._fields_] == struct_fields("plexus_export_options")
    assert [name for name, _ in _capi.SaveOptions._fields_] == struct_fields("plexus_save_options")
    assert [name for name, _ in _capi.QuantizedLayer._fields_] == struct_fields("plexus_quantized_layer")
    assert [name for name, _ in _capi.OptimizerOptions._fields_] == struct_fields("plexus_optimizer_options")
    assert [name for name, _ in _capi.LayerFields._fields_] == struct_fields("plexus_layer")


def test_status_names_match_the_header():
    pairs = enumeration("plexus_status")
    assert [value for _, value in pairs] == list(range(len(pairs)))
    assert _tables.STATUS_NAMES == tuple(name for name, _ in pairs)


def test_the_no_bias_flag_matches_the_header():
    assert int(re.search(r"#define PLEXUS_NO_BIAS (\d+)u", HEADER).group(1)) == _tables.NO_BIAS
    assert int(re.search(r"#define PLEXUS_NO_AFFINE (\d+)u", HEADER).group(1)) == _tables.NO_AFFINE


def test_capi_declares_exactly_the_headers_functions():
    declared_in_header = set(re.findall(r"\b(plexus_\w+)\(", re.sub(r"/\*.*?\*/", "", HEADER, flags=re.S)))
    assert declared_in_header == set(_capi._DECLARATIONS), (
        f"only in the header: {sorted(declared_in_header - set(_capi._DECLARATIONS))}; "
        f"only in _capi.py: {sorted(set(_capi._DECLARATIONS) - declared_in_header)}")


def test_no_module_but_capi_imports_ctypes():
    package = Path(_capi.__file__).parent
    for module in package.glob("*.py"):
        if module.name != "_capi.py":
            assert not re.search(r"^\s*(import ctypes|from ctypes)", module.read_text(), re.M), module.name


def test_the_package_modules_import_each_other_without_a_cycle():
    package = Path(_capi.__file__).parent
    imports = {module.stem: set(re.findall(r"^\s*from \.(\w+) import", module.read_text(), re.M))
               for module in package.glob("*.py")}

    def reaches(start: str, goal: str, seen: set) -> bool:
        for name in imports.get(start, ()):
            if name == goal or (name not in seen and reaches(name, goal, seen | {name})):
                return True
        return False

    cycles = [module for module in imports if module != "__init__" and reaches(module, module, set())]
    assert not cycles, f"modules in an import cycle: {cycles}"
