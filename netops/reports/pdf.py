"""The availability report as an A4 PDF (ReportLab; no browser), in English or Bahasa Indonesia.

Header (city, Dinas, optional logo from ``[reports]``), the totals and the groups by district,
kind and agency, the ten worst sites with downtime per cause, a bar chart per district, the
planned works (excluded) and the outage list. Figures are the report's, formatted as in the CSV
(availability to four decimals) and minutes to one decimal. Every text from the network (site
names, reasons) is escaped before it reaches ReportLab's paragraph markup. The fonts are the
Vera TrueType fonts that ship with ReportLab, so the output does not depend on the machine.
"""

from __future__ import annotations

import dataclasses
import io
import logging
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from netops.reports.availability_report import CAUSES, GroupRow, Report
from netops.reports.formats import percent
from netops.reports.words import word

log = logging.getLogger(__name__)
FONT, BOLD = "NetopsVera", "NetopsVera-Bold"
WORST = 10


@dataclass(frozen=True, slots=True)
class Header:
    city: str = ""
    office: str = ""
    logo: Path | None = None


def _fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "VeraBd.ttf")))


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f}"


PLAIN_CELL_CHARS = 12  # fits the narrowest column (16 mm) at 7.5 pt


class _Doc:
    def __init__(self, report: Report, lang: str, zone: tzinfo) -> None:
        self.report, self.lang, self.zone = report, lang, zone
        base = getSampleStyleSheet()
        self.body = ParagraphStyle("b", parent=base["BodyText"], fontName=FONT, fontSize=9, leading=11)
        self.small = ParagraphStyle("s", parent=self.body, fontSize=7.5, leading=9)
        self.h1 = ParagraphStyle("h1", parent=base["Title"], fontName=BOLD, fontSize=15, leading=18)
        self.h2 = ParagraphStyle("h2", parent=base["Heading2"], fontName=BOLD, fontSize=11, leading=14,
                                 spaceBefore=8, spaceAfter=4)

    def w(self, key: str) -> str:
        return word(key, self.lang)

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(escape(text), style or self.body)

    def cell(self, text: str) -> Paragraph | str:
        """A table cell: short text (numbers, minutes, a percentage) as a plain string, drawn as is;
        a Paragraph, which wraps but costs ~60 µs to lay out, only for text that may need it (a
        report of 5,000 sites has tens of thousands of cells)."""
        return text if len(text) <= PLAIN_CELL_CHARS and "\n" not in text else self.p(text, self.small)

    def when(self, at: datetime | None) -> str:
        return self.w("open") if at is None else at.astimezone(self.zone).strftime("%Y-%m-%d %H:%M %Z")

    def table(self, head: list[str], rows: list[list[str]], widths: list[float] | None = None) -> Table:
        cells = [[self.p(h, self.small) for h in head]] + [[self.cell(c) for c in r] for r in rows]
        t = Table(cells, colWidths=widths, repeatRows=1)
        t.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), FONT, self.small.fontSize, self.small.leading),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfe7f2")),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f6f6")]),
        ]))
        return t

    def header(self, head: Header) -> list[Flowable]:
        out: list[Flowable] = []
        lines = [t for t in (head.city, head.office) if t]
        text = [self.p(t, self.h2) for t in lines]
        if head.logo is not None:
            try:
                ImageReader(str(head.logo)).getRGBData()  # a broken file fails here, not mid-build
                logo = Image(str(head.logo), width=18 * mm, height=18 * mm, kind="proportional")
                out.append(Table([[logo, text]], colWidths=[22 * mm, None],
                                 style=[("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
            except (OSError, ValueError) as exc:  # a missing or unreadable logo must not lose the report
                log.warning("report logo %s: %s", head.logo, exc)
                out.extend(text)
        else:
            out.extend(text)
        r = self.report
        out.append(self.p(self.w("title"), self.h1))
        span = f"{self.when(r.period.start)} - {self.when(r.period.end)}"
        period = f"{self.w('period')}: {r.period.label} ({span})"
        if r.measured_until < r.period.end:
            period += f", {self.w('measured_until')} {self.when(r.measured_until)}"
        chosen = [f"{k}={v}" for k, v in r.filters.to_json().items() if v]
        out.append(self.p(period))
        out.append(self.p(f"{self.w('filters')}: {', '.join(chosen) or self.w('all_sites')}"))
        out.append(self.p(self.w("note"), self.small))
        return out

    def groups(self, title: str, first: str, rows: list[GroupRow]) -> list[Flowable]:
        head = [first, self.w("sites"), self.w("outages"), self.w("downtime"), self.w("planned"),
                self.w("availability")]
        body = [[g.name, str(g.sites), str(g.outages), minutes(g.downtime_s), minutes(g.planned_s),
                 percent(g.availability_pct)] for g in rows]
        return [self.p(title, self.h2), self.table(head, body, [60 * mm] + [22 * mm] * 5)]

    def summary(self) -> list[Flowable]:
        r = self.report
        out = self.groups(self.w("summary"), "", [dataclasses.replace(r.totals(), name=self.w("all_sites"))])
        out += self.groups(self.w("by_district"), self.w("district"), list(r.groups["district"]))
        out += self.groups(self.w("by_kind"), self.w("kind"), list(r.groups["kind"]))
        out += self.groups(self.w("by_agency"), self.w("agency"), list(r.groups["agency"]))
        return out

    def worst(self) -> list[Flowable]:
        out: list[Flowable] = [self.p(self.w("worst"), self.h2)]
        rows = self.report.worst(WORST)
        if not rows:
            return [*out, self.p(self.w("none"))]
        head = [self.w("site"), self.w("district"), self.w("outages"), self.w("downtime"),
                self.w("availability"), *(self.w(c) for c in CAUSES)]
        body = [[s.site, s.district, str(s.outages), minutes(s.downtime_s), percent(s.availability_pct),
                 *(minutes(s.by_cause[c]) for c in CAUSES)] for s in rows]
        return [*out, self.p(self.w("cause_title"), self.small),
                self.table(head, body, [36 * mm, 24 * mm, 18 * mm, 18 * mm, 20 * mm] + [16 * mm] * 4)]

    def chart(self) -> list[Flowable]:
        rows = list(self.report.groups["district"])
        if not rows:
            return []
        height = 30 + 14 * len(rows)
        drawing = Drawing(170 * mm, height + 20)
        bars = HorizontalBarChart()
        bars.x, bars.y, bars.width, bars.height = 45 * mm, 15, 115 * mm, height - 10
        bars.data = [[g.availability_pct for g in rows]]
        bars.categoryAxis.categoryNames = [g.name[:30] for g in rows]
        bars.categoryAxis.labels.fontName = FONT
        bars.categoryAxis.labels.fontSize = 7
        low = min(g.availability_pct for g in rows)
        bars.valueAxis.valueMin = max(0.0, float(int(low) - 1)) if low < 100 else 90.0
        bars.valueAxis.valueMax = 100.0
        bars.valueAxis.labels.fontName = FONT
        bars.valueAxis.labels.fontSize = 7
        bars.bars[0].fillColor = colors.HexColor("#3b6ea5")
        drawing.add(bars)
        return [self.p(self.w("chart"), self.h2), drawing]

    def planned(self) -> list[Flowable]:
        rows = self.report.planned_works
        if not rows:
            return []
        head = ["#", self.w("when"), self.w("reason"), self.w("sites")]
        body = [[str(p.id), "; ".join(f"{self.when(s)} - {self.when(e)}" for s, e in p.occurrences),
                 f"{p.scope} {p.target}: {p.reason}", ", ".join(p.sites)] for p in rows]
        return [self.p(self.w("planned_works"), self.h2),
                self.table(head, body, [10 * mm, 50 * mm, 60 * mm, 50 * mm])]

    def outages(self) -> list[Flowable]:
        rows = self.report.outages
        out: list[Flowable] = [self.p(self.w("outage_list"), self.h2)]
        if not rows:
            return [*out, self.p(self.w("none"))]
        head = ["#", self.w("start"), self.w("end"), self.w("cause"), self.w("sites"), self.w("in_period")]
        body = []
        for o in rows:
            cause = o.words.get(self.lang) or f"{o.root_cause_type} {o.root_cause}"
            mark = f" ({self.w('yes_planned')})" if o.planned else ""
            body.append([str(o.id), self.when(o.started_at), self.when(o.ended_at), cause + mark,
                         ", ".join(o.sites), minutes(o.in_period_s)])
        return [*out, self.table(head, body, [10 * mm, 28 * mm, 28 * mm, 50 * mm, 40 * mm, 18 * mm])]


def render(report: Report, lang: str, zone: tzinfo, header: Header) -> bytes:
    """The PDF bytes of ``report``."""
    _fonts()
    doc = _Doc(report, lang, zone)
    buffer = io.BytesIO()
    generated = f"{doc.w('generated')} {doc.when(report.generated_at)}"

    def footer(canvas: Canvas, template: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawString(15 * mm, 10 * mm, f"{generated} - netops")
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"{doc.w('page')} {canvas.getPageNumber()}")
        canvas.restoreState()

    pdf = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=18 * mm, title=word("title", lang), author=header.office or "netops")
    story: list[Flowable] = [*doc.header(header), Spacer(1, 4 * mm), *doc.summary(), *doc.worst(),
                             *doc.chart(), *doc.planned(), *doc.outages()]
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
