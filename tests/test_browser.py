"""The HTML report in a real browser: Playwright driving Debian's Chromium (.ci/install-browser.sh).

Locally these tests skip, saying why, when Playwright or Chromium is missing; in CI
(CI=true) a missing browser fails them. The evidence test saves reports/screenshot.png,
the picture the README shows.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from conftest import ROOT, SEEDS
from test_report_html import XSS_NAME, XSS_TEXT

CHROMIUM = os.environ.get("AUDITOR_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOT = ROOT / "reports" / "screenshot.png"


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright 未安装（python3 -m pip install -e '.[test]'）"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"没有找到 Chromium: {CHROMIUM}（运行 bash .ci/install-browser.sh）"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(f"CI 中必须运行浏览器测试: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.dialogs = []

    def on_dialog(d):
        pg.dialogs.append(d.message)
        d.dismiss()

    pg.on("dialog", on_dialog)
    yield pg
    context.close()


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "site"
    # the seed texts only: their answer keys beside them would be listed as non-disclosures
    seeds = [str(p) for p in sorted(SEEDS.glob("*.txt"))]
    r = CliRunner().invoke(app, ["audit", *seeds, "--html", str(out), "--json", str(out.parent / "r.json"), "-q"])
    assert r.exit_code == 1, r.output
    return out


def _doc_page(site: Path, stem: str) -> str:
    return next(site.glob(f"*{stem}.html")).as_uri()


def _highlighted(pg) -> list[dict]:
    return pg.evaluate("""() => Array.from(document.querySelectorAll('#text .hl')).map(el => {
        const r = el.getBoundingClientRect();
        const line = el.closest('[data-n]') || el.closest('tr[id]');
        return {text: el.textContent, line: line ? (line.dataset.n || line.id.slice(1)) : null,
                visible: r.top >= 0 && r.bottom <= window.innerHeight && r.width > 0};
    })""")


def test_evidence_link_scrolls_to_and_highlights_its_quote(page, seed_site):
    page.goto(_doc_page(seed_site, "003_21d9eac1c5a0fc54"))
    card = page.locator("article.flag[data-rule='change.rate']", has_text="9.5%").first
    links = card.locator("a.evlink")
    assert links.count() == 3
    for k in range(links.count()):
        link = links.nth(k)
        quote = link.inner_text().strip("“”")
        line = link.get_attribute("data-line")
        link.click()
        hl = _highlighted(page)
        assert hl, f"nothing highlighted for {quote}"
        assert {h["text"] for h in hl} == {quote}, hl
        assert {h["line"] for h in hl} == {line}, hl
        assert any(h["visible"] for h in hl), hl
    assert "active" in (card.get_attribute("class") or "")
    links.first.click()  # the stated value, for the picture
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert page.errors == []


def test_flagged_table_cell_is_highlighted(page, tmp_path):
    from auditor.report.html import write_html
    from test_report_html import table_result

    write_html(table_result(), tmp_path)
    page.goto(_doc_page(tmp_path, "-t"))
    page.click("a.evlink")
    assert page.evaluate("Array.from(document.querySelectorAll('td.hl')).map(td => td.textContent)") == ["100.00"]


def test_review_decision_persists_exports_and_waives_on_the_next_run(page, seed_site, tmp_path):
    url = _doc_page(seed_site, "001_9e8aeb52973b4dc7")
    page.goto(url)
    card = page.locator("article.flag").first
    card.locator("textarea.note").fill("总分含加分项，非错误")
    card.locator("button[data-decision=dismissed]").click()
    assert card.locator("button[data-decision=dismissed]").get_attribute("aria-pressed") == "true"
    page.reload()
    card = page.locator("article.flag").first
    assert card.locator("button[data-decision=dismissed]").get_attribute("aria-pressed") == "true"
    assert card.locator("textarea.note").input_value() == "总分含加分项，非错误"
    with page.expect_download() as dl:
        page.click("[data-action=export]")
    exported = tmp_path / "review.json"
    dl.value.save_as(exported)
    data = json.loads(exported.read_text("utf-8"))
    assert data["schema"] == "auditor.review/1"
    [d] = data["decisions"]
    assert (d["decision"], d["rule"], d["note"]) == ("dismissed", "score.parts", "总分含加分项，非错误")
    # the index counts the reviewed flag
    page.goto((seed_site / "index.html").as_uri())
    assert "1/1" in page.locator("#docs tbody tr", has_text="001_9e8aeb52973b4dc7").inner_text()
    # the next run reads the export: the flag is waived, so that document has no error left
    r = CliRunner().invoke(app, ["audit", str(SEEDS / "001_9e8aeb52973b4dc7.txt"), "--waivers", str(exported),
                                 "--json", str(tmp_path / "r.json"), "-q"])
    assert r.exit_code == 0, r.output
    flags = json.loads((tmp_path / "r.json").read_text("utf-8"))["documents"][0]["flags"]
    assert [f["waived"] for f in flags] == [True]


def test_index_sorts_and_filters(page, seed_site):
    page.goto((seed_site / "index.html").as_uri())
    rows = page.locator("#docs tbody tr")
    assert rows.count() == 5
    col = page.locator("#docs thead th").all_inner_texts().index("错误")
    values = f"rs => rs.map(r => Number(r.cells[{col}].dataset.v))"
    page.click("#docs th:has-text('错误')")
    assert rows.evaluate_all(values) == sorted(rows.evaluate_all(values))
    page.click("#docs th:has-text('错误')")  # descending
    assert rows.evaluate_all(values) == sorted(rows.evaluate_all(values), reverse=True)
    page.fill("input.filter[data-target=docs]", "临泽")
    assert page.locator("#docs tbody tr:not(.hidden)").count() == 1
    page.click(".chart .bar[data-rule='change.rate']")
    visible = page.locator("#allflags tbody tr:not(.hidden)")
    assert visible.count() >= 1
    assert all(r == "change.rate" for r in visible.evaluate_all("rs => rs.map(r => r.dataset.rule)"))
    assert page.errors == []


def test_untrusted_document_renders_inert(page, tmp_path):
    doc = tmp_path / XSS_NAME
    doc.write_text(XSS_TEXT, encoding="utf-8")
    out = tmp_path / "site"
    r = CliRunner().invoke(app, ["audit", str(doc), "--html", str(out), "-q"])
    assert r.exit_code == 1, r.output
    for url in [(out / "index.html").as_uri(), next(p for p in out.glob("*.html") if p.name != "index.html").as_uri()]:
        page.goto(url)
        page.wait_for_timeout(200)  # give any smuggled script or onerror a chance to run
        assert page.evaluate("window.__pwned") is None
        assert page.dialogs == []
        assert page.locator("#text img, #text svg, #text iframe, #text script").count() == 0
        for link in page.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href') || '')"):
            assert not link.lower().startswith("javascript:")
    body = page.inner_text("#text")
    assert "<script>window.__pwned = 'script'</script>" in body
    assert "javascript:window.__pwned='href'" in body
    # the flag from the poisoned line still works
    page.click("a.evlink")
    assert {h["text"] for h in _highlighted(page)} == {"9.5%"}
    assert page.errors == []


def _review_site(tmp_path: Path, *extra: str) -> tuple[Path, dict]:
    """A two-flag document (two wrong change rates), audited into a site of its own."""
    from test_report_review import LINE, OTHER

    tmp_path.mkdir(parents=True, exist_ok=True)
    doc = tmp_path / "doc.txt"
    doc.write_text(f"说明\n{LINE}\n{OTHER}\n", encoding="utf-8")
    out = tmp_path / "site"
    r = CliRunner().invoke(app, ["audit", str(doc), "--html", str(out), "--json", str(tmp_path / "r.json"), "-q", *extra])
    assert r.exit_code == 1, r.output
    return out, json.loads((tmp_path / "r.json").read_text("utf-8"))


def test_a_decisions_file_imports_into_the_page(page, tmp_path):
    from auditor.report.waivers import review_export

    site, data = _review_site(tmp_path)
    f0, f1 = data["documents"][0]["flags"]
    review = review_export(data, {f0["id"]: {"decision": "confirmed", "note": "同事已核实"},
                                  f1["id"]: {"decision": "dismissed", "note": "口径不同"}})
    path = tmp_path / "auditor-review.json"
    path.write_text(json.dumps(review, ensure_ascii=False), "utf-8")
    page.goto(_doc_page(site, "doc"))
    cards = page.locator("article.flag")
    assert cards.count() == 2
    assert cards.nth(0).locator("button[data-decision=confirmed]").get_attribute("aria-pressed") == "false"
    page.set_input_files("input.import-file", str(path))
    page.wait_for_function("document.querySelector('.import-state').textContent.length > 0")
    assert page.inner_text(".import-state") == "已导入 2 条审阅结果"
    for card, decision, note in [(cards.nth(0), "confirmed", "同事已核实"), (cards.nth(1), "dismissed", "口径不同")]:
        assert card.locator(f"button[data-decision={decision}]").get_attribute("aria-pressed") == "true"
        assert card.locator("textarea.note").input_value() == note
    page.reload()  # stored, not only shown
    assert cards.nth(1).locator("button[data-decision=dismissed]").get_attribute("aria-pressed") == "true"
    page.goto((site / "index.html").as_uri())
    assert "2/2" in page.locator("#docs tbody tr").first.inner_text()
    # a file that is not a review export is refused, and says so
    bad = tmp_path / "other.json"
    bad.write_text('{"schema": "auditor.result/1", "documents": []}', "utf-8")
    page.set_input_files("input.import-file", str(bad))
    page.wait_for_function("document.querySelector('.import-state').textContent.indexOf('导入失败') === 0")
    assert "auditor.review/1" in page.inner_text(".import-state")
    assert page.errors == []


def test_decisions_from_review_show_and_survive_the_next_export(page, tmp_path):
    from auditor.report.waivers import review_export

    _, first = _review_site(tmp_path / "one")
    f0 = first["documents"][0]["flags"][0]
    path = tmp_path / "auditor-review.json"
    path.write_text(json.dumps(review_export(first, {f0["id"]: {"decision": "confirmed", "note": "确认无误"}}),
                               ensure_ascii=False), "utf-8")
    site, _ = _review_site(tmp_path / "one", "--review", str(path))
    page.goto(_doc_page(site, "doc"))
    card = page.locator("article.flag").first
    assert "已确认" in card.locator(".review-file").inner_text() and "确认无误" in card.inner_text()
    assert card.locator("button[data-decision=confirmed]").get_attribute("aria-pressed") == "true"
    exported = page.evaluate("window.auditorReviewExport()")
    assert [(d["id"], d["decision"], d["note"]) for d in exported["decisions"]] == [(f0["id"], "confirmed", "确认无误")]
    assert page.errors == []


def _boxes(pg) -> dict:
    return pg.evaluate("""() => {
        const box = s => { const r = document.querySelector(s).getBoundingClientRect();
                           return {top: r.top + scrollY, left: r.left, height: r.height, width: r.width}; };
        return {flags: box('aside.flags'), text: box('main.text'), first: box('article.flag')};
    }""")


def test_flags_stay_beside_or_before_the_text_at_any_width_and_in_print(browser, seed_site):
    url = _doc_page(seed_site, "003_21d9eac1c5a0fc54")  # 11 flags, a long text
    for width in (1400, 900, 600, 375):
        context = browser.new_context(viewport={"width": width, "height": 800})
        pg = context.new_page()
        pg.goto(url)
        b = _boxes(pg)
        if width > 900:  # beside: the cards to the right of the text, level with its start
            assert b["flags"]["left"] >= b["text"]["left"] + b["text"]["width"] - 1, (width, b)
            assert abs(b["flags"]["top"] - b["text"]["top"]) < 50, (width, b)
        else:  # before: the cards above the text, in a panel that leaves the text within reach
            assert b["flags"]["top"] < b["text"]["top"], (width, b)
            assert b["flags"]["height"] <= 0.5 * 800 + 1, (width, b)
            assert b["text"]["top"] < 2 * 800, (width, b)
        pg.emulate_media(media="print")
        p = _boxes(pg)
        assert p["flags"]["top"] < p["text"]["top"], (width, "print", p)
        context.close()
