"""Workbook size under control (issue 13, part 4): a GL with more line items
than the Budget vs Actual sheet lists (RENDER_BVA_MAX_LINES = 10,000) gets a
capped sheet with a note and exact totals of every line, and detail.xlsx
lists every line item. Below the cap nothing changes (test_workbook)."""
import csv
from collections import defaultdict
from decimal import Decimal

import openpyxl

from conftest import run_opsreport

CAP = 10000
N_ITEMS = CAP + 250  # distinct (cost centre, account) pairs in the period

INI = """[input.gl_actuals]
file = gl.csv
delimiter = semicolon
decimal = ,
date_formats = %d.%m.%Y
col.date = Date
col.entity = Entity
col.cost_centre = CC
col.account = Account
col.account_type = Type
col.amount = Amount
"""


def write_gl(path):
    """Two lines per item, amounts chosen so each item's month total is unique."""
    totals = defaultdict(int)  # (cc, account) -> cents
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Date", "Entity", "CC", "Account", "Type", "Amount"])
        for i in range(N_ITEMS):
            cc, acct = f"CC{i % 37:02d}", f"6{i:05d} Item"
            for part, day in ((i + 1, "03"), (7, "28")):
                w.writerow([f"{day}.10.2026", "E1", cc, acct, "Opex", f"{part // 100},{part % 100:02d}"])
                totals[(cc, acct)] += part
    return totals


def test_capped_bva_sheet_and_full_list_in_detail(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    totals = write_gl(data / "gl.csv")
    (tmp_path / "gl.ini").write_text(INI)
    out = tmp_path / "out"
    run_opsreport("run", "--config", tmp_path / "gl.ini", "--period", "2026-10", "--data", data,
                  "--out", out, "-q", check=0)
    wb = openpyxl.load_workbook(out / "2026-10" / "report.xlsx", read_only=True)
    rows = list(wb["Budget vs Actual"].iter_rows(values_only=True))
    note = rows[2][0]
    assert f"Showing the {CAP} of {N_ITEMS} lines with the largest month variance" in note
    assert "'Budget vs Actual lines' of the detail workbook" in note
    lines = [r for r in rows[4:] if r[1] and str(r[1]).endswith(" Item")]
    assert len(lines) == CAP
    # the largest month variances are those shown (no budget: variance = actual)
    ranked = sorted(totals.values(), reverse=True)
    shown = sorted((round(Decimal(str(r[3])) * 100) for r in lines), reverse=True)
    assert shown == ranked[:CAP]
    # still in the sheet's order: cost centre, then account
    keys = [(r[0], r[1]) for r in lines]
    assert keys == sorted(keys)
    total = next(r for r in rows if r[0] == "Total (all lines, all types)")
    assert round(Decimal(str(total[3])) * 100) == sum(totals.values())

    detail = openpyxl.load_workbook(out / "2026-10" / "detail.xlsx", read_only=True)
    assert detail.sheetnames == ["GL lines", "Budget vs Actual lines"]
    drows = list(detail["Budget vs Actual lines"].iter_rows(values_only=True))
    items = {(r[0], r[1]): round(Decimal(str(r[3])) * 100) for r in drows[3:]}
    assert items == totals
