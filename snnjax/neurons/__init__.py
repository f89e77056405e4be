"""Neuron models."""
