"""Runs the benchmarks (tests/benchmarks/bench_*.py, or those named) and prints one table.

    make bench                   # all
    make bench BENCH=api_balance # one (by the part after bench_)

Benchmarks run against the environment as given: DATABASE_URL/REDIS_URL for PostgreSQL/Redis,
else the embedded defaults in a throwaway directory. They are measurements, not tests: the table
says whether each target was met, and the exit code is always 0 unless a benchmark crashed.
"""

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.benchmarks.support import Row  # noqa: E402


def main(names: list[str]) -> int:
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if names:
        modules = [m for m in modules if m.removeprefix("bench_") in names or m in names]
    rows: list[Row] = []
    for module in modules:
        print(f"running {module} ...", flush=True)
        rows += importlib.import_module(f"tests.benchmarks.{module}").run()
    print()
    print(f"{'benchmark':44} {'value':>14} {'baseline':>14} {'ratio':>8}  target")
    for row in rows:
        baseline = f"{row.baseline:,.1f}" if row.baseline is not None else ""
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else ""
        verdict = {True: "met", False: "MISSED", None: ""}[row.passed]
        print(
            f"{row.name:44} {row.value:>10,.1f} {row.unit:<3} {baseline:>14} {ratio:>8}  {row.target} {verdict} {row.note}".rstrip()
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
