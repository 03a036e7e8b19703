#!/usr/bin/env bash
# Fails when anything under the given runtime directory includes an LLVM or
# MLIR header or links an LLVM/MLIR library: the runtime ships without them.
set -u
dir=${1:?usage: check-runtime-boundary.sh RUNTIME_DIR}
[ -d "$dir" ] || { echo "no such directory: $dir" >&2; exit 2; }
status=0
includes=$(grep -rnE '#[[:space:]]*include[[:space:]]*[<"](llvm|llvm-c|mlir|mlir-c)/' "$dir" \
  --include='*.h' --include='*.hpp' --include='*.c' --include='*.cc' --include='*.cpp' --include='*.inc')
if [ -n "$includes" ]; then
  echo "runtime includes LLVM/MLIR headers:"; echo "$includes"; status=1
fi
links=$(grep -rnE '(target_link_libraries|find_package)\([^)]*\b(MLIR[A-Za-z]*|LLVM[A-Za-z]*)\b' "$dir" \
  --include='CMakeLists.txt' --include='*.cmake')
if [ -n "$links" ]; then
  echo "runtime links LLVM/MLIR:"; echo "$links"; status=1
fi
[ $status = 0 ] && echo "runtime boundary holds in $dir"
exit $status
