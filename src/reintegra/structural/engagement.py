"""The gradient engagement model (Handbook Figure 4.1): interest and influence -> engagement category.

Pure Python, no Django. Scores run 1-5; a score counts as "high" from the programme's threshold
(`Programme.stakeholder_high_threshold`, 4 by default):

- both high            -> manage_closely (a specific approach: MoU, joint project, PPP, research agreement)
- exactly one high     -> communicate (two-way communication, targeted involvement)
- neither high         -> inform (periodic information)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

MANAGE_CLOSELY = "manage_closely"
COMMUNICATE = "communicate"
INFORM = "inform"
CATEGORIES = (MANAGE_CLOSELY, COMMUNICATE, INFORM)

SCORE_MIN = 1
SCORE_MAX = 5
DEFAULT_THRESHOLD = 4


def _check(name: str, value: int) -> None:
    if not SCORE_MIN <= value <= SCORE_MAX:
        raise ValueError(f"{name} must be between {SCORE_MIN} and {SCORE_MAX}, got {value}")


def engagement_category(interest: int, influence: int, threshold: int = DEFAULT_THRESHOLD) -> str:
    _check("interest", interest)
    _check("influence", influence)
    _check("threshold", threshold)
    high = (interest >= threshold) + (influence >= threshold)
    return MANAGE_CLOSELY if high == 2 else COMMUNICATE if high == 1 else INFORM


@dataclass(frozen=True)
class ProductState:
    """A common product agreed with a stakeholder, as far as progress is concerned."""

    status: str  # agreed / in_progress / completed / stalled / dropped
    due_on: date | None


OPEN_STATUSES = frozenset({"agreed", "in_progress", "stalled"})


def product_is_behind(product: ProductState, today: date) -> bool:
    """Stalled, or still open after its due date."""
    if product.status == "stalled":
        return True
    return product.status in OPEN_STATUSES and product.due_on is not None and product.due_on < today


def insufficient_progress(products: Iterable[ProductState], today: date) -> bool:
    """A stakeholder whose common products show insufficient progress: any one of them is behind.

    The Handbook asks to adapt the engagement approach in that case (review the stakeholder)."""
    return any(product_is_behind(p, today) for p in products)
