"""The aiortc range pyproject.toml allows is exactly the range the SFU's import check accepts."""

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from signaling.sfu.aiortc_glue import TESTED_AIORTC, AiortcIncompatible, ensure_tested_version

ROOT = Path(__file__).resolve().parents[2]


def _declared() -> SpecifierSet:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    found = [Requirement(d) for d in project["dependencies"] if Requirement(d).name == "aiortc"]
    assert len(found) == 1
    return found[0].specifier


def test_pyproject_pins_aiortc_to_the_tested_range() -> None:
    lowest, untested = (".".join(map(str, v)) for v in TESTED_AIORTC)
    assert _declared() == SpecifierSet(f">={lowest},<{untested}")


def test_the_installed_aiortc_is_inside_both() -> None:
    installed = version("aiortc")
    assert installed in _declared()
    ensure_tested_version(installed)


@pytest.mark.parametrize("release", ["1.9.0", "1.15.2", "1.17.0", "2.0.0"])
def test_the_import_check_refuses_what_pyproject_refuses(release: str) -> None:
    assert release not in _declared()
    with pytest.raises(AiortcIncompatible, match=release):
        ensure_tested_version(release)


@pytest.mark.parametrize("release", ["1.16.0", "1.16.7"])
def test_the_import_check_accepts_what_pyproject_accepts(release: str) -> None:
    assert release in _declared()
    ensure_tested_version(release)
