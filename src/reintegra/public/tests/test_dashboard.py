"""The feedback dashboard's rows: a choice's rows in its declared (lifecycle) order, free values alphabetically."""

from collections import Counter

from django.utils import translation

from reintegra.public.choices import FeedbackStatus
from reintegra.public.dashboard import _labelled


def test_status_rows_follow_the_lifecycle_not_the_alphabet() -> None:
    counts = Counter({"closed": 3, "received": 5, "responded": 2, "acknowledged": 4})
    with translation.override("es"):
        rows = _labelled(counts, dict(FeedbackStatus.choices), k=1, protect=False)
        assert [label for label, _ in rows] == [str(label) for label in FeedbackStatus.labels]
    assert [n for _, n in rows] == [5, 4, 2, 3]


def test_free_values_go_alphabetically() -> None:
    rows = _labelled(Counter({"Quetzaltenango": 2, "Alta Verapaz": 1}), {}, k=1, protect=False)
    assert [label for label, _ in rows] == ["Alta Verapaz", "Quetzaltenango"]
