"""Arrows between apps point one way (docs/architecture.md, "Dependencies between apps").

The imports of every module of the apps are read from the source (top-level and inside functions),
and the dependencies of every migration, and held against the graph:

    tenancy  <-  plays  <-  accounts  <-  leads, mdf  <-  reporting

- A module of an app imports only its own app and the apps below it.
- An interface module (views, API, URLs, forms, filters, admin, template tags) may also read
  another app's *selectors*, where a page shows both (the ranking shows the partner's MDF). The
  tenancy core has no such exception: it imports no domain app at all.
- The project's wiring (partnerhub/urls.py, settings, the demo seed) may import every app.
- A migration depends only on its own app, the apps below it and Django's.
- No two modules import each other in a circle, whatever their apps.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lower layers first; apps of one layer do not import each other.
LAYERS = {"tenancy": 0, "plays": 1, "accounts": 2, "leads": 3, "mdf": 3, "reporting": 4}
PACKAGES = {"partnerhub.tenancy": "tenancy", "plays": "plays", "accounts": "accounts"}
PACKAGES |= {"leads": "leads", "mdf": "mdf", "reporting": "reporting"}
INTERFACE_PARTS = {"views", "api", "urls", "admin", "templatetags", "portal", "context_processors"}
INTERFACE_PREFIXES = ("forms", "plan_forms", "filters")
WIRING = {
    "partnerhub.urls",
    "partnerhub.celery",
    "partnerhub.dev",
    "partnerhub.wsgi",
    "partnerhub.navigation",
    "accounts.demo",
    "partnerhub.tenancy.management.commands.seed_demo",
}


@dataclass(frozen=True)
class Arrow:
    source: str  # importing module
    target: str  # imported module
    line: int


def app_of(module: str) -> str | None:
    for package, app in PACKAGES.items():
        if module == package or module.startswith(f"{package}."):
            return app
    return None


def is_interface(module: str) -> bool:
    parts = module.split(".")
    return bool(INTERFACE_PARTS & set(parts)) or any(part.startswith(INTERFACE_PREFIXES) for part in parts)


def is_wiring(module: str) -> bool:
    return module in WIRING or module.startswith("partnerhub.settings") or app_of(module) is None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    found = {}
    for top in ("partnerhub", *(package for package in PACKAGES if "." not in package)):
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def imports_of(module: str, path: Path) -> list[Arrow]:
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    arrows = []
    for node in ast.walk(tree):
        if _only_for_type_checkers(node):
            node.body = []  # its imports never run
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            arrows += [Arrow(module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # `from accounts.selectors import programs` imports the module accounts.selectors.programs.
            arrows += [Arrow(module, f"{base}.{alias.name}", node.lineno) for alias in node.names]
            arrows.append(Arrow(module, base, node.lineno))
    return arrows


def _only_for_type_checkers(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def refused_arrows(arrows: list[Arrow]) -> list[str]:
    """The arrows against the graph, each as 'source:line -> target (why)'."""
    refused = []
    for arrow in arrows:
        source_app, target_app = app_of(arrow.source), app_of(arrow.target)
        if target_app is None or source_app == target_app or is_wiring(arrow.source):
            continue
        if LAYERS[target_app] < LAYERS[source_app]:
            continue
        reads_selectors = ".selectors" in arrow.target.removeprefix(
            next(p for p, a in PACKAGES.items() if a == target_app)
        )
        if source_app != "tenancy" and is_interface(arrow.source) and reads_selectors:
            continue
        why = "the tenancy core imports no domain app" if source_app == "tenancy" else "against the graph"
        refused.append(f"{arrow.source}:{arrow.line} -> {arrow.target} ({why})")
    return sorted(set(refused))


def import_cycles(arrows: list[Arrow], modules: set[str]) -> list[list[str]]:
    """Circles in the module graph (only arrows between project modules), by Tarjan's algorithm."""
    graph: dict[str, set[str]] = {module: set() for module in modules}
    for arrow in arrows:
        if arrow.target in modules and arrow.target != arrow.source:
            graph[arrow.source].add(arrow.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph[node]:
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def migration_dependencies() -> list[tuple[str, str, str]]:
    """(app, migration, app it depends on) for every migration of the apps."""
    found = []
    for package, app in PACKAGES.items():
        folder = ROOT.joinpath(*package.split("."), "migrations")
        for path in sorted(folder.glob("0*.py")):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "dependencies" for t in node.targets
                ):
                    for item in node.value.elts:
                        if isinstance(item, ast.Tuple):
                            found.append((app, path.stem, item.elts[0].value))
    return found


@pytest.fixture(scope="module")
def arrows() -> list[Arrow]:
    return [arrow for module, path in project_modules().items() for arrow in imports_of(module, path)]


def test_every_import_between_apps_follows_the_graph(arrows):
    assert refused_arrows(arrows) == []


def test_no_modules_import_each_other_in_a_circle(arrows):
    assert import_cycles(arrows, set(project_modules())) == []


def upward_migrations(dependencies: list[tuple[str, str, str]]) -> list[str]:
    return [
        f"{app}.{migration} -> {target}"
        for app, migration, target in dependencies
        if target in LAYERS and target != app and LAYERS[target] >= LAYERS[app]
    ]


def test_migrations_depend_only_on_their_own_app_and_the_apps_below():
    assert len(migration_dependencies()) > 10
    assert upward_migrations(migration_dependencies()) == []


def test_the_checks_find_what_they_are_meant_to_find():
    """The walker above passes on the project; here each kind of wrong arrow is caught."""
    bad = [
        Arrow("plays.services", "accounts.models", 3),  # a lower app importing a higher one
        Arrow("accounts.selectors.plans", "mdf.models", 5),  # a selector reading MDF's models
        Arrow("mdf.services", "leads.models", 7),  # siblings of one layer
        Arrow("partnerhub.tenancy.views.admin", "plays.selectors", 9),  # the core, even in a view
        Arrow("accounts.views.plans", "mdf.models", 11),  # an interface reading models upward
    ]
    allowed = [
        Arrow("accounts.views.plans", "mdf.selectors", 1),  # a page showing both
        Arrow("plays.views", "accounts.selectors.programs", 2),
        Arrow("accounts.services.plans", "plays.models", 3),
        Arrow("partnerhub.urls", "reporting.views", 4),
        Arrow("accounts.demo", "mdf.models", 5),
    ]
    assert len(refused_arrows(bad)) == len(bad)
    assert refused_arrows(allowed) == []
    circle = [Arrow("a", "b", 1), Arrow("b", "c", 1), Arrow("c", "a", 1), Arrow("c", "d", 1)]
    assert import_cycles(circle, {"a", "b", "c", "d"}) == [["a", "b", "c"]]
    dependencies = [("plays", "0001", "accounts"), ("accounts", "0002", "plays"), ("mdf", "0001", "auth")]
    assert upward_migrations(dependencies) == ["plays.0001 -> accounts"]
