"""Pages and the API hold no ORM queries of their own: reads with rules live in each app's queries.py
(access_<thing> for one object, plain nouns for lists), so the rule a page applies is the rule the API
applies. This walks every view and API module and fails on a `.objects` lookup outside them.

ALLOWED names what must stay, each with its reason. Keep it short: moving the query is the usual fix.
"""

from __future__ import annotations

import ast
from pathlib import Path

import accord

ROOT = Path(accord.__file__).parent

# "path relative to accord/::function" -> why the query stays in the transport module.
ALLOWED: dict[str, str] = {
    # None today. Ids from a request body are resolved with orgs.access.get_for_org / of_org (the
    # tenancy helpers), related managers (person.reports, group.members) are not `.objects` and are
    # not caught here.
}


def transport_modules() -> list[Path]:
    found = [*ROOT.glob("*/views*.py"), *ROOT.glob("*/api*.py"), *ROOT.glob("api*.py")]
    return sorted(p for p in found if "migrations" not in p.parts)


def queries_in(path: Path) -> list[tuple[str, int]]:
    """(enclosing function, line) of every `<something>.objects` in the module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else where
            if isinstance(child, ast.Attribute) and child.attr == "objects":
                found.append((where, child.lineno))
            visit(child, name)

    visit(tree, "<module>")
    return found


def test_views_and_api_hold_no_orm_queries():
    offenders = []
    used = set()
    for path in transport_modules():
        rel = path.relative_to(ROOT).as_posix()
        for function, line in queries_in(path):
            key = f"{rel}::{function}"
            if key in ALLOWED:
                used.add(key)
            else:
                offenders.append(f"accord/{rel}:{line} in {function}()")
    assert offenders == [], "move these into the app's queries.py:\n" + "\n".join(offenders)
    assert sorted(set(ALLOWED) - used) == [], "allowed but no longer there: drop from ALLOWED"


def test_the_walk_finds_a_query(tmp_path):
    """The test above can fail: a module with a query in a view is reported."""
    module = tmp_path / "views.py"
    module.write_text("def page(request):\n    return Thing.objects.filter(org=request.org)\n")
    assert queries_in(module) == [("page", 2)]
