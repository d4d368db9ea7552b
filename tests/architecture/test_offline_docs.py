"""Every service's API docs come from local files: each FastAPI app is built by
`suivi_infra.http.offline_api` or has no docs at all (`docs_url=None`), read with `ast`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def fastapi_calls() -> list[tuple[Path, ast.Call]]:
    found = []
    for path in sorted(ROOT.glob("services/*/src/**/*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("FastAPI", "offline_api")
            ):
                found.append((path, node))
    return found


def test_no_service_serves_docs_from_a_cdn() -> None:
    calls = fastapi_calls()
    assert (
        len([c for _, c in calls if isinstance(c.func, ast.Name) and c.func.id == "offline_api"])
        >= 5
    )
    for path, call in calls:
        assert isinstance(call.func, ast.Name)
        if call.func.id == "FastAPI":
            docs = {k.arg: k.value for k in call.keywords}
            off = all(
                isinstance(docs.get(k), ast.Constant) and docs[k].value is None  # type: ignore[attr-defined]
                for k in ("docs_url", "redoc_url")
            )
            assert off, f"{path.relative_to(ROOT)}: FastAPI() with CDN docs; use offline_api()"
