#!/usr/bin/env python3
"""Reads one lint run's JSON, CSV and JUnit reports with real consumers (jsonschema, Python's
csv module, junitparser) and checks that they carry the same counts.

Usage: check_reports.py REPORT.json REPORT.csv REPORT.xml SCHEMA.json
Exit 0 when every check holds; prints what was compared.
"""
import csv
import json
import sys
from collections import Counter

import jsonschema
from junitparser import Error, Failure, JUnitXml, Skipped


def main(json_path, csv_path, junit_path, schema_path):
    report = json.load(open(json_path, encoding="utf-8"))
    schema = json.load(open(schema_path, encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(report)

    s = report["summary"]
    assert s["findings"] == len(report["findings"]), "summary.findings"
    assert s["entities"] == len(report["entities"]), "summary.entities"
    sev = Counter(f["severity"] for f in report["findings"])
    assert (s["errors"], s["warnings"], s["info"]) == (sev["error"], sev["warning"], sev["info"])

    # Per rule: the counts agree with the entities' outcomes.
    for rule in report["rules"]:
        per_entity = Counter(
            e["outcomes"][rule["name"]] for e in report["entities"] if rule["name"] in e["outcomes"]
        )
        assert dict(per_entity) == {k: v for k, v in rule["outcomes"].items() if v}, rule["name"]

    # CSV: a row per finding, data error, gap, near entity and data file read.
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["finding"] == len(report["findings"]), ("csv findings", kinds)
    assert kinds["data_error"] == len(report["data_errors"]), "csv data errors"
    assert kinds["gap"] == len(report["gaps"]), "csv gaps"
    assert kinds["near"] == len(report["near"]), "csv near"
    data_files = [r for r in rows if r["kind"] == "provenance" and r["rule"] == "data_file"]
    assert len(data_files) == len(report["provenance"]["data_files"]), "csv provenance"
    csv_status = Counter((r["rule"], r["status"]) for r in rows if r["kind"] == "finding")
    json_status = Counter((f["rule"], f["status"]) for f in report["findings"])
    assert csv_status == json_status, "csv statuses"

    # JUnit: a suite per rule with a case per entity; failures, errors and skips as the outcomes.
    xml = JUnitXml.fromfile(junit_path)
    suites = {suite.name: suite for suite in xml}
    for rule in report["rules"]:
        suite = suites[rule["name"]]
        o = rule["outcomes"]
        cases = list(suite)
        results = Counter(
            type(r).__name__ for case in cases for r in case.result
        )
        assert len(cases) == sum(o.values()), rule["name"]
        assert results["Failure"] == o["violation"] + o["late"] + o["overdue"], rule["name"]
        assert results["Error"] == o["undetermined"], rule["name"]
        assert results["Skipped"] == o["not_applicable"], rule["name"]
        assert suite.tests == len(cases) and suite.failures == results["Failure"]
    for cat in report["categories"]:
        suite = suites["category " + cat["name"]]
        undetermined = sum(
            1 for e in report["entities"] for c in e["categories"]
            if c["name"] == cat["name"] and c["member"] is None
        )
        assert suite.errors == undetermined, cat["name"]
    data = suites["data"]
    data_errors = sum(1 for e in report["data_errors"] if e["severity"] == "error")
    blocking = sum(1 for g in report["gaps"] if g["no_data"] and g["rules"])
    assert data.errors == data_errors + blocking, "junit data errors"
    assert data.tests == len(report["data_errors"]) + len(report["gaps"]), "junit data cases"
    props = {p.name: p.value for p in data.properties()}
    assert props.get("mandate") == report["provenance"]["mandate"], "junit provenance"

    print(
        f"ok: {len(report['entities'])} entities, {len(report['rules'])} rules, "
        f"{len(report['findings'])} findings, {len(report['data_errors'])} data errors, "
        f"{len(report['near'])} near agree across JSON (schema-valid), CSV and JUnit"
    )


if __name__ == "__main__":
    main(*sys.argv[1:5])
