"""The shipped Python stays in functions a newcomer can read: none over 80 lines.

The OpenAPI document is a data literal written as code (collector/openapi.py builds it in three
functions); it is the one exception.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["collector", "config", "core", "dashboard", "lti", "projects", "replay", "widgets"]
MAX_LINES = 80
DATA_LITERALS = {
    ("collector/openapi.py", "_schemas"),
    ("collector/openapi.py", "_paths"),
    ("collector/openapi.py", "_with_tenants_and_quarantine"),
}


def long_functions() -> list[str]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = path.relative_to(ROOT).as_posix()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_LINES and (name, node.name) not in DATA_LITERALS:
                    found.append(f"{name}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_no_shipped_function_is_over_80_lines():
    assert long_functions() == []
