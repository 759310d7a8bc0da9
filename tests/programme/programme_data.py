"""The files of a small test programme folder and the helper that writes them (shared by the
programme tests; a module of its own so that its name cannot clash with another conftest)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

REPORT_DATA = Path(__file__).resolve().parents[1] / "report" / "data"

PROGRAMME = """\
[programme]
name = "Test cooperation"
name_zh = "测试合作"
first_year = 2017
last_year = 2019
[programme.description]
en = "A test programme."
zh = "测试项目。"
[programme.lessons]
2018 = [{ en = "Plan the workshops early.", zh = "尽早规划研讨会。" }]
"""
PARTNERS = """\
name,name_zh,country,role,illustrative
Danish EPA,丹麦环境保护署,Denmark,lead,no
Beijing Water Authority,北京市水务局,China,partner,yes
"""
ACTIVITIES = """\
date,kind,title,title_zh,place,participants,partners,illustrative
2018-03-12,workshop,Kick-off,启动会,Beijing,30,Danish EPA;Beijing Water Authority,yes
2018-03-20,site_visit,Pilot visit,试点考察,Tongzhou,12,Beijing Water Authority,no
2018-09-05,training,Training,培训,Copenhagen,15,Danish EPA,no
2019-01-10,conference,Annual meeting,年会,Beijing,50,,no
"""
INDICATORS = """\
[[indicator]]
id = "capture"
sdg = "11.b"
name = "Capture ratio of the pilot plan"
name_zh = "试点规划年径流总量控制率"
unit = "-"
baseline = 0.6
target = 0.85
from = { district = "results.json", scenario = "combined", indicator = "capture_ratio" }

[[indicator]]
id = "self_sufficiency"
sdg = "6.3"
name = "Plant electricity self-sufficiency"
name_zh = "污水厂电力自给率"
unit = "-"
from = { plant = "results.json", indicator = "electricity_self_sufficiency" }

[[indicator]]
id = "saved"
sdg = "7.3"
name = "Energy saved"
name_zh = "节能量"
unit = "kWh"
from = { portfolio = "results.json", indicator = "kwh_saved" }

[[indicator]]
id = "treated"
sdg = "6.3.1"
name = "Wastewater safely treated"
name_zh = "污水安全处理比例"
unit = "-"
baseline = 0.90
target = 0.95
values = { 2017 = 0.91, 2018 = 0.93 }
illustrative = true
"""


def write_programme(folder: Path, **overrides: str) -> Path:
    """The test programme in ``folder``; ``overrides`` replace a file's text by its stem."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"programme.toml": PROGRAMME, "partners.csv": PARTNERS, "activities.csv": ACTIVITIES,
             "indicators.toml": INDICATORS}
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(overrides.get(name.split(".")[0], text)), encoding="utf-8")
    shutil.copy(REPORT_DATA / "results_small.json", folder / "results.json")
    return folder
