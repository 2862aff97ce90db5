from tests.agreements.stats.conftest import auditor, register, viewer  # noqa: F401  (shared fixtures)
