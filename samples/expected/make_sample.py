#!/usr/bin/env python3
# synthetic
#
# Generates the SYNTHETIC sample district in this folder (eight CSV files, one per record type of
# policies/lausd/common/lausd.policy) and derives the findings REF-1028.19 must produce on it.
#
# Nothing here is real: schools are "Sample Elementary NN" / "Sample Secondary NN", students are
# "Student 0001", ...; every number comes from a fixed seed.
#
# The script works in two independent halves:
#   1. PLAN + generate: a table of schools, each with the situation planted in it, turned into CSV rows.
#   2. derive: read the CSV files back from disk and evaluate the policy semantics on them (shares with
#      exact integer arithmetic, PHBAO transitions from norm_history, windows, deadlines, retention),
#      knowing nothing of the plan.
# The derived expectations are then compared with what each plan entry says it planted; any
# disagreement stops the script. expected.json and EXPECTED.md are written from the derived half only.
#
# Usage: python3 make_sample.py              (writes the CSVs, expected.json, EXPECTED.md)
#        python3 make_sample.py --check      (regenerates in memory, fails if a file would change)
#        python3 make_sample.py --as-of 2024-07-01   (prints the derived findings for another date)

import csv
import datetime as dt
import io
import json
import os
import random
import sys
from fractions import Fraction

SEED = 20230915
HERE = os.path.dirname(os.path.abspath(__file__))
# The CSVs live in ../district; the expectations (this script, expected.json, EXPECTED.md) here.
DISTRICT = os.path.join(os.path.dirname(HERE), "district")
AS_OF = dt.date(2024, 2, 15)

D = dt.date

# ── policy constants (REF-1028.19), used by the derive half ─────────────────────────────────────────
YEAR = "2023-2024"
NORM_DAY = D(2023, 9, 15)
ELEM_FIRST = (D(2023, 11, 13), D(2023, 11, 17))  # inclusive
ELEM_SECOND = (D(2024, 3, 4), D(2024, 3, 8))  # inclusive
SEM1_DUE = D(2024, 1, 31)
SEM2_DUE = D(2024, 6, 21)
RETAIN_YEARS = 5
HBAO = {"hispanic", "black", "asian", "filipino", "pacific_islander", "american_indian", "two_or_more"}
NONRESIDENT = {"traveling", "permit", "open_enrollment", "special_day_class"}
SEVERITY = {
    "norm_day_extract": "warning",
    "mag1_balance": "warning",
    "mag1_not_phbao": "warning",
    "mag2_phbao": "warning",
    "mag1_measured_balance": "warning",
    "certified_after_first_conference": "error",
    "forms_for_conferences": "error",
    "participation_recorded": "warning",
    "certified_after_second_conference": "error",
    "two_conferences": "error",
    "not_on_event_day": "error",
    "keep_forms": "error",
    "first_in_window": "warning",
    "second_in_window": "warning",
    "certify_semester_1": "error",
    "certify_semester_2": "error",
}

# ── 1. PLAN ─────────────────────────────────────────────────────────────────────────────────────────
# History templates: (phbao held, qualified) for 2021-2022, 2022-2023; the 2023-2024 row's `phbao` is
# the status held this year and its `qualified` mirrors this year's student data.
HIST = {
    "continuing": [(True, True), (True, True)],
    "notice_1_of_2": [(True, True), (True, True)],
    "notice_2_of_2": [(True, True), (True, False)],
    # The third failing year: reclassified, effective the following school year (REF-1028.19's
    # policy says `loss after 2 years notice, effective next year`), so still PHBAO this year.
    "reclassified_next_year": [(True, False), (True, False)],
    "newly_qualifying": [(False, False), (False, False)],
    "not_phbao": [(False, False), (False, False)],
    # No norm history at all (a school new this year) and no share to decide by: undetermined.
    "undetermined": [],
}
HELD = {
    "continuing": True,
    "notice_1_of_2": True,
    "notice_2_of_2": True,
    "reclassified_next_year": True,
    "newly_qualifying": False,
    "not_phbao": False,
    "undetermined": None,
}
QUALIFIES = {
    "continuing": True,
    "newly_qualifying": True,
    "notice_1_of_2": False,
    "notice_2_of_2": False,
    "reclassified_next_year": False,
    "not_phbao": False,
    "undetermined": None,
}


def school(sid, state, **kw):
    s = {"id": sid, "state": state, "level": "elementary" if sid.startswith("E") else "secondary"}
    s.update(kw)
    return s


