"""End-to-end on the committed sample data with the default config.

Every expected number here is computed independently from the CSV files
with pandas, never copied from the program's output."""
import hashlib
import json
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import ROOT

DATA = ROOT / "sample-data"
PERIOD = pd.Period("2026-10", "M")
FY = [pd.Period(f"2026-{m:02d}", "M") for m in range(1, 11)]


def eu_money(s):
    s = str(s).strip()
    neg = s.endswith("-")
    s = s.rstrip("-").replace(".", "").replace(",", ".")
    v = round(float(s) * 100)
    return -v if neg else v


@pytest.fixture(scope="module")
def gl():
    frames = {}
    for name, date_col, amount_col in (("gl_actuals", "Posting Date", "Amount (EUR)"),
                                       ("gl_budget", "Period", "Budget (EUR)")):
        df = pd.read_csv(DATA / f"{name}.csv", sep=";", dtype=str, encoding="utf-8-sig")
        df["date"] = pd.to_datetime(df[date_col], format="%d.%m.%Y", errors="coerce")
        df = df[df["date"].notna() & df["Account Type"].str.lower().isin(["revenue", "cogs", "opex"])]
        df["cents"] = df[amount_col].map(eu_money)
        df["period"] = df["date"].dt.to_period("M")
        df["type"] = df["Account Type"].str.lower()
        frames[name] = df
    return frames


def test_budget_vs_actual_by_type_matches_csv(sample_run, gl):
    wb = openpyxl.load_workbook(sample_run / "report.xlsx")
    ws = wb["Budget vs Actual"]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r[0] in ("Revenue", "COGS", "Opex") and r[3] is not None}
    for t, label in (("revenue", "Revenue"), ("cogs", "COGS"), ("opex", "Opex")):
        act, bud = gl["gl_actuals"], gl["gl_budget"]
        month_a = act[(act.type == t) & (act.period == PERIOD)].cents.sum() / 100
        ytd_a = act[(act.type == t) & act.period.isin(FY)].cents.sum() / 100
        month_b = bud[(bud.type == t) & (bud.period == PERIOD)].cents.sum() / 100
        ytd_b = bud[(bud.type == t) & bud.period.isin(FY)].cents.sum() / 100
        row = rows[label]
        assert row[3] == pytest.approx(month_a, abs=0.005), label
        assert row[4] == pytest.approx(month_b, abs=0.005), label
        assert row[7] == pytest.approx(ytd_a, abs=0.005), label
        assert row[8] == pytest.approx(ytd_b, abs=0.005), label


def test_manifest_inputs_checksums_and_outputs(sample_run):
    man = json.loads((sample_run / "manifest.json").read_text())
    assert man["status"] == "ok" and man["period"] == "2026-10"
    assert len(man["inputs"]) == 16
    for inp in man["inputs"]:
        path = ROOT / inp["path"] if not Path(inp["path"]).is_absolute() else Path(inp["path"])
        data = path.read_bytes()
        assert inp["sha256"] == hashlib.sha256(data).hexdigest(), inp["name"]
        assert inp["bytes"] == len(data)
        assert inp["rows_read"] == (inp["rows_accepted"] + inp["rows_rejected"] + inp["rows_filtered"]
                                    + inp["rows_superseded"])
        assert inp["reconciles"] is True
    names = {o["name"]: o for o in man["outputs"]}
    for n in ("report.xlsx", "summary.pdf", "rejects.csv"):
        assert names[n]["sha256"] == hashlib.sha256((sample_run / n).read_bytes()).hexdigest()
    # the 7 deliberate bad rows of the sample data, and nothing else
    assert sum(i["rows_rejected"] for i in man["inputs"]) == 7
    gl = next(i for i in man["inputs"] if i["name"] == "gl_actuals")
    raw = pd.read_csv(DATA / "gl_actuals.csv", sep=";", dtype=str, encoding="utf-8-sig")
    assert gl["rows_read"] == len(raw)


