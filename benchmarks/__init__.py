"""The scale benchmark and its synthetic case file generator: development tools, not shipped."""
