"""Promise's Nova scheduler filter, installed into nova-scheduler's (and
nova-conductor's) Python environment.

Invariant: nothing here imports Promise or anything Nova does not bring
itself; the key names are repeated in ``keys`` (promise's own copy,
promise.nova.keys, is checked against it by promise's unit tests).
"""
