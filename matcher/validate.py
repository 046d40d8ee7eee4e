"""Parameter validation: allowed values declared as data, one check, one message shape.

Every function and settings record of the package that checks its arguments does it here, so a
bad value always reads the same way::

    The 'min_score' parameter of MatchConfig must be a float in [0, 1]. Got -0.5 instead.

The constraints of a parameter are a list; a value is valid when it meets any of them:

- :class:`Interval` ``(int or float, left, right, closed=...)``: a number in a range, ends
  open or closed (``'left'``, ``'right'``, ``'both'``, ``'neither'``), either end ``None`` for
  no bound; never a bool, never NaN or infinite;
- :class:`Options` ``(values)``: one of a few values (strings, numbers), compared by value and
  type, so ``True`` is not ``1``;
- a type (or :class:`InstanceOf` with a description): an instance of it;
- ``None``: ``None`` itself.

:func:`validate_params` checks a mapping of values against declared constraints;
:func:`parameter_error` builds the same message for checks that depend on the data (a matrix's
shape, an index out of range), where the value received is described (:class:`Described`)
rather than printed.

>>> validate_params("top", {"n": 0}, {"n": [Interval(int, 1, None, closed="left")]})
Traceback (most recent call last):
...
ValueError: The 'n' parameter of top must be an int >= 1. Got 0 instead.

This module imports nothing of the package but :mod:`matcher.errors`, so every layer, the
solver included, may use it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Constraint",
    "Described",
    "InstanceOf",
    "Interval",
    "Options",
    "describe_constraints",
    "parameter_error",
    "shown",
    "validate_params",
]

Closed = Literal["left", "right", "both", "neither"]
#: the longest ``repr`` a message prints of a value; longer values are described by their type
MAX_SHOWN = 120


class Constraint:
    """What a parameter's value may be: :meth:`allows` it, and ``str()`` says it in words."""

    def allows(self, value: object) -> bool:
        raise NotImplementedError


def _number(x: float) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() else repr(x)


