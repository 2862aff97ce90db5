"""The Python the registry runs on is one version: the one `.python-version` names (pyenv and
uv read it, CI runs the suite on it), the oldest `requires-python` admits, and the production
image's base."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_python_version_file_requires_python_and_the_image_agree():
    python_version = (ROOT / ".python-version").read_text().strip()
    requires_python = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "requires-python"
    ]
    image = re.search(
        r"^ARG PYTHON_IMAGE=python:(\S+)-slim$", (ROOT / "Dockerfile").read_text(), re.M
    )

    assert re.fullmatch(r"3\.\d+", python_version)
    assert requires_python == f">={python_version}"
    assert image is not None and image.group(1) == python_version
