#!/usr/bin/env bash
# Runs one benchmark: benchmarks/run.sh NAME [-Dkey=value ...]
# Builds the CLI and the harness first (quietly), then prints the benchmark's results; its last
# line is "NAME: key=value ... ratio=R" (R = Quiver's cost over the peer's; lower is better).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="${1:?usage: benchmarks/run.sh NAME [-Dkey=value ...]}"
shift
case "$name" in
  serve | serve-feast | logging)
    command -v wrk >/dev/null || { echo "benchmarks/run.sh $name needs wrk: apt-get install wrk" >&2; exit 1; } ;;
esac
log="$(mktemp "${TMPDIR:-/tmp}/quiver-bench-build.XXXXXX")"
# The classpath is lib/*: copied afresh, so a jar the build no longer uses (a renamed module's)
# cannot linger there and shadow the current classes.
rm -rf "$root/benchmarks/target/lib"
modules=server,benchmarks
if [ "$name" = spark ]; then
  # The Spark engine (its jar and lib/) too, so that no timed run builds it; same fresh lib/.
  modules=server,spark,benchmarks
  rm -rf "$root/spark/target/lib"
fi
if ! (cd "$root" && mvn -B -ntp -q -DskipTests package -pl "$modules" -am) >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
rm -f "$log"
exec java --add-opens=java.base/java.nio=ALL-UNNAMED -Dproject.root="$root" "$@" \
  -cp "$root/benchmarks/target/quiver-benchmarks-0.1.0-SNAPSHOT.jar:$root/benchmarks/target/lib/*" \
  dev.quiver.benchmarks.Benchmarks "$name"
