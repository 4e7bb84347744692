"""Screen a cohort against every rules file and write a screening log (CSV).

Run from the project's root:

    python examples/scripts/screen_cohort.py                       # the example patients, to stdout
    python examples/scripts/screen_cohort.py clinic.csv log.csv    # a clinic list (CSV or YAML files/folders)
"""

from __future__ import annotations

import sys
from pathlib import Path

from screener import iter_patients, load_rule_sets, log_csv, screen
from screener.screen import error_result

ROOT = Path(__file__).resolve().parents[2]


def results(patients_path: str, rule_sets):
    """Every patient against every trial; a profile that cannot be read is an error row."""
    for entry in iter_patients([patients_path]):
        if entry.patient is None:
            yield error_result(entry.name, str(entry.error))
            continue
        yield from screen(rule_sets, [entry.patient])


def main(argv: list[str]) -> int:
    source = argv[1] if len(argv) > 1 else str(ROOT / "examples" / "patients")
    rule_sets = load_rule_sets([ROOT / "rules"])
    lines = log_csv(results(source, rule_sets))
    if len(argv) > 2:
        with open(argv[2], "w", encoding="utf-8", newline="") as out:
            out.writelines(lines)
    else:
        sys.stdout.writelines(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
