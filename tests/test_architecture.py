"""The apps' import graph is the DAG of DESIGN §8: an app imports only the apps below it, never above, so the
graph has no upward edge and no cycle. Run-time imports only: an import under `if TYPE_CHECKING:` names a type
for the checker and loads nothing."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = [
    "core",
    "geo",
    "org",
    "text",
    "appeals",
    "campaigns",
    "portal",
    "ledgers",
    "insights",
    "oversight",
    "field",
    "demo",
    "config",
]
RANK = {app: rank for rank, app in enumerate(LAYERS)}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_apps(tree: ast.AST) -> set[str]:
    """The project apps a module imports at run time, at any depth (imports inside functions count)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for branch in node.orelse:
                visit(branch)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found & set(LAYERS)


def _edges() -> list[tuple[str, str, str]]:
    edges = []
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for other in _imported_apps(tree):
                if other != app:
                    edges.append((app, other, str(path.relative_to(ROOT))))
    return edges


def test_every_app_of_the_layers_exists_or_is_still_to_come() -> None:
    present = {p.name for p in ROOT.iterdir() if (p / "apps.py").exists() or p.name == "config"}
    assert present <= set(LAYERS), f"apps missing from the layers of DESIGN §8: {present - set(LAYERS)}"


def test_apps_import_only_the_layers_below_them() -> None:
    upward = [f"{path}: {app} imports {other}" for app, other, path in _edges() if RANK[other] > RANK[app]]
    assert upward == []


def test_the_app_graph_has_no_cycle() -> None:
    graph: dict[str, set[str]] = {app: set() for app in LAYERS}
    for app, other, _path in _edges():
        graph[app].add(other)
    done: set[str] = set()

    def walk(app: str, trail: tuple[str, ...]) -> None:
        assert app not in trail, " → ".join((*trail, app))
        if app in done:
            return
        for other in sorted(graph[app]):
            walk(other, (*trail, app))
        done.add(app)

    for app in LAYERS:
        walk(app, ())
