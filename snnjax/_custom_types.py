"""Type aliases shared by the package (jaxtyping)."""

from jaxtyping import Array, ArrayLike, Float, Real

#: A scalar or per-neuron parameter, stored: broadcasts against the neuron shape.
Param = Float[Array, "*#shape"]
#: What a constructor accepts for a parameter: a Python number, NumPy or JAX array.
ParamLike = float | int | Real[ArrayLike, "*#shape"]
#: A Python or 0-d scalar, such as a time step.
ScalarLike = float | int | Real[ArrayLike, ""]