# Every key a plan entry may set:
#   magnet, balance, name          school.csv values
#   students=(hbao_res, res, nonres, nonres_hbao)  explicit student-level counts (else random)
#   headcount=[(ethnicity, enrollment, n), ...]    pre-counted rows instead of student rows
#   history=[(year, phbao, qualified), ...]        prior years instead of the template
#   held                                           override of the 2023-2024 `phbao`; None: no
#                                                  2023-2024 row (the status carries from 2022-2023)
#   first / second = [dates]                       conference days (else random in window; [] = none)
#   events = {kind: date}                          overrides of the generated events
#   other_event = date                             an extra event of kind `other`
#   sem1 = date | "missing" | "empty"              semester 1 certification (else on time)
#   sem2 = "missing" | "empty"                     semester 2 certification (else random of the two)
#   forms = [(date, discarded or None)]            extra attendance forms
#   no_forms = True                                no form for this year's conference days
#   blank_participants = True                      this year's first form records no participation
#   extracted = "empty" | date                     extraction date of every student row
#   bad_extract = date                             one student row extracted on this date
#   calendar = (class_start, s1pr, s2_start, s2pr)  secondary calendar (else the default)
#   expect = [rule, ...]                           the findings planted here (checked against derive)
#   why = text                                     what the school is there to test
PLAN = [
    school("E01", "continuing", first=[D(2023, 11, 14), D(2023, 11, 15)], second=[D(2024, 3, 6)],
           other_event=D(2023, 11, 14),
           why="clean; decoys: a conference on its own `other` event day (11/14) and on 3/6/2024, "
               "which is E06's Open House, not its own"),
    school("E02", "continuing",
           headcount=[("hispanic", "resident", 310), ("black", "resident", 45), ("asian", "resident", 30),
                      ("filipino", "resident", 12), ("white", "resident", 40),
                      ("not_reported", "resident", 5), ("hispanic", "permit", 20),
                      ("white", "traveling", 15)],
           why="clean; pre-counted headcount rows"),
    school("E03", "continuing", first=[D(2023, 11, 13), D(2023, 11, 17)], second=[D(2024, 3, 8)],
           sem1=D(2024, 1, 31), blank_participants=True, expect=["participation_recorded"],
           why="clean boundaries: first and last day of both elementary windows; semester 1 certified "
               "on the due date; its 11/13/2023 form records no participation"),
    school("E04", "continuing", first=[D(2023, 11, 16), D(2023, 11, 18)], expect=["first_in_window"],
           why="first conference on 11/18/2023, the day after the window"),
    school("E05", "continuing", second=[D(2024, 3, 7), D(2024, 3, 9)], extracted="empty",
           expect=["second_in_window"],
           why="second conference on 3/9/2024, the day after the window; no extracted dates (optional)"),
    school("E06", "continuing", second=[D(2024, 3, 5), D(2024, 3, 6)],
           events={"open_house": D(2024, 3, 6)}, expect=["not_on_event_day"],
           why="second conference on its Open House day"),
    school("E07", "continuing", second=[], expect=["two_conferences"],
           why="only the first conference was held"),
    school("E08", "continuing", first=[D(2023, 11, 13), D(2023, 11, 15)], second=[],
           expect=["two_conferences"],
           why="two conference rows, both `first`: one distinct conference"),
    school("E09", "continuing", sem1=D(2023, 11, 10), expect=["certified_after_first_conference"],
           why="semester 1 certified 11/10/2023, before its first conference (in the week of "
               "November 13): not at the conclusion of the semester"),
    school("E10", "continuing", sem1=D(2024, 2, 1), expect=["certify_semester_1"],
           why="semester 1 certified 2/1/2024, one day late"),
    school("E11", "continuing", sem1="missing", sem2="missing", expect=["certify_semester_1"],
           why="no certification rows at all: semester 1 overdue"),
    school("E12", "continuing", sem1="empty", expect=["certify_semester_1"],
           why="semester 1 row with an empty completion date: overdue"),
    school("E13", "notice_1_of_2", forms=[(D(2019, 11, 14), D(2023, 6, 30))], expect=["keep_forms"],
           why="notice year 1 (still PHBAO); a 2019 form discarded after 3.6 years"),
    school("E14", "notice_2_of_2", first=[D(2023, 11, 10)], expect=["first_in_window"],
           why="notice year 2 (still PHBAO); first conference 11/10/2023, before the window"),
    school("E15", "reclassified_next_year", second=[], sem1="missing", sem2="missing",
           expect=["two_conferences", "certify_semester_1"],
           why="third failing year: reclassified, effective next school year, so PHBAO duties this "
               "year: one conference, no certification"),
    school("E16", "newly_qualifying", first=[D(2023, 9, 28)], second=[],
           events={"back_to_school": D(2023, 9, 28)}, sem1="missing", sem2="missing",
           why="newly qualifying, PHBAO only from 2024-2025; decoys: a conference on Back-to-School "
               "day, out of window, one conference, no certification"),
    school("E17", "not_phbao", first=[], second=[], sem1="missing", sem2="missing",
           forms=[(D(2020, 11, 16), D(2022, 7, 1))], bad_extract="2023-09-14",
           expect=["norm_day_extract", "keep_forms"],
           why="not PHBAO, not magnet; one student extracted 9/14/2023 (the rule applies to every "
               "school, and the row is left out of the share); a 2020 form, from the years it held "
               "conferences, discarded early: forms are kept whatever the category is now"),
    school("E18", "reclassified_next_year", students=(35, 50, 10, 10), first=[D(2023, 11, 20)],
           second=[], sem1="missing", sem2="missing",
           history=[("2021-2022", True, False), ("2022-2023", True, False)],
           expect=["two_conferences", "first_in_window", "certify_semester_1"],
           why="exactly 70.0% (35/50) does not qualify; third failing year: reclassified, effective "
               "next year, so PHBAO this year. Counting the 10 non-resident HBAO students would give "
               "45/60 = 75%. One conference, out of window, no certification"),
    school("E19", "not_phbao", students=(28, 40, 8, 8), first=[], second=[], sem1="missing",
           sem2="missing",
           why="exactly 70.0% (28/40), never PHBAO: not qualifying (not newly qualifying); "
               "counting the 8 non-resident HBAO students would give 36/48 = 75%"),
    school("E20", "continuing",
           headcount=[("hispanic", "resident", 501), ("black", "resident", 100),
                      ("asian", "resident", 100), ("white", "resident", 250),
                      ("not_reported", "resident", 49), ("hispanic", "traveling", 40),
                      ("asian", "open_enrollment", 12)],
           history=[("2021-2022", True, False), ("2022-2023", True, False)], second=[],
           expect=["two_conferences"],
           why="70.1% (701/1000, pre-counted) qualifies, so it stays PHBAO despite two failing years; "
               "only the first conference held"),
    school("E21", "undetermined", students=(0, 0, 24, 14), held=None,
           why="no resident students (all traveling/permit/open enrollment/special day class): share "
               "undefined; new this year, with no norm history to decide by: PHBAO undetermined; its "
               "data is otherwise compliant"),
    school("E22", "not_phbao", magnet="mag1", balance="60:40",
           name="Sample Elementary 22 (Magnet, Science & Arts)", why="clean MAG1 60:40"),
    school("E23", "not_phbao", magnet="mag1", balance="70:30", sem1=D(2024, 2, 5),
           expect=["certify_semester_1"],
           why="MAG1 70:30, not PHBAO: rules apply as a magnet; semester 1 certified late (2/5/2024)"),
    school("E24", "not_phbao", magnet="mag1", balance="", expect=["mag1_balance"],
           why="MAG1 without a balance designation"),
    school("E25", "continuing", magnet="mag1", balance="70:30",
           expect=["mag1_not_phbao", "mag1_measured_balance"],
           why="MAG1 that is PHBAO this year, its HBAO share above its 70:30 designation's 70%"),
    school("E26", "newly_qualifying", magnet="mag1", balance="60:40", expect=["mag1_measured_balance"],
           why="MAG1 newly qualifying: not PHBAO until next year, so no mag1_not_phbao (decoy); its "
               "Norm Day HBAO share is above its 60:40 designation's 60%"),
    school("E27", "continuing", magnet="mag2",
           headcount=[("hispanic", "resident", 220), ("black", "resident", 60), ("white", "resident", 50),
                      ("two_or_more", "resident", 10), ("white", "permit", 30)],
           forms=[(D(2018, 11, 15), D(2023, 11, 15))],
           why="clean MAG2 (pre-counted); a form discarded exactly 5 years after its date"),
    school("E28", "not_phbao", magnet="mag2", forms=[(D(2019, 1, 10), D(2024, 1, 9))],
           expect=["keep_forms", "mag2_phbao"],
           why="MAG2 that is not PHBAO (rules apply as a magnet, and a MAG2 school should be PHBAO); a "
               "form discarded one day short of 5 years"),
    school("E29", "reclassified_next_year", students=(36, 52, 4, 0),
           resident_other={"white": 12, "not_reported": 4}, sem1="missing", sem2="missing",
           history=[("2021-2022", True, False), ("2022-2023", True, False)],
           expect=["certify_semester_1"],
           why="36/52 = 69.2% with 4 `not_reported` residents in the denominator; leaving them out "
               "would give 36/48 = 75%. Reclassified, effective next year: no certification"),
    school("E30", "continuing", first=[], second=[], expect=["two_conferences"],
           why="no conference held at all (and so no window finding)"),
    # ── secondary ──
    school("S01", "continuing", no_forms=True, expect=["forms_for_conferences"] * 2,
           why="secondary; no attendance form on file for its two first-conference days"),
    school("S02", "continuing", first=[D(2023, 9, 18)], second=[D(2024, 1, 16)], sem1=D(2024, 1, 31),
           why="clean boundaries: first conference on class start + 5 weeks, second on the semester 2 "
               "start; certified on the due date"),
    school("S03", "continuing", calendar=(D(2023, 8, 16), D(2023, 11, 16), D(2024, 1, 16), D(2024, 4, 25)),
           first=[D(2023, 9, 19)], extracted="empty", expect=["first_in_window"],
           why="classes start 8/16/2023, so the window opens 9/20/2023; first conference 9/19/2023"),
    school("S04", "continuing", first=[D(2023, 11, 16)], expect=["first_in_window"],
           why="first conference on the 15-week progress report day itself (window ends before it)"),
    school("S05", "notice_1_of_2", first=[D(2023, 11, 15)], second=[D(2024, 4, 24)],
           why="notice year 1, clean boundaries: conferences the day before each progress report"),
    school("S06", "continuing", second=[D(2024, 4, 25)], bad_extract="2023-09-22",
           expect=["norm_day_extract", "second_in_window"],
           why="second conference on the semester 2 progress report day; one student extracted "
               "9/22/2023"),
    school("S07", "continuing", first=[D(2023, 9, 21)], events={"back_to_school": D(2023, 9, 21)},
           expect=["not_on_event_day"], why="first conference on its Back-to-School night (in window)"),
    school("S08", "continuing", magnet="mag2", sem1="missing", expect=["certify_semester_1"],
           why="MAG2, no semester 1 certification row: overdue"),
    school("S09", "not_phbao", magnet="mag1", balance="60:40",
           calendar=(D(2023, 8, 21), D(2023, 11, 30), D(2024, 1, 22), D(2024, 5, 2)),
           why="clean MAG1 60:40 with its own later calendar"),
    school("S10", "notice_2_of_2", second=[D(2024, 1, 12)], expect=["second_in_window"],
           history=[("2020-2021", True, False), ("2021-2022", True, True), ("2022-2023", True, False)],
           why="notice year 2: the failing run stops at 2021-2022 (qualified) even though 2020-2021 "
               "failed too; second conference 1/12/2024, before semester 2 starts"),
    school("S11", "newly_qualifying", first=[D(2023, 9, 1)], sem1="missing", sem2="missing",
           why="newly qualifying, not PHBAO this year; decoy: first conference out of window"),
    school("S12", "not_phbao", first=[], second=[], sem1="missing", sem2="missing",
           headcount=[("hispanic", "resident", 400), ("asian", "resident", 150), ("white", "resident", 600),
                      ("not_reported", "resident", 20), ("hispanic", "special_day_class", 25)],
           history=[("2020-2021", True, False), ("2021-2022", True, False), ("2022-2023", True, False)],
           held=None,
           why="not PHBAO (pre-counted); its third failing year was 2022-2023, so its reclassification "
               "took effect this year: no 2023-2024 history row, the status carries from 2022-2023 "
               "(held, but past its notice); no conferences or certifications, none required"),
    school("S13", "not_phbao", magnet="mag1", balance="50:50", expect=["mag1_balance"],
           why="MAG1 with a 50:50 balance, neither 60:40 nor 70:30"),
]

