"""Property queries (promise.common.properties) narrowed in SQL.

``narrowing`` turns a hypervisor_properties or resource_properties query
into a WHERE clause on ``models.Host`` that every matching host satisfies
(a superset): the database drops most non-matching hosts, and the exact
match (properties.matches) then runs only on what is left. The clause is
never trusted alone because SQL cannot say what Python does: MariaDB
compares strings without case and trailing spaces, and "16" == "16.0"
holds as numbers. Where a term cannot be narrowed safely (``not``,
numbers against capability strings) it narrows nothing.
"""

import math

import sqlalchemy as sa

from promise.common import properties
from promise.db import models

_NUMERIC = ('id', 'hypervisor_version', 'vcpus', 'memory_mb', 'local_gb')
_TEXT = ('hypervisor_hostname', 'hypervisor_type', 'service_name',
         'cpu_info', 'availability_zone')
_SQL = {'==': '__eq__', '=': '__eq__', '!=': '__ne__', '<': '__lt__',
        '<=': '__le__', '>': '__gt__', '>=': '__ge__'}
# Beyond this a float literal may not compare exactly with an integer
# column on every database.
_EXACT_FLOAT = 2 ** 52


def narrowing(hypervisor_query=None, resource_query=None):
    """A clause every host matching both queries satisfies, or None when
    neither narrows anything."""
    clauses = [c for c in (_narrow(hypervisor_query, _hypervisor_term),
                           _narrow(resource_query, _capability_term))
               if c is not None]
    return sa.and_(*clauses) if clauses else None


def narrowing_merged(query):
    """The same for a query over hypervisor fields and capabilities in one
    namespace (virtual:instance resource_properties: a capability wins
    over a hypervisor field of the same name)."""
    return _narrow(query, _merged_term)


def _narrow(query, term):
    if query is None:
        return None
    op = query[0]
    if op == 'and':
        parts = [c for c in (_narrow(q, term) for q in query[1:])
                 if c is not None]
        return sa.and_(*parts) if parts else None
    if op == 'or':
        parts = [_narrow(q, term) for q in query[1:]]
        return None if any(p is None for p in parts) else sa.or_(*parts)
    if op == 'not':
        return None
    return term(op, query[1][1:], query[2])


def _number(value):
    number = properties.number(value)
    if number is None or not math.isfinite(number) or (
            abs(number) > _EXACT_FLOAT):
        return None
    return number


def _text(value):
    """The string a non-numeric operand compares as, or None."""
    if properties.number(value) is not None or not isinstance(value, str):
        return None
    return value


def _hypervisor_term(op, name, value):
    if name in _NUMERIC:
        number = _number(value)
        if number is None:
            return None
        return getattr(getattr(models.Host, name), _SQL[op])(number)
    if name in _TEXT:
        text = _text(value)
        if text is None or _SQL[op] != '__eq__':
            return models.Host.__table__.c[name].isnot(None)
        return getattr(models.Host, name) == text
    # A name hypervisor_properties do not have never matches.
    return sa.false()


def _capability_term(op, name, value):
    cap = models.HostCapability
    clause = sa.exists().where(cap.host_id == models.Host.id,
                               cap.name == name)
    text = _text(value)
    if text is not None and _SQL[op] == '__eq__':
        clause = clause.where(cap.value == text)
    return clause


def _merged_term(op, name, value):
    capability = _capability_term(op, name, value)
    if name in _NUMERIC or name in _TEXT:
        hypervisor = _hypervisor_term(op, name, value)
        return None if hypervisor is None else sa.or_(capability, hypervisor)
    return capability
