"""The domain never imports the interface layer (web, api, cli)."""

from __future__ import annotations

import ast
from pathlib import Path

import cascada

DOMAIN = ["core", "accounts", "audit", "registry", "curricula", "trainings", "cascade", "imports"]
INTERFACES = ("cascada.web", "cascada.api", "cascada.cli")
ROOT = Path(cascada.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_domain_apps_do_not_import_interfaces():
    offenders = []
    for app in DOMAIN:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for name in _imports(path):
                if name.startswith(INTERFACES):
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_the_check_sees_an_offending_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from cascada.web.views import pages\n")
    assert any(n.startswith(INTERFACES) for n in _imports(bad))
