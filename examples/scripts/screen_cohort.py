"""Screen every example patient against every rules file and print a screening log (CSV).

Run from the project's root:  python examples/scripts/screen_cohort.py
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from screener import ScreenerError, check, load_patient, load_rules

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    rule_sets = [load_rules(path) for path in sorted((ROOT / "rules").glob("*.yaml"))]
    log = csv.writer(sys.stdout)
    log.writerow(["patient", "trial", "verdict", "reasons", "to collect next"])
    for path in sorted((ROOT / "examples" / "patients").glob("*.yaml")):
        try:
            patient = load_patient(path)
        except ScreenerError as error:  # one bad profile never stops the others
            log.writerow([path.name, "", "error", str(error), ""])
            continue
        for rules in rule_sets:
            result = check(rules, patient)
            reasons = "; ".join(f"{c.id}: {c.explanation}" for c in result.deciding() if c.outcome == "fail")
            log.writerow([patient.id, rules.trial.id, result.verdict, reasons, len(result.to_collect)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
