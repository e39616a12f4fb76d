"""Time W1-W5 on every engine in one process and print a markdown table of medians and ratios.

    python -m benchmarks.run [--workloads w1 w2 w3 w4] [--epochs N] [--repeats N] [--json out.json]

Engines alternate inside each repetition (numpy epoch, numpy_tuned epoch, autograd_lite
epoch, torch epoch, then again), so a machine that slows down or speeds up during the run
affects them alike; numpy_tuned, the notes' network tuned in place, runs W1/W2 only, and W5
(the convolutional network) runs on numpy, autograd_lite and torch. Each
figure is the median over the repetitions, leaving out samples during which other processes
competed for the CPU (``timing.py``; the report counts them). A ratio is engine time /
numpy-by-hand time in the same repetition, median over repetitions (lower is better, 1.0 is
as fast as the hand-written numpy): pairing neighbouring samples cancels slow drifts of the
machine's speed, so ratios are steadier than the times themselves. Peak memory is
measured afterwards, each engine in a fresh process (``memory.py``). Progress goes to
stderr, the tables to stdout.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import memory
from .engines import (
    CHAIN_ENGINES,
    ENGINES,
    available_engines,
    blas_threads,
    import_torch,
    make_chain,
    make_runner,
    unsupported,
)
from .numpy_by_hand import chain_forward, gemm_only_epoch
from .report import describe_environment, format_report, load_average
from .timing import Sample, paired_ratio, robust_median, spare_cores, timed
from .workloads import (
    SEED,
    TRAINING_WORKLOADS,
    W3_OPS,
    W3_SIZE,
    W4_OPS,
    W4_SIZE,
    ConvWorkload,
    MLPWorkload,
    chain_input,
    chain_ops,
    epoch_batches,
    initial_weights,
    load_data,
)

WORKLOADS = ("w1", "w2", "w3", "w4", "w5")
MEMORY_WORKLOADS = ("w2", "w5")  # the training workloads whose epoch's peak RSS is measured


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _summary(samples: dict[str, list[Sample]], scale: float = 1.0) -> dict[str, Any]:
    """Medians (of undisturbed samples), ratios to numpy, every sample, how many disturbed."""
    return {
        "median": {name: robust_median(s, scale) for name, s in samples.items()},
        "ratio": {name: paired_ratio(s, samples["numpy"]) for name, s in samples.items()},
        "samples": {name: [x.seconds * scale for x in s] for name, s in samples.items()},
        "others_cpu": {name: [x.others_cpu for x in s] for name, s in samples.items()},
        "disturbed_samples": {name: [x.disturbed for x in s] for name, s in samples.items()},
        "disturbed": sum(x.disturbed for s in samples.values() for x in s),
        "total_samples": sum(len(s) for s in samples.values()),
    }


def _line(samples: dict[str, list[Sample]], scale: float = 1.0) -> str:
    last = {name: s[-1] for name, s in samples.items()}
    return ", ".join(
        f"{name} {x.seconds * scale:.3f}{' (disturbed)' if x.disturbed else ''}"
        for name, x in last.items()
    )


def bench_mlp(workload: MLPWorkload | ConvWorkload, args: argparse.Namespace) -> dict[str, Any]:
    """Train every engine for ``args.epochs`` epochs, alternating engines within each epoch.

    An MLP workload also times its GEMM-only bound (``gemm_only``); W5 has none.
    """
    data = load_data(workload.dtype, args.limit)
    weights = initial_weights(workload)
    engines = [name for name in args.engines if not unsupported(workload.name, name)]
    runners = {name: make_runner(name, workload, weights) for name in engines}
    rng = np.random.default_rng(SEED)
    bound = ["gemm_only"] if isinstance(workload, MLPWorkload) else []
    samples: dict[str, list[Sample]] = {name: [] for name in [*engines, *bound]}
    for epoch in range(args.epochs):
        batches = epoch_batches(len(data.x_train), workload.batch_size, rng)
        jobs = {
            name: functools.partial(r.train_epoch, data, batches) for name, r in runners.items()
        }
        if bound:
            jobs["gemm_only"] = functools.partial(gemm_only_epoch, workload, data, weights)
        for name, job in jobs.items():
            samples[name].append(timed(job, args.max_wait, args.spare_cores))
        _progress(f"{workload.name} epoch {epoch + 1}/{args.epochs} (s): {_line(samples)}")
    reference = runners["numpy"].weights()
    return {
        "description": workload.describe(),
        "unit": "s/epoch",
        **_summary(samples),
        "accuracy": {n: r.accuracy(data.x_test, data.t_test) for n, r in runners.items()},
        "max_weight_difference": {
            name: _max_difference(runner.weights(), reference) for name, runner in runners.items()
        },
    }


def _max_difference(weights: Sequence[tuple], reference: Sequence[tuple]) -> float:
    pairs = [(a, b) for layer, ref in zip(weights, reference) for a, b in zip(layer, ref)]
    return max(float(np.max(np.abs(a - b))) for a, b in pairs)


def bench_chain(
    n_ops: int, size: int, args: argparse.Namespace, repeats: int, runs: int
) -> dict[str, Any]:
    """Median microseconds per op of the chain, forward and backward, alternating engines.

    Each sample times ``runs`` consecutive runs. ``numpy_forward`` is the chain's forward
    pass alone in numpy, the least any engine must spend.
    """
    ops, x = chain_ops(n_ops), chain_input(size)
    engines = [name for name in args.engines if name in CHAIN_ENGINES]
    chains = {name: functools.partial(make_chain(name, ops), x) for name in engines}
    check = _check_chains(chains)  # also a warm-up run of each engine
    chains["numpy_forward"] = functools.partial(chain_forward, x, ops)
    samples: dict[str, list[Sample]] = {name: [] for name in chains}
    scale = 1e6 / (runs * n_ops)  # seconds per sample -> microseconds per op
    for repeat in range(repeats):
        for name, chain in chains.items():
            run_chain = functools.partial(_repeat, chain, runs)
            samples[name].append(timed(run_chain, args.max_wait, args.spare_cores))
        _progress(f"{n_ops} ops, repeat {repeat + 1}/{repeats} (us/op): {_line(samples, scale)}")
    summary = _summary(samples, scale)
    return {
        "ops": n_ops,
        "size": size,
        "unit": "us/op",
        **summary,
        "max_relative_difference": check,
    }


def _repeat(fn: Callable[[], Any], times: int) -> None:
    for _ in range(times):
        fn()


def _check_chains(chains: dict[str, Callable[[], Any]]) -> dict[str, float]:
    """Run each engine once; the largest relative difference of its (y, dy/dx) from numpy's."""
    results = {name: chain() for name, chain in chains.items()}
    reference = results["numpy"]
    return {
        name: max(float(np.max(np.abs(a - b) / np.abs(b))) for a, b in zip(result, reference))
        for name, result in results.items()
    }


