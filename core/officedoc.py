"""Word files in the layout of Chinese official documents (党政机关公文格式, GB/T 9704-2012), with python-docx.

One small API for every document Zoufang issues (notices, decision reports): a red masthead (版头) with the
issuer's mark, the document number and a red rule; the title; level-1 and level-2 headings; body paragraphs;
tables; the signature and date (落款); page numbers "— 1 —" at the outer edge.

Fonts. The standard names 方正小标宋简体 (title, masthead), 仿宋_GB2312 (body), 黑体 (level-1 headings) and
楷体_GB2312 (level-2 headings). Word chooses the face of Chinese characters from `w:rFonts/@w:eastAsia`, which
python-docx's `font.name` does not set, so every run and the document defaults write it in the XML. Not every
office PC has the GB2312-era or 方正 fonts, so the document's font table gives each one an alternate name
(`w:altName`), which Word substitutes when the font is absent:

    方正小标宋简体 → 华文中宋 (STZhongsong; the closest widely installed 小标宋-like face; Word then 宋体)
    仿宋_GB2312 → 仿宋 (FangSong, installed with Windows since Vista)
    楷体_GB2312 → 楷体 (KaiTi)
    黑体 (SimHei) and 宋体 (SimSun) ship with every Chinese Windows.

Digits and Latin letters are set in Times New Roman, as is usual in official documents.
"""

import copy
import re
from datetime import date
from io import BytesIO
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from core.audit import audit_record
from core.models import AuditEvent

# --- the standard's faces and sizes -------------------------------------------------------------------------

XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
SONGTI = "宋体"
LATIN = "Times New Roman"

# Alternate names written into the font table (see the module docstring).
FALLBACKS: dict[str, str] = {
    XIAOBIAOSONG: "华文中宋",
    FANGSONG: "仿宋",
    KAITI: "楷体",
    HEITI: "SimHei",
    SONGTI: "SimSun",
}

# 字号 in points.
SIZE_XIAOCHU = 36.0  # 小初
SIZE_ER = 22.0  # 二号
SIZE_SAN = 16.0  # 三号
SIZE_SI = 14.0  # 四号
SIZE_XIAOSI = 12.0  # 小四

RED = RGBColor(0xFF, 0x00, 0x00)

# A4 with the margins of GB/T 9704-2012 §5.2.1 (天头 37 mm, 订口 28 mm; the text block 156 × 225 mm).
PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGIN_TOP_MM = 37
MARGIN_BOTTOM_MM = 35
MARGIN_LEFT_MM = 28
MARGIN_RIGHT_MM = 26
TEXT_WIDTH_PT = (PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM) / 25.4 * 72

# 22 lines a page: fixed line spacing of 28 pt.
LINE_PT = 28.0
# Tables: a row of 小四 needs less than the body's line.
TABLE_LINE_PT = 20.0

CHINESE_DIGITS = "〇一二三四五六七八九"
# What a caller's own numbering looks like: 一、 / （一）.
_LEVEL1_NUMBERED = re.compile(r"^[一二三四五六七八九十百]+、")
_LEVEL2_NUMBERED = re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五: the numbering of headings (up to 99)."""
    if n < 10:
        return CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_DIGITS[tens]
    return head + "十" + (CHINESE_DIGITS[ones] if ones else "")


def document_date(day: date) -> str:
    """成文日期 as GB/T 9704-2012 §7.3.5.3 writes it: the year in full, no leading zeros: 2026年1月7日."""
    return f"{day.year}年{day.month}月{day.day}日"


def display_width(text: str) -> int:
    """Width in half-character units: a Chinese character or full-width sign counts two, ASCII one."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


# --- XML helpers ----------------------------------------------------------------------------------------------

