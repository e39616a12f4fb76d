"""Scripts a learner runs (``python examples/logic_gates.py``); tests import their ``main``."""
