"""Built-in indicator plugins, one module per family.

Each module registers through the ``monitor.indicators`` entry-point group exactly as
a third-party plugin would (see ``pyproject.toml``).
"""
