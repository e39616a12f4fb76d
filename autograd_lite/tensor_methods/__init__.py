"""The Tensor's methods, in groups: each module holds one mixin class that ``Tensor`` inherits.

``tensor.py`` keeps the data, the gradient and the operators (``+``, ``@``, ``[]``, ...);
the named methods live here, one file per kind, every one delegating to an op of ``ops/``:

- ``elementwise.py``: ``exp``, ``log``, ..., ``sign``, ``floor``, ``isnan``, ``masked_fill``;
- ``reductions.py``: ``sum``, ``mean``, ``var``, ``prod``, ``argmax``, ``cumsum``, ``softmax``;
- ``shape.py``: ``reshape``, ``transpose``, ``flatten``, ``flip``, ``repeat``, ``gather``;
- ``conversions.py``: ``float()``, ``clone``, ``zero_``, ``requires_grad_`` and the hints
  for PyTorch names that do not exist here (``view`` -> ``reshape``);
- ``numpy_interop.py``: what ``np.exp(t)`` and the other numpy ufuncs do with a Tensor.

Methods that take an axis accept PyTorch's ``dim=`` / ``keepdim=`` too, through the one
decorator ``arguments.keyword_aliases``.
"""
