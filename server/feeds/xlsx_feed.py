"""The spreadsheet feed: a summary sheet and a per-day sheet, with real numbers, dates
and times in the cells (not text), so a coach can sum, sort and filter straight away.

Written directly as Office Open XML (a zip of a few small XML files) rather than through
openpyxl: a six-month feed has some 25 000 cells and openpyxl took over half a second for
them, five times the budget of a feed. Text goes in as inline strings, which a spreadsheet
never runs as a formula (a name like "=HYPERLINK(…)" stays a name). The tests read the
file back with openpyxl.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from server.feeds.content import STATUS_LABELS, Feed, own_say_columns, reason_label
from server.feeds.csv_feed import DAY_HEADER, SUMMARY_HEADER
from server.learning.progress import WordProgress

EPOCH = date(1899, 12, 30)  # day 0 of a spreadsheet's dates (1900 date system)
# Cell styles, by their index in styles.xml's cellXfs.
_, BOLD, DATE, CLOCK, HOURS = range(5)
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

STYLES = f"""{XML_HEAD}<styleSheet xmlns="{MAIN}">
<numFmts count="2"><numFmt numFmtId="164" formatCode="dd\\-mm\\-yyyy"/>\
<numFmt numFmtId="165" formatCode="hh:mm"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


def column(number: int) -> str:
    """'A' for 1, 'Z' for 26, 'AA' for 27."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, value: Any) -> str:
    """One cell: text inline, numbers as numbers, dates and times as serials with a format."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        text = escape(NOT_XML.sub("", value))
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{DATE}"><v>{(value - EPOCH).days}</v></c>'
    if isinstance(value, time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return f'<c r="{ref}" s="{CLOCK}"><v>{seconds / 86400!r}</v></c>'
    if isinstance(value, float):
        return f'<c r="{ref}" s="{HOURS}"><v>{value!r}</v></c>'
    return f'<c r="{ref}"><v>{int(value)}</v></c>'


def sheet_xml(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """One worksheet: a bold header row, frozen, and the rows beneath it."""
    letters = [column(n) for n in range(1, len(header) + 1)]
    widths = "".join(
        f'<col min="{n}" max="{n}" width="{max(10, len(title) + 2)}" customWidth="1"/>'
        for n, title in enumerate(header, start=1)
    )
    out = [
        f'{XML_HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{RELS}">',
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>',
        f"<cols>{widths}</cols><sheetData>",
        '<row r="1">',
        *(
            f'<c r="{letter}1" t="inlineStr" s="{BOLD}"><is><t>{escape(title)}</t></is></c>'
            for letter, title in zip(letters, header, strict=True)
        ),
        "</row>",
    ]
    for number, values in enumerate(rows, start=2):
        out.append(f'<row r="{number}">')
        out.extend(
            _cell(f"{letter}{number}", value) for letter, value in zip(letters, values, strict=True)
        )
        out.append("</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out)


def workbook(sheets: Sequence[tuple[str, str]]) -> bytes:
    """A workbook of (name, worksheet XML) sheets, as the bytes of an .xlsx file."""
    names = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>'
        for n, (name, _) in enumerate(sheets, start=1)
    )
    sheet_rels = "".join(
        f'<Relationship Id="rId{n}" Type="{DOC_TYPE}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    style_id = len(sheets) + 1
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    parts = {
        "[Content_Types].xml": (
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>'
        ),
        "_rels/.rels": (
            f'{XML_HEAD}<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{DOC_TYPE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'{XML_HEAD}<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{names}</sheets>'
            "</workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{XML_HEAD}<Relationships xmlns="{PACKAGE_RELS}">{sheet_rels}'
            f'<Relationship Id="rId{style_id}" Type="{DOC_TYPE}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": STYLES,
    }
    for n, (_, xml) in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{n}.xml"] = xml
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=5) as package:
        for name, content in parts.items():
            package.writestr(name, content)
    return out.getvalue()


def _local(moment: datetime | None, tz: str) -> time | None:
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(tz)).time().replace(second=0, microsecond=0)


def _percent(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 2)


def _word_cells(words: WordProgress) -> list[int | float | None]:
    """The word columns of csv_feed.SUMMARY_HEADER, as numbers (empty: nothing to say)."""
    return [
        words.words_met,
        words.checks_shown,
        words.checks_answered,
        _percent(words.share_answered),
        _percent(words.model_recall),
        _percent(words.recall_30d),
        words.recall_30d_checks,
        _percent(words.model_recall_30d),
        words.model_answers,
    ]


def attendance_xlsx(feed: Feed) -> bytes:
    summary = [
        [
            p.plan.participant_id,
            p.plan.display_name,
            feed.first,
            feed.last,
            p.figures.agreed_days,
            p.figures.days_present,
            float(p.figures.hours),
            p.figures.late_arrivals,
            p.figures.absences_excused,
            p.figures.absences_unexcused,
            p.figures.forgotten_check_outs,
            p.absence_run,
            f"{p.absence_run} keer achter elkaar afwezig" if p.alert else "",
            p.figures.absences_announced,
            *_word_cells(p.words),
        ]
        for p in feed.participants
    ]
    per_day = [
        [
            p.plan.participant_id,
            p.plan.display_name,
            day.day,
            STATUS_LABELS[day.status],
            "ja" if day.agreed else "nee",
            _local(day.first_in, p.plan.site.timezone),
            _local(day.last_out, p.plan.site.timezone),
            round(day.counted_seconds / 3600, 2),
            "ja" if day.late else "nee",
            day.forgotten_check_outs,
            reason_label(day),
            day.corrections,
            *own_say_columns(day, p.plan.site.timezone),
        ]
        for p in feed.participants
        for day in p.days
    ]
    return workbook(
        [
            ("Overzicht", sheet_xml(SUMMARY_HEADER, summary)),
            ("Per dag", sheet_xml(DAY_HEADER, per_day)),
        ]
    )
