#!/usr/bin/env bash
# Checks the layering rules of the runtime's upper layers (docs/architecture.md)
# over a source tree:
#  - only the data-set catalog (runtime/train/DataCatalog.*) names install
#    paths of Debian's data packages or the `make deps` target;
#  - the trainer library (runtime/train, its headers) includes no tool code
#    and no presentation library (cairo, libpng): those reach it as callbacks;
#  - the trainer library writes nothing to the terminal itself;
#  - kiln-run holds no reader, metric or training loop: those are the
#    library's.
set -u
root=${1:?usage: check-layering.sh SOURCE_ROOT}
[ -d "$root/runtime/train" ] || { echo "no runtime/train under $root" >&2; exit 2; }
status=0
sources() { grep -rlE "$1" "${@:2}" --include='*.h' --include='*.hpp' --include='*.cpp' 2>/dev/null; }
report() { echo "$1:"; echo "$2" | sed 's/^/  /'; status=1; }

paths=$(sources '/usr/share/(datasets|dict)|/usr/lib/python3|make deps' \
  "$root/runtime" "$root/tools" | grep -v '/runtime/\(train\|include/kiln/train\)/DataCatalog\.')
[ -z "$paths" ] || report "data package paths outside the catalog" "$paths"

library="$root/runtime/train $root/runtime/include/kiln/train"
tools=$(sources '#include *"(CommandLine|TrainOptions|[A-Za-z]*Command)\.h"|#include *<(cairo|png)' $library)
[ -z "$tools" ] || report "the trainer library includes tool or presentation code" "$tools"

printing=$(sources '\b(printf|fputs|puts|std::cout|std::cerr)\b *\(|std::cout|std::cerr|fprintf\(std(out|err)' $library)
[ -z "$printing" ] || report "the trainer library prints (presentation is a callback's)" "$printing"

if [ -d "$root/tools/kiln-run" ]; then
  owned=$(sources '\b(readIdx|readNpyPair|readWords|readDiabetes|classificationMetrics|regressionMetrics) *\(' "$root/tools/kiln-run" |
    xargs -r grep -lE '^(bool|[A-Za-z:]+) +kiln::[a-z]+::(readIdx|readNpyPair|readWords|readDiabetes|classificationMetrics|regressionMetrics)\(' 2>/dev/null)
  [ -z "$owned" ] || report "kiln-run defines readers or metrics" "$owned"
fi
[ $status = 0 ] && echo "layering holds in $root"
exit $status
