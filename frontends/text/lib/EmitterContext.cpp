//===- EmitterContext.cpp - Locations and diagnostics ---------------------===//

#include "EmitterContext.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace kiln::text;
using namespace kiln::text::detail;

EmitterContext::EmitterContext(MLIRContext &context,
                               const llvm::SourceMgr &sourceMgr,
                               SourceDiagnostics &diagnostics)
    : context(context), sourceMgr(sourceMgr), diagnostics(diagnostics) {
  fileName = StringAttr::get(
      &context, sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
                    ->getBufferIdentifier());
}

Location EmitterContext::loc(llvm::SMLoc where) const {
  auto fileLoc = [&](llvm::SMLoc at) -> Location {
    if (!at.isValid())
      return FileLineColLoc::get(fileName, 0, 0);
    auto [line, col] = sourceMgr.getLineAndColumn(at);
    return FileLineColLoc::get(fileName, line, col);
  };
  Location result = fileLoc(where);
  std::optional<Location> caller;
  for (llvm::SMLoc site : callStack)
    caller = caller ? Location(CallSiteLoc::get(fileLoc(site), *caller))
                    : fileLoc(site);
  return caller ? Location(CallSiteLoc::get(result, *caller)) : result;
}

Type kiln::text::detail::elementTypeNamed(MLIRContext &context,
                                          llvm::StringRef name) {
  Builder builder(&context);
  return llvm::StringSwitch<Type>(name)
      .Case("f32", builder.getF32Type())
      .Case("f64", builder.getF64Type())
      .Case("i32", builder.getI32Type())
      .Case("i64", builder.getI64Type())
      .Cases({"i1", "bool"}, builder.getI1Type())
      .Default(nullptr);
}

std::string
kiln::text::detail::suggestName(llvm::StringRef name,
                                llvm::ArrayRef<llvm::StringRef> candidates) {
  llvm::StringRef best;
  unsigned bestDistance = std::max<size_t>(2, name.size() / 3) + 1;
  for (llvm::StringRef candidate : candidates) {
    unsigned distance = name.edit_distance(candidate, true, bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best.empty() ? "" : ("; did you mean '" + best + "'?").str();
}
