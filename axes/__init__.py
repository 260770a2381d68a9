"""Model knowledge, framework-free: no Django, no torch, no network.

- ``axes.facts``      the Fact record every extractor emits (axis, kind, value, evidence).
- ``axes.taxonomy``   the fact kinds of ../shared/axes/TAXONOMY.md, per axis.
- ``axes.backbone``   the backbone engine: config.json -> spec, parameters, memory, compute.
- ``axes.classify``   card statements and other artifacts -> facts on exactly one axis.
"""
