#!/usr/bin/env bash
# Prints the home of a JDK >= 25: JAVA_HOME if it is one, else the first found in the usual folders.
# Exits 1 with one line saying how to fix it when there is none.
need=25
major() { # the feature version of the JDK at $1, or 0
  local rel="$1/release" v
  if [ -f "$rel" ]; then
    v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel")"
  elif [ -x "$1/bin/java" ]; then
    v="$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')"
  fi
  echo "${v:-0}"
}
ok() { [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ "$(major "$1")" -ge "$need" ]; }
if [ -n "${JAVA_HOME:-}" ] && ok "$JAVA_HOME"; then echo "$JAVA_HOME"; exit 0; fi
for d in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/*jdk* /Library/Java/JavaVirtualMachines/*/Contents/Home \
         "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
  [ -d "$d" ] && ok "$d" && { echo "$d"; exit 0; }
done
echo "panrec needs JDK $need or newer: install one and set JAVA_HOME=/path/to/jdk-$need (e.g. export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64)" >&2
exit 1