def test_gl_control_total_ties_to_the_cent(sample_run, gl):
    man = json.loads((sample_run / "manifest.json").read_text())
    inp = next(i for i in man["inputs"] if i["name"] == "gl_actuals")
    raw = pd.read_csv(DATA / "gl_actuals.csv", sep=";", dtype=str, encoding="utf-8-sig")
    all_cents = raw["Amount (EUR)"].map(eu_money).sum()
    t = inp["control_totals"][0]
    assert t["accepted_minor"] == gl["gl_actuals"].cents.sum()
    assert t["accepted_minor"] + t["rejected_minor"] == all_cents


def kpis(sample_run):
    wb = openpyxl.load_workbook(sample_run / "report.xlsx")
    ws = wb["Summary"]
    return {r[1]: r for r in ws.iter_rows(min_row=5, values_only=True) if r[1]}


def test_service_kpis_match_pandas(sample_run):
    t = pd.read_csv(DATA / "tickets.csv", dtype=str)
    t = t[t.Priority.isin(["P1", "P2", "P3", "P4"])]
    t = t.sort_values("Updated", kind="stable").groupby("Ticket").tail(1)
    created = pd.to_datetime(t.Opened).dt.to_period("M")
    resolved = pd.to_datetime(t.Resolved).dt.to_period("M")
    k = kpis(sample_run)
    assert k["Tickets created"][3] == (created == PERIOD).sum()
    assert k["Tickets resolved"][3] == (resolved == PERIOD).sum()
    end = pd.Timestamp("2026-11-01")
    backlog = ((pd.to_datetime(t.Opened) < end) & ~(pd.to_datetime(t.Resolved) < end)).sum()
    assert k["Open tickets at month end"][3] == backlog
    hours = (pd.to_datetime(t.Resolved) - pd.to_datetime(t.Opened)).dt.total_seconds() / 3600
    assert k["Resolution time, median"][3] == pytest.approx(hours[resolved == PERIOD].median(), rel=1e-9)


def test_people_and_risk_kpis_match_pandas(sample_run):
    e = pd.read_csv(DATA / "employees.csv", dtype=str, encoding="cp1252")
    hire = pd.to_datetime(e["Start Date"], format="%d-%m-%y")
    leave = pd.to_datetime(e["Termination Date"], format="%d-%m-%y", errors="coerce")
    end = pd.Timestamp("2026-10-31")
    k = kpis(sample_run)
    assert k["Headcount"][3] == ((hire <= end) & (leave.isna() | (leave > end))).sum()
    r = pd.read_csv(DATA / "risks.csv", dtype=str)
    open_r = r[r.Status.str.lower() != "closed"]
    open_r = open_r[pd.to_datetime(open_r["Date Raised"]) <= end]
    assert k["Open risks"][3] == len(open_r)
    score = open_r.Likelihood.astype(int) * open_r.Impact.astype(int)
    assert k["High risks (score 15+)"][3] == (score >= 15).sum()


def test_pdf_checks_and_text(sample_run):
    pdf = sample_run / "summary.pdf"
    subprocess.run(["qpdf", "--check", str(pdf)], check=True, capture_output=True)
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    rows = [l.split() for l in fonts.splitlines()[2:] if l.strip()]
    assert rows and all("yes" in r[-5:-3] for r in rows), fonts
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(next(l.split()[-1] for l in info.splitlines() if l.startswith("Pages:")))
    assert 2 <= pages <= 6  # 6: the finance page's forecast review continues on its own page
    assert pdf.stat().st_size < 1_000_000
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "Kestrel Packaging Group" in text and "October 2026" in text
    assert "What needs attention" in text
    assert "Forecast review" in text and "n/a — no earlier forecasts found (first run)" in text
    assert "Operating expense is" in text and "over budget YTD" in text
    k = kpis(sample_run)
    assert f"{k['Controls compliant'][3]:.1f}%" in text


