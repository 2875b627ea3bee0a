"""SECURITY.md's table of promises names, for each, the test that proves it
(``path::test_name``). This reads the table and checks each named test exists in the
tree, so the table cannot drift from the code: renaming or deleting a test that proves
a promise fails here until SECURITY.md is updated."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMED = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def promises() -> list[tuple[str, str, str]]:
    """(number, path, test name) for each row of the promises table."""
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    table = text.split("## Promises and the tests that prove them", 1)[1]
    rows = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].isdigit():
            found = NAMED.fullmatch(cells[2])
            assert found, f"promise {cells[0]} names no test as `tests/path.py::test_name`: {cells[2]!r}"
            rows.append((cells[0], found.group(1), found.group(2)))
    return rows


def functions_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")}


def test_every_promise_in_security_md_names_a_test_that_exists() -> None:
    rows = promises()
    assert len(rows) >= 15, f"SECURITY.md promises {len(rows)} things; at least 15 are expected"
    assert [int(n) for n, _, _ in rows] == list(range(1, len(rows) + 1)), "promises are numbered 1, 2, 3..."
    missing = []
    for number, path, name in rows:
        file = ROOT / path
        if not file.is_file():
            missing.append(f"promise {number}: no file {path}")
        elif name not in functions_in(file):
            missing.append(f"promise {number}: no test {name} in {path}")
    assert not missing, "\n".join(missing)
    assert len({(p, n) for _, p, n in rows}) == len(rows), "each promise names its own test"
