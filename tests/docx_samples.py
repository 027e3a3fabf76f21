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
