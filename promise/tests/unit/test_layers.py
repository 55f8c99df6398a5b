"""The import graph follows the floor plan: no upward import, no circle.

The layers, top to bottom, are the ones doc/source/contributor/
architecture.rst draws. A module may import its own layer and any layer
below it; the vocabulary floor imports nothing of Promise above it. The
graph is read from the code itself (every ``import`` statement in
``promise/``, tests and migrations excluded), so a new upward arrow fails
here the day it is written.
"""

import ast
import os

import testtools

import promise

# Longest matching prefix decides a module's layer.
LAYERS = (
    ('entry', ('promise.cmd', 'promise.wsgi')),
    ('api', ('promise.api', 'promise.policies', 'promise.policy')),
    ('rpc', ('promise.rpc',)),
    ('manager', ('promise.manager', 'promise.notifications')),
    ('engine', ('promise.engine', 'promise.nfv')),
    ('plugins', ('promise.plugins',)),
    ('data', ('promise.db', 'promise.clients')),
    ('floor', ('promise.status', 'promise.common', 'promise.exceptions',
               'promise.conf', 'promise.context', 'promise.version',
               'promise')),
)
RANK = {name: rank for rank, (name, _) in enumerate(LAYERS)}
# The Nova scheduler filter runs inside nova-scheduler: it may import
# nothing of Promise's server side, not even the floor.
ISOLATED = 'promise.nova'

ROOT = os.path.dirname(os.path.abspath(promise.__file__))


def layer_of(module):
    best = None
    for name, prefixes in LAYERS:
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + '.'):
                if best is None or len(prefix) > len(best[1]):
                    best = (name, prefix)
    return best[0]


def _modules():
    for dirpath, dirnames, filenames in os.walk(ROOT):
        rel = os.path.relpath(dirpath, os.path.dirname(ROOT))
        dirnames[:] = [d for d in dirnames
                       if d not in ('tests', 'migration', '__pycache__')]
        for filename in filenames:
            if not filename.endswith('.py'):
                continue
            parts = rel.split(os.sep)
            if filename != '__init__.py':
                parts.append(filename[:-3])
            yield '.'.join(parts), os.path.join(dirpath, filename)


def _is_module(name):
    path = os.path.join(os.path.dirname(ROOT), *name.split('.'))
    return os.path.isfile(path + '.py') or os.path.isdir(path)


def imports_of(module, path):
    """Every promise module that ``module`` imports (at any depth of the
    file: a function-level import is still an arrow)."""
    package = module if path.endswith('__init__.py') else (
        module.rpartition('.')[0])
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), path)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                up = package.split('.')
                up = up[:len(up) - node.level + 1]
                base = '.'.join(up + ([base] if base else []))
            names = []
            for alias in node.names:
                full = base + '.' + alias.name
                names.append(full if _is_module(full) else base)
        else:
            continue
        found.update(n for n in names
                     if n == 'promise' or n.startswith('promise.'))
    found.discard(module)
    return found


def graph():
    return {module: imports_of(module, path)
            for module, path in _modules()}


class TestLayers(testtools.TestCase):

    def test_every_module_has_a_layer(self):
        for module in graph():
            if module.startswith(ISOLATED + '.') or module == ISOLATED:
                continue
            self.assertIn(layer_of(module), RANK, module)

    def test_no_import_runs_up_a_floor(self):
        upward = []
        for module, imported in sorted(graph().items()):
            if module == ISOLATED or module.startswith(ISOLATED + '.'):
                upward.extend('%s -> %s' % (module, target)
                              for target in sorted(imported)
                              if not target.startswith(ISOLATED))
                continue
            mine = RANK[layer_of(module)]
            for target in sorted(imported):
                if target.startswith(ISOLATED):
                    continue
                if RANK[layer_of(target)] < mine:
                    upward.append('%s (%s) -> %s (%s)' % (
                        module, layer_of(module), target, layer_of(target)))
        self.assertEqual([], upward)

    def test_no_circle(self):
        edges = graph()
        # Importing a package runs its __init__: an arrow to a module is
        # also an arrow to each package above it.
        for module in list(edges):
            for target in list(edges[module]):
                parts = target.split('.')
                for n in range(2, len(parts)):
                    parent = '.'.join(parts[:n])
                    if parent in edges and parent != module and not (
                            module.startswith(parent + '.')):
                        edges[module].add(parent)
        circles = []
        state = {}

        def visit(node, stack):
            state[node] = 'open'
            stack.append(node)
            for nxt in sorted(edges.get(node, ())):
                if nxt not in edges:
                    continue
                if state.get(nxt) == 'open':
                    circles.append(' -> '.join(
                        stack[stack.index(nxt):] + [nxt]))
                elif nxt not in state:
                    visit(nxt, stack)
            stack.pop()
            state[node] = 'done'

        for node in sorted(edges):
            if node not in state:
                visit(node, [])
        self.assertEqual([], circles)

    def test_the_checker_sees_an_upward_import(self):
        # The test above must be able to fail: a floor module that
        # imported the manager would be reported.
        self.assertEqual('floor', layer_of('promise.status'))
        self.assertEqual('manager', layer_of('promise.manager.leases'))
        self.assertGreater(RANK['floor'], RANK['manager'])
        self.assertEqual('api', layer_of('promise.api.controllers.v1'))
        self.assertEqual('floor', layer_of('promise'))
