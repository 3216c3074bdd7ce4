"""The package's layers, read from its imports (ARCHITECTURE.md says the same in prose).

Every import counts, also the ones inside functions (a lazy import that reaches up is still a
circle); only ``if TYPE_CHECKING:`` blocks are left out. A layer imports only itself and the
layers below it, no import circle spans two folders, and the client and the emulator share no
code.
"""

from __future__ import annotations

import ast
import functools
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cdse_intake"

#: Lowest first: the shared model, then one folder per step of the data flow, the public face,
#: and the adapters. Keep ARCHITECTURE.md in step with this table.
LAYERS: list[tuple[str, set[str]]] = [
    (
        "model",
        {
            "_version",
            "errors",
            "config",
            "config_checks",
            "area",
            "collections",
            "vocabulary",
            "landsea",
            "query",
            "query_values",
            "product",
            "manifest",
            "tables",
            "stac_items",
            "jobs",
        },
    ),
    ("auth", {"auth"}),
    ("net", {"net"}),
    ("cache", {"cache"}),
    ("catalogue", {"catalogue"}),
    ("fs", {"fs"}),
    ("downloads", {"downloads"}),
    ("clms", {"clms"}),
    ("readers", {"readers"}),
    ("bursts", {"bursts"}),
    ("usgs", {"usgs"}),
    ("cubes", {"cubes"}),
    (
        "public face",
        {"results", "api", "api_download", "clms_open", "subscriptions", "__init__"},
    ),
    ("adapters", {"intake_plugin", "widgets", "cli", "compat"}),
]
#: Who may start the emulator (its CLI subcommand and the demo); nothing else imports it.
EMULATOR_USERS = {"cli"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return skipped


def _imports(module: str) -> Iterator[str]:
    """The cdse_intake modules ``module`` imports (resolved to modules that exist)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text())
    skipped = _type_checking_nodes(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            targets = [f"{origin}.{alias.name}" for alias in node.names] or [origin]
            targets = [t if t in MODULES else origin for t in targets]
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != module:
                yield target


@functools.cache
def _graph() -> dict[str, set[str]]:
    """Every module's cdse_intake imports (parsed on first use, not when pytest collects)."""
    return {module: set(_imports(module)) for module in MODULES}


def _folder(module: str) -> str:
    """The top-level part of ``cdse_intake`` a module belongs to (a folder, or a module)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer(folder: str) -> int:
    for number, (_, members) in enumerate(LAYERS):
        if folder in members:
            return number
    raise AssertionError(f"cdse_intake/{folder} is in no layer: add it to LAYERS")


def _client_modules() -> list[str]:
    return [m for m in MODULES if _folder(m) != "emulator"]


def test_every_part_of_the_package_has_a_layer():
    for module in _client_modules():
        _layer(_folder(module))


def test_no_layer_imports_a_higher_one():
    wrong = []
    for module in _client_modules():
        here = _layer(_folder(module))
        for target in _graph()[module]:
            if _folder(target) == "emulator":
                continue
            if _layer(_folder(target)) > here:
                wrong.append(f"{module} -> {target}")
    assert wrong == [], "imports that reach up a layer:\n" + "\n".join(sorted(wrong))


def _cycles() -> list[list[str]]:
    """Strongly connected components of the import graph with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in _graph()[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in MODULES:
        if module not in index:
            visit(module)
    return found


def test_no_import_circle_spans_two_folders():
    spanning = [c for c in _cycles() if len({_folder(m) for m in c}) > 1]
    assert spanning == []


def test_the_client_never_imports_the_emulator():
    users = sorted(
        f"{m} -> {t}"
        for m in _client_modules()
        for t in _graph()[m]
        if _folder(t) == "emulator" and _folder(m) not in EMULATOR_USERS
    )
    assert users == []


def test_the_emulator_imports_nothing_of_the_client():
    reached = sorted(
        f"{m} -> {t}"
        for m in MODULES
        if _folder(m) == "emulator"
        for t in _graph()[m]
        if _folder(t) != "emulator"
    )
    assert reached == []


@pytest.mark.parametrize(
    ("module", "target"),
    [("cdse_intake.product", "cdse_intake.readers"), ("cdse_intake.net.http", "cdse_intake")],
)
def test_the_checker_sees_lazy_imports(module, target, tmp_path, monkeypatch):
    """A function-level import that reaches up is found (the checker is not blind to it)."""
    source = MODULES[module].read_text() + f"\n\ndef _probe():\n    import {target}\n"
    fake = tmp_path / "probe.py"
    fake.write_text(source)
    monkeypatch.setitem(MODULES, module, fake)
    assert target in set(_imports(module))


def test_architecture_md_lists_every_layer():
    text = (PACKAGE.parent / "ARCHITECTURE.md").read_text()
    for _, members in LAYERS:
        for member in members - {"__init__", "_version"}:
            assert f"`{member}" in text, f"ARCHITECTURE.md does not mention {member}"


def test_folders_per_layer_exist():
    layer_of = defaultdict(list)
    for module in _client_modules():
        layer_of[_layer(_folder(module))].append(module)
    assert all(layer_of[n] for n in range(len(LAYERS)))


#: Past these, a module holds more than one idea (the house median is under 100 lines).
MAX_LINES = 500
MAX_ADAPTER_LINES = 400


def test_no_module_on_the_client_side_is_a_god_module():
    too_long = []
    for module in _client_modules():
        lines = len(MODULES[module].read_text().splitlines())
        adapter = _layer(_folder(module)) == len(LAYERS) - 1 or module.endswith("xarray_backend")
        limit = MAX_ADAPTER_LINES if adapter else MAX_LINES
        if lines > limit:
            too_long.append(f"{module}: {lines} lines (at most {limit})")
    assert too_long == []


# -- the environment is read once, where a public call begins ------------------------------------
#: Where a public call begins and resolves endpoints and settings (argument > environment > file):
#: everything else below the public face takes them resolved.
ENTRY_POINTS = {
    "cdse_intake.fs.filesystem": {"__init__"},  # CDSEFileSystem, fsspec's protocol "cdse"
    "cdse_intake.fs.credentials": {"__call__"},  # its instance cache, keyed by the resolved ones
}
#: Who may read environment variables: the configuration, the account lookups (lazily, by
#: design: an anonymous search needs no account) and the command line.
ENVIRONMENT_READERS = {"config", "auth", "cli"}
#: The layers between the model and the public face.
CORE = {"net", "cache", "catalogue", "fs", "downloads", "clms", "readers"}


def _functions_with(module: str, wanted) -> Iterator[tuple[str, ast.AST]]:
    tree = ast.parse(MODULES[module].read_text())
    for func in ast.walk(tree):
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(func):
                if wanted(node):
                    yield func.name, node


def _env_default(node: ast.AST) -> bool:
    """``Endpoints.coerce(x)``/``Settings.coerce(x)`` without ``from_env=False``, or from_env()."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return False
    owner = ast.unparse(node.func.value)
    if owner not in {"Endpoints", "Settings"}:
        return False
    if node.func.attr == "from_env":
        return True
    keep = any(
        k.arg == "from_env" and isinstance(k.value, ast.Constant) and k.value.value is False
        for k in node.keywords
    )
    return node.func.attr == "coerce" and not keep


def test_below_the_entry_points_nothing_defaults_from_the_environment():
    found = []
    for module in _client_modules():
        if _folder(module) not in CORE:
            continue
        for function, node in _functions_with(module, _env_default):
            if function not in ENTRY_POINTS.get(module, set()):
                found.append(f"{module}.{function}: {ast.unparse(node)}")
    assert found == [], "pass from_env=False or resolve() at the entry point:\n" + "\n".join(found)


def test_only_the_configuration_accounts_and_cli_read_the_environment():
    def reads(node: ast.AST) -> bool:
        text = ast.unparse(node) if isinstance(node, (ast.Attribute, ast.Call)) else ""
        return text in {"os.environ", "os.getenv"} or text.startswith("os.getenv(")

    found = sorted(
        {
            f"{module}.{function}"
            for module in _client_modules()
            if _folder(module) not in ENVIRONMENT_READERS
            for function, _ in _functions_with(module, reads)
        }
    )
    assert found == []


def test_a_layer_below_the_entry_points_refuses_unresolved_settings():
    from cdse_intake.catalogue.odata import ODataBackend
    from cdse_intake.errors import ConfigurationError
    from cdse_intake.query import Query

    with pytest.raises(ConfigurationError, match=r"endpoints=None .*config\.resolve\(\)"):
        ODataBackend(Query(collection="SENTINEL-2"))
