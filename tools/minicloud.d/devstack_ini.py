"""devstack's ini helpers (iniset, iniadd, iniget, iniget_multiline) for
running devstack/plugin.sh outside devstack.

The "ini file" is kept as JSON, [[section, [[key, value], ...]], ...], the
form tools/minicloud renders its config files from, so that what the
plugin writes is what minicloud writes. Keys may repeat (iniadd).

    devstack_ini.py set|add FILE SECTION KEY VALUE
    devstack_ini.py get|getm FILE SECTION KEY
"""

import json
import sys


def load(path):
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        return []
    return json.loads(text) if text.strip() else []


def main(argv):
    op, path, section, key = argv[1:5]
    doc = load(path)
    items = next((items for name, items in doc if name == section), None)
    if items is None:
        items = []
        doc.append([section, items])
    values = [v for k, v in items if k == key]
    if op == 'get':
        print(values[0] if values else '')
        return 0
    if op == 'getm':
        print('\n'.join(values))
        return 0
    if op == 'set':
        kept = [[k, v] for k, v in items if k != key]
        # Keep the option where it was, as devstack's iniset does.
        at = next((i for i, (k, _) in enumerate(items) if k == key),
                  len(kept))
        kept.insert(at, [key, argv[5]])
        items[:] = kept
    elif op == 'add':
        items.append([key, argv[5]])
    else:
        print('unknown operation %s' % op, file=sys.stderr)
        return 2
    with open(path, 'w') as f:
        json.dump(doc, f)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
