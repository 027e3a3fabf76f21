"""The commented figures file that `drafter init` writes."""

from __future__ import annotations

import datetime as dt

from ..errors import DrafterError
from .model import KIND_LABELS

_SCAFFOLD_HEAD = """\
# 工作报告数据文件（由 drafter init 生成）。把示例内容换成本单位的真实情况，然后运行：
#   drafter draft {name} -o 初稿.docx
# 规则：冒号后留一个空格；缩进用空格不用 Tab；数字用阿拉伯数字（300、2.3万）；
#       约数照实写“320余”“近300”，drafter 不会自己加“余、多、近”。
#       不需要的项可以删掉；缺的数字会在初稿中标黄写成【待补充：…】。

单位: 某某县总工会            # 必填：本单位全称，用于标题、导语和落款
上级单位: [县委, 市总工会]    # 选填：领导本单位的党委和上级工会，写进导语“在……的坚强领导下”
类型: {kind_label}                    # 必填：年度、半年 或 五年
{period}# 标题: 某某县总工会工作总结  # 选填：不写则按单位和年份自动生成
# 导语: ……                    # 选填：开头一段话；不写则用通用导语
"""

_PERIODS = {
    "annual": "年份: {year}                    # 必填：总结的年份\n",
    "half-year": "年份: {year}                    # 必填：总结的年份\n半年: 上半年                  # 必填：上半年 或 下半年\n",
    "five-year": "年份: {year}                    # 必填：五年中的最后一年\n起始年份: {start}                # 选填：五年中的第一年，不写则为 年份-4\n",
}

# One figure per chapter is enough to show the shape; values are invented.
_SCAFFOLD_CHAPTERS = {
    "思想引领": ("组织劳模工匠宣讲", 60, "场", 48, "组建职工宣讲队，深入企业车间开展主题宣讲"),
    "建功立业": ("开展劳动和技能竞赛", 30, "项", 26, "围绕重点项目开展立功竞赛"),
    "维权服务": ("慰问困难职工和一线职工", 3200, "人次", 2900, "建成户外劳动者服务站点，夏季开展送清凉活动"),
    "改革创新": ("新建基层工会", 25, "家", 21, "推进新就业形态劳动者入会，上线网上入会服务"),
    "党建自身建设": ("开展廉政教育", 6, "次", 5, "开展“清廉工会”建设，机关干部定期下基层调研"),
}


CHAPTER_NOTES = {
    "思想引领": "思想政治引领、宣讲、职工文化（整章不写则初稿中留【待补充】）",
    "建功立业": "劳动和技能竞赛、工匠劳模、职工创新",
    "维权服务": "法律援助、集体协商、帮扶慰问、服务站点",
    "改革创新": "基层组织建设、建会入会、智慧工会",
    "党建自身建设": "党风廉政、作风建设、机关建设",
}


def scaffold_yaml(kind: str = "annual", year: int | None = None, name: str = "数据.yaml") -> str:
    """A filled-in figures file for a fictional unit, a Chinese comment on every field."""
    if kind not in KIND_LABELS:
        raise DrafterError(f"报告类型应为 annual、half-year 或 five-year，写成了“{kind}”。")
    year = year or dt.date.today().year
    start = year - 4
    out = [_SCAFFOLD_HEAD.format(name=name, kind_label=KIND_LABELS[kind], period=_PERIODS[kind].format(year=year, start=start))]
    first = True
    for chapter, (item, value, unit, last, highlight) in _SCAFFOLD_CHAPTERS.items():
        out.append(f"\n{chapter}:   # {CHAPTER_NOTES[chapter]}\n")
        if first:
            out.append("  # 小标题: 自己拟的小标题     # 选填：不写则用模板的通用小标题\n")
        out.append("  数据:" + ("                         # 本章的数字，每项以“- 项目:”开头" if first else "") + "\n")
        out.append(f"    - 项目: {item}" + ("      # 必填：做了什么（动宾短语，数字接在后面）" if first else "") + "\n")
        out.append(f"      数值: {value}" + ("                # 数字；约数写 320余 或 近300；不知道先空着" if first else "") + "\n")
        out.append(f"      单位: {unit}" + ("                # 选填：场、项、人次、万元、% ……" if first else "") + "\n")
        if kind == "five-year":
            series = ", ".join(f"{y}: {round(value * (0.8 + 0.05 * (y - start)))}" for y in range(start, year + 1))
            out.append(f"      逐年: {{{series}}}" + ("   # 选填：五年逐年数值，用于“累计”“年均”" if first else "") + "\n")
        else:
            out.append(f"      上年: {last}" + ("                # 选填：上年同期数值，用于“同比增长/下降”" if first else "") + "\n")
        out.append("  亮点:" + ("                         # 本章的做法和亮点，用自己的话，每条一行" if first else "") + "\n")
        out.append(f"    - {highlight}\n")
        first = False
    out.append(
        "\n问题:                           # 存在的问题和不足，每条一行\n"
        "  - 基层工会服务职工的能力还不平衡\n"
        "\n打算:                           # 下一步工作打算，每条一行\n"
        "  - 持续深化产业工人队伍建设改革\n"
        "\n落款:                           # 文末署名和日期\n"
        "  单位: 某某县总工会            # 选填：不写则用上面的“单位”\n"
        f"  日期: {year}-12-20              # 成文日期，如 2025-12-20 或 2025年12月20日；不写则留【待补充】\n"
    )
    return "".join(out)
