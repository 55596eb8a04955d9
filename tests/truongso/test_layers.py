"""The layers point down: an import-linter contract (pyproject.toml, `[tool.importlinter]`)
states them, and `make test` fails a change that imports upwards.

truongso > demo > privacy > reports > signin > contactbook > devices > lms > school > accounts > core | grading
"""

import subprocess
import sys
import tomllib
from pathlib import Path

from django.conf import settings

REPO = Path(__file__).resolve().parents[2]


def _config() -> dict:
    with open(REPO / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["importlinter"]


def test_the_layers_contract_holds():
    """`lint-imports` keeps every contract: no app imports one above it, and the grading rules
    import no Django."""
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_app_of_ours_has_a_layer():
    """A new app cannot sit outside the contract: each of our installed apps (and the
    project package) is a root package and appears in the layers."""
    ours = {
        app.split(".")[0]
        for app in settings.INSTALLED_APPS
        if (REPO / app.split(".")[0] / "__init__.py").exists()
    } | {"truongso", "core", "grading"}
    config = _config()
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    layered = {name.strip() for layer in layers for name in layer.replace(":", "|").split("|")}
    assert ours <= set(config["root_packages"])
    assert ours <= layered
