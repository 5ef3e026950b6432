#!/usr/bin/env bash
# Storage benchmark: Stasis cp against aws s3 cp and zstd | aws s3 cp, on S3Proxy over loopback.
# Usage: operator/storage/bench/storage.sh [--size 1GiB] [--rss-size 4GiB] [--work DIR]
# Needs: java 17, awscli, zstd, time (Debian packages). Not part of `./mvnw verify`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
./mvnw -B -q -pl operator/storage -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="$PWD/operator/storage/target/test-classes:$PWD/operator/storage/target/classes:$(cat operator/storage/target/bench.classpath)"
exec java -Xmx1g -cp "$CP" dev.stasis.storage.bench.StorageBenchmark "$@"
