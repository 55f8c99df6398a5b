"""promise-status upgrade check: is this deployment ready for this code?

Run it with the new code and the deployment's configuration before the
services are restarted (as nova-status and placement-status are): it
reads the configuration and the database and calls Keystone once, with a
bounded timeout. Exit status: 0 all passed, 1 a warning, 2 a failure,
255 the check itself broke.
"""

import json
import os
import sys

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_db import options as db_options
from oslo_policy import opts as policy_opts
from oslo_policy import policy as oslo_policy
from oslo_upgradecheck import upgradecheck
import sqlalchemy as sa

from promise import conf
from promise.conf import net_value as net_value_conf
from promise.db import migration
from promise import policies

CONF = conf.CONF

Code = upgradecheck.Code
Result = upgradecheck.Result

# Longest wait for Keystone, whatever [nova] timeout says: a check must
# answer, not hang on an unreachable endpoint.
KEYSTONE_TIMEOUT = 15.0

# The catalog entries Promise needs with its [nova] credentials.
SERVICE_TYPES = ('compute', 'placement')


def _is_default(name, group):
    location = CONF.get_location(name, group)
    return location is None or location.location in (
        cfg.Locations.opt_default, cfg.Locations.set_default)


def _policy_files():
    """The policy file and the files of the policy directories that
    oslo.policy would read, in its order."""
    found = []
    path = CONF.find_file(CONF.oslo_policy.policy_file)
    if path:
        found.append(path)
    for directory in CONF.oslo_policy.policy_dirs:
        directory = CONF.find_file(directory)
        if directory and os.path.isdir(directory):
            for name in sorted(os.listdir(directory)):
                full = os.path.join(directory, name)
                if os.path.isfile(full):
                    found.append(full)
    return found


def _read_policy(path):
    """(rules, is_json); raises ValueError when the file is not a
    mapping of rule names to check strings."""
    with open(path) as f:
        text = f.read()
    try:
        json.loads(text)
        is_json = True
    except ValueError:
        is_json = False
    rules = oslo_policy.parse_file_contents(text)
    if not isinstance(rules, dict):
        raise ValueError('not a mapping of rule names to check strings')
    return rules, is_json


def _registered_rule_names():
    names = set()
    for rule in policies.list_rules():
        names.add(rule.name)
        deprecated = getattr(rule, 'deprecated_rule', None)
        if deprecated is not None:
            names.add(deprecated.name)
    return names


