"""The README's "Using it" section, run as written: every literal block is
read from README.rst and given to bash, in order, in a fresh shell with
this virtualenv on PATH. Two exceptions, both about the setup the test
venv already is: the install block (a venv and pip install) is not run,
and the promise-all line, which serves until stopped, runs in the
background until the rest is done. /tmp/promise.conf, /tmp/promise-state
and port 1234 are the README's own; nothing else in the tests uses
them."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import fixtures
import testtools
from testtools import content

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
STATE = '/tmp/promise-state'
CONF_FILE = '/tmp/promise.conf'


def using_it_blocks():
    """The literal blocks of the "Using it" section, dedented."""
    with open(os.path.join(ROOT, 'README.rst')) as f:
        text = f.read()
    section = text.split('\nUsing it\n========\n', 1)[1]
    section = re.split(r'\n[^\n]+\n=+\n', section, 1)[0]
    blocks, lines, current = [], section.split('\n'), None
    for line in lines:
        if current is not None:
            if line.startswith('    ') or not line.strip():
                current.append(line[4:])
                continue
            blocks.append('\n'.join(current).strip('\n'))
            current = None
        if line.rstrip().endswith('::'):
            current = []
    if current:
        blocks.append('\n'.join(current).strip('\n'))
    return blocks


class TestReadmeUsingIt(testtools.TestCase):

    def setUp(self):
        super().setUp()
        with socket.socket() as probe:
            if probe.connect_ex(('127.0.0.1', 1234)) == 0:
                self.fail('something already listens on 127.0.0.1:1234, '
                          "the README's port")
        shutil.rmtree(STATE, ignore_errors=True)
        self.addCleanup(shutil.rmtree, STATE, True)
        self.addCleanup(lambda: os.path.exists(CONF_FILE) and
                        os.unlink(CONF_FILE))
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith('OS_')}
        self.env['PATH'] = (os.path.dirname(sys.executable) + os.pathsep +
                            self.env.get('PATH', ''))
        self.env['HOME'] = self.useFixture(fixtures.TempDir()).path

    def bash(self, script, timeout=120):
        proc = subprocess.run(['bash', '-e', '-c', script], env=self.env,
                              capture_output=True, text=True,
                              timeout=timeout, cwd=self.env['HOME'])
        self.addDetail('script', content.text_content(script))
        self.assertEqual(0, proc.returncode,
                         'stdout:\n%s\nstderr:\n%s' % (proc.stdout,
                                                       proc.stderr))
        return proc

    def start_server(self, line):
        log = open(os.path.join(self.env['HOME'], 'promise-all.log'), 'w')
        self.addCleanup(log.close)
        proc = subprocess.Popen(['bash', '-c', 'exec ' + line], env=self.env,
                                stdout=log, stderr=subprocess.STDOUT,
                                cwd=self.env['HOME'], start_new_session=True)

        def stop():
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)
        self.addCleanup(stop)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.assertIsNone(proc.poll(), 'promise-all stopped')
            with socket.socket() as s:
                if s.connect_ex(('127.0.0.1', 1234)) == 0:
                    return proc
            time.sleep(0.2)
        self.fail('promise-all did not listen on 127.0.0.1:1234')

    def test_every_command_works_as_written(self):
        blocks = using_it_blocks()
        self.assertEqual(4, len(blocks), blocks)
        install, start, cli, curl = blocks
        self.assertIn('pip install', install)
        # The configuration file, then promise-all in the background.
        lines = start.split('\n')
        server = [line for line in lines if line.startswith('promise-all')]
        self.assertEqual(1, len(server), start)
        self.bash('\n'.join(line for line in lines
                            if not line.startswith('promise-all')))
        self.start_server(server[0])

        out = self.bash(cli).stdout
        for expected in ('fake-host-1', 'fake-host-2', 'my-lease',
                         'Updated lease: my-lease', 'min_available',
                         'Deleted lease: my-lease'):
            self.assertIn(expected, out)
        answer = self.bash(curl).stdout
        self.assertIn('"name": "now"', answer)
        self.assertIn('"project_id": "demo"', answer)

    def test_a_taken_port_stops_promise_all_before_it_starts(self):
        with socket.socket() as taken:
            taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            taken.bind(('127.0.0.1', 1234))
            taken.listen()
            with open(CONF_FILE + '.taken', 'w') as f:
                f.write('[DEFAULT]\nauth_strategy = noauth\n'
                        'state_path = %s\n' % STATE)
            self.addCleanup(os.unlink, CONF_FILE + '.taken')
            proc = subprocess.run(
                ['promise-all', '--config-file', CONF_FILE + '.taken'],
                env=self.env, capture_output=True, text=True, timeout=60)
        self.assertEqual(2, proc.returncode, proc.stderr)
        self.assertIn('127.0.0.1:1234 is in use; set another [api] port',
                      proc.stderr)
        # Nothing was migrated or written.
        self.assertFalse(os.path.exists(STATE))
