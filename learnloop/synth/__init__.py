"""Synthetic exports in the real formats, for benchmarks and scale tests (`learnloop synth`)."""

from learnloop.synth.generate import SynthSpec, SynthSummary, synthesize

__all__ = ["SynthSpec", "SynthSummary", "synthesize"]
