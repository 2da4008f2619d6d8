"""The official-document Word builder: what GB/T 9704 asks of the page, the fonts, the parts, and speed."""

import time
import zipfile
from datetime import date
from io import BytesIO

import docx
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from core.officedoc import (
    FANGSONG,
    HEITI,
    KAITI,
    XIAOBIAOSONG,
    OfficialDocument,
    chinese_number,
    document_date,
)

ISSUER = "黔南州大走访工作领导小组办公室"
NUMBER = "黔南走访办通〔2026〕3号"
TITLE = "关于2026年10月大走访工作情况的通报"


def build(**overrides: object) -> OfficialDocument:
    values: dict = {"issuer": ISSUER, "title": TITLE, "number": NUMBER}
    values.update(overrides)
    doc = OfficialDocument(**values)
    doc.addressee("各县（市）大走访工作领导小组办公室")
    doc.heading1("总体情况")
    doc.paragraph("10月，全州共交办群众诉求1234件，及时签收率95.2%。")
    doc.heading2("主要做法")
    doc.paragraph("坚持马上就办。", bold_lead="一是")
    doc.heading1("二、排名情况")
    doc.table(
        ["排名", "名称", "综合得分"], [["1", "都匀市", "91.20"], ["2", "福泉市", "88.00"]], caption="各县排名"
    )
    doc.closing(signer=ISSUER, day=date(2026, 11, 7))
    return doc


def opened(doc: OfficialDocument) -> DocxDocument:
    return docx.Document(BytesIO(doc.to_bytes()))


def paragraph_with(document: DocxDocument, text: str) -> Paragraph:
    return next(p for p in document.paragraphs if p.text == text)


def east_asia(run: Run) -> str | None:
    fonts = run._r.get_or_add_rPr().find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def test_the_file_opens_and_holds_the_masthead_title_headings_and_table() -> None:
    document = opened(build())
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == ISSUER
    assert NUMBER in texts and TITLE in texts
    assert "一、总体情况" in texts and "（一）主要做法" in texts
    # A heading numbered by the caller keeps its number, and the next level restarts under it.
    assert "二、排名情况" in texts and "一、二、排名情况" not in texts
    assert "一是坚持马上就办。" in texts
    assert "各县（市）大走访工作领导小组办公室：" in texts
    (table,) = document.tables
    assert [c.text for c in table.rows[0].cells] == ["排名", "名称", "综合得分"]
    assert [c.text for c in table.rows[2].cells] == ["2", "福泉市", "88.00"]
    assert texts[-2:] == [ISSUER, "2026年11月7日"]


def test_the_page_is_a4_with_the_gbt_9704_margins() -> None:
    section = opened(build()).sections[0]

    def mm(*lengths: object) -> tuple[float, ...]:
        # Word stores twips: a millimetre is 56.7 of them, so compare to a tenth of a millimetre.
        return tuple(round(length.mm, 1) for length in lengths)  # type: ignore[attr-defined]

    assert mm(section.page_width, section.page_height) == (210, 297)
    assert mm(section.top_margin, section.bottom_margin) == (37, 35)
    assert mm(section.left_margin, section.right_margin) == (28, 26)


def test_each_part_has_its_east_asian_face_and_size() -> None:
    document = opened(build())
    masthead = paragraph_with(document, ISSUER).runs[0]
    assert east_asia(masthead) == XIAOBIAOSONG and masthead.font.color.rgb == docx.shared.RGBColor(255, 0, 0)
    title = paragraph_with(document, TITLE)
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert (east_asia(title.runs[0]), title.runs[0].font.size) == (XIAOBIAOSONG, Pt(22))
    number = paragraph_with(document, NUMBER)
    assert (east_asia(number.runs[0]), number.runs[0].font.size) == (FANGSONG, Pt(16))
    heading1 = paragraph_with(document, "一、总体情况").runs[0]
    assert (east_asia(heading1), heading1.font.size) == (HEITI, Pt(16))
    heading2 = paragraph_with(document, "（一）主要做法").runs[0]
    assert (east_asia(heading2), heading2.font.size) == (KAITI, Pt(16))
    body = paragraph_with(document, "10月，全州共交办群众诉求1234件，及时签收率95.2%。")
    assert (east_asia(body.runs[0]), body.runs[0].font.size) == (FANGSONG, Pt(16))
    fmt = body.paragraph_format
    assert (fmt.line_spacing_rule, fmt.line_spacing) == (WD_LINE_SPACING.EXACTLY, Pt(28))
    assert body._p.get_or_add_pPr().find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    lead = paragraph_with(document, "一是坚持马上就办。").runs
    assert lead[0].bold and not lead[1].bold
    cell_run = document.tables[0].rows[0].cells[0].paragraphs[0].runs[0]
    assert east_asia(cell_run) == FANGSONG and cell_run.bold and cell_run.font.size == Pt(14)
    # The document defaults carry the body face too, for text a reader types in.
    defaults = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == FANGSONG


