"""A real browser (headless Chromium through chromedriver) on a real server: the clerk's whole path.

Open the page, upload a seed report, search 送温暖 in 维权服务, fill the 写初稿 form with the
example's figures, download the .docx and open it, check it on 查稿子. A screenshot of each page
goes to $DRAFTER_SHOTS (default /tmp/shots), outside the repository.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from web_helpers import EXAMPLE, ROOT, example_fields

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver")
selenium = pytest.importorskip("selenium", reason="selenium is not installed (pip install -e .[test])")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                       reason="Chromium and chromedriver are not installed (apt install chromium chromium-driver)"),
]

SEED = ROOT / "corpus" / "002_083f2ba9b5ccd482.txt"
SHOTS = Path(os.environ.get("DRAFTER_SHOTS", "/tmp/shots"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from waitress import create_server

    from drafter.web import create_app

    base = tmp_path_factory.mktemp("browser")
    app = create_app(base / "corpus", base / "data")
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.effective_port}"
    srv.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--window-size=1280,1800",
                 f"--user-data-dir={tmp_path_factory.mktemp('profile')}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    yield driver
    driver.quit()


def shot(driver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1280, min(max(height + 100, 900), 6000))
    driver.save_screenshot(str(SHOTS / f"{name}.png"))
    driver.set_window_size(1280, 1800)


def wait(driver, condition, seconds: float = 120):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # The library page reloads itself after an upload: elements may go stale while polled.
    ignored = (NoSuchElementException, StaleElementReferenceException)
    return WebDriverWait(driver, seconds, ignored_exceptions=ignored).until(condition)


def test_clerk_path(server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select

    # 我的资料库: upload a seed report through the page's file picker (what a drop also feeds).
    report = tmp_path / "济宁市总工会工作纪实.txt"
    report.write_bytes(SEED.read_bytes() + "\n今年共走访慰问困难职工三百户。\n".encode())
    browser.get(server + "/library")
    assert browser.find_element(By.TAG_NAME, "h1").text == "我的资料库"
    picker = browser.find_element(By.ID, "drop-input")
    browser.execute_script("arguments[0].hidden = false;", picker)
    picker.send_keys(str(report))
    wait(browser, lambda d: "新加入" in d.find_element(By.ID, "drop-log").text)
    shot(browser, "1-library-upload")
    wait(browser, lambda d: report.name in d.find_element(By.ID, "corpus-table").text)
    # A folder: its reports go in, anything else is named and skipped.
    folder = tmp_path / "往年报告"
    folder.mkdir()
    (folder / "菏泽纪实.txt").write_bytes((ROOT / "corpus" / "003_538a83465ddcf2c0.txt").read_bytes() + "\n附记。\n".encode())
    (folder / "合影.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a photo")
    picker = browser.find_element(By.ID, "folder-input")
    browser.execute_script("arguments[0].hidden = false;", picker)
    picker.send_keys(str(folder))
    wait(browser, lambda d: "跳过：合影.jpg" in d.find_element(By.ID, "drop-log").text
         and "新加入：菏泽纪实.txt" in d.find_element(By.ID, "drop-log").text)
    shot(browser, "1b-library-folder")
    wait(browser, lambda d: "菏泽纪实.txt" in d.find_element(By.ID, "corpus-table").text)
    browser.find_element(By.XPATH, f"//tr[td[contains(., '{report.name}')]]/td[1]/a").click()
    wait(browser, ec.presence_of_element_located((By.ID, "sections")))
    assert browser.find_element(By.CSS_SELECTOR, "#sections").text.startswith(report.name)
    assert "〈维权服务〉" in browser.find_element(By.CSS_SELECTOR, ".outline").text
    shot(browser, "2-library-sections")

    # 找参考: 送温暖 in 维权服务, highlighted, with its source.
    browser.get(server + "/search")
    browser.find_element(By.NAME, "q").send_keys("送温暖")
    Select(browser.find_element(By.NAME, "chapter")).select_by_visible_text("维权服务")
    browser.find_element(By.CSS_SELECTOR, "#search-form button").click()
    hits = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#hits li.hit"))
    assert any(m.text == "送温暖" for m in browser.find_elements(By.CSS_SELECTOR, "#hits mark"))
    assert all("维权服务" in h.find_element(By.CLASS_NAME, "where").text for h in hits)
    hits[0].find_element(By.CSS_SELECTOR, "button.copy").click()
    wait(browser, lambda d: hits[0].find_element(By.CSS_SELECTOR, "button.copy").text == "已复制", 10)
    shot(browser, "3-search")

    # 写初稿: the example's figures typed into the form.
    browser.get(server + "/draft")
    for name, value in example_fields(EXAMPLE).items():
        found = browser.find_elements(By.NAME, name)
        while not found and ".数据[" in name:  # one more row
            chapter = name.split(".")[0]
            browser.find_element(By.CSS_SELECTOR, f"fieldset[data-chapter='{chapter}'] button.add-row").click()
            found = browser.find_elements(By.NAME, name)
        element = found[0]
        if element.tag_name == "select":
            Select(element).select_by_visible_text(value)
        else:
            element.clear()
            element.send_keys(value)
    shot(browser, "4-draft-form")
    # A mistake first: the message stands next to its field, and what was typed stays.
    year = browser.find_element(By.NAME, "年份")
    year.clear()
    year.send_keys("二〇二五")
    browser.find_element(By.ID, "draft-submit").click()
    wait(browser, ec.presence_of_element_located((By.ID, "page-error")))
    label = browser.find_element(By.XPATH, "//input[@name='年份']/..")
    assert "应为四位数的年份" in label.find_element(By.CLASS_NAME, "field-error").text
    assert browser.find_element(By.NAME, "维权服务.数据[4].项目").get_attribute("value") == "建成户外劳动者服务站点"
    shot(browser, "4b-draft-field-error")
    year = browser.find_element(By.NAME, "年份")
    year.clear()
    year.send_keys("2025")
    browser.find_element(By.ID, "draft-submit").click()
    link = wait(browser, ec.presence_of_element_located((By.ID, "draft-download")), 300)
    assert "青禾县总工会" in browser.find_element(By.ID, "draft-preview").text
    shot(browser, "5-draft-result")
    link.click()
    docx_path = browser.downloads / "初稿.docx"
    deadline = time.time() + 60
    while not docx_path.exists() and time.time() < deadline:
        time.sleep(0.2)
    import docx

    text = "\n".join(p.text for p in docx.Document(str(docx_path)).paragraphs)
    assert "青禾县总工会" in text and "户外劳动者服务站点" in text

    # 查稿子: the downloaded draft with the figures: findings beside paragraphs, a fixed copy.
    browser.get(server + "/check")
    browser.find_element(By.NAME, "file").send_keys(str(docx_path))
    browser.find_element(By.NAME, "figures").send_keys(str(EXAMPLE))
    browser.find_element(By.CSS_SELECTOR, "#check-form button").click()
    heading = wait(browser, lambda d: [h for h in d.find_elements(By.TAG_NAME, "h2") if "初稿.docx" in h.text], 300)
    assert "问题" in heading[0].text
    assert browser.find_elements(By.CSS_SELECTOR, ".para")
    assert browser.find_element(By.CSS_SELECTOR, ".ptext.heading").text.endswith("青禾县总工会2025年工作总结")
    shot(browser, "6-check")

    # A bad upload is a message in the page.
    bad = tmp_path / "坏文件.docx"
    bad.write_bytes(b"not a word file")
    browser.get(server + "/check")
    browser.find_element(By.NAME, "file").send_keys(str(bad))
    browser.find_element(By.CSS_SELECTOR, "#check-form button").click()
    error = wait(browser, ec.presence_of_element_located((By.ID, "page-error")))
    assert "坏文件.docx" in error.text
    shot(browser, "7-check-bad-upload")
