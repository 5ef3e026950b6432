#!/usr/bin/env bash
# Storage benchmark: Stasis cp against aws s3 cp and zstd | aws s3 cp, on S3Proxy over loopback.
# Usage: operator/storage/bench/storage.sh [--size 1GiB] [--rss-size 4GiB] [--work DIR] [--runs 5]
#          [--rss-runs 1] [--http] [--max-busy 10] [--max-wait 120] [--max-steal 5] [--no-cds]
#          [--stasis-jvm OPTS]
# Needs: java 17, awscli, zstd, time (Debian packages). Not part of `./mvnw verify`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
# The Stasis command runs from the module's jar and its runtime dependencies, as shipped; the
# benchmark program (and S3Proxy) from the test class path.
./mvnw -B -q -pl operator/storage -am package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile=target/run.classpath -DincludeScope=runtime
./mvnw -B -q -pl operator/storage -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath
STASIS_CP="$(ls "$PWD"/operator/storage/target/stasis-storage-*.jar | grep -v -- -tests.jar | head -1):$(cat operator/storage/target/run.classpath)"
CP="$PWD/operator/storage/target/test-classes:$PWD/operator/storage/target/classes:$(cat operator/storage/target/bench.classpath)"
exec java -Xmx1g -Dstasis.classpath="$STASIS_CP" -cp "$CP" dev.stasis.storage.bench.StorageBenchmark "$@"
