"""Query-string parameters: the one place they are checked.

Invariant: every controller reads its query through these functions, so
a repeated or unknown parameter, a limit and a boolean flag are refused
with the same 400 whatever the path.
"""

import collections
import re

from oslo_utils import strutils

from promise.common import schema_types
from promise import conf
from promise import exceptions
from promise import policy

CONF = conf.CONF

Page = collections.namedtuple('Page',
                              'limit marker sort_key sort_dir filters')
# Whose rows a list shows: one project's, or (all_projects) every one's.
Scope = collections.namedtuple('Scope', 'project_id all_projects')

_PAGING = ('limit', 'marker', 'sort_key', 'sort_dir')
_SCOPE = ('project_id', 'all_projects')
# ASCII digits only: str.isdigit() also takes '²', which int() refuses.
_DIGITS = re.compile(r'[0-9]{1,10}')


def single(query):
    """Refuse a query parameter given more than once."""
    repeated = sorted(k for k, v in query.items() if isinstance(v, list))
    if repeated:
        raise exceptions.InvalidInput(
            reason='Query parameter(s) given more than once: %s.'
            % ', '.join(repeated))


def only(query, allowed):
    """Refuse a parameter not in ``allowed`` (named in the answer)."""
    unknown = set(query) - set(allowed)
    if not unknown:
        return
    reason = 'Unknown query parameter(s): %s.' % ', '.join(sorted(unknown))
    if allowed:
        reason += ' Supported: %s.' % ', '.join(allowed)
    raise exceptions.InvalidInput(reason=reason)


def checked(query, allowed=()):
    """``query`` once each parameter, and only ``allowed`` ones."""
    single(query)
    only(query, allowed)
    return query


def whole_number(value, name, maximum=schema_types.INT_MAX):
    """A query parameter that must be a whole number from 0 to
    ``maximum`` (what an SQL INTEGER holds)."""
    text = str(value).strip()
    if not _DIGITS.fullmatch(text) or int(text) > maximum:
        raise exceptions.InvalidInput(
            reason='%s must be a whole number from 0 to %d.'
            % (name, maximum))
    return int(text)


def limit(value, default=None):
    """A page size, at most [api] max_limit: ``default`` unless given
    ([api] default_limit when None; None is no limit)."""
    if value is None:
        return default if default is not None else CONF.api.default_limit
    text = str(value).strip()
    value = int(text) if _DIGITS.fullmatch(text) else 0
    if not 1 <= value <= CONF.api.max_limit:
        raise exceptions.InvalidInput(
            reason='limit must be a whole number from 1 to %d.'
            % CONF.api.max_limit)
    return value


# How a flag may be spelled, and the choices its error names: the
# resource-property flags take three spellings, all_projects oslo's.
WORDS = (('true', '1', 'yes'), ('false', '0', 'no'), 'True or False')
OSLO_WORDS = (strutils.TRUE_STRINGS, strutils.FALSE_STRINGS,
              'true or false')


def flag(value, name, default=False, words=WORDS):
    """A boolean parameter; ``default`` when it is absent."""
    if value is None:
        return default
    yes, no, choices = words
    text = str(value).lower()
    if words is OSLO_WORDS:
        text = text.strip()
    if text in yes:
        return True
    if text in no:
        return False
    raise exceptions.InvalidInput(
        reason='%s must be %s.' % (name, choices))


def list_params(query, filters, sort_keys):
    checked(query, _PAGING + _SCOPE + tuple(filters))
    page_size = limit(query.get('limit'))
    sort_key = query.get('sort_key', 'created_at')
    if sort_key not in sort_keys:
        raise exceptions.InvalidInput(
            reason='sort_key must be one of %s.' % ', '.join(sort_keys))
    sort_dir = query.get('sort_dir', 'asc')
    if sort_dir not in ('asc', 'desc'):
        raise exceptions.InvalidInput(reason='sort_dir must be asc or desc.')
    return Page(page_size, query.get('marker'), sort_key, sort_dir,
                {k: query[k] for k in filters if k in query})


def project_scope(ctx, query, all_projects_rule):
    """Whose rows a list shows: Scope(project_id, all_projects).

    Callers whom ``all_projects_rule`` allows (admins, by default) see
    every project unless they name one or say all_projects=false; everyone
    else sees only their own project and may not ask for another. Seeing
    all projects comes from that rule only: a caller without a project
    never gets there (promise.policy refuses it first), and if one did it
    would see no project's rows, never all of them.
    """
    requested = query.get('project_id')
    all_projects = flag(query.get('all_projects'), 'all_projects',
                        default=None, words=OSLO_WORDS)
    if not policy.check(ctx, all_projects_rule,
                        {'project_id': ctx.project_id}):
        if all_projects or (requested and requested != ctx.project_id):
            raise exceptions.PolicyNotAuthorized(
                action='listing other projects')
        return Scope(ctx.project_id, False)
    if requested:
        return Scope(requested, False)
    if all_projects is False:
        return Scope(ctx.project_id, False)
    return Scope(None, True)
