"""The Galera cluster tests: a package, so that `conftest` keeps naming Tests/integration/conftest.py (see conftest.py)."""
