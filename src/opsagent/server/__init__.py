"""The HTTP service (``opsagent serve``) and its workers; needs the ``server`` extra."""
