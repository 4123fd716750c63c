"""The text of a PDF as WeasyPrint lays it out (for tests of what a printed document says): the text boxes of
every page, in reading order. Parsing the bytes would need a PDF library the platform does not ship, and the
glyphs of a subset font are not text; the laid-out boxes are what the pages print."""

from __future__ import annotations

from typing import Any


def pdf_text(html: str) -> str:
    import weasyprint
    from weasyprint.formatting_structure import boxes

    found: list[str] = []

    def walk(box: Any) -> None:
        if isinstance(box, boxes.TextBox):
            found.append(box.text)
        for child in getattr(box, "children", ()):
            walk(child)

    for page in weasyprint.HTML(string=html).render().pages:
        walk(page._page_box)
    return " ".join(" ".join(found).split())
