#!/usr/bin/env bash
# Prints the home of a JDK >= 25: JAVA_HOME if it is one, else the newest found in the usual install
# folders. Exits 1 with one line saying how to fix it when there is none. Used by ./panrec and ./mvnw.
# The same sentence is the enforcer rule's message in the root pom.xml: keep the two alike.
need=25

# The feature version of the JDK at $1 (25 for "25.0.3"), or 0 if it is not a JDK.
major() {
  local v=""
  if [ -f "$1/release" ]; then
    v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")"
    # JDK 8 and older say "1.8.0_..."; they are too old either way
  elif [ -x "$1/bin/java" ]; then
    v="$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')"
  fi
  case "$v" in '' | *[!0-9]*) v=0 ;; esac
  echo "$v"
}

# A JDK, not a JRE: Maven compiles in process and needs javac.
ok() { [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ "$(major "$1")" -ge "$need" ]; }

if [ -n "${JAVA_HOME:-}" ]; then
  if ok "$JAVA_HOME"; then
    echo "$JAVA_HOME"
    exit 0
  fi
fi

best="" best_v=0
for d in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/*jdk* /usr/local/opt/openjdk*/libexec/openjdk.jdk/Contents/Home \
         /Library/Java/JavaVirtualMachines/*/Contents/Home "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
  [ -d "$d" ] || continue
  [ -L "$d" ] && [ "$(basename "$d")" = current ] && continue   # sdkman's "current" repeats another entry
  if ok "$d"; then
    v="$(major "$d")"
    # the newest wins; among equals the first in the list (system folders before per-user ones)
    if [ "$v" -gt "$best_v" ]; then best="$d" best_v="$v"; fi
  fi
done
if [ -n "$best" ]; then
  if [ -n "${JAVA_HOME:-}" ]; then
    # say so, or a user who set JAVA_HOME wonders why another JDK runs
    v="$(major "$JAVA_HOME")"
    what="JDK $v"; [ "$v" -gt 0 ] || what="not a JDK"
    echo "panrec: JAVA_HOME=$JAVA_HOME is $what; using $best" >&2
  fi
  echo "$best"
  exit 0
fi
echo "panrec needs JDK $need or newer: install one and set JAVA_HOME=/path/to/jdk-$need (e.g. export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64)" >&2
exit 1
