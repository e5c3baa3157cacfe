"""Distributions laid out in a directory as ``pip install --target`` leaves them: the code
and a ``NAME-VERSION.dist-info`` with ``METADATA`` and ``entry_points.txt``. Put on the
import path, ``importlib.metadata`` finds them as it finds any installed distribution."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import tomllib

EntryPoints = dict[str, dict[str, str]]


def install(target: Path, name: str, version: str, entry_points: EntryPoints,
            modules: dict[str, str] | None = None) -> None:
    """Install distribution ``name`` into ``target``: its entry points by group and its
    top-level modules (``{"module_name": "source"}``)."""
    for module, source in (modules or {}).items():
        (target / f"{module}.py").write_text(source, encoding="utf-8")
    info = target / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
    sections = [f"[{group}]\n" + "".join(f"{key} = {ref}\n" for key, ref in points.items())
                for group, points in entry_points.items()]
    (info / "entry_points.txt").write_text("\n".join(sections), encoding="utf-8")


def install_project(target: Path, project_dir: Path) -> None:
    """Install the project at ``project_dir`` (its pyproject and its ``src`` packages)."""
    project = read_project(project_dir)
    for package in (project_dir / "src").iterdir():
        if package.is_dir() and (package / "__init__.py").exists():
            shutil.copytree(package, target / package.name,
                            ignore=shutil.ignore_patterns("__pycache__"))
    install(target, project["name"], project["version"], project_entry_points(project))


def read_project(project_dir: Path) -> dict[str, object]:
    data = tomllib.loads((project_dir / "pyproject.toml").read_text(encoding="utf-8"))
    project: dict[str, object] = data["project"]
    return project


def project_entry_points(project: dict[str, object]) -> EntryPoints:
    """The entry points a build writes for ``project``: its groups, and its scripts as
    ``console_scripts``."""
    groups: EntryPoints = dict(project.get("entry-points", {}))  # type: ignore[call-overload]
    scripts = project.get("scripts")
    if isinstance(scripts, dict):
        groups["console_scripts"] = scripts
    return groups


@contextmanager
def on_path(*sites: Path) -> Iterator[None]:
    """The ``sites`` first on ``sys.path`` for the block, their modules unloaded after."""
    roots = [str(site) for site in sites]
    sys.path[:0] = roots
    inside = tuple(os.path.join(root, "") for root in roots)
    try:
        yield
    finally:
        del sys.path[:len(roots)]
        for name, module in list(sys.modules.items()):
            if str(getattr(module, "__file__", None) or "").startswith(inside):
                del sys.modules[name]
