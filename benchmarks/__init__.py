"""Benchmarks for reportgen: synthetic surveys, the docxtpl + LibreOffice peer, the runner.

    python -m benchmarks.generate OUT --n 200     N synthetic surveys (deterministic from a seed)
    python -m benchmarks.peer SURVEYS... --out D  the pipeline an office would script instead
    python -m benchmarks.run --n 200 --jobs 2     measure both side by side (`inv bench`)

Nothing in reportgen imports this package; docxtpl is a benchmark-only dependency.
"""
