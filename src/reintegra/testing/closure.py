"""Closing a case in tests whose subject is not the closure's questions (cases.selectors.open_matters)."""

from __future__ import annotations

from typing import Any

from reintegra.cases import selectors


def suggested_decisions(case: Any) -> dict[str, str]:
    """{matter key: the choice the closure page suggests} for everything still open on the case."""
    return {matter.key: matter.choices[0][0] for matter in selectors.open_matters(case)}


def suggested_form_fields(case: Any) -> dict[str, str]:
    """The same decisions as the closure form posts them."""
    return {f"open_matters.{key}": choice for key, choice in suggested_decisions(case).items()}
