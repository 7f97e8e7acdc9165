#!/usr/bin/env python3
# synthetic
#
# Writes the SYNTHETIC sample for policies/lausd/equity/res-002-19-20.policy: one district ("Sample
# Unified", 20,000 students) and five choice programs with enrollment counts by student group. Every
# number is made up; the table below is the whole data set. It is shaped so that the sample shows each
# outcome: gaps above the placeholder target, a gap exactly at it (G1 Standard English Learners, 15%
# in the district and 10% in the program: 5.0 points, not flagged), suppressed cells (fewer than 10
# students) both flagged and not, and a program that matches the district.
#
# Usage: python3 make_sample.py           (writes the CSV files here)
#        python3 make_sample.py --check   (fails if a file would change)

import csv
import io
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

GROUPS = [
    "low_income", "students_with_disabilities", "homeless_youth", "foster_youth",
    "standard_english_learner", "newly_arrived_english_learner", "dual_language_learner",
    "long_term_english_learner", "dually_classified_student",
    "hispanic", "black", "asian", "filipino", "pacific_islander", "american_indian", "two_or_more",
    "white", "not_reported",
]
ETHNICITY = GROUPS[9:]

# id, name, kind, enrolled, counts in GROUPS order
DISTRICT = ("SU", "Sample Unified", 20000,
            [16000, 2400, 400, 200, 3000, 600, 1000, 1200, 800,
             14600, 1600, 800, 400, 60, 40, 200, 2100, 200])
PROGRAMS = [
    ("M1", "Sample Magnet A (Sample School 001)", "magnet", 600,
     [420, 60, 8, 3, 80, 5, 30, 20, 12,
      420, 40, 20, 10, 2, 1, 7, 95, 5]),
    ("G1", "Sample Gifted Magnet (Sample School 002)", "gifted", 400,
     [240, 8, 0, 0, 40, 0, 12, 0, 0,
      220, 30, 50, 20, 0, 0, 10, 65, 5]),
    ("D1", "Sample Dual Language (Sample School 003)", "dual_language", 300,
     [246, 30, 6, 2, 45, 15, 60, 15, 9,
      270, 6, 9, 3, 0, 0, 3, 9, 0]),
    ("M2", "Sample Magnet B (Sample School 004)", "magnet", 800,
     [640, 96, 16, 8, 120, 24, 40, 48, 32,
      584, 64, 32, 16, 2, 2, 8, 84, 8]),
    ("I1", "Sample Integration Program (Sample School 005)", "integration", 500,
     [400, 60, 10, 5, 75, 15, 25, 30, 20,
      365, 40, 20, 10, 2, 1, 5, 52, 5]),
]


def check_row(name, enrolled, counts):
    eth = sum(c for g, c in zip(GROUPS, counts) if g in ETHNICITY)
    assert eth == enrolled, f"{name}: race/ethnicity counts add up to {eth}, not {enrolled}"
    assert all(0 <= c <= enrolled for c in counts), name


def render(rows, fields):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(fields)
    w.writerows(rows)
    return buf.getvalue()


def main():
    did, dname, denrolled, dcounts = DISTRICT
    check_row(did, denrolled, dcounts)
    for pid, _, _, enrolled, counts in PROGRAMS:
        check_row(pid, enrolled, counts)
    files = {
        "district.csv": render([(did, dname, denrolled)], ["id", "name", "enrolled"]),
        "district_count.csv": render(
            [(did, g, c) for g, c in zip(GROUPS, dcounts)], ["district", "group", "students"]
        ),
        "program.csv": render(
            [(pid, name, kind, did, enrolled) for pid, name, kind, enrolled, _ in PROGRAMS],
            ["id", "name", "kind", "district", "enrolled"],
        ),
        "program_count.csv": render(
            [(pid, g, c) for pid, _, _, _, counts in PROGRAMS for g, c in zip(GROUPS, counts)],
            ["program", "group", "students"],
        ),
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
