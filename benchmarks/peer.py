"""The peer pipeline: what an office would script instead of reportgen, for the benchmark only.

A Word template with docxtpl tags (built here with python-docx on the default set's
reference.docx, so the styles, page setup and page-number footer are the same), filled per
survey with docxtpl; the same three matplotlib charts as PNG; then LibreOffice headless turns
the DOCX files into PDF. N workers (processes) each take every N-th survey, write all their
DOCX files, and convert them in ONE soffice call with their own profile (-env:
UserInstallation), which is the fastest way to drive LibreOffice from a script. The
per-report variant starts soffice once per report instead, as a naive script does.

To keep the comparison honest, the peer gets the same input and draws the same pictures:
it reads the survey with reportgen's loader (the same validation cost), writes the same
sentences with reportgen.formatting, picks the same table columns (helpers.cluster_columns)
and draws the same chart data (the helpers' ChartSpec). It draws them as an office script
would, NOT with reportgen.charts: pyplot, the CJK font added by file, tight_layout and a plain
`savefig` at 150 dpi (peer_chart_png). Otherwise every speed-up of reportgen's chart code
would speed the peer up too and hide the gain. What differs is the part the benchmark is
about: reportgen's templates, charts, python-docx writer and WeasyPrint against docxtpl,
plain matplotlib and LibreOffice. Both pipelines write a DOCX and a PDF per survey.

    python -m benchmarks.peer SURVEYS... --out DIR [--jobs 2] [--per-report]
                              [--template FILE] [--profiles DIR] [--stats FILE.json]
    python -m benchmarks.peer --warm --profiles DIR [--jobs 2]   create the soffice profiles
"""

from __future__ import annotations

import argparse
import html
import io
import json
import multiprocessing
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docxtpl import DocxTemplate

    from reportgen.survey.model import Cluster, Finding, Survey

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DOCX = ROOT / "templates" / "default" / "reference.docx"
CONVERT_TIMEOUT = 3600  # seconds for one soffice batch; a hung LibreOffice must not hang a run


def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        raise SystemExit("LibreOffice (soffice) is not installed; the peer pipeline needs it")
    return path


# -- the Word template ------------------------------------------------------------------


def build_template(target: Path, reference: Path = REFERENCE_DOCX) -> Path:
    """Write the docxtpl template: the reference document's styles with Jinja tags as text."""
    import docx

    doc = docx.Document(str(reference))
    body = doc.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):  # keep page setup and the page-number footer
            body.remove(child)

    def para(text: str, style: str = "Body Text") -> None:
        doc.add_paragraph(text, style=style)

    def run_in(heading: str, text: str) -> None:
        p = doc.add_paragraph(style="Body Text")
        p.add_run(heading, style="Run-in Heading 2")
        p.add_run(text)

    para("{{ title }}", "Title")
    para("{{ lead }}")
    para("{{ status_heading }}", "Heading 1")
    para("{{ summary }}")
    para("{%p for t in tables %}")
    para("{{ t.caption }}", "Table Caption")
    _table_template(doc)
    para("{%p endfor %}")
    para("{%p for f in figures %}")
    para("{{ f.image }}", "Figure")
    para("{{ f.caption }}", "Image Caption")
    para("{%p endfor %}")
    para("{%p for c in clusters %}")
    run_in("{{ c.heading }}", "{{ c.text }}")
    para("{%p endfor %}")
    para("{%p for s in sections %}")
    para("{{ s.heading }}", "Heading 1")
    para("{%p for f in s.findings %}")
    run_in("{{ f.heading }}", "{{ f.detail }}")
    para("{%p for m in f.measures %}")
    para("{{ m }}", "List Number")
    para("{%p endfor %}")
    para("{%p endfor %}")
    para("{%p endfor %}")
    para("")
    para("{{ author }}", "Signature")
    para("{{ date }}", "Signature")
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))
    return target


