"""A tiny, safe arithmetic expression language for derived design values (``8 * pe_cols``, ``total // rows``).

Expressions are parsed with `ast` and checked against a whitelist: numbers, names, parentheses, the binary
operators ``+ - * / // % **``, unary ``+ -`` and calls of ``min``, ``max``, ``floor``, ``ceil``, ``log2``.
Nothing is ever passed to `eval`; evaluation walks a tree of closures built once at parse time.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from zigzag_opt.errors import InputError

__all__ = ["Expr", "Number", "parse_expr"]

Number = int | float
_Eval = Callable[[Mapping[str, Number]], Number]

_MAX_TEXT = 500


def _pow(a: Number, b: Number) -> Number:
    """``a ** b`` with the result bounded (no huge integers) and real (no complex roots of negatives)."""
    if abs(b) > 64 or (abs(a) > 1 and abs(b) * math.log10(abs(a)) > 308):
        raise ValueError(f"{a} ** {b} is too large")
    if a < 0 and b != int(b):
        raise ValueError(f"{a} ** {b} is not a real number")
    if a == 0 and b < 0:
        raise ValueError("division by zero")
    result: Number = a**b
    return result


def _div(a: Number, b: Number) -> Number:
    if b == 0:
        raise ValueError("division by zero")
    return a / b


def _floordiv(a: Number, b: Number) -> Number:
    if b == 0:
        raise ValueError("division by zero")
    return a // b


def _mod(a: Number, b: Number) -> Number:
    if b == 0:
        raise ValueError("modulo by zero")
    return a % b


def _log2(x: Number) -> Number:
    if x <= 0:
        raise ValueError(f"log2 of {x}")
    return math.log2(x)


_BINARY: dict[type[ast.operator], Callable[[Number, Number], Number]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: _div,
    ast.FloorDiv: _floordiv,
    ast.Mod: _mod,
    ast.Pow: _pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Number], Number]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_FUNCS: dict[str, tuple[Callable[..., Number], int, int]] = {  # name -> (function, min args, max args)
    "min": (min, 2, 16),
    "max": (max, 2, 16),
    "floor": (math.floor, 1, 1),
    "ceil": (math.ceil, 1, 1),
    "log2": (_log2, 1, 1),
}


@dataclass(frozen=True, slots=True)
class Expr:
    """A parsed expression: `text` as written, the parameter `names` it reads, and its evaluator."""

    text: str
    names: tuple[str, ...]
    _fn: _Eval = field(repr=False, compare=False, hash=False)

    def __call__(self, values: Mapping[str, Number]) -> Number:
        """The value for the given name bindings; `ValueError` on a missing name or an arithmetic error."""
        missing = [n for n in self.names if n not in values]
        if missing:
            raise ValueError(f"no value for {', '.join(missing)}")
        try:
            result = self._fn(values)
        except (ArithmeticError, TypeError) as exc:
            raise ValueError(str(exc)) from None
        if isinstance(result, float) and not math.isfinite(result):
            raise ValueError(f"the result is not finite ({result})")
        return result


def parse_expr(text: str | int | float, *, key_path: str = "") -> Expr:
    """Parse and check `text`; an unsupported construct raises `InputError` naming it (at `key_path`)."""
    source = str(text)

    def fail(rule: str) -> InputError:
        accepted = "numbers, parameter names, ( ), + - * / // % **, min max floor ceil log2"
        return InputError.one(rule, key_path=key_path, value=source, accepted=accepted)

    if len(source) > _MAX_TEXT:
        raise fail(f"an expression must be at most {_MAX_TEXT} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise fail(f"expression syntax error: {exc.msg}") from None
    names: list[str] = []
    try:
        fn = _compile(tree.body, names)
    except _Unsupported as exc:
        raise fail(str(exc)) from None
    return Expr(source, tuple(dict.fromkeys(names)), fn)


class _Unsupported(Exception):
    pass


def _compile(node: ast.expr, names: list[str]) -> _Eval:
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Unsupported(f"unsupported constant {value!r}: only numbers")
        return lambda _v: value
    if isinstance(node, ast.Name):
        name = node.id
        if name in _FUNCS:
            raise _Unsupported(f"{name} is a function: call it, e.g. {name}(a, b)")
        names.append(name)
        return lambda v: v[name]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        op, left, right = _BINARY[type(node.op)], _compile(node.left, names), _compile(node.right, names)
        return lambda v: op(left(v), right(v))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        uop, operand = _UNARY[type(node.op)], _compile(node.operand, names)
        return lambda v: uop(operand(v))
    if isinstance(node, ast.Call):
        return _compile_call(node, names)
    raise _Unsupported(f"unsupported syntax: {type(node).__name__}")


def _compile_call(node: ast.Call, names: list[str]) -> _Eval:
    if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCS or node.keywords:
        raise _Unsupported("only min, max, floor, ceil and log2 may be called, with positional arguments")
    func, lo, hi = _FUNCS[node.func.id]
    if not lo <= len(node.args) <= hi:
        raise _Unsupported(f"{node.func.id} takes {lo}..{hi} arguments, got {len(node.args)}")
    args = [_compile(a, names) for a in node.args if not isinstance(a, ast.Starred)]
    if len(args) != len(node.args):
        raise _Unsupported("starred arguments are not supported")
    return lambda v: func(*(a(v) for a in args))