DEFAULT_CAL = (D(2023, 8, 14), D(2023, 11, 16), D(2024, 1, 16), D(2024, 4, 25))


# ── generate ────────────────────────────────────────────────────────────────────────────────────────
def us(d):
    return f"{d.month}/{d.day}/{d.year}"


def iso(d):
    return d.isoformat()


def weekdays(lo, hi):
    out, d = [], lo
    while d <= hi:
        if d.weekday() < 5:
            out.append(d)
        d += dt.timedelta(days=1)
    return out


def applies_by_plan(s):
    return s["state"] in ("continuing", "notice_1_of_2", "notice_2_of_2") or s.get("magnet") in ("mag1", "mag2")


def generate():
    rng = random.Random(SEED)
    files = {k: [] for k in ("school", "student", "calendar", "conference", "event", "certification",
                             "norm_history", "attendance_form")}
    student_no = 0
    hbao_list = sorted(HBAO)
    hbao_weights = {"hispanic": 60, "black": 12, "asian": 10, "filipino": 6, "pacific_islander": 2,
                    "american_indian": 1, "two_or_more": 9}
    nonres_list = sorted(NONRESIDENT)

    def hbao_eth():
        return rng.choices(hbao_list, weights=[hbao_weights[e] for e in hbao_list])[0]

    for s in PLAN:
        sid, lvl, state = s["id"], s["level"], s["state"]
        kind = "Elementary" if lvl == "elementary" else "Secondary"
        name = s.get("name", f"Sample {kind} {sid[1:]}")
        files["school"].append({"id": sid, "name": name, "level": lvl, "magnet": s.get("magnet", ""),
                                "balance": s.get("balance", "")})

        # students
        if "headcount" in s:
            for eth, enr, n in s["headcount"]:
                files["student"].append({"school": sid, "ethnicity": eth, "enrollment": enr,
                                         "headcount": str(n), "extracted": iso(NORM_DAY),
                                         "student_name": ""})
        else:
            if "students" in s:
                hb, res, nonres, nonres_hbao = s["students"]
            else:
                res = rng.randint(24, 50)
                q = QUALIFIES[state]
                if q:
                    share = rng.uniform(0.76, 0.95)
                elif HELD[state]:  # a PHBAO school slipping under the line
                    share = rng.uniform(0.52, 0.68)
                else:
                    share = rng.uniform(0.25, 0.64)
                hb = round(res * share)
                nonres = rng.randint(2, 9)
                nonres_hbao = rng.randint(0, nonres)
            others = s.get("resident_other")
            if others is None:
                n_other = res - hb
                n_nr = rng.randint(0, min(2, n_other))
                others = {"white": n_other - n_nr, "not_reported": n_nr}
            assert sum(others.values()) == res - hb, sid
            rows = [(hbao_eth(), "resident") for _ in range(hb)]
            for eth, n in sorted(others.items()):
                rows += [(eth, "resident")] * n
            rows += [(hbao_eth(), rng.choice(nonres_list)) for _ in range(nonres_hbao)]
            rows += [("white", rng.choice(nonres_list)) for _ in range(nonres - nonres_hbao)]
            rng.shuffle(rows)
            extracted = s.get("extracted", iso(NORM_DAY))
            bad_at = rng.randrange(len(rows)) if "bad_extract" in s else -1
            for i, (eth, enr) in enumerate(rows):
                student_no += 1
                ex = "" if extracted == "empty" else extracted
                if i == bad_at:
                    ex = s["bad_extract"]
                files["student"].append({"school": sid, "ethnicity": eth, "enrollment": enr,
                                         "headcount": "", "extracted": ex,
                                         "student_name": f"Student {student_no:04d}"})

        # calendar (secondary only)
        cal = s.get("calendar", DEFAULT_CAL)
        if lvl == "secondary":
            files["calendar"].append({"school": sid, "class_start": us(cal[0]), "s1_progress_report": us(cal[1]),
                                      "s2_start": us(cal[2]), "s2_progress_report": us(cal[3])})

        # conferences
        if lvl == "elementary":
            first_pool = weekdays(*ELEM_FIRST)
            second_pool = weekdays(*ELEM_SECOND)
        else:
            first_pool = weekdays(cal[0] + dt.timedelta(weeks=5, days=3), cal[1] - dt.timedelta(days=5))
            second_pool = weekdays(cal[2] + dt.timedelta(days=10), cal[3] - dt.timedelta(days=20))
        n_days = (1, 3) if lvl == "elementary" else (1, 2)
        first = s.get("first")
        if first is None:
            first = sorted(rng.sample(first_pool, rng.randint(*n_days)))
        second = s.get("second")
        if second is None:
            second = sorted(rng.sample(second_pool, rng.randint(*n_days)))
        for number, days in (("first", first), ("second", second)):
            for d in days:
                files["conference"].append({"school": sid, "number": number, "date": iso(d)})

        # events: Back-to-School before any conference window, Open House after both
        if lvl == "elementary":
            bts = rng.choice(weekdays(D(2023, 9, 5), D(2023, 9, 29)))
            oh = rng.choice(weekdays(D(2024, 4, 15), D(2024, 5, 17)))
        else:
            bts = rng.choice(weekdays(D(2023, 8, 24), D(2023, 9, 14)))
            oh = rng.choice(weekdays(D(2024, 5, 6), D(2024, 5, 24)))
        ev = {"back_to_school": bts, "open_house": oh}
        ev.update(s.get("events", {}))
        evrows = [("back_to_school", ev["back_to_school"]), ("open_house", ev["open_house"])]
        if "other_event" in s:
            evrows.append(("other", s["other_event"]))
        elif rng.random() < 0.3:
            evrows.append(("other", rng.choice(weekdays(D(2023, 12, 4), D(2023, 12, 15)))))
        for k, d in sorted(evrows, key=lambda r: r[1]):
            files["event"].append({"school": sid, "kind": k, "date": us(d)})

        # certifications
        sem1 = s.get("sem1", "ontime")
        if sem1 == "ontime":
            sem1 = rng.choice(weekdays(D(2024, 1, 8), D(2024, 1, 26)))
        if sem1 != "missing":
            files["certification"].append({"school": sid, "semester": "first",
                                           "completed": "" if sem1 == "empty" else us(sem1)})
        sem2 = s.get("sem2", rng.choice(["missing", "empty"]))
        if sem2 == "empty":
            files["certification"].append({"school": sid, "semester": "second", "completed": ""})

        # norm history
        hist = s.get("history")
        if hist is None:
            hist = [(y, p, q) for y, (p, q) in zip(("2021-2022", "2022-2023"), HIST[state])]
        held = s.get("held", HELD[state])
        q_now = QUALIFIES[state]
        if "students" in s and s["students"][1] > 0:
            q_now = s["students"][0] * 100 > s["students"][1] * 70
        for y, p, q in hist:
            files["norm_history"].append({"school": sid, "year": y, "phbao": str(p).lower(),
                                          "qualified": str(q).lower()})
        if held is not None:
            files["norm_history"].append({"school": sid, "year": YEAR, "phbao": str(held).lower(),
                                          "qualified": str(bool(q_now)).lower()})

        # attendance forms: one for each conference day held by the evaluation date (kept) and, for
        # some schools, old ones discarded properly
        owes = applies_by_plan(s) or state in ("undetermined", "reclassified_next_year")
        if owes and not s.get("no_forms"):
            for d in sorted(set(first + second)):
                if d <= AS_OF:
                    files["attendance_form"].append({"school": sid, "date": us(d), "discarded": ""})
        if applies_by_plan(s) or state == "undetermined":
            if rng.random() < 0.4:
                old = rng.choice(weekdays(D(2017, 11, 13), D(2017, 11, 17)))
                gone = old.replace(year=old.year + 5) + dt.timedelta(days=rng.randint(30, 240))
                files["attendance_form"].append({"school": sid, "date": us(old), "discarded": us(gone)})
        for d, gone in s.get("forms", []):
            files["attendance_form"].append({"school": sid, "date": us(d),
                                             "discarded": us(gone) if gone else ""})
    # Each form records the parents who signed it: a count drawn from the form's date (no random
    # draw, so the rest of the data is unchanged), blank where a plan entry says so.
    blank = {s["id"] for s in PLAN if s.get("blank_participants")}
    for f in files["attendance_form"]:
        d = parse_date(f["date"])
        f["participants"] = str((d.day * 7 + d.month * 3) % 23 + 4)
        if f["school"] in blank and d.year == 2023:
            f["participants"] = ""
            blank.discard(f["school"])
    return files