def _table_template(doc: Any) -> None:
    """A table whose columns and rows come from the data ({%tc %} and {%tr %} loops)."""
    table = doc.add_table(rows=7, cols=3)
    table.style = "Report Table"
    table.autofit = True

    def cell(row: int, col: int, text: str, style: str = "Table Text",
             bold: bool = False) -> None:
        p = table.cell(row, col).paragraphs[0]
        p.style = style
        p.add_run(text).bold = bold or None

    cell(0, 0, "{%tc for h in t.header %}")
    cell(0, 1, "{{ h }}", "Table Header")
    cell(0, 2, "{%tc endfor %}")
    cell(1, 0, "{%tr for row in t.rows %}")
    cell(2, 0, "{%tc for v in row %}")
    cell(2, 1, "{{ v }}")
    cell(2, 2, "{%tc endfor %}")
    cell(3, 0, "{%tr endfor %}")
    cell(4, 0, "{%tr if t.total %}")
    cell(5, 0, "{%tc for v in t.total %}")
    cell(5, 1, "{{ v }}", bold=True)
    cell(5, 2, "{%tc endfor %}")
    cell(6, 0, "{%tr endif %}")


# -- the data for one survey ------------------------------------------------------------


def _chart_spec(markup: str) -> Any:
    """The chart reportgen's helper describes, as a ChartSpec: same data, same picture."""
    from reportgen.document.model import ChartSpec

    raw = re.search(r'data-chart="([^"]*)"', str(markup))
    assert raw is not None, markup
    data = json.loads(html.unescape(raw.group(1)))
    return ChartSpec(chart=data["chart"], title=data["title"], categories=data["categories"],
                     series=[(name, values) for name, values in data["series"]],
                     unit=data["unit"], x_label=data["x_label"], y_label=data["y_label"])


PEER_DPI = 150
_peer_fonts_ready = False


def _peer_fonts() -> None:
    """What an office script does once: add the CJK font by its file and make it the default."""
    global _peer_fonts_ready
    if _peer_fonts_ready:
        return
    import matplotlib
    from matplotlib import font_manager

    matplotlib.use("Agg")
    for family in ("FandolHei", "Noto Sans CJK SC"):
        found = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True,
                               text=True, check=False).stdout.strip()
        if found:
            font_manager.fontManager.addfont(found)
    matplotlib.rcParams["font.sans-serif"] = ["FandolHei", "Noto Sans CJK SC", "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    _peer_fonts_ready = True


def peer_chart_png(spec: Any, width_cm: float = 15.0) -> bytes:
    """One chart as an office script draws it: pyplot, tight_layout, savefig at 150 dpi."""
    _peer_fonts()
    import matplotlib.pyplot as plt

    width = width_cm / 2.54
    fig, ax = plt.subplots(figsize=(width, width * 0.62))
    try:
        xs = list(range(len(spec.categories)))
        if spec.chart == "bar":
            n = max(len(spec.series), 1)
            for i, (name, values) in enumerate(spec.series):
                bars = ax.bar([x - 0.36 + 0.72 / n * (i + 0.5) for x in xs], values,
                              width=0.72 / n * 0.92, label=name)
                ax.bar_label(bars, fontsize=8)
            ax.set_xticks(xs, spec.categories, fontsize=8)
        elif spec.chart == "pie":
            ax.pie(spec.series[0][1], labels=spec.categories, autopct="%.1f%%",
                   startangle=90, counterclock=False, textprops={"fontsize": 8})
            ax.set_aspect("equal")
        else:
            for name, values in spec.series:
                known = [(x, v) for x, v in zip(xs, values, strict=False) if v is not None]
                ax.plot([x for x, _ in known], [v for _, v in known], marker="o", label=name)
            ax.set_xticks(xs, spec.categories, fontsize=8)
        if spec.chart != "pie" and spec.unit:
            ax.set_ylabel(spec.unit)
        if len(spec.series) > 1:
            ax.legend(fontsize=8)
        ax.set_title(spec.title)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=PEER_DPI)
    finally:
        plt.close(fig)
    return buf.getvalue()


