"""config is plumbing at the bottom of the layering, except its edges (URL composition, the API
surfaces' plumbing, middleware, health probes, the WSGI/ASGI entry points, the production start's preflight), which stand above the
apps. A new config module must be put on one side: the import contracts name the bottom ones."""

import pkgutil
import tomllib
from pathlib import Path

import config

ROOT = Path(__file__).resolve().parents[2]
EDGES = {
    "config.urls",
    "config.admin",
    "config.api",
    "config.middleware",
    "config.health",
    "config.metrics",
    "config.wsgi",
    "config.asgi",
    "config.preflight",
}


def bottom_layer() -> set[str]:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    apps = next(c for c in contracts if c["name"].startswith("Apps: a lower app"))
    return {name.strip() for name in apps["layers"][-1].split(":")}


def test_every_config_module_is_at_the_bottom_or_an_edge():
    modules = {f"config.{m.name}" for m in pkgutil.iter_modules(config.__path__)}
    unplaced = modules - bottom_layer() - EDGES
    assert not unplaced, (
        f"name these in the bottom layer of pyproject's app contract, or as edges: {unplaced}"
    )
    assert bottom_layer() <= modules, f"stale names: {bottom_layer() - modules}"