COLUMNS = {
    "school": ["id", "name", "level", "magnet", "balance"],
    "student": ["school", "ethnicity", "enrollment", "headcount", "extracted", "student_name"],
    "calendar": ["school", "class_start", "s1_progress_report", "s2_start", "s2_progress_report"],
    "conference": ["school", "number", "date"],
    "event": ["school", "kind", "date"],
    "certification": ["school", "semester", "completed"],
    "norm_history": ["school", "year", "phbao", "qualified"],
    "attendance_form": ["school", "date", "discarded", "participants"],
}


def render_csv(name, rows):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS[name], lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


# ── 2. derive: evaluate the semantics on the files, knowing nothing of the plan ─────────────────────
def parse_date(text):
    text = text.strip()
    if "/" in text:
        m, d, y = text.split("/")
        assert len(y) == 4, text
        return D(int(y), int(m), int(d))
    return D.fromisoformat(text)


def plus_years(d, n):
    assert not (d.month == 2 and d.day == 29), "no leap-day forms in the sample"
    return d.replace(year=d.year + n)


def fmt_pct(fr):
    # the share as a percentage rounded half up to 0.1%, for display only
    tenths = fr * 1000
    r = int(tenths) + (1 if tenths - int(tenths) >= Fraction(1, 2) else 0)
    return f"{r // 10}.{r % 10}%"


