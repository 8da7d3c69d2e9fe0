#!/usr/bin/python3
"""pandas_stack.py CSV OUTDIR PERIOD - the pandas stack doing what a month-end
script would do with a GL export in the generator's dialect: read and convert it
(dates dd.mm.yyyy, amounts 1.234,56 with SAP's trailing minus), aggregate by
month, cost centre and account, a Holt-Winters forecast of revenue
(statsmodels), a small workbook (XlsxWriter) and a one-page PDF (ReportLab).
The comparison for `make bench`; never a test."""
import sys
import warnings

import pandas as pd
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate, Table
from statsmodels.tsa.holtwinters import ExponentialSmoothing

csv_path, out_dir, period = sys.argv[1], sys.argv[2], pd.Period(sys.argv[3], "M")
gl = pd.read_csv(csv_path, sep=";", dtype=str, encoding="utf-8-sig",
                 usecols=[0, 1, 2, 3, 4, 5], names=["date", "entity", "cc", "account", "type", "amount"],
                 header=0)
gl["date"] = pd.to_datetime(gl["date"], format="%d.%m.%Y", errors="coerce")
a = gl["amount"].fillna("")
sign = a.str.endswith("-").map({True: -1, False: 1})
gl["amount"] = pd.to_numeric(a.str.rstrip("-").str.replace(".", "", regex=False)
                             .str.replace(",", ".", regex=False), errors="coerce") * sign
gl = gl.dropna(subset=["date", "amount"])
gl["month"] = gl["date"].dt.to_period("M")
groups = gl.groupby(["month", "cc", "account", "type"], sort=True)["amount"].sum().reset_index()

revenue = groups[groups["type"].str.lower() == "revenue"].groupby("month")["amount"].sum()
revenue = revenue[revenue.index <= period].sort_index()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    fit = ExponentialSmoothing(revenue.values, trend="add", seasonal="add", seasonal_periods=12).fit()
forecast = fit.forecast(12)

month = groups[groups["month"] == period].drop(columns=["month"])
ytd = groups[(groups["month"] <= period) & (groups["month"].dt.year == period.year)]
ytd = ytd.groupby(["cc", "account", "type"])["amount"].sum().rename("ytd").reset_index()
bva = month.merge(ytd, on=["cc", "account", "type"], how="outer").fillna(0)
with pd.ExcelWriter(f"{out_dir}/pandas.xlsx", engine="xlsxwriter") as xl:
    bva.to_excel(xl, sheet_name="Budget vs Actual", index=False)
    pd.DataFrame({"forecast": forecast}).to_excel(xl, sheet_name="Forecast")

by_cc = bva.groupby("cc")[["amount", "ytd"]].sum().reset_index()
rows = [["Cost centre", "Month", "YTD"]] + [[r.cc, f"{r.amount:,.2f}", f"{r.ytd:,.2f}"] for r in by_cc.itertuples()]
rows += [["Revenue forecast, next month", f"{forecast[0]:,.2f}", ""]]
SimpleDocTemplate(f"{out_dir}/pandas.pdf", pagesize=A4).build([Table(rows)])
print(f"{len(gl)} lines, {len(groups)} groups, {len(bva)} line items in {period}")
