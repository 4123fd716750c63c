"""The IPTT, the logframe and the indicator values as tables for the downloads (XLSX, CSV, HXL).

Numbers stay numbers (a spreadsheet can add them); a suppressed value is the text "< k". The HXL file has
one row per indicator × period × disaggregation cell (the total first), a row of HXL hashtags under the
header (https://hxlstandard.org), and area codes rather than names.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.utils.translation import gettext as _

from reintegra.monitoring import presenting, reports
from reintegra.monitoring.models import Indicator
from reintegra.monitoring.reports import Column, Report, Row

# The disaggregations of the HXL file (one at a time, each suppressed on its own like on screen).
HXL_DIMENSIONS = ("sex", "age_band", "adm1", "adm2")
HXL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("indicator_code", "#indicator+code"),
    ("indicator_name", "#indicator+name"),
    ("measure", "#indicator+type"),
    ("unit", "#indicator+unit"),
    ("period_start", "#date+period+start"),
    ("period_end", "#date+period+end"),
    ("adm1_code", "#adm1+code"),
    ("adm2_code", "#adm2+code"),
    ("sex", "#sex"),
    ("age_band", "#age+band"),
    ("numerator", "#indicator+num"),
    ("denominator", "#indicator+denom"),
    ("value", "#indicator+value"),
    ("suppressed", "#meta+suppressed"),
)


def figure(shown: presenting.Shown | None, k: int | None) -> Any:
    """A value for a spreadsheet cell: the number, "< k" when suppressed, empty when there is none."""
    if shown is None:
        return None
    if shown.suppressed:
        return f"< {k}"
    return None if shown.value is None else round(shown.value, 2)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _column_cells(column: Column, k: int | None) -> list[Any]:
    actual = column.text if column.text and column.actual is None else figure(column.actual, k)
    return [column.target, actual, _rounded(column.achieved), column.status_label]


def iptt_header(report: Report) -> list[str]:
    header = [_("Code"), _("Indicator"), _("Measure"), _("Unit"), _("Direction"), _("Baseline")]
    if report.by:
        header.append(report.by_label)
    parts = (_("Target"), _("Actual"), "% " + _("achieved"), _("Status"))
    for label in [*(p.label for p in report.periods), _("Life of programme")]:
        header += [f"{label} · {part}" for part in parts]
    return header


def _indicator_cells(indicator: Indicator, baseline: float | None) -> list[Any]:
    return [
        indicator.code,
        indicator.name,
        indicator.get_measure_display(),
        indicator.unit_label,
        indicator.get_direction_display(),
        baseline,
    ]


def _breakdown_rows(report: Report, row: Row) -> Iterator[list[Any]]:
    for _bucket, label, values in row.groups:
        cells: list[Any] = ["", "", "", "", "", None, label]
        for value in values:
            cells += [None, figure(value, report.k), None, ""]
        yield cells


def iptt_rows(report: Report) -> Iterator[list[Any]]:
    for row in report.rows:
        cells = _indicator_cells(row.indicator, row.baseline)
        if report.by:
            cells.append(_("Total"))
        for column in [*row.columns, row.lop]:
            cells += _column_cells(column, report.k)
        yield cells
        if report.by:
            yield from _breakdown_rows(report, row)


def logframe_header() -> list[str]:
    return [
        _("Result"),
        _("Kind"),
        _("Level"),
        _("Dimension"),
        _("Assumptions"),
        _("Risks"),
        _("Indicator code"),
        _("Indicator"),
        _("Baseline"),
        _("Life-of-programme target"),
        _("Means of verification"),
        _("Data source"),
        _("Collection frequency"),
    ]


def logframe_rows(tree: Sequence[dict[str, Any]], depth: int = 0) -> Iterator[list[Any]]:
    """One line per result (indented by its depth) and one per indicator under it."""
    for branch in tree:
        node = branch["node"]
        yield [
            ("  " * depth) + str(node),
            node.get_kind_display(),
            node.get_level_display(),
            node.get_dimension_display(),
            node.assumptions,
            node.risks,
            "",
            "",
            None,
            None,
            "",
            "",
            "",
        ]
        for indicator in branch["indicators"]:
            yield [
                "",
                "",
                "",
                "",
                "",
                "",
                indicator.code,
                indicator.name,
                reports.as_float(indicator.baseline_value),
                reports.as_float(indicator.lop_target),
                indicator.means_of_verification,
                indicator.data_source,
                indicator.get_frequency_display(),
            ]
        yield from logframe_rows(branch["children"], depth + 1)


def hxl_header() -> tuple[list[str], list[str]]:
    names = {
        "indicator_code": _("Indicator code"),
        "indicator_name": _("Indicator"),
        "measure": _("Measure"),
        "unit": _("Unit"),
        "period_start": _("Period start"),
        "period_end": _("Period end"),
        "adm1_code": _("State / department code"),
        "adm2_code": _("Municipality code"),
        "sex": _("Sex"),
        "age_band": _("Age group at return"),
        "numerator": _("Numerator"),
        "denominator": _("Denominator"),
        "value": _("Value"),
        "suppressed": _("Suppressed"),
    }
    return [names[key] for key, _tag in HXL_COLUMNS], [tag for _key, tag in HXL_COLUMNS]


def _hxl_line(row: Row, column: Column, dimension: str, bucket: str, value: Any, codes: dict[str, str]) -> list[Any]:
    period = column.period
    assert period is not None
    found: dict[str, Any] = {
        "indicator_code": row.indicator.code,
        "indicator_name": row.indicator.name,
        "measure": row.indicator.measure,
        "unit": row.indicator.unit_label,
        "period_start": period.starts_on,
        "period_end": period.ends_on,
    }
    if dimension in ("adm1", "adm2"):
        found[f"{dimension}_code"] = codes.get(bucket, bucket)
    elif dimension:
        found[dimension] = bucket
    if value is not None:
        found.update(
            {
                "numerator": value.numerator,
                "denominator": value.denominator,
                "value": None if value.value is None else round(value.value, 4),
                "suppressed": value.suppressed,
            }
        )
    return [found.get(key) for key, _tag in HXL_COLUMNS]


def hxl_rows(reports_by_dimension: dict[str, Report]) -> Iterator[list[Any]]:
    """Rows of the HXL file from one report per disaggregation ("" is the report without one)."""
    for dimension, report in reports_by_dimension.items():
        codes: dict[str, str] = {}
        if dimension in ("adm1", "adm2"):
            buckets = {b for row in report.rows for c in row.columns for b, _l, _v in c.cells or []}
            codes = reports.area_codes(buckets)
        for row in report.rows:
            if row.indicator.measure == "qualitative":
                continue
            for column in row.columns:
                if not dimension:
                    yield _hxl_line(row, column, "", "", column.actual, codes)
                    continue
                for bucket, _label, value in column.cells or []:
                    yield _hxl_line(row, column, dimension, bucket, value, codes)
