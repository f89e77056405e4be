"""`python -m benchmarks --quick` runs and reports every workload (not speed)."""

import math

from benchmarks.run import WORKLOADS, format_table, main


def test_quick_benchmark_reports_every_workload(capsys):
    rows = main(["--quick", "--bptt", "autodiff", "--repeats", "2"])
    printed = capsys.readouterr().out
    assert {r.workload for r in rows} == set(WORKLOADS)
    assert {(r.workload, r.task) for r in rows} >= {
        ("shd-mlp", "train"),
        ("shd-mlp", "infer"),
        ("lsnn", "train"),
    }
    for r in rows:
        numbers = (
            r.ms,
            r.compile_s,
            r.xla_mb,
            r.naive_ms,
            r.bound_ms,
            r.rss_mb,
            r.gflops,
        )
        assert all(math.isfinite(x) and x >= 0 for x in numbers), r
        assert r.ms > 0 and r.naive_ms > 0 and r.bound_ms > 0
    # every row is in the printed table
    for line in format_table(rows).splitlines()[3:]:
        assert line in printed
