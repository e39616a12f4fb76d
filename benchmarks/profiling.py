"""Where an engine spends its time: cProfile over one epoch (W1, W2) or some chains (W3, W4).

    python -m benchmarks.profiling w2                 # one W2 epoch of autograd_lite
    python -m benchmarks.profiling w3 --runs 50       # 50 W3 chains of 2,000 ops
    python -m benchmarks.profiling w2 --out w2.prof   # keep the stats for snakeviz/pstats

Set-up (data, model, chain) happens before profiling starts. The top functions are printed
by ``--sort`` (default ``tottime``: time inside the function itself, the place to optimise).
cProfile adds a fixed cost to every Python call, so it exaggerates call-heavy code; compare
the total with ``run.py``'s unprofiled timing.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
from collections.abc import Sequence

import numpy as np

from .engines import ENGINES, make_chain, make_runner, unsupported
from .workloads import (
    MLP_WORKLOADS,
    SEED,
    W3_OPS,
    W3_SIZE,
    W4_SIZE,
    chain_input,
    chain_ops,
    epoch_batches,
    initial_weights,
    load_data,
)


def profile(
    workload: str, engine: str, runs: int = 1, limit: int | None = None, ops: int | None = None
) -> cProfile.Profile:
    """Profile ``runs`` epochs (W1, W2) or chains (W3, W4) of ``workload`` on ``engine``."""
    profiler = cProfile.Profile()
    if workload in MLP_WORKLOADS:
        spec = MLP_WORKLOADS[workload]
        data = load_data(spec.dtype, limit)
        runner = make_runner(engine, spec, initial_weights(spec))
        rng = np.random.default_rng(SEED)
        for _ in range(runs):
            batches = epoch_batches(len(data.x_train), spec.batch_size, rng)
            profiler.runcall(runner.train_epoch, data, batches)
    else:
        n_ops = ops or (W3_OPS if workload == "w3" else 1_000_000)
        chain = make_chain(engine, chain_ops(n_ops))
        x = chain_input(W3_SIZE if workload == "w3" else W4_SIZE)
        for _ in range(runs):
            profiler.runcall(chain, x)
    return profiler


def main(argv: Sequence[str] | None = None) -> pstats.Stats:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.profiling",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("workload", choices=[*MLP_WORKLOADS, "w3", "w4"])
    parser.add_argument("--engine", choices=ENGINES, default="autograd_lite")
    parser.add_argument("--runs", type=int, default=1, help="epochs or chains to profile")
    parser.add_argument("--limit", type=int, help="train on the first N images only")
    parser.add_argument("--ops", type=int, help="chain length (W3: 2,000; W4: 1,000,000)")
    parser.add_argument("--sort", default="tottime", help="a pstats sort key, e.g. cumulative")
    parser.add_argument("--top", type=int, default=25, help="how many functions to print")
    parser.add_argument("--out", help="also save the raw stats to this file")
    args = parser.parse_args(argv)
    if problem := unsupported(args.workload, args.engine):
        parser.error(problem)
    profiler = profile(args.workload, args.engine, args.runs, args.limit, args.ops)
    if args.out:
        profiler.dump_stats(args.out)
    stats = pstats.Stats(profiler).strip_dirs().sort_stats(args.sort)
    stats.print_stats(args.top)
    return stats


if __name__ == "__main__":
    main()