def read_folder(folder):
    data = {}
    for name in COLUMNS:
        with open(os.path.join(folder, f"{name}.csv"), newline="", encoding="utf-8") as f:
            rd = csv.DictReader(f)
            assert rd.fieldnames == COLUMNS[name], (name, rd.fieldnames)
            # line numbers as an editor shows them: the header is line 1
            data[name] = [(i + 2, row) for i, row in enumerate(rd)]
    return data


def prev_year(y):
    a, b = y.split("-")
    return f"{int(a) - 1}-{int(b) - 1}"


def derive(data, as_of):
    schools = {r["id"]: (ln, r) for ln, r in data["school"]}
    ids = sorted(schools)
    per = {sid: {"hbao_resident": 0, "resident": 0, "magnet_hbao": 0, "magnet_ow": 0} for sid in ids}
    findings = []

    def find(sid, rule, note, at=None):
        f = {"school": sid, "rule": rule, "severity": SEVERITY[rule], "note": note}
        if at:
            f["at"] = at
        findings.append(f)

    # measures + norm_day_extract (all schools)
    for ln, r in data["student"]:
        n = int(r["headcount"]) if r["headcount"] else 1
        # Only the Norm Day extract counts: a row extracted on another day is left out.
        on_norm_day = not r["extracted"] or parse_date(r["extracted"]) == NORM_DAY
        if on_norm_day and r["enrollment"] not in NONRESIDENT:
            per[r["school"]]["resident"] += n
            if r["ethnicity"] in HBAO:
                per[r["school"]]["hbao_resident"] += n
        if on_norm_day and r["ethnicity"] in HBAO:
            per[r["school"]]["magnet_hbao"] += n
        if on_norm_day and r["ethnicity"] == "white":
            per[r["school"]]["magnet_ow"] += n
        if not on_norm_day:
            find(r["school"], "norm_day_extract",
                 f"student extracted {parse_date(r['extracted']).isoformat()}, not on Norm Day 2023-09-15",
                 f"student.csv line {ln}")

    hist = {}
    for ln, r in data["norm_history"]:
        hist[(r["school"], r["year"])] = (r["phbao"] == "true", r["qualified"] == "true")

    def failing_run(sid, year, now):
        # Consecutive failing Norm Days ending at `year`; `now` is that year's result when known.
        k, y, first = 0, year, True
        while True:
            q = now if first and now is not None else hist.get((sid, y), (None, None))[1]
            first = False
            if q is not False:
                return k
            k, y = k + 1, prev_year(y)

    states = []
    for sid in ids:
        hb, res = per[sid]["hbao_resident"], per[sid]["resident"]
        q = hb * 100 > res * 70 if res else None
        # The status held this year: its own row, else carried from 2022-2023 (held within the
        # notice period, or qualified while not held: gain next year), else no history at all.
        cur = hist.get((sid, YEAR))
        prev = hist.get((sid, prev_year(YEAR)))
        if cur is not None:
            held = cur[0]
        elif prev is None:
            held = None
        elif prev[0]:
            held = failing_run(sid, prev_year(YEAR), None) <= 2
        else:
            held = prev[1]
        k = failing_run(sid, YEAR, q) if q is False else 0
        if held is None:  # no history: this year alone decides
            state = "undetermined" if q is None else ("member" if q else "not_phbao")
        elif held:
            # Loss is effective the following school year: a failure this year, even past the
            # notice period, ends nothing this year, so an undecidable share still leaves it PHBAO.
            if q is None:
                state = "member_by_history"
            elif q:
                state = "continuing"
            elif k <= 2:
                state = f"notice_{k}_of_2"
            else:
                state = "reclassified_next_year"
        elif q is None:
            state = "not_member_by_history"  # a gain would only take effect next year
        else:
            state = "newly_qualifying" if q else "not_phbao"
        r = schools[sid][1]
        phbao = None if state == "undetermined" else state in (
            "continuing", "notice_1_of_2", "notice_2_of_2", "member_by_history",
            "reclassified_next_year", "member")
        states.append({
            "school": sid, "level": r["level"], "hbao_resident": hb, "resident": res,
            "share": f"{hb}/{res}" if res else None,
            "share_rounded": fmt_pct(Fraction(hb, res)) if res else None,
            "held": held, "qualified": q, "failing_years": k, "state": state,
            "phbao_this_year": phbao, "mag1": r["magnet"] == "mag1", "mag2": r["magnet"] == "mag2",
        })
    st = {s["school"]: s for s in states}

    def applicable(sid):
        s = st[sid]
        if s["mag1"] or s["mag2"]:
            return True
        return s["phbao_this_year"]  # None when undetermined

    # magnet rules
    for sid in ids:
        s, r = st[sid], schools[sid][1]
        if s["mag1"]:
            if r["balance"] not in ("60:40", "70:30"):
                shown = r["balance"] or "empty"
                find(sid, "mag1_balance", f"MAG1 balance is {shown}, not 60:40 or 70:30",
                     f"school.csv line {schools[sid][0]}")
            if s["phbao_this_year"]:
                find(sid, "mag1_not_phbao", f"MAG1 school is PHBAO this year ({s['state']})")
            # The measured balance: HBAO against White in the whole Norm Day extract, not above
            # the designation's HBAO part.
            part = {"60:40": 60, "70:30": 70}.get(r["balance"])
            hb, ow = per[sid]["magnet_hbao"], per[sid]["magnet_ow"]
            if part is not None and hb + ow > 0 and hb * 100 > part * (hb + ow):
                find(sid, "mag1_measured_balance", f"HBAO share {hb}/{hb + ow} is above {part}% "
                     f"({r['balance']})", f"school.csv line {schools[sid][0]}")
        if s["mag2"] and s["phbao_this_year"] is False:
            find(sid, "mag2_phbao", f"MAG2 school is not PHBAO this year ({s['state']})")

    conf = {sid: [] for sid in ids}
    for ln, r in data["conference"]:
        conf[r["school"]].append((ln, r["number"], parse_date(r["date"])))
    events = {sid: {} for sid in ids}
    for ln, r in data["event"]:
        if r["kind"] in ("back_to_school", "open_house"):
            events[r["school"]][parse_date(r["date"])] = r["kind"]
    cal = {r["school"]: {k: parse_date(v) for k, v in r.items() if k != "school"} for _, r in data["calendar"]}
    certs = {}
    for ln, r in data["certification"]:
        certs[(r["school"], r["semester"])] = (ln, parse_date(r["completed"]) if r["completed"] else None)
    forms = {sid: [] for sid in ids}
    for ln, r in data["attendance_form"]:
        forms[r["school"]].append((ln, parse_date(r["date"]), parse_date(r["discarded"]) if r["discarded"] else None))
        # Every form on file records its participation (a count, zero allowed).
        if r["participants"] == "":
            find(r["school"], "participation_recorded", f"form dated {parse_date(r['date']).isoformat()} "
                 "records no participation", f"attendance_form.csv line {ln}")

    # Each conference day held by the evaluation date has a form dated that day (for the schools
    # the conference rules apply to; checked below).
    # Forms are kept by every school that has them, whatever its category this year.
    for sid in ids:
        for ln, d, gone in forms[sid]:
            if gone is not None and gone < plus_years(d, RETAIN_YEARS):
                find(sid, "keep_forms", f"form dated {d.isoformat()} discarded {gone.isoformat()}, before "
                     f"{plus_years(d, RETAIN_YEARS).isoformat()}", f"attendance_form.csv line {ln}")

    pending = []
    undetermined = []
    for sid in ids:
        a = applicable(sid)
        if a is None:
            undetermined.append({"school": sid, "note": "no resident students: hbao_share undefined, so "
                                 "PHBAO is undetermined and the PHBAO rules cannot be decided"})
            continue
        if not a:
            continue
        level = schools[sid][1]["level"]
        numbers = {n for _, n, _ in conf[sid]}
        if len(numbers) < 2:
            held_ = ", ".join(sorted(numbers)) or "none"
            find(sid, "two_conferences", f"{len(numbers)} distinct conference(s) held ({held_}), 2 required")
        form_days = {d for _, d, _ in forms[sid]}
        for ln, n, d in conf[sid]:
            if d <= as_of and d not in form_days:
                find(sid, "forms_for_conferences", f"{n} conference on {d.isoformat()} has no form "
                     "dated that day", f"conference.csv line {ln}")
        for ln, n, d in conf[sid]:
            if d in events[sid]:
                find(sid, "not_on_event_day", f"{n} conference on {d.isoformat()}, the "
                     f"{events[sid][d].replace('_', '-')} day", f"conference.csv line {ln}")
        for ln, n, d in conf[sid]:
            if level == "elementary":
                lo, hi_incl = ELEM_FIRST if n == "first" else ELEM_SECOND
                ok = lo <= d <= hi_incl
                win = f"{lo.isoformat()}..{hi_incl.isoformat()} inclusive"
            else:
                c = cal[sid]
                if n == "first":
                    lo, hi_excl = c["class_start"] + dt.timedelta(weeks=5), c["s1_progress_report"]
                else:
                    lo, hi_excl = c["s2_start"], c["s2_progress_report"]
                ok = lo <= d < hi_excl
                win = f"{lo.isoformat()}..{(hi_excl - dt.timedelta(days=1)).isoformat()} inclusive (before {hi_excl.isoformat()})"
            if not ok:
                find(sid, f"{n}_in_window", f"{n} conference on {d.isoformat()}, outside {win}",
                     f"conference.csv line {ln}")
        # "At the conclusion of each semester": not completed before the semester's last conference.
        for sem, rule in (("first", "certified_after_first_conference"),
                          ("second", "certified_after_second_conference")):
            ln, done = certs.get((sid, sem), (None, None))
            days = [d for _, n, d in conf[sid] if n == sem]
            if done is not None and days and done < max(days):
                find(sid, rule, f"certified {done.isoformat()}, before the {sem} conference of "
                     f"{max(days).isoformat()}", f"certification.csv line {ln}")
        for sem, rule, due in (("first", "certify_semester_1", SEM1_DUE), ("second", "certify_semester_2", SEM2_DUE)):
            ln, done = certs.get((sid, sem), (None, None))
            at = f"certification.csv line {ln}" if ln else None
            if done is not None and done <= due:
                continue
            if done is not None:  # completed after the due date
                if done <= as_of:
                    find(sid, rule, f"certified {done.isoformat()}, after the due date {due.isoformat()}", at)
                elif as_of > due:
                    find(sid, rule, f"overdue since {due.isoformat()} as of {as_of.isoformat()}", at)
                else:
                    pending.append({"school": sid, "rule": rule, "severity": SEVERITY[rule],
                                    "due": due.isoformat(), "note": "not yet certified as of "
                                    f"{as_of.isoformat()} (a later completion is recorded)"})
                continue
            what = "no certification row" if ln is None else "completion date empty"
            if as_of > due:
                find(sid, rule, f"{what}; overdue since {due.isoformat()}", at)
            else:
                pending.append({"school": sid, "rule": rule, "severity": SEVERITY[rule],
                                "due": due.isoformat(), "note": f"{what}; due {due.isoformat()}, pending as "
                                f"of {as_of.isoformat()}"})

    findings.sort(key=lambda f: (f["school"], f["rule"], f.get("at", "")))
    pending.sort(key=lambda f: (f["school"], f["rule"]))
    categories = {
        "PHBAO": [s["school"] for s in states if s["phbao_this_year"]],
        "MAG1": [s["school"] for s in states if s["mag1"]],
        "MAG2": [s["school"] for s in states if s["mag2"]],
        "rules_apply": [s for s in ids if applicable(s)],
    }
    return {"findings": findings, "pending": pending, "schools": states, "categories": categories,
            "undetermined": undetermined}


