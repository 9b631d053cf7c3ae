# Shared by the scripts in scripts/: finds the repository and a JDK 21+.
# shellcheck shell=bash

CREDENCE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CREDENCE_MIN_JAVA=21

# Exports JAVA_HOME as a JDK (not a JRE) of version 21 or newer: $JAVA_HOME if it is one, else the
# `java` on PATH, else the newest under /usr/lib/jvm. Fails with what to do when there is none.
credence_require_java() {
  local candidates=() home version major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  while IFS= read -r home; do candidates+=("$home"); done < <(ls -d /usr/lib/jvm/*/ /opt/java/*/ 2>/dev/null | sort -rV)
  for home in "${candidates[@]}"; do
    home=${home%/}
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    # the JDK's release file names its version without starting a JVM (every CLI call comes here)
    version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)"/\1/p' "$home/release" 2>/dev/null)
    [ -n "$version" ] || version=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
    version=${version#1.}  # "1.8.0_x" names Java 8
    major=${version%%.*}
    if [ -n "$major" ] && [ "$major" -ge "$CREDENCE_MIN_JAVA" ]; then
      export JAVA_HOME="$home"
      # Maven's own libraries trip JDK 24+ warnings about sun.misc.Unsafe; they are harmless.
      if [ "$major" -ge 24 ]; then
        export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED"
      fi
      return 0
    fi
  done
  echo "ERROR: Credence needs a JDK ${CREDENCE_MIN_JAVA} or newer and none was found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm)." >&2
  echo "       Install one (for example Temurin ${CREDENCE_MIN_JAVA}+) and set JAVA_HOME to it." >&2
  return 1
}

credence_require_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "ERROR: Credence needs Node.js 20+ and npm (for solc-js, forge and anvil). Install them and retry." >&2
    return 1
  fi
}

# The explorer's browser tests drive Debian's chromium with its chromedriver (Selenium). Installs
# them with apt-get when missing and this user may; otherwise says what to install.
credence_require_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    return 0
  fi
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "[setup] installing chromium and chromium-driver (Debian packages) for the explorer's browser tests"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }
  fi
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    echo "ERROR: the explorer's browser tests need /usr/bin/chromium and /usr/bin/chromedriver:" >&2
    echo "       sudo apt-get install chromium chromium-driver" >&2
    return 1
  fi
}
