"""Benchmarks: autograd_lite against hand-written numpy (and PyTorch, where installed).

Read in this order: ``workloads.py`` (what W1-W4 are, and the data, initial weights and
batch order every engine shares), ``numpy_by_hand.py`` (the baseline: the notes' layers with
hand-derived backward, as the notes write them), ``numpy_tuned.py`` (the same layers tuned in
place, a second floor for W1/W2), ``engines.py`` (every engine by name, and the workloads on
autograd_lite and PyTorch), ``run.py`` (the command line that times them, alternating
engines), ``timing.py`` (samples on a shared machine), ``report.py`` (the markdown tables),
``memory.py`` (peak RSS, one fresh process per measurement) and ``profiling.py`` (cProfile of
one engine). ``README.md`` has the commands and the latest results.

Nothing here is imported by the library; PyTorch is optional and never a dependency.
"""
