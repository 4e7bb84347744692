"""The commands of ``screener``, one module per stage; ``screener.cli`` registers them."""
