"""tools/cluster: a three-node MariaDB Galera cluster, a three-node RabbitMQ
cluster and HAProxy, all on 127.0.0.1, for Promise's cluster tier and
benchmarks (standard library only)."""
