"""The services under test: one promise-api (or gunicorn with several
workers) and N promise-managers as real processes (noauth, their own RPC
and notification topics), configured by the functional tests' fixtures;
started, narrowed to one manager for a profile, and stopped with their
RabbitMQ queues."""

import requests

from promise.tests.functional import fixtures as ff

from benchlib.common import log


class Deployment:

    def __init__(self, url, directory, managers=2, debug=False,
                 api_workers=0):
        self.directory = directory
        self.api_workers = api_workers
        self.config = ff.ConfigFile(url, directory, **{
            'DEFAULT.debug': 'true' if debug else 'false',
            'manager.event_interval': '10',
            'api.rpc_timeout': '30',
            'api.max_limit': '1000',
            'manager.plugins': 'physical:host,virtual:instance',
            # No Nova or Placement here: the periodic passes that ask them
            # would only log failures (and the capacity pass would
            # overwrite the seeded capacity of every host).
            'manager.health_interval': '0',
            'manager.usage_interval': '0',
            'manager.capacity_interval': '0'})
        self.config.setUp()
        self.url = 'http://127.0.0.1:%d' % self.config.port
        self.n_managers = managers
        self.services = []

    def db_manage(self):
        rc, out = ff.run_command([ff.bin_path('promise-db-manage'),
                                  '--config-file', self.config.path,
                                  'upgrade', 'head'])
        if rc:
            raise RuntimeError('promise-db-manage failed:\n%s' % out)

    def start(self):
        """Start the api and the managers; return once the api answers
        and every manager consumes the RPC topic."""
        if self.api_workers:
            # As operators deploy promise.wsgi.api: gunicorn, one port,
            # worker processes.
            argv = [ff.bin_path('gunicorn'), '--workers',
                    str(self.api_workers), '--bind',
                    '127.0.0.1:%d' % self.config.port, '--timeout', '120',
                    'promise.wsgi.api:application']
            self.api = self._service(
                'gunicorn', 'promise-api-gunicorn', argv=argv,
                env={'PROMISE_CONFIG_FILES': self.config.path})
        else:
            self.api = self._service('promise-api', 'promise-api')
        self.managers = [self._service('promise-manager',
                                       'promise-manager-%d' % i)
                         for i in range(1, self.n_managers + 1)]

        def healthy():
            self.api.check_running()
            try:
                return requests.get(self.url + '/healthcheck',
                                    timeout=2).status_code == 200
            except requests.RequestException:
                return False
        ff.wait_for(healthy, 90, 0.2, 'promise-api')

        def consumers():
            for m in self.managers:
                m.check_running()
            return ff.consumer_count(self.config.topic) == self.n_managers
        ff.wait_for(consumers, 90, 0.2, 'promise-managers')

    def _service(self, name, tag, **kwargs):
        service = ff.Service(name, self.config.path, self.directory, tag=tag,
                             **kwargs)
        service.start()
        self.services.append(service)
        return service

    def keep_one_manager(self):
        """Stop every manager but the first; return it once it is the
        topic's only consumer (so that it sees every request)."""
        for m in self.managers[1:]:
            m.stop()
        ff.wait_for(lambda: ff.consumer_count(self.config.topic) == 1, 60,
                    0.2, 'one manager')
        return self.managers[0]

    def dump_logs(self):
        for svc in self.services:
            log('---- %s ----\n%s' % (svc.tag, ff.tail(svc.log_path, 4000)))

    def stop(self):
        for service in self.services:
            try:
                service.stop()
            except Exception as exc:  # noqa: BLE001
                log('stopping %s: %s' % (service.tag, exc))
        topic = self.config.topic
        notif = self.config.notification_topic
        ff.delete_queues(topic, notif + '.info', notif + '.error',
                         notif + '.warn')
