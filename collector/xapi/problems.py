"""A refused statement or request: what is wrong, and where (a JSON pointer, RFC 6901)."""

from __future__ import annotations

from typing import Any

# Where a value is: "" (the body), a parameter's name, or (where, key) one step further in. Kept
# as nested pairs while checking, and written out as a JSON pointer only for a refusal: every
# statement names dozens of places, and nearly every statement is valid.
At = Any


class Invalid(Exception):
    """The first problem found, with the JSON pointer of the field it is in (the body's root is
    ""; a query parameter is named as such). The message is for the person who sent it."""

    def __init__(self, at: At, message: str) -> None:
        self.pointer = written(at)
        self.message = message
        super().__init__(f"{self.pointer}: {message}")

    def within(self, prefix: str) -> Invalid:
        return Invalid(prefix + self.pointer, self.message)


def pointer(base: At, key: str | int) -> At:
    """`base` extended by one step (written out by `written`)."""
    return (base, key)


def written(at: At) -> str:
    """The JSON pointer of a place; "~" and "/" in a key escaped as RFC 6901 says."""
    steps = []
    while isinstance(at, tuple):
        at, key = at
        steps.append(str(key).replace("~", "~0").replace("/", "~1"))
    return at + "".join(f"/{step}" for step in reversed(steps))
