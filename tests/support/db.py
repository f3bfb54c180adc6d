"""The databases a test touches: the school side and the collector's (config/routers.py)."""

BOTH_DATABASES = ["default", "analytics"]
