"""No import circles in tracker: a module two others need goes below both.

grimp (installed with import-linter) builds the import graph, counting imports
inside functions and under TYPE_CHECKING too, since a circle through a lazy
import is still a circle. The strongly connected components of that graph are
the circles; there must be none but the one listed below.
"""

from __future__ import annotations

import grimp

# store.damaged_error names the newest good backup, and the backups module checks files with
# store's own functions: a real mutual recursion between two storage modules, left for the
# storage owners to split. It is listed so that any other circle fails, and so that this entry
# fails too once it is broken (then delete it).
KNOWN: list[frozenset[str]] = []  # tracker.store and tracker.backups no longer import each other


def import_circles(graph: grimp.ImportGraph) -> list[frozenset[str]]:
    """Every strongly connected component of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    counter = 0

    def visit(root: str) -> None:
        nonlocal counter
        # iterative, so a deep graph cannot hit the recursion limit
        work: list[tuple[str, list[str]]] = []
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work.append((root, sorted(graph.find_modules_directly_imported_by(root) & graph.modules)))
        while work:
            node, todo = work[-1]
            if todo:
                nxt = todo.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(graph.find_modules_directly_imported_by(nxt) & graph.modules)))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_the_cycle_finder_finds_a_circle() -> None:
    graph = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(name)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert import_circles(graph) == [frozenset({"pkg.a", "pkg.b", "pkg.c"})]
    graph.remove_import(importer="pkg.c", imported="pkg.a")
    assert import_circles(graph) == []


def test_no_import_circles_in_tracker() -> None:
    graph = grimp.build_graph("tracker", exclude_type_checking_imports=False, cache_dir=None)
    circles = sorted(import_circles(graph), key=sorted)
    unexpected = [sorted(c) for c in circles if c not in KNOWN]
    assert unexpected == []
    assert sorted(circles, key=sorted) == KNOWN  # a listed circle that is gone: delete it from KNOWN


def test_the_ui_app_its_base_and_the_welcome_do_not_import_each_other() -> None:
    graph = grimp.build_graph("tracker", exclude_type_checking_imports=False, cache_dir=None)
    for low in ("tracker.ui.base", "tracker.ui.host", "tracker.ui.widgets.forms"):
        for high in ("tracker.ui.app", "tracker.ui.screens.first_run", "tracker.ui.screens.medications"):
            assert graph.find_shortest_chain(importer=low, imported=high) is None, (low, high)
