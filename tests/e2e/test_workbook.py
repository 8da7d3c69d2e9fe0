"""The workbook, audited: every formula LibreOffice recalculates equals the
value opsreport computed and cached. LibreOffice does not recalculate .xlsx
on load by default (see shared/PITFALLS.md), so the test makes a throwaway
profile with OOXMLRecalcMode = 0 (always) and first proves, on a copy whose
cached value was corrupted, that recalculation really happens."""
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

RECALC_ITEM = ('<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
               '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>')


@pytest.fixture(scope="module")
def lo_profile(tmp_path_factory):
    prof = tmp_path_factory.mktemp("lo-profile")
    url = prof.as_uri()
    # first start creates the profile
    subprocess.run(["soffice", f"-env:UserInstallation={url}", "--headless", "--terminate_after_init"],
                   capture_output=True, timeout=180)
    xcu = next(prof.rglob("registrymodifications.xcu"))
    text = xcu.read_text()
    xcu.write_text(text.replace("</oor:items>", RECALC_ITEM + "</oor:items>"))
    return url


def recalc(xlsx, outdir, profile):
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(outdir), str(xlsx)], check=True, capture_output=True, timeout=300)
    return Path(outdir) / Path(xlsx).name


def formula_cells(path):
    wb_f = openpyxl.load_workbook(path)
    cells = []
    for ws in wb_f.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    cells.append((ws.title, c.coordinate, c.value))
    return cells


def test_recalculation_really_happens(sample_run, lo_profile, tmp_path):
    # corrupt one cached variance to 999 and check LibreOffice replaces it
    src = sample_run / "report.xlsx"
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                text, n = re.subn(r"(<c r=\"F5\"[^>]*><f>[^<]*</f><v>)[^<]*(</v>)", r"\g<1>999\g<2>", text, count=1)
                assert n == 1
                data = text.encode()
            zout.writestr(item, data)
    before = openpyxl.load_workbook(bad, data_only=True)["Summary"]["F5"].value
    assert before == 999
    out = recalc(bad, tmp_path / "lo", lo_profile)
    after = openpyxl.load_workbook(out, data_only=True)["Summary"]["F5"].value
    ws = openpyxl.load_workbook(src, data_only=True)["Summary"]
    assert after != 999
    assert after == pytest.approx(ws["D5"].value - ws["E5"].value, rel=1e-9)


def test_every_formula_equals_program_value(sample_run, lo_profile, tmp_path):
    src = sample_run / "report.xlsx"
    cells = formula_cells(src)
    assert len(cells) > 100
    ours = openpyxl.load_workbook(src, data_only=True)
    theirs = openpyxl.load_workbook(recalc(src, tmp_path / "lo", lo_profile), data_only=True)
    checked = 0
    for sheet, coord, formula in cells:
        a, b = ours[sheet][coord].value, theirs[sheet][coord].value
        if isinstance(a, (int, float)):
            assert isinstance(b, (int, float)), (sheet, coord, formula, a, b)
            assert b == pytest.approx(a, rel=1e-9, abs=1e-6), (sheet, coord, formula)
        else:
            assert (a or "") == (b or ""), (sheet, coord, formula, a, b)
        checked += 1
    assert checked == len(cells)


def test_sheets_tables_and_text_cells(sample_run):
    wb = openpyxl.load_workbook(sample_run / "report.xlsx")
    names = wb.sheetnames
    assert names[0] == "Summary"
    for area in ("Finance", "Procurement", "Inventory", "Customer service", "People", "Projects",
                 "Risk and compliance", "Quality"):
        assert area in names
    assert names[-5:] == ["Budget vs Actual", "Forecasts", "Forecast review", "Data quality", "About"]
    assert wb["Procurement"].tables, "breakdowns are Excel tables"
    assert wb["Summary"].freeze_panes == "C5"
    assert "KPI_Table" in wb.defined_names
    # input text is never a formula: every string cell from the inputs stays a string
    about = wb["About"]
    assert about["B3"].value == "Kestrel Packaging Group"


def test_forecasts_sheet(sample_run):
    wb = openpyxl.load_workbook(sample_run / "report.xlsx")
    ws = wb["Forecasts"]
    rows = list(ws.iter_rows(values_only=True))
    models = {r[0]: r for r in rows[4:] if r[0] and r[1] and str(r[1]).startswith(("Mean", "ETS", "ARIMA", "Theta", "Comb", "SNaive", "Naive", "Drift"))}
    assert "Revenue" in models and "Operating expense, 1300 Logistics" in models
    assert 0 < models["Revenue"][10] <= 100          # 80% coverage, in percent
    start = next(i for i, r in enumerate(rows) if r[0] == "Series" and r[1] == "Period")
    rev = [r for r in rows[start + 1:] if r[0] == "Revenue"]
    history = [r for r in rev if r[2] is not None]
    future = [r for r in rev if r[3] is not None]
    assert history[-1][1] == "2026-10" and future[0][1] == "2026-11"
    for r in future:
        assert r[6] <= r[4] <= r[3] <= r[5] <= r[7]   # 95% band holds the 80% band holds the point
    assert len(ws._charts) >= 2
