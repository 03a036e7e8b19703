#!/bin/sh
# Fails when the built runtime library needs an LLVM, MLIR or OpenMP
# library at run time, or is 1 MiB or more once stripped: applications ship
# it, and it must stay small and self-contained.
#
#   check-runtime-library.sh LIBRARY
set -eu
library=${1:?usage: check-runtime-library.sh LIBRARY}
needed=$(readelf -d "$library" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "$library needs: $(echo $needed)"
status=0
if echo "$needed" | grep -Eiq 'llvm|mlir|omp'; then
  echo "it needs LLVM, MLIR or OpenMP"; status=1
fi
stripped=$(mktemp)
trap 'rm -f "$stripped"' EXIT
strip -o "$stripped" "$library"
size=$(wc -c < "$stripped")
echo "stripped size: $size bytes"
if [ "$size" -ge 1048576 ]; then
  echo "it is 1 MiB or more"; status=1
fi
exit $status
