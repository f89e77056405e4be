"""Type aliases shared by the package (jaxtyping)."""

from jaxtyping import Array, ArrayLike, Float

#: A scalar or per-neuron parameter that broadcasts against the neuron shape.
Param = Float[Array, "*#shape"]
#: What a constructor accepts for a parameter: Python float, NumPy or JAX array.
ParamLike = float | Float[ArrayLike, "*#shape"]
#: A real-valued array of any shape.
Real = Float[Array, "*shape"]
