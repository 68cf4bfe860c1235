"""Fail when slrwizard (outside ``sandbox/``) leans on a private part of textual, rich, boto3 or
botocore.

A private name can change in any release, and we do not pin boto3 or botocore: the day botocore
changed under our copy of its models, a fresh install turned red. This check runs in CI
(``.ci/run``) and finds three kinds of reliance:

1. importing a private module or name: ``from textual._x import y``, ``import botocore._x``,
   ``from rich.text import _private``;
2. overriding or calling a private method of a library base class: a class of ours whose bases
   come from those libraries and defines ``_name`` that one of the library classes in its MRO also
   defines (an override of an internal), or calls ``super()._name(...)``;
3. reading or writing ``self._name`` in such a class when ``self._name`` appears in the source of
   a library class in its MRO (its internal state).

The sandbox may patch moto (that is its job) and is exempt. Run from the repository's root::

    python scripts/check_public_api.py [PATH ...]

With paths, only those files are checked (the test suite uses this to prove the check can fail).
Exit status 1 lists every finding as ``file:line: what``.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import re
import sys
from collections.abc import Iterator
from pathlib import Path

LIBRARIES = ("textual", "rich", "boto3", "botocore")
ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "slrwizard"
EXEMPT = PACKAGE / "sandbox"


def _is_private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def _library(module: str | None) -> bool:
    return bool(module) and module.split(".")[0] in LIBRARIES  # type: ignore[union-attr]


def private_imports(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Imports of a private module or name of one of the libraries."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _library(alias.name) and any(map(_is_private, alias.name.split("."))):
                    yield node.lineno, f"imports private module {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _library(node.module):
            assert node.module is not None
            if any(map(_is_private, node.module.split("."))):
                yield node.lineno, f"imports from private module {node.module}"
            for alias in node.names:
                if _is_private(alias.name):
                    yield node.lineno, f"imports private name {alias.name} from {node.module}"


def _library_bases(cls: type) -> list[type]:
    return [base for base in cls.__mro__[1:] if _library(base.__module__)]


def _source(cls: type) -> str:
    try:
        return inspect.getsource(cls)
    except (OSError, TypeError):
        return ""


def private_members(path: Path, tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Overrides, ``super()`` calls and ``self`` attributes that touch a library's internals."""
    classes = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    if not classes:
        return
    try:
        module = _import_path(path)
    except Exception as error:  # a module that cannot be imported cannot be checked
        yield 1, f"cannot be imported to check its classes ({type(error).__name__}: {error})"
        return
    if module is None:
        return
    for node in classes:
        cls = getattr(module, node.name, None)
        if not isinstance(cls, type):
            continue
        bases = _library_bases(cls)
        if not bases:
            continue
        sources = "\n".join(_source(base) for base in bases)
        for item in ast.walk(node):
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and _is_private(item.name):
                owner = next((b for b in bases if item.name in vars(b)), None)
                if owner is not None:
                    yield (
                        item.lineno,
                        (
                            f"{node.name}.{item.name} overrides private {owner.__module__}."
                            f"{owner.__name__}.{item.name}"
                        ),
                    )
            elif (
                isinstance(item, ast.Attribute)
                and _is_private(item.attr)
                and isinstance(item.value, ast.Call)
                and isinstance(item.value.func, ast.Name)
                and item.value.func.id == "super"
            ):
                yield item.lineno, f"{node.name} calls super().{item.attr}"
            elif (
                isinstance(item, ast.Attribute)
                and _is_private(item.attr)
                and isinstance(item.value, ast.Name)
                and item.value.id == "self"
                and re.search(rf"\bself\.{re.escape(item.attr)}\b", sources)
            ):
                yield item.lineno, f"{node.name} touches self.{item.attr}, internal to its base"


def _import_path(path: Path) -> object | None:
    """The module at ``path``, imported as part of the package when it is one."""
    try:
        relative = path.resolve().relative_to(ROOT)
    except ValueError:
        relative = None
    if relative is not None and relative.parts[0] == "slrwizard":
        name = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        return importlib.import_module(name)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(paths: list[Path]) -> list[str]:
    findings: list[str] = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        for line, what in [*private_imports(tree), *private_members(path, tree)]:
            findings.append(f"{shown}:{line}: {what}")
    return findings


def main(argv: list[str]) -> int:
    if argv:
        paths = [Path(arg).resolve() for arg in argv]
    else:
        paths = sorted(p for p in PACKAGE.rglob("*.py") if not p.is_relative_to(EXEMPT))
    sys.path.insert(0, str(ROOT))
    findings = check(paths)
    for finding in findings:
        print(finding)
    if findings:
        print(
            f"{len(findings)} use(s) of private parts of {', '.join(LIBRARIES)} outside "
            "slrwizard/sandbox/ (public APIs only: see README, Development)",
            file=sys.stderr,
        )
        return 1
    print(f"public APIs only: {len(paths)} files checked")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
