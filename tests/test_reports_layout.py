"""The shape of ``reports/``: a pure core, one storage boundary, and survey free of reports.

The import contracts live in ``pyproject.toml`` (``[tool.importlinter]``); this test runs them
so the suite enforces them.  The second test keeps answers behind the storage boundary: only
``reports.storage`` may import the models that hold answers or their aggregates.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANSWER_MODELS = {"Answer", "Response", "Invitation", "StoredAggregate"}


def test_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _model_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {alias.name for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "survey.models"
            for alias in node.names}


def test_only_storage_reads_answers_and_aggregates() -> None:
    outside = {
        str(path.relative_to(ROOT)): sorted(_model_imports(path) & ANSWER_MODELS)
        for path in (ROOT / "reports").rglob("*.py")
        if "storage" not in path.relative_to(ROOT / "reports").parts
    }
    assert {path: names for path, names in outside.items() if names} == {}