# ── 3. cross-check the derived half against the plan ───────────────────────────────────────────────
def cross_check(res):
    errors = []
    st = {s["school"]: s for s in res["schools"]}
    got = {}
    for f in res["findings"]:
        got.setdefault(f["school"], []).append(f["rule"])
    for s in PLAN:
        if st[s["id"]]["state"] != s["state"]:
            errors.append(f"{s['id']}: planned {s['state']}, derived {st[s['id']]['state']}")
        if sorted(got.get(s["id"], [])) != sorted(s.get("expect", [])):
            errors.append(f"{s['id']}: planned {s.get('expect', [])}, derived {got.get(s['id'], [])}")
    hist = {}
    for s in PLAN:
        hist[s["state"]] = hist.get(s["state"], 0) + 1
    for needed in HIST:
        if needed not in hist:
            errors.append(f"no school in state {needed}")
    if errors:
        sys.exit("plan and derivation disagree:\n  " + "\n  ".join(errors))


# ── 4. write ───────────────────────────────────────────────────────────────────────────────────────
def expected_json(res):
    doc = {
        "synthetic": True,
        "policy": "policies/lausd/2023-24/ref-1028.19.policy",
        "as_of": AS_OF.isoformat(),
        "generated_by": "samples/expected/make_sample.py (seed %d)" % SEED,
        "findings": res["findings"],
        "pending": res["pending"],
        "schools": res["schools"],
        "categories": res["categories"],
        "undetermined": res["undetermined"],
    }
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"


