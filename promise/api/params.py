"""Query-string parameters of list requests."""

import collections

from oslo_utils import strutils

from promise import conf
from promise import exceptions
from promise import policy

CONF = conf.CONF

Page = collections.namedtuple('Page',
                              'limit marker sort_key sort_dir filters')

_PAGING = ('limit', 'marker', 'sort_key', 'sort_dir')
_SCOPE = ('project_id', 'all_projects')


def single(query):
    """Refuse a query parameter given more than once."""
    repeated = sorted(k for k, v in query.items() if isinstance(v, list))
    if repeated:
        raise exceptions.InvalidInput(
            reason='Query parameter(s) given more than once: %s.'
            % ', '.join(repeated))


def list_params(query, filters, sort_keys):
    single(query)
    unknown = set(query) - set(_PAGING) - set(_SCOPE) - set(filters)
    if unknown:
        raise exceptions.InvalidInput(
            reason='Unknown query parameter(s): %s. Supported: %s.'
            % (', '.join(sorted(unknown)),
               ', '.join(_PAGING + _SCOPE + tuple(filters))))
    limit = query.get('limit')
    if limit is None:
        limit = CONF.api.default_limit
    else:
        try:
            limit = int(limit)
        except ValueError:
            limit = 0
        if not 1 <= limit <= CONF.api.max_limit:
            raise exceptions.InvalidInput(
                reason='limit must be a whole number from 1 to %d.'
                % CONF.api.max_limit)
    sort_key = query.get('sort_key', 'created_at')
    if sort_key not in sort_keys:
        raise exceptions.InvalidInput(
            reason='sort_key must be one of %s.' % ', '.join(sort_keys))
    sort_dir = query.get('sort_dir', 'asc')
    if sort_dir not in ('asc', 'desc'):
        raise exceptions.InvalidInput(reason='sort_dir must be asc or desc.')
    return Page(limit, query.get('marker'), sort_key, sort_dir,
                {k: query[k] for k in filters if k in query})


def project_scope(ctx, query):
    """Which project's rows a list shows; None means all of them.

    Admins see every project unless they name one; everyone else sees only
    their own project and may not ask for another.
    """
    requested = query.get('project_id')
    all_projects = query.get('all_projects')
    if all_projects is not None:
        try:
            all_projects = strutils.bool_from_string(all_projects,
                                                     strict=True)
        except ValueError:
            raise exceptions.InvalidInput(
                reason='all_projects must be true or false.')
    admin = policy.check(ctx, 'admin', {})
    if not admin:
        if all_projects or (requested and requested != ctx.project_id):
            raise exceptions.PolicyNotAuthorized(
                action='listing other projects')
        return ctx.project_id
    if requested:
        return requested
    if all_projects is False:
        return ctx.project_id
    return None