def _lead(survey: Survey, whole: str) -> str:
    from reportgen import formatting as fm

    report = survey.report
    text = f"为全面掌握{whole}产业集群发展情况，{report.author}"
    if report.methods:
        text += f"采取{fm.join_cn(report.methods)}等方式，"
    text += f"对{survey.region.name}产业集群发展情况进行了调研。{report.intro or ''}"
    return text + "现将有关情况报告如下："


def _summary(survey: Survey, whole: str) -> str:
    from reportgen import formatting as fm
    from reportgen.templating.context import summarize

    s = summarize(survey)
    text = f"据统计，{survey.report.year}年{whole}共有主要产业集群{s.cluster_count}个"
    if s.enterprises is not None:
        text += f"，集群内企业{s.enterprises}家"
        if s.above_scale is not None:
            text += f"，其中规模以上企业{s.above_scale}家"
            if s.above_scale_share is not None:
                text += f"，占{whole}规模以上工业企业的{fm.percent(s.above_scale_share)}"
    if s.employees is not None:
        text += f"，从业人员{s.employees}人"
    text += f"。各产业集群共实现{s.output_label}{fm.money(s.output)}"
    if s.growth is not None:
        text += f"，{fm.growth(s.growth)}"
    if s.output_share is not None:
        label = survey.totals.industrial_output_label
        text += f"，占{whole}{label}的{fm.percent(s.output_share)}"
    return text + "。"


def _cluster_text(c: Cluster, year: int) -> str:
    from reportgen import formatting as fm

    parts: list[str] = []
    if c.enterprises is not None:
        t = f"共有企业{c.enterprises}家"
        if c.above_scale is not None:
            t += f"，其中规模以上企业{c.above_scale}家"
        if c.employees is not None:
            t += f"，从业人员{c.employees}人"
        parts.append(t + "。")
    elif c.employees is not None:
        parts.append(f"从业人员{c.employees}人。")
    if c.location:
        parts.append(f"主要分布在{fm.join_cn(c.location)}。")
    if c.registered_capital is not None:
        parts.append(f"集群企业注册资金{fm.money(c.registered_capital)}。")
    t = f"{year}年实现{c.output_label}{fm.money(c.output)}"
    if c.growth_rate is not None:
        t += f"，{fm.growth(c.growth_rate)}"
    if c.profit_tax is not None:
        t += f"，利税{fm.money(c.profit_tax)}"
        if c.profit is not None:
            t += f"，其中利润{fm.money(c.profit)}"
    elif c.profit is not None:
        t += f"，利润{fm.money(c.profit)}"
    parts.append(t + "。")
    if c.honors:
        parts.append("集群内企业获得" + "、".join(f"{k}{v}件" for k, v in c.honors.items()) + "。")
    if c.high_tech_enterprises is not None and c.rd_centers is not None:
        parts.append(f"拥有高新技术企业{c.high_tech_enterprises}家、技术开发中心{c.rd_centers}处。")
    elif c.high_tech_enterprises is not None:
        parts.append(f"拥有高新技术企业{c.high_tech_enterprises}家。")
    elif c.rd_centers is not None:
        parts.append(f"拥有技术开发中心{c.rd_centers}处。")
    if c.market_share is not None:
        parts.append(f"主要产品国内市场占有率达{fm.percent(c.market_share)}。")
    if c.products:
        parts.append(f"主要产品有{fm.join_cn(c.products)}等。")
    if c.lead_enterprises:
        parts.append(f"骨干企业主要有{fm.join_cn(c.lead_enterprises)}等。")
    if c.description:
        parts.append(c.description)
    return "".join(parts)


