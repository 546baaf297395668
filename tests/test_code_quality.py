"""The codebase stays ruff- and mypy-clean: the same checks locally and in CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.timeout(600)
def test_ruff_lint_and_format() -> None:
    lint = _run("ruff", "check", ".")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = _run("ruff", "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


@pytest.mark.timeout(900)  # a cold mypy run over the whole tree, on 2 cores
def test_mypy_on_code_and_tests() -> None:
    result = _run(
        "mypy", "--explicit-package-bases", "server", "signaling", "web", "models", "tests"
    )
    assert result.returncode == 0, result.stdout + result.stderr
