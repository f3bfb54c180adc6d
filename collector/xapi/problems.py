"""A refused statement or request: what is wrong, and where (a JSON pointer, RFC 6901)."""

from __future__ import annotations


class Invalid(Exception):
    """The first problem found, with the JSON pointer of the field it is in (the body's root is
    ""; a query parameter is named as such). The message is for the person who sent it."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(f"{pointer}: {message}")
        self.pointer = pointer
        self.message = message

    def within(self, prefix: str) -> Invalid:
        return Invalid(prefix + self.pointer, self.message)


def pointer(base: str, key: str | int) -> str:
    """`base` extended by one step; "~" and "/" in a key escaped as RFC 6901 says."""
    text = str(key).replace("~", "~0").replace("/", "~1")
    return f"{base}/{text}"