HAND_CHECKS = """\
## Checked by hand

Each of these was recounted with `awk`/`grep` on the CSV files, not with this script (the commands
are given so anyone can repeat them; run them in this folder).

1. **E18, exactly 70.0 % is not > 70 %.**
   `awk -F, '$1=="E18" && $3=="resident"' student.csv | wc -l` → 50 resident rows;
   `awk -F, '$1=="E18" && $3=="resident" && $2!="white" && $2!="not_reported"' student.csv | wc -l` → 35.
   35 × 100 = 3500 is not greater than 50 × 70 = 3500, so it does not qualify. Its norm_history has
   2021-2022 and 2022-2023 with `qualified=false` and `phbao=true` for 2023-2024, so this is the third
   failing year: **reclassified, effective next year** (the policy's reading of "reclassified ... on its
   third year" together with "these changes will be reflected ... for the following school year"), so
   still PHBAO this year: its one out-of-window conference and missing certification are findings. All
   60 rows counted (including the 10 non-resident HBAO students) would be 45/60 = 75 % and would
   wrongly make it continuing.
2. **E20, 70.1 % (pre-counted).** `grep '^E20,' student.csv` shows seven headcount rows; the resident
   ones are hispanic 501 + black 100 + asian 100 (HBAO) and white 250 + not_reported 49, so 701/1000.
   70 100 > 70 000: qualifies, so although 2021-2022 and 2022-2023 failed, it is **continuing** PHBAO, and
   its missing second conference is a `two_conferences` error.
3. **E29, `not_reported` stays in the denominator.** Resident rows: 36 HBAO, 12 white, 4 not_reported
   → 36/52 = 69.23 %: not qualifying, third failing year → **reclassified, effective next year**.
4. **E21, undetermined.** `awk -F, '$1=="E21"' student.csv | cut -d, -f3 | sort | uniq -c` shows only
   traveling, permit, open_enrollment and special_day_class: no resident student, the share is 0/0.
   It has no norm_history row (`grep -c '^E21,' norm_history.csv` → 0), so no history can decide it
   either. (A school that held PHBAO would be PHBAO this year whatever its share, since a loss takes
   effect the following year; one that did not hold it would not be, since a gain does too.)
5. **S10, the failing run stops at a qualified year.** norm_history: 2020-2021 false, 2021-2022 true,
   2022-2023 false, 2023-2024 fails on data. Walking back: this year (1), 2022-2023 (2), 2021-2022
   qualified → stop. k = 2: **notice year 2 of 2**, still PHBAO, so its 1/12/2024 second conference
   (semester 2 starts 1/16/2024) is a `second_in_window` warning.
6. **S03, secondary window from class start + 5 weeks.** calendar.csv: class_start 8/16/2023 → window
   opens 8/16 + 35 days = 9/20/2023 (inclusive). The conference on 2023-09-19 is one day early. S02's
   conference on 2023-09-18 is exactly 8/14/2023 + 35 days and is inside.
7. **Certifications as of 2024-02-15.** E03, S02: completed 1/31/2024, the due date → on time
   ("by" is inclusive); E09's 11/10/2023 is on time too (but see 11). E10: 2/1/2024 → late. E11, E15,
   E18, E29 and S08: no semester-1 row → overdue. E12: row with an empty date → overdue. E23: 2/5/2024 → late. Semester 2 (due 6/21/2024) is never completed, so every
   school the rules apply to is listed under *pending*, never as a finding.
8. **Retention.** E27's form of 11/15/2018 was discarded 11/15/2023, exactly 5 years → kept long
   enough. E17's form of 11/16/2020 was discarded 7/1/2022 → `keep_forms`, although E17 is not PHBAO
   now. E28's form of 1/10/2019 was discarded 1/9/2024, one day short → `keep_forms`. E13's form of
   11/14/2019 was discarded 6/30/2023 → `keep_forms`.
9. **Rows from another day are left out.** E17 and S06 each have one student row extracted on a day
   other than 9/15/2023 (`awk -F, '$5!="" && $5!="2023-09-15"' student.csv`): each is a
   `norm_day_extract` warning and is not counted in the school's shares.
10. **Measured magnet balance.** E25 (70:30) and E26 (60:40): HBAO rows against White rows of the
   Norm Day extract, every enrollment kind, are above 70 % and 60 %: `mag1_measured_balance`.
11. **Certified before the conferences.** E09 certified semester 1 on 11/10/2023; its first conferences
   are in the week of November 13: `certified_after_first_conference`.
12. **S12, reclassified last year.** norm_history: 2020-2021, 2021-2022 and 2022-2023 held and failing,
   no 2023-2024 row. The third failing year (2022-2023) reclassified it effective this year: not PHBAO.
"""


