"""zigzag_opt: hardware-mapping co-design of deep-learning accelerators (ZigZag-exact cost model, Optuna search)."""

from importlib.metadata import PackageNotFoundError, version

from zigzag_opt.errors import InputError, Problem, ZigzagOptError

try:
    __version__ = version("zigzag-opt")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["InputError", "Problem", "ZigzagOptError", "__version__"]
