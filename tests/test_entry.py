"""The ``screener`` process entry (``screener.entry``): the command's output and exit code
are those of the CLI app run in-process; only the collector is tuned."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from screener.cli import app

ROOT = Path(__file__).resolve().parents[1]
RULES = "rules/NCT02213705.yaml"

CASES = [  # arguments, exit code
    (["check", RULES, "examples/patients/ssc-eligible.yaml", "--exit-code"], 0),
    (["check", RULES, "examples/patients/ssc-ineligible.yaml", "--exit-code"], 11),
    (["check", RULES, "examples/patients/ssc-needs-review.yaml", "--exit-code"], 10),
    (["check", RULES, "examples/patients/no-such-patient.yaml"], 2),
    (["--version"], 0),
]


@pytest.mark.parametrize("arguments, code", CASES)
def test_the_process_says_and_exits_as_the_app(arguments: list[str], code: int, tmp_path: Path) -> None:
    process = subprocess.run([sys.executable, "-m", "screener", *arguments], cwd=ROOT, capture_output=True, text=True,
                             env={"PATH": "", "SCREENER_CACHE_DIR": str(tmp_path), "NO_COLOR": "1"})
    in_process = CliRunner().invoke(app, arguments, prog_name="screener", env={"NO_COLOR": "1"})
    assert process.returncode == in_process.exit_code == code
    assert _timeless(process.stdout) == _timeless(in_process.stdout)


def _timeless(text: str) -> str:
    """The report without the time it was made (the two runs are a second apart at most)."""
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "TIME", text)
