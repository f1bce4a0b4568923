"""Audit the pinned dependencies with pip-audit (SECURITY.md S22). Run by `make security-scan`.

Run it with the project's virtualenv Python (`.venv/bin/python scripts/audit_dependencies.py`).
What is audited: every exact pin in pyproject.toml (runtime and dev), plus every other
distribution installed in the virtualenv (the pins' own dependencies, as resolved), each at
its version, with `--no-deps --disable-pip` (no resolution, one query per package). With
`-r FILE` only the given requirements file is audited (to try the check on other pins).

Outcomes:
  exit 1  known vulnerabilities (not ignored in docs/decisions/code-scanning.md): the report;
  exit 0  none found;
  exit 0  the advisory database could not be reached or gave no data (network error, timeout,
          PyPI answering "not found" for every package): a warning, dependencies NOT audited;
  exit 2  pip-audit failed for another reason (a broken check must not pass quietly).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
DECISIONS = ROOT / "docs" / "decisions" / "code-scanning.md"
IGNORE_SECTION = "## pip-audit: ignored advisories"
# Whole run, and each request: a hanging network cannot stall CI.
TIMEOUT = int(os.environ.get("PIP_AUDIT_TIMEOUT", "120"))
REQUEST_TIMEOUT = 10
UNREACHABLE = "pip-audit: advisory database unreachable, dependencies NOT audited"
NETWORK_ERRORS = re.compile(
    r"ConnectionError|ProxyError|ConnectTimeout|ReadTimeout|Timeout|NameResolution|"
    r"Max retries exceeded|Could not connect|SSLError|ServiceError|Temporary failure"
)


def pinned() -> dict[str, str]:
    """name -> version to audit: installed distributions, then pyproject's exact pins."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    own = canonicalize_name(project["name"])
    versions: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"] or "")
        if name and name != own:
            versions[name] = dist.version
    declared = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        declared += extra
    for line in declared:
        req = Requirement(line)
        exact = [s.version for s in req.specifier if s.operator == "=="]
        name = canonicalize_name(req.name)
        if len(exact) == 1:
            if versions.get(name, exact[0]) != exact[0]:
                print(f"pip-audit: note: {name} installed {versions[name]}, pinned {exact[0]}")
            versions[name] = exact[0]
        elif name not in versions:
            print(f"pip-audit: warning: {line!r} is not pinned and not installed: NOT audited")
    return versions


def ignored() -> list[str]:
    """Advisory ids listed, each with a reason, in the decisions document."""
    text = DECISIONS.read_text() if DECISIONS.exists() else ""
    section = text.partition(IGNORE_SECTION)[2].split("\n## ")[0]
    return re.findall(r"^- `([A-Za-z]+-[\w-]+)`.*\S.*:\s*\S", section, re.MULTILINE)


def run(requirements: Path, ignore: list[str], out: Path) -> tuple[int | None, str]:
    cmd = [sys.executable, "-m", "pip_audit", "-r", str(requirements), "--no-deps"]
    cmd += ["--disable-pip", "--progress-spinner", "off", "--timeout", str(REQUEST_TIMEOUT)]
    cmd += ["--format", "json", "--output", str(out)]
    for vuln_id in ignore:
        cmd += ["--ignore-vuln", vuln_id]
    try:
        # The command is this interpreter and fixed arguments (ids from our own document).
        done = subprocess.run(  # noqa: S603
            cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        return None, f"no answer within {TIMEOUT}s"
    return done.returncode, done.stderr


def report(data: dict[str, Any], ignore: list[str]) -> int:
    deps = data.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if "skip_reason" in d]
    audited = len(deps) - len(skipped)
    if vulnerable:
        print("pip-audit: known vulnerabilities in pinned dependencies:")
        for d in vulnerable:
            for v in d["vulns"]:
                fix = ", ".join(v.get("fix_versions") or []) or "no fix yet"
                aliases = ", ".join(v.get("aliases") or [])
                print(f"  {d['name']} {d['version']}: {v['id']} ({aliases}) fixed in: {fix}")
                print(f"    {(v.get('description') or '').strip()[:300]}")
        print(
            "Upgrade the pin in pyproject.toml, or list the id with a reason under "
            f"'{IGNORE_SECTION}' in {DECISIONS.relative_to(ROOT)}."
        )
        return 1
    if deps and not audited:
        print(
            f"{UNREACHABLE} (PyPI gave no advisory data for any of the {len(deps)} packages: "
            f"{skipped[0]['skip_reason']})"
        )
        return 0
    if skipped:
        names = ", ".join(d["name"] for d in skipped)
        print(f"pip-audit: warning: {len(skipped)} packages NOT audited: {names}")
    note = f", ignored: {', '.join(ignore)}" if ignore else ""
    print(f"pip-audit: {audited} packages audited, no known vulnerabilities{note}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-r", "--requirements", type=Path, help="audit this file instead")
    args = parser.parse_args()
    ignore = ignored()
    with tempfile.TemporaryDirectory(prefix="pip-audit-") as tmp:
        requirements = args.requirements
        if requirements is None:
            requirements = Path(tmp) / "requirements.txt"
            requirements.write_text("".join(f"{n}=={v}\n" for n, v in sorted(pinned().items())))
        out = Path(tmp) / "report.json"
        code, stderr = run(requirements, ignore, out)
        if out.exists() and out.stat().st_size:
            return report(json.loads(out.read_text()), ignore)
    if code is None or NETWORK_ERRORS.search(stderr):
        last = (stderr.strip().splitlines() or ["no answer"])[-1]
        print(f"{UNREACHABLE} ({last[:300]})")
        return 0
    print(f"pip-audit failed (exit {code}):\n{stderr}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