def _finding(n: int, f: Finding) -> dict[str, Any]:
    from reportgen import formatting as fm

    title = f.title.strip()
    if title and title[-1] not in "。！？：；…":
        title += "。"
    return {"heading": fm.heading_number(2, n) + title, "detail": f.detail or "",
            "measures": [f"{i}.{m}" for i, m in enumerate(f.measures, 1)]}


def context(survey: Survey, tpl: DocxTemplate) -> dict[str, Any]:
    """Everything the Word template prints for one survey."""
    from docx.shared import Cm
    from docxtpl import InlineImage

    from reportgen import formatting as fm
    from reportgen.templating import helpers
    from reportgen.templating.context import groups, has_history, region_word, summarize

    year, region = survey.report.year, survey.region.name
    whole = "全" + region_word(survey)
    label = summarize(survey).output_label
    tables = []
    for group in groups(survey.clusters):
        rows = list(group.clusters)
        columns = helpers.cluster_columns(rows)
        kind = f"{group.name}产业集群" if group.name else "主要产业集群"
        tables.append({
            "caption": f"表{len(tables) + 1}\u3000{year}年{region}{kind}基本情况",
            "header": [c.header for c in columns],
            "rows": [[c.value(r) for c in columns] for r in rows],
            "total": ([c.total(rows) if c.total else "—" for c in columns]
                      if len(rows) >= 2 else []),
        })
    charts = []
    if len(survey.clusters) >= 2:
        charts.append(helpers.output_bar_chart(
            survey.clusters, f"{year}年{region}主要产业集群{label}"))
    if helpers.can_draw_pie(survey):
        charts.append(helpers.output_pie_chart(survey, f"{year}年{region}产业集群{label}构成"))
    if has_history(survey):
        charts.append(helpers.trend_chart(survey, f"{region}主要产业集群{label}变化趋势"))
    figures = []
    for i, markup in enumerate(charts, 1):
        caption = html.unescape(re.sub(r".*<figcaption>(.*)</figcaption>.*", r"\1", markup))
        png = peer_chart_png(_chart_spec(markup))
        figures.append({"image": InlineImage(tpl, io.BytesIO(png), width=Cm(14)),
                        "caption": f"图{i}\u3000{caption}"})
    sections = []
    for title, findings in (("存在的主要问题", survey.problems), ("原因分析", survey.causes),
                            ("对策建议", survey.suggestions)):
        if findings:
            sections.append({
                "heading": fm.heading_number(1, len(sections) + 2) + title,
                "findings": [_finding(i, f) for i, f in enumerate(findings, 1)],
            })
    return {
        "title": survey.title,
        "lead": _lead(survey, whole),
        "status_heading": f"一、{region}产业集群发展现状",
        "summary": _summary(survey, whole),
        "tables": tables,
        "figures": figures,
        "clusters": [{"heading": f"{fm.heading_number(2, i)}{c.name}。",
                      "text": _cluster_text(c, year)}
                     for i, c in enumerate(survey.clusters, 1)],
        "sections": sections,
        "author": survey.report.author,
        "date": fm.date_cn(survey.report.date),
    }


def render_docx(path: Path, template: Path, out_dir: Path) -> Path:
    """One survey → one DOCX with docxtpl."""
    from docxtpl import DocxTemplate

    from reportgen.survey import load_survey

    survey = load_survey(path)
    tpl = DocxTemplate(str(template))  # a template renders once: a fresh one per report
    tpl.render(context(survey, tpl), autoescape=True)
    target = out_dir / f"{path.stem}.docx"
    tpl.save(str(target))
    return target


# -- LibreOffice ------------------------------------------------------------------------


