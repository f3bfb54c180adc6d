"""What the doors' fuzz tests share: Hypothesis settings, arbitrary JSON, a mutation that breaks a
valid message at any one place, a transaction that each example rolls back, and the check that a
refused request stored nothing.

Each door brings its own valid templates and its own "near" values (the strings its fields
commonly hold, so that a mutation is often nearly valid); the way they are broken is the same.
"""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st


def fuzz_settings(max_examples: int = 150) -> settings:
    """Bounded to run in seconds; derandomized on CI (CI=true) so a failure there repeats."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=os.environ.get("CI") == "true",
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def paths(value: Any, path: tuple = ()) -> list[tuple]:
    """Every place in a JSON value, as the keys and indexes that lead to it (the value itself
    first, as the empty path)."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*path, index))
    return found


@st.composite
def mutated(
    draw: Callable[[st.SearchStrategy[Any]], Any],
    templates: st.SearchStrategy[dict[str, Any]],
    near_values: st.SearchStrategy[Any],
) -> dict[str, Any]:
    """A copy of one template with one place replaced, deleted, or (in an object) given one key
    more; replacements are arbitrary JSON or one of the door's near values."""
    made = copy.deepcopy(draw(templates))
    path = draw(st.sampled_from(paths(made)[1:]))
    parent = made
    for step in path[:-1]:
        parent = parent[step]
    action = draw(st.sampled_from(["replace", "delete", "add"]))
    if action == "delete" and isinstance(parent, dict):
        del parent[path[-1]]
    elif action == "add" and isinstance(parent[path[-1]], dict):
        parent[path[-1]][draw(st.text(max_size=12))] = draw(json_values | near_values)
    else:
        parent[path[-1]] = draw(json_values | near_values)
    return made


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """One example's writes, on both databases, undone afterwards (the test's own transaction
    stays open for the next example)."""
    with transaction.atomic(using="default"), transaction.atomic(using="analytics"):
        yield
        transaction.set_rollback(True, using="analytics")
        transaction.set_rollback(True, using="default")


def refused_with_nothing_stored(
    response: Any,
    *,
    accepted: int,
    refusals: set[int],
    counts: Callable[[], tuple[int, ...]],
    before: tuple[int, ...],
) -> bool:
    """Never a 500: the answer is `accepted` or one of `refusals`. True when refused, after
    checking that the refusal says why and that not one counted row changed."""
    assert response.status_code == accepted or response.status_code in refusals, response.content
    if response.status_code == accepted:
        return False
    assert response.json()["error"], response.content
    assert counts() == before, "a refused request stored something"
    return True
