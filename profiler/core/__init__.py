"""The profiler's pure core: no Django. ``profiler.bench`` is the entry point; these are its parts.

Only ``profiler.core.measure`` imports torch/transformers, and only when it runs, so the web
process can import the error types and folder checks without loading torch.
"""
