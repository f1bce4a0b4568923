"""The layer order, checked on every import (docs/architecture.md, "Layers").

    core → audit → accounts → jobs → imports → registry → curricula → trainings
         → cascade → networks → measurement → (commitments, research) → safeguarding → demo → web / api / cli        (config: the composition root, on top)

A module under ``cascada/`` imports only from its own app or from an app to its left.
Every import counts: top-level and nested inside functions, ``import x`` and
``from x import y``, relative imports resolved. ``web``, ``api`` and ``cli`` are one
layer and do not import each other. News going up travels through typed hooks
(``cascada/core/hooks.py``), never through an import.

There is no allow-list: issue 8 emptied it (the last entries, the registry reading
enrolments to decide who sees a person, became the ``people_reached`` question that
trainings answers). A rule that needs an app above its own moves up, or asks a question.
"""

from __future__ import annotations

import ast
from pathlib import Path

import cascada

ROOT = Path(cascada.__file__).parent

ORDER = [
    "core",
    "audit",
    "accounts",
    "jobs",
    "imports",
    "registry",
    "curricula",
    "trainings",
    "cascade",
    "networks",
    "measurement",
    ("commitments", "research"),
    "safeguarding",
    "indicators",
    "demo",
    ("web", "api", "cli"),
    "config",
]
RANK: dict[str, int] = {}
for _rank, _layer in enumerate(ORDER):
    for _app in (_layer,) if isinstance(_layer, str) else _layer:
        RANK[_app] = _rank
INTERFACES = {"web", "api", "cli"}
DOMAIN = {app for app in RANK if app not in INTERFACES | {"demo", "config"}}


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, module: str) -> list[tuple[str, int]]:
    """Every module ``path`` (named ``module``) imports, with its line: all nodes of the
    tree (nested imports too), relative imports resolved against the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((target, node.lineno))
            # ``from cascada import trainings`` imports the app itself
            if target == "cascada":
                found.extend((f"cascada.{alias.name}", node.lineno) for alias in node.names)
    return found


def _app(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "cascada" else None


def violations(root: Path = ROOT) -> dict[str, list[str]]:
    """``{"a -> b": ["path:line", ...]}`` for every import of an app not to the left."""
    out: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = _module_name(path, root)
        source = _app(module)
        if source is None or source == "config":
            continue  # the package's entry points and the composition root import anything
        for target, line in imports_of(path, module):
            dest = _app(target)
            if dest is None or dest == source:
                continue
            if source not in RANK or dest not in RANK:
                key = f"{module} -> {target}"  # an app missing from ORDER is a violation
            elif RANK[dest] < RANK[source]:
                continue
            else:
                key = f"{module} -> {target}"
            out.setdefault(key, []).append(f"{path.relative_to(root.parent)}:{line}")
    return out


def test_every_import_follows_the_layer_order():
    assert violations() == {}, "imports of an app to the right (use a hook, or move the rule)"


def test_every_app_has_a_place_in_the_order():
    apps = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert apps - set(RANK) == set()


def test_the_domain_never_imports_an_interface():
    """The old guarantee, named on its own so that its failure says what broke."""
    found = [key for key in violations() if _app(key.split(" -> ")[0]) in DOMAIN]
    assert [key for key in found if _app(key.split(" -> ")[1]) in INTERFACES] == []


def test_the_check_sees_a_nested_relative_and_sibling_violation(tmp_path):
    package = tmp_path / "cascada"
    for app in ("registry", "trainings", "web", "api"):
        (package / app).mkdir(parents=True)
        (package / app / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "registry" / "selectors.py").write_text(
        "def visible(user):\n"
        "    from cascada.trainings.models import Enrolment\n"
        "    return Enrolment\n"
    )
    (package / "registry" / "services.py").write_text(
        "from ..trainings import services\nimport cascada.web.views\n"
    )
    (package / "trainings" / "services.py").write_text(
        "from cascada.registry.models import Person\nfrom . import models\n"
    )
    (package / "web" / "views.py").write_text("from cascada.api.exceptions import shape\n")
    found = violations(package)
    assert set(found) == {
        "cascada.registry.selectors -> cascada.trainings.models",
        "cascada.registry.services -> cascada.trainings",
        "cascada.registry.services -> cascada.web.views",
        "cascada.web.views -> cascada.api.exceptions",
    }
    assert found["cascada.registry.selectors -> cascada.trainings.models"] == [
        "cascada/registry/selectors.py:2"
    ]
