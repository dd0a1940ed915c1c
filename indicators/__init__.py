"""Built-in indicator plugins, one module per family (installed as ``monitor.indicators``).

Each module registers through the same ``monitor_indicators`` hook a third-party
plugin implements; the registry imports them by name (``DEFAULT_PLUGINS``).
"""
