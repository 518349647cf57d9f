"""The live preview in a real browser (headless Debian Chromium): staff's edit-and-save loop.

`reportgen preview --no-browser` runs as a real process over a copy of the template sets and of
one survey; the test edits the template files on disk as an editor would and watches the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import need
from tests.preview.conftest import PreviewProcess, copy_workspace

pytestmark = pytest.mark.slow

# All text of the content area, whitespace removed: a sentence may wrap across printed lines.
_TEXT = "return document.getElementById('content').innerText.replace(/\\s+/g, '');"
_WAIT = 15  # seconds; a refresh takes about one


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = need("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000",
                     "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=need("chromedriver")),
                              options=options)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: webdriver.Chrome, what: str, check: Callable[[], object],
             shots: Path) -> None:
    try:
        WebDriverWait(driver, _WAIT, poll_frequency=0.05).until(lambda _: check())
    except TimeoutException:
        driver.save_screenshot(str(shots / "failed.png"))
        raise AssertionError(f"the page did not show {what} within {_WAIT} s; "
                             f"screenshot: {shots / 'failed.png'}") from None


def test_edit_break_and_fix_a_template_in_the_browser(
        tmp_path: Path, browser: webdriver.Chrome) -> None:
    templates, survey = copy_workspace(tmp_path)
    template = templates / "default" / "report.html"
    original = template.read_text(encoding="utf-8")
    preview = PreviewProcess(str(survey), cwd=tmp_path, templates=templates)
    try:
        url = preview.address()
        browser.get(url)

        def text() -> str:
            return str(browser.execute_script(_TEXT))

        def panels() -> list[object]:
            return browser.find_elements(By.CSS_SELECTOR, ".error-panel")

        wait_for(browser, "the report", lambda: "现将有关情况报告如下" in text(), tmp_path)
        assert "灵溪县产业集群发展情况调研报告" in browser.title
        sheets = browser.find_elements(By.CSS_SELECTOR, ".sheet img")
        assert len(sheets) == 5
        # The first page is drawn (an SVG of the printed page), not a broken image.
        wait_for(browser, "page 1 drawn", lambda: browser.execute_script(
            "const i = document.querySelector('#page-1 img');"
            "return i.complete && i.naturalWidth > 500;"), tmp_path)

        # Change a sentence: the page follows without a reload.
        browser.execute_script("window.notReloaded = true;")
        template.write_text(original.replace("现将有关情况报告如下", "现将调研情况汇报如下"),
                            encoding="utf-8")
        wait_for(browser, "the changed sentence", lambda: "现将调研情况汇报如下" in text(),
                 tmp_path)
        assert browser.execute_script("return window.notReloaded === true;")

        # Break it: an undefined variable on a known line.
        lines = original.split("\n")
        at = next(i for i, line in enumerate(lines) if line.startswith("<h1>")) + 1
        lines.insert(at, "<p>{{ nosuchvar }}</p>")
        template.write_text("\n".join(lines), encoding="utf-8")
        wait_for(browser, "the error panel", panels, tmp_path)
        panel = browser.find_element(By.CSS_SELECTOR, ".error-panel").text
        assert "模板有错误" in panel
        assert "report.html" in panel
        assert f"第 {at + 1} 行" in panel
        assert "nosuchvar" in panel
        hit = browser.find_element(By.CSS_SELECTOR, ".error-panel .line.hit")
        assert hit.find_element(By.CSS_SELECTOR, ".ln").text == str(at + 1)
        assert hit.text.endswith("<p>{{ nosuchvar }}</p>")
        assert "有错误" in browser.find_element(By.ID, "status").text
        assert "disabled" in browser.find_element(By.ID, "download-pdf").get_attribute("class")

        # Fix it: the panel goes away by itself and the report is back.
        template.write_text(original, encoding="utf-8")
        wait_for(browser, "the recovered report",
                 lambda: not panels() and "现将有关情况报告如下" in text(), tmp_path)
        assert "disabled" not in browser.find_element(By.ID, "download-pdf").get_attribute(
            "class")
        assert browser.execute_script("return window.notReloaded === true;")
    finally:
        code, output = preview.interrupt()
    assert code == 0, output
    assert "已停止预览" in output
