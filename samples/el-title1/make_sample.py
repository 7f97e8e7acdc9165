#!/usr/bin/env python3
"""Writes the synthetic sample for policies/examples/el-title1/el-title1.policy, and the findings a lint
of it must give as of AS_OF, derived here independently of the engine (expected.txt).

    python3 samples/el-title1/make_sample.py          # write the files
    python3 samples/el-title1/make_sample.py --check  # exit 1 if the files differ from what it writes

Every name, date and amount is invented. expected.txt lists, per entity and rule, each outcome that is
not ok with its count of student rows (per-row rules) or `-` (rules about the entity)."""

import datetime as dt
import sys
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
AS_OF = dt.date(2023, 11, 15)
D = dt.date

# id, name, allocation, reserved (dollars as exports print them)
DISTRICTS = [
    ("D1", "Sample Unified", "$2,500,000.00", "$25,000"),
    ("D2", "Example Valley", "480000", "0"),
    ("D3", "Demo City", "$1,000,000", "$9,999.99"),
]
# id, name, district, title1, allocation
SCHOOLS = [
    ("S1", "Sample Elementary 1", "D1", True, "$1,200,000"),
    ("S2", "Sample Elementary 2", "D1", True, "$1,000,000.50"),
    ("S3", "Sample Middle 3", "D1", False, ""),
    ("S4", "Example High 4", "D2", True, "300000"),
    ("S5", "Example Elementary 5", "D2", True, ""),
    ("S6", "Demo Elementary 6", "D3", True, "$990,000.02"),
]
# Per school: students as (el, enrolled, days to survey, days to assess, days from assessment to
# notice); None: not done.
STUDENTS = {
    "S1": [
        (True, D(2023, 8, 20), 1, 10, 5),      # all on time
        (True, D(2023, 8, 20), 2, 31, 3),      # assessed one day late
        (True, D(2023, 9, 1), 3, 20, 45),      # notified late
        (True, D(2023, 9, 20), 1, None, None),  # due 10/20: overdue
        (True, D(2023, 11, 1), 1, None, None),  # due 12/1: pending
        (False, D(2023, 8, 20), 15, None, None),  # not an English learner; survey late
    ],
    "S2": [
        (True, D(2023, 8, 21), 0, 30, 30),     # day 30 and day 30: on time
        (True, D(2023, 10, 20), None, None, None),  # survey overdue (due 11/3); assessment pending
        (False, D(2023, 11, 10), None, None, None),  # survey pending (due 11/24)
    ],
    "S3": [
        (True, D(2023, 8, 28), 1, 12, None),   # assessed 9/9; notice due 10/9: overdue
        (False, D(2023, 8, 28), 1, None, None),
    ],
    "S4": [
        (True, D(2023, 10, 30), 1, None, None),  # pending (due 11/29)
    ],
    "S5": [
        (False, D(2023, 8, 20), 1, None, None),
    ],
    "S6": [
        (True, D(2023, 8, 15), 2, 40, 1),      # late by 10 days
        (True, D(2023, 8, 15), 2, 35, 1),      # late by 5 days
        (True, D(2023, 8, 15), 2, 29, 1),
    ],
}


def us(d):
    return f"{d.month}/{d.day}/{d.year}" if d else ""


def plus(d, n):
    return d + dt.timedelta(days=n) if n is not None and d is not None else None


def amount(text):
    """Dollars as an exact fraction, from `$1,234.56`, `1234.56`, `(1,234.56)` or empty."""
    if text == "":
        return None
    neg = text.startswith("(")
    t = text.strip("()").replace("$", "").replace(",", "")
    v = Fraction(t)
    return -v if neg else v


def rows():
    out = []
    n = 0
    for school, students in STUDENTS.items():
        for el, enrolled, survey, assess, notice in students:
            n += 1
            assessed = plus(enrolled, assess)
            out.append({
                "school": school, "el": el, "enrolled": enrolled,
                "surveyed": plus(enrolled, survey), "assessed": assessed,
                "notified": plus(assessed, notice), "name": f"Student {n:03}",
            })
    return out


def row_status(start, done, days):
    """ok, late, pending or overdue, as of AS_OF; None when there is no start date."""
    if start is None:
        return None
    due = start + dt.timedelta(days=days)
    if done is not None and done > AS_OF:
        done = None
    if done is not None:
        return "ok" if done <= due else "late"
    return "pending" if AS_OF <= due else "overdue"


def expected():
    lines = []
    students = rows()
    for school, *_ in SCHOOLS:
        mine = [r for r in students if r["school"] == school]
        per_rule = [
            ("survey_at_enrolment", [(r["enrolled"], r["surveyed"], 14) for r in mine]),
            ("assess_within_30_days", [(r["enrolled"], r["assessed"], 30) for r in mine if r["el"]]),
            # a student not yet assessed owes no notice (`or missing`)
            ("notify_within_30_days",
             [(r["assessed"], r["notified"], 30) for r in mine if r["el"] and r["assessed"]]),
        ]
        for rule, items in per_rule:
            counts = {}
            for start, done, days in items:
                s = row_status(start, done, days)
                counts[s] = counts.get(s, 0) + 1
            for s in ("late", "overdue", "pending"):
                if counts.get(s):
                    lines.append(f"{school} {rule} {s} {counts[s]}")
        overdue = sum(1 for r in mine if r["el"]
                      and row_status(r["enrolled"], r["assessed"], 30) == "overdue")
        if overdue != 0:
            lines.append(f"{school} no_overdue_assessments violation -")
        late = sum(1 for r in mine if r["el"] and r["assessed"]
                   and r["assessed"] > r["enrolled"] + dt.timedelta(days=30))
        if late != 0:
            lines.append(f"{school} few_late_assessments violation -")
    for sid, _, district, title1, alloc in SCHOOLS:
        if title1 and (amount(alloc) is None or amount(alloc) <= 0):
            lines.append(f"{sid} title1_funded violation -")
    for did, _, alloc, reserved in DISTRICTS:
        a, r = amount(alloc), amount(reserved)
        if a > 500_000 and r < a * Fraction(1, 100):
            lines.append(f"{did} reserve_one_percent violation -")
        to_schools = sum((amount(s[4]) or 0) for s in SCHOOLS if s[2] == did and s[3])
        if to_schools + r > a:
            lines.append(f"{did} within_allocation violation -")
    return "\n".join(sorted(lines)) + "\n"


def files():
    out = {}
    out["district.csv"] = "id,name,allocation,reserved\n" + "".join(
        f'{i},{n},"{a}","{r}"\n' for i, n, a, r in DISTRICTS)
    out["school.csv"] = "id,name,district,title1,allocation\n" + "".join(
        f'{i},{n},{d},{"true" if t else "false"},"{a}"\n' for i, n, d, t, a in SCHOOLS)
    out["student.csv"] = "school,el,enrolled,surveyed,assessed,notified,student_name\n" + "".join(
        f'{r["school"]},{"true" if r["el"] else "false"},{us(r["enrolled"])},{us(r["surveyed"])},'
        f'{us(r["assessed"])},{us(r["notified"])},{r["name"]}\n' for r in rows())
    out["expected.txt"] = expected()
    return out


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for name, text in files().items():
        path = HERE / name
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        print("out of date (run samples/el-title1/make_sample.py):", ", ".join(stale))
        sys.exit(1)


if __name__ == "__main__":
    main()