# The elements that follow w:pBdr in w:pPr, and w:tblBorders and w:tblCellMar in w:tblPr (ECMA-376 §17.3.1.26,
# §17.4.60): new children are inserted before the first of these present.
_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_AFTER_TBLBORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")
# The elements that follow w:w in w:rPr (§17.3.2.28).
_AFTER_W = (
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)
_AFTER_TBLCELLMAR = ("w:tblLook", "w:tblCaption", "w:tblDescription")


def _set_fonts(rpr: etree._Element, east_asia: str, latin: str = LATIN) -> None:
    """Explicit faces for every script, replacing any theme font reference."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _style_run(
    run: Run, *, face: str, size: float, bold: bool = False, color: RGBColor | None = None
) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    _set_fonts(run._r.get_or_add_rPr(), face)


def _fixed_lines(paragraph: Paragraph, line: float = LINE_PT) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def _indent_chars(paragraph: Paragraph, *, first_line: int = 0, right: int = 0, left: int = 0) -> None:
    """Indents counted in characters (w:firstLineChars etc., hundredths of a character), as Word's 字符 unit.

    The point values beside them serve readers that ignore the character units."""
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    char = Pt(SIZE_SAN)
    if first_line:
        ind.set(qn("w:firstLineChars"), str(first_line * 100))
        ind.set(qn("w:firstLine"), str(int(char.twips * first_line)))
    if right:
        ind.set(qn("w:rightChars"), str(right * 100))
        ind.set(qn("w:right"), str(int(char.twips * right)))
    if left:
        ind.set(qn("w:leftChars"), str(left * 100))
        ind.set(qn("w:left"), str(int(char.twips * left)))


def _bottom_rule(paragraph: Paragraph, *, color: str, size_eighths: int) -> None:
    """A rule under the paragraph across the text block: the masthead's red separator (版头中的分隔线)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), str(size_eighths))
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), color)
    borders.append(bottom)
    # WordprocessingML fixes the order of a paragraph's properties; Word refuses a file that breaks it.
    ppr.insert_element_before(borders, *_AFTER_PBDR)


def _page_field(paragraph: Paragraph, *, face: str, size: float) -> None:
    """ "— N —" with N the PAGE field, so Word and LibreOffice number the pages themselves."""

    def text_run(text: str) -> None:
        _style_run(paragraph.add_run(text), face=face, size=size)

    def field_char(kind: str) -> None:
        run = paragraph.add_run()
        _style_run(run, face=face, size=size)
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run._r.append(char)

    text_run("— ")
    field_char("begin")
    instr_run = paragraph.add_run()
    _style_run(instr_run, face=face, size=size)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    instr_run._r.append(instr)
    field_char("separate")
    text_run("1")
    field_char("end")
    text_run(" —")


# --- the document -----------------------------------------------------------------------------------------------


