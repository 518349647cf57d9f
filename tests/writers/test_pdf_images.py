"""Charts reach the PDF as JPEG (WeasyPrint embeds those as they are) with the PNG's pixels."""

from __future__ import annotations

import subprocess
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

from reportgen.build.pipeline import (
    render_document,
    render_figures,
    template_set_for,
    write_format,
)
from reportgen.survey import load_survey
from reportgen.writers.pdf_writer import JPEG_QUALITY, print_image
from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]
SURVEY = ROOT / "tests" / "goldens" / "inputs" / "zhucheng.yaml"


def test_charts_are_embedded_as_jpeg_with_the_same_pixels(tmp_path: Path) -> None:
    survey = load_survey(SURVEY)
    document = render_document(survey)
    render_figures(document)
    pngs = [figure.image for figure in document.figures()]
    assert pngs and all(pngs)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(write_format(document, template_set_for(survey), "pdf"))
    listing = subprocess.run([need("pdfimages"), "-list", str(pdf)], capture_output=True,
                             text=True, check=True).stdout.splitlines()[2:]
    encodings = [line.split()[8] for line in listing]
    types = [line.split()[2] for line in listing]
    assert encodings == ["jpeg"] * len(pngs)  # passed through: no re-encoded PNG
    assert "smask" not in types  # and no alpha mask split off
    subprocess.run([need("pdfimages"), "-png", str(pdf), str(tmp_path / "img")], check=True)
    for k, png in enumerate(pngs):
        drawn = Image.open(tmp_path / f"img-{k:03d}.png").convert("RGB")
        assert png is not None
        original = Image.open(BytesIO(png)).convert("RGB")
        assert drawn.size == original.size
        difference = ImageStat.Stat(ImageChops.difference(drawn, original))
        assert max(difference.mean) < 1.0  # of 255: invisible, even magnified


def test_print_images_are_reproducible_and_keep_the_resolution() -> None:
    image = Image.new("RGB", (40, 20), "white")
    out = BytesIO()
    image.save(out, format="PNG", dpi=(180, 180))
    jpeg = print_image(out.getvalue())
    assert jpeg.startswith(b"\xff\xd8\xff") and jpeg == print_image(out.getvalue())
    with Image.open(BytesIO(jpeg)) as opened:
        assert opened.format == "JPEG" and round(opened.info["dpi"][0]) == 180
    assert JPEG_QUALITY >= 90
