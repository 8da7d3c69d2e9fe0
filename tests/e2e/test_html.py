"""The HTML summary (summary.html and the email's HTML part): what a reader
sees on a phone. Checks the MIME layout of a message taken from a real SMTP
server on loopback, that reruns give the same bytes, that every value from
the data is escaped, and renders the page in headless Chromium at 390x844
and 1280x800: screenshots, every tile's text in the DOM, no sideways
scrolling at 390 px, and tile values equal to the workbook's Summary sheet
(openpyxl). The Chromium tests skip when chromium is not installed."""
import html
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, run_opsreport
from test_delivery import SmtpServer, attachment, free_port, run, write_config

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
BURST = """
[recipient.leeds]
email = leeds.manager@kestrel.example
scope = Leeds
"""
NASTY_ORG = "<script>alert(1)</script> & \"Kestrel\" 'Q' שלום עולם"


@pytest.fixture(scope="module")
def delivered(tmp_path_factory):
    """One real run that mails the summary (whole organisation and Leeds)."""
    tmp = tmp_path_factory.mktemp("html")
    server = SmtpServer(tmp / "mail")
    try:
        cfg = write_config(tmp, server.port, extra=BURST)
        out = tmp / "out"
        run(cfg, out, check=0)
        msgs = {m["X-RcptTo"]: (m, raw) for m, raw in zip(server.messages(), sorted((tmp / "mail" / "new").iterdir()))}
    finally:
        server.stop()
    return tmp, out / "2026-10", msgs


def html_part(msg):
    """The HTML part's text; MIME text travels with CRLF line ends."""
    return msg.get_body(("html",)).get_content().replace("\r\n", "\n")


def test_message_is_text_then_html_with_the_pdf_attached(delivered):
    tmp, folder, msgs = delivered
    assert len(msgs) == 3  # each recipient exactly once
    pdf = (folder / "summary.pdf").read_bytes()
    for rcpt, (m, raw) in msgs.items():
        assert m.get_content_type() == "multipart/mixed"
        first = next(m.iter_parts())
        assert first.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in first.iter_parts()] == ["text/plain", "text/html"]
        assert raw.stat().st_size < 1024 * 1024, raw.stat().st_size
        if rcpt.startswith("leeds"):
            assert html_part(m) == (folder / "summary-Leeds.html").read_text(encoding="utf-8")
            assert "Leeds" in html_part(m)
        else:
            assert html_part(m) == (folder / "summary.html").read_text(encoding="utf-8")
            assert attachment(m, "summary.pdf") == pdf
    # the burst recipient's numbers are its own
    assert (folder / "summary-Leeds.html").read_bytes() != (folder / "summary.html").read_bytes()


def test_html_has_no_script_and_nothing_remote(delivered):
    _, folder, _ = delivered
    for f in (folder / "summary.html", folder / "summary-Leeds.html"):
        text = f.read_text(encoding="utf-8")
        assert "<script" not in text.lower()
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text, re.I)
        assert "<svg" in text  # sparklines drawn inline


def test_rerun_and_dry_run_are_byte_identical(tmp_path):
    cfg = write_config(tmp_path, free_port(), extra=BURST)
    a, b = tmp_path / "a", tmp_path / "b"
    run(cfg, a, "--dry-run", check=0)
    run(cfg, b, "--dry-run", check=0)
    for name in ("summary.html", "summary-Leeds.html"):
        assert (a / "2026-10" / name).read_bytes() == (b / "2026-10" / name).read_bytes()
    emls = sorted((a / "2026-10" / "mail").glob("*.eml"))
    assert len(emls) == 3
    import email
    from email import policy
    for f in emls:
        assert f.read_bytes() == (b / "2026-10" / "mail" / f.name).read_bytes()
        msg = email.message_from_bytes(f.read_bytes(), policy=policy.default)
        want = "summary-Leeds.html" if f.name.startswith("leeds") else "summary.html"
        assert html_part(msg) == (a / "2026-10" / want).read_text(encoding="utf-8")


def escaped_run(tmp_path):
    cfg = (ROOT / "config" / "opsreport.ini").read_text()
    cfg = re.sub(r"(?m)^organisation = .*$", "organisation = " + NASTY_ORG, cfg)
    path = tmp_path / "nasty.ini"
    path.write_text(cfg, encoding="utf-8")
    out = tmp_path / "out"
    run_opsreport("run", "--config", path, "--period", "2026-10", "--data", ROOT / "sample-data",
                  "--out", out, check=0)
    return out / "2026-10" / "summary.html"


def test_values_from_data_are_escaped(tmp_path):
    text = escaped_run(tmp_path).read_text(encoding="utf-8")
    assert "<script" not in text
    assert html.escape(NASTY_ORG, quote=True).replace("&#x27;", "&#39;") in text
    assert 'dir="auto"' in text  # the right-to-left name is isolated


