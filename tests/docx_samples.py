"""Word files as a clerk types them, built with python-docx's defaults (US Letter, 1-inch
margins, Calibri and theme fonts, 10 pt after each paragraph), for the format/layout tests."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

TEXTS = [
    "青禾县总工会关于2025年工作情况的报告",
    "市总工会：",
    "2025年，在县委和市总工会的坚强领导下，县总工会团结带领全县职工“建功新时代”——各项工作取得新进展。现将有关情况报告如下。",
    "一、主要工作及成效",
    "（一）强化思想政治引领",
    "1.开展主题宣讲",
    "全年开展“中国梦·劳动美”主题宣讲36场，覆盖职工1.2万人次……职工群众反响良好。",
    "（1）基层宣讲",
    "组织劳模工匠进企业、进车间宣讲，深受欢迎。",
    "（二）服务职工群众",
    "新建户外劳动者服务站点12个，发放困难职工帮扶资金86万元。",
    "二、存在的问题和不足",
    "基层工会组织建设还不平衡，服务职工的精准度有待提高。",
    "",
    "附件：1.2025年工会工作主要数据",
    "2.户外劳动者服务站点名单",
    "",
    "青禾县总工会",
    "2025年12月1日",
]
ROLES = ["title", "recipient", "body", "h1", "h2", "h3", "body", "h4", "body", "h2", "body", "h1", "body", "blank",
         "attachment", "attachment_item", "blank", "sign", "date"]
TABLE = [["项目", "2024年", "2025年"], ["建会企业（家）", "120", "136"], ["会员（人）", "8 500", "9 200"]]


def hand_typed(path: Path, tracked: bool = False, repeat: int = 1) -> Path:
    """The TEXTS as a typist would type them; ``repeat`` copies the middle part (long files)."""
    doc = docx.Document()
    paras = []
    for i, text in enumerate(TEXTS):
        if i == 3 and repeat > 1:
            for _ in range(repeat - 1):
                for t in TEXTS[3:13]:
                    doc.add_paragraph(t)
        style = "Heading 1" if text.startswith("一、") else "Title" if i == 0 else None
        paras.append(doc.add_paragraph(text, style=style))
        if i == 8:
            table = doc.add_table(rows=len(TABLE), cols=3)
            for r, row in enumerate(TABLE):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    paras[5].runs[0].bold = True  # 1. typed bold
    # a run whose East Asian font the typist set to 宋体 by hand
    rpr = paras[2].runs[0]._r.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    paras[2].paragraph_format.first_line_indent = None
    if tracked:
        ins = OxmlElement("w:ins")
        ins.set(qn("w:id"), "1")
        ins.set(qn("w:author"), "张三")
        run = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = "补充一句。"
        run.append(t)
        ins.append(run)
        paras[6]._p.append(ins)
    doc.save(str(path))
    return path


VARIANT_TEXTS = [
    "XX区总工会",
    "2025年上半年工作总结",
    "今年以来，区总工会在区委和市总工会的领导下，围绕中心、服务大局，各项工作稳步推进。",
    "一.强化政治引领",
    "(一)深化理论学习",
    "1、组织专题学习12场次。",
    "(1)开展“学习强会”活动",
    "（二）加强阵地建设。新建职工书屋6家，改造提升职工之家10家，职工文化阵地不断完善，覆盖面进一步扩大。",
    "二、下半年工作打算",
    "继续做好困难职工帮扶和职工权益维护工作——确保各项任务落到实处…",
    "XX区总工会",
    "二〇二五年七月十日",
]
VARIANT_ROLES = ["title", "title", "body", "h1", "h2", "h3", "h4", "body", "h1", "body", "sign", "date"]


def variant_typed(path: Path) -> Path:
    """Another typist: a two-line title, ASCII brackets and 一./1、 numbering, a run-in heading,
    a sentence split over runs of different fonts, no blank lines, a date in Chinese numerals."""
    doc = docx.Document()
    for text in VARIANT_TEXTS:
        para = doc.add_paragraph()
        if text.startswith("今年以来"):
            for piece, font in ((text[:10], "宋体"), (text[10:], "楷体")):
                run = para.add_run(piece)
                run.font.size = docx.shared.Pt(14)
                run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        else:
            para.add_run(text)
        if text == "XX区总工会" and para is not doc.paragraphs[0]:
            para.alignment = 2  # right, typed by hand
    doc.save(str(path))
    return path
