"""bybit-lint: LibCST rules for the mistakes that cost Bybit trading bots money.

This package never imports pytest: the linter must run in a pre-commit hook or CI step
that has none of the plugin's machinery.
"""

__version__ = "0.1.0"