class Checks(upgradecheck.UpgradeCommands):
    """The checks of promise-status upgrade check."""

    display_title = 'Promise Upgrade Check Results'

    def _check_database(self):
        if _is_default('connection', 'database'):
            return Result(Code.FAILURE,
                          '[database] connection is not set: give '
                          'promise-status the configuration files the '
                          'services use.')
        url = CONF.database.connection
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        where = engine.url.render_as_string(hide_password=True)
        try:
            with engine.connect() as conn:
                at = migration.current(conn)
                todo = migration.pending(conn)
        except migration.UnknownRevision as exc:
            return Result(Code.WARNING,
                          '%s A newer release migrated it; this code can '
                          'run on it only if that release\'s migrations '
                          'only added.' % exc)
        except sa.exc.SQLAlchemyError as exc:
            return Result(Code.FAILURE, 'Cannot read the database %s: %s'
                          % (where, str(exc).splitlines()[0]))
        finally:
            engine.dispose()
        head = migration.head()
        if at is None:
            return Result(Code.FAILURE,
                          'The database has no Promise schema (head is %s). '
                          'Run promise-db-manage upgrade head.' % head)
        if todo:
            return Result(Code.FAILURE,
                          'The database is at revision %s, behind head %s '
                          '(%d to apply: %s). Run promise-db-manage upgrade '
                          'head.' % (at, head, len(todo),
                                     ', '.join(r.revision for r in todo)))
        return Result(Code.SUCCESS,
                      'The database is at head (revision %s).' % head)

    def _check_policy_file(self):
        paths = _policy_files()
        if not paths:
            return Result(Code.SUCCESS, 'No policy file: the defaults in '
                                        'the code apply.')
        broken, json_files = [], []
        for path in paths:
            try:
                _rules, is_json = _read_policy(path)
            except (OSError, ValueError) as exc:
                broken.append('%s: %s' % (path, str(exc).splitlines()[0]))
                continue
            if is_json:
                json_files.append(path)
        if broken:
            return Result(Code.FAILURE, 'Policy files that do not parse: %s'
                          % '; '.join(broken))
        if json_files:
            return Result(Code.WARNING,
                          'JSON policy files are deprecated: %s. Convert '
                          'them to YAML with oslopolicy-convert-json-to-yaml '
                          '--namespace promise.' % ', '.join(json_files))
        return Result(Code.SUCCESS, 'YAML: %s' % ', '.join(paths))

    def _check_blazar_rules(self):
        known = _registered_rule_names()
        unread = {}
        for path in _policy_files():
            try:
                rules, _is_json = _read_policy(path)
            except (OSError, ValueError):
                continue  # the policy file check reports it
            names = sorted(name for name in rules
                           if str(name).startswith('blazar:') and
                           name not in known)
            if names:
                unread[path] = names
        if unread:
            return Result(Code.WARNING,
                          'blazar:* rules are not read by Promise: %s. '
                          'Write them as the promise:* rules of '
                          'oslopolicy-sample-generator --namespace promise.'
                          % '; '.join('%s in %s' % (', '.join(names), path)
                                      for path, names in unread.items()))
        return Result(Code.SUCCESS, 'No blazar:* rule that Promise ignores.')

    def _check_nova_credentials(self):
        if not CONF.nova.auth_type:
            return Result(Code.WARNING,
                          '[nova] auth_type is not set: Promise cannot act '
                          'on Nova or Placement, so host and instance '
                          'reservations cannot start.')
        try:
            auth = ks_loading.load_auth_from_conf_options(CONF, 'nova')
        except ks_exc.MissingRequiredOptions as exc:
            return Result(Code.FAILURE, '[nova] is missing %s.' % ', '.join(
                opt.dest for opt in exc.options))
        except ks_exc.ClientException as exc:
            return Result(Code.FAILURE, '[nova] auth_type %s: %s'
                          % (CONF.nova.auth_type, exc))
        timeout = min(CONF.nova.timeout or KEYSTONE_TIMEOUT,
                      KEYSTONE_TIMEOUT)
        session = ks_loading.load_session_from_conf_options(
            CONF, 'nova', auth=auth, timeout=timeout)
        missing = []
        try:
            for service_type in SERVICE_TYPES:
                endpoint = session.get_endpoint(
                    service_type=service_type,
                    interface=CONF.nova.endpoint_type,
                    region_name=CONF.nova.region_name)
                if not endpoint:
                    missing.append(service_type)
        except ks_exc.Unauthorized as exc:
            return Result(Code.FAILURE, 'Keystone refused the [nova] '
                                        'credentials: %s' % exc)
        except ks_exc.EndpointNotFound:
            missing.append(service_type)
        except ks_exc.ClientException as exc:
            return Result(Code.FAILURE,
                          'Could not get a token with the [nova] credentials '
                          'within %gs: %s' % (timeout, exc))
        if missing:
            return Result(Code.FAILURE,
                          'The catalog has no %s %s endpoint%s for the '
                          '[nova] credentials.'
                          % (' or '.join(missing), CONF.nova.endpoint_type,
                             ' in region %s' % CONF.nova.region_name
                             if CONF.nova.region_name else ''))
        return Result(Code.SUCCESS, 'Keystone accepted the [nova] '
                                    'credentials; compute and placement '
                                    'are in the catalog.')

    def _check_net_value(self):
        try:
            net_value_conf.check(CONF)
        except net_value_conf.InvalidConfig as exc:
            return Result(Code.FAILURE, str(exc))
        group = CONF.net_value
        return Result(Code.SUCCESS, 'wcpu %g + wmem %g + wdisk %g = 1; the '
                      'costs and flavor shapes parse.'
                      % (group.wcpu, group.wmem, group.wdisk))

    _upgrade_checks = (
        ('Database schema', _check_database),
        ('Policy file format', _check_policy_file),
        ('Blazar policy names', _check_blazar_rules),
        ('Nova credentials', _check_nova_credentials),
        ('Net value weights', _check_net_value),
    )


def main(argv=None):
    # The options of the libraries the checks read, without the defaults
    # the services give them (an unset [database] connection is reported).
    db_options.set_defaults(CONF)
    policy_opts.set_defaults(CONF)
    return upgradecheck.main(
        CONF, project='promise', upgrade_command=Checks(),
        argv=sys.argv[1:] if argv is None else argv)


if __name__ == '__main__':
    sys.exit(main())