class OfficialDocument:
    """An official document in the GB/T 9704 layout; add parts in reading order, then `to_bytes()`.

    `heading1` and `heading2` number themselves (一、 and （一）, the second restarting under each first) unless
    the text already starts with such a number."""

    def __init__(self, *, issuer: str, title: str, number: str = "", red_header: bool = True) -> None:
        self.issuer = issuer
        self.title = title
        self.number = number
        self._level1 = 0
        self._level2 = 0
        self._doc: DocxDocument = Document()
        self._setup_page()
        self._setup_defaults()
        self._setup_font_table()
        self._setup_page_numbers()
        body = self._doc.element.body
        # The template's one empty paragraph would stand above the masthead.
        for p in body.findall(qn("w:p")):
            body.remove(p)
        if red_header:
            self._masthead()
        elif number:
            line = self._doc.add_paragraph()
            _fixed_lines(line)
            line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _style_run(line.add_run(number), face=FANGSONG, size=SIZE_SAN)
        self._title()
        props = self._doc.core_properties
        props.title = title
        props.author = issuer
        props.language = "zh-CN"

    # --- set-up ---------------------------------------------------------------------------------------------

    def _setup_page(self) -> None:
        section = self._doc.sections[0]
        section.start_type = WD_SECTION_START.NEW_PAGE
        section.page_width = Mm(PAGE_WIDTH_MM)
        section.page_height = Mm(PAGE_HEIGHT_MM)
        section.top_margin = Mm(MARGIN_TOP_MM)
        section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
        section.left_margin = Mm(MARGIN_LEFT_MM)
        section.right_margin = Mm(MARGIN_RIGHT_MM)
        # The page number sits 7 mm below the text block (GB/T 9704-2012 §7.5).
        section.footer_distance = Mm(MARGIN_BOTTOM_MM - 7 - 5)
        section.header_distance = Mm(15)
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is not None:
            grid.set(qn("w:type"), "lines")
            grid.set(qn("w:linePitch"), str(int(Pt(LINE_PT).twips)))

    def _setup_defaults(self) -> None:
        """Every run defaults to 仿宋_GB2312 三号 in Chinese, every paragraph to 28 pt lines, no spacing."""
        styles = self._doc.styles.element
        rpr = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            _set_fonts(rpr, FANGSONG)
            for tag in ("w:sz", "w:szCs"):
                el = rpr.find(qn(tag))
                if el is not None:
                    el.set(qn("w:val"), str(int(SIZE_SAN * 2)))
            lang = rpr.find(qn("w:lang"))
            if lang is not None:
                lang.set(qn("w:val"), "en-US")
                lang.set(qn("w:eastAsia"), "zh-CN")
        spacing = styles.find(f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
        if spacing is not None:
            spacing.set(qn("w:after"), "0")
            spacing.set(qn("w:line"), str(int(Pt(LINE_PT).twips)))
            spacing.set(qn("w:lineRule"), "exact")
        normal = self._doc.styles["Normal"]
        normal.font.size = Pt(SIZE_SAN)
        _set_fonts(normal.element.get_or_add_rPr(), FANGSONG)

    def _setup_font_table(self) -> None:
        """Declare the standard's faces with their alternates (module docstring) in word/fontTable.xml."""
        part = next(
            p for p in self._doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"
        )
        root = etree.fromstring(part.blob)
        families = {
            XIAOBIAOSONG: "roman",
            FANGSONG: "modern",
            KAITI: "modern",
            HEITI: "modern",
            SONGTI: "auto",
        }
        for name, alternate in FALLBACKS.items():
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), name)
            alt = etree.SubElement(font, qn("w:altName"))
            alt.set(qn("w:val"), alternate)
            charset = etree.SubElement(font, qn("w:charset"))
            charset.set(qn("w:val"), "86")  # GB2312
            family = etree.SubElement(font, qn("w:family"))
            family.set(qn("w:val"), families[name])
            pitch = etree.SubElement(font, qn("w:pitch"))
            pitch.set(qn("w:val"), "variable")
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _setup_page_numbers(self) -> None:
        """宋体 四号 "— 1 —": odd pages at the right, even pages at the left, one character in (§7.5)."""
        self._doc.settings.odd_and_even_pages_header_footer = True
        section = self._doc.sections[0]
        for footer, alignment in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        ):
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            paragraph.alignment = alignment
            paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            paragraph.paragraph_format.space_after = Pt(0)
            if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
                paragraph.paragraph_format.right_indent = Pt(SIZE_SI)
            else:
                paragraph.paragraph_format.left_indent = Pt(SIZE_SI)
            _page_field(paragraph, face=SONGTI, size=SIZE_SI)

    # --- masthead and title ---------------------------------------------------------------------------------

    def _blank(self, line: float = LINE_PT) -> None:
        _fixed_lines(self._doc.add_paragraph(), line)

    def _masthead(self) -> None:
        """发文机关标志 in red 小标宋 centred on one line: as large as fits up to 小初; a name too long for 二号
        is narrowed (character scale, w:w) rather than broken over two lines. The number two lines below; the
        red rule under it."""
        mark = self._doc.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        chars = max(1.0, display_width(self.issuer) / 2)
        size = float(int(min(SIZE_XIAOCHU, TEXT_WIDTH_PT / chars)))
        scale = 100
        if size < SIZE_ER:
            size = SIZE_ER
            scale = max(50, int(100 * TEXT_WIDTH_PT / (chars * SIZE_ER)))
        _fixed_lines(mark, size * 1.5)
        run = mark.add_run(self.issuer)
        _style_run(run, face=XIAOBIAOSONG, size=size, color=RED)
        if scale < 100:
            width = OxmlElement("w:w")
            width.set(qn("w:val"), str(scale))
            run._r.get_or_add_rPr().insert_element_before(width, *_AFTER_W)
        self._blank()
        number = self._doc.add_paragraph()
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fixed_lines(number)
        _style_run(number.add_run(self.number), face=FANGSONG, size=SIZE_SAN)
        # The red rule 4 mm below the number (§7.2.5): a bottom border drawn below the number's line.
        number.paragraph_format.space_after = Pt(12)
        _bottom_rule(number, color="FF0000", size_eighths=12)

    def _title(self) -> None:
        """Two lines below the rule, 方正小标宋简体 二号, centred; the body starts one line below."""
        self._blank()
        title = self._doc.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fixed_lines(title, 36)
        _style_run(title.add_run(self.title), face=XIAOBIAOSONG, size=SIZE_ER)
        self._blank()

    # --- the body -------------------------------------------------------------------------------------------

    def addressee(self, text: str) -> None:
        """主送机关: flush left, ending with a full-width colon."""
        paragraph = self._doc.add_paragraph()
        _fixed_lines(paragraph)
        _style_run(paragraph.add_run(text.rstrip("：:") + "："), face=FANGSONG, size=SIZE_SAN)

    def heading1(self, text: str) -> None:
        """一、 level: 黑体 三号, indented two characters like the body."""
        self._level1 += 1
        self._level2 = 0
        if not _LEVEL1_NUMBERED.match(text):
            text = f"{chinese_number(self._level1)}、{text}"
        paragraph = self._doc.add_paragraph()
        _fixed_lines(paragraph)
        _indent_chars(paragraph, first_line=2)
        paragraph.paragraph_format.keep_with_next = True
        _style_run(paragraph.add_run(text), face=HEITI, size=SIZE_SAN)

    def heading2(self, text: str) -> None:
        """（一） level: 楷体_GB2312 三号, indented two characters."""
        self._level2 += 1
        if not _LEVEL2_NUMBERED.match(text):
            text = f"（{chinese_number(self._level2)}）{text}"
        paragraph = self._doc.add_paragraph()
        _fixed_lines(paragraph)
        _indent_chars(paragraph, first_line=2)
        paragraph.paragraph_format.keep_with_next = True
        _style_run(paragraph.add_run(text), face=KAITI, size=SIZE_SAN)

    def paragraph(self, text: str, *, bold_lead: str = "") -> None:
        """Body text: 仿宋_GB2312 三号, first line indented two characters, 28 pt lines, justified.

        `bold_lead` is set in bold before the text, as in "一是……" paragraphs."""
        paragraph = self._doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _fixed_lines(paragraph)
        _indent_chars(paragraph, first_line=2)
        if bold_lead:
            _style_run(paragraph.add_run(bold_lead), face=FANGSONG, size=SIZE_SAN, bold=True)
        _style_run(paragraph.add_run(text), face=FANGSONG, size=SIZE_SAN)

    def table(self, headers: list[str], rows: list[list[str]], *, caption: str = "") -> None:
        """A bordered table across the text block: 仿宋 四号 (小四 from six columns on), the header row bold and
        repeated on every page, column widths after their longest content.

        The rows are written as XML from one template cell per column: python-docx's cell API costs time in
        the square of the row count."""
        columns = len(headers)
        if columns == 0:
            return
        size = SIZE_SI if columns <= 5 else SIZE_XIAOSI
        if caption:
            head = self._doc.add_paragraph()
            head.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _fixed_lines(head)
            head.paragraph_format.keep_with_next = True
            _style_run(head.add_run(caption), face=HEITI, size=SIZE_SI)
        widths = self._column_widths(headers, rows, size=size)
        table = self._doc.add_table(rows=0, cols=columns)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        tbl = table._tbl
        self._table_properties(tbl, sum(widths))
        grid = tbl.tblGrid
        for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
            col.set(qn("w:w"), str(width))
        header_cells = [self._cell_template(w, size=size, bold=True) for w in widths]
        body_cells = [self._cell_template(w, size=size, bold=False) for w in widths]
        tbl.append(self._row(header_cells, headers, header=True))
        for row in rows:
            values = [str(v) for v in row[:columns]] + [""] * (columns - len(row))
            tbl.append(self._row(body_cells, values, header=False))
        # A table followed directly by the next heading looks cramped: one blank line after it.
        self._blank()

    @staticmethod
    def _column_widths(headers: list[str], rows: list[list[str]], *, size: float = SIZE_SI) -> list[int]:
        """Twips per column, summing to the text width. A column whose widest content (capped so one long text
        does not starve the others) fits in an equal share gets all it needs at this font size, so short
        headers and numbers never break (采纳/数); the rest of the width goes to the wide columns in proportion
        to what they hold. When everything fits, every column grows in proportion."""
        total = int(Pt(TEXT_WIDTH_PT).twips)
        needs = [max(4, display_width(h)) for h in headers]
        for row in rows:
            for i, value in enumerate(row[: len(headers)]):
                needs[i] = max(needs[i], min(40, display_width(str(value))))
        # A display unit is half a CJK character; two more for the cell's margins and borders.
        wanted = [int(Pt((n + 2) * size / 2).twips) for n in needs]
        if sum(wanted) <= total:
            scale = total / sum(wanted)
            widths = [int(w * scale) for w in wanted]
        else:
            share = total / len(needs)
            narrow = [w <= share for w in wanted]
            left = total - sum(w for w, n in zip(wanted, narrow, strict=True) if n)
            wide = sum(w for w, n in zip(wanted, narrow, strict=True) if not n)
            widths = [w if n else int(w * left / wide) for w, n in zip(wanted, narrow, strict=True)]
        widths[-1] += total - sum(widths)
        return widths

    @staticmethod
    def _table_properties(tbl: CT_Tbl, width: int) -> None:
        tblpr = tbl.tblPr
        tblw = tblpr.find(qn("w:tblW"))
        if tblw is not None:
            tblw.set(qn("w:w"), str(width))
            tblw.set(qn("w:type"), "dxa")
        borders = OxmlElement("w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            edge = OxmlElement(f"w:{side}")
            edge.set(qn("w:val"), "single")
            edge.set(qn("w:sz"), "4")
            edge.set(qn("w:space"), "0")
            edge.set(qn("w:color"), "000000")
            borders.append(edge)
        tblpr.insert_element_before(borders, *_AFTER_TBLBORDERS)
        tblpr.get_or_add_tblLayout().set(qn("w:type"), "fixed")
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            margin = OxmlElement(f"w:{side}")
            margin.set(qn("w:w"), "57")  # 1 mm
            margin.set(qn("w:type"), "dxa")
            margins.append(margin)
        tblpr.insert_element_before(margins, *_AFTER_TBLCELLMAR)

    @staticmethod
    def _cell_template(width: int, *, size: float, bold: bool) -> etree._Element:
        tc = OxmlElement("w:tc")
        tcpr = OxmlElement("w:tcPr")
        tcw = OxmlElement("w:tcW")
        tcw.set(qn("w:w"), str(width))
        tcw.set(qn("w:type"), "dxa")
        tcpr.append(tcw)
        valign = OxmlElement("w:vAlign")
        valign.set(qn("w:val"), "center")
        tcpr.append(valign)
        tc.append(tcpr)
        p = OxmlElement("w:p")
        ppr = OxmlElement("w:pPr")
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:before"), "0")
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), str(int(Pt(TABLE_LINE_PT).twips)))
        spacing.set(qn("w:lineRule"), "atLeast")
        ppr.append(spacing)
        ind = OxmlElement("w:ind")
        ind.set(qn("w:firstLine"), "0")
        ind.set(qn("w:firstLineChars"), "0")
        ppr.append(ind)
        jc = OxmlElement("w:jc")
        jc.set(qn("w:val"), "center")
        ppr.append(jc)
        p.append(ppr)
        r = OxmlElement("w:r")
        rpr = OxmlElement("w:rPr")
        _set_fonts(rpr, FANGSONG)
        if bold:
            rpr.append(OxmlElement("w:b"))
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), str(int(size * 2)))
        rpr.append(sz)
        szcs = OxmlElement("w:szCs")
        szcs.set(qn("w:val"), str(int(size * 2)))
        rpr.append(szcs)
        r.append(rpr)
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        r.append(t)
        p.append(r)
        tc.append(p)
        return tc

    @staticmethod
    def _row(templates: list[etree._Element], values: list[str], *, header: bool) -> etree._Element:
        tr = OxmlElement("w:tr")
        trpr = OxmlElement("w:trPr")
        # A row is not split across pages; the header row repeats on each page.
        trpr.append(OxmlElement("w:cantSplit"))
        if header:
            trpr.append(OxmlElement("w:tblHeader"))
        tr.append(trpr)
        for template, value in zip(templates, values, strict=True):
            tc = copy.deepcopy(template)
            run = tc.find(f"{qn('w:p')}/{qn('w:r')}")
            lines = value.split("\n")
            text = run.find(qn("w:t"))
            text.text = lines[0]
            for line in lines[1:]:
                run.append(OxmlElement("w:br"))
                more = OxmlElement("w:t")
                more.set(qn("xml:space"), "preserve")
                more.text = line
                run.append(more)
            tr.append(tc)
        return tr

    def closing(self, *, signer: str, day: date) -> None:
        """落款 (GB/T 9704-2012 §7.3.5.1): one line below the body, the signer centred over the date, the date
        (成文日期) four characters in from the right."""
        self._blank()
        self._blank()
        when = document_date(day)
        date_chars = display_width(when) / 2
        signer_chars = display_width(signer) / 2
        signer_right = max(0, round(4 + (date_chars - signer_chars) / 2))
        name = self._doc.add_paragraph()
        name.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _fixed_lines(name)
        if signer_right:
            _indent_chars(name, right=signer_right)
        name.paragraph_format.keep_with_next = True
        _style_run(name.add_run(signer), face=FANGSONG, size=SIZE_SAN)
        dated = self._doc.add_paragraph()
        dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _fixed_lines(dated)
        _indent_chars(dated, right=4)
        _style_run(dated.add_run(when), face=FANGSONG, size=SIZE_SAN)

    def to_bytes(self) -> bytes:
        buffer = BytesIO()
        self._doc.save(buffer)
        return buffer.getvalue()


DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_response(
    content: bytes,
    *,
    filename: str,
    actor: Any,
    request: HttpRequest | None,
    what: str,
    filters: dict[str, Any] | None = None,
) -> HttpResponse:
    """A Word file as a download, its Chinese name sent as RFC 6266 filename*; every download is an audited
    export (DESIGN §8), as the Excel lists are (core.exports.xlsx_response)."""
    audit_record(
        action=AuditEvent.Action.EXPORTED,
        actor=actor,
        request=request,
        data={"export": what, "format": "docx", "filters": filters or {}},
    )
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["Cache-Control"] = "no-store"
    return response
