"""User-facing modules: what an app team (or a stack) instantiates to get its secrets."""
