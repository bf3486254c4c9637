"""The code a newcomer reads: imports between sitrep's modules form no cycle, not even one hidden
in an import inside a function or under `if TYPE_CHECKING:` (a function-local import that only
breaks a cycle is still a cycle), and no module grows past MAX_LINES. tests/test_pipeline.py
checks the direction of imports between the stage packages; this checks every module."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import REPO, write

PACKAGE = "sitrep"
MAX_LINES = 500  # about where a module stops being one thing; split it where a reader would look for another

# Imports that may close a cycle, each with why and how it is to be mended: none today. An entry
# that no longer closes a cycle fails the test too, so that it is removed once mended.
ALLOWED_CYCLE_IMPORTS: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    file: str  # relative to the repository
    line: int
    where: str  # 'at the top', 'in function f', 'under TYPE_CHECKING'

    def __str__(self) -> str:
        return f"{self.importer} imports {self.imported} ({self.file}:{self.line}, {self.where})"


def modules_of(root: Path, package: str) -> dict[str, Path]:
    """'sitrep.render.pdf' -> its file, for every module of the package under `root`."""
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def imports_of(root: Path, package: str) -> list[Import]:
    """Every import of one of the package's modules by another: at the top, inside a function or
    a class, under `if TYPE_CHECKING:`, all alike. An import of a name the package's __init__.py
    itself defines (`from sitrep import __version__`) is none: Python runs __init__.py before any
    module of the package, so it adds no dependency; a name its __getattr__ serves lazily is one."""
    modules = modules_of(root, package)
    defined_by_package = _names_defined(modules[package])
    found = []
    for importer, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, where in _walk_with_context(tree):
            for imported in _imported_modules(node, modules, package, defined_by_package):
                if imported != importer:
                    found.append(Import(importer, imported, path.relative_to(root).as_posix(), node.lineno, where))
    return found


def _names_defined(init: Path) -> set[str]:
    names = set()
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def _walk_with_context(tree: ast.AST, where: str = "at the top"):
    """Each import statement with where it runs."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, where
        inner = where
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner = f"in function {node.name}"
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inner = "under TYPE_CHECKING"
        yield from _walk_with_context(node, inner)


def _imported_modules(node: ast.AST, modules: dict[str, Path], package: str, defined_by_package: set[str]):
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name == package or alias.name.startswith(package + "."):
                yield _nearest_module(alias.name, modules)
    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        if node.module != package and not node.module.startswith(package + "."):
            return
        for alias in node.names:
            submodule = f"{node.module}.{alias.name}"
            if submodule in modules:
                yield submodule
            elif not (node.module == package and alias.name in defined_by_package):
                yield _nearest_module(node.module, modules)


def _nearest_module(name: str, modules: dict[str, Path]) -> str:
    while name not in modules:
        name = name.rsplit(".", 1)[0]
    return name


def cycles(imports: list[Import]) -> list[list[Import]]:
    """One cycle through each group of modules that import each other (a strongly connected
    component), as the imports that make it, shortest first."""
    graph: dict[str, dict[str, Import]] = {}
    for imp in imports:
        graph.setdefault(imp.importer, {}).setdefault(imp.imported, imp)
    found = []
    for component in _strongly_connected(graph):
        start = min(component)
        found.append(_shortest_cycle(graph, start, component))
    return sorted(found, key=len)