@dataclass(frozen=True)
class Interval(Constraint):
    """A number of ``kind`` (``int``, or ``float`` which also takes ints) between ``left`` and
    ``right``; ``closed`` says which ends belong to it. ``None`` is no bound on that side."""

    kind: type[int] | type[float]
    left: float | None
    right: float | None
    closed: Closed = "both"

    def __post_init__(self) -> None:
        if self.kind not in (int, float):
            raise TypeError(f"Interval kind must be int or float, not {self.kind!r}")
        if self.left is not None and self.right is not None and self.right < self.left:
            raise ValueError(f"empty interval [{self.left}, {self.right}]")

    def allows(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if self.kind is int and not isinstance(value, int):
            return False
        if not math.isfinite(value):
            return False
        if self.left is not None and (value < self.left or (
                value == self.left and self.closed not in ("left", "both"))):
            return False
        return self.right is None or not (value > self.right or (
            value == self.right and self.closed not in ("right", "both")))

    def __str__(self) -> str:
        kind = "an int" if self.kind is int else "a float"
        lo_in, hi_in = self.closed in ("left", "both"), self.closed in ("right", "both")
        if self.left is not None and self.right is not None:
            return (f"{kind} in {'[' if lo_in else '('}{_number(self.left)}, "
                    f"{_number(self.right)}{']' if hi_in else ')'}")
        if self.left is not None:
            return f"{kind} {'>=' if lo_in else '>'} {_number(self.left)}"
        if self.right is not None:
            return f"{kind} {'<=' if hi_in else '<'} {_number(self.right)}"
        return kind


@dataclass(frozen=True)
class Options(Constraint):
    """One of ``values``, in the order given (the message lists them so)."""

    values: tuple[object, ...]

    def allows(self, value: object) -> bool:
        return any(type(value) is type(option) and value == option for option in self.values)

    def __str__(self) -> str:
        if len(self.values) == 1:
            return repr(self.values[0])
        return "one of " + ", ".join(map(repr, self.values))


@dataclass(frozen=True)
class InstanceOf(Constraint):
    """An instance of ``kind``; ``description`` replaces "a <type name>" in the message."""

    kind: type | tuple[type, ...]
    description: str | None = None

    def allows(self, value: object) -> bool:
        if self.kind is not bool and isinstance(value, bool):
            return bool in (self.kind if isinstance(self.kind, tuple) else (self.kind,))
        return isinstance(value, self.kind)

    def __str__(self) -> str:
        if self.description is not None:
            return self.description
        kinds = self.kind if isinstance(self.kind, tuple) else (self.kind,)
        return " or ".join(_article(k.__name__) for k in kinds)


@dataclass(frozen=True)
class _NoneConstraint(Constraint):
    def allows(self, value: object) -> bool:
        return value is None

    def __str__(self) -> str:
        return "None"


class Described(str):
    """A value received, already put in words (``"an array of shape (3, 2)"``): printed as is,
    not as its ``repr``."""

    __slots__ = ()


def _article(name: str) -> str:
    return f"{'an' if name[:1].lower() in 'aeio' else 'a'} {name}"


def _constraint(spec: Constraint | type | None) -> Constraint:
    if spec is None:
        return _NoneConstraint()
    if isinstance(spec, Constraint):
        return spec
    if isinstance(spec, type):
        return InstanceOf(spec)
    raise TypeError(f"not a constraint: {spec!r}")


def describe_constraints(specs: Sequence[Constraint | type | None]) -> str:
    """The constraints in words: ``"None or an int >= 1"``."""
    words = [str(_constraint(s)) for s in specs]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def shown(value: object) -> str:
    """How a message prints the value received: its ``repr`` when short and meaningful, else
    what it is (an array's shape and dtype, an object's type)."""
    if isinstance(value, Described):
        return str(value)
    item = getattr(value, "item", None)
    if getattr(value, "shape", None) == () and callable(item):  # a numpy scalar: its number
        value = item()
    shape, dtype = getattr(value, "shape", None), getattr(value, "dtype", None)
    if shape is not None and dtype is not None:
        return f"an object of type {type(value).__name__} with shape {shape} and dtype {dtype}"
    if type(value).__repr__ is object.__repr__:
        return f"an object of type {type(value).__name__}"
    text = repr(value)
    if len(text) > MAX_SHOWN:
        size = f" of {len(value)} items" if isinstance(value, Sequence | Mapping) else ""
        return f"an object of type {type(value).__name__}{size}"
    return text


def parameter_error(owner: str, name: str | Sequence[str], expected: str, value: object, *,
                    error: type[Exception] = ValueError) -> Exception:
    """The one message shape, as an exception of type ``error`` (to raise).

    ``name`` is one parameter, or several when the rule binds them together; ``value`` is
    printed by :func:`shown` (a :class:`Described` value as it is).

    >>> str(parameter_error("solve", "slots", "an int array", Described("a list of 2 str")))
    "The 'slots' parameter of solve must be an int array. Got a list of 2 str instead."
    >>> str(parameter_error("C", ("a", "b"), "in order", Described("a=2, b=1")))
    "The 'a' and 'b' parameters of C must be in order. Got a=2, b=1 instead."
    """
    if isinstance(name, str):
        subject = f"{name!r} parameter"
    else:
        names = [repr(n) for n in name]
        subject = f"{', '.join(names[:-1])} and {names[-1]} parameters"
    return error(f"The {subject} of {owner} must be {expected}. Got {shown(value)} instead.")


def validate_params(owner: str, params: Mapping[str, object],
                    constraints: Mapping[str, Sequence[Constraint | type | None]], *,
                    error: type[Exception] = ValueError) -> None:
    """Check each value of ``params`` that ``constraints`` names; raise the first that meets
    none of its constraints, as ``error`` with the one message shape (parameters in the order
    ``constraints`` lists them)."""
    for name, specs in constraints.items():
        value = params[name]
        if not any(_constraint(s).allows(value) for s in specs):
            raise parameter_error(owner, name, describe_constraints(specs), value, error=error)
