"""screener: pre-screen patients for clinical trials.

Compile free-text eligibility criteria into unit-aware rules, and check patient
profiles against them with an explanation for every criterion.  A pre-screen, not a
clinical decision.
"""

__version__ = "0.1.0"
