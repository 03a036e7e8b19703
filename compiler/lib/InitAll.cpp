//===- InitAll.cpp - Registration of everything a Kiln tool uses ----------===//
//
// The one translation unit that includes MLIR's registration headers: they
// are heavy to compile, so no other file does.
//
//===----------------------------------------------------------------------===//

#include "kiln/InitAll.h"

#include "kiln/Dialect/KilnDialect.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void kiln::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<kiln::KilnDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
}

void kiln::registerAllPasses() {
  mlir::registerAllPasses();
  kiln::registerKilnPasses();
}
