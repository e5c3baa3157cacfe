"""The input formats: one adapter per vendor format, and the generic event.

Each module here is one format; what they share (field accessors, label rules, metric
names, document reading, detection, assembly) lives beside this package in
:mod:`opsagent.ingest`, never in a format module. A format registers through
:func:`opsagent.ingest.builtin.register`, exactly as a plug-in registers its own.
"""