def convert(docx_files: list[Path], out_dir: Path, profile: Path) -> None:
    """DOCX → PDF in one soffice run with its own profile; raise if any PDF is missing."""
    command = [soffice(), f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
               "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(out_dir),
               *map(str, docx_files)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=CONVERT_TIMEOUT,
                            check=False)
    missing = [p for p in docx_files if not (out_dir / f"{p.stem}.pdf").is_file()]
    if result.returncode != 0 or missing:
        raise RuntimeError(f"soffice exit {result.returncode}, {len(missing)} PDF missing: "
                           f"{result.stderr.strip()[-500:]}")


def warm_profiles(profiles: Path, jobs: int) -> None:
    """Create each worker's LibreOffice profile once, as a user's long-lived profile would be.

    A fresh profile costs soffice several seconds on its first start; an office machine has
    one already, so the timed runs must not pay for it.
    """
    with tempfile.TemporaryDirectory() as tmp:
        import docx

        sample = Path(tmp) / "warm.docx"
        doc = docx.Document()
        doc.add_paragraph("预热")
        doc.save(str(sample))
        for k in range(jobs):
            convert([sample], Path(tmp), profiles / f"worker{k}")


# -- workers ----------------------------------------------------------------------------


def worker(index: int, paths: list[Path], out_dir: Path, template: Path, profile: Path,
           per_report: bool) -> dict[str, float]:
    """One worker's share: DOCX for each survey, then PDF (one soffice, or one per report)."""
    docx_seconds = convert_seconds = 0.0
    written: list[Path] = []
    for path in paths:
        start = time.perf_counter()
        target = render_docx(path, template, out_dir)
        docx_seconds += time.perf_counter() - start
        if per_report:
            start = time.perf_counter()
            convert([target], out_dir, profile)
            convert_seconds += time.perf_counter() - start
        else:
            written.append(target)
    if written:
        start = time.perf_counter()
        convert(written, out_dir, profile)
        convert_seconds += time.perf_counter() - start
    return {"worker": index, "reports": len(paths), "docx_seconds": docx_seconds,
            "convert_seconds": convert_seconds}


def run_peer(paths: list[Path], out_dir: Path, jobs: int, template: Path, profiles: Path,
             per_report: bool = False) -> list[dict[str, float]]:
    out_dir.mkdir(parents=True, exist_ok=True)
    shares = [paths[k::jobs] for k in range(jobs)]
    shares = [share for share in shares if share]
    args = [(k, share, out_dir, template, profiles / f"worker{k}", per_report)
            for k, share in enumerate(shares)]
    if len(args) == 1:
        return [worker(*args[0])]
    # fork: the parent has imported nothing heavy, so each worker imports docxtpl and
    # matplotlib once, as reportgen's workers do.
    with multiprocessing.get_context("fork").Pool(len(args)) as pool:
        return pool.starmap(worker, args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="docxtpl + LibreOffice peer pipeline.")
    parser.add_argument("surveys", nargs="*", type=Path, help="survey files or folders")
    parser.add_argument("--out", type=Path, help="output folder")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--per-report", action="store_true",
                        help="start soffice once per report instead of once per worker")
    parser.add_argument("--template", type=Path, help="docxtpl template (built if missing)")
    parser.add_argument("--profiles", type=Path, help="folder for the soffice profiles")
    parser.add_argument("--warm", action="store_true", help="only create the profiles")
    parser.add_argument("--stats", type=Path, help="write per-worker timings here as JSON")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    with tempfile.TemporaryDirectory() as tmp:
        profiles = args.profiles or Path(tmp) / "profiles"
        if args.warm:
            warm_profiles(profiles, args.jobs)
            return 0
        if not args.surveys or args.out is None:
            parser.error("give survey files or folders and --out")
        paths: list[Path] = []
        for raw in args.surveys:
            paths += sorted(raw.glob("*.yaml")) if raw.is_dir() else [raw]
        template = args.template or Path(tmp) / "peer_template.docx"
        if not template.is_file():
            build_template(template)
        stats = run_peer(paths, args.out, args.jobs, template, profiles, args.per_report)
    if args.stats:
        args.stats.write_text(json.dumps(stats, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
