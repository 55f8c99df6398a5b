from promise_dashboard.api import promise  # noqa: F401
