#!/usr/bin/env python3
# synthetic
#
# Writes the SYNTHETIC sample for policies/lausd/dpl/pon-dpl-2021.policy: one district ("Sample
# Unified") with 109 principals, each reported for 2015-2016 and 2017-2018. Nothing here is real.
#
# The counts are chosen so that the figures PON reports for LAUSD come out of the data:
#   letters issued     146 -> 47      change -67.8%   ("declined 67.8% from 2015-2016 to 2017-2018")
#   principals at 5+   12/109 -> 5/109  11.0% -> 4.6% ("declined from 11% to 4.6%")
#   most letters       11 -> 5                        ("No principal issued more than 5 letters;
#                                                      previously some principals issued 6 to 11")
#   warnings           150 -> 162     change +8.0%    ("Warnings ... increased by 8%")
#   appeals            0 in 2017-2018                 ("Parents did not use the appeal process")
# The script asserts each figure before writing.
#
# Usage: python3 make_sample.py           (writes principal_year.csv and district.csv here)
#        python3 make_sample.py --check   (fails if a file would change)

import csv
import io
import os
import sys
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
PRINCIPALS = 109


def spread(total, n, cap, pattern):
    """Deterministically spread `total` letters over `n` principals, at most `cap` each."""
    out = [0] * n
    left = total
    i = 0
    while left > 0:
        want = pattern[i % len(pattern)]
        give = min(want, cap - out[i % n], left)
        out[i % n] += give
        left -= give
        i += 1
    return out


def year_rows(year, high, rest_letters, warnings, appeals):
    others = PRINCIPALS - len(high)
    letters = high + spread(rest_letters, others, 4, [1, 0, 2, 0, 0, 1, 0, 3, 0])
    warns = spread(warnings, PRINCIPALS, 9, [2, 1, 0, 3, 1, 2])
    rows = []
    for k in range(PRINCIPALS):
        pid = f"P{k + 1:03d}"
        rows.append(
            {
                "id": f"{pid} {year}",
                "principal": pid,
                "school": f"Sample School {k + 1:03d}",
                "district": "SU",
                "year": year,
                "letters_issued": letters[k],
                "warnings_given": warns[k],
                "appeals_filed": appeals,
            }
        )
    return rows


def change(a, b):
    return (Fraction(b) - a) / a


def pct1(fr):
    """Rounded to 0.1%, half up, as the policy rounds (`rounded to 0.1%`)."""
    tenths = fr * 1000
    sign = -1 if tenths < 0 else 1
    q = (abs(tenths) + Fraction(1, 2)) // 1
    return Fraction(sign * q, 10)


def build():
    earlier = year_rows("2015-2016", [5, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 11], 146 - 90, 150, 0)
    later = year_rows("2017-2018", [5, 5, 5, 5, 5], 47 - 25, 162, 0)
    rows = earlier + later

    def total(year, field):
        return sum(r[field] for r in rows if r["year"] == year)

    def high(year):
        return sum(1 for r in rows if r["year"] == year and r["letters_issued"] >= 5)

    le, ll = total("2015-2016", "letters_issued"), total("2017-2018", "letters_issued")
    we, wl = total("2015-2016", "warnings_given"), total("2017-2018", "warnings_given")
    assert (le, ll) == (146, 47), (le, ll)
    assert pct1(change(le, ll)) == Fraction(-678, 10), pct1(change(le, ll))
    assert pct1(Fraction(high("2015-2016"), PRINCIPALS)) == 11
    assert pct1(Fraction(high("2017-2018"), PRINCIPALS)) == Fraction(46, 10)
    assert max(r["letters_issued"] for r in rows if r["year"] == "2015-2016") == 11
    assert max(r["letters_issued"] for r in rows if r["year"] == "2017-2018") == 5
    assert pct1(change(we, wl)) == 8, pct1(change(we, wl))
    assert total("2017-2018", "appeals_filed") == 0
    return rows


def render(rows, fields):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def main():
    rows = build()
    files = {
        "principal_year.csv": render(
            rows,
            ["id", "principal", "school", "district", "year", "letters_issued", "warnings_given",
             "appeals_filed"],
        ),
        "district.csv": render([{"id": "SU", "name": "Sample Unified"}], ["id", "name"]),
    }
    check = "--check" in sys.argv
    stale = []
    for name, text in files.items():
        path = os.path.join(HERE, name)
        if check:
            with open(path, encoding="utf-8") as f:
                if f.read() != text:
                    stale.append(name)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if stale:
        sys.exit("out of date: " + ", ".join(stale))


if __name__ == "__main__":
    main()
