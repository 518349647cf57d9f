"""Where reportgen's time goes for one report: import costs and each build phase.

    python -m benchmarks.phases SURVEY... [--profile FILE]

Prints JSON: the import time of each heavy library (each in a fresh interpreter, less a bare
interpreter's start), then for each survey in ONE process (libraries already imported, as in
a worker) the time to load, render the template, draw the charts, write the DOCX and write
the PDF, and their mean. With --profile, cProfile's top functions for the charts and for
the PDF writes go to FILE.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

IMPORTS = {
    "reportgen.cli": "import reportgen.cli",
    "jinja2+lxml (templating)": "import reportgen.templating.environment, lxml.etree",
    "matplotlib (charts)": "import reportgen.charts",
    "python-docx": "import docx",
    "weasyprint": "import weasyprint",
}


def import_seconds() -> dict[str, float]:
    def run(code: str) -> float:
        best = float("inf")
        for _ in range(3):  # best of three: the shared machine adds noise, never removes it
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            best = min(best, time.perf_counter() - start)
        return best

    bare = run("pass")
    return {name: round(run(code) - bare, 3) for name, code in IMPORTS.items()}


def phase_seconds(paths: list[Path], profile: Path | None) -> dict[str, Any]:
    from reportgen.build import render_document, render_figures, template_set_for
    from reportgen.survey import load_survey
    from reportgen.writers import get_writer

    docx_writer, pdf_writer = get_writer("docx"), get_writer("pdf")
    # Two profilers: the charts and the PDF writes are the two big costs.
    chart_profiler = cProfile.Profile() if profile else None
    profiler = cProfile.Profile() if profile else None
    rows: list[dict[str, float]] = []
    # Timed passes run without the profilers (cProfile doubles Python-heavy code); the
    # profiled pass comes after, over the same surveys. The first survey warms caches.
    runs = [(path, False) for path in [paths[0], *paths]]
    if profile:
        runs += [(path, True) for path in paths]
    for i, (path, profiling) in enumerate(runs):
        t0 = time.perf_counter()
        survey = load_survey(path)
        t1 = time.perf_counter()
        template_set = template_set_for(survey)
        document = render_document(survey, template_set)
        t2 = time.perf_counter()
        if chart_profiler and profiling:
            chart_profiler.enable()
        render_figures(document)
        if chart_profiler and profiling:
            chart_profiler.disable()
        t3 = time.perf_counter()
        docx_writer.write(document, template_set, io.BytesIO())
        t4 = time.perf_counter()
        if profiler and profiling:
            profiler.enable()
        pdf = io.BytesIO()
        pdf_writer.write(document, template_set, pdf)
        if profiler and profiling:
            profiler.disable()
        t5 = time.perf_counter()
        if i and not profiling:
            rows.append({"load": t1 - t0, "template": t2 - t1, "charts": t3 - t2,
                         "docx": t4 - t3, "pdf": t5 - t4, "total": t5 - t0,
                         "figures": len(document.figures()), "pdf_bytes": len(pdf.getvalue())})
    if profiler and chart_profiler and profile:
        text = io.StringIO()
        for title, which in (("PDF writer (WeasyPrint)", profiler),
                             ("charts (matplotlib)", chart_profiler)):
            text.write(f"===== {title}, {len(rows)} reports =====\n")
            stats = pstats.Stats(which, stream=text)
            stats.sort_stats("cumulative").print_stats(35)
            stats.sort_stats("tottime").print_stats(20)
        profile.write_text(text.getvalue(), encoding="utf-8")
    keys = ["load", "template", "charts", "docx", "pdf", "total"]
    return {
        "reports": len(rows),
        "mean_seconds": {k: round(statistics.mean(r[k] for r in rows), 3) for k in keys},
        "per_report": [{k: round(v, 3) for k, v in r.items()} for r in rows],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Import and phase timings of reportgen.")
    parser.add_argument("surveys", nargs="+", type=Path)
    parser.add_argument("--profile", type=Path, help="write cProfile output of the PDF writes")
    parser.add_argument("--no-imports", action="store_true", help="skip the import timings")
    args = parser.parse_args(argv)
    result: dict[str, Any] = {}
    if not args.no_imports:
        result["import_seconds"] = import_seconds()
    result["phases"] = phase_seconds(args.surveys, args.profile)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
