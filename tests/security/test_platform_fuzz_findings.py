"""5xx found by the schemathesis run (tests/security/test_api_schemathesis.py), each pinned down here."""

from datetime import date

from reintegra.structural import schedule


def test_review_dates_near_the_end_of_the_calendar_do_not_crash():
    # PATCH /api/v1/stakeholders/{id}/ with an engagement date in year 9999 was a 500 (year out of range).
    assert schedule.add_months(date(9999, 12, 1), 3) == date.max
    assert schedule.add_months(date(2024, 1, 31), 50_000_000) == date.max
    assert schedule.next_review_on(date(9999, 11, 30), None, None, 3) == date.max
    assert schedule.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)  # unchanged otherwise


def test_renewal_notice_near_the_start_of_the_calendar_does_not_crash():
    assert schedule.renewal_notice_on(date(1, 1, 2), 60) == date.min
    assert schedule.renewal_notice_on(date(2025, 3, 1), 1) == date(2025, 2, 28)
