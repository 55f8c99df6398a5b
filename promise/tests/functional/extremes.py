"""Extreme values for the schemathesis run (test_fuzz): what a careless
client or an attacker sends (issue 19), and where in a request it goes."""

import copy

from hypothesis import strategies as st


def _nested(depth, leaf=None):
    value = [] if leaf is None else leaf
    for _ in range(depth):
        value = [value]
    return value


# What a careless client or an attacker sends (issue 19).
VALUES = st.sampled_from([
    2 ** 31 - 1, 2 ** 31, -2 ** 31 - 1, 2 ** 63, 10 ** 12, 10 ** 400,
    1e308, -1e308, 0.5,
    '2147483647', '2147483648', '9999999999', '9' * 5000, '²', '١٢', '',
    ' 7 ', '-1', '\ud800', 'x\udfffy', 'y\udc00', 'n' * 70000,
    '9999-12-31 23:59', '9999-12-31 23:58', '0001-01-01 00:00',
    '10000-01-01 00:00', 'now',
    _nested(40), _nested(3, 'x'), {'a': _nested(40)},
    [['=='], '$hypervisor_hostname', 'x'],
    '[["=="], "$hypervisor_hostname", "x"]',
    '["not", ' * 40 + '["==", "$a", "1"]' + ']' * 40,
    '["==", "$a", "%s"]' % ('x' * 9000),
])


def places(value, path=()):
    """Every place in a JSON body, as a path of keys and indexes."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from places(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from places(item, path + (index,))


def replaced(value, path, new):
    if not path:
        return new
    value = copy.deepcopy(value)
    node = value
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = new
    return value
