#!/usr/bin/env bash
# Builds libtsshim.a, compiles test/capi.c against it and tsshim.h, and runs
#   - capi smoke                 (no network)
#   - capi funnel / deny / login against scripts/tailnet-lab in an isolated
#     network namespace (--netns), with curl as the public Funnel client.
# Usage: vendor/tsshim/test/run.sh [smoke]   (smoke: only the no-network part)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=${TSSHIM_TEST_OUT:-$root/target/tsshim-test}
mkdir -p "$out"

t0=$(date +%s%N)
(cd "$here/.." && GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=1 \
  go build -buildmode=c-archive -trimpath -buildvcs=false -o "$out/libtsshim.a" .)
echo "archive: $out/libtsshim.a ($(stat -c %s "$out/libtsshim.a") bytes) built in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
# Both headers together: the generated one must agree with the hand-written one.
printf '#include "%s"\n#include "%s"\nint main(void){return 0;}\n' "$here/../tsshim.h" "$out/libtsshim.h" > "$out/hdrcheck.c"
cc -Wall -Werror -I "$here/.." -c -o /dev/null "$out/hdrcheck.c"
cc -std=c11 -Wall -Wextra -Werror -O1 -o "$out/capi" "$here/capi.c" "$out/libtsshim.a" -lpthread
echo "--- capi smoke"
"$out/capi" smoke
[[ ${1:-} == smoke ]] && exit 0

export TSSHIM_TEST_TMP=$(mktemp -d)
trap 'rm -rf "$TSSHIM_TEST_TMP"' EXIT
lab=$root/scripts/tailnet-lab
echo "--- capi funnel (lab)"
"$lab" --netns -exec -- bash -c '
  set -euo pipefail
  "$0" funnel 2 > "$1/funnel.out" 2>&1 &
  pid=$!
  for _ in $(seq 600); do grep -q "^READY " "$1/funnel.out" && break; kill -0 $pid || break; sleep 0.1; done
  cat "$1/funnel.out"
  url=$(sed -n "s/^READY //p" "$1/funnel.out"); [[ -n $url ]] || { echo "node not ready"; exit 1; }
  host=${url#https://}; host=${host%/}
  for i in 1 2; do
    res=$(curl -sS --max-time 20 --cacert "$TAILNET_LAB_CA_CERT_FILE" \
      --connect-to "$host:443:$TAILNET_LAB_FUNNEL_ADDR" -w "\nclient=%{local_ip}:%{local_port} http=%{http_code}\n" "$url")
    echo "curl $i: $res"
    src=$(sed -n "s/^src=\([^ ]*\) .*/\1/p" <<<"$res"); client=$(sed -n "s/^client=\([^ ]*\) .*/\1/p" <<<"$res")
    [[ -n $src && $src == "$client" ]] || { echo "FAIL: node saw src=$src, client is $client"; exit 1; }
    grep -q "flags=3" <<<"$res" || { echo "FAIL: flags"; exit 1; }
  done
  wait $pid
  cat "$1/funnel.out" | tail -n 4
' "$out/capi" "$out"
echo "--- capi deny (lab -deny-funnel)"
"$lab" --netns -deny-funnel -exec -- "$out/capi" deny
echo "--- capi login (lab -interactive-login)"
"$lab" --netns -interactive-login -exec -- "$out/capi" login
echo "all capi tests passed"