def test_detail_workbook_lists_every_gl_line_of_the_month(sample_run, gl):
    wb = openpyxl.load_workbook(sample_run / "detail.xlsx", read_only=True)
    rows = list(wb["GL lines"].iter_rows(min_row=4, values_only=True))
    act = gl["gl_actuals"]
    month = act[act.period == PERIOD]
    assert len(rows) == len(month)
    assert round(sum(r[5] for r in rows) * 100) == month.cents.sum()


def test_detail_is_capped_with_a_note(tmp_path):
    ini = tmp_path / "capped.ini"
    ini.write_text((ROOT / "config" / "opsreport.ini").read_text().replace(
        "paper = a4", "paper = a4\ndetail_max_rows = 100"))
    from conftest import run_opsreport
    run_opsreport("run", "--config", ini, "--period", "2026-10", "--data", DATA, "--out", tmp_path, "-q",
                  check=0)
    ws = openpyxl.load_workbook(tmp_path / "2026-10" / "detail.xlsx", read_only=True)["GL lines"]
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 3 + 100
    assert rows[1][0].startswith("Showing the first 100 of ")


def test_procurement_inventory_quality_kpis_match_pandas(sample_run):
    k = kpis(sample_run)
    po = pd.read_csv(DATA / "purchase_orders.csv", dtype=str)
    promised = pd.to_datetime(po["Promised Date"], format="%m/%d/%Y", errors="coerce")
    received = pd.to_datetime(po["Receipt Date"], format="%m/%d/%Y", errors="coerce")
    ordered = pd.to_datetime(po["Order Date"], format="%m/%d/%Y", errors="coerce")
    qty_o = pd.to_numeric(po["Qty Ordered"], errors="coerce")
    qty_r = pd.to_numeric(po["Qty Received"], errors="coerce")
    ok = promised.notna() & ordered.notna() & (qty_o >= 0) & ~po["PO Line"].duplicated()
    due = ok & (promised.dt.to_period("M") == PERIOD)
    end = pd.Timestamp("2026-10-31")
    otif = due & received.notna() & (received <= promised) & (received <= end) & (qty_r >= qty_o)
    assert k["Supplier OTIF"][3] == pytest.approx(otif.sum() / due.sum() * 100, rel=1e-9)
    inv = pd.read_csv(DATA / "inventory.csv", dtype=str)
    snap = pd.to_datetime(inv["Snapshot Date"])
    last = snap[snap.dt.to_period("M") == PERIOD].max()
    value = pd.to_numeric(inv["Stock Value"])[snap == last].sum()
    assert k["Inventory value"][3] == pytest.approx(value, abs=0.005)
    prod = pd.read_csv(DATA / "production.csv", dtype=str)
    month = pd.to_datetime(prod["Prod Date"]).dt.to_period("M") == PERIOD
    made = pd.to_numeric(prod["Output Units"])[month].sum()
    scrap = pd.to_numeric(prod["Scrap Units"])[month].sum()
    assert k["Units produced"][3] == made
    assert k["Defects (ppm)"][3] == pytest.approx(scrap / made * 1e6, rel=1e-9)


def test_projects_cpi_matches_pandas(sample_run):
    wb = openpyxl.load_workbook(sample_run / "report.xlsx")
    ws = wb["Projects"]
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "Project" and r[8] == "CPI")
    table = {r[0]: r for r in rows[start + 1:] if r[0] and str(r[0]).startswith("PRJ")}
    t = pd.read_csv(DATA / "tasks.csv", dtype=str)
    pct = pd.to_numeric(t["% Complete"])
    planned = pd.to_numeric(t["Baseline Cost"])
    actual = pd.to_numeric(t["Actual Cost"], errors="coerce").fillna(0)
    proj = t["Project"]
    for pid in ("PRJ-107",):
        sel = proj == pid
        cpi = (planned[sel] * pct[sel] / 100).sum() / actual[sel].sum()
        assert table[pid][8] == pytest.approx(cpi, rel=1e-9)
        assert table[pid][8] < 0.8, "the sample's over-budget project"
