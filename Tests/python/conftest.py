import sys
from pathlib import Path

# Tests use the binding's ctypes layer straight from the source tree.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bindings" / "python"))
