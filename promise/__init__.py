"""Promise: resource reservations for OpenStack.

Kept empty on purpose: the Nova scheduler filter (promise.nova) is imported
inside nova-scheduler, which must not pull in Promise's server dependencies.
"""
