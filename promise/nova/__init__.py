"""Code that runs inside Nova (the scheduler filter).

Nothing here may import Promise's server side: nova-scheduler loads it
with only Nova's own dependencies installed.
"""
