# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""Create or drop minicloud's databases and its database user.

Runs inside the cloud venv (needs PyMySQL); connects as root without a
password over TCP to 127.0.0.1.
"""
import argparse
import sys

import pymysql


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', type=int, default=3306)
    ap.add_argument('action', choices=('create', 'drop'))
    ap.add_argument('--user', required=True)
    ap.add_argument('--password')
    ap.add_argument('--databases', nargs='+', required=True)
    a = ap.parse_args()
    conn = pymysql.connect(host='127.0.0.1', port=a.port, user='root',
                           password='', autocommit=True)
    hosts = ('127.0.0.1', 'localhost')
    with conn.cursor() as cur:
        if a.action == 'create':
            for host in hosts:
                cur.execute("CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s",
                            (a.user, host, a.password))
                cur.execute("ALTER USER %s@%s IDENTIFIED BY %s",
                            (a.user, host, a.password))
            for db in a.databases:
                cur.execute('CREATE DATABASE IF NOT EXISTS `%s` '
                            'CHARACTER SET utf8mb4' % db)
                for host in hosts:
                    cur.execute('GRANT ALL PRIVILEGES ON `%s`.* TO %%s@%%s'
                                % db, (a.user, host))
            print('created %s for %s' % (', '.join(a.databases), a.user))
        else:
            for db in a.databases:
                cur.execute('DROP DATABASE IF EXISTS `%s`' % db)
            for host in hosts:
                cur.execute("DROP USER IF EXISTS %s@%s", (a.user, host))
            print('dropped %s and user %s' % (', '.join(a.databases), a.user))
    conn.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
