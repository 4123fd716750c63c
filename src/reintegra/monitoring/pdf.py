"""The donor report of a reporting period as a PDF (WeasyPrint): cover, the results tree, the IPTT up to the
period with a chart per indicator (inline SVG drawn here), the narrative sections the M&E officer writes,
and the suppression rules applied to the figures."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from reintegra.monitoring import reports, svg

if TYPE_CHECKING:
    from reintegra.access.models import User
    from reintegra.monitoring.models import ReportingPeriod


def _number(value: float) -> str:
    shown: float | int = int(value) if float(value).is_integer() else round(value, 1)
    return formats.number_format(shown, decimal_pos=None, use_l10n=True, force_grouping=True)


def _value(column: reports.Column) -> float | None:
    actual = column.actual
    return None if actual is None or actual.suppressed else actual.value


def _note(column: reports.Column, k: int | None) -> str:
    return f"< {k}" if column.actual is not None and column.actual.suppressed else ""


def charts(report: reports.Report) -> dict[int, Any]:
    """A target-vs-actual chart per quantitative indicator, keyed by the indicator's id."""
    found = {}
    legend = (_("Target"), _("Actual"))
    for row in report.rows:
        if row.indicator.measure == "qualitative":
            continue
        bars = [svg.Bar(c.label, c.target, _value(c), _note(c, report.k)) for c in [*row.columns, row.lop]]
        found[row.indicator.pk] = svg.bar_chart(bars, f"{row.indicator.code} · {row.indicator.name}", _number, legend)
    return found


def donor_report_context(user: User, period: ReportingPeriod) -> dict[str, Any]:
    programme = period.programme
    report = reports.iptt_for(user, programme, up_to=period)
    chart_of = charts(report)
    return {
        "programme": programme,
        "period": period,
        "report": report,
        "tree": reports.result_tree(report.framework),
        "framework": report.framework,
        "rows_with_charts": [(row, chart_of.get(row.indicator.pk)) for row in report.rows],
        "generated_on": timezone.localdate(),
    }


def donor_report_html(user: User, period: ReportingPeriod) -> str:
    return render_to_string("monitoring/pdf/donor_report.html", donor_report_context(user, period))


def donor_report_pdf(user: User, period: ReportingPeriod) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=donor_report_html(user, period)).write_pdf()  # type: ignore[no-any-return]
