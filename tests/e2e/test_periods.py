"""End-to-end edge cases of the calendar and of the input set: a leap-year
February, a month with no data at all, and optional inputs that are missing."""
import json
import subprocess

import openpyxl
import pandas as pd

from conftest import ROOT, run_opsreport

DATA = ROOT / "sample-data"
CFG = ROOT / "config" / "opsreport.ini"


def summary(folder):
    ws = openpyxl.load_workbook(folder / "report.xlsx")["Summary"]
    return {r[1]: r for r in ws.iter_rows(min_row=5, values_only=True) if r[1]}


def test_leap_year_february(tmp_path):
    run_opsreport("run", "--config", CFG, "--period", "2024-02", "--data", DATA, "--out", tmp_path, "-q",
                  check=0)
    k = summary(tmp_path / "2024-02")
    t = pd.read_csv(DATA / "tickets.csv", dtype=str)
    t = t[t.Priority.isin(["P1", "P2", "P3", "P4"])].sort_values("Updated", kind="stable").groupby("Ticket").tail(1)
    opened = pd.to_datetime(t.Opened)
    feb = (opened >= "2024-02-01") & (opened < "2024-03-01")
    assert (opened.dt.strftime("%m-%d") == "02-29").any(), "the sample has tickets on 29 Feb 2024"
    assert k["Tickets created"][3] == feb.sum()
    # January is the prior month; February 2023 is before the data: no last-year value
    jan = (opened >= "2024-01-01") & (opened < "2024-02-01")
    assert k["Tickets created"][4] == jan.sum()


def test_month_without_data(tmp_path):
    proc = run_opsreport("run", "--config", CFG, "--period", "2028-06", "--data", DATA, "--out", tmp_path,
                         "-q", check=0)
    folder = tmp_path / "2028-06"
    k = summary(folder)
    assert k["Tickets created"][3] == 0
    assert k["Revenue"][3] == 0
    assert k["Gross margin"][3] is None      # no revenue: no ratio, not a division by zero
    subprocess.run(["qpdf", "--check", str(folder / "summary.pdf")], check=True, capture_output=True)
    text = subprocess.run(["pdftotext", str(folder / "summary.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "June 2028" in text and "n/a" in text


def test_missing_optional_inputs(tmp_path):
    ini = tmp_path / "finance-only.ini"
    ini.write_text(f"""
[report]
organisation = Finance Only Ltd
currency = EUR

[input.gl_actuals]
file = gl_actuals.csv
delimiter = semicolon
decimal = ,
thousands = .
date_formats = %d.%m.%Y
col.date = Posting Date
col.entity = Company
col.cost_centre = Cost Center
col.account = G/L Account
col.account_type = Account Type
col.amount = Amount (EUR)

[input.tickets]
kind = tickets
file = no-such-export.csv
optional = true
""")
    proc = run_opsreport("run", "--config", ini, "--period", "2026-10", "--data", DATA, "--out", tmp_path,
                         check=0)
    folder = tmp_path / "2026-10"
    wb = openpyxl.load_workbook(folder / "report.xlsx")
    assert "Finance" in wb.sheetnames
    for area in ("Procurement", "Inventory", "People", "Quality", "Customer service"):
        assert area not in wb.sheetnames
    man = json.loads((folder / "manifest.json").read_text())
    tickets = next(i for i in man["inputs"] if i["name"] == "tickets")
    assert tickets["present"] is False and tickets["rows_read"] == 0
