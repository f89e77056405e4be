"""NIR (Neuromorphic Intermediate Representation) import and export.

`from_nir` turns a NIR graph or `.nir` file into an snnjax model; `to_nir`
turns an snnjax model into an `nir.NIRGraph`. The `nir` package is optional
(`pip install "snnjax[nir]"`) and imported only when these functions run.
"""

from ._export import to_nir as to_nir
from ._import import from_nir as from_nir

__all__ = ["from_nir", "to_nir"]