def expected_md(res):
    st = {s["school"]: s for s in res["schools"]}
    why = {s["id"]: s["why"] for s in PLAN}
    out = []
    out.append("# Expected results for the sample district (synthetic)\n")
    out.append("This file and `expected.json` are written by `make_sample.py`; do not edit by hand. "
               "Everything here is **synthetic**: invented schools, no real students.\n")
    out.append(f"Policy: `policies/lausd/2023-24/ref-1028.19.policy`. Evaluated **as of {AS_OF.isoformat()}**: "
               "semester 1 certifications (due 2024-01-31) are decided, semester 2 (due 2024-06-21) are "
               "pending.\n")
    out.append("Each planted problem is a single offending record (or a school-level fact), so a "
               "per-record report and a per-school report list the same (school, rule) pairs. `at` "
               "gives the offending line (the header is line 1).\n")
    out.append(f"## Findings ({len(res['findings'])})\n")
    out.append("| school | rule | severity | why | at |")
    out.append("|---|---|---|---|---|")
    for f in res["findings"]:
        out.append(f"| {f['school']} | {f['rule']} | {f['severity']} | {f['note']} | {f.get('at', '')} |")
    out.append("")
    out.append(f"## Pending as of {AS_OF.isoformat()} ({len(res['pending'])})\n")
    out.append("Not findings: the due date has not passed. "
               + ", ".join(f"{p['school']}" for p in res["pending"])
               + f" — all `certify_semester_2`, due 2024-06-21.\n")
    out.append("## Undetermined\n")
    for u in res["undetermined"]:
        out.append(f"- **{u['school']}**: {u['note']}. Its data is otherwise compliant (two conferences in "
                   "window, semester 1 certified on time), so evaluating or skipping the PHBAO rules "
                   "there gives no error either way; only a semester-2 `pending` entry could differ.")
    out.append("")
    out.append("## PHBAO state and categories of every school\n")
    out.append("| school | level | HBAO resident / resident | share | held 2023-24 | failing years (held schools) | state | PHBAO this year | magnet | rules apply | planted |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    apply = set(res["categories"]["rules_apply"])
    for s in res["schools"]:
        mag = "MAG1" if s["mag1"] else ("MAG2" if s["mag2"] else "")
        ph = {True: "yes", False: "no", None: "undetermined"}[s["phbao_this_year"]]
        ra = "yes" if s["school"] in apply else ("?" if s["phbao_this_year"] is None else "no")
        share = s["share_rounded"] or "undefined"
        k = str(s["failing_years"]) if s["held"] and s["failing_years"] else ""
        out.append(f"| {s['school']} | {s['level']} | {s['hbao_resident']} / {s['resident']} | {share} | "
                   f"{'yes' if s['held'] else 'no'} | {k} | {s['state']} | {ph} | {mag} | {ra} | {why[s['school']]} |")
    out.append("")
    c = res["categories"]
    out.append("## Category membership\n")
    out.append(f"- PHBAO this year ({len(c['PHBAO'])}): {', '.join(c['PHBAO'])}")
    out.append(f"- MAG1 ({len(c['MAG1'])}): {', '.join(c['MAG1'])}")
    out.append(f"- MAG2 ({len(c['MAG2'])}): {', '.join(c['MAG2'])}")
    out.append(f"- PHBAO or MAG1 or MAG2, the schools the conference rules apply to ({len(c['rules_apply'])}): "
               f"{', '.join(c['rules_apply'])}")
    out.append("")
    out.append("## Decoys (must produce nothing)\n")
    out.append("- Not PHBAO this year and not magnet, with problems that would be findings elsewhere: "
               "E16 and S11 (newly qualifying: out-of-window conferences, no certification), S12 (its "
               "reclassification took effect this year: no conferences, no certification).")
    out.append("- Reclassified this year, effective next year, so PHBAO this year and *not* decoys: E15, E18 "
               "and E29 owe this year's conferences and certifications.")
    out.append("- E26: MAG1 and newly qualifying — not PHBAO until 2024-2025, so no `mag1_not_phbao`.")
    out.append("- E01: a conference on its own `other` event day, and one on 2024-03-06, which is the Open "
               "House of E06, not of E01.")
    out.append("- E05, S03: no `extracted` value at all (the field is optional).")
    out.append("")
    out.append(HAND_CHECKS)
    out.append("## Regenerating\n")
    out.append("`python3 make_sample.py` rewrites the CSV files and both expectation files; "
               "`python3 make_sample.py --check` fails if anything would change; "
               "`python3 make_sample.py --as-of 2024-07-01` prints the findings for another date.")
    return "\n".join(out) + "\n"


def main(argv):
    files = generate()
    rendered = {f"{name}.csv": render_csv(name, rows) for name, rows in files.items()}
    if "--as-of" in argv:
        as_of = D.fromisoformat(argv[argv.index("--as-of") + 1])
        res = derive(read_folder(DISTRICT), as_of)
        print(json.dumps({"as_of": as_of.isoformat(), "findings": res["findings"], "pending": res["pending"]}, indent=2))
        return
    check = "--check" in argv
    tmp = DISTRICT if not check else os.path.join(HERE, ".check")
    os.makedirs(tmp, exist_ok=True)
    for fname, text in rendered.items():
        with open(os.path.join(tmp, fname), "w", newline="", encoding="utf-8") as f:
            f.write(text)
    res = derive(read_folder(tmp), AS_OF)
    cross_check(res)
    rendered["expected.json"] = expected_json(res)
    rendered["EXPECTED.md"] = expected_md(res)
    if check:
        stale = []
        for fname, text in rendered.items():
            home = HERE if fname in ("expected.json", "EXPECTED.md") else DISTRICT
            with open(os.path.join(home, fname), encoding="utf-8") as f:
                if f.read() != text:
                    stale.append(fname)
        for fname in os.listdir(tmp):
            os.remove(os.path.join(tmp, fname))
        os.rmdir(tmp)
        if stale:
            sys.exit("out of date: " + ", ".join(stale))
        print("sample district is up to date")
        return
    for fname in ("expected.json", "EXPECTED.md"):
        with open(os.path.join(HERE, fname), "w", newline="", encoding="utf-8") as f:
            f.write(rendered[fname])
    print(f"{len(res['findings'])} findings, {len(res['pending'])} pending, {len(res['schools'])} schools")


if __name__ == "__main__":
    main(sys.argv[1:])
