"""spikingjelly's `activation_based` package: `neuron` and `surrogate`."""

from . import neuron as neuron, surrogate as surrogate

__all__ = ["neuron", "surrogate"]
