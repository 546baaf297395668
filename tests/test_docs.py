"""The documentation keeps up with the code: every API route and setting is described."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from server.api import AREAS
from server.settings import settings_from_env
from tests.conftest import Client

ROOT = Path(__file__).resolve().parent.parent


async def test_openapi_document_lists_every_route(client: Client) -> None:
    document = await (await client.get("/api/v1/openapi.json")).json()
    assert document["openapi"].startswith("3.")
    listed = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    registered = {
        (info.method, info.path)
        for route in client.app.router.routes()
        if (info := _api_route(route)) is not None
    }
    assert registered and registered <= listed
    signup = document["paths"]["/api/v1/auth/signup"]["post"]
    schema_name = signup["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schema_name.endswith("/SignupIn")
    assert "email" in document["components"]["schemas"]["SignupIn"]["properties"]


class _Route:
    def __init__(self, method: str, path: str) -> None:
        self.method, self.path = method, path


def _api_route(route: object) -> _Route | None:
    resource = getattr(route, "resource", None)
    path = resource.canonical if resource is not None else ""
    method = getattr(route, "method", "")
    if not path.startswith("/api/v1/") or method in {"HEAD", "*"} or path.endswith("openapi.json"):
        return None
    return _Route(method, path)


def test_api_doc_mentions_every_route() -> None:
    doc = (ROOT / "docs" / "api.md").read_text()
    missing = [
        f"{op.method} {op.path}"
        for area in AREAS
        for op in area.operations
        if f"{op.method} {op.path}" not in doc
    ]
    assert not missing, f"docs/api.md does not describe: {missing}"


def test_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    source = (ROOT / "server" / "settings.py").read_text()
    names = set(re.findall(r'"(TANDEM_[A-Z_]+)"', source))
    assert names, "no settings found"
    assert not [n for n in names if n not in readme]
    assert settings_from_env({}).port == 8080


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.+?)\n```", readme, re.S)
    assert len(blocks) >= 2, "README must start with the run and the test command"
    assert "python3 -m server --demo" in blocks[0]
    assert blocks[1] in (ROOT / ".ci" / "run").read_text()


def test_cli_help_lists_the_commands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "server", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    for word in ("serve", "db", "--demo", "--port", "--host"):
        assert word in out
