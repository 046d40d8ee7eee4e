"""The one parameter validator: each kind of constraint, the message shape, and that no module
writes the message by hand any more."""

from __future__ import annotations

import ast
import math
import re
from concurrent.futures import Executor
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.errors import ConfigError
from matcher.validate import (
    Described,
    InstanceOf,
    Interval,
    Options,
    describe_constraints,
    parameter_error,
    shown,
    validate_params,
)

PACKAGE = Path(__file__).resolve().parents[1] / "matcher"


def message(spec: list, value: object) -> str:
    with pytest.raises(ValueError) as caught:
        validate_params("f", {"x": value}, {"x": spec})
    return str(caught.value)


@pytest.mark.parametrize(("closed", "text", "inside", "outside"), [
    ("both", "a float in [0, 1]", [0, 0.0, 1, 1.0, 0.5], [-1e-9, 1.0000001]),
    ("left", "a float in [0, 1)", [0.0, 0.999], [1.0, -0.1]),
    ("right", "a float in (0, 1]", [1.0, 1e-12], [0.0, 0]),
    ("neither", "a float in (0, 1)", [0.5], [0.0, 1.0]),
])
def test_interval_ends(closed: str, text: str, inside: list, outside: list) -> None:
    spec = Interval(float, 0.0, 1.0, closed=closed)  # type: ignore[arg-type]
    assert str(spec) == text
    assert all(spec.allows(v) for v in inside)
    for value in outside:
        assert message([spec], value) == (
            f"The 'x' parameter of f must be {text}. Got {value!r} instead.")


def test_interval_one_sided_and_kinds() -> None:
    assert str(Interval(int, 0, None)) == "an int >= 0"
    assert str(Interval(int, 0, None, closed="neither")) == "an int > 0"
    assert str(Interval(float, None, 2.5, closed="right")) == "a float <= 2.5"
    assert str(Interval(float, None, 2.5, closed="neither")) == "a float < 2.5"
    assert str(Interval(float, 0.0, 20_100.0)) == "a float in [0, 20100]"
    # an int interval refuses floats and bools; a float one takes ints, never bools or NaN
    assert not Interval(int, 0, None).allows(1.0)
    assert not Interval(int, 0, None).allows(True)
    assert Interval(float, 0, 1).allows(1)
    for bad in (True, math.nan, math.inf, "0.5", None):
        assert not Interval(float, None, None).allows(bad)
    assert message([Interval(int, 1, None)], True) == (
        "The 'x' parameter of f must be an int >= 1. Got True instead.")
    with pytest.raises(ValueError, match="empty interval"):
        Interval(int, 2, 1)


@given(st.floats(allow_nan=False, allow_infinity=False, width=32),
       st.sampled_from(["left", "right", "both", "neither"]))
def test_interval_agrees_with_comparisons(x: float, closed: str) -> None:
    lo, hi = -1.0, 1.0
    expected = ((lo <= x if closed in ("left", "both") else lo < x)
                and (x <= hi if closed in ("right", "both") else x < hi))
    assert Interval(float, lo, hi, closed=closed).allows(x) == expected  # type: ignore[arg-type]


def test_options_compare_value_and_type() -> None:
    spec = Options(("holm", "bh"))
    assert str(spec) == "one of 'holm', 'bh'"
    assert spec.allows("bh") and not spec.allows("BH")
    assert str(Options((0,))) == "0"
    assert Options((0,)).allows(0) and not Options((0,)).allows(False)
    assert not Options((1,)).allows(True) and not Options((1,)).allows(1.0)
    assert message([spec], "fdr") == (
        "The 'x' parameter of f must be one of 'holm', 'bh'. Got 'fdr' instead.")


def test_types_and_none() -> None:
    assert message([bool], "yes") == "The 'x' parameter of f must be a bool. Got 'yes' instead."
    assert message([int], True) == "The 'x' parameter of f must be an int. Got True instead."
    spec = [InstanceOf(Executor, "a concurrent.futures.Executor"), None]
    assert message(spec, "pool") == (
        "The 'x' parameter of f must be a concurrent.futures.Executor or None. "
        "Got 'pool' instead.")
    validate_params("f", {"x": None}, {"x": spec})
    assert message([None], 0) == "The 'x' parameter of f must be None. Got 0 instead."
    assert describe_constraints([Options((0,)), Interval(int, 100, None)]) == (
        "0 or an int >= 100")
    assert describe_constraints([str, int, None]) == "a str, an int or None"


def test_only_named_parameters_are_checked_in_declared_order() -> None:
    constraints = {"a": [Interval(int, 0, None)], "b": [bool]}
    validate_params("f", {"a": 1, "b": True, "other": object()}, constraints)
    with pytest.raises(ConfigError, match="'a' parameter of f"):
        validate_params("f", {"b": "no", "a": -1}, constraints, error=ConfigError)


def test_values_are_shown_by_repr_or_described() -> None:
    assert shown(np.float64(0.5)) == "0.5" and shown(np.int64(3)) == "3"
    assert shown(np.zeros((2, 3))) == (
        "an object of type ndarray with shape (2, 3) and dtype float64")
    assert shown(object()) == "an object of type object"
    assert shown(list(range(100))) == "an object of type list of 100 items"
    assert shown(Described("a CSR matrix of shape (1,)")) == "a CSR matrix of shape (1,)"
    error = parameter_error("ScoreWeights", ("skill", "wish"), "weights that sum to 1",
                            Described("skill=0.5 + wish=0.6 = 1.1"), error=ConfigError)
    assert isinstance(error, ConfigError)
    assert str(error) == ("The 'skill' and 'wish' parameters of ScoreWeights must be weights "
                          "that sum to 1. Got skill=0.5 + wish=0.6 = 1.1 instead.")


def test_the_package_uses_it_with_one_message_shape() -> None:
    import matcher
    from matcher.audit.inference import adjust
    from matcher.service.settings import ServiceSettings

    shape = re.compile(r"^The '\w+'(, '\w+')*( and '\w+')? parameters? of [\w.]+ must be .+\. "
                       r"Got .+ instead\.$", re.S)
    errors = []
    for call in (lambda: matcher.MatchConfig(top_k=-1),
                 lambda: matcher.ScoreWeights(skill=0.5),
                 lambda: adjust([0.1], "fdr"),  # type: ignore[arg-type]
                 lambda: ServiceSettings(login_window_s=0)):
        with pytest.raises(ValueError) as caught:
            call()
        errors.append(str(caught.value))
    assert all(shape.match(e) for e in errors), errors
    assert errors[2] == ("The 'method' parameter of adjust must be one of 'holm', 'bh'. "
                         "Got 'fdr' instead.")
    assert errors[3] == ("The 'login_window_s' parameter of ServiceSettings must be a float > 0. "
                         "Got 0 instead.")


def _strings(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module (f-string parts included), docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                                | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings]


def test_no_module_writes_the_message_by_hand() -> None:
    hand_written = re.compile(r"parameters? (of|must)|\bGot\b.*\binstead\b|instead\.$")
    found = [f"{path.relative_to(PACKAGE.parent)}:{line}: {text!r}"
             for path in sorted(PACKAGE.rglob("*.py")) if path.name != "validate.py"
             for line, text in _strings(path) if hand_written.search(text)]
    assert found == []
