"""Hypothesis strategies from JSON Schemas: the subset our OpenAPI document and widget registry use.

`from_schema` draws values of the shape a schema describes (types, enum/const, bounds, required
and optional properties, array sizes, string patterns and the uuid format, local $refs).
Conditional keywords (allOf/if/then) are not solved; `valid_for` filters the drawn values through
the real validator, so what it gives is exactly what the schema accepts.
"""

from __future__ import annotations

import math
from typing import Any

import fastjsonschema
from hypothesis import strategies as st

# Any JSON value, for an object schema that lists no properties.
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


# Text that JSON can carry but no database can store: a NUL (\u0000) or a lone UTF-16 surrogate
# (\ud800), somewhere in otherwise ordinary text. Hypothesis's own text never holds a surrogate.
UNSTORABLE_CHARS = st.just("\x00") | st.integers(0xD800, 0xDFFF).map(chr)
UNSTORABLE_TEXT = st.builds(
    lambda head, bad, tail: head + bad + tail,
    st.text(max_size=4),
    UNSTORABLE_CHARS,
    st.text(max_size=4),
)


def _resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    assert ref.startswith("#/"), f"only local $refs are supported, not {ref}"
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _pattern(pattern: str) -> st.SearchStrategy[str]:
    # In Python's re, "$" also matches before a final newline; a schema's "$" means the end.
    return st.from_regex(pattern.replace("$", r"\Z"), fullmatch=True)


def _number(schema: dict[str, Any], integer: bool) -> st.SearchStrategy:
    low, high = schema.get("minimum"), schema.get("maximum")
    step = schema.get("multipleOf")
    if step is not None:
        first = None if low is None else math.ceil(low / step)
        last = None if high is None else math.floor(high / step)
        return st.integers(first, last).map(lambda k: k * step)
    if integer:
        return st.integers(low, high)
    return st.floats(low, high, allow_nan=False, allow_infinity=False) | st.integers(
        None if low is None else math.ceil(low), None if high is None else math.floor(high)
    )


def from_schema(
    schema: dict[str, Any],
    root: dict[str, Any] | None = None,
    *,
    strings: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy:
    """Values of the schema's shape; with `strings`, every string may also be drawn from it (and
    then the value may break the schema: `strings=UNSTORABLE_TEXT` puts a NUL or a surrogate
    anywhere a string goes)."""
    root = schema if root is None else root
    if strings is not None and schema.get("type") == "string":
        return from_schema(schema, root) | strings
    if "$ref" in schema:
        return from_schema(_resolve(root, schema["$ref"]), root, strings=strings)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of(
            [from_schema({**schema, "type": one}, root, strings=strings) for one in kind]
        )
    if kind == "object":
        properties = schema.get("properties")
        if properties is None:
            keys = st.text(max_size=8) if strings is None else st.text(max_size=8) | strings
            return st.dictionaries(keys, JSON_VALUES, max_size=4)
        required = set(schema.get("required", []))
        return st.fixed_dictionaries(
            {
                name: from_schema(sub, root, strings=strings)
                for name, sub in properties.items()
                if name in required
            },
            optional={
                name: from_schema(sub, root, strings=strings)
                for name, sub in properties.items()
                if name not in required
            },
        )
    if kind == "array":
        return st.lists(
            from_schema(schema.get("items", {}), root, strings=strings),
            min_size=schema.get("minItems", 0),
            max_size=min(schema.get("maxItems", 8), 8),
            unique=schema.get("uniqueItems", False),
        )
    if kind in ("integer", "number"):
        return _number(schema, integer=kind == "integer")
    if kind == "string":
        if schema.get("format") == "uuid":
            return st.uuids().map(str)
        if "pattern" in schema:
            return _pattern(schema["pattern"])
        low = schema.get("minLength", 0)
        return st.text(min_size=low, max_size=schema.get("maxLength", max(20, low)))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    return JSON_VALUES


def valid_for(schema: dict[str, Any]) -> st.SearchStrategy:
    """Values the schema accepts, as its real validator says."""
    validate = fastjsonschema.compile(schema)

    def accepted(value: Any) -> bool:
        try:
            validate(value)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return True

    return from_schema(schema).filter(accepted)