def _strongly_connected(graph: dict[str, dict[str, Import]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative; only components of two modules or more."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, {}))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(component)
    return components


def _shortest_cycle(graph: dict[str, dict[str, Import]], start: str, component: set[str]) -> list[Import]:
    """The imports of a shortest path from `start` back to itself inside the component."""
    paths = {start: []}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child, imp in sorted(graph.get(node, {}).items()):
            if child == start:
                return paths[node] + [imp]
            if child in component and child not in paths:
                paths[child] = paths[node] + [imp]
                queue.append(child)
    raise AssertionError(f"{start} is in a component without a cycle through it")


def _describe(cycle: list[Import]) -> str:
    return "\n".join(["a cycle:", *(f"  {imp}" for imp in cycle)])


# --- sitrep itself ------------------------------------------------------------------------------

def test_no_import_cycle_among_sitreps_modules():
    imports = imports_of(REPO, PACKAGE)
    remaining = [imp for imp in imports if (imp.importer, imp.imported) not in ALLOWED_CYCLE_IMPORTS]
    found = cycles(remaining)
    assert not found, ("imports must flow one way: move what both sides need into a module both import\n"
                       + "\n".join(_describe(cycle) for cycle in found))


def test_each_allowed_cycle_import_still_closes_a_cycle():
    imports = imports_of(REPO, PACKAGE)
    for importer, imported in sorted(ALLOWED_CYCLE_IMPORTS):
        assert_still_closes_a_cycle(imports, importer, imported)


def assert_still_closes_a_cycle(imports, importer: str, imported: str) -> None:
    assert (importer, imported) in {(imp.importer, imp.imported) for imp in imports}, \
        f"{importer} no longer imports {imported}: remove it from ALLOWED_CYCLE_IMPORTS"
    closing = [imp for imp in imports if (imp.importer, imp.imported) == (importer, imported)]
    others = [imp for imp in imports if (imp.importer, imp.imported) not in ALLOWED_CYCLE_IMPORTS]
    assert any(imported in {i.importer for i in cycle} and importer in {i.importer for i in cycle}
               for cycle in cycles(others + closing)), \
        f"{importer} -> {imported} closes no cycle any more: remove it from ALLOWED_CYCLE_IMPORTS"


def test_no_module_is_longer_than_a_reader_can_hold():
    long = {str(path.relative_to(REPO)): lines for path in (REPO / PACKAGE).rglob("*.py")
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, (f"modules over {MAX_LINES} lines: split each where a reader would look for a separate "
                        "thing (a format, a rule, a stage), and add the new modules to README's development map")


# --- The checker, on packages made up to show what it finds -------------------------------------

def make_package(root: Path, files: dict[str, str]) -> Path:
    for name, text in {"pkg/__init__.py": "VERSION = '1'\n", **files}.items():
        write(root / name, text)
    return root


def test_a_cycle_hidden_in_a_function_local_import_is_found(tmp_path):
    root = make_package(tmp_path, {
        "pkg/render.py": "from pkg.helper import layout\n",
        "pkg/helper.py": "def layout():\n    from pkg.render import pdf\n",
    })
    (cycle,) = cycles(imports_of(root, "pkg"))
    assert [(i.importer, i.imported, i.where) for i in cycle] == [
        ("pkg.helper", "pkg.render", "in function layout"), ("pkg.render", "pkg.helper", "at the top")]


def test_a_cycle_under_type_checking_and_through_a_package_name_is_found(tmp_path):
    root = make_package(tmp_path, {
        "pkg/store/__init__.py": "",
        "pkg/store/load.py": "from pkg.store import checks\n",
        "pkg/store/checks.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.store.load\n",
    })
    (cycle,) = cycles(imports_of(root, "pkg"))
    assert {i.where for i in cycle} == {"at the top", "under TYPE_CHECKING"}
    assert {i.importer for i in cycle} == {"pkg.store.load", "pkg.store.checks"}


def test_a_name_the_package_defines_is_no_dependency_but_a_lazily_served_one_is(tmp_path):
    root = make_package(tmp_path, {
        "pkg/__init__.py": "VERSION = '1'\ndef __getattr__(name):\n    from pkg import api\n    return api.run\n",
        "pkg/api.py": "from pkg.cache import keep\nrun = keep\n",
        "pkg/cache.py": "from pkg import VERSION\nkeep = VERSION\n",
    })
    assert cycles(imports_of(root, "pkg")) == []
    write(root / "pkg/cache.py", "from pkg import VERSION, run\nkeep = VERSION\n")
    (cycle,) = cycles(imports_of(root, "pkg"))
    assert {i.importer for i in cycle} == {"pkg", "pkg.api", "pkg.cache"}
