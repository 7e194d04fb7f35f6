"""xlwings Lite without a package index: one ``main.py`` that carries the Lite path of jxc-xl as source.

xlwings Lite keeps one ``main.py`` per workbook and installs packages from PyPI or Pyodide's own repository
only. ``jxc addin --inline`` writes a ``main.py`` that needs neither for jxc-xl itself: the pure-Python
modules the Lite path imports (``jxc_xl.excel`` for the sync button, ``jxc_xl.udfs`` for the ``JXC.*``
functions, and everything they import: core, schema, errors, the message catalog) are embedded as source and
served by a small importer registered at the top of the file; the file then imports the same ``@script`` and
``@func`` functions as the normal Lite ``main.py``. Its ``requirements.txt`` lists Pyodide's packages only.

The module set is computed from the import statements (late imports inside functions included, ``if
TYPE_CHECKING:`` blocks left out), never listed by hand, so a module added to the Lite path travels with it.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import jxc_xl

# What xlwings Lite runs: the sync button and the custom functions.
LITE_ROOTS = ("jxc_xl.excel", "jxc_xl.udfs")
# The only packages the Lite path may import besides the standard library (all provided by Pyodide).
PYODIDE_PACKAGES = ("numpy", "pandas", "pydantic", "xlwings")
_PACKAGE_DIR = Path(jxc_xl.__file__).resolve().parent


@dataclass(frozen=True)
class BundledModule:
    """One module of the bundle: its dotted name, its source text, whether it is a package."""

    name: str
    source: str
    is_package: bool

    @property
    def path(self) -> str:
        """The module's file relative to the package's parent, as in a wheel (``jxc_xl/core/book.py``)."""
        return self.name.replace(".", "/") + ("/__init__.py" if self.is_package else ".py")


def _module_file(name: str) -> tuple[Path, bool] | None:
    """(file, is_package) of a jxc_xl module, or None when ``name`` is no module (e.g. a function)."""
    base = _PACKAGE_DIR.joinpath(*name.split(".")[1:])
    if (base / "__init__.py").is_file():
        return base / "__init__.py", True
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py"), False
    return None


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement in ``tree``, in functions too, except those under ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
        else:
            stack.extend(ast.iter_child_nodes(node))
    return found


def imported_names(module: BundledModule) -> set[str]:
    """Dotted names ``module`` imports: ``import a.b`` gives a.b, ``from a import b`` gives a and a.b."""
    names: set[str] = set()
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    for node in _import_nodes(ast.parse(module.source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:  # a relative import
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        names.add(base)
        names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def _load(name: str) -> BundledModule | None:
    found = _module_file(name)
    if found is None:
        return None
    path, is_package = found
    return BundledModule(name, path.read_text(encoding="utf-8"), is_package)


def lite_modules(roots: tuple[str, ...] = LITE_ROOTS) -> list[BundledModule]:
    """The jxc_xl modules ``roots`` need, parents first (a package before its modules), sorted by name."""
    bundle: dict[str, BundledModule] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in bundle or name == __name__ or not (name == "jxc_xl" or name.startswith("jxc_xl.")):
            continue  # this module writes the bundle (excel imports it late for `jxc addin`): Lite never runs it
        module = _load(name)
        if module is None:
            continue
        bundle[name] = module
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # importing a.b.c runs a and a.b
        todo.extend(imported_names(module))
    return [bundle[n] for n in sorted(bundle)]


def external_imports(modules: list[BundledModule]) -> set[str]:
    """Top-level names of what the bundle imports from outside jxc_xl and the standard library."""
    tops = {n.split(".")[0] for m in modules for n in imported_names(m)}
    return {t for t in tops if t and t != "jxc_xl" and t not in sys.stdlib_module_names and t != "__future__"}


_IMPORTER = '''import importlib.abc
import importlib.util
import linecache
import sys

_SOURCES: dict[str, tuple[bool, str]] = {}  # module name -> (is a package, source), filled below


class _JxcBundle(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the jxc_xl modules embedded in this file (ahead of any installed jxc-xl)."""

    def find_spec(self, name, path=None, target=None):
        if name not in _SOURCES:
            return None
        return importlib.util.spec_from_loader(name, self, origin=self._file(name), is_package=_SOURCES[name][0])

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        name = module.__name__
        source, filename = _SOURCES[name][1], self._file(name)
        module.__file__ = filename
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # tracebacks
        exec(compile(source, filename, "exec"), module.__dict__)

    def get_source(self, name):
        return _SOURCES[name][1]

    @staticmethod
    def _file(name):
        return "<jxc-xl {VERSION}>/" + name.replace(".", "/") + ("/__init__.py" if _SOURCES[name][0] else ".py")


'''

_ACTIVATE = """
# Run again (Lite re-runs main.py after each edit): drop an earlier bundle and any jxc_xl loaded before it.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "_JxcBundle"]
for _name in [n for n in sys.modules if n == "jxc_xl" or n.startswith("jxc_xl.")]:
    del sys.modules[_name]
sys.meta_path.insert(0, _JxcBundle())

"""


def _literal(source: str) -> str:
    """A module's source as a parenthesised run of one string literal per line (readable, exact)."""
    lines = source.splitlines(keepends=True) or [""]
    return "(\n" + "".join(f"    {line!r}\n" for line in lines) + ")"


def inline_main_py(public_imports: str) -> str:
    """The self-contained ``main.py``: the importer, every Lite module as source, then ``public_imports``.

    ``public_imports`` is the body of the normal Lite ``main.py`` (the scripts and functions it exposes).
    """
    modules = lite_modules()
    version = jxc_xl.__version__
    head = (
        f'"""jxc-xl {version} for xlwings Lite, self-contained: no jxc-xl package to install.\n\n'
        "Written by `jxc addin --inline`. The jxc_xl modules the sync button and the JXC.* functions need are\n"
        "embedded below as source and served by a small importer; requirements.txt lists Pyodide packages only.\n"
        f"Modules: {len(modules)}. Do not edit them here: change jxc-xl and run `jxc addin --inline` again.\n"
        '"""\n\n'
    )
    body = [head, _IMPORTER.replace("{VERSION}", version)]
    for m in modules:
        body.append(f"_SOURCES[{m.name!r}] = ({m.is_package!r}, {_literal(m.source)})\n")
    body.append(_ACTIVATE)
    body.append(public_imports)
    return "".join(body)


def inline_requirements_txt(xlwings_version: str | None) -> str:
    """``requirements.txt`` of the inline ``main.py``: Pyodide's packages only (no jxc-xl, no scipy)."""
    pins = {"xlwings": f"xlwings=={xlwings_version}" if xlwings_version else "xlwings"}
    return "\n".join([pins.get(p, p) for p in PYODIDE_PACKAGES] + [""])