# ---- in a browser ---------------------------------------------------------------

def chromium(*args, timeout=120):
    return subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           *args], capture_output=True, text=True, timeout=timeout)


def screenshot(page, png, size):
    proc = chromium(f"--window-size={size}", f"--screenshot={png}", page.resolve().as_uri())
    assert proc.returncode == 0 and png.stat().st_size > 5000, proc.stderr


def render_at_phone_width(page, tmp_path):
    """The page loaded in a 390-px iframe of a probe page (PITFALLS): its
    documentElement.scrollWidth, and its DOM after loading, both read back
    with --dump-dom (one Chromium start: each takes seconds here)."""
    probe = tmp_path / f"probe-{page.stem}.html"
    probe.write_text(f"""<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="{page.resolve().as_uri()}" style="width:390px;height:844px;border:0"></iframe>
<textarea id="dom"></textarea>
<script>document.getElementById('f').onload = function () {{
  var d = this.contentDocument.documentElement;
  document.body.setAttribute('data-width', d.scrollWidth);
  document.getElementById('dom').textContent = d.outerHTML;
}};</script></body></html>""")
    proc = chromium("--allow-file-access-from-files", "--virtual-time-budget=3000", "--dump-dom",
                    probe.as_uri())
    width = re.search(r'data-width="(\d+)"', proc.stdout)
    dom = re.search(r'<textarea id="dom">(.*?)</textarea>', proc.stdout, re.S)
    assert width and dom, proc.stdout[-500:] + proc.stderr
    return int(width.group(1)), html.unescape(dom.group(1))


def text_of(fragment):
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def tiles(dom):
    """(label, value, status word or None) per tile, in page order."""
    out = []
    for li in re.findall(r'<li class="o-card".*?</li>', dom, re.S):
        label = text_of(re.search(r"<h3[^>]*>(.*?)</h3>", li, re.S).group(1))
        value = text_of(re.search(r"<p[^>]*>(.*?)</p>", li, re.S).group(1))
        status = re.search(r'class="o-(red|amber|green)"', li)
        out.append((label, value, status.group(1) if status else None, text_of(li)))
    return out


NUM = re.compile(r"([−-]?)([\d,]+(?:\.(\d+))?)\s*(k|M|bn)?")


def matches(shown, actual):
    """A tile's formatted value ("98.6%", "EUR 5.9M", "27.8 d") against the
    workbook's unrounded number, within the rounding the tile shows."""
    if shown == "n/a":
        return actual in (None, "", "n/a")
    m = NUM.search(shown)
    assert m, shown
    scale = {"k": 1e3, "M": 1e6, "bn": 1e9}.get(m.group(4), 1)
    value = float(m.group(2).replace(",", "")) * scale * (-1 if m.group(1) else 1)
    step = 10 ** -len(m.group(3) or "") * scale
    return abs(value - float(actual)) <= step / 2 + 1e-9 * max(1, abs(value))


def summary_sheet(xlsx):
    ws = openpyxl.load_workbook(xlsx)["Summary"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    head = rows[0]
    return {r[head.index("KPI")]: dict(zip(head, r)) for r in rows[1:] if r[head.index("KPI")]}


@needs_chromium
def test_summary_renders_on_phone_and_desktop(delivered, tmp_path):
    tmp, folder, msgs = delivered
    mailed = tmp_path / "mailed.html"
    m, _ = msgs["cfo@kestrel.example"]
    mailed.write_text(html_part(m), encoding="utf-8")
    sheet = summary_sheet(folder / "report.xlsx")
    source_tiles = tiles((folder / "summary.html").read_text(encoding="utf-8"))
    assert len(source_tiles) >= 6
    for page in (folder / "summary.html", mailed):
        for size in ("390,844", "1280,800"):
            screenshot(page, tmp_path / f"{page.stem}-{size.split(',')[0]}.png", size)
        width, dom = render_at_phone_width(page, tmp_path)
        assert width <= 390, width  # nothing scrolls sideways on a phone
        shown = tiles(dom)
        assert [t[:3] for t in shown] == [t[:3] for t in source_tiles]
        for label, value, status, text in shown:
            assert label in text and value in text
            row = sheet[label]
            assert matches(value, row["Value"]), (label, value, row["Value"])
            assert status == (row["Status"] or None), (label, status, row["Status"])
            if status:  # never colour alone: a symbol and a word
                assert re.search(r"[✓!✕] (Red|Amber|Green), ", text), text


@needs_chromium
def test_escaped_page_shows_the_name_and_runs_nothing(tmp_path):
    page = escaped_run(tmp_path)
    width, dom = render_at_phone_width(page, tmp_path)
    assert width <= 390, width
    assert "<script" not in dom  # the DOM holds no script element: the name stayed text
    h1 = text_of(re.search(r"<h1[^>]*>(.*?)</h1>", dom, re.S).group(1))
    assert NASTY_ORG in h1