def bench_memory(
    engines: Sequence[str], limit: int | None, w4_ops: Sequence[int], workloads: Sequence[str]
) -> list[dict]:
    """Peak RSS of a W2 and a W5 epoch (every engine) and of each W4 chain, each in a fresh
    process."""
    jobs = [(name, None) for name in MEMORY_WORKLOADS if name in workloads]
    jobs += [("w4", n) for n in w4_ops] if "w4" in workloads else []
    results = []
    for workload, ops in jobs:
        for engine in [e for e in engines if not unsupported(workload, e)]:
            result = memory.measure_in_subprocess(workload, engine, limit=limit, ops=ops)
            _progress(f"memory {workload} {engine} {ops or ''}: {result}")
            results.append(result)
    return results


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--workloads", nargs="+", choices=WORKLOADS, default=list(WORKLOADS))
    parser.add_argument(
        "--engines",
        nargs="+",
        choices=ENGINES,
        help="default: numpy, numpy_tuned (W1/W2 only), autograd_lite, torch if installed",
    )
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs of W1, W2 and W5")
    parser.add_argument("--repeats", type=int, default=9, help="timed repetitions of W3")
    parser.add_argument("--w4-repeats", type=int, default=3, help="timed repetitions of W4")
    parser.add_argument("--w3-ops", type=int, default=W3_OPS)
    parser.add_argument("--w3-runs", type=int, default=20, help="W3 runs in one timing sample")
    parser.add_argument("--w4-ops", type=int, nargs="+", default=list(W4_OPS))
    parser.add_argument("--limit", type=int, help="train W1/W2/W5 on the first N images only")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak RSS runs")
    parser.add_argument(
        "--max-wait",
        type=float,
        default=10.0,
        help="seconds to wait, before each sample, for other processes to go quiet",
    )
    parser.add_argument(
        "--threads",
        type=int,
        help="limit numpy's BLAS (and so PyTorch) to N threads (needs threadpoolctl)",
    )
    parser.add_argument("--json", help="also write every number to this JSON file")
    args = parser.parse_args(argv)
    if args.threads is not None:
        args.blas_limit = _limit_blas_threads(parser, args.threads)  # kept for the whole run
    args.spare_cores = spare_cores(blas_threads())
    if args.engines is None:
        args.engines = available_engines()
    elif "torch" in args.engines and import_torch() is None:
        parser.error("--engines: torch is not installed")
    if "numpy" not in args.engines:
        parser.error("--engines must include numpy: every ratio is to numpy-by-hand")
    args.engines = [e for e in ENGINES if e in args.engines]  # numpy first: the reference
    return args


def _limit_blas_threads(parser: argparse.ArgumentParser, threads: int) -> Any:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        parser.error("--threads needs threadpoolctl: pip install threadpoolctl")
    return threadpool_limits(limits=threads, user_api="blas")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmarks; print the markdown report and return every number."""
    args = parse_args(argv)
    results: dict[str, Any] = {"environment": describe_environment(args.engines)}
    for name in args.workloads:
        if name in TRAINING_WORKLOADS:
            results[name] = bench_mlp(TRAINING_WORKLOADS[name], args)
    if "w3" in args.workloads:
        results["w3"] = bench_chain(args.w3_ops, W3_SIZE, args, args.repeats, args.w3_runs)
    if "w4" in args.workloads:
        results["w4"] = [bench_chain(n, W4_SIZE, args, args.w4_repeats, 1) for n in args.w4_ops]
    if not args.no_memory:
        results["memory"] = bench_memory(args.engines, args.limit, args.w4_ops, args.workloads)
    results["environment"]["load_average_after"] = load_average()
    print(format_report(results))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)
    return results


if __name__ == "__main__":
    main()
