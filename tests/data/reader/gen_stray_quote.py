#!/usr/bin/python3
"""Writes stray_quote_latin1.csv: the export that read 768 records as 511.

A Latin-1, ';'-delimited risk register with a header on line 1 and records
R0001..R0768 on lines 2..769 (record RNNNN on line NNNN + 1). The title on
line 12 starts with a stray '"'; no quote follows until the properly quoted
title "Dach; Nord" on line 269, whose closing quote ends the field the stray
quote opened. A reader that trusts the quote merges lines 12-269 (258 lines)
into one record: 768 - 258 + 1 = 511 records. Titles elsewhere carry
umlauts (Latin-1 bytes) and, before line 12 and after line 269, properly
quoted titles with the delimiter inside. Run from this folder.
"""

TITLES = ["Wasserschaden Keller S\u00fcd", "K\u00fchlanlage Ausfall", "\u00dcberlast F\u00f6rderband",
          "Stromausfall Halle 3", "Lieferverzug Gro\u00dfh\u00e4ndler", "Zugang B\u00fcro gesperrt"]
STATUSES = ["open", "mitigating", "closed"]


def record(n):
    line = n + 1
    title = TITLES[n % len(TITLES)]
    if line == 5 or line == 400:
        title = '"Brandschutz; T\u00fcren"'  # quoted, delimiter inside
    if line == 12:
        title = '"Zoll-Rohr undicht'          # the stray quote
    if line == 269:
        title = '"Dach; Nord"'                # closes the stray quote's field
    return ";".join([f"R{n:04d}", title, "M\u00fcller", "Betrieb", "Ilmenau",
                     f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}", str(1 + n % 5), str(1 + (n // 5) % 5),
                     f"{(n * 37) % 1000}.50", "", STATUSES[n % 3]])


HEADER = "risk_id;title;owner;category;site;raised_date;likelihood;impact;exposure;mitigation_due;status"
with open("stray_quote_latin1.csv", "w", encoding="latin-1", newline="") as f:
    f.write(HEADER + "\n")
    for n in range(1, 769):
        f.write(record(n) + "\n")