def test_the_masthead_has_a_red_rule_and_the_fonts_name_their_fallbacks() -> None:
    data = build().to_bytes()
    document = docx.Document(BytesIO(data))
    rule = paragraph_with(document, NUMBER)._p.get_or_add_pPr().find(f"{qn('w:pBdr')}/{qn('w:bottom')}")
    assert rule.get(qn("w:color")) == "FF0000"
    fonts = zipfile.ZipFile(BytesIO(data)).read("word/fontTable.xml").decode()
    assert 'w:name="方正小标宋简体"' in fonts and 'w:altName w:val="华文中宋"' in fonts
    assert 'w:name="仿宋_GB2312"' in fonts and 'w:altName w:val="仿宋"' in fonts
    assert 'w:name="楷体_GB2312"' in fonts and 'w:altName w:val="楷体"' in fonts


def test_page_numbers_are_dashed_and_sit_at_the_outer_edge() -> None:
    document = opened(build())
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert (odd.alignment, even.alignment) == (WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT)
    for footer in (odd, even):
        assert footer.text.startswith("— ") and footer.text.endswith(" —")
        assert footer._p.xpath(".//w:instrText")[0].text.strip() == "PAGE"
        assert east_asia(footer.runs[0]) == "宋体" and footer.runs[0].font.size == Pt(14)


def test_the_table_spans_the_text_width_and_repeats_its_header_row() -> None:
    table = opened(build()).tables[0]._tbl
    widths = [int(col.get(qn("w:w"))) for col in table.tblGrid.findall(qn("w:gridCol"))]
    text_width = Mm(210 - 28 - 26).twips
    assert abs(sum(widths) - text_width) <= 2
    rows = table.findall(qn("w:tr"))
    assert rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
    assert rows[1].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None
    assert table.tblPr.find(f"{qn('w:tblBorders')}/{qn('w:insideH')}").get(qn("w:val")) == "single"


def test_an_issuer_too_long_for_one_line_is_narrowed_not_broken() -> None:
    short = paragraph_with(opened(build()), ISSUER).runs[0]
    assert short.font.size == Pt(29) and short._r.get_or_add_rPr().find(qn("w:w")) is None
    long_name = "黔南布依族苗族自治州大走访工作领导小组办公室"
    mark = paragraph_with(opened(build(issuer=long_name)), long_name).runs[0]
    assert mark.font.size == Pt(22)
    assert 50 <= int(mark._r.get_or_add_rPr().find(qn("w:w")).get(qn("w:val"))) < 100


def test_without_a_red_header_the_document_starts_with_its_title() -> None:
    document = opened(build(red_header=False, number=""))
    assert ISSUER not in [p.text for p in document.paragraphs[:3]]
    assert TITLE in [p.text for p in document.paragraphs[:3]]


def test_a_table_of_200_rows_builds_quickly() -> None:
    doc = OfficialDocument(issuer=ISSUER, title=TITLE)
    rows = [
        [str(i), f"单位{i}", f"{90 - i / 10:.2f}", "95.0%", "88.8%", "—", "70.1%", "66.0%"]
        for i in range(200)
    ]
    started = time.perf_counter()
    doc.table(
        ["排名", "名称", "综合得分", "及时签收率", "按时办结率", "解决率", "满意率", "走访覆盖率"], rows
    )
    data = doc.to_bytes()
    assert time.perf_counter() - started < 2.0
    table = docx.Document(BytesIO(data)).tables[0]
    assert len(table.rows) == 201 and table.rows[200].cells[1].text == "单位199"
    # From six columns on, the cells drop to 小四 to fit the width.
    assert table.rows[1].cells[0].paragraphs[0].runs[0].font.size == Pt(12)


def test_dates_and_numerals_are_written_as_the_standard_asks() -> None:
    assert document_date(date(2026, 1, 7)) == "2026年1月7日"
    assert [chinese_number(n) for n in (1, 9, 10, 12, 20, 35)] == ["一", "九", "十", "十二", "二十", "三十五"]


def test_a_short_header_keeps_its_width_beside_a_long_text() -> None:
    """The 采纳数 column of a table whose first column holds a long title: the header fits on one line (it
    broke as 采纳/数 when widths were only proportional to content)."""
    from core.officedoc import SIZE_SI, TEXT_WIDTH_PT, OfficialDocument

    headers = ["征集主题", "发起单位", "收到意见数", "采纳数"]
    widths = OfficialDocument._column_widths(
        headers, [["2027年政法工作意见建议征集", "都匀市委政法委", "2", "1"]]
    )
    needed = int(Pt((6 + 2) * SIZE_SI / 2).twips)
    assert widths[3] >= needed and widths[2] >= int(Pt((10 + 2) * SIZE_SI / 2).twips)
    assert sum(widths) == int(Pt(TEXT_WIDTH_PT).twips)
